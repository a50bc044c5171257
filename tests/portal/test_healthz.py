import os

import pytest

pytestmark = pytest.mark.django_db


def test_healthz_is_public_and_reports_eager_mode_without_broker(client, settings):
    settings.CELERY_BROKER_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["broker"] == {"ok": True, "mode": "eager", "detail": "no broker configured; tasks run in process"}


def test_healthz_is_503_when_the_broker_does_not_answer(client, settings):
    # Nothing listens on port 1: a real connection attempt that is refused.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["broker"]["ok"] is False
    assert body["database"]["ok"] is True


@pytest.mark.skipif(not os.environ.get("CELERY_BROKER_URL"), reason="no real broker in this environment")
def test_healthz_is_200_with_the_real_broker(client, settings):
    settings.CELERY_BROKER_URL = os.environ["CELERY_BROKER_URL"]
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["broker"] == {"ok": True, "mode": "broker"}


def test_healthz_rejects_post(client):
    assert client.post("/healthz").status_code == 405
