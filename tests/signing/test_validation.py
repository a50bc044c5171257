"""Validation reports and the "signed elsewhere" check: the uploaded file must be the
portal's draft, byte for byte, plus an incremental update adding a valid signature."""

import asyncio
import io
from concurrent.futures import ThreadPoolExecutor

import pytest
from pyhanko.pdf_utils.generic import StreamObject, pdf_name, pdf_string
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers

from core.errors import Invalid
from signing.backends import run_sync
from signing.pdf import sign_as_signer
from signing.validation import check_incremental_signature, is_incremental_signature_of, validate
from tests.signing.conftest import ORGANISATION_BOX, PIN, SIGNER_BOX, alter_one_byte


@pytest.fixture
def signer_credential(p12_credential):
    return p12_credential("Nguyễn Hùng")


@pytest.fixture
def signed_draft(draft_pdf, signer_credential):
    return sign_as_signer(
        pdf=draft_pdf, credential=signer_credential, pin=PIN, signer_box=SIGNER_BOX, organisation_box=ORGANISATION_BOX
    ).pdf


def test_an_unsigned_pdf_has_no_signatures(draft_pdf, anchors):
    assert validate(draft_pdf, trust_anchors=anchors) == []


def test_validation_runs_where_an_event_loop_is_running(signed_draft, anchors):
    # A browser-driving test or an ASGI server runs a loop in the thread: asyncio.run()
    # would refuse to start pyHanko's coroutine there.
    async def inside_a_loop():
        return validate(signed_draft, trust_anchors=anchors)

    # On a thread of its own: the test's own thread may run a loop already (the browser
    # tests' Playwright), where asyncio.run() is refused before validate() is reached.
    with ThreadPoolExecutor(max_workers=1) as pool:
        (report,) = pool.submit(asyncio.run, inside_a_loop()).result()
    assert report.valid and report.intact and report.trusted


def test_a_file_that_is_not_a_pdf_is_refused():
    with pytest.raises(Invalid):
        validate(b"PK\x03\x04 not a pdf", trust_anchors=[])


def test_a_report_reads_as_the_api_writes_it(signed_draft, anchors):
    (report,) = validate(signed_draft, trust_anchors=anchors)
    data = report.as_dict()
    assert set(data) == {
        "field",
        "signer",
        "organisation",
        "signed_at",
        "valid",
        "intact",
        "trusted",
        "modification_level",
        "timestamped",
    }
    assert data["signed_at"].endswith("+07:00")


def test_the_draft_plus_a_signature_is_accepted(draft_pdf, signed_draft, anchors):
    assert is_incremental_signature_of(draft_pdf, signed_draft, trust_anchors=anchors)
    (report,) = check_incremental_signature(draft_pdf, signed_draft, trust_anchors=anchors)
    assert report.signer == "Nguyễn Hùng"


def test_a_signed_copy_of_another_file_is_refused(plain_pdf, signed_draft, anchors):
    assert not is_incremental_signature_of(plain_pdf, signed_draft, trust_anchors=anchors)


def test_the_draft_unsigned_or_appended_without_a_signature_is_refused(draft_pdf, anchors):
    assert not is_incremental_signature_of(draft_pdf, draft_pdf, trust_anchors=anchors)
    writer = IncrementalPdfFileWriter(io.BytesIO(draft_pdf), strict=False)
    writer.root[pdf_name("/Lang")] = pdf_string("vi")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(Invalid, match="không thêm chữ ký số"):
        check_incremental_signature(draft_pdf, out.getvalue(), trust_anchors=anchors)


def test_a_signature_over_changed_content_is_refused(draft_pdf, signer_credential, anchors):
    """Someone changes the page and signs in the same update: the signature is valid, the
    content is not the draft's."""
    writer = IncrementalPdfFileWriter(io.BytesIO(draft_pdf), strict=False)
    writer.add_stream_to_page(0, writer.add_object(StreamObject(stream_data=b"0 0 m 500 500 l S")))
    signer = signers.SimpleSigner.load_pkcs12(signer_credential.pkcs12_path, passphrase=PIN.encode())
    signed = run_sync(
        signers.async_sign_pdf(
            writer, signers.PdfSignatureMetadata(field_name="elsewhere", md_algorithm="sha256"), signer=signer
        )
    ).getvalue()
    assert all(report.valid for report in validate(signed, trust_anchors=anchors))
    with pytest.raises(Invalid, match="thay đổi nội dung"):
        check_incremental_signature(draft_pdf, signed, trust_anchors=anchors)


def test_a_signed_draft_altered_after_signing_is_refused(draft_pdf, signed_draft, anchors):
    # The certification's permission loosened from "fill forms" to "annotate" (covered).
    at = signed_draft.index(b"/P 2", len(draft_pdf))
    altered = signed_draft[:at] + b"/P 3" + signed_draft[at + 4 :]
    assert not is_incremental_signature_of(draft_pdf, altered, trust_anchors=anchors)


def test_a_signed_draft_with_the_draft_altered_is_refused(draft_pdf, signed_draft, anchors):
    assert not is_incremental_signature_of(draft_pdf, alter_one_byte(signed_draft), trust_anchors=anchors)
