"""Who sees the dashboard: one answer for its pages and its API. Per circular, the rules
are ``circulars.policy`` (``is_monitor_of``, ``may_follow``, ``may_chase``)."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from circulars.models import Circular
from circulars.policy import get_circular_for_user, is_monitor_of
from units.roles import PortalRole, has_role


def may_see_dashboard(user) -> bool:
    """The overview and the league table: the monitoring office, signers, administrators."""
    return has_role(user, PortalRole.MONITOR, PortalRole.SIGNER, PortalRole.ADMIN)


def require_dashboard(user) -> None:
    """Raise PermissionDenied (a 403 from pages and API alike) unless the user may see it."""
    if not may_see_dashboard(user):
        raise PermissionDenied(_("The dashboard is for the monitoring office, signers and administrators."))


def require_monitor(user, circular: Circular) -> None:
    """A circular's figures, exports and reports are its monitoring office's (403 otherwise)."""
    if not is_monitor_of(user, circular):
        raise PermissionDenied(_("Only the monitoring office of this circular, signers and administrators see this."))


def get_monitored_circular(user, pk) -> Circular:
    """A circular whose figures, exports and reports the user may see: 404 if they may not
    know it exists, 403 if they know it but do not monitor it. Pages and API ask here."""
    circular = get_circular_for_user(user, pk)
    require_monitor(user, circular)
    return circular
