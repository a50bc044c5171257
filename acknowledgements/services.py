"""Every write of the acknowledgements app: distribution, acknowledgement, refusal,
reports and their review. Keyword-only functions; each is one transaction that locks the
row it changes, writes its DeliveryEvent inside it and schedules side effects on commit."""

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from acknowledgements import fanout, notifications, policy
from acknowledgements.models import Delivery, DeliveryEvent, Evidence, ImplementationReport, ReportItem
from circulars.models import Circular, CircularEvent
from circulars.policy import FROM_STATES, may
from circulars.workdays import due_date, working_days_late
from core.errors import Conflict, Forbidden, Invalid
from core.parsing import UnreadableJSON, check_bounds, load_json
from core.uploads import CheckedFile

S = Delivery.Status


def _event(delivery: Delivery, *, by, action: str, from_status: str, ip=None, note: str = "") -> DeliveryEvent:
    return DeliveryEvent.objects.create(
        delivery=delivery, actor=by, action=action, from_status=from_status, to_status=delivery.status, ip=ip, note=note
    )


# --- Distribution -------------------------------------------------------------------


def distribute(*, circular: Circular, by, at=None) -> int:
    """Send an issued circular to every recipient unit: one Delivery each (groups
    expanded, duplicates and inactive units left out), in one transaction whose number of
    queries does not depend on the number of units. Distributing again adds only units
    that have no delivery yet; it never duplicates. Returns how many deliveries exist.

    A delivery's acknowledgement deadline runs from the day it reached the unit (its
    ``sent_at``, local date), not from the date of issue: a unit added later and reached
    by a second distribution gets its own, later deadline. ``at`` is the moment of
    sending: now, unless a recorded history is replayed (the demo)."""
    if not may(by, "distribute"):
        raise Forbidden(_("Only the records clerk distributes circulars."))
    with transaction.atomic():
        locked = Circular.objects.select_for_update().get(pk=circular.pk)
        if locked.status not in FROM_STATES["distribute"]:
            raise Conflict(
                _("This circular is “%(status)s”; only an issued circular can be distributed.")
                % {"status": locked.get_status_display()}
            )
        now = at or timezone.now()
        added = fanout.insert_deliveries(
            circular_id=locked.pk,
            sent_at=now,
            ack_due_on=due_date(timezone.localdate(now), locked.ack_due_working_days),
            report_due_on=locked.report_due_on,
        )
        total = Delivery.objects.filter(circular=locked).count()
        if total == 0:
            raise Invalid(_("The circular has no active recipient unit."))
        if added:
            fanout.insert_events(circular_id=locked.pk, sent_at=now, actor_id=by.pk)
            notifications.new_deliveries(circular=locked, sent_at=now)
        if locked.status != Circular.Status.DISTRIBUTED:
            locked.status = Circular.Status.DISTRIBUTED
            locked.save(update_fields=["status", "updated_at"])
            CircularEvent.objects.create(
                circular=locked,
                actor=by,
                at=now,
                action="distribute",
                from_status=Circular.Status.ISSUED,
                to_status=Circular.Status.DISTRIBUTED,
                comment=ngettext("%(n)d unit", "%(n)d units", total) % {"n": total},
            )
    return total


# --- Reading ------------------------------------------------------------------------


def mark_viewed(*, delivery: Delivery, by) -> bool:
    """Record the first time a member of the unit opens the delivery (a monitor looking
    at it does not count). Returns True when this was that first time."""
    if delivery.first_viewed_at is not None or not policy.acts_for_unit(by, delivery):
        return False
    now = timezone.now()
    claimed = Delivery.objects.filter(pk=delivery.pk, first_viewed_at__isnull=True).update(
        first_viewed_at=now, first_viewed_by=by
    )
    if claimed:
        delivery.first_viewed_at, delivery.first_viewed_by = now, by
        DeliveryEvent.objects.create(
            delivery=delivery, actor=by, action="view", from_status=delivery.status, to_status=delivery.status, at=now
        )
    return bool(claimed)


# --- The unit's steps ---------------------------------------------------------------


def _lock_for_unit(delivery: Delivery, by) -> Delivery:
    if not policy.acts_for_unit(by, delivery):
        raise Forbidden(_("Only the clerks and head of %(unit)s act on this delivery.") % {"unit": delivery.unit.name})
    locked = Delivery.objects.select_for_update().select_related("circular", "unit").get(pk=delivery.pk)
    if locked.circular.status == Circular.Status.WITHDRAWN:
        raise Conflict(_("This circular has been withdrawn; nothing more is asked of your unit."))
    return locked


def acknowledge(*, delivery: Delivery, by, ip: str | None = None) -> Delivery:
    """Confirm receipt. Acknowledging again is harmless: same state, no second event."""
    with transaction.atomic():
        locked = _lock_for_unit(delivery, by)
        if locked.status not in policy.FROM_STATES["acknowledge"]:
            if locked.status == S.REFUSED:
                raise Conflict(_("Your unit refused this delivery; it cannot be acknowledged."))
            return locked
        locked.status = S.ACKNOWLEDGED
        locked.acknowledged_at = timezone.now()
        locked.acknowledged_by = by
        locked.ack_delay_days = working_days_late(locked.ack_due_on, timezone.localdate(locked.acknowledged_at))
        if locked.first_viewed_at is None:
            locked.first_viewed_at, locked.first_viewed_by = locked.acknowledged_at, by
        locked.save()
        _event(locked, by=by, action="acknowledge", from_status=S.SENT, ip=ip)
    return locked


def refuse(*, delivery: Delivery, by, reason: str, ip: str | None = None) -> Delivery:
    """The document is not for this unit: say why; the monitoring office sees it."""
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("Say why the document is not for your unit."))
    with transaction.atomic():
        locked = _lock_for_unit(delivery, by)
        if locked.status not in policy.FROM_STATES["refuse"]:
            raise Conflict(
                _("A delivery that is “%(status)s” can no longer be refused.") % {"status": locked.get_status_display()}
            )
        from_status = locked.status
        locked.status = S.REFUSED
        locked.refused_at = timezone.now()
        locked.refuse_reason = reason
        locked.save()
        _event(locked, by=by, action="refuse", from_status=from_status, ip=ip, note=reason)
        notifications.delivery_refused(locked)
    return locked


def parse_report_items(raw) -> list[dict]:
    """Items as sent by a form or the API: a list, or a JSON string of one (multipart)."""
    try:
        if isinstance(raw, str):
            raw = load_json(raw, max_depth=4) if raw.strip() else []
        else:
            check_bounds(raw, max_depth=4)
    except UnreadableJSON as error:
        raise Invalid(_("The items are not valid: %(why)s") % {"why": error}) from None
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        raise Invalid(_("The items must be a list of {action_item, status, note}."))
    return raw


def submit_report(
    *,
    delivery: Delivery,
    by,
    summary: str,
    items: list[dict],
    files: list[CheckedFile] = (),
    ip: str | None = None,
) -> ImplementationReport:
    """File the unit's implementation report (a new version after a return). Every
    action item of the circular gets exactly one status."""
    summary = (summary or "").strip()
    if not summary:
        raise Invalid(_("Write a short summary of what your unit did."))
    with transaction.atomic():
        locked = _lock_for_unit(delivery, by)
        if locked.status not in policy.FROM_STATES["report"]:
            raise Conflict(
                _("A report cannot be filed while the delivery is “%(status)s”.")
                % {"status": locked.get_status_display()}
            )
        action_items = {ai.pk: ai for ai in locked.circular.action_items.all()}
        statuses = set(ReportItem.Status.values)
        seen: dict[int, dict] = {}
        for item in items:
            try:
                ai_id = int(item.get("action_item"))
            except (TypeError, ValueError):
                raise Invalid(_("Each item must name an action item by its id.")) from None
            if ai_id not in action_items:
                raise Invalid(_("Action item %(id)s is not part of this circular.") % {"id": ai_id})
            if item.get("status") not in statuses:
                raise Invalid(_("The status of an item must be done, in_progress or not_applicable."))
            if ai_id in seen:
                raise Invalid(_("Action item %(id)s is reported twice.") % {"id": ai_id})
            seen[ai_id] = item
        missing = [ai for pk, ai in action_items.items() if pk not in seen]
        if missing:
            raise Invalid(
                _("Give a status for every action item; missing: %(items)s")
                % {"items": "; ".join(f"{ai.position}. {ai.text[:60]}" for ai in missing)}
            )
        from_status = locked.status
        now = timezone.now()
        if from_status == S.SENT:
            # Filing a report is a receipt too.
            locked.acknowledged_at, locked.acknowledged_by = now, by
            locked.ack_delay_days = working_days_late(locked.ack_due_on, timezone.localdate(now))
            acknowledged_now = True
        else:
            acknowledged_now = False
        version = (locked.reports.aggregate(v=Max("version"))["v"] or 0) + 1
        try:
            with transaction.atomic():
                report = ImplementationReport.objects.create(
                    delivery=locked, version=version, summary=summary, submitted_by=by, submitted_at=now
                )
        except IntegrityError:
            raise Conflict(_("Another report was filed at the same moment; reload the page.")) from None
        ReportItem.objects.bulk_create(
            ReportItem(
                report=report, action_item_id=ai_id, status=item["status"], note=str(item.get("note") or "").strip()
            )
            for ai_id, item in seen.items()
        )
        for checked in files:
            Evidence.store(checked, report=report)
        locked.status = S.REPORTED
        if locked.reported_at is None:
            # The first report is when the unit reported (and whether on time); a
            # resubmission after a return is a later version, seen in the reports.
            locked.report_delay_days = (
                working_days_late(locked.report_due_on, timezone.localdate(now)) if locked.report_due_on else 0
            )
            locked.reported_at = now
        if locked.first_viewed_at is None:
            locked.first_viewed_at, locked.first_viewed_by = now, by
        locked.save()
        if acknowledged_now:
            DeliveryEvent.objects.create(
                delivery=locked,
                actor=by,
                action="acknowledge",
                from_status=S.SENT,
                to_status=S.ACKNOWLEDGED,
                ip=ip,
                at=now,
            )
        _event(
            locked,
            by=by,
            action="report",
            from_status=S.ACKNOWLEDGED if acknowledged_now else from_status,
            ip=ip,
            note=_("version %(v)d") % {"v": version},
        )
        notifications.report_submitted(report)
    return report


# --- The monitoring office's review -------------------------------------------------


def _lock_report_for_review(report: ImplementationReport, by) -> tuple[ImplementationReport, Delivery]:
    delivery = Delivery.objects.select_for_update().select_related("circular", "unit").get(pk=report.delivery_id)
    if not policy.may_review(by, delivery):
        raise Forbidden(_("Only the monitoring office of this circular reviews its reports."))
    locked = ImplementationReport.objects.select_for_update().get(pk=report.pk)
    if locked.status != ImplementationReport.Status.SUBMITTED or delivery.status not in policy.FROM_STATES["review"]:
        raise Conflict(
            _("This report is “%(status)s”; only a submitted report can be reviewed.")
            % {"status": locked.get_status_display()}
        )
    return locked, delivery


def accept_report(
    *, report: ImplementationReport, by, comment: str = "", ip: str | None = None
) -> ImplementationReport:
    with transaction.atomic():
        locked, delivery = _lock_report_for_review(report, by)
        now = timezone.now()
        locked.status = ImplementationReport.Status.ACCEPTED
        locked.reviewed_by, locked.reviewed_at, locked.review_comment = by, now, (comment or "").strip()
        locked.save()
        delivery.status, delivery.accepted_at = S.ACCEPTED, now
        delivery.save()
        _event(delivery, by=by, action="accept", from_status=S.REPORTED, ip=ip, note=locked.review_comment)
        notifications.report_reviewed(locked, delivery)
    return locked


def return_report(*, report: ImplementationReport, by, comment: str, ip: str | None = None) -> ImplementationReport:
    comment = (comment or "").strip()
    if not comment:
        raise Invalid(_("Say what the unit must add or correct: the comment is required."))
    with transaction.atomic():
        locked, delivery = _lock_report_for_review(report, by)
        locked.status = ImplementationReport.Status.RETURNED
        locked.reviewed_by, locked.reviewed_at, locked.review_comment = by, timezone.now(), comment
        locked.save()
        delivery.status = S.RETURNED
        delivery.save()
        _event(delivery, by=by, action="return", from_status=S.REPORTED, ip=ip, note=comment)
        notifications.report_reviewed(locked, delivery)
    return locked
