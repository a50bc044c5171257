"""The bench's own database: ``<name>_bench`` beside the one DATABASE_URL names, created,
migrated and used in its place, so that the bench never reads or writes real data."""

import contextlib
import os
from urllib.parse import quote

import psycopg
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections
from psycopg import sql

REFUSAL = (
    "make bench measures the portal on PostgreSQL and Redis, never on the embedded SQLite default.\n"
    "Set the three variables of a real deployment and run it again, for example:\n"
    "  export DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal\n"
    "  export CELERY_BROKER_URL=redis://127.0.0.1:6379/0\n"
    "  export REDIS_URL=redis://127.0.0.1:6379/1\n"
    "The bench creates its own database beside the one DATABASE_URL names (portal → portal_bench) "
    "and never touches the real one."
)

# Keys of OPTIONS that Django reads itself rather than passing to libpq.
_DJANGO_OPTIONS = {"isolation_level", "server_side_binding", "pool", "assume_role", "cursor_factory"}


class BenchRefused(Exception):
    """The environment is not one the bench runs in (SQLite, no Redis)."""


def check_environment(*, need_redis: bool = True) -> None:
    """Refuse SQLite (and, for a full run, a missing broker or cache) with a message that
    says what to set."""
    if connection.vendor != "postgresql":
        raise BenchRefused(f"The database is {connection.vendor}, not PostgreSQL.\n{REFUSAL}")
    if need_redis:
        missing = [name for name in ("CELERY_BROKER_URL", "REDIS_URL") if not os.environ.get(name)]
        if missing:
            raise BenchRefused(f"{' and '.join(missing)} not set.\n{REFUSAL}")


def bench_name(source: str | None = None) -> str:
    """``portal`` → ``portal_bench`` (the name DATABASE_URL gives, plus ``_bench``)."""
    source = source or connection.settings_dict["NAME"]
    return source if source.endswith("_bench") else f"{source}_bench"


def libpq_params(dbname: str | None = None) -> dict:
    """Connection parameters of the default database for a plain psycopg connection."""
    s = connection.settings_dict
    params = {
        "dbname": dbname or s["NAME"],
        "user": s.get("USER") or None,
        "password": s.get("PASSWORD") or None,
        "host": s.get("HOST") or None,
        "port": str(s["PORT"]) if s.get("PORT") else None,
    }
    params.update({k: v for k, v in (s.get("OPTIONS") or {}).items() if k not in _DJANGO_OPTIONS})
    return {k: v for k, v in params.items() if v is not None}


def database_url(dbname: str) -> str:
    """A DATABASE_URL for another process (gunicorn) pointing at ``dbname``."""
    p = libpq_params(dbname)
    auth = quote(p.get("user", ""), safe="")
    if p.get("password"):
        auth += ":" + quote(p["password"], safe="")
    host = p.get("host", "")
    if host.startswith("/"):
        return f"postgres://{auth}@/{quote(dbname)}?host={quote(host, safe='')}"
    port = f":{p['port']}" if p.get("port") else ""
    return f"postgres://{auth}@{host}{port}/{quote(dbname)}"


def _maintenance(statement: str) -> None:
    with psycopg.connect(**libpq_params("postgres"), autocommit=True) as conn:
        conn.execute(statement)


def exists(name: str) -> bool:
    with psycopg.connect(**libpq_params("postgres"), autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def recreate(name: str) -> None:
    """Drop (closing any session left on it) and create the bench database."""
    if name == connection.settings_dict["NAME"] and not name.endswith("_bench"):
        raise BenchRefused(f"refusing to drop {name!r}: the bench only drops databases named *_bench")
    quoted = sql.Identifier(name).as_string(None)
    connection.close()
    _maintenance(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")
    _maintenance(f"CREATE DATABASE {quoted}")


def drop(name: str) -> None:
    if not name.endswith("_bench"):
        raise BenchRefused(f"refusing to drop {name!r}: the bench only drops databases named *_bench")
    _maintenance(f"DROP DATABASE IF EXISTS {sql.Identifier(name).as_string(None)} WITH (FORCE)")


def switch_to(name: str) -> str:
    """Point the default connection (this process) at ``name``; returns the old name."""
    old = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = name
    settings.DATABASES["default"]["NAME"] = name
    connections["default"].settings_dict["NAME"] = name
    return old


@contextlib.contextmanager
def using(name: str):
    """The default connection on ``name`` for the block, then back (for the tests)."""
    old = switch_to(name)
    try:
        yield
    finally:
        switch_to(old)


def migrate() -> None:
    call_command("migrate", interactive=False, verbosity=0)
