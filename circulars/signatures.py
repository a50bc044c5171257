"""The digital signatures of a circular (issue 14), in the order of Decree 30 for
electronic documents: the signer signs the approved draft, whose number and date are
reserved form fields; at issue the records clerk fills them and applies the organisation's
signature. The services call these inside their transaction: a failure raises a domain
error and the transaction (the number taken included) rolls back.

The organisation's key is the issuing unit's credential: the issuing unit is the
organisation whose name, seal and number the document carries."""

import hashlib
from dataclasses import asdict
from pathlib import Path

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from circulars.documents import circular_document, printed_number
from circulars.models import Circular, SignatureStatus
from circulars.pdf import Place, format_date_words, render_circular_with_signature_place
from core import uploads
from core.errors import Invalid
from signing.models import SignatureImage, SigningCredential
from signing.pdf import (
    Box,
    fill_and_sign_as_organisation,
    fill_number_and_date,
    reserve_signature_fields,
    seal_box,
    sign_as_signer,
    sign_attachment,
)
from signing.validation import ALLOWED_CHANGES, active_trust_anchors, validate

# The signer's image is drawn at most this wide, centred in the room the layout leaves.
SIGNATURE_WIDTH_MM = 60
ALLOWED_LEVELS = {level.name.lower() for level in ALLOWED_CHANGES}
# A seal without a recorded size (none uploaded) is drawn as a district committee's.
DEFAULT_SEAL_MM = 36


def signer_box(place: Place) -> Box:
    width = min(SIGNATURE_WIDTH_MM, place.width)
    return Box(
        page=place.page, left=place.left + (place.width - width) / 2, top=place.top, width=width, height=place.height
    )


def _seal(unit) -> tuple[bytes | None, float, float]:
    image = SignatureImage.objects.filter(kind=SignatureImage.Kind.SEAL, unit=unit, active=True).first()
    if image is None:
        return None, DEFAULT_SEAL_MM, DEFAULT_SEAL_MM
    with image.image.open("rb") as handle:
        return handle.read(), float(image.width_mm), float(image.height_mm)


def _signature_png(user) -> bytes | None:
    image = SignatureImage.objects.filter(kind=SignatureImage.Kind.SIGNATURE, user=user, active=True).first()
    if image is None:
        return None
    with image.image.open("rb") as handle:
        return handle.read()


def organisation_box(circular: Circular, place: Place) -> Box:
    _png, width, height = _seal(circular.issuing_unit)
    return seal_box(signer_box(place), seal_width_mm=width, seal_height_mm=height)


def signer_credential(user) -> SigningCredential | None:
    return SigningCredential.objects.for_signer(user)


def organisation_credential(circular: Circular) -> SigningCredential | None:
    return SigningCredential.objects.for_organisation(circular.issuing_unit)


def approved_draft(circular: Circular, *, by, pin: str | None) -> tuple[bytes, bytes | None, Place]:
    """The approved draft, frozen, and the draft signed by ``by`` when ``by`` has an active
    credential (``None`` otherwise: the signer may sign it elsewhere and upload it).
    Raises ``Invalid`` when a credential exists and no PIN is given."""
    pdf, place = render_circular_with_signature_place(circular_document(circular, for_signature=True))
    signer, organisation = signer_box(place), organisation_box(circular, place)
    credential = signer_credential(by)
    if credential is None:
        return reserve_signature_fields(pdf=pdf, signer_box=signer, organisation_box=organisation), None, place
    if not pin:
        raise Invalid(_("Type the PIN or password of your signing key to sign the circular."))
    signed = sign_as_signer(
        pdf=pdf,
        credential=credential,
        pin=pin,
        signer_box=signer,
        organisation_box=organisation,
        signature_png=_signature_png(by),
        trust_anchors=active_trust_anchors(),
    )
    return pdf, signed.pdf, place


def place_of(circular: Circular) -> Place | None:
    return Place(**circular.signature_place) if circular.signature_place else None


def place_as_json(place: Place) -> dict:
    return asdict(place)


def issued_pdf(circular: Circular, *, pin: str | None) -> bytes | None:
    """The issued document signed by the organisation, number and date filled: from the
    signer's signed draft when there is one, else from the approved document laid out
    again. ``None`` when the organisation has no credential and nobody signed the draft:
    the caller renders it as before signatures existed. Needs ``circular.number`` and
    ``issued_on`` set."""
    credential = organisation_credential(circular)
    signed_draft = _read(circular.signed_draft)
    if credential is None:
        if signed_draft is None:
            return None
        # The signer's signature stays valid: its certification allows filling the form.
        return fill_number_and_date(
            pdf=signed_draft, number=printed_number(circular.number), date=format_date_words(circular.issued_on)
        )
    if not pin:
        raise Invalid(_("Type the PIN or password of the organisation's signing key to issue the circular."))
    seal_png, seal_width, seal_height = _seal(circular.issuing_unit)
    box = None
    if signed_draft is None:
        pdf, place = render_circular_with_signature_place(circular_document(circular, for_signature=True))
        box = organisation_box(circular, place)
    else:
        pdf = signed_draft
    signed = fill_and_sign_as_organisation(
        pdf=pdf,
        credential=credential,
        pin=pin,
        number=printed_number(circular.number),
        date=format_date_words(circular.issued_on),
        organisation_name=circular.issuing_unit.name,
        seal_png=seal_png,
        seal_width_mm=seal_width,
        seal_height_mm=seal_height,
        trust_anchors=active_trust_anchors(),
        organisation_box=box,
    )
    return signed.pdf


def sign_attachments(circular: Circular, *, pin: str | None) -> int:
    """At issue, the organisation's signature on each PDF attachment of the circular
    (Decree 30, Appendix I: no image, at the top right of the first page), so that every
    file a unit receives is signed. Nothing when the organisation has no credential; the
    PIN is the one ``issued_pdf`` just used. Returns how many were signed."""
    credential = organisation_credential(circular)
    if credential is None:
        return 0
    signed = 0
    for attachment in circular.attachments.filter(content_type=uploads.PDF.content_type):
        result = sign_attachment(
            pdf=_read(attachment.file),
            credential=credential,
            pin=pin,
            organisation_name=circular.issuing_unit.name,
            reference=circular.reference,
            trust_anchors=active_trust_anchors(),
        )
        attachment.file.save(Path(attachment.file.name).name, ContentFile(result.pdf), save=False)
        attachment.size = len(result.pdf)
        attachment.sha256 = hashlib.sha256(result.pdf).hexdigest()
        attachment.save(update_fields=["file", "size", "sha256"])
        signed += 1
    return signed


def _read(field) -> bytes | None:
    if not field:
        return None
    with field.open("rb") as handle:
        return handle.read()


def signature_reports(pdf: bytes) -> list[dict]:
    """The signatures of ``pdf`` as the API writes them (issue 14's fields), checked
    against the administrator's trust anchors. Raises ``Invalid`` for a non-PDF."""
    return [report.as_dict() for report in validate(pdf)]


def stored_signatures(circular: Circular) -> list[dict]:
    """The signatures of the circular's issued PDF ([] before issue)."""
    data = _read(circular.pdf)
    return signature_reports(data) if data else []


def incoming_signatures(files) -> tuple[str, list[dict]]:
    """The verdict and report of a received dispatch's signatures: those of its first PDF
    (the document itself; later files are its annexes). ("", []) without a PDF; a file
    that claims to be a PDF and cannot be read counts as not valid."""
    document = next((checked for checked in files if checked.kind == uploads.PDF), None)
    if document is None:
        return SignatureStatus.NO_PDF, []
    try:
        reports = signature_reports(document.data)
    except Invalid:
        return SignatureStatus.INVALID, []
    return SignatureStatus.of(reports), reports


def verification_code_of(pdf: bytes) -> str | None:
    """The verification code of the issued circular that is exactly this file."""
    digest = hashlib.sha256(pdf).hexdigest()
    return Circular.objects.issued().filter(sha256=digest).values_list("verification_code", flat=True).first()


def verdict(report: dict) -> str:
    """One signature's verdict in a sentence (the verification page, the register)."""
    if not report["intact"] or (report["modification_level"] not in ALLOWED_LEVELS):
        return _("The document was changed after it was signed.")
    if not report["valid"]:
        return _("The signature is not valid.")
    if not report["trusted"]:
        return _("The signature is intact, but its certificate is not trusted yet.")
    return _("Valid signature.")


def with_verdicts(reports: list[dict]) -> list[dict]:
    return [{**report, "verdict": verdict(report), "ok": report["valid"] and report["trusted"]} for report in reports]
