"""The client's address, the one way every part of the portal reads it: lockouts, the
per-address login limit, and the address recorded in each event.

Behind a reverse proxy every request comes from the proxy, and the client is in
X-Forwarded-For, which the client can also write. Only what our own proxies wrote is
believed: the chain is the X-Forwarded-For entries then the connecting address, and the
client is the first address from the right that is not one of our proxies, counting
``PROXY_COUNT`` proxies or skipping the addresses of ``TRUSTED_PROXIES``. With neither
set, the connecting address is the client and the header is ignored.

(django-ipware's ``proxy_count`` counts the proxies listed inside the header, which a
client can lengthen; the walk from the right cannot be fooled that way.)"""

import ipaddress

from django.conf import settings


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    remote = _valid(request.META.get("REMOTE_ADDR") or "")
    count, trusted = settings.PROXY_COUNT, set(settings.TRUSTED_PROXIES)
    if not count and not trusted:
        return remote
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    chain = [_valid(part) for part in forwarded] + [remote]
    if trusted:
        for address in reversed(chain):
            if address not in trusted:
                return address
        return chain[0]
    # PROXY_COUNT proxies: the connecting one and the count - 1 before it in the header.
    return chain[-(count + 1)] if len(chain) > count else chain[0]
