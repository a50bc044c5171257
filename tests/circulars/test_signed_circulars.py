"""Issue 14 wired into a circular's life: the signer signs at approval, the records clerk
fills the number and the date and the organisation signs at issue; the distributed PDF is
checked by poppler's pdfsig and by pyHanko; the signed-draft upload, the validate API, the
incoming register and the verification page. Real keys (PKCS#12 files), real PDFs."""

import datetime
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from weasyprint import HTML

from circulars import services
from circulars.models import Attachment, Circular, IncomingDispatch, NumberingRegister
from core.errors import Invalid
from core.uploads import ATTACHMENT_KINDS, check_upload
from signing import pki
from signing.models import SigningCredential, TrustAnchor
from signing.pdf import Box, seal_box, sign_as_signer
from signing.validation import validate
from tests.circulars.test_circulars_services import register
from tests.factories import draft_circular
from tests.signing.conftest import alter_one_byte, pdfsig

pytestmark = pytest.mark.django_db

PIN = "demo12345"
ORGANISATION_PIN = "org-4321"


@pytest.fixture
def test_ca(db):
    ca = pki.make_ca("CA thử nghiệm", organisation="Kiểm thử")
    TrustAnchor.objects.create(name="CA thử nghiệm", certificate_pem=ca.pem)
    return ca


@pytest.fixture
def key_file(tmp_path, test_ca):
    def make(name, *, pin, ca=None):
        issued = pki.issue(ca or test_ca, name, organisation="Ủy ban nhân dân huyện")
        path = tmp_path / f"{abs(hash(name))}.p12"
        path.write_bytes(pki.pkcs12_bytes(issued, chain=[(ca or test_ca).certificate], password=pin))
        return str(path)

    return make


@pytest.fixture
def signer_key(signer, key_file):
    return SigningCredential.objects.create(
        user=signer, label="Signer", backend="pkcs12", pkcs12_path=key_file(signer.get_full_name(), pin=PIN)
    )


@pytest.fixture
def organisation_key(district, key_file):
    return SigningCredential.objects.create(
        unit=district, label="UBND", backend="pkcs12", pkcs12_path=key_file(district.name, pin=ORGANISATION_PIN)
    )


@pytest.fixture
def submitted(drafter, signer, communes_group):
    circular = draft_circular(drafter, signer=signer, groups=[communes_group])
    return services.submit(circular=circular, by=drafter)


def read(field) -> bytes:
    with field.open("rb") as handle:
        return handle.read()


def outgoing_last_number() -> int:
    register_row = NumberingRegister.objects.filter(kind="outgoing").first()
    return register_row.last_number if register_row else 0


def test_approved_and_issued_circular_carries_two_valid_signatures(
    submitted, signer, records_clerk, signer_key, organisation_key, tmp_path
):
    approved = services.approve(circular=submitted, by=signer, pin=PIN)
    assert approved.signed_draft and approved.approved_draft
    issued = services.issue(circular=approved, by=records_clerk, pin=ORGANISATION_PIN)
    pdf = read(issued.pdf)
    assert hashlib.sha256(pdf).hexdigest() == issued.sha256
    poppler = pdfsig(pdf, tmp_path)
    assert [report["field"] for report in poppler] == ["signer_signature", "organisation_signature"]
    assert all(report["validation"] == "Signature is Valid." for report in poppler)
    reports = validate(pdf)
    assert [report.field for report in reports] == ["signer_signature", "organisation_signature"]
    assert all(report.valid and report.intact and report.trusted for report in reports)
    # The number and the date filled after the signer signed: changes the signature allows.
    assert reports[0].modification_level == "form_filling"


def test_altered_byte_is_invalid_for_pdfsig_and_the_api(
    submitted, signer, records_clerk, signer_key, organisation_key, tmp_path, api
):
    approved = services.approve(circular=submitted, by=signer, pin=PIN)
    issued = services.issue(circular=approved, by=records_clerk, pin=ORGANISATION_PIN)
    altered = alter_one_byte(read(issued.pdf))
    assert all(report["validation"] != "Signature is Valid." for report in pdfsig(altered, tmp_path))
    answer = api.post(
        reverse("api-signatures-validate"),
        {"file": SimpleUploadedFile("x.pdf", altered, "application/pdf")},
        format="multipart",
    )
    assert answer.status_code == 200
    assert answer.json()["signatures"] and not any(s["valid"] for s in answer.json()["signatures"])
    assert answer.json()["verification_code"] is None


def test_approve_and_issue_through_the_api(
    submitted, signer, records_clerk, signer_key, organisation_key, api_as, tmp_path
):
    answer = api_as(signer).post(reverse("api-circular-approve", args=[submitted.pk]), {"pin": PIN}, format="json")
    assert answer.status_code == 200, answer.json()
    answer = api_as(records_clerk).post(
        reverse("api-circular-issue", args=[submitted.pk]), {"pin": ORGANISATION_PIN}, format="json"
    )
    assert answer.status_code == 200, answer.json()
    circular = Circular.objects.get(pk=submitted.pk)
    assert [r["validation"] for r in pdfsig(read(circular.pdf), tmp_path)] == ["Signature is Valid."] * 2
    verify = api_as(records_clerk).get(reverse("api-verify", args=[circular.verification_code]))
    assert [s["field"] for s in verify.json()["signatures"]] == ["signer_signature", "organisation_signature"]
    validated = api_as(records_clerk).post(
        reverse("api-signatures-validate"),
        {"file": SimpleUploadedFile("x.pdf", read(circular.pdf), "application/pdf")},
        format="multipart",
    )
    assert validated.json()["verification_code"] == circular.verification_code


def test_approve_with_a_wrong_pin_is_400_and_changes_nothing(submitted, signer, signer_key, api_as):
    answer = api_as(signer).post(reverse("api-circular-approve", args=[submitted.pk]), {"pin": "wrong"}, format="json")
    assert answer.status_code == 400
    submitted.refresh_from_db()
    assert submitted.status == Circular.Status.SUBMITTED
    assert not submitted.signed_draft and not submitted.approved_draft
    assert not submitted.events.filter(action="approve").exists()


def test_approve_without_a_pin_when_the_signer_has_a_key_is_refused(submitted, signer, signer_key):
    with pytest.raises(Invalid):
        services.approve(circular=submitted, by=signer)


def test_issue_whose_organisation_signature_fails_consumes_no_number(
    submitted, signer, records_clerk, signer_key, organisation_key
):
    approved = services.approve(circular=submitted, by=signer, pin=PIN)
    before = outgoing_last_number()
    with pytest.raises(Invalid):
        services.issue(circular=approved, by=records_clerk, pin="wrong")
    approved.refresh_from_db()
    assert approved.status == Circular.Status.APPROVED and approved.number is None
    assert outgoing_last_number() == before


def test_circular_approved_without_signer_key_gets_the_organisation_signature(
    submitted, signer, records_clerk, organisation_key, tmp_path
):
    approved = services.approve(circular=submitted, by=signer)
    assert approved.approved_draft and not approved.signed_draft
    issued = services.issue(circular=approved, by=records_clerk, pin=ORGANISATION_PIN)
    reports = pdfsig(read(issued.pdf), tmp_path)
    assert [(r["field"], r["validation"]) for r in reports] == [("organisation_signature", "Signature is Valid.")]


def signed_elsewhere(draft: bytes, key_path: str) -> bytes:
    """What a signer's own software does: sign the reserved signer field, nothing else."""
    credential = SigningCredential(label="token", backend="pkcs12", pkcs12_path=key_path)
    box = Box(page=0, left=110, top=200, width=60, height=28)
    return sign_as_signer(
        pdf=draft,
        credential=credential,
        pin=PIN,
        signer_box=box,
        organisation_box=seal_box(box, seal_width_mm=36, seal_height_mm=36),
    ).pdf


def test_signed_draft_upload_is_accepted_then_issued(
    submitted, signer, records_clerk, organisation_key, key_file, api_as, tmp_path
):
    services.approve(circular=submitted, by=signer)
    client = api_as(signer)
    draft = client.get(reverse("api-circular-approved-draft", args=[submitted.pk]))
    assert draft.status_code == 200
    signed = signed_elsewhere(b"".join(draft.streaming_content), key_file("Token", pin=PIN))
    answer = client.post(
        reverse("api-circular-signed-draft", args=[submitted.pk]),
        {"file": SimpleUploadedFile("signed.pdf", signed, "application/pdf")},
        format="multipart",
    )
    assert answer.status_code == 200, answer.json()
    issued = services.issue(circular=Circular.objects.get(pk=submitted.pk), by=records_clerk, pin=ORGANISATION_PIN)
    assert [r["validation"] for r in pdfsig(read(issued.pdf), tmp_path)] == ["Signature is Valid."] * 2


def test_signed_draft_that_is_not_the_portals_draft_is_refused(submitted, signer, key_file, api_as, communes_group):
    services.approve(circular=submitted, by=signer)
    other = draft_circular(submitted.created_by, signer=signer, subject="V/v khác", groups=[communes_group])
    services.submit(circular=other, by=submitted.created_by)
    other = services.approve(circular=other, by=signer)
    signed_other = signed_elsewhere(read(other.approved_draft), key_file("Token", pin=PIN))
    answer = api_as(signer).post(
        reverse("api-circular-signed-draft", args=[submitted.pk]),
        {"file": SimpleUploadedFile("signed.pdf", signed_other, "application/pdf")},
        format="multipart",
    )
    assert answer.status_code == 400
    assert "dự thảo" in answer.json()["detail"].lower()
    submitted.refresh_from_db()
    assert not submitted.signed_draft


def post_file(api, data, name="x.pdf"):
    return api.post(
        reverse("api-signatures-validate"),
        {"file": SimpleUploadedFile(name, data, "application/pdf")},
        format="multipart",
    )


@pytest.fixture
def signed_pdf(submitted, signer, records_clerk, signer_key, organisation_key):
    approved = services.approve(circular=submitted, by=signer, pin=PIN)
    return read(services.issue(circular=approved, by=records_clerk, pin=ORGANISATION_PIN).pdf)


@pytest.fixture
def untrusted_pdf(drafter, signer, communes_group, key_file):
    """A draft signed by a key from a CA nobody trusts."""
    stranger = pki.make_ca("CA lạ", organisation="Không ai tin")
    circular = draft_circular(drafter, signer=signer, groups=[communes_group], subject="V/v khác")
    services.submit(circular=circular, by=drafter)
    approved = services.approve(circular=circular, by=signer, pin=PIN)  # the approved draft, as frozen
    return signed_elsewhere(read(approved.approved_draft), key_file("Người lạ", pin=PIN, ca=stranger))


def test_validate_api_answers_each_kind_of_file(api, signed_pdf, untrusted_pdf):
    valid = post_file(api, signed_pdf).json()
    assert all(s["valid"] and s["trusted"] for s in valid["signatures"]) and valid["verification_code"]
    untrusted = post_file(api, untrusted_pdf).json()["signatures"]
    assert untrusted[0]["valid"] and not untrusted[0]["trusted"]
    not_pdf = post_file(api, b"hello, not a pdf", name="x.txt")
    assert not_pdf.status_code == 400


def test_validate_api_says_an_unsigned_pdf_has_no_signature(api, submitted):
    answer = post_file(api, services.render_circular(submitted))
    assert answer.status_code == 200
    assert answer.json() == {"signatures": [], "verification_code": None}


@pytest.mark.parametrize("kind", ["valid", "altered", "unsigned", "untrusted"])
def test_incoming_pdf_is_validated_on_registration(kind, records_clerk, signed_pdf, untrusted_pdf, submitted, api_as):
    data = {
        "valid": signed_pdf,
        "altered": alter_one_byte(signed_pdf),
        "unsigned": services.render_circular(submitted),
        "untrusted": untrusted_pdf,
    }[kind]
    checked = check_upload(SimpleUploadedFile("cv.pdf", data, "application/pdf"))
    dispatch = register(
        records_clerk, files=[checked], received_on=datetime.date.today(), document_date=datetime.date.today()
    )
    expected = {"valid": "valid", "altered": "invalid", "unsigned": "unsigned", "untrusted": "untrusted"}[kind]
    assert IncomingDispatch.objects.get(pk=dispatch.pk).signature_status == expected
    answer = api_as(records_clerk).get(reverse("api-incoming-detail", args=[dispatch.pk]))
    assert answer.json()["signature_status"] == expected
    assert len(answer.json()["signatures"]) == (0 if kind == "unsigned" else 2 if kind != "untrusted" else 1)


def test_verification_page_shows_and_checks_signatures(client, signed_pdf):
    circular = Circular.objects.get(sha256__isnull=False, number__isnull=False)
    page = client.get(reverse("verify", args=[circular.verification_code]))
    assert page.status_code == 200
    assert page.content.decode().count("Chữ ký hợp lệ") == 2
    checked = client.post(
        reverse("verify", args=[circular.verification_code]),
        {"file": SimpleUploadedFile("x.pdf", alter_one_byte(signed_pdf), "application/pdf")},
    )
    assert "Văn bản đã bị thay đổi sau khi ký" in checked.content.decode()


def test_a_pdf_attachment_is_signed_by_the_organisation_at_issue(
    submitted, signer, records_clerk, signer_key, organisation_key, tmp_path
):
    annex = HTML(string="<p>Phụ lục: danh sách số điện thoại giả mạo</p>").write_pdf()
    attachment = Attachment.store(
        check_upload(SimpleUploadedFile("phu-luc.pdf", annex, "application/pdf"), allowed=ATTACHMENT_KINDS),
        circular=submitted,
        uploaded_by=submitted.created_by,
    )
    approved = services.approve(circular=submitted, by=signer, pin=PIN)
    services.issue(circular=approved, by=records_clerk, pin=ORGANISATION_PIN)
    attachment.refresh_from_db()
    signed = read(attachment.file)
    assert signed.startswith(annex)  # an incremental update: the annex itself is untouched
    assert attachment.sha256 == hashlib.sha256(signed).hexdigest() and attachment.size == len(signed)
    (report,) = validate(signed)
    assert report.valid and report.intact and report.trusted
    assert report.organisation
    (poppler,) = pdfsig(signed, tmp_path)
    assert poppler["validation"] == "Signature is Valid."


def test_attachments_stay_as_they_are_without_an_organisation_key(submitted, signer, records_clerk):
    annex = HTML(string="<p>Phụ lục</p>").write_pdf()
    attachment = Attachment.store(
        check_upload(SimpleUploadedFile("phu-luc.pdf", annex, "application/pdf"), allowed=ATTACHMENT_KINDS),
        circular=submitted,
        uploaded_by=submitted.created_by,
    )
    services.issue(circular=services.approve(circular=submitted, by=signer), by=records_clerk)
    attachment.refresh_from_db()
    assert read(attachment.file) == annex


def test_the_page_asks_for_a_pin_only_of_whoever_has_a_key(client, submitted, signer, records_clerk, signer_key):
    client.force_login(signer)
    page = client.get(reverse("circular-detail", args=[submitted.pk])).content.decode()
    assert 'name="approve-pin"' in page and "Duyệt và ký số" in page
    SigningCredential.objects.filter(pk=signer_key.pk).update(active=False)
    page = client.get(reverse("circular-detail", args=[submitted.pk])).content.decode()
    assert 'name="approve-pin"' not in page and 'id="action-approve"' in page
    approved = services.approve(circular=submitted, by=signer)
    client.force_login(records_clerk)
    page = client.get(reverse("circular-detail", args=[approved.pk])).content.decode()
    # No organisation key in this test: issuing asks for no PIN.
    assert 'id="action-issue"' in page and 'name="issue-pin"' not in page
