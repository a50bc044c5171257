"""Who is told what, in the portal and by email. Rows first (Notification, OutboxEmail),
written in the caller's transaction; the emails are sent by Celery after commit."""

import logging

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from acknowledgements import fanout
from acknowledgements.models import Delivery, ImplementationReport, Notification, OutboxEmail
from acknowledgements.tasks import send_outbox
from units.models import Membership

log = logging.getLogger(__name__)


def unit_members(unit_ids):
    """(unit_id, user) of the active members of these units: one query."""
    return [
        (m.unit_id, m.user)
        for m in Membership.objects.filter(unit_id__in=list(unit_ids), user__is_active=True).select_related("user")
    ]


def queue_emails(rows: list[OutboxEmail]) -> None:
    """Insert outbox rows (a row already queued under the same key is left alone) and
    ask a worker to send them once the transaction commits."""
    if not rows:
        return
    OutboxEmail.objects.bulk_create(rows, ignore_conflicts=True)
    transaction.on_commit(kick_outbox)


def kick_outbox() -> None:
    """Wake the sender. If the broker is down the rows wait; the periodic drain sends them."""
    try:
        send_outbox.delay()
    except Exception:  # kombu raises many kinds when the broker is unreachable
        log.warning("broker unreachable: outbox emails wait for the periodic drain", exc_info=True)


def new_deliveries(*, circular, sent_at) -> None:
    """Tell every member of each unit that just received the circular: a line in their
    bell and an email with a one-click acknowledgement link. Two statements, whatever the
    number of units."""
    with override("vi"):
        title = _("New circular %(ref)s: %(subject)s") % {"ref": circular.reference, "subject": circular.subject}
    fanout.insert_notifications(circular_id=circular.pk, sent_at=sent_at, title=title)
    if fanout.insert_emails(circular_id=circular.pk, sent_at=sent_at):
        transaction.on_commit(kick_outbox)


def deliveries_closed(*, circular, status: str, at, replacement=None) -> None:
    """Tell every member of each unit whose delivery of ``circular`` was just recalled or
    replaced, at once whatever their digest: a line in the bell and an email. Two
    statements, whatever the number of units; each at most once per member and delivery."""
    with override("vi"):
        if status == Delivery.Status.RECALLED:
            title = _("Circular %(ref)s has been recalled: %(reason)s") % {
                "ref": circular.reference,
                "reason": circular.recall_reason,
            }
        else:
            title = _("Circular %(ref)s has been replaced by %(new)s: acknowledge the new one") % {
                "ref": circular.reference,
                "new": replacement.reference,
            }
    fanout.insert_closing_notifications(circular_id=circular.pk, status=status, at=at, title=title)
    if fanout.insert_closing_emails(circular_id=circular.pk, status=status, at=at):
        transaction.on_commit(kick_outbox)


def _notify_monitors(delivery: Delivery, *, kind: str, title: str, at) -> None:
    circular = delivery.circular
    if circular.monitoring_unit_id is None:
        return
    url = reverse("delivery-detail", args=[delivery.pk])
    Notification.objects.bulk_create(
        Notification(user=user, delivery=delivery, kind=kind, title=title[:500], url=url, created_at=at)
        for _unit, user in unit_members([circular.monitoring_unit_id])
    )


def delivery_refused(delivery: Delivery, *, at) -> None:
    with override("vi"):
        title = _("%(unit)s refused circular %(ref)s: %(reason)s") % {
            "unit": delivery.unit.name,
            "ref": delivery.circular.reference,
            "reason": delivery.refuse_reason,
        }
    _notify_monitors(delivery, kind="refused", title=title, at=at)


def report_submitted(report: ImplementationReport, *, at) -> None:
    delivery = report.delivery
    with override("vi"):
        title = _("%(unit)s reported on circular %(ref)s (version %(v)d)") % {
            "unit": delivery.unit.name,
            "ref": delivery.circular.reference,
            "v": report.version,
        }
    _notify_monitors(delivery, kind="report_submitted", title=title, at=at)


def report_reviewed(report: ImplementationReport, delivery: Delivery, *, at) -> None:
    """Tell the unit that its report was accepted or returned; a return also by email."""
    returned = report.status == ImplementationReport.Status.RETURNED
    with override("vi"):
        if returned:
            title = _("Your report on circular %(ref)s was returned: %(comment)s")
        else:
            title = _("Your report on circular %(ref)s was accepted")
        title = title % {"ref": delivery.circular.reference, "comment": report.review_comment}
    url = reverse("delivery-detail", args=[delivery.pk])
    kind = "report_returned" if returned else "report_accepted"
    members = unit_members([delivery.unit_id])
    Notification.objects.bulk_create(
        Notification(user=user, delivery=delivery, kind=kind, title=title[:500], url=url, created_at=at)
        for _u, user in members
    )
    if returned:
        queue_emails(
            [
                OutboxEmail(
                    kind=kind,
                    user=user,
                    to=user.email,
                    delivery=delivery,
                    report=report,
                    key=f"{kind}:{report.pk}:{user.pk}",
                )
                for _u, user in members
                if user.email
            ]
        )
