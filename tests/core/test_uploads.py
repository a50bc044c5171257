"""Upload checks: the type is decided by content against an allow-list."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from core.uploads import ATTACHMENT_KINDS, EVIDENCE_KINDS, check_upload, safe_name


def upload(name, data):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def office_zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return out.getvalue()


DOCX = office_zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("cong-van.pdf", b"%PDF-1.7\n%%EOF", "application/pdf"),
        ("anh.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 20, "image/jpeg"),
        ("anh.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "image/png"),
        ("bao-cao.docx", DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ],
)
def test_accepted_documents(name, data, content_type):
    checked = check_upload(upload(name, data), allowed=ATTACHMENT_KINDS)
    assert checked.kind.content_type == content_type


def test_call_recordings_are_evidence_but_not_attachments():
    mp3 = b"ID3\x04\x00" + b"\x00" * 40
    assert check_upload(upload("ghi-am.mp3", mp3), allowed=EVIDENCE_KINDS).kind.content_type == "audio/mpeg"
    with pytest.raises(ValidationError):
        check_upload(upload("ghi-am.mp3", mp3), allowed=ATTACHMENT_KINDS)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("hoa-don.pdf", b"MZ\x90\x00\x03" + b"\x00" * 100),  # a Windows executable renamed
        ("hoa-don.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 100),  # a Linux executable renamed
        ("trang.pdf", b"<html><body><script>alert(1)</script></body></html>"),
        ("anh.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("tai-lieu.pdf", office_zip({"a.txt": b"x", "b.exe": b"MZ"})),  # a plain archive
        ("empty.pdf", b""),
    ],
)
def test_refused_files_get_a_message_naming_them(name, data):
    with pytest.raises(ValidationError) as error:
        check_upload(upload(name, data), allowed=EVIDENCE_KINDS)
    assert name in " ".join(error.value.messages)


def test_a_decompression_bomb_is_refused():
    bomb = office_zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"0" * (50 * 1024 * 1024)})
    assert len(bomb) < 200 * 1024  # tiny on the wire
    with pytest.raises(ValidationError) as error:
        check_upload(upload("bao-cao.docx", bomb), allowed=EVIDENCE_KINDS)
    assert "bomb" in " ".join(error.value.messages).lower() or "nén" in " ".join(error.value.messages)


def test_macro_documents_are_refused():
    macro = office_zip(
        {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>", "word/vbaProject.bin": b"\x00"}
    )
    with pytest.raises(ValidationError):
        check_upload(upload("bao-cao.docm", macro), allowed=EVIDENCE_KINDS)


def test_size_limit():
    with pytest.raises(ValidationError):
        check_upload(upload("lon.pdf", b"%PDF-" + b"0" * 2048), allowed=ATTACHMENT_KINDS, max_bytes=1024)


@pytest.mark.parametrize(
    ("given", "extension", "expected"),
    [
        ("../../etc/passwd", ".pdf", "passwd.pdf"),
        ("C:\\Users\\vanthu\\Báo cáo tháng 10.pdf", ".pdf", "Báo cáo tháng 10.pdf"),
        ("hoa-don.pdf.exe", ".pdf", "hoa-don.pdf.pdf"),
        ("ảnh\x00<script>.png", ".png", "ảnhscript.png"),
        ("....", ".pdf", "tep-dinh-kem.pdf"),
    ],
)
def test_names_are_sanitised(given, extension, expected):
    assert safe_name(given, extension) == expected


def test_stored_name_is_random_and_keeps_only_the_true_extension():
    checked = check_upload(upload("../../x.exe", b"%PDF-1.4\n%%EOF"), allowed=ATTACHMENT_KINDS)
    assert checked.storage_name.endswith(".pdf") and "/" not in checked.storage_name
    assert checked.original_name == "x.pdf"
