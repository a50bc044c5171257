"""Rate limits by client address (``core.addresses``), shared by an API endpoint and the
page that answers the same question, so that neither is a way around the other."""

import functools

from django.shortcuts import render
from django.utils.translation import gettext as _
from rest_framework.throttling import ScopedRateThrottle

from core.addresses import client_ip


class AddressRateThrottle(ScopedRateThrottle):
    """DRF's scoped throttle, counting by the client's real address."""

    def get_ident(self, request):
        return client_ip(request) or ""


def throttle_page(scope: str):
    """A page view under the same scoped rate (and the same count) as its API: past it,
    a 429 page with Retry-After."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            throttle = AddressRateThrottle()
            holder = type("Holder", (), {"throttle_scope": scope})()
            if not throttle.allow_request(request, holder):
                wait = int(throttle.wait() or 60)
                response = render(
                    request,
                    "429.html",
                    {"message": _("Too many requests; try again in a minute.")},
                    status=429,
                )
                response["Retry-After"] = str(max(wait, 1))
                return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
