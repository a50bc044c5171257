"""Remote signing over the CSC API against a real CSC server: certomancer-csc-dummy,
started on a free port with a Certomancer PKI made for the test (SCAL 2: each signature's
authorisation is pinned to its hash)."""

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from certomancer import registry

from core.errors import Unavailable
from signing.models import SigningCredential
from signing.pdf import sign_as_signer
from signing.validation import validate
from tests.signing.conftest import (
    CERTOMANCER_ROOT,
    ORGANISATION_BOX,
    SIGNER_BOX,
    free_port,
    pdfsig,
    write_certomancer_keys,
)

SERVER = Path(sys.executable).with_name("certomancer-csc")
CONFIG = """
external-url-prefix: "http://localhost:{port}"
keysets:
  testing:
    path-prefix: "{directory}"
    keys:
      root: {{path: root.key.pem, password: secret}}
      signer: {{path: signer.key.pem, password: secret}}
pki-architectures:
  portal:
    keyset: testing
    entity-defaults: {{country-name: VN, organization-name: "UBND huyện Thuận Bắc"}}
    entities:
      root: {{common-name: "CA CSC thử nghiệm"}}
      signer: {{common-name: "Nguyễn Hùng"}}
    certs:
{root_certificate}
      signer:
        subject: signer
        issuer: root
        validity: {{valid-from: "2020-01-01T00:00:00+0000", valid-to: "2100-01-01T00:00:00+0000"}}
        extensions:
          - id: key_usage
            critical: true
            smart-value: {{schema: key-usage, params: [digital_signature, non_repudiation]}}
"""

pytestmark = pytest.mark.skipif(not SERVER.exists(), reason="certomancer-csc-dummy is not installed")


def wait_for(port: int, process, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the CSC server stopped: {process.stderr.read().decode(errors='replace')[-2000:]}")
        try:
            socket.create_connection(("localhost", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the CSC server did not start")


@pytest.fixture(scope="module")
def csc_server(tmp_path_factory):
    """The CSC service's URL and the certificate of its root (the trust anchor)."""
    directory = tmp_path_factory.mktemp("csc")
    write_certomancer_keys(directory, ("root", "signer"))
    port = free_port()
    config = directory / "certomancer.yml"
    config.write_text(
        CONFIG.format(port=port, directory=directory, root_certificate=CERTOMANCER_ROOT), encoding="utf-8"
    )
    root = registry.CertomancerConfig.from_file(str(config)).get_pki_arch(registry.ArchLabel("portal"))
    anchor = root.get_cert(registry.CertLabel("root"))
    process = subprocess.Popen(
        [str(SERVER), str(config), str(port), "2"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        wait_for(port, process)
        yield f"http://localhost:{port}", anchor
    finally:
        process.terminate()
        process.wait(timeout=10)


def csc_credential(url: str) -> SigningCredential:
    return SigningCredential(
        label="CSC", backend=SigningCredential.Backend.CSC, csc_url=url, csc_credential_id="portal/signer"
    )


def test_the_signer_certifies_the_draft_through_the_remote_service(csc_server, draft_pdf, tmp_path):
    url, anchor = csc_server
    signed = sign_as_signer(
        pdf=draft_pdf,
        credential=csc_credential(url),
        pin="1234",
        signer_box=SIGNER_BOX,
        organisation_box=ORGANISATION_BOX,
    ).pdf
    (report,) = validate(signed, trust_anchors=[anchor])
    assert report.signer == "Nguyễn Hùng"
    assert report.valid and report.intact and report.trusted
    # The organisation's field is reserved, not yet signed.
    assert [r["validation"] for r in pdfsig(signed, tmp_path)] == ["Signature is Valid.", "not signed"]


def test_a_service_that_does_not_answer_is_unavailable(draft_pdf):
    with pytest.raises(Unavailable):
        sign_as_signer(
            pdf=draft_pdf,
            credential=csc_credential(f"http://127.0.0.1:{free_port()}"),
            pin="1234",
            signer_box=SIGNER_BOX,
            organisation_box=ORGANISATION_BOX,
        )
