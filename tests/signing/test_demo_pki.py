"""``manage.py demo_pki``: the demo CA, the organisation's and each signer's key file
(PIN: the demo password), credentials, images and the trust anchor; again, nothing new."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from PIL import Image

from signing.admin import SignatureImageForm
from signing.demo import CA_NAME, DEMO_PIN
from signing.models import SignatureImage, SigningCredential, TrustAnchor
from signing.pdf import fill_and_sign_as_organisation, sign_as_signer
from signing.validation import active_trust_anchors, validate
from tests.signing.conftest import ORGANISATION_BOX, SIGNER_BOX

pytestmark = pytest.mark.django_db


def run_demo_pki():
    call_command("demo_pki", stdout=io.StringIO())


def test_demo_pki_registers_credentials_images_and_the_demo_ca(district, signer, settings):
    run_demo_pki()
    assert "không tin cậy" in CA_NAME and "DEMO" in CA_NAME
    assert TrustAnchor.objects.get().name == CA_NAME
    assert SigningCredential.objects.for_organisation(district).backend == "pkcs12"
    assert SigningCredential.objects.for_signer(signer) is not None
    seal = SignatureImage.objects.get(unit=district, kind="seal")
    assert seal.width_mm == seal.height_mm == 36
    image = Image.open(seal.image.open("rb"))
    assert image.mode == "RGBA" and image.getpixel((0, 0))[3] == 0  # transparent background
    assert SignatureImage.objects.filter(user=signer, kind="signature").exists()
    assert all(path.stat().st_mode & 0o077 == 0 for path in settings.SIGNING_DEMO_DIR.glob("*.p12"))


def test_running_it_again_keeps_the_same_keys_and_rows(district, signer):
    run_demo_pki()
    before = list(SigningCredential.objects.values_list("pk", "certificate_pem"))
    run_demo_pki()
    assert list(SigningCredential.objects.values_list("pk", "certificate_pem")) == before
    assert SignatureImage.objects.count() == 2
    assert TrustAnchor.objects.count() == 1


def test_the_demo_credentials_sign_with_the_demo_password_and_are_trusted(district, signer, draft_pdf):
    run_demo_pki()
    certified = sign_as_signer(
        pdf=draft_pdf,
        credential=SigningCredential.objects.for_signer(signer),
        pin=DEMO_PIN,
        signer_box=SIGNER_BOX,
        organisation_box=ORGANISATION_BOX,
        signature_png=SignatureImage.objects.get(user=signer).image.read(),
    ).pdf
    seal = SignatureImage.objects.get(unit=district)
    issued = fill_and_sign_as_organisation(
        pdf=certified,
        credential=SigningCredential.objects.for_organisation(district),
        pin=DEMO_PIN,
        number="1/UBND",
        date="ngày 15 tháng 10 năm 2024",
        organisation_name=district.name,
        seal_png=seal.image.read(),
        seal_width_mm=float(seal.width_mm),
        seal_height_mm=float(seal.height_mm),
    ).pdf
    reports = validate(issued, trust_anchors=active_trust_anchors())
    assert [(r.valid, r.trusted) for r in reports] == [(True, True), (True, True)]


def png(mode) -> bytes:
    out = io.BytesIO()
    Image.new(mode, (40, 20)).save(out, "PNG")
    return out.getvalue()


def image_form(district, data: bytes, name="seal.png"):
    return SignatureImageForm(
        data={"kind": "seal", "unit": district.pk, "width_mm": "36", "height_mm": "36", "active": "on"},
        files={"image": SimpleUploadedFile(name, data, content_type="image/png")},
    )


def test_the_admin_takes_a_transparent_png(district):
    assert image_form(district, png("RGBA")).is_valid()


def test_the_admin_refuses_an_opaque_png_and_a_file_that_only_claims_to_be_one(district):
    assert "image" in image_form(district, png("RGB")).errors
    assert "image" in image_form(district, b"%PDF-1.7 not an image", name="seal.png").errors
