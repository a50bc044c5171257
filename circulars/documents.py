"""From a Circular row to the printed document (circulars.pdf lays it out), and the one
response that serves it to pages and API alike."""

import re

from django.http import FileResponse, Http404, HttpResponse
from django.utils.translation import gettext as _

from circulars.models import Circular, DocumentType, Secrecy, Urgency, fold
from circulars.pdf import DECISION, LETTER, NAMED, TELEGRAM, CircularDocument, render_circular_pdf
from units.models import Unit

LAYOUTS = {DocumentType.DECISION: DECISION, DocumentType.TELEGRAM: TELEGRAM}


def issuer_lines(circular: Circular) -> tuple[str, str]:
    """The issuer block of a circular (``unit_issuer_lines`` of its issuing unit)."""
    return unit_issuer_lines(circular.issuing_unit)


def unit_issuer_lines(unit: Unit) -> tuple[str, str]:
    """The issuer block: ("", "ỦY BAN NHÂN DÂN\\nHUYỆN THUẬN BẮC") from the unit's name.

    Decree 30 prints the issuing body in capitals; a People's Committee's name is split
    after "Ủy ban nhân dân", as every committee prints it. The line above names the
    managing body when the unit has one that issues too (a department under a committee)."""
    name = unit.name.upper()
    for prefix in ("ỦY BAN NHÂN DÂN ", "UỶ BAN NHÂN DÂN "):
        if name.startswith(prefix):
            name = f"ỦY BAN NHÂN DÂN\n{name[len(prefix) :]}"
            break
    parent = ""
    if unit.parent_id and unit.kind != unit.Kind.PEOPLES_COMMITTEE:
        parent = (unit.parent.short_name or unit.parent.name).upper()
    return parent, name


def printed_number(number: int) -> str:
    """ "01" … "09", then "10", "123": Decree 30 writes a zero before numbers below 10
    so that no one turns "1" into "11" by hand; the register stores the number itself."""
    return f"{number:02d}"


def printed_subject(kind: DocumentType, subject: str) -> str:
    """A công văn keeps "V/v …"; a document that prints its name writes the words out
    ("Về việc …"), as Appendix I shows under "QUYẾT ĐỊNH"."""
    if kind.is_named and subject[:4].lower() == "v/v ":
        return f"Về việc {subject[4:].lstrip()}"
    return subject


def circular_document(circular: Circular, *, for_signature: bool = False) -> CircularDocument:
    """The document as printed; ``for_signature``: the one the signer signs before issue,
    final in every word (no draft watermark, its verification code printed) but for the
    number and the date, reserved as form fields the clerk fills at issue."""
    parent, name = issuer_lines(circular)
    if circular.number:
        reference = f"Số: {printed_number(circular.number)}/{circular.notation}"
    else:
        reference = f"Số:      /{circular.notation}"
    kind = DocumentType(circular.document_type) if circular.document_type in DocumentType.values else None
    named = kind is not None and kind.is_named
    return CircularDocument(
        layout=LAYOUTS.get(kind, NAMED) if named else LETTER,
        type_name=kind.paper_name if named else "",
        authority=" ".join(name.split()),
        urgency=Urgency(circular.urgency).stamp if circular.urgency in Urgency.values else "",
        secrecy=Secrecy(circular.secrecy).stamp if circular.secrecy in Secrecy.values else "",
        issuer_parent=parent,
        issuer_name=name,
        reference=reference,
        subject=printed_subject(kind, circular.subject) if kind else circular.subject,
        place=circular.place_name or circular.issuing_unit.place_name,
        issued_on=circular.issued_on,
        recipients=circular.recipient_lines(),
        body_html=circular.body,
        copy_to=list(circular.copy_to),
        signer_title_lines=circular.signer_title_lines,
        signer_name=circular.signer.get_full_name() if circular.signer_id else "",
        verification_code=circular.verification_code,
        verification_url=circular.verification_url or None,
        draft=not circular.is_issued and not for_signature,
        reserve_fields=for_signature,
        notation=circular.notation,
    )


def render_circular(circular: Circular) -> bytes:
    return render_circular_pdf(circular_document(circular))


def pdf_filename(circular: Circular) -> str:
    """ "Cong-van-15-UBND-TH.pdf" for an issued circular, "Du-thao-Cong-van-7.pdf" before."""
    kind = circular.document_type.replace("_", "-").capitalize()
    if circular.is_issued:
        notation = re.sub(r"[^A-Za-z0-9]+", "-", fold(circular.notation).upper()).strip("-")
        return f"{kind}-{circular.number}-{notation}.pdf"
    return f"Du-thao-{kind}-{circular.pk}.pdf"


def secret_notice() -> str:
    """All the public verification says of a secret document (page and API alike)."""
    return _(
        "This verification code belongs to a document issued under secrecy: its content, signer and file "
        "are not shown on the public verification."
    )


def pdf_response(circular: Circular, *, download: bool = False):
    """The issued PDF as frozen at issue; before issue, a fresh draft preview."""
    if circular.is_issued and circular.pdf:
        # The frozen file whose SHA-256 was recorded at issue, byte for byte.
        return FileResponse(
            circular.pdf.open("rb"),
            content_type="application/pdf",
            as_attachment=download,
            filename=pdf_filename(circular),
        )
    return pdf_bytes_response(render_circular(circular), pdf_filename(circular), download=download)


def approved_draft_response(circular: Circular):
    """The approved draft as frozen at approval (what a signer signs elsewhere)."""
    if not circular.approved_draft or circular.is_issued:
        raise Http404(_("This circular has no approved draft waiting for signature."))
    return FileResponse(
        circular.approved_draft.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=f"Duyet-{pdf_filename(circular)}",
    )


def pdf_bytes_response(data: bytes, filename: str, *, download: bool = False) -> HttpResponse:
    """A PDF rendered for this request (a draft's preview, a register as of now)."""
    response = HttpResponse(data, content_type="application/pdf")
    disposition = "attachment" if download else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    # It changes with every edit or entry; never serve a stale one.
    response["Cache-Control"] = "no-store"
    return response
