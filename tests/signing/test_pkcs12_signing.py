"""The Decree 30 order on PKCS#12 keys, end to end: the signer certifies the draft, the
records clerk fills the number and date and the organisation signs; poppler's pdfsig and
pyHanko both read the result."""

import datetime
import io

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from core.errors import Conflict, Invalid
from signing.pdf import (
    DATE_FIELD,
    NUMBER_FIELD,
    ORGANISATION_FIELD,
    SIGNER_FIELD,
    fill_and_sign_as_organisation,
    sign_as_signer,
    sign_attachment,
)
from signing.validation import validate
from tests.signing.conftest import (
    ORGANISATION_BOX,
    PIN,
    SIGNER_BOX,
    alter_one_byte,
    drawn_png,
    pdfsig,
)

BLUE, RED = (20, 40, 170, 255), (210, 20, 30, 255)
ORGANISATION = "Ủy ban nhân dân huyện Thuận Bắc"


@pytest.fixture
def signer_credential(p12_credential):
    return p12_credential("Nguyễn Hùng")


@pytest.fixture
def organisation_credential(p12_credential):
    return p12_credential(ORGANISATION)


@pytest.fixture
def certified(draft_pdf, signer_credential):
    return sign_as_signer(
        pdf=draft_pdf,
        credential=signer_credential,
        pin=PIN,
        signer_box=SIGNER_BOX,
        organisation_box=ORGANISATION_BOX,
        signature_png=drawn_png(BLUE),
    ).pdf


@pytest.fixture
def issued(certified, organisation_credential):
    return fill_and_sign_as_organisation(
        pdf=certified,
        credential=organisation_credential,
        pin=PIN,
        number="123/UBND-TH",
        date="ngày 15 tháng 10 năm 2024",
        organisation_name=ORGANISATION,
        seal_png=drawn_png(RED, 400, 400),
    ).pdf


def field_values(pdf: bytes) -> dict:
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    return {str(ref.get_object()["/T"]): ref.get_object().get("/V") for ref in reader.root["/AcroForm"]["/Fields"]}


def test_pdfsig_reports_the_signers_then_the_organisations_signature_valid(issued, tmp_path):
    reports = pdfsig(issued, tmp_path)
    assert [report["field"] for report in reports] == [SIGNER_FIELD, ORGANISATION_FIELD]
    assert all(report["validation"] == "Signature is Valid." for report in reports), reports
    assert reports[-1]["total"]


def test_pyhanko_classifies_the_changes_after_the_signers_signature_as_form_filling(issued, anchors):
    signer, organisation = validate(issued, trust_anchors=anchors)
    assert signer.field == SIGNER_FIELD
    assert signer.signer == "Nguyễn Hùng"
    assert signer.modification_level == "form_filling"
    assert signer.valid and signer.intact and signer.trusted
    assert organisation.signer == ORGANISATION
    assert organisation.modification_level == "none"
    assert organisation.valid and organisation.trusted
    assert not signer.timestamped  # no timestamp authority configured: PAdES B-B


def test_the_signer_signs_with_number_and_date_blank_and_the_clerk_fills_them(certified, issued):
    assert not str(field_values(certified)[NUMBER_FIELD] or "")
    values = field_values(issued)
    assert str(values[NUMBER_FIELD]) == "123/UBND-TH"
    assert str(values[DATE_FIELD]) == "ngày 15 tháng 10 năm 2024"


def test_each_step_only_appends_to_the_file(draft_pdf, certified, issued):
    assert certified.startswith(draft_pdf)
    assert issued.startswith(certified)


def test_the_signers_signature_is_a_certification_that_allows_filling_forms(certified):
    reader = PdfFileReader(io.BytesIO(certified), strict=False)
    docmdp = reader.root["/Perms"]["/DocMDP"]
    transform = docmdp["/Reference"][0]["/TransformParams"]
    assert transform["/P"] == 2  # MDPPerm.FILL_FORMS


def test_the_signature_is_pades_with_sha256(certified, tmp_path):
    reader = PdfFileReader(io.BytesIO(certified), strict=False)
    embedded = reader.embedded_signatures[0]
    assert embedded.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert embedded.md_algorithm == "sha256"


def test_one_altered_byte_makes_pdfsig_and_pyhanko_report_invalid(issued, anchors, tmp_path):
    altered = alter_one_byte(issued)
    assert all(report["validation"] != "Signature is Valid." for report in pdfsig(altered, tmp_path))
    reports = validate(altered, trust_anchors=anchors)
    assert reports and not any(report.valid or report.intact for report in reports)


def test_a_wrong_pin_is_a_domain_error_in_vietnamese(draft_pdf, signer_credential, settings):
    settings.LANGUAGE_CODE = "vi"
    with pytest.raises(Invalid) as raised:
        sign_as_signer(
            pdf=draft_pdf,
            credential=signer_credential,
            pin="0000",
            signer_box=SIGNER_BOX,
            organisation_box=ORGANISATION_BOX,
        )
    assert "PIN" in raised.value.message


def test_an_expired_certificate_does_not_sign(draft_pdf, p12_credential):
    now = datetime.datetime.now(datetime.UTC)
    expired = p12_credential(
        "Hết Hạn", valid_from=now - datetime.timedelta(days=400), valid_to=now - datetime.timedelta(days=1)
    )
    with pytest.raises(Conflict):
        sign_as_signer(
            pdf=draft_pdf, credential=expired, pin=PIN, signer_box=SIGNER_BOX, organisation_box=ORGANISATION_BOX
        )


def test_a_signer_outside_the_trust_anchors_is_valid_but_not_trusted(draft_pdf, p12_credential, other_ca, anchors):
    stranger = p12_credential("Người Lạ", ca=other_ca)
    signed = sign_as_signer(
        pdf=draft_pdf, credential=stranger, pin=PIN, signer_box=SIGNER_BOX, organisation_box=ORGANISATION_BOX
    ).pdf
    (report,) = validate(signed, trust_anchors=anchors)
    assert report.valid and report.intact
    assert not report.trusted


def test_a_draft_without_reserved_fields_is_refused(plain_pdf, signer_credential):
    with pytest.raises(Invalid):
        sign_as_signer(
            pdf=plain_pdf,
            credential=signer_credential,
            pin=PIN,
            signer_box=SIGNER_BOX,
            organisation_box=ORGANISATION_BOX,
        )


def test_an_attachment_gets_the_organisations_signature_at_the_top_right_of_page_one(
    plain_pdf, organisation_credential, anchors, tmp_path
):
    signed = sign_attachment(
        pdf=plain_pdf,
        credential=organisation_credential,
        pin=PIN,
        organisation_name=ORGANISATION,
        reference="123/UBND-TH",
    ).pdf
    (report,) = validate(signed, trust_anchors=anchors)
    assert report.valid and report.trusted and report.organisation == "UBND huyện Thuận Bắc"
    assert [r["validation"] for r in pdfsig(signed, tmp_path)] == ["Signature is Valid."]
    reader = PdfFileReader(io.BytesIO(signed), strict=False)
    widget = reader.root["/AcroForm"]["/Fields"][0].get_object()
    x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
    media_box = [float(v) for v in reader.root["/Pages"]["/Kids"][0].get_object()["/MediaBox"]]
    assert x1 > media_box[2] / 2 and x2 <= media_box[2]  # the right half
    assert y1 > media_box[3] * 0.85 and y2 <= media_box[3]  # the top
    assert "/XObject" not in widget["/AP"]["/N"]["/Resources"]  # text only, no image


def test_the_organisations_box_puts_the_seal_over_the_left_third_of_the_signers_image():
    seal_right = ORGANISATION_BOX.left + 36
    assert seal_right == pytest.approx(SIGNER_BOX.left + SIGNER_BOX.width / 3)
