"""Handling an incoming dispatch (Decree 30 Art. 23-24): the records clerk presents it to a
leader, the leader's instruction assigns it to a lead unit (chủ trì) and supporting units
(phối hợp) with a due date, the units add their contributions and the lead unit completes
it (or a circular drafted in response is issued, ``circulars.handling``). Every step is
one transaction, decided on the locked dispatch (then its assignments, in id order),
writes its HandlingEvent and tells whom it concerns through the bell and the outbox."""

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from acknowledgements.models import Notification, OutboxEmail
from acknowledgements.notifications import queue_emails, unit_members
from circulars import handling
from circulars.models import Assignment, HandlingEvent, HandlingStatus, IncomingDispatch
from circulars.workdays import due_date
from core import formatting
from core.errors import Conflict, Forbidden, Invalid
from units.models import Membership, Unit, User
from units.roles import PortalRole, has_role

A = Assignment.Status
INSTRUCTION_MAX = 2000
NOTE_MAX = 4000
# A due date is plausible within a year; a handling period in working days within 60.
DUE_MAX_DAYS = 366
WORKING_DAYS_MAX = 60


def may_assign(user) -> bool:
    """A leader (signer) gives the instruction; the records clerk (or an administrator)
    records it on a leader's behalf ("theo ý kiến của …")."""
    return has_role(user, PortalRole.SIGNER, PortalRole.RECORDS_CLERK, PortalRole.ADMIN)


def may_present(user) -> bool:
    return has_role(user, PortalRole.RECORDS_CLERK, PortalRole.ADMIN)


# The handling states each step starts from; the services refuse the step from any other
# (409), and the dispatch's page shows its form only from these.
FROM_STATES = {
    "present": (HandlingStatus.REGISTERED, HandlingStatus.PRESENTED),
    "assign": (HandlingStatus.REGISTERED, HandlingStatus.PRESENTED, HandlingStatus.ASSIGNED),
}


def dispatch_actions(user, dispatch: IncomingDispatch) -> set[str]:
    """The handling steps this user may take on this dispatch now (role and state), for
    its forms."""
    actions = set()
    if may_present(user) and dispatch.handling_status in FROM_STATES["present"]:
        actions.add("present")
    if may_assign(user) and dispatch.handling_status in FROM_STATES["assign"]:
        actions.add("assign")
    return actions


def require_assign(user) -> None:
    """403 before anything else (the API asks it before reading the body)."""
    if not may_assign(user):
        raise Forbidden(_("Only a leader, or the records clerk on a leader's instruction, assigns a dispatch."))


def require_present(user) -> None:
    if not may_present(user):
        raise Forbidden(_("Only the records clerk presents incoming dispatches to a leader."))


def leaders():
    """Who may be presented a dispatch and give an instruction: the active signers."""
    return User.objects.filter(is_active=True, groups__name=PortalRole.SIGNER).order_by("last_name", "username")


def _lock(dispatch: IncomingDispatch) -> IncomingDispatch:
    return IncomingDispatch.objects.select_for_update().get(pk=dispatch.pk)


def _event(dispatch, *, by, at, action, from_status="", to_status="", note="", assignment=None) -> HandlingEvent:
    return HandlingEvent.objects.create(
        dispatch=dispatch,
        assignment=assignment,
        actor=by,
        at=at,
        action=action,
        from_status=from_status,
        to_status=to_status,
        note=note,
    )


def _text(value, *, required: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise Invalid(required)
    if len(value) > limit:
        raise Invalid(_("The text is at most %(max)d characters.") % {"max": limit})
    return value


def _check_leader(leader) -> User:
    if leader is None or not leader.is_active or not has_role(leader, PortalRole.SIGNER):
        raise Invalid(_("Choose the leader (a signer of the committee) whose instruction this is."))
    return leader


def _tell(users, *, kind: str, title: str, url: str, assignment=None, at=None) -> None:
    Notification.objects.bulk_create(
        Notification(
            user=u, assignment=assignment, kind=kind, title=title[:500], url=url, created_at=at or timezone.now()
        )
        for u in users
    )


def present(*, dispatch: IncomingDispatch, by, leader, note: str = "", at=None) -> IncomingDispatch:
    """Trình: the records clerk puts a registered dispatch before a leader, who is told."""
    require_present(by)
    leader = _check_leader(leader)
    note = (note or "").strip()[:NOTE_MAX]
    with transaction.atomic():
        locked = _lock(dispatch)
        if locked.handling_status not in FROM_STATES["present"]:
            raise Conflict(
                _("This dispatch is “%(status)s”; only a dispatch not yet assigned is presented.")
                % {"status": locked.get_handling_status_display()}
            )
        now = at or timezone.now()
        from_status = locked.handling_status
        locked.presented_to, locked.presented_at = leader, now
        locked.handling_status = HandlingStatus.PRESENTED
        locked.save(update_fields=["presented_to", "presented_at", "handling_status"])
        _event(
            locked,
            by=by,
            at=now,
            action="present",
            from_status=from_status,
            to_status=locked.handling_status,
            note=note,
        )
        with override("vi"):
            title = _("Incoming dispatch %(ref)s (%(issuer)s) is presented to you for an instruction") % {
                "ref": locked.reference,
                "issuer": locked.issuer,
            }
        _tell([leader], kind="presented", title=title, url=reverse("incoming-detail", args=[locked.pk]), at=now)
    return locked


def _due(*, today: datetime.date, due_on, working_days) -> datetime.date:
    if (due_on is None) == (working_days is None):
        raise Invalid(_("Give the due date, or the number of working days to handle it in (one of the two)."))
    if working_days is not None:
        if not 1 <= working_days <= WORKING_DAYS_MAX:
            raise Invalid(_("The handling period is 1 to %(max)d working days.") % {"max": WORKING_DAYS_MAX})
        return due_date(today, working_days)
    last = today + datetime.timedelta(days=DUE_MAX_DAYS)
    if not today <= due_on <= last:
        raise Invalid(
            _("The due date must be between %(first)s and %(last)s.")
            % {"first": formatting.day(today), "last": formatting.day(last)}
        )
    return due_on


def _check_units(lead_unit, support_units) -> list[Unit]:
    if lead_unit is None:
        raise Invalid(_("Choose the lead unit (chủ trì) that handles the dispatch."))
    supports = list(dict.fromkeys(support_units or ()))
    if any(u.pk == lead_unit.pk for u in supports):
        raise Invalid(_("The lead unit cannot also be a supporting unit."))
    inactive = [u.name for u in [lead_unit, *supports] if not u.active]
    if inactive:
        raise Invalid(_("These units no longer exist: %(units)s.") % {"units": ", ".join(inactive)})
    return supports


def assign(
    *,
    dispatch: IncomingDispatch,
    by,
    lead_unit: Unit | None,
    support_units=(),
    due_on: datetime.date | None = None,
    working_days: int | None = None,
    instruction: str,
    leader=None,
    at=None,
) -> list[Assignment]:
    """Giao xử lý: the leader's instruction gives the dispatch to ``lead_unit`` and
    ``support_units`` with a due date (a date, or working days from today). A leader
    assigns in their own name; the records clerk names the leader (by default the one the
    dispatch was presented to). Assigning again replaces the current assignments: they
    stay, ``replaced``, with their history, and stop being chased. The units' members are
    told (bell and email); the register's "Đơn vị hoặc người nhận" and "Ngày chuyển" come
    from it. Returns the new assignments, the lead first."""
    require_assign(by)
    instruction = _text(instruction, required=_("Write the leader's instruction."), limit=INSTRUCTION_MAX)
    supports = _check_units(lead_unit, support_units)
    now = at or timezone.now()
    today = timezone.localdate(now)
    due = _due(today=today, due_on=due_on, working_days=working_days)
    with transaction.atomic():
        locked = _lock(dispatch)
        if locked.handling_status not in FROM_STATES["assign"]:
            raise Conflict(_("This dispatch has been handled; its assignment can no longer change."))
        if has_role(by, PortalRole.SIGNER) and leader is None:
            leader = by
        leader = _check_leader(leader or locked.presented_to)
        current = list(Assignment.objects.select_for_update().filter(dispatch=locked).current().order_by("pk"))
        for old in current:
            old_status = old.status
            old.status, old.replaced_at = A.REPLACED, now
            old.save(update_fields=["status", "replaced_at"])
            _event(
                locked, by=by, at=now, action="replace", from_status=old_status, to_status=A.REPLACED, assignment=old
            )
        # Their pending emails would ask for work no longer assigned.
        OutboxEmail.objects.pending().filter(assignment__in=current).update(
            status=OutboxEmail.Status.SKIPPED, claimed_until=None
        )
        new = [
            Assignment.objects.create(
                dispatch=locked,
                unit=unit,
                role=role,
                due_on=due,
                instruction=instruction,
                leader=leader,
                assigned_by=by,
                assigned_at=now,
            )
            for unit, role in [(lead_unit, Assignment.Role.LEAD), *((u, Assignment.Role.SUPPORT) for u in supports)]
        ]
        from_status = locked.handling_status
        with override("vi"):
            names = [f"{lead_unit.name} ({_('lead')})", *(f"{u.name} ({_('support')})" for u in supports)]
        locked.handled_by = "; ".join(names)[:255]
        locked.due_on = due
        locked.transferred_on = max(today, locked.received_on)
        locked.handling_status = HandlingStatus.ASSIGNED
        locked.save(update_fields=["handled_by", "due_on", "transferred_on", "handling_status"])
        _event(
            locked,
            by=by,
            at=now,
            action="instruct",
            from_status=from_status,
            to_status=locked.handling_status,
            note=instruction,
        )
        HandlingEvent.objects.bulk_create(
            HandlingEvent(
                dispatch=locked, assignment=a, actor=by, at=now, action="assign", to_status=A.ASSIGNED, note=a.role
            )
            for a in new
        )
        _tell_assigned(locked, new, at=now)
    return new


def _tell_assigned(dispatch: IncomingDispatch, assignments: list[Assignment], *, at) -> None:
    """A line in the bell of each member of each assigned unit and an email to those with
    an address, one per member and assignment."""
    by_unit = {a.unit_id: a for a in assignments}
    members = unit_members(by_unit)
    titles = {}
    with override("vi"):
        for a in assignments:
            template = (
                _("Your unit leads the handling of %(ref)s (%(issuer)s), due %(due)s")
                if a.role == Assignment.Role.LEAD
                else _("Your unit supports the handling of %(ref)s (%(issuer)s), due %(due)s")
            )
            titles[a.pk] = template % {
                "ref": dispatch.reference,
                "issuer": dispatch.issuer,
                "due": formatting.day(a.due_on),
            }
    Notification.objects.bulk_create(
        Notification(
            user=user,
            assignment=by_unit[unit_id],
            kind="new_assignment",
            title=titles[by_unit[unit_id].pk][:500],
            url=reverse("assignment-detail", args=[by_unit[unit_id].pk]),
            created_at=at,
        )
        for unit_id, user in members
    )
    queue_emails(
        [
            OutboxEmail(
                kind="new_assignment",
                user=user,
                to=user.email,
                assignment=by_unit[unit_id],
                key=f"new_assignment:{by_unit[unit_id].pk}:{user.pk}",
                subject=titles[by_unit[unit_id].pk][:500],
            )
            for unit_id, user in members
            if user.email
        ]
    )


def _lock_for_unit(assignment: Assignment, by) -> tuple[IncomingDispatch, Assignment]:
    """The dispatch, then the assignment, locked; the step is its unit's members'."""
    dispatch = IncomingDispatch.objects.select_for_update().get(pk=assignment.dispatch_id)
    locked = Assignment.objects.select_for_update().select_related("unit").get(pk=assignment.pk)
    if not Membership.objects.filter(user=by, unit_id=locked.unit_id).exists():
        raise Forbidden(_("Only the members of the assigned unit act on its assignment."))
    if locked.status != A.ASSIGNED:
        raise Conflict(
            _("This assignment is “%(status)s”; nothing more is done on it.") % {"status": locked.get_status_display()}
        )
    return dispatch, locked


def add_note(*, assignment: Assignment, by, text: str, at=None) -> HandlingEvent:
    """A unit's contribution (a supporting unit's opinion, the lead unit's progress),
    recorded on the assignment; the lead unit and the leader see it, the lead unit's
    members are told when a supporting unit writes."""
    text = _text(text, required=_("Write your unit's contribution."), limit=NOTE_MAX)
    with transaction.atomic():
        dispatch, locked = _lock_for_unit(assignment, by)
        now = at or timezone.now()
        event = _event(
            dispatch,
            by=by,
            at=now,
            action="note",
            from_status=locked.status,
            to_status=locked.status,
            note=text,
            assignment=locked,
        )
        if locked.role == Assignment.Role.SUPPORT:
            lead = Assignment.objects.filter(dispatch=dispatch, role=Assignment.Role.LEAD).current().first()
            if lead is not None:
                with override("vi"):
                    title = _("%(unit)s added its contribution on %(ref)s") % {
                        "unit": locked.unit.name,
                        "ref": dispatch.reference,
                    }
                users = [u for _unit, u in unit_members([lead.unit_id])]
                _tell(
                    users,
                    kind="assignment_note",
                    title=title,
                    url=reverse("assignment-detail", args=[lead.pk]),
                    assignment=lead,
                    at=now,
                )
    return event


def complete(*, assignment: Assignment, by, note: str, at=None) -> Assignment:
    """The lead unit reports the dispatch handled, with what it did; the supporting units'
    assignments end with it, and the leader who gave the instruction is told."""
    note = _text(note, required=_("Say how the dispatch was handled."), limit=NOTE_MAX)
    with transaction.atomic():
        dispatch, locked = _lock_for_unit(assignment, by)
        if locked.role != Assignment.Role.LEAD:
            raise Forbidden(_("Only the lead unit completes the handling; a supporting unit adds its contribution."))
        now = at or timezone.now()
        handling.finish(dispatch=dispatch, lead=locked, by=by, at=now, note=note)
        with override("vi"):
            title = _("%(unit)s has completed the handling of %(ref)s") % {
                "unit": locked.unit.name,
                "ref": dispatch.reference,
            }
        told = {locked.leader_id, locked.assigned_by_id}
        _tell(
            User.objects.filter(pk__in=told, is_active=True),
            kind="assignment_done",
            title=title,
            url=reverse("incoming-detail", args=[dispatch.pk]),
            assignment=locked,
            at=now,
        )
    return locked
