"""A secret document (độ mật): chosen on the form and in the API, stamped on its PDF,
shown on its own page, and never described by the public verification."""

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from tests.circulars.test_circular_pages import circular_form
from tests.factories import issued_circular


@pytest.fixture
def secret(drafter, signer, records_clerk, communes_group, district):
    return issued_circular(
        drafter, signer, records_clerk, groups=[communes_group], secrecy="secret", urgency="very_urgent"
    )


def pdf_text(circular) -> str:
    with circular.pdf.open("rb") as f:
        return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(f.read())).pages)


def test_the_issued_pdf_carries_the_secrecy_and_urgency_stamps(secret):
    text = pdf_text(secret)
    assert "TỐI MẬT" in text
    assert "THƯỢNG KHẨN" in text


def test_an_open_normal_circular_has_no_stamp(issued):
    text = pdf_text(issued)
    assert "MẬT" not in text and "KHẨN" not in text


def test_the_verify_page_only_says_the_code_is_a_secret_document(client, secret, signer, district):
    response = client.get(reverse("verify", args=[secret.verification_code]))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="secret-notice"' in body and "văn bản mật" in body
    for hidden in [
        secret.subject,
        secret.reference,
        signer.get_full_name(),
        secret.sha256,
        district.name,
        "verify-form",
    ]:
        assert hidden not in body


def test_posting_a_file_to_a_secret_code_compares_nothing(client, secret):
    with secret.pdf.open("rb") as f:
        response = client.post(reverse("verify", args=[secret.verification_code]), {"file": f})
    body = response.content.decode()
    assert 'id="verdict"' not in body and secret.sha256 not in body


def test_the_verify_api_only_says_the_code_is_a_secret_document(api, secret):
    response = api.get(f"/api/v1/verify/{secret.verification_code}")
    assert response.status_code == 200
    answer = response.json()
    assert answer["secret"] is True
    assert set(answer) == {"secret", "detail"}


def test_the_verify_api_still_describes_an_open_document(api, issued):
    answer = api.get(f"/api/v1/verify/{issued.verification_code}").json()
    assert answer["secret"] is False
    assert answer["subject"] == issued.subject


def test_an_unknown_code_is_still_a_404(api, secret):
    assert api.get("/api/v1/verify/ZZZZ-9999").status_code == 404


def test_the_drafter_chooses_the_secrecy_on_the_form(client, drafter, signer, communes_group, district):
    client.force_login(drafter)
    response = client.post(reverse("circular-new"), circular_form(signer, communes_group, secrecy="confidential"))
    assert response.status_code == 302
    detail = client.get(response["Location"]).content.decode()
    assert re.search(r'id="circular-secrecy"><strong[^>]*>Mật<', detail)


def test_the_api_takes_and_shows_the_secrecy(api_as, drafter, signer, communes_group, district):
    payload = {"subject": "V/v phương án bảo vệ", "secrecy": "top_secret", "recipient_groups": [communes_group.pk]}
    created = api_as(drafter).post("/api/v1/circulars/", payload, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["secrecy"] == "top_secret"
