"""One-click acknowledgement links: signed, expiring, bound to one user and one delivery.

The link opens a confirmation page; only its POST acknowledges, so mail scanners and link
previews that fetch every URL cannot acknowledge on a clerk's behalf."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "acknowledgements.one-click-ack"


def make_ack_token(*, user_id: int, delivery_id: int) -> str:
    return signing.TimestampSigner(salt=SALT).sign_object({"u": user_id, "d": delivery_id}, compress=True)


def read_ack_token(token: str) -> tuple[int, int]:
    """(user_id, delivery_id); raises signing.SignatureExpired or signing.BadSignature."""
    data = signing.TimestampSigner(salt=SALT).unsign_object(token, max_age=settings.ACK_LINK_MAX_AGE)
    return int(data["u"]), int(data["d"])


def ack_url(*, user_id: int, delivery_id: int) -> str:
    token = make_ack_token(user_id=user_id, delivery_id=delivery_id)
    return settings.SITE_URL + reverse("ack-link", args=[token])
