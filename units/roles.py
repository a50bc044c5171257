"""Portal-wide roles, stored as Django groups whose names are the role codes.

A user's unit roles (``unit_clerk``, ``unit_head``) come from memberships instead; the
API reports both kinds together (see ``roles_of``).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PortalRole(models.TextChoices):
    RECORDS_CLERK = "records_clerk", _("Records clerk")
    DRAFTER = "drafter", _("Drafter")
    SIGNER = "signer", _("Signer")
    MONITOR = "monitor", _("Monitor")
    ADMIN = "admin", _("Administrator")


UNIT_ROLE_CODES = {"clerk": "unit_clerk", "head": "unit_head"}


def portal_roles(user) -> set[str]:
    """The portal-wide role codes of a user, read once per user object."""
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_portal_roles", None)
    if cached is None:
        valid = set(PortalRole.values)
        cached = {name for name in user.groups.values_list("name", flat=True) if name in valid}
        if user.is_superuser:
            cached.add(PortalRole.ADMIN.value)
        user._portal_roles = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return bool(portal_roles(user) & set(roles))


def roles_of(user) -> list[str]:
    """Portal roles and unit roles, in a stable order, as the API reports them."""
    codes = portal_roles(user) | {
        UNIT_ROLE_CODES[role] for role in user.memberships.values_list("role", flat=True).distinct()
    }
    order = [*PortalRole.values, *UNIT_ROLE_CODES.values()]
    return sorted(codes, key=order.index)
