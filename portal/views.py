from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal.health import health
from units.models import Unit
from units.roles import roles_of


@login_not_required
@never_cache
@require_GET
def healthz(request):
    ok, parts = health()
    return JsonResponse({"status": "ok" if ok else "unavailable", **parts}, status=200 if ok else 503)


def home(request):
    units = Unit.objects.for_user(request.user).select_related("parent")
    return render(request, "home.html", {"my_units": units, "role_codes": roles_of(request.user)})
