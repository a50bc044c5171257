"""Signing a circular's PDF in the order of Decree 30 for electronic documents, with pyHanko.

1. ``sign_as_signer``: the competent signer certifies the approved draft (DocMDP
   FILL_FORMS: the form may be filled and signed later, nothing else may change). The
   draft carries the reserved text fields ``number`` and ``date``; the same revision adds
   the organisation's empty signature field, so that no new visible field has to be made
   after the certification (validators flag that).
2. ``fill_and_sign_as_organisation``: the records clerk's step; one incremental update fills
   the number and the date and applies the organisation's signature in its reserved field.
3. ``sign_attachment``: the organisation signs an attachment, text only, at the top right
   of its first page.

Page content never changes after a signature: each step only appends a revision.
Appearance (Appendix I of Decree 30): the signer's blue signature image in its box; the
organisation's red seal, at its real size, over the left third of the signer's image, with
the organisation's name and the signing time (Vietnam time, ISO 8601) in 10 pt.
"""

import datetime
import functools
import io
import itertools
import os
import tempfile
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _
from fontTools.ttLib import TTFont
from fontTools.ttLib.scaleUpem import scale_upem
from PIL import Image
from pyhanko.pdf_utils import generic, layout
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.generic import pdf_name, pdf_string
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.text import TextBox, TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.timestamps.aiohttp_client import HTTPTimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko.stamp import BaseStamp, TextStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError, RevokedError

from core.errors import Conflict, DomainError, Invalid, Unavailable
from signing.backends import open_signer, run_sync
from signing.models import SigningCredential

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
MM = 72 / 25.4  # PDF points per millimetre
NUMBER_FIELD = "number"
DATE_FIELD = "date"
SIGNER_FIELD = "signer_signature"
ORGANISATION_FIELD = "organisation_signature"
ATTACHMENT_FIELD = "organisation_signature"
FONT_SOURCE = settings.BASE_DIR / "static" / "fonts" / "LiberationSerif-Regular.ttf"
# The place and date line is italic (Decree 30, Appendix I): its filled date is too.
ITALIC_FONT_SOURCE = settings.BASE_DIR / "static" / "fonts" / "LiberationSerif-Italic.ttf"
# A text field's height and the descent below its baseline, in ems (static/pdf/circular.css).
FIELD_EM_HEIGHT = 1.1
FIELD_DESCENT_EM = 0.2
INFO_FONT_SIZE = 10  # Decree 30, Appendix I: the organisation's information in 10 pt
LINE_MM = 4.2  # one 10 pt line
# Parsed back from the stamp's own time (pyHanko's signing time), then written in ISO 8601.
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S%z"


@functools.cache
def font_file(source=FONT_SOURCE) -> str:
    """The layouts' serif font (it has every Vietnamese letter), scaled to 1000 units per
    em: pyHanko 0.38 writes a font's glyph widths unscaled, which only a 1000-unit font
    survives (Liberation's 2048 units spread the letters twice too wide). Made once per
    machine, in the temporary directory, written aside and moved into place."""
    stat = source.stat()
    path = os.path.join(tempfile.gettempdir(), f"portal-{source.stem}-{stat.st_size}-{int(stat.st_mtime)}-1000.ttf")
    if not os.path.exists(path):
        font = TTFont(source)
        scale_upem(font, 1000)
        if "FFTM" in font:
            del font["FFTM"]  # FontForge's timestamps: fontTools' subsetter only warns about them
        handle, scratch = tempfile.mkstemp(suffix=".ttf", dir=os.path.dirname(path))
        with os.fdopen(handle, "wb") as out:
            font.save(out)
        os.replace(scratch, path)
    return path


@dataclass(frozen=True)
class Box:
    """A place on a page, in millimetres from the page's top left corner (as the layouts
    measure); ``page`` counts from 0, -1 is the last page."""

    page: int
    left: float
    top: float
    width: float
    height: float

    def rect(self, page_height_pt: float) -> tuple[float, float, float, float]:
        """The box in PDF user space (points, from the bottom left)."""
        x1 = self.left * MM
        y2 = page_height_pt - self.top * MM
        return (round(x1, 2), round(y2 - self.height * MM, 2), round(x1 + self.width * MM, 2), round(y2, 2))


def seal_box(signer_box: Box, *, seal_width_mm: float, seal_height_mm: float, text_width_mm: float = 70) -> Box:
    """The organisation's box: its seal, at its real size, covers the left third of the
    signer's box; the organisation's name and the time are written below the seal (two
    10 pt lines) in the same box, and the whole box is centred on the signer's height, so
    that a signature space as tall as the box keeps the text off the signer's name."""
    height = seal_height_mm + 2 * LINE_MM + 1
    return Box(
        page=signer_box.page,
        left=signer_box.left + signer_box.width / 3 - seal_width_mm,
        top=signer_box.top + (signer_box.height - height) / 2,
        width=max(seal_width_mm, text_width_mm),
        height=height,
    )


def attachment_box(page_width_mm: float = 210) -> Box:
    """Top right of the first page (Decree 30, Appendix I, attachments)."""
    return Box(page=0, left=page_width_mm - 10 - 80, top=8, width=80, height=3 * LINE_MM + 2)


# --- Appearance ------------------------------------------------------------------------


@dataclass(frozen=True)
class Picture:
    """An image placed in a stamp, in millimetres from the stamp's bottom left corner."""

    image: Image.Image
    left: float
    bottom: float
    width: float
    height: float


@dataclass(frozen=True)
class PortalStampStyle(TextStampStyle):
    """Pictures at set places and, optionally, lines of text at the bottom left; no border.
    A ``TextStampStyle`` so that pyHanko hands it its signing time (``ts``)."""

    pictures: tuple = field(default_factory=tuple)
    stamp_text: str = ""
    timestamp_format: str = _TIME_FORMAT
    border_width: int = 0
    text_box_style: TextBoxStyle = field(
        default_factory=lambda: TextBoxStyle(
            font=GlyphAccumulatorFactory(font_file(), font_size=INFO_FONT_SIZE),
            font_size=INFO_FONT_SIZE,
            leading=12,
        )
    )

    def create_stamp(self, writer, box, text_params):
        return PortalStamp(writer=writer, style=self, box=box, text_params=text_params)


class PortalStamp(BaseStamp):
    def __init__(self, writer, style, box, text_params):
        super().__init__(writer=writer, style=style, box=box)
        self.text_params = dict(text_params or {})

    def _render_inner_content(self):
        commands = []
        for picture in self.style.pictures:
            image = PdfImage(
                picture.image, writer=self.writer, box=layout.BoxConstraints(picture.width * MM, picture.height * MM)
            )
            drawn = image.render()
            self.import_resources(image.resources)
            commands.append(b"q 1 0 0 1 %g %g cm %s Q" % (picture.left * MM, picture.bottom * MM, drawn))
        if self.style.stamp_text:
            params = dict(self.text_params)
            if "ts" in params:
                signed_at = datetime.datetime.strptime(params["ts"], _TIME_FORMAT).astimezone(VIETNAM)
                params["ts"] = signed_at.isoformat(timespec="seconds")
            text_box = TextBox(self.style.text_box_style, writer=self.writer, resources=self.resources, box=None)
            text_box.content = self.style.stamp_text % params
            commands.append(b"q 1 0 0 1 1 1 cm %s Q" % text_box.render())
        return commands


def _png(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image.convert("RGBA")


def signer_style(signature_png: bytes | None, box: Box) -> PortalStampStyle:
    """The signer's image, as large as fits the box, centred; nothing without an image."""
    if not signature_png:
        return PortalStampStyle()
    image = _png(signature_png)
    scale = min(box.width / image.width, box.height / image.height)
    width, height = image.width * scale, image.height * scale
    picture = Picture(image, (box.width - width) / 2, (box.height - height) / 2, width, height)
    return PortalStampStyle(pictures=(picture,))


def organisation_style(seal_png: bytes | None, *, seal_width_mm: float, seal_height_mm: float, name: str):
    pictures = ()
    if seal_png:
        pictures = (Picture(_png(seal_png), 0, 2 * LINE_MM + 1, seal_width_mm, seal_height_mm),)
    return PortalStampStyle(pictures=pictures, stamp_text=_info_text(name))


def _info_text(*lines: str) -> str:
    """Lines of information, then the signing time (pyHanko's ``ts``)."""
    return "\n".join(line.replace("%", "%%") for line in lines if line) + "\n%(ts)s"


# --- Form fields -----------------------------------------------------------------------


def _fields_by_name(writer) -> dict:
    form = writer.root.get("/AcroForm")
    found = {}
    if form is None:
        return found
    for ref in form.get("/Fields", ()):
        found[str(ref.get_object().get("/T", ""))] = ref
    return found


def _require_fields(writer, names) -> None:
    present = _fields_by_name(writer)
    missing = [name for name in names if name not in present]
    if missing:
        raise Invalid(
            _("The document has no reserved field for %(fields)s; it cannot be signed in this order.")
            % {"fields": ", ".join(missing)}
        )


def _fill_text_field(writer, ref, value: str, *, align: str = "left", font_source=FONT_SOURCE) -> None:
    """Set a text field's value and draw it (a new appearance stream), as a form filler
    does. The field's own font size is kept; the font is the layouts' serif font, which
    has every Vietnamese letter. ``align`` "right" draws the value against the field's
    right edge (the number, against the "/" of its notation)."""
    widget = ref.get_object()
    operators = str(widget.get("/DA", "")).split()
    size = 13
    for operand, operator in itertools.pairwise(operators):
        if operator == "Tf":  # "/Font 13 Tf": the size precedes the operator
            size = round(float(operand))
    x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
    width, height = abs(x2 - x1), abs(y2 - y1)
    rule = layout.SimpleBoxLayoutRule(
        x_align=layout.AxisAlignment.ALIGN_MAX if align == "right" else layout.AxisAlignment.ALIGN_MIN,
        y_align=layout.AxisAlignment.ALIGN_MIN,
        margins=layout.Margins.uniform(0),
    )
    text_box = TextBox(
        TextBoxStyle(
            font=GlyphAccumulatorFactory(font_file(font_source), font_size=size),
            font_size=size,
            box_layout_rule=rule,
        ),
        writer=writer,
        box=layout.BoxConstraints(width, height),
    )
    text_box.content = value
    drawn = text_box.render()
    # The text's em box (descent to ascent, 1.1 em in the layouts' font) centred in the
    # field; the layouts make a field exactly that high, so the value sits on the line's
    # baseline as printed text would.
    baseline = (height - FIELD_EM_HEIGHT * size) / 2 + FIELD_DESCENT_EM * size
    stream = generic.StreamObject(
        {
            pdf_name("/Type"): pdf_name("/XObject"),
            pdf_name("/Subtype"): pdf_name("/Form"),
            pdf_name("/BBox"): generic.ArrayObject(generic.FloatObject(v) for v in (0, 0, width, height)),
            pdf_name("/Resources"): text_box.resources.as_pdf_object(),
        },
        stream_data=b"/Tx BMC q 1 0 0 1 0 %g cm %s Q EMC" % (baseline, drawn),
    )
    widget[pdf_name("/V")] = pdf_string(value)
    widget[pdf_name("/AP")] = generic.DictionaryObject({pdf_name("/N"): writer.add_object(stream)})
    writer.update_container(widget)


# --- Signing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Signed:
    pdf: bytes
    certificate: object  # the signer's certificate (asn1crypto), for the record


def _validation_context(trust_anchors) -> ValidationContext | None:
    """Checked before signing (a revoked certificate does not sign) only when revocation
    sources are configured; then the file also carries what a validator needs (B-LT)."""
    if not settings.SIGNING_REVOCATION_CHECK:
        return None
    return ValidationContext(trust_roots=list(trust_anchors), allow_fetching=True, revocation_mode="hard-fail")


def _timestamper():
    if not settings.SIGNING_TSA_URL:
        return None
    return HTTPTimeStamper(settings.SIGNING_TSA_URL, timeout=settings.SIGNING_TIMEOUT_SECONDS)


def _metadata(field_name, *, certify, reason, validation_context):
    return signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        certify=certify,
        docmdp_permissions=fields.MDPPerm.FILL_FORMS,
        reason=reason,
        validation_context=validation_context,
        # B-LT needs a timestamp (B-T) under the validation data.
        embed_validation_info=validation_context is not None and bool(settings.SIGNING_TSA_URL),
    )


async def _sign(writer, *, credential, pin, metadata, style, text_params=None) -> Signed:
    try:
        async with open_signer(credential, pin) as signer:
            pdf_signer = signers.PdfSigner(metadata, signer, timestamper=_timestamper(), stamp_style=style)
            output = await pdf_signer.async_sign_pdf(
                writer, existing_fields_only=True, appearance_text_params=text_params
            )
            return Signed(pdf=output.getvalue(), certificate=signer.signing_cert)
    finally:
        if metadata.validation_context is not None:
            # The revocation fetchers' session, opened in this event loop, is closed in it.
            await metadata.validation_context.aclose()


def _run(coroutine) -> Signed:
    """Run a signing coroutine; pyHanko's and the certificate checker's failures become a
    domain error (the caller's transaction then rolls back: no number is used)."""
    try:
        return run_sync(coroutine)
    except DomainError:
        raise
    except (SigningError, TimestampRequestError) as error:
        raise _signing_error(error) from error
    except (PathValidationError, PathBuildingError) as error:
        raise _signing_error(error) from error
    except (PdfError, ValueError) as error:
        raise Invalid(_("The PDF cannot be signed: %(reason)s") % {"reason": error}) from error


def _signing_error(error) -> DomainError:
    cause = error
    while cause is not None:
        if isinstance(cause, DomainError):
            return cause
        if isinstance(cause, RevokedError):
            return Conflict(_("The signing certificate has been revoked."))
        if isinstance(cause, (PathValidationError, PathBuildingError)):
            return Conflict(_("The signing certificate is not trusted or cannot be checked."))
        if isinstance(cause, (TimeoutError, OSError)):
            return Unavailable(_("A signing service (key store or timestamp authority) did not answer."))
        cause = cause.__cause__ or cause.__context__
    return Unavailable(_("The document could not be signed: %(reason)s") % {"reason": error})


def _writer(pdf: bytes) -> IncrementalPdfFileWriter:
    try:
        return IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    except (PdfError, ValueError, KeyError, IndexError) as error:
        raise Invalid(_("The file is not a readable PDF.")) from error


def _page_height(writer, page: int) -> float:
    page_ref = writer.find_page_for_modification(page)[0]
    media_box = page_ref.get_object()["/MediaBox"]
    return float(media_box[3]) - float(media_box[1])


def _reserve_signature_fields(writer, *, signer_box: Box, organisation_box: Box) -> None:
    _require_fields(writer, (NUMBER_FIELD, DATE_FIELD))
    form = writer.root["/AcroForm"]
    if form.get("/NeedAppearances"):
        # The filled fields carry their own appearance; a viewer must not redraw them.
        form[pdf_name("/NeedAppearances")] = generic.BooleanObject(False)
        writer.update_container(form)
    present = _fields_by_name(writer)
    for name, box in ((SIGNER_FIELD, signer_box), (ORGANISATION_FIELD, organisation_box)):
        if name in present:
            continue  # reserved already (a draft prepared for signing elsewhere)
        # The signer's widget first: the seal, added after it, is drawn over it.
        fields.append_signature_field(
            writer, fields.SigFieldSpec(name, on_page=box.page, box=box.rect(_page_height(writer, box.page)))
        )


def reserve_signature_fields(*, pdf: bytes, signer_box: Box, organisation_box: Box) -> bytes:
    """The approved draft for a signer who signs elsewhere (a USB token and its own
    software): the signer's and the organisation's empty signature fields are reserved in
    an incremental update, so that the signer signs in the first and the organisation, at
    issue, in the second, as when the portal signs."""
    writer = _writer(pdf)
    _reserve_signature_fields(writer, signer_box=signer_box, organisation_box=organisation_box)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def sign_as_signer(
    *,
    pdf: bytes,
    credential: SigningCredential,
    pin: str,
    signer_box: Box,
    organisation_box: Box,
    signature_png: bytes | None = None,
    reason: str = "",
    trust_anchors=(),
) -> Signed:
    """The signer certifies the approved draft (number and date left blank, as reserved
    fields); the organisation's signature field is reserved in the same revision."""
    writer = _writer(pdf)
    _reserve_signature_fields(writer, signer_box=signer_box, organisation_box=organisation_box)
    metadata = _metadata(
        SIGNER_FIELD, certify=True, reason=reason, validation_context=_validation_context(trust_anchors)
    )
    return _run(
        _sign(writer, credential=credential, pin=pin, metadata=metadata, style=signer_style(signature_png, signer_box))
    )


def fill_and_sign_as_organisation(
    *,
    pdf: bytes,
    credential: SigningCredential,
    pin: str,
    number: str,
    date: str,
    organisation_name: str,
    seal_png: bytes | None = None,
    seal_width_mm: float = 36,
    seal_height_mm: float = 36,
    reason: str = "",
    trust_anchors=(),
    organisation_box: Box | None = None,
) -> Signed:
    """The records clerk's step: fill the number and the date and apply the organisation's
    signature, in one incremental update that the signer's certification allows.

    A document nobody signed before (approved without a signer's credential) has no
    reserved organisation field: with ``organisation_box`` it is made in the same update
    (nothing certified it, so nothing forbids a new field)."""
    writer = _writer(pdf)
    if organisation_box is not None and ORGANISATION_FIELD not in _fields_by_name(writer):
        if writer.prev.embedded_signatures:
            raise Conflict(_("The signed document has no reserved place for the organisation's signature."))
        fields.append_signature_field(
            writer,
            fields.SigFieldSpec(
                ORGANISATION_FIELD,
                on_page=organisation_box.page,
                box=organisation_box.rect(_page_height(writer, organisation_box.page)),
            ),
        )
    _require_fields(writer, (NUMBER_FIELD, DATE_FIELD, ORGANISATION_FIELD))
    _fill_number_and_date(writer, number=number, date=date)
    style = organisation_style(
        seal_png, seal_width_mm=seal_width_mm, seal_height_mm=seal_height_mm, name=organisation_name
    )
    metadata = _metadata(
        ORGANISATION_FIELD, certify=False, reason=reason, validation_context=_validation_context(trust_anchors)
    )
    return _run(_sign(writer, credential=credential, pin=pin, metadata=metadata, style=style))


def _fill_number_and_date(writer, *, number: str, date: str) -> None:
    present = _fields_by_name(writer)
    _fill_text_field(writer, present[NUMBER_FIELD], number, align="right")
    _fill_text_field(writer, present[DATE_FIELD], date, font_source=ITALIC_FONT_SOURCE)


def fill_number_and_date(*, pdf: bytes, number: str, date: str) -> bytes:
    """Fill the number and the date without a signature (an organisation without a
    credential): one incremental update, which the signer's certification allows."""
    writer = _writer(pdf)
    _require_fields(writer, (NUMBER_FIELD, DATE_FIELD))
    _fill_number_and_date(writer, number=number, date=date)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def sign_attachment(
    *,
    pdf: bytes,
    credential: SigningCredential,
    pin: str,
    organisation_name: str,
    reference: str = "",
    reason: str = "",
    trust_anchors=(),
) -> Signed:
    """The organisation's signature on an attachment: no image; its name, the document's
    reference and the time, at the top right of the first page."""
    writer = _writer(pdf)
    page_ref = writer.find_page_for_modification(0)[0]
    media_box = page_ref.get_object()["/MediaBox"]
    box = attachment_box((float(media_box[2]) - float(media_box[0])) / MM)
    if ATTACHMENT_FIELD in _fields_by_name(writer):
        raise Conflict(_("This attachment is already signed by the organisation."))
    fields.append_signature_field(
        writer, fields.SigFieldSpec(ATTACHMENT_FIELD, on_page=0, box=box.rect(_page_height(writer, 0)))
    )
    style = PortalStampStyle(stamp_text=_info_text(organisation_name, reference))
    metadata = _metadata(
        ATTACHMENT_FIELD, certify=False, reason=reason, validation_context=_validation_context(trust_anchors)
    )
    return _run(_sign(writer, credential=credential, pin=pin, metadata=metadata, style=style))
