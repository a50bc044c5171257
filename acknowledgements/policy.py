"""Who may do what to a delivery, a report or an evidence file: one answer for pages, API
and services. Another unit's delivery is a 404 (fetching it for the user fails); a step
the user may not take is a 403 from the service, and its button is not shown."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from acknowledgements.models import Delivery, Evidence, ImplementationReport
from circulars.models import Assignment, IncomingDispatch
from circulars.policy import is_member, is_monitor_of
from units.models import Unit
from units.roles import PortalRole, has_role

# The delivery states each step starts from; the services refuse the step from any
# other (409), and the pages show its button only from these.
FROM_STATES = {
    "acknowledge": (Delivery.Status.SENT,),
    "refuse": (Delivery.Status.SENT, Delivery.Status.ACKNOWLEDGED),
    "report": Delivery.REPORT_OWED,
    "review": (Delivery.Status.REPORTED,),
}


def get_delivery_for_user(user, pk) -> Delivery:
    return get_object_or_404(
        Delivery.objects.for_user(user).select_related("circular", "circular__issuing_unit", "unit"), pk=pk
    )


def get_report_for_user(user, pk) -> ImplementationReport:
    report = get_object_or_404(ImplementationReport.objects.select_related("delivery"), pk=pk)
    get_delivery_for_user(user, report.delivery_id)
    return report


def get_evidence_for_user(user, pk) -> Evidence:
    evidence = get_object_or_404(Evidence.objects.select_related("report"), pk=pk)
    get_delivery_for_user(user, evidence.report.delivery_id)
    return evidence


def acts_for_unit(user, delivery: Delivery) -> bool:
    """The unit's own steps (acknowledge, refuse, report) are its members'."""
    return is_member(user, delivery.unit_id)


def may_review(user, delivery: Delivery) -> bool:
    """Accepting or returning a unit's report is the monitoring office's (and signers')."""
    return is_monitor_of(user, delivery.circular)


def allowed_actions(user, delivery: Delivery, *, latest_report: ImplementationReport | None = None) -> set[str]:
    """The steps this user may take on this delivery now (role and state), for its buttons."""
    actions = set()
    live = delivery.circular.in_force
    if live and acts_for_unit(user, delivery):
        actions |= {step for step in ("acknowledge", "refuse", "report") if delivery.status in FROM_STATES[step]}
    if (
        latest_report is not None
        and latest_report.status == ImplementationReport.Status.SUBMITTED
        and delivery.status in FROM_STATES["review"]
        and may_review(user, delivery)
    ):
        actions.add("review")
    return actions


def get_assignment_for_user(user, pk) -> Assignment:
    """An assignment is its unit's (a member reads it, replaced ones included, for their
    history) and the records office's (whoever reads the incoming register). To anyone
    else it does not exist: 404."""
    assignments = Assignment.objects.select_related("dispatch", "unit", "leader", "assigned_by")
    readable = assignments.filter(unit__memberships__user=user)
    if reads_every_assignment(user):
        readable = assignments
    return get_object_or_404(readable.distinct(), pk=pk)


def reads_every_assignment(user) -> bool:
    """Whoever reads the incoming register reads every assignment of its dispatches."""
    return not IncomingDispatch.objects.for_user(user).query.is_empty()


def assignment_actions(user, assignment: Assignment) -> set[str]:
    """The steps this user may take on this assignment now, for its buttons: an open
    assignment's unit adds notes, its lead unit completes it."""
    if not assignment.is_open or not is_member(user, assignment.unit_id):
        return set()
    return {"note", "complete"} if assignment.role == Assignment.Role.LEAD else {"note"}


# --- Each unit's own incoming register ------------------------------------------------


def reads_every_unit_register(user) -> bool:
    """The monitoring office, the records office, signers and administrators follow every
    unit (the league table, the distribution): they read every unit's incoming register."""
    return has_role(user, PortalRole.MONITOR, PortalRole.RECORDS_CLERK, PortalRole.SIGNER, PortalRole.ADMIN)


def get_unit_register_for_user(user, key: str) -> Unit:
    """The unit whose incoming register ``key`` (its code, or its id) names, if the user may
    read it: its members, and whoever reads every unit's. To anyone else, and for a unit
    that does not exist, the register does not exist: 404."""
    units = Unit.objects.select_related("parent")
    if not reads_every_unit_register(user):
        units = units.filter(pk__in=user.unit_ids)
    unit = units.filter(code=key).first()
    if unit is None and key.isascii() and key.isdigit() and len(key) < 10:
        unit = units.filter(pk=int(key)).first()
    if unit is None:
        raise Http404
    return unit


def units_with_register_for_user(user):
    """The units whose registers the user may open, for the choice page: their own units,
    or every active unit for whoever reads them all."""
    units = Unit.objects.all()
    if reads_every_unit_register(user):
        return units.filter(active=True)
    return units.filter(pk__in=user.unit_ids)
