"""Sending the email outbox: claim a batch, send each, record the outcome.

Claiming is a conditional UPDATE, so two workers (or a retried task, or a second beat
tick) never send the same row: a row is sent by whoever claimed it. A claim expires, so a
worker killed mid-send leaves its rows to be picked up again. Temporary failures back off
exponentially; after MAX_ATTEMPTS the row is marked failed with its last error, shown in
the admin, and not retried forever.
"""

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from acknowledgements import emails
from acknowledgements.models import OutboxEmail

log = logging.getLogger(__name__)
CLAIM_FOR = datetime.timedelta(minutes=5)


def claim_batch(limit: int) -> list[int]:
    """Ids of up to ``limit`` due rows, now claimed by this worker for CLAIM_FOR."""
    now = timezone.now()
    due = Q(status=OutboxEmail.Status.PENDING, next_attempt_at__lte=now) & (
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )
    with transaction.atomic():
        qs = OutboxEmail.objects.filter(due).order_by("next_attempt_at", "id")
        if transaction.get_connection().features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True)
        ids = list(qs.values_list("pk", flat=True)[:limit])
        OutboxEmail.objects.filter(pk__in=ids).update(claimed_until=now + CLAIM_FOR)
    return ids


def send_one(pk: int) -> bool:
    row = OutboxEmail.objects.select_related(
        "user",
        "delivery__circular__issuing_unit",
        "delivery__unit",
        "report",
        "assignment__dispatch",
        "assignment__unit",
    ).get(pk=pk)
    if row.status != OutboxEmail.Status.PENDING:
        return False
    if row.reminder_id is not None and not row.reminder.is_still_due():
        # The unit acted between the sweep and now: no reminder for what is done.
        OutboxEmail.objects.filter(pk=pk).update(status=OutboxEmail.Status.SKIPPED, claimed_until=None)
        return False
    try:
        subject, text, html = emails.render(row)
        message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [row.to])
        message.attach_alternative(html, "text/html")
        message.send()
    except Exception as exc:  # SMTP, DNS, template: all recorded on the row
        attempts = row.attempts + 1
        failed = attempts >= OutboxEmail.MAX_ATTEMPTS
        OutboxEmail.objects.filter(pk=pk).update(
            attempts=attempts,
            last_error=f"{exc.__class__.__name__}: {exc}"[:2000],
            status=OutboxEmail.Status.FAILED if failed else OutboxEmail.Status.PENDING,
            next_attempt_at=timezone.now() + datetime.timedelta(minutes=2**attempts),
            claimed_until=None,
        )
        log.warning("outbox email %s failed (attempt %s): %s", pk, attempts, exc)
        return False
    OutboxEmail.objects.filter(pk=pk).update(
        status=OutboxEmail.Status.SENT, sent_at=timezone.now(), subject=subject[:500], attempts=row.attempts + 1
    )
    return True


def send_due(*, limit: int = 200) -> int:
    sent = 0
    for pk in claim_batch(limit):
        sent += send_one(pk)
    return sent
