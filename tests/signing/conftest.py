"""A test PKI, a draft with the reserved ``number`` and ``date`` fields (rendered by
WeasyPrint with ``pdf_forms=True``, as the layouts will), credentials and the two readers
of a signed PDF: pyHanko (``signing.validation``) and poppler's ``pdfsig``."""

import io
import re
import shutil
import socket
import subprocess

import pytest
import weasyprint
from cryptography.hazmat.primitives import serialization
from PIL import Image, ImageDraw

from signing import pki
from signing.models import SigningCredential
from signing.pdf import Box, seal_box

PIN = "1234-pin"
DRAFT_HTML = """<html><head><style>
@page { size: A4; margin: 20mm }
body { font-family: 'Liberation Serif'; font-size: 13pt }
input { border: none; font: inherit; width: 60mm; height: 7mm }
</style></head><body>
<p>Số: <input type="text" name="number"></p>
<p>Thuận Bắc, <input type="text" name="date"></p>
<h1>CÔNG VĂN</h1><p>V/v cảnh báo việc lợi dụng danh nghĩa cơ quan nhà nước.</p>
</body></html>"""


@pytest.fixture(scope="session")
def test_ca():
    return pki.make_ca("CA thử nghiệm", organisation="Kiểm thử")


@pytest.fixture(scope="session")
def other_ca():
    return pki.make_ca("CA lạ", organisation="Không ai tin")


@pytest.fixture(scope="session")
def anchors(test_ca):
    return [pki.to_asn1(test_ca.certificate)]


@pytest.fixture(scope="session")
def draft_pdf():
    return weasyprint.HTML(string=DRAFT_HTML).write_pdf(pdf_forms=True)


@pytest.fixture(scope="session")
def plain_pdf():
    """A PDF without reserved fields: an attachment."""
    return weasyprint.HTML(string="<p>Phụ lục: danh sách các xã.</p>").write_pdf()


SIGNER_BOX = Box(page=0, left=120, top=150, width=60, height=30)
ORGANISATION_BOX = seal_box(SIGNER_BOX, seal_width_mm=36, seal_height_mm=36)


def drawn_png(colour, width=300, height=150) -> bytes:
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((5, 5, width - 5, height - 5), outline=colour, width=6)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def p12_credential(tmp_path, test_ca):
    """A PKCS#12 credential (unsaved: signing reads only its fields), issued by ``ca``."""

    def make(name, *, ca=None, pin=PIN, **issue_options):
        issued = pki.issue(ca or test_ca, name, organisation="UBND huyện Thuận Bắc", **issue_options)
        path = tmp_path / f"{abs(hash(name))}.p12"
        path.write_bytes(pki.pkcs12_bytes(issued, chain=[(ca or test_ca).certificate], password=pin))
        return SigningCredential(label=name, backend=SigningCredential.Backend.PKCS12, pkcs12_path=str(path))

    return make


def pdfsig(pdf: bytes, tmp_path) -> list[dict]:
    """poppler's report of each signature field: its name and validation line ("not
    signed" for a reserved field not signed yet)."""
    if shutil.which("pdfsig") is None:
        pytest.skip("poppler-utils (pdfsig) is not installed")
    path = tmp_path / "checked.pdf"
    path.write_bytes(pdf)
    output = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, check=False).stdout
    reports = []
    for block in re.split(r"^Signature #\d+:", output, flags=re.MULTILINE)[1:]:
        field = re.search(r"Signature Field Name: (.*)", block)
        validation = re.search(r"Signature Validation: (.*)", block)
        reports.append(
            {
                "field": field.group(1).strip() if field else "",
                "validation": "not signed" if "is not signed" in block else validation.group(1).strip(),
                "total": "Total document signed" in block,
            }
        )
    return reports


def alter_one_byte(pdf: bytes) -> bytes:
    """One byte changed inside the first page's content stream (covered by every signature)."""
    start = pdf.index(b"stream", 200) + len(b"stream\n") + 5
    return pdf[:start] + bytes([pdf[start] ^ 0x01]) + pdf[start + 1 :]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# A Certomancer root CA (the tests' trust anchor), as its config's ``certs`` lists it.
CERTOMANCER_ROOT = """      root:
        subject: root
        issuer: root
        validity: {valid-from: "2020-01-01T00:00:00+0000", valid-to: "2100-01-01T00:00:00+0000"}
        extensions:
          - id: basic_constraints
            critical: true
            value: {ca: true}
          - id: key_usage
            critical: true
            smart-value: {schema: key-usage, params: [digital_signature, key_cert_sign, crl_sign]}"""


def write_certomancer_keys(directory, names) -> None:
    """A fresh RSA key per name, as the PEM files (password ``secret``) a Certomancer
    keyset reads."""
    for name in names:
        (directory / f"{name}.key.pem").write_bytes(
            pki.new_key().private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.BestAvailableEncryption(b"secret"),
            )
        )
