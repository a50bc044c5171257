"""The permissions each portal role's group holds, across every app: wiring, so it
lives on top. ``ensure_roles`` runs after every migrate (and every test flush)."""

from django.apps import apps

from units.roles import PortalRole

# Permissions each role's group holds, as "app_label.codename".
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
            # Keys, signature and seal images, and the certificates the portal trusts.
            ("signing", "signingcredential"),
            ("signing", "signatureimage"),
            ("signing", "trustanchor"),
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
    # Looked up, not imported: this module is imported by the app config, before models load.
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for role, perm_names in ROLE_PERMISSIONS.items():
        group, _created = group_model.objects.get_or_create(name=role.value)
        perms = []
        for name in perm_names:
            app_label, codename = name.split(".")
            perms.append(permission_model.objects.get(content_type__app_label=app_label, codename=codename))
        group.permissions.set(perms)
