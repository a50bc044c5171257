"""Backup and restore of the portal: the database and the uploaded files in one archive.

An archive ``portal-YYYYmmdd-HHMMSS.tar.gz`` holds

- ``database.dump``: PostgreSQL's custom format (``pg_dump --format=custom --no-owner
  --no-privileges``), or ``database.sqlite3``: a copy made by SQLite's online backup API;
- ``media/<path>``: every file under ``MEDIA_ROOT``;
- ``manifest.json``: when, which database (vendor and name), the row count of every
  model table and the SHA-256 of the dump and of every file.

The row counts come from the very snapshot the dump was taken from (on PostgreSQL an
exported snapshot shared with ``pg_dump --snapshot``; on SQLite the copied file itself),
so a portal that keeps working during the backup still gets a manifest that matches.
Each file's checksum is computed from the bytes written into the archive.

Restoring checks the archive against its manifest before it touches anything (a damaged
or altered archive changes nothing), replaces the database (``pg_restore --clean
--single-transaction``; on SQLite the backup API copies the file into the live database
under SQLite's own locking), puts the files back, and then verifies the result: every
table's row count and every file's checksum must equal the manifest's.

Every expected failure is a ``CommandError`` with a message that says what to do.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from pathlib import Path, PurePosixPath

import django
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import CommandError
from django.db import DatabaseError, connections
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA_DIR = "media"
DUMP_FILES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
# Restore unpacks into a private directory inside MEDIA_ROOT (same file system, so every
# file moves into place with one atomic rename); backups skip it.
STAGING_PREFIX = ".portal-restore-"
_CHUNK = 1024 * 1024
_MAX_MANIFEST_BYTES = 64 * 1024 * 1024
# libpq reads these from the environment; the matching OPTIONS of DATABASES are passed on.
_PG_OPTION_ENV = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "service": "PGSERVICE",
    "passfile": "PGPASSFILE",
    "connect_timeout": "PGCONNECT_TIMEOUT",
}


# --- shared helpers -----------------------------------------------------------------------


def default_backup_dir() -> Path:
    return Path(os.environ.get("BACKUP_DIR") or Path(settings.BASE_DIR) / "var" / "backups")


def media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def model_tables() -> list[str]:
    """Every table behind an installed model, many-to-many tables included."""
    tables = {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if not model._meta.proxy and model._meta.managed
    }
    return sorted(tables)


def live_counts(connection) -> dict[str, int]:
    """Row count of every model table that exists in the database right now."""
    try:
        return _live_counts(connection)
    except DatabaseError as exc:
        raise CommandError(f"Cannot read the {_describe(connection)}: {exc}") from None


def _live_counts(connection) -> dict[str, int]:
    with connection.cursor() as cursor:
        existing = set(connection.introspection.table_names(cursor))
        counts = {}
        for table in model_tables():
            if table in existing:
                cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
                counts[table] = cursor.fetchone()[0]
    return counts


def _media_files(root: Path, skip: list[Path]):
    """(relative POSIX path, absolute path) of every regular file under root, sorted."""
    if not root.is_dir():
        return
    skip = [p.resolve() for p in skip]
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames[:] = sorted(
            d
            for d in dirnames
            if not (here == root and d.startswith(STAGING_PREFIX)) and (here / d).resolve() not in skip
        )
        for name in sorted(filenames):
            path = here / name
            if path.is_symlink() or not path.is_file():
                continue
            yield path.relative_to(root).as_posix(), path


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise CommandError(
            f"{name} was not found on PATH. Install the PostgreSQL client tools "
            f"(e.g. `apt-get install postgresql-client`) in the version of the server or newer."
        )
    return found


def _pg_args_and_env(settings_dict) -> tuple[list[str], dict[str, str]]:
    """Connection options for pg_dump/pg_restore; the password goes in PGPASSWORD only."""
    args = ["--no-password"]  # never stop to ask: fail with libpq's message instead
    if settings_dict.get("HOST"):
        args.append(f"--host={settings_dict['HOST']}")
    if settings_dict.get("PORT"):
        args.append(f"--port={settings_dict['PORT']}")
    if settings_dict.get("USER"):
        args.append(f"--username={settings_dict['USER']}")
    args.append(f"--dbname={settings_dict['NAME']}")
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    for option, variable in _PG_OPTION_ENV.items():
        value = (settings_dict.get("OPTIONS") or {}).get(option)
        if value not in (None, ""):
            env[variable] = str(value)
    return args, env


def _run(cmd: list[str], env: dict[str, str], what: str) -> None:
    try:
        result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    except OSError as exc:
        raise CommandError(f"{what} could not be started: {exc}") from None
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip() or "no message"
        raise CommandError(f"{what} failed (exit status {result.returncode}):\n{detail}")


def _describe(connection) -> str:
    return f"{connection.vendor} database {connection.settings_dict['NAME']!r}"


# --- backup -------------------------------------------------------------------------------


def _dump_postgresql(connection, dest: Path) -> dict[str, int]:
    """pg_dump into dest; returns the row counts of the snapshot the dump was taken from."""
    pg_dump = _tool("pg_dump")
    args, env = _pg_args_and_env(connection.settings_dict)
    wanted = model_tables()
    try:
        # A connection of its own, whatever Django's connection is doing.
        raw = connection.Database.connect(**connection.get_connection_params())
    except connection.Database.Error as exc:
        raise CommandError(f"Cannot connect to the {_describe(connection)}: {exc}") from None
    try:
        raw.autocommit = True
        with raw.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            cursor.execute(
                "SELECT c.relname FROM pg_class c WHERE c.relkind IN ('r', 'p') AND pg_table_is_visible(c.oid)"
            )
            existing = {row[0] for row in cursor.fetchall()}
            counts = {}
            for table in wanted:
                if table in existing:
                    cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
                    counts[table] = cursor.fetchone()[0]
            # The transaction stays open (and the snapshot with it) until pg_dump is done.
            _run(
                [
                    pg_dump,
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    f"--file={dest}",
                    *args,
                ],
                env,
                "pg_dump",
            )
            cursor.execute("ROLLBACK")
    finally:
        raw.close()
    return counts


def _dump_sqlite(connection, dest: Path) -> dict[str, int]:
    """Copy the live database with SQLite's online backup API; count rows in the copy."""
    target = sqlite3.connect(dest)
    try:
        try:
            connection.ensure_connection()
            with connection.wrap_database_errors:
                connection.connection.backup(target)
        except DatabaseError as exc:
            raise CommandError(f"Cannot copy the {_describe(connection)}: {exc}") from None
        existing = {row[0] for row in target.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return {
            table: target.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}").fetchone()[0]  # noqa: S608
            for table in model_tables()
            if table in existing
        }
    finally:
        target.close()


class _HashingReader:
    """A file wrapper that hashes exactly the bytes tarfile reads from it."""

    def __init__(self, f):
        self._f = f
        self.digest = hashlib.sha256()

    def read(self, size=-1):
        data = self._f.read(size)
        self.digest.update(data)
        return data


def _add_file(tar: tarfile.TarFile, path: Path, arcname: str) -> str | None:
    """Add one file to the archive; returns the SHA-256 of what was archived (None if it vanished)."""
    try:
        f = open(path, "rb")  # noqa: SIM115 - closed below
    except FileNotFoundError:
        return None  # deleted while the backup ran: it is no longer part of the portal
    with f:
        info = tar.gettarinfo(arcname=arcname, fileobj=f)
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        reader = _HashingReader(f)
        try:
            tar.addfile(info, reader)
        except OSError as exc:
            raise CommandError(f"{path} changed while it was being archived ({exc}); run the backup again.") from None
        return reader.digest.hexdigest()


def create_backup(backup_dir: Path | str | None = None, *, using: str = "default") -> tuple[Path, dict]:
    """Write one archive of the database and MEDIA_ROOT; returns its path and manifest."""
    connection = connections[using]
    vendor = connection.vendor
    if vendor not in DUMP_FILES:
        raise CommandError(f"Backups support PostgreSQL and SQLite, not {vendor}.")
    if vendor == "postgresql":
        _tool("pg_dump")  # before anything is created
    backup_dir = Path(backup_dir) if backup_dir else default_backup_dir()
    try:
        backup_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise CommandError(f"Cannot create the backup directory {backup_dir}: {exc}") from None
    now = timezone.localtime()
    final = backup_dir / f"portal-{now:%Y%m%d-%H%M%S}.tar.gz"
    if final.exists():
        raise CommandError(f"{final} already exists; wait a second and run the backup again.")
    partial = backup_dir / f".{final.name}.partial"
    root = media_root()
    dump_name = DUMP_FILES[vendor]

    with tempfile.TemporaryDirectory(prefix=".portal-backup-", dir=backup_dir) as work:
        dump = Path(work) / dump_name
        # The database first, then the files: a file uploaded meanwhile ends up in the archive
        # without its row (harmless), rather than a dumped row without its file.
        counts = _dump_postgresql(connection, dump) if vendor == "postgresql" else _dump_sqlite(connection, dump)
        manifest = {
            "format": FORMAT,
            "created": now.isoformat(timespec="seconds"),
            "django": django.get_version(),
            "database": {
                "vendor": vendor,
                "name": str(connection.settings_dict["NAME"]),
                "file": dump_name,
                "sha256": sha256_of(dump),
            },
            "tables": counts,
            "media": {},
        }
        try:
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # it holds every password hash
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6) as tar:
                _add_file(tar, dump, dump_name)
                for rel, path in _media_files(root, skip=[backup_dir]):
                    digest = _add_file(tar, path, f"{MEDIA_DIR}/{rel}")
                    if digest is not None:
                        manifest["media"][rel] = digest
                data = json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size = len(data)
                info.mtime = int(now.timestamp())
                info.mode = 0o600
                tar.addfile(info, _BytesReader(data))
            os.replace(partial, final)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return final, manifest


class _BytesReader:
    def __init__(self, data: bytes):
        self._data = memoryview(data)
        self._pos = 0

    def read(self, size=-1):
        end = len(self._data) if size is None or size < 0 else self._pos + size
        chunk = bytes(self._data[self._pos : end])
        self._pos += len(chunk)
        return chunk


# --- restore ------------------------------------------------------------------------------


def _member_target(name: str) -> tuple[str, str]:
    """Classify an archive member: ("manifest"|"database"|"media", relative path)."""
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or "\\" in name:
        raise CommandError(f"The archive holds an unsafe path {name!r}; it is not a portal backup.")
    parts = path.parts
    if parts == (MANIFEST,):
        return "manifest", MANIFEST
    if len(parts) == 1 and parts[0] in DUMP_FILES.values():
        return "database", parts[0]
    if len(parts) >= 2 and parts[0] == MEDIA_DIR:
        return "media", PurePosixPath(*parts[1:]).as_posix()
    raise CommandError(f"The archive holds an unexpected member {name!r}; it is not a portal backup.")


def _unpack(archive: Path, staging: Path) -> tuple[dict, dict[str, Path], dict[str, str], dict[str, str]]:
    """Unpack the archive into staging, hashing as it goes.

    Returns the manifest, the database files found, the SHA-256 of every media file and
    the SHA-256 of every database file.
    """
    manifest = None
    databases: dict[str, Path] = {}
    database_hashes: dict[str, str] = {}
    media_hashes: dict[str, str] = {}
    seen: set[str] = set()
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            for member in tar:
                if member.isdir():
                    continue
                kind, rel = _member_target(member.name)
                if not member.isfile():
                    raise CommandError(f"The archive member {member.name!r} is not a regular file; refusing it.")
                if member.name in seen:
                    raise CommandError(f"The archive holds {member.name!r} twice; it is not a portal backup.")
                seen.add(member.name)
                source = tar.extractfile(member)
                if kind == "manifest":
                    if member.size > _MAX_MANIFEST_BYTES:
                        raise CommandError("The archive's manifest.json is implausibly large.")
                    try:
                        manifest = json.loads(source.read().decode("utf-8"))
                    except (UnicodeDecodeError, ValueError) as exc:
                        raise CommandError(f"The archive's manifest.json cannot be read: {exc}") from None
                    continue
                dest = staging / ("database" if kind == "database" else MEDIA_DIR) / rel
                dest.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                with open(dest, "wb") as out:
                    while chunk := source.read(_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                if kind == "database":
                    databases[rel] = dest
                    database_hashes[rel] = digest.hexdigest()
                else:
                    media_hashes[rel] = digest.hexdigest()
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise CommandError(f"Cannot read the archive {archive}: {exc}") from None
    if not isinstance(manifest, dict):
        raise CommandError(f"{archive} has no manifest.json; it is not a portal backup.")
    return manifest, databases, media_hashes, database_hashes


def _check_archive(manifest, connection, databases, media_hashes, database_hashes) -> Path:
    """Refuse an archive that is not for this database or differs from its own manifest."""
    if manifest.get("format") != FORMAT:
        raise CommandError(f"The archive's format {manifest.get('format')!r} is not one this portal reads ({FORMAT}).")
    database = manifest.get("database") or {}
    vendor = database.get("vendor")
    if vendor != connection.vendor:
        raise CommandError(
            f"The archive holds a {vendor} database ({database.get('name')!r}), but this portal runs on "
            f"{_describe(connection)}. Restore it where DATABASE_URL points to a {vendor} database."
        )
    tables = manifest.get("tables")
    files = manifest.get("media")
    if not isinstance(tables, dict) or not isinstance(files, dict) or database.get("file") != DUMP_FILES[vendor]:
        raise CommandError("The archive's manifest.json is incomplete; it is not a portal backup.")
    problems = []
    name = database["file"]
    if name not in databases:
        problems.append(f"{name}: missing from the archive")
    elif database_hashes[name] != database.get("sha256"):
        problems.append(f"{name}: SHA-256 {database_hashes[name]} but the manifest says {database.get('sha256')}")
    for rel in sorted(set(databases) - {name}):
        problems.append(f"{rel}: in the archive but not in the manifest")
    for rel, expected in sorted(files.items()):
        actual = media_hashes.get(rel)
        if actual is None:
            problems.append(f"{MEDIA_DIR}/{rel}: missing from the archive")
        elif actual != expected:
            problems.append(f"{MEDIA_DIR}/{rel}: SHA-256 {actual} but the manifest says {expected}")
    for rel in sorted(set(media_hashes) - set(files)):
        problems.append(f"{MEDIA_DIR}/{rel}: in the archive but not in the manifest")
    if problems:
        raise CommandError("The archive is damaged or was altered; nothing was restored:\n  " + "\n  ".join(problems))
    return databases[name]


def _restore_postgresql(connection, dump: Path) -> None:
    pg_restore = _tool("pg_restore")
    args, env = _pg_args_and_env(connection.settings_dict)
    # Django's connection must not hold locks or prepared plans on the tables being replaced.
    connection.close()
    _run(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            *args,
            str(dump),
        ],
        env,
        "pg_restore (in one transaction: the database was left as it was)",
    )
    connection.close()


def _check_sqlite_file(path: Path) -> None:
    try:
        source = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        try:
            result = source.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            source.close()
    except sqlite3.DatabaseError as exc:
        raise CommandError(f"The archive's SQLite database cannot be read: {exc}; nothing was restored.") from None
    if result != "ok":
        raise CommandError(f"The archive's SQLite database is damaged ({result}); nothing was restored.")


def _restore_sqlite(connection, path: Path) -> None:
    """Copy the archived database into the live one with the backup API.

    SQLite locks the destination for the copy, so other connections see the old database
    or the new one, never a mixture, and no file is swapped under an open connection.
    """
    source = sqlite3.connect(path)
    try:
        connection.ensure_connection()
        with connection.wrap_database_errors:
            source.backup(connection.connection)
    except DatabaseError as exc:
        raise CommandError(f"Cannot write the {_describe(connection)}: {exc}") from None
    finally:
        source.close()


def _move_media(staged: Path, root: Path, files: dict[str, str]) -> None:
    for rel in files:
        dest = root / rel
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged / rel, dest)
        except OSError as exc:
            raise CommandError(f"Cannot put {MEDIA_DIR}/{rel} back into {root}: {exc}") from None


def _verify(connection, manifest: dict, root: Path) -> list[str]:
    """What differs between the live database and MEDIA_ROOT and the manifest."""
    problems = []
    counts = live_counts(connection)
    for table, expected in sorted(manifest["tables"].items()):
        actual = counts.get(table)
        if actual is None:
            problems.append(f"table {table}: missing (the archive had {expected} rows)")
        elif actual != expected:
            problems.append(f"table {table}: {actual} rows, the archive had {expected}")
    for rel, expected in sorted(manifest["media"].items()):
        path = root / rel
        if not path.is_file():
            problems.append(f"{MEDIA_DIR}/{rel}: missing")
            continue
        actual = sha256_of(path)
        if actual != expected:
            problems.append(f"{MEDIA_DIR}/{rel}: SHA-256 {actual}, the archive had {expected}")
    return problems


def restore_backup(archive: Path | str, *, yes: bool = False, using: str = "default") -> dict:
    """Restore an archive over the database and MEDIA_ROOT, then verify; returns a summary."""
    archive = Path(archive)
    connection = connections[using]
    if not archive.is_file():
        raise CommandError(f"{archive}: no such archive.")
    if connection.vendor not in DUMP_FILES:
        raise CommandError(f"Restore supports PostgreSQL and SQLite, not {connection.vendor}.")
    if connection.in_atomic_block:
        raise CommandError("Restore cannot run inside a transaction.")
    if not yes:
        nonempty = {table: n for table, n in live_counts(connection).items() if n}
        if nonempty:
            examples = ", ".join(f"{table} ({n})" for table, n in sorted(nonempty.items())[:5])
            raise CommandError(
                f"The {_describe(connection)} is not empty: {sum(nonempty.values())} rows in "
                f"{len(nonempty)} tables, e.g. {examples}. Restoring replaces all of it; "
                f"run again with --yes (make restore ARCHIVE=... CONFIRM=yes) to go ahead."
            )

    root = media_root()
    try:
        root.mkdir(parents=True, exist_ok=True)
        staging_dir = tempfile.TemporaryDirectory(prefix=STAGING_PREFIX, dir=root)
    except OSError as exc:
        raise CommandError(f"Cannot write into MEDIA_ROOT {root}: {exc}") from None
    with staging_dir as staging:
        staging = Path(staging)
        manifest, databases, media_hashes, database_hashes = _unpack(archive, staging)
        dump = _check_archive(manifest, connection, databases, media_hashes, database_hashes)
        if connection.vendor == "postgresql":
            _restore_postgresql(connection, dump)
        else:
            _check_sqlite_file(dump)
            _restore_sqlite(connection, dump)
        # Content type ids are those of the archive now, not those this process cached.
        ContentType.objects.clear_cache()
        _move_media(staging / MEDIA_DIR, root, manifest["media"])

    problems = _verify(connection, manifest, root)
    if problems:
        raise CommandError(f"Restored {archive}, but the result differs from its manifest:\n  " + "\n  ".join(problems))
    extra = sum(1 for rel, _path in _media_files(root, skip=[]) if rel not in manifest["media"])
    return {
        "archive": archive,
        "created": manifest.get("created"),
        "tables": len(manifest["tables"]),
        "rows": sum(manifest["tables"].values()),
        "files": len(manifest["media"]),
        "extra_files": extra,
    }
