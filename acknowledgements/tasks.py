"""Celery tasks of a delivery's life: thin wrappers that call the services. Each is safe
to run twice at once."""

from celery import shared_task

from acknowledgements import outbox


@shared_task(ignore_result=True)
def send_outbox(limit: int = 200) -> int:
    """Send what is due in the outbox. Every minute it is also the watchdog: rows whose
    sender died (claim expired) or whose broker message was lost are picked up here."""
    return outbox.send_due(limit=limit)
