"""PAdES B-T and B-LT against real services: a Certomancer PKI served over HTTP by its
own animator (an RFC 3161 time-stamping authority and a CRL repository), started on a
free port for the module. A revoked certificate signs nothing when revocation is checked;
a timestamp authority that does not answer leaves nothing signed."""

import datetime
import io
import threading

import pytest
from certomancer import registry
from certomancer.integrations.animator import Animator, AnimatorArchStore
from pyhanko.pdf_utils.reader import PdfFileReader
from werkzeug.serving import make_server

from core.errors import Conflict, Unavailable
from signing.models import SigningCredential
from signing.pdf import fill_and_sign_as_organisation, sign_as_signer
from signing.validation import validate
from tests.signing.conftest import (
    CERTOMANCER_ROOT,
    ORGANISATION_BOX,
    SIGNER_BOX,
    free_port,
    pdfsig,
    write_certomancer_keys,
)

PIN = "1234"
ARCH = "portal"
CONFIG = """
external-url-prefix: "http://127.0.0.1:{port}"
keysets:
  testing:
    path-prefix: "{directory}"
    keys:
      root: {{path: root.key.pem, password: secret}}
      tsa: {{path: tsa.key.pem, password: secret}}
      signer: {{path: signer.key.pem, password: secret}}
      revoked: {{path: revoked.key.pem, password: secret}}
pki-architectures:
  portal:
    keyset: testing
    entity-defaults: {{country-name: VN, organization-name: "UBND huyện Thuận Bắc"}}
    entities:
      root: {{common-name: "CA thử nghiệm có dịch vụ"}}
      tsa: {{common-name: "Dịch vụ cấp dấu thời gian thử nghiệm"}}
      signer: {{common-name: "Nguyễn Hùng"}}
      revoked: {{common-name: "Trần Bị Thu Hồi"}}
    certs:
{root_certificate}
      tsa:
        issuer: root
        validity: {{valid-from: "2020-01-01T00:00:00+0000", valid-to: "2100-01-01T00:00:00+0000"}}
        extensions:
          - id: key_usage
            critical: true
            smart-value: {{schema: key-usage, params: [digital_signature]}}
          - id: extended_key_usage
            critical: true
            value: [time_stamping]
          - id: crl_distribution_points
            smart-value: {{schema: crl-dist-url, params: {{crl-repo-names: [root]}}}}
      signer:
        issuer: root
        validity: {{valid-from: "2020-01-01T00:00:00+0000", valid-to: "2100-01-01T00:00:00+0000"}}
        extensions:
          - id: key_usage
            critical: true
            smart-value: {{schema: key-usage, params: [digital_signature, non_repudiation]}}
          - id: crl_distribution_points
            smart-value: {{schema: crl-dist-url, params: {{crl-repo-names: [root]}}}}
      revoked:
        template: signer
        subject: revoked
        subject-key: revoked
        revocation:
          revoked-since: "2024-01-01T00:00:00+0000"
          reason: key_compromise
    services:
      crl-repo:
        root:
          for-issuer: root
          signing-key: root
          simulated-update-schedule: "P30D"
      time-stamping:
        tsa:
          signing-key: tsa
          signing-cert: tsa
"""


@pytest.fixture(scope="module")
def services(tmp_path_factory):
    """The architecture and the base URL of its services, served on a thread."""
    directory = tmp_path_factory.mktemp("tsa")
    write_certomancer_keys(directory, ("root", "tsa", "signer", "revoked"))
    port = free_port()
    config = directory / "certomancer.yml"
    config.write_text(
        CONFIG.format(port=port, directory=directory, root_certificate=CERTOMANCER_ROOT), encoding="utf-8"
    )
    arch = registry.CertomancerConfig.from_file(str(config)).get_pki_arch(registry.ArchLabel(ARCH))
    app = Animator(AnimatorArchStore({arch.arch_label: arch}), with_web_ui=False)
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield arch, f"http://127.0.0.1:{port}/{ARCH}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture
def anchors(services):
    arch, _url = services
    return [arch.get_cert(registry.CertLabel("root"))]


def credential(services, tmp_path, label: str) -> SigningCredential:
    arch, _url = services
    data = arch.package_pkcs12(
        registry.CertLabel(label), certs_to_embed=[registry.CertLabel("root")], password=PIN.encode()
    )
    path = tmp_path / f"{label}.p12"
    path.write_bytes(data)
    return SigningCredential(label=label, backend=SigningCredential.Backend.PKCS12, pkcs12_path=str(path))


def certified(draft_pdf, services, tmp_path, anchors, label="signer"):
    return sign_as_signer(
        pdf=draft_pdf,
        credential=credential(services, tmp_path, label),
        pin=PIN,
        signer_box=SIGNER_BOX,
        organisation_box=ORGANISATION_BOX,
        trust_anchors=anchors,
    ).pdf


def has_dss(pdf: bytes) -> bool:
    return "/DSS" in PdfFileReader(io.BytesIO(pdf)).root


def test_with_a_timestamp_authority_each_signature_is_timestamped(draft_pdf, services, anchors, settings, tmp_path):
    _arch, url = services
    settings.SIGNING_TSA_URL = f"{url}/tsa/tsa"
    signed = certified(draft_pdf, services, tmp_path, anchors)
    issued = fill_and_sign_as_organisation(
        pdf=signed,
        credential=credential(services, tmp_path, "signer"),
        pin=PIN,
        number="12/UBND-VP",
        date="04/12/2026",
        organisation_name="UBND huyện Thuận Bắc",
        trust_anchors=anchors,
    ).pdf
    reports = validate(issued, trust_anchors=anchors)
    assert [r.timestamped for r in reports] == [True, True]
    assert all(r.valid and r.intact and r.trusted for r in reports)
    # The time is the authority's, not the signer's clock: within a minute of now.
    assert abs(reports[0].signed_at - datetime.datetime.now(datetime.UTC)) < datetime.timedelta(minutes=1)
    assert [r["validation"] for r in pdfsig(issued, tmp_path)] == ["Signature is Valid.", "Signature is Valid."]


def test_without_one_nothing_is_timestamped(draft_pdf, services, anchors, settings, tmp_path):
    settings.SIGNING_TSA_URL = ""
    (report,) = validate(certified(draft_pdf, services, tmp_path, anchors), trust_anchors=anchors)
    assert report.valid and not report.timestamped


def test_with_revocation_checked_the_file_carries_its_validation_data(draft_pdf, services, anchors, settings, tmp_path):
    """B-LT: the CRLs and certificates a validator needs are embedded (a /DSS)."""
    _arch, url = services
    settings.SIGNING_TSA_URL = f"{url}/tsa/tsa"
    settings.SIGNING_REVOCATION_CHECK = True
    signed = certified(draft_pdf, services, tmp_path, anchors)
    assert has_dss(signed)
    (report,) = validate(signed, trust_anchors=anchors)
    assert report.valid and report.intact and report.trusted and report.timestamped
    settings.SIGNING_REVOCATION_CHECK = False
    assert not has_dss(certified(draft_pdf, services, tmp_path, anchors))


def test_a_revoked_certificate_signs_nothing(draft_pdf, services, anchors, settings, tmp_path):
    settings.SIGNING_REVOCATION_CHECK = True
    with pytest.raises(Conflict) as refused:
        certified(draft_pdf, services, tmp_path, anchors, label="revoked")
    assert refused.value.message == "Chứng thư số dùng để ký đã bị thu hồi."


def test_a_timestamp_authority_that_does_not_answer_leaves_nothing_signed(
    draft_pdf, services, anchors, settings, tmp_path
):
    settings.SIGNING_TSA_URL = f"http://127.0.0.1:{free_port()}/tsa"
    with pytest.raises(Unavailable):
        certified(draft_pdf, services, tmp_path, anchors)


def test_a_file_signed_with_a_revoked_certificate_is_not_valid_where_revocation_is_checked(
    draft_pdf, services, anchors, settings, tmp_path
):
    """What comes in: signed elsewhere, after the certificate was revoked."""
    settings.SIGNING_REVOCATION_CHECK = False
    signed = certified(draft_pdf, services, tmp_path, anchors, label="revoked")
    (unchecked,) = validate(signed, trust_anchors=anchors)
    assert unchecked.trusted
    settings.SIGNING_REVOCATION_CHECK = True
    (checked,) = validate(signed, trust_anchors=anchors)
    # Still the bytes that were signed, but the signer is no longer to be trusted.
    assert checked.intact and checked.valid and not checked.trusted
