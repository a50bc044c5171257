"""The PKCS#11 backend on a real implementation, SoftHSM2: a token made for the test in
its own directory, a key generated on it (it never leaves), its certificate issued by the
test CA and stored beside it."""

import os
import shutil
import subprocess
from pathlib import Path

import pkcs11
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pkcs11 import Attribute, CertificateType, KeyType, ObjectClass

from core.errors import Invalid, Unavailable
from signing import pki
from signing.models import SigningCredential
from signing.pdf import fill_and_sign_as_organisation, sign_as_signer
from signing.validation import validate
from tests.signing.conftest import ORGANISATION_BOX, PIN, SIGNER_BOX, pdfsig

MODULE = "/usr/lib/softhsm/libsofthsm2.so"
TOKEN = "portal-test"
KEY = "to-chuc"
SO_PIN = "5678-so"

pytestmark = pytest.mark.skipif(
    not (Path(MODULE).exists() and shutil.which("softhsm2-util")), reason="Debian's softhsm2 is not installed"
)


@pytest.fixture(scope="session")
def softhsm_token(tmp_path_factory, test_ca):
    """A SoftHSM2 token with an RSA key generated on it and its certificate (label KEY)."""
    directory = tmp_path_factory.mktemp("softhsm")
    (directory / "tokens").mkdir()
    config = directory / "softhsm2.conf"
    config.write_text(f"directories.tokendir = {directory / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    # Read once, when the module initialises: before anything in this process loads it.
    os.environ["SOFTHSM2_CONF"] = str(config)
    subprocess.run(
        ["softhsm2-util", "--init-token", "--free", "--label", TOKEN, "--pin", PIN, "--so-pin", SO_PIN],
        check=True,
        capture_output=True,
    )
    token = pkcs11.lib(MODULE).get_token(token_label=TOKEN)
    with token.open(rw=True, user_pin=PIN) as session:
        public, _private = session.generate_keypair(KeyType.RSA, 2048, label=KEY, store=True)
        public_key = rsa.RSAPublicNumbers(
            int.from_bytes(public[Attribute.PUBLIC_EXPONENT], "big"), int.from_bytes(public[Attribute.MODULUS], "big")
        ).public_key()
        issued = pki.issue(test_ca, "UBND huyện Thuận Bắc", organisation="UBND huyện Thuận Bắc", public_key=public_key)
        certificate = issued.certificate
        session.create_object(
            {
                Attribute.CLASS: ObjectClass.CERTIFICATE,
                Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                Attribute.TOKEN: True,
                Attribute.LABEL: KEY,
                Attribute.SUBJECT: certificate.subject.public_bytes(),
                Attribute.ISSUER: certificate.issuer.public_bytes(),
                Attribute.VALUE: certificate.public_bytes(serialization.Encoding.DER),
            }
        )
    return TOKEN


@pytest.fixture
def token_credential(softhsm_token):
    return SigningCredential(
        label="HSM",
        backend=SigningCredential.Backend.PKCS11,
        pkcs11_module=MODULE,
        pkcs11_token_label=softhsm_token,
        pkcs11_key_label=KEY,
    )


def test_the_organisation_signs_with_its_key_on_the_token(
    draft_pdf, p12_credential, token_credential, anchors, tmp_path
):
    certified = sign_as_signer(
        pdf=draft_pdf,
        credential=p12_credential("Nguyễn Hùng"),
        pin=PIN,
        signer_box=SIGNER_BOX,
        organisation_box=ORGANISATION_BOX,
    ).pdf
    issued = fill_and_sign_as_organisation(
        pdf=certified,
        credential=token_credential,
        pin=PIN,
        number="7/UBND-VP",
        date="ngày 01 tháng 10 năm 2024",
        organisation_name="Ủy ban nhân dân huyện Thuận Bắc",
    ).pdf
    signer, organisation = validate(issued, trust_anchors=anchors)
    assert organisation.signer == "UBND huyện Thuận Bắc"
    assert organisation.valid and organisation.trusted
    assert signer.valid and signer.modification_level == "form_filling"
    assert all(report["validation"] == "Signature is Valid." for report in pdfsig(issued, tmp_path))


def test_a_wrong_token_pin_is_a_domain_error(draft_pdf, token_credential):
    with pytest.raises(Invalid):
        sign_as_signer(
            pdf=draft_pdf,
            credential=token_credential,
            pin="9999",
            signer_box=SIGNER_BOX,
            organisation_box=ORGANISATION_BOX,
        )


def test_a_token_that_is_not_there_is_unavailable(draft_pdf, token_credential):
    token_credential.pkcs11_token_label = "not-plugged-in"
    with pytest.raises(Unavailable):
        sign_as_signer(
            pdf=draft_pdf,
            credential=token_credential,
            pin=PIN,
            signer_box=SIGNER_BOX,
            organisation_box=ORGANISATION_BOX,
        )
