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
import zlib
from dataclasses import dataclass

import puremagic
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


# What the content detector (puremagic) may call a file, by its extension, mapped to the
# kinds the portal accepts. Anything it names otherwise is not accepted.
DETECTED = {
    ".pdf": PDF,
    ".png": PNG,
    ".jpg": JPEG,
    ".jpeg": JPEG,
    ".jfif": JPEG,
    ".jpe": JPEG,
    ".webp": WEBP,
    ".wav": WAV,
    ".ogg": OGG,
    ".oga": OGG,
    ".amr": AMR,
    ".mp3": MP3,
    ".mpga": MP3,
    ".m4a": M4A,
    ".f4a": M4A,
    ".doc": OLE,
    ".xls": OLE,
    ".ppt": OLE,
}
ZIP_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
# Everything a damaged or hostile zip can raise while it is opened or read.
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, RuntimeError)


def _sniff_zip(data: bytes) -> Kind | None:
    """An office document is a zip with a known layout; any other zip is an archive. The
    zip is read whole before it is trusted: a bomb, an encrypted or damaged member or an
    unknown compression method is refused with a message, never an error page."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except ZIP_ERRORS:
        raise ValidationError(_("the file is damaged (its zip structure cannot be read).")) from None
    total = sum(info.file_size for info in infos)
    if total > MAX_UNZIPPED_BYTES or total > MAX_ZIP_RATIO * max(len(data), 1):
        raise ValidationError(_("The file expands to far more than its size (a compressed bomb); it was refused."))
    if any(info.flag_bits & 0x1 for info in infos):
        raise ValidationError(_("the file is protected by a password; save it without one and try again."))
    if any(info.compress_type not in ZIP_METHODS for info in infos):
        raise ValidationError(_("the file is damaged (its zip structure cannot be read)."))
    try:
        damaged = archive.testzip()  # reads every member and checks its CRC
    except ZIP_ERRORS:
        damaged = True
    if damaged:
        raise ValidationError(_("the file is damaged (its zip structure cannot be read)."))
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


# MPEG audio frame header fields (ISO 11172-3): bitrates in kbit/s and sample rates in Hz
# of MPEG-1 Layer III, the layer of every .mp3.
_MP3_BITRATES = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
_MP3_SAMPLE_RATES = (44100, 48000, 32000)


def _mp3_frame_length(data: bytes, at: int) -> int | None:
    """The length of the MPEG-1 Layer III frame starting at ``at``, or None if none does."""
    header = data[at : at + 4]
    if len(header) < 4 or header[0] != 0xFF or header[1] & 0xFE != 0xFA:
        return None
    bitrate_index, rate_index, padding = header[2] >> 4, (header[2] >> 2) & 0x3, (header[2] >> 1) & 0x1
    if not 0 < bitrate_index < 15 or rate_index == 3:
        return None
    return 144_000 * _MP3_BITRATES[bitrate_index] // _MP3_SAMPLE_RATES[rate_index] + padding


def _is_mp3(data: bytes) -> bool:
    """An ID3 tag, or three MPEG frames in a row, each where the one before says it ends:
    a frame-sync pair of bytes in front of anything is not a recording."""
    if data.startswith(b"ID3"):
        return True
    at = 0
    for _frame in range(3):
        length = _mp3_frame_length(data, at)
        if length is None:
            return False
        at += length
    return True


def sniff(data: bytes) -> Kind | None:
    """What the file is, by its content (puremagic's signatures; the layout inside an
    office document's zip; MPEG frames for an MP3); None when it is none of the kinds
    the portal knows. Raises ValidationError for a zip that cannot be trusted."""
    if data.startswith(b"PK\x03\x04"):
        return _sniff_zip(data)
    try:
        matches = puremagic.magic_string(data)
    except puremagic.PureError:
        return None
    for match in matches:
        kind = DETECTED.get(match.extension.lower())
        if kind is MP3 and not _is_mp3(data):
            continue
        if kind is not None:
            return kind
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
    try:
        kind = sniff(data)
    except ValidationError as error:
        # Every message names its file, so a clerk knows which one to replace.
        raise ValidationError(
            [f"“{uploaded.name}”: {message}" if uploaded.name not in message else message for message in error.messages]
        ) from None
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
