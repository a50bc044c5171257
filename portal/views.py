import sys

from django.contrib.auth.decorators import login_not_required
from django.db.utils import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.defaults import page_not_found

from circulars.policy import may
from circulars.workdays import years_missing_swaps
from portal.health import health
from units.models import Unit
from units.roles import PortalRole, portal_roles, roles_of


@login_not_required
@never_cache
@require_GET
def healthz(request):
    ok, parts = health()
    response = JsonResponse({"status": "ok" if ok else "unavailable", **parts}, status=200 if ok else 503)
    if not ok:
        response["Retry-After"] = "60"
    return response


def home(request):
    units = Unit.objects.for_user(request.user).select_related("parent")
    keeps_calendar = may(request.user, "calendar")
    context = {
        "my_units": units,
        "role_codes": roles_of(request.user),
        "keeps_calendar": keeps_calendar,
        # From 1 December, the administrator is asked for next year's swapped working days.
        "missing_swap_years": years_missing_swaps(timezone.localdate()) if keeps_calendar else [],
        "next": "home",
    }
    return render(request, "home.html", context)


# Where each role's work is, in the order a person with several roles meets it first.
LANDING = (
    (PortalRole.RECORDS_CLERK, "inbox", ""),  # what to register, number and send, to present
    (PortalRole.SIGNER, "inbox", ""),  # what is presented to them, to assign (and to sign, linked there)
    (PortalRole.MONITOR, "dashboard", "?sort=overdue"),  # circulars with the most late units first
    (PortalRole.DRAFTER, "circular-list", ""),
)


def landing(request):
    """Where login leads: each role to its work. A unit's clerk to what awaits the unit
    (to acknowledge in one tap, to report, returned reports, dispatches to handle); an
    administrator, or someone with no role yet, to the home page."""
    roles = portal_roles(request.user)
    if PortalRole.ADMIN not in roles:
        for role, page, query in LANDING:
            if role in roles:
                return redirect(reverse(page) + query)
        if Unit.objects.for_user(request.user).exists():
            return redirect("inbox")
    return redirect("home")


def server_error(request):
    """Django's last resort. When the database cannot be reached the portal is not broken,
    it is unavailable: a 503 that says so (JSON under /api/), never a traceback. Rendered
    without the database, the session or the context processors."""
    exc = sys.exc_info()[1]
    unavailable = isinstance(exc, (OperationalError, InterfaceError))
    status = 503 if unavailable else 500
    if request.path == "/healthz":
        # Reached when the database failed outside the health view itself (saving a
        # visitor's session, say): still the health answer, in JSON.
        response = JsonResponse(
            {"status": "unavailable", "database": {"ok": not unavailable, "error": exc.__class__.__name__}},
            status=503,
        )
    elif request.path.startswith("/api/"):
        detail = (
            "Hệ thống tạm thời không kết nối được cơ sở dữ liệu. Vui lòng thử lại sau."
            if unavailable
            else "Hệ thống gặp lỗi; yêu cầu chưa được thực hiện."
        )
        response = JsonResponse({"detail": detail}, status=status)
    else:
        template = loader.get_template("503.html" if unavailable else "500.html")
        response = HttpResponse(template.render(), status=status)
    if unavailable:
        response["Retry-After"] = "60"
    return response


def not_found(request, exception=None):
    """A 404 in JSON under /api/ (API clients parse it), the Vietnamese page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Không tìm thấy."}, status=404)
    return page_not_found(request, exception)
