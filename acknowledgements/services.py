"""Every write of the acknowledgements app: distribution, acknowledgement, refusal,
reports and their review. Keyword-only functions; each is one transaction that locks the
row it changes, writes its DeliveryEvent inside it and schedules side effects on commit."""

from django.db import IntegrityError, transaction
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override

from acknowledgements import fanout, notifications, policy
from acknowledgements.models import (
    Delivery,
    DeliveryEvent,
    Evidence,
    ImplementationReport,
    OutboxEmail,
    ReportItem,
)
from circulars import services as circular_services
from circulars.models import Circular, CircularEvent, CircularRelation
from circulars.policy import FROM_STATES, may, may_recall
from circulars.workdays import due_date, working_days_late
from core.errors import Conflict, Forbidden, Invalid
from core.parsing import UnreadableJSON, check_bounds, load_json
from core.uploads import CheckedFile

S = Delivery.Status


def _event(delivery: Delivery, *, by, action: str, from_status: str, at, ip=None, note: str = "") -> DeliveryEvent:
    return DeliveryEvent.objects.create(
        delivery=delivery,
        actor=by,
        action=action,
        from_status=from_status,
        to_status=delivery.status,
        ip=ip,
        note=note,
        at=at,
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
        # What the circular replaces is read with the lock, so that a distribution takes
        # the same queries as before replacements existed.
        replaces = CircularRelation.objects.filter(circular=OuterRef("pk"), kind=CircularRelation.Kind.REPLACE)
        locked = (
            Circular.objects.select_for_update()
            .annotate(replaces_id=Subquery(replaces.values("target_id")[:1]))
            .get(pk=circular.pk)
        )
        if locked.status not in FROM_STATES["distribute"]:
            raise Conflict(
                _("This circular is “%(status)s”; only an issued circular can be distributed.")
                % {"status": locked.get_status_display()}
            )
        now = at or timezone.now()
        arrived_on = timezone.localdate(now)
        added = fanout.insert_deliveries(
            circular_id=locked.pk,
            sent_at=now,
            ack_due_on=due_date(arrived_on, locked.ack_due_working_days),
            report_due_on=locked.report_due_on,
            arrival_year=arrived_on.year,
        )
        total = Delivery.objects.filter(circular=locked).count()
        if total == 0:
            raise Invalid(_("The circular has no active recipient unit."))
        if added:
            # Each unit's own incoming register numbers what reached it (Decree 30 Art. 22).
            fanout.number_arrivals(circular_id=locked.pk, sent_at=now, arrival_year=arrived_on.year)
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
            _replace_old(locked, by=by, at=now)
    return total


# --- Recall and replacement ---------------------------------------------------------

RECALL_REASON_MAX = 2000


def _close_deliveries(circular: Circular, *, from_statuses, to: str, action: str, by, at, reason: str) -> None:
    """Close the deliveries of ``circular`` that are in ``from_statuses``: lock them all in
    id order (after the circular, as every step does), write one event each, then move
    them in one UPDATE; their pending emails about the old steps are skipped."""
    list(Delivery.objects.select_for_update().filter(circular=circular).order_by("pk").values_list("pk", flat=True))
    from_statuses = list(from_statuses)
    fanout.insert_closing_events(
        circular_id=circular.pk,
        from_statuses=from_statuses,
        to_status=to,
        action=action,
        at=at,
        actor_id=by.pk,
        note=reason,
    )
    Delivery.objects.filter(circular=circular, status__in=from_statuses).update(
        status=to, closed_at=at, close_reason=reason
    )
    # A new-delivery email or a reminder not sent yet would ask for a step no longer owed.
    OutboxEmail.objects.pending().filter(
        delivery__circular=circular, delivery__status=to, kind__in=["new_delivery", "reminder"]
    ).update(status=OutboxEmail.Status.SKIPPED, claimed_until=None)


def recall(*, circular: Circular, by, reason: str, at=None) -> Circular:
    """Thu hồi: an issued or distributed circular is recalled by its signer or an
    administrator, with a reason. Every delivery not refused becomes ``recalled`` (QCVN
    102 status 13) and leaves the chase, and every member of each unit is told at once
    (bell and email, whatever their digest). One transaction: the circular locked first,
    then its deliveries in id order, so a recall racing a unit's step waits for it or
    makes it wait, and one of them sees the other's outcome."""
    if not may(by, "recall"):
        raise Forbidden(_("Only the signer of the circular or an administrator recalls it."))
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("Say why the circular is recalled: the reason is required."))
    if len(reason) > RECALL_REASON_MAX:
        raise Invalid(_("The reason is at most %(max)d characters.") % {"max": RECALL_REASON_MAX})
    with transaction.atomic():
        locked = Circular.objects.select_for_update().get(pk=circular.pk)
        if not may_recall(by, locked):
            raise Forbidden(_("Only the signer of the circular or an administrator recalls it."))
        if locked.status not in FROM_STATES["recall"]:
            raise Conflict(
                _("This circular is “%(status)s”; only an issued circular in force can be recalled.")
                % {"status": locked.get_status_display()}
            )
        now = at or timezone.now()
        from_status = locked.status
        locked.status = Circular.Status.RECALLED
        locked.recalled_at, locked.recall_reason = now, reason
        locked.save(update_fields=["status", "recalled_at", "recall_reason", "updated_at"])
        CircularEvent.objects.create(
            circular=locked,
            actor=by,
            at=now,
            action="recall",
            from_status=from_status,
            to_status=locked.status,
            comment=reason,
        )
        _close_deliveries(
            locked,
            from_statuses=[s for s in S.values if s not in (S.REFUSED, *Delivery.CLOSED)],
            to=S.RECALLED,
            action="recall",
            by=by,
            at=now,
            reason=reason,
        )
        notifications.deliveries_closed(circular=locked, status=S.RECALLED, at=now)
    return locked


def withdraw(*, circular: Circular, by, reason: str = "") -> Circular:
    """The withdraw button and endpoint: a document not yet issued is withdrawn; an issued
    one is recalled (and so needs a reason), decided on the locked row."""
    with transaction.atomic():
        locked = Circular.objects.select_for_update().get(pk=circular.pk)
        if locked.is_issued and locked.status != Circular.Status.WITHDRAWN:
            return recall(circular=locked, by=by, reason=reason)
        return circular_services.withdraw(circular=locked, by=by, reason=reason)


def _replace_old(circular: Circular, *, by, at) -> None:
    """When a replacement is first distributed (``circular`` as ``distribute`` locked it,
    with ``replaces_id``), the document it replaces becomes
    ``replaced``: its open deliveries close (reports already filed stay, and accepted
    ones stay accepted) and its units are told, at once. Called with ``circular`` locked;
    the old one is locked next, then its deliveries. A document recalled (or replaced)
    meanwhile is left as it is."""
    if circular.replaces_id is None:
        return
    old = Circular.objects.select_for_update().get(pk=circular.replaces_id)
    if old.status not in FROM_STATES["replace"]:
        return
    from_status = old.status
    old.status = Circular.Status.REPLACED
    old.save(update_fields=["status", "updated_at"])
    with override("vi"):
        reason = _("Replaced by %(ref)s") % {"ref": circular.reference}
    CircularEvent.objects.create(
        circular=old, actor=by, at=at, action="replace", from_status=from_status, to_status=old.status, comment=reason
    )
    _close_deliveries(old, from_statuses=Delivery.OPEN, to=S.REPLACED, action="replace", by=by, at=at, reason=reason)
    notifications.deliveries_closed(circular=old, status=S.REPLACED, at=at, replacement=circular)


def closed_message(delivery: Delivery) -> str:
    """Why nothing more is asked of the unit, in its words."""
    circular = delivery.circular
    if delivery.status == S.RECALLED or circular.status == Circular.Status.RECALLED:
        return _("This circular has been recalled: %(reason)s. Nothing more is asked of your unit.") % {
            "reason": circular.recall_reason or delivery.close_reason
        }
    if delivery.status == S.REPLACED or circular.status == Circular.Status.REPLACED:
        return _("This circular has been replaced (%(why)s): act on the new document instead.") % {
            "why": delivery.close_reason
        }
    return _("This circular has been withdrawn; nothing more is asked of your unit.")


# --- Reading ------------------------------------------------------------------------


def mark_viewed(*, delivery: Delivery, by, at=None) -> bool:
    """Record the first time a member of the unit opens the delivery (a monitor looking
    at it does not count). Returns True when this was that first time."""
    if delivery.first_viewed_at is not None or not policy.acts_for_unit(by, delivery):
        return False
    now = at or timezone.now()
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


def lock_delivery(pk: int) -> Delivery:
    """The delivery ``pk`` with its circular and unit, locked in the order every step
    locks: the circular first, then the delivery (a recall locks the circular, then its
    deliveries in id order), so two steps never wait for each other in a circle."""
    circular_id = Delivery.objects.filter(pk=pk).values_list("circular_id", flat=True).get()
    Circular.objects.select_for_update().filter(pk=circular_id).values_list("pk", flat=True).get()
    return Delivery.objects.select_for_update(of=("self",)).select_related("circular", "unit").get(pk=pk)


def _lock_for_unit(delivery: Delivery, by) -> Delivery:
    if not policy.acts_for_unit(by, delivery):
        raise Forbidden(_("Only the clerks and head of %(unit)s act on this delivery.") % {"unit": delivery.unit.name})
    locked = lock_delivery(delivery.pk)
    if locked.is_closed or not locked.circular.in_force:
        raise Conflict(closed_message(locked))
    return locked


def acknowledge(*, delivery: Delivery, by, ip: str | None = None, at=None) -> Delivery:
    """Confirm receipt. Acknowledging again is harmless: same state, no second event.
    ``at`` (here and in the unit's and reviewer's other steps) is the moment of the step:
    now, unless a recorded history is replayed (the demo)."""
    with transaction.atomic():
        locked = _lock_for_unit(delivery, by)
        if locked.status not in policy.FROM_STATES["acknowledge"]:
            if locked.status == S.REFUSED:
                raise Conflict(_("Your unit refused this delivery; it cannot be acknowledged."))
            return locked
        locked.status = S.ACKNOWLEDGED
        locked.acknowledged_at = at or timezone.now()
        locked.acknowledged_by = by
        locked.ack_delay_days = working_days_late(locked.ack_due_on, timezone.localdate(locked.acknowledged_at))
        if locked.first_viewed_at is None:
            locked.first_viewed_at, locked.first_viewed_by = locked.acknowledged_at, by
        locked.save()
        _event(locked, by=by, action="acknowledge", from_status=S.SENT, ip=ip, at=locked.acknowledged_at)
    return locked


def refuse(*, delivery: Delivery, by, reason: str, ip: str | None = None, at=None) -> Delivery:
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
        locked.refused_at = at or timezone.now()
        locked.refuse_reason = reason
        locked.save()
        _event(locked, by=by, action="refuse", from_status=from_status, ip=ip, note=reason, at=locked.refused_at)
        notifications.delivery_refused(locked, at=locked.refused_at)
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
    at=None,
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
        now = at or timezone.now()
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
            at=now,
        )
        notifications.report_submitted(report, at=now)
    return report


# --- The monitoring office's review -------------------------------------------------


def _lock_report_for_review(report: ImplementationReport, by) -> tuple[ImplementationReport, Delivery]:
    delivery = lock_delivery(report.delivery_id)
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
    *, report: ImplementationReport, by, comment: str = "", ip: str | None = None, at=None
) -> ImplementationReport:
    with transaction.atomic():
        locked, delivery = _lock_report_for_review(report, by)
        now = at or timezone.now()
        locked.status = ImplementationReport.Status.ACCEPTED
        locked.reviewed_by, locked.reviewed_at, locked.review_comment = by, now, (comment or "").strip()
        locked.save()
        delivery.status, delivery.accepted_at = S.ACCEPTED, now
        delivery.save()
        _event(delivery, by=by, action="accept", from_status=S.REPORTED, ip=ip, note=locked.review_comment, at=now)
        notifications.report_reviewed(locked, delivery, at=now)
    return locked


def return_report(
    *, report: ImplementationReport, by, comment: str, ip: str | None = None, at=None
) -> ImplementationReport:
    comment = (comment or "").strip()
    if not comment:
        raise Invalid(_("Say what the unit must add or correct: the comment is required."))
    with transaction.atomic():
        locked, delivery = _lock_report_for_review(report, by)
        locked.status = ImplementationReport.Status.RETURNED
        now = at or timezone.now()
        locked.reviewed_by, locked.reviewed_at, locked.review_comment = by, now, comment
        locked.save()
        delivery.status = S.RETURNED
        delivery.save()
        _event(delivery, by=by, action="return", from_status=S.REPORTED, ip=ip, note=comment, at=now)
        notifications.report_reviewed(locked, delivery, at=now)
    return locked
