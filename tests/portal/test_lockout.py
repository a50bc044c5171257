"""Guessing passwords behind a shared address (a commune office is one NAT address; a
reverse proxy makes everyone one address): the lockout is per (username, real client
address); failures across usernames from one address are limited (password spraying),
generously; a colleague of a locked account signs in as usual, on the page and the token
endpoint alike."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db
OFFICE = "203.0.113.7"  # the commune office's one public address
PROXY = "10.0.0.2"  # the reverse proxy in front of the portal


def page_login(client, username, password, *, address=OFFICE, via_proxy=False):
    meta = {"HTTP_X_FORWARDED_FOR": address, "REMOTE_ADDR": PROXY} if via_proxy else {"REMOTE_ADDR": address}
    return client.post(reverse("login"), {"username": username, "password": password}, **meta)


def token_login(username, password, *, address=OFFICE):
    return APIClient().post(
        "/api/v1/auth/token", {"username": username, "password": password}, format="json", REMOTE_ADDR=address
    )


def test_behind_the_proxy_the_lockout_is_per_real_client_address(client, settings, clerk):
    settings.PROXY_COUNT = 1
    for _ in range(5):
        page_login(client, "clerk", "wrong", address="198.51.100.1", via_proxy=True)
    # The attacker's own address is locked for that username ...
    assert page_login(client, "clerk", PASSWORD, address="198.51.100.1", via_proxy=True).status_code == 429
    # ... the victim, from another client behind the same proxy, is not.
    response = page_login(client, "clerk", PASSWORD, address=OFFICE, via_proxy=True)
    assert response.status_code == 302


def test_without_a_configured_proxy_the_forwarded_header_is_not_believed(client, clerk):
    for index in range(5):
        # Each request claims another address; the connecting one is what counts.
        client.post(
            reverse("login"),
            {"username": "clerk", "password": "wrong"},
            REMOTE_ADDR=OFFICE,
            HTTP_X_FORWARDED_FOR=f"198.51.100.{index}",
        )
    assert page_login(client, "clerk", PASSWORD).status_code == 429


def test_a_colleague_of_a_locked_account_signs_in_on_the_page_and_the_api(client, clerk):
    make_user("colleague")
    for _ in range(5):
        page_login(client, "clerk", "wrong")
    assert page_login(client, "clerk", PASSWORD).status_code == 429
    assert page_login(client, "colleague", PASSWORD).status_code == 302
    assert token_login("colleague", PASSWORD).status_code == 200


def test_many_correct_token_logins_from_one_office_are_not_throttled(clerk):
    make_user("colleague")
    for _ in range(30):
        assert token_login("colleague", PASSWORD).status_code == 200


def test_password_spraying_from_one_address_is_stopped(client, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 20
    victims = [make_user(f"user{index}") for index in range(25)]
    for victim in victims[:20]:
        page_login(client, victim.username, "Password123")
    # Past the limit even a right password from that address waits, with a message ...
    response = page_login(client, victims[21].username, PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "quá nhiều lần" in response.content.decode()
    response = token_login(victims[22].username, PASSWORD)
    assert response.status_code == 429
    assert "quá nhiều lần" in response.json()["detail"]
    # ... while another address is not concerned.
    assert page_login(client, victims[23].username, PASSWORD, address="198.51.100.9").status_code == 302


def test_an_office_mistyping_stays_under_the_address_limit(client, settings):
    assert settings.LOGIN_ADDRESS_FAILURE_LIMIT >= 30
    people = [make_user(f"staff{index}") for index in range(10)]
    for person in people:  # everyone mistypes twice
        page_login(client, person.username, "wrong")
        page_login(client, person.username, "wrong")
    for person in people:
        assert page_login(client, person.username, PASSWORD).status_code == 302
        client.logout()
