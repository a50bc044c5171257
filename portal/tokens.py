"""API tokens that end: after an idle time, on a password change, on deactivation, and
when their holder revokes them (``DELETE /api/v1/auth/token``).

DRF's token row has one time, ``created``; it is moved forward whenever the token is used
(at most once every few minutes, to spare the database a write per request), so it is the
start of the token's current idle period."""

import datetime

from django.conf import settings
from django.db.models.signals import post_save
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

TOUCH_EVERY = datetime.timedelta(minutes=5)


def idle_limit() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.API_TOKEN_IDLE_HOURS)


def is_expired(token: Token, now: datetime.datetime | None = None) -> bool:
    return (now or timezone.now()) - token.created > idle_limit()


def token_for(user) -> Token:
    """The user's token after a successful login: the one they hold if it is still alive
    (its idle period starts again), else a new one."""
    now = timezone.now()
    token = Token.objects.filter(user=user).first()
    if token is not None and is_expired(token, now):
        token.delete()
        token = None
    if token is None:
        return Token.objects.create(user=user)
    Token.objects.filter(pk=token.pk).update(created=now)
    return token


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        now = timezone.now()
        if is_expired(token, now):
            token.delete()
            raise AuthenticationFailed(_("The token has expired after a time without use; ask for a new one."))
        if now - token.created > TOUCH_EVERY:
            Token.objects.filter(pk=token.pk).update(created=now)
        return user, token


def revoke_on_password_change_or_deactivation(sender, instance, **kwargs) -> None:
    # AbstractBaseUser.save() keeps the new raw password in ``_password`` until after the
    # row is written (this signal), then clears it.
    if getattr(instance, "_password", None) is not None or not instance.is_active:
        Token.objects.filter(user=instance).delete()


def connect() -> None:
    post_save.connect(
        revoke_on_password_change_or_deactivation,
        sender=settings.AUTH_USER_MODEL,
        dispatch_uid="portal.tokens.revoke",
    )
