"""API tokens end: after an idle time, on a password change or deactivation, and when
their holder revokes them with DELETE /api/v1/auth/token."""

import datetime

import pytest
import time_machine
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def login(username) -> str:
    response = APIClient().post("/api/v1/auth/token", {"username": username, "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def me(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client.get("/api/v1/me")


def test_a_password_change_revokes_the_token(clerk):
    token = login(clerk.username)
    assert me(token).status_code == 200
    clerk.set_password("another-password-2024")
    clerk.save()
    assert me(token).status_code == 401
    assert not Token.objects.filter(user=clerk).exists()


def test_the_password_change_page_revokes_the_token(client, clerk):
    token = login(clerk.username)
    client.force_login(clerk)
    response = client.post(
        "/password/",
        {"old_password": PASSWORD, "new_password1": "another-password-2024", "new_password2": "another-password-2024"},
    )
    assert response.status_code == 302
    assert me(token).status_code == 401


def test_deactivation_revokes_the_token(clerk):
    token = login(clerk.username)
    clerk.is_active = False
    clerk.save()
    assert not Token.objects.filter(key=token).exists()


def test_an_idle_token_expires(settings, clerk):
    settings.API_TOKEN_IDLE_HOURS = 8
    token = login(clerk.username)
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=7), tick=False):
        assert me(token).status_code == 200  # used within the idle time: alive, and its idle time restarts
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=14), tick=False):
        assert me(token).status_code == 200  # 7 h after its last use
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=23), tick=False):
        response = me(token)
    assert response.status_code == 401
    assert response.json()["detail"]


def test_a_login_after_expiry_gives_a_new_token(settings, clerk):
    settings.API_TOKEN_IDLE_HOURS = 8
    old = login(clerk.username)
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=9), tick=False):
        new = login(clerk.username)
        assert new != old
        assert me(new).status_code == 200


def test_delete_revokes_the_callers_token(clerk, other_clerk):
    token, others = login(clerk.username), login(other_clerk.username)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.delete("/api/v1/auth/token").status_code == 204
    assert me(token).status_code == 401
    assert me(others).status_code == 200


def test_delete_without_a_token_is_401():
    response = APIClient().delete("/api/v1/auth/token")
    assert response.status_code == 401
    assert response.json()["detail"]
