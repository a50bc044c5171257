"""Celery tasks: thin wrappers over the outbox sender."""

from celery import shared_task

from acknowledgements import outbox


@shared_task(ignore_result=True)
def send_outbox(limit: int = 200) -> int:
    """Send what is due in the outbox. Safe to run many times at once."""
    return outbox.send_due(limit=limit)
