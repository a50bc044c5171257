"""The state of the parts the portal stands on, for /healthz and the load balancer."""

from django.conf import settings
from django.db import connection
from django.db.utils import Error as DatabaseError
from kombu import Connection


def check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True, "vendor": connection.vendor}


def check_broker() -> dict:
    if not settings.CELERY_BROKER_URL or settings.CELERY_BROKER_URL.startswith("memory://"):
        # Embedded default: tasks run in the web process, there is no broker to ask.
        return {"ok": True, "mode": "eager", "detail": "no broker configured; tasks run in process"}
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # kombu raises many kinds; any of them means "not reachable"
        return {"ok": False, "mode": "broker", "error": exc.__class__.__name__}
    return {"ok": True, "mode": "broker"}


def health() -> tuple[bool, dict]:
    parts = {"database": check_database(), "broker": check_broker()}
    return all(part["ok"] for part in parts.values()), parts
