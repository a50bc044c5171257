"""Celery tasks: thin wrappers that call the services. Each is safe to run twice at once."""

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from acknowledgements import chasing, outbox


@shared_task(ignore_result=True)
def send_outbox(limit: int = 200) -> int:
    """Send what is due in the outbox. Every minute it is also the watchdog: rows whose
    sender died (claim expired) or whose broker message was lost are picked up here."""
    return outbox.send_due(limit=limit)


@shared_task(ignore_result=True)
def chase_sweep() -> int:
    return chasing.sweep().total


@shared_task(ignore_result=True)
def send_digests() -> int:
    """Runs every quarter hour; acts only in the configured local hour. The key
    digest:<user>:<date> keeps it to one email per person per day."""
    if timezone.localtime().hour != settings.REMINDERS["digest_hour"]:
        return 0
    return chasing.send_digests()
