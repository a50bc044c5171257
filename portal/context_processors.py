from units.roles import PortalRole, portal_roles


def portal(request) -> dict:
    """Role flags for the navigation, computed once per request."""
    user = getattr(request, "user", None)
    roles = portal_roles(user) if user is not None else set()
    return {"nav_roles": {role.name.lower(): role.value in roles for role in PortalRole}}
