"""Signed-in answers (pages, file downloads, API) are `Cache-Control: private, no-store`:
a shared computer keeps no report or evidence after logout."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from acknowledgements import services
from core.uploads import EVIDENCE_KINDS, check_upload

pytestmark = pytest.mark.django_db


def directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def test_a_signed_in_page_is_private_and_not_stored(client, clerk):
    client.force_login(clerk)
    response = client.get(reverse("inbox"))
    assert response.status_code == 200
    assert {"private", "no-store"} <= directives(response)


def test_an_evidence_download_is_private_and_not_stored(client, clerk, delivery):
    photo = check_upload(SimpleUploadedFile("anh.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20), allowed=EVIDENCE_KINDS)
    items = [{"action_item": item.pk, "status": "done"} for item in delivery.circular.action_items.all()]
    report = services.submit_report(delivery=delivery, by=clerk, summary="Đã phổ biến", items=items, files=[photo])
    client.force_login(clerk)
    response = client.get(reverse("evidence-download", args=[report.evidence.get().pk]))
    assert response.status_code == 200
    assert {"private", "no-store"} <= directives(response)


def test_an_api_answer_to_a_token_is_private_and_not_stored(api_as, clerk):
    response = api_as(clerk).get("/api/v1/inbox/")
    assert response.status_code == 200
    assert {"private", "no-store"} <= directives(response)
