from django.core.management.base import BaseCommand

from portal.backup import create_backup, default_backup_dir


class Command(BaseCommand):
    help = (
        "Write one dated archive (portal-YYYYmmdd-HHMMSS.tar.gz) of the database and the uploaded "
        "files, with a manifest of row counts and checksums. Prints the archive's path."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dir",
            dest="backup_dir",
            help="Directory of the archive (default: $BACKUP_DIR, else var/backups).",
        )

    def handle(self, *args, backup_dir=None, **options):
        path, manifest = create_backup(backup_dir or default_backup_dir())
        rows = sum(manifest["tables"].values())
        self.stderr.write(
            f"Backed up the {manifest['database']['vendor']} database {manifest['database']['name']!r} "
            f"({rows} rows in {len(manifest['tables'])} tables) and {len(manifest['media'])} files into"
        )
        self.stdout.write(str(path))
