"""The public verification page is throttled like its API, and shares its count: a
scraper cannot walk the codes through the page instead of the API. /healthz's 503 says
when to come back."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework.settings import api_settings
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_a_minute(settings, monkeypatch):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "public": "2/min"}
    monkeypatch.setattr(api_settings, "DEFAULT_THROTTLE_RATES", rates)
    monkeypatch.setattr("rest_framework.throttling.ScopedRateThrottle.THROTTLE_RATES", rates)
    cache.clear()


def test_the_verification_page_is_throttled(client, two_a_minute):
    codes = [client.get(reverse("verify", args=["ABCD-2345"])).status_code for _ in range(3)]
    assert codes == [404, 404, 429]
    response = client.get(reverse("verify", args=["ABCD-2345"]))
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0


def test_the_page_and_the_api_share_one_count(client, two_a_minute):
    assert client.get(reverse("verify", args=["ABCD-2345"])).status_code == 404
    assert APIClient().get("/api/v1/verify/ABCD-2345").status_code == 404
    assert APIClient().get("/api/v1/verify/ABCD-2345").status_code == 429
    assert client.get(reverse("verify", args=["ABCD-2345"])).status_code == 429


def test_an_unhealthy_healthz_says_when_to_come_back(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
