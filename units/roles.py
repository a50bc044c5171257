"""Portal-wide roles, stored as Django groups whose names are the role codes.

A user's unit roles (``unit_clerk``, ``unit_head``) come from memberships instead; the
API reports both kinds together (see ``roles_of``).
"""

from django.contrib.auth.models import Group, Permission
from django.db import models
from django.utils.translation import gettext_lazy as _


class PortalRole(models.TextChoices):
    RECORDS_CLERK = "records_clerk", _("Records clerk")
    DRAFTER = "drafter", _("Drafter")
    SIGNER = "signer", _("Signer")
    MONITOR = "monitor", _("Monitor")
    ADMIN = "admin", _("Administrator")


UNIT_ROLE_CODES = {"clerk": "unit_clerk", "head": "unit_head"}

# Permissions each role's group holds, as "app_label.codename". Later apps add theirs.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    PortalRole.RECORDS_CLERK: ["units.view_unit", "units.view_unitgroup"],
    PortalRole.DRAFTER: ["units.view_unit", "units.view_unitgroup"],
    PortalRole.SIGNER: ["units.view_unit", "units.view_unitgroup"],
    PortalRole.MONITOR: ["units.view_unit", "units.view_unitgroup"],
    PortalRole.ADMIN: [
        f"{app}.{action}_{model}"
        for app, model in [
            ("units", "unit"),
            ("units", "unitgroup"),
            ("units", "membership"),
            ("units", "user"),
            ("auth", "group"),
            ("circulars", "incomingdispatch"),
            ("circulars", "circular"),
            ("circulars", "workingdaychange"),
        ]
        for action in ("add", "change", "delete", "view")
    ]
    + ["circulars.view_circularevent", "circulars.view_numberingregister"]
    # The acknowledgements admin only shows (state changes go through the services);
    # changing the outbox is for its "send again" action.
    + [
        f"acknowledgements.view_{model}"
        for model in [
            "delivery",
            "deliveryevent",
            "implementationreport",
            "reportitem",
            "evidence",
            "reminder",
            "notification",
            "outboxemail",
        ]
    ]
    + ["acknowledgements.change_outboxemail"],
}


def ensure_roles() -> None:
    """Create the role groups and give them exactly their permissions (idempotent)."""
    for role, perm_names in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role.value)
        perms = []
        for name in perm_names:
            app_label, codename = name.split(".")
            perms.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        group.permissions.set(perms)


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
