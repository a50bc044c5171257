from django.conf import settings
from django.db.models import Count, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.functional import SimpleLazyObject

from acknowledgements.models import Delivery, Notification
from units.models import Membership
from units.roles import PortalRole, portal_roles


def _nav_counts(user) -> dict:
    """The inbox count (deliveries to the user's units still waiting for an
    acknowledgement, circular not withdrawn) and the bell's unread count: two queries."""
    # One query answers both "is the user in any unit" and "how many wait for them": per
    # membership, a count over its unit's waiting deliveries (delivery_waiting_idx), where
    # a join of every delivery of the units counted them DISTINCT (docs/benchmarks.md).
    waiting = (
        Delivery.objects.live()
        .filter(unit=OuterRef("unit_id"), status=Delivery.Status.SENT)
        .order_by()
        .values("unit")
        .annotate(n=Count("pk"))
        .values("n")
    )
    mine = Membership.objects.filter(user=user).aggregate(units=Count("pk"), inbox=Coalesce(Sum(Subquery(waiting)), 0))
    return {
        "has_units": mine["units"] > 0,
        "inbox": mine["inbox"],
        "unread": Notification.objects.filter(user=user).unread().count(),
    }


def portal(request) -> dict:
    """Role flags and counts for the navigation, computed once per request."""
    user = getattr(request, "user", None)
    roles = portal_roles(user) if user is not None else set()
    context = {
        "nav_roles": {role.name.lower(): role.value in roles for role in PortalRole},
        "lockout_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    if user is not None and user.is_authenticated:
        # Lazy: counted only when a page shows the navigation, not for every render().
        context["nav_counts"] = SimpleLazyObject(lambda: _nav_counts(user))
    return context
