"""A username longer than any column (here 300 characters) is a wrong login, not a 500:
on the login page and on the token endpoint, on SQLite and PostgreSQL."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db
LONG = "x" * 300


def test_the_login_page_refuses_an_over_long_username(client):
    response = client.post(reverse("login"), {"username": LONG, "password": "whatever1"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_the_token_endpoint_refuses_an_over_long_username(api):
    response = api.post("/api/v1/auth/token", {"username": LONG, "password": "whatever1"}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"]
