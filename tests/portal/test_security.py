"""Security headers, login lockout and the answer when the database is gone."""

import re

import pytest
from django.db import connection
from django.urls import reverse

from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def test_pages_carry_a_strict_content_security_policy(client, clerk):
    client.force_login(clerk)
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "style-src 'self';" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


def test_pages_have_no_inline_scripts_or_styles(client, admin_user, clerk):
    """What the CSP forbids must not be needed: no <script> without src, no style=."""
    for user, paths in [(clerk, ["/", "/inbox/", "/notifications/", "/password/"]), (admin_user, ["/", "/circulars/"])]:
        client.force_login(user)
        for path in paths:
            html = client.get(path).content.decode()
            assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
            assert not re.search(r"\sstyle\s*=", html), path
            assert "<style" not in html, path
    client.logout()
    html = client.get(reverse("login")).content.decode()
    assert not re.search(r"\sstyle\s*=", html) and "<script>" not in html


def test_session_cookie_is_http_only_and_expires_after_inactivity(client, clerk, settings):
    response = client.post(reverse("login"), {"username": "clerk", "password": PASSWORD})
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert int(cookie["max-age"]) == settings.SESSION_COOKIE_AGE <= 8 * 3600
    assert settings.SESSION_SAVE_EVERY_REQUEST  # the clock restarts with every request


def test_repeated_failures_lock_the_username_from_that_address(client, clerk):
    for _ in range(5):
        response = client.post(reverse("login"), {"username": "clerk", "password": "wrong"})
    assert response.status_code == 429
    assert 'id="locked-out"' in response.content.decode()
    assert "Đăng nhập sai quá nhiều lần" in response.content.decode()
    # Even the right password is refused while locked.
    response = client.post(reverse("login"), {"username": "clerk", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # Another person at the same office (same address) is not locked out.
    make_user("colleague")
    response = client.post(reverse("login"), {"username": "colleague", "password": PASSWORD})
    assert response.status_code == 302


def test_the_api_token_endpoint_respects_the_lockout(api, clerk):
    for _ in range(5):
        api.post("/api/v1/auth/token", {"username": "clerk", "password": "wrong"}, format="json")
    response = api.post("/api/v1/auth/token", {"username": "clerk", "password": PASSWORD}, format="json")
    assert response.status_code in (400, 429)
    assert "token" not in response.json()


@pytest.mark.django_db(transaction=True)
def test_database_unreachable_is_a_503_page_never_a_traceback(client, settings, clerk):
    if connection.vendor != "postgresql":
        pytest.skip("the in-memory SQLite test database cannot be disconnected; CI runs this on PostgreSQL")
    settings.DEBUG = False
    client.force_login(clerk)  # a signed-in clerk: the session itself lives in the database
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict["PORT"] = "1"  # nothing listens there: a real refused connection
    try:
        client.raise_request_exception = False
        page = client.get("/")
        health = client.get("/healthz")
        api = client.get("/api/v1/me", HTTP_AUTHORIZATION="Token abc")
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
    assert (page.status_code, health.status_code, api.status_code) == (503, 503, 503)
    assert "Hệ thống tạm thời gián đoạn" in page.content.decode()
    assert "Traceback" not in page.content.decode()
    assert page["Retry-After"] == "60"
    assert health.status_code == 503 and health.json()["database"]["ok"] is False
    assert api.status_code == 503 and "cơ sở dữ liệu" in api.json()["detail"]
