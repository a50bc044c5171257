"""Who may do what to a circular, a dispatch or an attachment: one answer for pages, API
and services. Fetching an object for a user gives outsiders a 404 (no hint that the
object exists); a user who may read it but not act gets 403 from the step itself."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from circulars.models import Assignment, Attachment, Circular, IncomingDispatch
from units.models import Membership
from units.roles import PortalRole, has_role

# Roles allowed each step; the one table the services enforce and the pages read to
# decide which buttons to show.
ROLES = {
    "register": (PortalRole.RECORDS_CLERK, PortalRole.ADMIN),
    "draft": (PortalRole.DRAFTER, PortalRole.ADMIN),
    "submit": (PortalRole.DRAFTER, PortalRole.ADMIN),
    "approve": (PortalRole.SIGNER,),
    "return": (PortalRole.SIGNER,),
    "issue": (PortalRole.RECORDS_CLERK, PortalRole.ADMIN),
    "withdraw": (PortalRole.DRAFTER, PortalRole.SIGNER, PortalRole.ADMIN),
    # An issued circular is recalled (thu hồi) by its own signer or an administrator
    # (``may_recall``); withdrawing one that is issued recalls it.
    "recall": (PortalRole.SIGNER, PortalRole.ADMIN),
    "distribute": (PortalRole.RECORDS_CLERK, PortalRole.ADMIN),
    # Starting a register from a given number, and the calendar's yearly swaps.
    "restart_register": (PortalRole.ADMIN,),
    "calendar": (PortalRole.ADMIN,),
}
# States each step starts from.
FROM_STATES = {
    "edit": Circular.EDITABLE,
    "submit": Circular.EDITABLE,
    "approve": (Circular.Status.SUBMITTED,),
    "return": (Circular.Status.SUBMITTED, Circular.Status.APPROVED),
    "issue": (Circular.Status.APPROVED,),
    # Withdrawing serves documents not yet issued; an issued one is recalled.
    "withdraw": (
        Circular.Status.DRAFT,
        Circular.Status.SUBMITTED,
        Circular.Status.RETURNED,
        Circular.Status.APPROVED,
    ),
    "recall": (Circular.Status.ISSUED, Circular.Status.DISTRIBUTED),
    # A replacement or a correction names a document in force: issued, not recalled.
    "replace": (Circular.Status.ISSUED, Circular.Status.DISTRIBUTED),
    "correct": (Circular.Status.ISSUED, Circular.Status.DISTRIBUTED),
    "distribute": (Circular.Status.ISSUED, Circular.Status.DISTRIBUTED),
}


def may(user, step: str) -> bool:
    return has_role(user, *ROLES[step])


def require(user, step: str) -> None:
    """For pages that show a form: a user who may read but not act gets 403 at once,
    rather than after filling the form in (the service checks again on POST)."""
    if not may(user, step):
        raise PermissionDenied(_("Your role does not allow this action."))


def may_recall(user, circular: Circular) -> bool:
    """Its signer or an administrator recalls an issued circular."""
    if has_role(user, PortalRole.ADMIN):
        return True
    return has_role(user, PortalRole.SIGNER) and circular.signer_id == user.pk


def allowed_actions(user, circular: Circular, *, rights: frozenset[str] | None = None) -> set[str]:
    """The steps this user may take on this circular now (role and state); ``rights``,
    when the caller has them already, are ``follow_up(user, circular)``."""
    actions = set()
    if circular.status in FROM_STATES["edit"] and may(user, "draft"):
        actions |= {"edit", "submit"}
    for step in ("approve", "return", "issue", "distribute"):
        if circular.status in FROM_STATES[step] and may(user, step):
            actions.add(step)
    if circular.status in FROM_STATES["withdraw"] and may(user, "withdraw"):
        actions.add("withdraw")
    if circular.status in FROM_STATES["recall"] and may_recall(user, circular):
        actions.add("recall")
    if circular.is_issued and "follow" in (rights if rights is not None else follow_up(user, circular)):
        actions.add("follow")  # the page of its deliveries
    return actions


def is_member(user, unit_id: int | None) -> bool:
    return unit_id is not None and Membership.objects.filter(user=user, unit_id=unit_id).exists()


def follow_up(user, circular: Circular) -> frozenset[str]:
    """Who may follow a circular up, from one membership read: "monitor" (its monitoring
    office, i.e. a monitor who is a member of its monitoring unit, signers and
    administrators: they read every unit's delivery, report and evidence, review the
    reports and export the figures), "chase" (the monitoring office and administrators),
    "follow" (open the list of its deliveries: its monitors, and the records clerks who
    distribute it). A page that asks several of these asks here once."""
    in_office = has_role(user, PortalRole.MONITOR) and is_member(user, circular.monitoring_unit_id)
    rights = set()
    if in_office or has_role(user, PortalRole.SIGNER, PortalRole.ADMIN):
        rights.add("monitor")
    if in_office or has_role(user, PortalRole.ADMIN):
        rights.add("chase")
    if "monitor" in rights or may(user, "distribute"):
        rights.add("follow")
    return frozenset(rights)


def is_monitor_of(user, circular: Circular) -> bool:
    return "monitor" in follow_up(user, circular)


def may_chase(user, circular: Circular) -> bool:
    return "chase" in follow_up(user, circular)


def may_follow(user, circular: Circular) -> bool:
    return "follow" in follow_up(user, circular)


CIRCULAR_RELATED = ("issuing_unit", "drafting_unit", "monitoring_unit", "signer", "created_by")


def get_circular_for_user(
    user, pk, *, related: tuple[str, ...] = CIRCULAR_RELATED, chain_flag: bool = False
) -> Circular:
    """The circular ``pk`` if the user may read it (404 otherwise), with the ``related``
    rows a page shows joined in (a page that shows none of them passes ``()``) and, with
    ``chain_flag``, whether it has relations (so that its chain costs no query when not)."""
    circulars = Circular.objects.for_user(user).select_related(*related)
    if chain_flag:
        circulars = circulars.with_chain_flag()
    return get_object_or_404(circulars, pk=pk)


def get_register_for_user(user):
    """The incoming register as the user may read it; to someone who keeps no part of it,
    it does not exist (404, on the page and in the API alike)."""
    dispatches = IncomingDispatch.objects.for_user(user)
    if dispatches.query.is_empty():
        raise Http404
    return dispatches


def get_outgoing_register_for_user(user):
    """The circulars of the outgoing register as the user may read them. Both registers
    are the records office's books: whoever reads the incoming one reads this one (staff
    roles, who read every circular already); to anyone else it does not exist (404). A
    monitor or a unit clerk reads only some circulars, and a register with lines missing
    would be a false register."""
    get_register_for_user(user)
    return Circular.objects.for_user(user)


def get_incoming_for_user(user, pk) -> IncomingDispatch:
    return get_object_or_404(IncomingDispatch.objects.for_user(user), pk=pk)


def get_attachment_for_user(user, pk) -> Attachment:
    """An attachment is readable by whoever may read the dispatch or circular it belongs to.
    A circular's attachments include those of the incoming dispatches it answers; a
    dispatch's are also its assigned units' (current assignments: the members of a unit
    whose assignment was replaced no longer handle it)."""
    attachment = get_object_or_404(Attachment, pk=pk)
    if attachment.circular_id is not None:
        get_circular_for_user(user, attachment.circular_id)
        return attachment
    if IncomingDispatch.objects.for_user(user).filter(pk=attachment.incoming_id).exists():
        return attachment
    if Circular.objects.for_user(user).filter(in_response_to=attachment.incoming_id).exists():
        return attachment
    if Assignment.objects.for_member(user).filter(dispatch=attachment.incoming_id).exists():
        return attachment
    raise Http404
