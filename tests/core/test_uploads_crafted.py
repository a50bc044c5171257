"""Crafted uploads: zips that are damaged or hostile, named as office documents, and bytes
that only start like a recording. Each is refused with a message naming the file, by the
checker and on every upload route (pages and API), never a 500."""

import io
import json
import struct
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.uploads import ATTACHMENT_KINDS, EVIDENCE_KINDS, check_upload


def docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>" * 20)
        archive.writestr("word/document.xml", "<w:document>" + "xin chào " * 200 + "</w:document>")
    return out.getvalue()


def odt() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>" * 10)
    return out.getvalue()


def bad_crc(data: bytes) -> bytes:
    """The first member's stored CRC-32 changed (local header and central directory)."""
    data = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 14), (b"PK\x01\x02", 16)):
        at = data.index(signature)
        (crc,) = struct.unpack_from("<I", data, at + offset)
        struct.pack_into("<I", data, at + offset, crc ^ 0xFFFFFFFF)
    return bytes(data)


def flag_encrypted(data: bytes) -> bytes:
    data = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (at := data.find(signature, start)) != -1:
            (flags,) = struct.unpack_from("<H", data, at + offset)
            struct.pack_into("<H", data, at + offset, flags | 0x1)
            start = at + 4
    return bytes(data)


def unknown_method(data: bytes) -> bytes:
    data = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        start = 0
        while (at := data.find(signature, start)) != -1:
            struct.pack_into("<H", data, at + offset, 99)
            start = at + 4
    return bytes(data)


def corrupt_header(data: bytes) -> bytes:
    """The central directory's first entry overwritten: the zip cannot be listed."""
    data = bytearray(data)
    at = data.index(b"PK\x01\x02")
    data[at + 4 : at + 40] = b"\xff" * 36
    return bytes(data)


def truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


CRAFTED = {
    "bad-crc.docx": bad_crc(docx()),
    "encrypted.docx": flag_encrypted(docx()),
    "unknown-method.docx": unknown_method(docx()),
    "corrupt-header.docx": corrupt_header(docx()),
    "truncated.docx": truncated(docx()),
    "bad-crc.odt": bad_crc(odt()),
    "encrypted.odt": flag_encrypted(odt()),
    "unknown-method.odt": unknown_method(odt()),
    "corrupt-header.odt": corrupt_header(odt()),
    "frame-sync-then-junk.mp3": b"\xff\xfb" + b"not a recording at all" * 10,
}


def test_the_untouched_documents_are_accepted():
    assert check_upload(SimpleUploadedFile("a.docx", docx())).kind.extension == ".docx"
    assert check_upload(SimpleUploadedFile("a.odt", odt())).kind.extension == ".odt"


@pytest.mark.parametrize("name", CRAFTED)
def test_the_checker_refuses_a_crafted_file_naming_it(name):
    with pytest.raises(ValidationError) as refused:
        check_upload(SimpleUploadedFile(name, CRAFTED[name]), allowed=EVIDENCE_KINDS)
    assert all(name in message for message in refused.value.messages), refused.value.messages


def test_a_real_mpeg_frame_sequence_is_a_recording():
    # MPEG-1 Layer III, 128 kbit/s, 44.1 kHz: 417-byte frames.
    frame = b"\xff\xfb\x90\x00" + b"\x00" * 413
    assert check_upload(SimpleUploadedFile("ghi-am.mp3", frame * 4), allowed=EVIDENCE_KINDS).kind.extension == ".mp3"


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["bad-crc.docx", "encrypted.odt", "unknown-method.docx", "corrupt-header.odt"])
def test_the_incoming_api_refuses_a_crafted_attachment(api_as, records_clerk, name):
    response = api_as(records_clerk).post(
        "/api/v1/incoming/",
        {
            "issuer": "Sở Nội vụ",
            "reference": "15/SNV-VP",
            "document_date": "2024-10-01",
            "subject": "V/v thử tệp",
            "file": SimpleUploadedFile(name, CRAFTED[name]),
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert name in str(response.json())


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["bad-crc.docx", "encrypted.odt", "frame-sync-then-junk.mp3"])
def test_the_report_api_refuses_crafted_evidence(api_as, clerk, delivery, name):
    items = [{"action_item": item.pk, "status": "done"} for item in delivery.circular.action_items.all()]
    response = api_as(clerk).post(
        f"/api/v1/deliveries/{delivery.pk}/reports",
        {"summary": "Đã làm", "items": json.dumps(items), "files": SimpleUploadedFile(name, CRAFTED[name])},
        format="multipart",
    )
    assert response.status_code == 400
    assert name in str(response.json())


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["unknown-method.docx", "corrupt-header.odt"])
def test_the_report_page_refuses_crafted_evidence(client, clerk, delivery, name):
    client.force_login(clerk)
    data = {f"item-{item.pk}-status": "done" for item in delivery.circular.action_items.all()}
    response = client.post(
        reverse("delivery-report", args=[delivery.pk]),
        {"summary": "Đã làm", **data, "files": SimpleUploadedFile(name, CRAFTED[name])},
    )
    assert response.status_code in (200, 400)
    assert name in response.content.decode()
    assert not delivery.reports.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["bad-crc.docx", "encrypted.docx"])
def test_the_incoming_page_refuses_a_crafted_attachment(client, records_clerk, name):
    client.force_login(records_clerk)
    response = client.post(
        reverse("incoming-new"),
        {
            "issuer": "Sở Nội vụ",
            "reference": "15/SNV-VP",
            "document_date": "01/10/2024",
            "subject": "V/v thử tệp",
            "files": SimpleUploadedFile(name, CRAFTED[name]),
        },
    )
    assert response.status_code in (200, 400)
    assert name in response.content.decode()


def test_every_crafted_file_is_refused_as_an_attachment_too():
    for name, data in CRAFTED.items():
        with pytest.raises(ValidationError):
            check_upload(SimpleUploadedFile(name, data), allowed=ATTACHMENT_KINDS)
