"""Guessing passwords from one address: django-axes locks one (username, address) pair
after a few failures; this module adds a generous limit on failures from one address
across all usernames (password spraying), counted in the cache. A commune office is one
NAT address: one account being guessed must not stop the colleagues, so only failures
count, and the address limit is far above what an office mistypes."""

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from core.addresses import client_ip


def _key(address: str) -> str:
    return f"login-failures:{address}"


def record_failure(sender, credentials=None, request=None, **kwargs) -> None:
    """``user_login_failed``: one more failure for the request's address."""
    address = client_ip(request) if request is not None else None
    if not address:
        return
    key = _key(address)
    cache.add(key, 0, timeout=int(settings.AXES_COOLOFF_TIME.total_seconds()))
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=int(settings.AXES_COOLOFF_TIME.total_seconds()))


def address_locked(request) -> bool:
    address = client_ip(request) if request is not None else None
    return bool(address) and cache.get(_key(address), 0) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT


def message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return _("Too many failed logins from this network; try again in %(minutes)d minutes.") % {"minutes": minutes}


class AddressLimitBackend:
    """Before ModelBackend in AUTHENTICATION_BACKENDS: no login (page, admin, token) is
    even tried from an address over its failure limit. It authenticates nobody, so it has
    no ``get_user`` (Django would then pick it for ``force_login`` and sessions)."""

    def authenticate(self, request, **credentials):
        if address_locked(request):
            raise PermissionDenied(message())
        return None
