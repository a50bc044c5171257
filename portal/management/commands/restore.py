from django.core.management.base import BaseCommand

from portal.backup import restore_backup


class Command(BaseCommand):
    help = (
        "Restore an archive written by `backup` over the database and MEDIA_ROOT, then verify every "
        "table's row count and every file's SHA-256 against its manifest."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="A portal-YYYYmmdd-HHMMSS.tar.gz written by `manage.py backup`.")
        parser.add_argument(
            "--yes",
            action="store_true",
            help="Go ahead even though the database holds rows (they are all replaced).",
        )

    def handle(self, *args, archive, yes=False, **options):
        summary = restore_backup(archive, yes=yes)
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {summary['archive']} (made {summary['created']}): {summary['rows']} rows in "
                f"{summary['tables']} tables and {summary['files']} files, all equal to the manifest."
            )
        )
        if summary["extra_files"]:
            self.stdout.write(
                f"{summary['extra_files']} files in MEDIA_ROOT are not in the archive; they were left in place."
            )
