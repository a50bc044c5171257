"""Checking uploaded files: an allow-list of types recognised by their content, a size
limit, and a safe stored name. Used for dispatch attachments and report evidence.

A file's name and declared type are the sender's claims; only its first bytes (and, for
office documents, the parts inside the zip) decide what it is.
"""

import hashlib
import io
import os
import re
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# An office document expands; a "zip bomb" expands a thousand-fold. Past this, refuse.
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_ZIP_RATIO = 100


@dataclass(frozen=True)
class Kind:
    content_type: str
    extension: str
    label: str


PDF = Kind("application/pdf", ".pdf", "PDF")
PNG = Kind("image/png", ".png", "PNG")
JPEG = Kind("image/jpeg", ".jpg", "JPEG")
WEBP = Kind("image/webp", ".webp", "WebP")
DOCX = Kind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx", "Word")
XLSX = Kind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx", "Excel")
PPTX = Kind("application/vnd.openxmlformats-officedocument.presentationml.presentation", ".pptx", "PowerPoint")
ODT = Kind("application/vnd.oasis.opendocument.text", ".odt", "OpenDocument")
OLE = Kind("application/msword", ".doc", "Word/Excel 97-2003")
MP3 = Kind("audio/mpeg", ".mp3", "MP3")
M4A = Kind("audio/mp4", ".m4a", "M4A")
WAV = Kind("audio/wav", ".wav", "WAV")
OGG = Kind("audio/ogg", ".ogg", "OGG")
AMR = Kind("audio/amr", ".amr", "AMR")

DOCUMENTS = (PDF, DOCX, XLSX, PPTX, ODT, OLE)
IMAGES = (PNG, JPEG, WEBP)
AUDIO = (MP3, M4A, WAV, OGG, AMR)
ATTACHMENT_KINDS = DOCUMENTS + IMAGES
EVIDENCE_KINDS = DOCUMENTS + IMAGES + AUDIO


def _sniff_zip(data: bytes) -> Kind | None:
    """An office document is a zip with a known layout; any other zip is an archive."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    total = sum(info.file_size for info in infos)
    if total > MAX_UNZIPPED_BYTES or total > MAX_ZIP_RATIO * max(len(data), 1):
        raise ValidationError(_("The file expands to far more than its size (a compressed bomb); it was refused."))
    names = {info.filename for info in infos}
    if "mimetype" in names:
        mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
        if mimetype == ODT.content_type:
            return ODT
        return None
    if "[Content_Types].xml" not in names:
        return None
    if any(n.startswith("word/") for n in names):
        kind = DOCX
    elif any(n.startswith("xl/") for n in names):
        kind = XLSX
    elif any(n.startswith("ppt/") for n in names):
        kind = PPTX
    else:
        return None
    # Macro-enabled documents carry code; they are not accepted as attachments.
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise ValidationError(_("Documents with macros are not accepted. Save it as a plain document and try again."))
    return kind


def sniff(data: bytes) -> Kind | None:
    """What the file is, by its content; None when it is none of the known kinds."""
    head = data[:64]
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return WAV
    if head.startswith(b"OggS"):
        return OGG
    if head.startswith(b"#!AMR"):
        return AMR
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return MP3
    if head[4:8] == b"ftyp" and head[8:12] in (b"M4A ", b"mp42", b"isom", b"M4B ", b"3gp4", b"3gp5"):
        return M4A
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return OLE
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(data)
    return None


def safe_name(name: str, extension: str) -> str:
    """A display name without any path, control characters or a misleading extension."""
    name = unicodedata.normalize("NFC", os.path.basename((name or "").replace("\\", "/")))
    name = re.sub(r"[\x00-\x1f\x7f<>:\"/\\|?*]", "", name).strip(" .")
    stem = os.path.splitext(name)[0][:150] or "tep-dinh-kem"
    return f"{stem}{extension}"


@dataclass(frozen=True)
class CheckedFile:
    data: bytes
    kind: Kind
    original_name: str
    storage_name: str
    sha256: str

    @property
    def size(self) -> int:
        return len(self.data)


def check_upload(uploaded, *, allowed=ATTACHMENT_KINDS, max_bytes: int = MAX_UPLOAD_BYTES) -> CheckedFile:
    """Read an uploaded file and refuse it, with a message a clerk understands, unless
    it is one of ``allowed`` by content and no larger than ``max_bytes``."""
    if uploaded.size is not None and uploaded.size > max_bytes:
        raise ValidationError(
            _("“%(name)s” is %(size)s; the limit is %(limit)s.")
            % {"name": uploaded.name, "size": filesizeformat(uploaded.size), "limit": filesizeformat(max_bytes)}
        )
    data = b"".join(uploaded.chunks())
    if len(data) > max_bytes:
        raise ValidationError(_("The file is larger than %(limit)s.") % {"limit": filesizeformat(max_bytes)})
    if not data:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": uploaded.name})
    kind = sniff(data)
    if kind is None or kind not in allowed:
        labels = ", ".join(dict.fromkeys(k.label for k in allowed))
        raise ValidationError(
            _("“%(name)s” is not an accepted kind of file. Accepted: %(labels)s.")
            % {"name": uploaded.name, "labels": labels}
        )
    return CheckedFile(
        data=data,
        kind=kind,
        original_name=safe_name(uploaded.name, kind.extension),
        storage_name=f"{uuid.uuid4().hex}{kind.extension}",
        sha256=hashlib.sha256(data).hexdigest(),
    )


def download_response(stored):
    """An uploaded file (attachment, evidence) as a download: never shown inline, never
    sniffed into HTML. ``stored`` has ``file``, ``original_name`` and ``content_type``."""
    response = FileResponse(
        stored.file.open("rb"), as_attachment=True, filename=stored.original_name, content_type=stored.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
