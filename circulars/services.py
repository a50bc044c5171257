"""Every write of the circulars app: registering dispatches, drafting, the signing
lifecycle and issuing. Keyword-only functions, one transaction each, the event row written
inside it. Views and the API call these; neither repeats their rules."""

import datetime
import hashlib
import re
import secrets

import nh3
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from circulars import handling, signatures
from circulars.documents import render_circular
from circulars.models import (
    ActionItem,
    Attachment,
    Circular,
    CircularEvent,
    CircularRelation,
    DocumentType,
    HandlingStatus,
    IncomingDispatch,
    NoSwapsYear,
    NumberingRegister,
    RegisterEvent,
    Secrecy,
    Urgency,
)
from circulars.notation import build_notation, clean_notation
from circulars.policy import FROM_STATES, may
from core import formatting
from core.errors import Conflict, Forbidden, Invalid
from core.uploads import CheckedFile
from signing.validation import check_incremental_signature
from units.models import Unit
from units.roles import PortalRole, has_role

# --- Rich text ----------------------------------------------------------------------

ALLOWED_TAGS = {"p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "blockquote", "h3", "h4", "a"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
# Text that contains one of these tags is taken as HTML; anything else as plain text.
HTML_TAG = re.compile(r"</?(p|br|strong|b|em|i|u|ul|ol|li|blockquote|h[1-6]|a|div|span|table|script|img)\b", re.I)


def sanitize_body(text: str) -> str:
    """The body as safe HTML. Plain text is accepted too: blank lines separate
    paragraphs and lines starting with "- " become a list, as clerks type them."""
    text = (text or "").strip()
    if not HTML_TAG.search(text):
        blocks = []
        for block in re.split(r"\n\s*\n", text):
            lines = [line.strip() for line in block.splitlines() if line.strip()]
            if not lines:
                continue
            if all(line.startswith(("- ", "– ")) for line in lines):
                items = "".join(f"<li>{escape(line[2:].strip())}</li>" for line in lines)
                blocks.append(f"<ul>{items}</ul>")
            else:
                blocks.append("<p>" + "<br>".join(escape(line) for line in lines) + "</p>")
        text = "".join(blocks)
    return nh3.clean(
        text, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes={"http", "https", "mailto"}
    ).strip()


def _clean_lines(lines) -> list[str]:
    return [" ".join(str(line).split()) for line in (lines or []) if str(line).strip()]


# --- Numbering ----------------------------------------------------------------------


# The committee's own registers; each unit's incoming register (``unit_in``) is kept by
# distribution (acknowledgements.fanout.number_arrivals), never restarted by hand.
COMMITTEE_REGISTERS = (NumberingRegister.Kind.INCOMING, NumberingRegister.Kind.OUTGOING)


def lock_register(kind: str, year: int) -> NumberingRegister:
    """The committee's register row of ``kind`` for ``year``, locked until the transaction ends."""
    NumberingRegister.objects.get_or_create(kind=kind, year=year, unit=None)
    return NumberingRegister.objects.select_for_update().get(kind=kind, year=year, unit=None)


def take_number(kind: str, year: int) -> int:
    """The next number of a register for a year. Call inside the transaction that uses it:
    the register row stays locked until that transaction ends, and a rollback returns the
    number (no gap)."""
    register = lock_register(kind, year)
    register.last_number += 1
    register.save(update_fields=["last_number"])
    return register.last_number


MAX_REGISTER_NUMBER = 999_999


def restart_register(*, kind: str, start_at: int, by, note: str = "") -> NumberingRegister:
    """Start this year's register of ``kind`` from ``start_at`` (the next number it gives),
    as when the office takes over from a paper register mid-year. Decided on the locked
    register row and recorded as a RegisterEvent in the same transaction. A register never
    goes back: a start at or below the last number given is a Conflict."""
    if not may(by, "restart_register"):
        raise Forbidden(_("Only an administrator starts a register from a given number."))
    if kind not in COMMITTEE_REGISTERS:
        raise Invalid(
            _("There is no register “%(kind)s”; the registers are: %(kinds)s.")
            % {"kind": kind, "kinds": ", ".join(COMMITTEE_REGISTERS)}
        )
    if not 1 <= start_at <= MAX_REGISTER_NUMBER:
        raise Invalid(_("A register starts from a number between 1 and %(max)d.") % {"max": MAX_REGISTER_NUMBER})
    year = timezone.localdate().year
    with transaction.atomic():
        register = lock_register(kind, year)
        if start_at <= register.last_number:
            raise Conflict(
                _(
                    "The %(register)s of %(year)s has already given number %(last)d; it never goes back: "
                    "start it from %(next)d or above."
                )
                % {
                    "register": register.get_kind_display().lower(),
                    "year": year,
                    "last": register.last_number,
                    "next": register.last_number + 1,
                }
            )
        RegisterEvent.objects.create(
            register=register,
            from_number=register.last_number,
            to_number=start_at,
            actor=by,
            note=" ".join((note or "").split())[: RegisterEvent._meta.get_field("note").max_length],
        )
        register.last_number = start_at - 1
        register.save(update_fields=["last_number"])
    return register


def answer_no_swaps(*, year: int, by) -> NoSwapsYear:
    """The administrator says the Government swaps no working days in ``year``: the
    reminder to enter that year's swaps stops. Answering twice keeps the first answer."""
    if not may(by, "calendar"):
        raise Forbidden(_("Only an administrator keeps the calendar of working days."))
    today = timezone.localdate()
    if not today.year <= year <= today.year + 1:
        raise Invalid(
            _("Answer for this year or next year only (%(this)d or %(next)d).")
            % {"this": today.year, "next": today.year + 1}
        )
    answer, _created = NoSwapsYear.objects.get_or_create(year=year, defaults={"answered_by": by})
    return answer


# --- Incoming register --------------------------------------------------------------


def parse_reference(reference: str) -> tuple[str, str]:
    """ "2980/STTTT-TTra" → ("2980", "STTTT-TTra"); the number part must be present."""
    reference = " ".join((reference or "").split())
    number, _sep, notation = reference.partition("/")
    number, notation = number.strip(), notation.strip()
    if not number:
        raise Invalid(_("Write the reference as on the document, for example 2980/STTTT-TTra."))
    number_field, notation_field = (IncomingDispatch._meta.get_field(name) for name in ("number", "notation"))
    if len(number) > number_field.max_length or len(notation) > notation_field.max_length:
        raise Invalid(
            _("The number is at most %(number)d characters and the notation at most %(notation)d.")
            % {"number": number_field.max_length, "notation": notation_field.max_length}
        )
    return number, notation


def _attach(files: list[CheckedFile], *, by, incoming=None, circular=None) -> None:
    for checked in files:
        Attachment.store(checked, incoming=incoming, circular=circular, uploaded_by=by)


def find_duplicate_incoming(*, issuer: str, reference: str, document_date) -> IncomingDispatch | None:
    number, notation = parse_reference(reference)
    return IncomingDispatch.objects.filter(
        issuer__iexact=" ".join(issuer.split()), number=number, notation__iexact=notation, document_date=document_date
    ).first()


def _check_incoming_dates(
    *,
    document_date: datetime.date,
    received_on: datetime.date,
    transferred_on: datetime.date | None,
    today: datetime.date | None = None,
) -> None:
    today = today or timezone.localdate()
    if received_on > today:
        raise Invalid(_("The date received cannot be in the future."))
    if document_date > received_on:
        raise Invalid(_("A document cannot be dated after the day it was received."))
    if transferred_on is not None and transferred_on < received_on:
        raise Invalid(
            _("The date transferred cannot be before %(date)s, the day the dispatch was received.")
            % {"date": formatting.day(received_on)}
        )
    if transferred_on is not None and transferred_on > today:
        raise Invalid(_("The date transferred cannot be in the future."))


def _check_arrival_order(*, year: int, number: int, received_on: datetime.date) -> None:
    """The register is kept in arrival order: entry ``number`` of ``year`` is received
    neither before the entry above it nor after the entry below it. Call with the
    register row of the year locked (``take_number``, ``update_incoming``)."""
    entries = IncomingDispatch.objects.filter(arrival_year=year).values_list("arrival_number", "received_on")
    previous = entries.filter(arrival_number__lt=number).order_by("-arrival_number").first()
    if previous and received_on < previous[1]:
        raise Invalid(
            _("The date received cannot be before %(date)s, the date of arrival no. %(number)s/%(year)s.")
            % {"date": formatting.day(previous[1]), "number": previous[0], "year": year}
        )
    following = entries.filter(arrival_number__gt=number).order_by("arrival_number").first()
    if following and received_on > following[1]:
        raise Invalid(
            _("The date received cannot be after %(date)s, the date of arrival no. %(number)s/%(year)s.")
            % {"date": formatting.day(following[1]), "number": following[0], "year": year}
        )


def register_incoming(
    *,
    by,
    issuer: str,
    reference: str,
    document_date: datetime.date,
    subject: str,
    document_type: str = DocumentType.OFFICIAL_LETTER,
    signer_name: str = "",
    urgency: str = Urgency.NORMAL,
    received_on: datetime.date | None = None,
    due_on: datetime.date | None = None,
    handled_by: str = "",
    transferred_on: datetime.date | None = None,
    note: str = "",
    files: list[CheckedFile] = (),
    at: datetime.datetime | None = None,
) -> IncomingDispatch:
    """Enter a received document in the incoming register with the next arrival number
    of the year it arrived. The same document (issuer, reference, date) twice is refused,
    and so is a date received earlier than the year's last entry's (the register is kept
    in arrival order). ``at`` is the moment of registration: now, unless a recorded
    history is replayed (the demo); dates are checked against its day."""
    if not may(by, "register"):
        raise Forbidden(_("Only the records clerk registers incoming dispatches."))
    today = timezone.localdate(at) if at else timezone.localdate()
    received_on = received_on or today
    _check_incoming_dates(
        document_date=document_date, received_on=received_on, transferred_on=transferred_on, today=today
    )
    issuer = " ".join(issuer.split())
    number, notation = parse_reference(reference)
    existing = find_duplicate_incoming(issuer=issuer, reference=reference, document_date=document_date)
    if existing:
        raise Conflict(
            _("This dispatch is already registered as arrival number %(n)s/%(y)s.")
            % {"n": existing.arrival_number, "y": existing.arrival_year},
            existing_id=existing.pk,
        )
    # Checked before the register is locked: validation reads certificates, not the register.
    signature_status, signature_report = signatures.incoming_signatures(list(files))
    try:
        with transaction.atomic():
            arrival_number = take_number(NumberingRegister.Kind.INCOMING, received_on.year)
            # Decided after the register row is locked: a clerk registering at the same
            # moment has either committed the previous entry (seen here) or waits.
            _check_arrival_order(year=received_on.year, number=arrival_number, received_on=received_on)
            dispatch = IncomingDispatch.objects.create(
                arrival_year=received_on.year,
                arrival_number=arrival_number,
                issuer=issuer,
                number=number,
                notation=notation,
                document_date=document_date,
                document_type=document_type,
                subject=" ".join(subject.split()),
                signer_name=signer_name.strip(),
                urgency=urgency,
                received_on=received_on,
                due_on=due_on,
                handled_by=handled_by.strip(),
                transferred_on=transferred_on,
                note=note.strip(),
                registered_by=by,
                signature_status=signature_status,
                signature_report=signature_report,
            )
            if at is not None:
                # registered_at is stamped on insert; a replayed history dates it itself.
                IncomingDispatch.objects.filter(pk=dispatch.pk).update(registered_at=at)
                dispatch.registered_at = at
            _attach(list(files), by=by, incoming=dispatch)
    except IntegrityError:
        # Another clerk registered the same document a moment ago.
        existing = find_duplicate_incoming(issuer=issuer, reference=reference, document_date=document_date)
        if existing is None:
            raise
        raise Conflict(_("This dispatch was just registered by someone else."), existing_id=existing.pk) from None
    return dispatch


# Fields of an entry that may be corrected after registration; its number and year never change.
INCOMING_EDITABLE = (
    "issuer",
    "document_date",
    "document_type",
    "subject",
    "signer_name",
    "urgency",
    "received_on",
    "due_on",
    "handled_by",
    "transferred_on",
    "note",
)


def check_incoming_entry(dispatch: IncomingDispatch) -> None:
    """The rules an entry of the register keeps, checked on its values as they are about to
    be saved: dates against each other and against the entries above and below it."""
    if dispatch.received_on.year != dispatch.arrival_year:
        raise Invalid(
            _("Arrival no. %(number)s/%(year)s belongs to the register of %(year)s: the date received stays in it.")
            % {"number": dispatch.arrival_number, "year": dispatch.arrival_year}
        )
    _check_incoming_dates(
        document_date=dispatch.document_date, received_on=dispatch.received_on, transferred_on=dispatch.transferred_on
    )
    _check_arrival_order(year=dispatch.arrival_year, number=dispatch.arrival_number, received_on=dispatch.received_on)


# The register's columns an assignment fills ("Đơn vị hoặc người nhận", "Ngày chuyển", the
# due date): typed by the clerk until the dispatch is assigned, the assignment's after.
ASSIGNMENT_COLUMNS = ("handled_by", "transferred_on", "due_on")


def update_incoming(*, dispatch: IncomingDispatch, by, changes: dict) -> IncomingDispatch:
    """Correct an entry of the incoming register (``INCOMING_EDITABLE`` fields), or record
    the day it was passed on. The year's register row is locked first, as when a number is
    taken, so the arrival order is decided against entries nobody is changing meanwhile."""
    if not may(by, "register"):
        raise Forbidden(_("Only the records clerk keeps the incoming register."))
    unknown = set(changes) - set(INCOMING_EDITABLE)
    if unknown:
        raise Invalid(
            _("These fields of an entry cannot be changed: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
        )
    try:
        with transaction.atomic():
            lock_register(NumberingRegister.Kind.INCOMING, dispatch.arrival_year)
            locked = IncomingDispatch.objects.select_for_update().get(pk=dispatch.pk)
            assigned = locked.handling_status in (HandlingStatus.ASSIGNED, HandlingStatus.DONE)
            from_assignment = {f for f in ASSIGNMENT_COLUMNS if f in changes and changes[f] != getattr(locked, f)}
            if assigned and from_assignment:
                raise Conflict(
                    _(
                        "The handler, the day it was passed on and the due date come from its assignment: "
                        "assign it again."
                    )
                )
            for field, value in changes.items():
                setattr(locked, field, " ".join(value.split()) if isinstance(value, str) else value)
            check_incoming_entry(locked)
            locked.save()
    except IntegrityError:
        raise Conflict(_("Another entry of the register is already this document.")) from None
    return locked


# --- Drafting -----------------------------------------------------------------------

DRAFT_FIELDS = (
    "document_type",
    "subject",
    "body",
    "notation_override",
    "drafting_unit",
    "recipients_text",
    "copy_to",
    "monitoring_unit",
    "ack_due_working_days",
    "report_due_on",
    "urgency",
    "secrecy",
    "signer",
    "signer_title",
)


def default_issuing_unit() -> Unit:
    """The top unit of the tree: the People's Committee that issues circulars."""
    unit = Unit.objects.filter(parent__isnull=True, active=True).order_by("sort_order", "id").first()
    if unit is None:
        raise Invalid(_("No issuing body is set up yet: an administrator must create the units first."))
    return unit


def default_drafting_unit(user) -> Unit | None:
    """The drafter's own unit when there is exactly one: its abbreviation ends a công
    văn's notation ("TH" in "UBND-TH"). The form and the API may name another."""
    unit_ids = user.unit_ids
    return Unit.objects.filter(pk=unit_ids[0]).first() if len(unit_ids) == 1 else None


def _check_choice(value, choices, message: str) -> None:
    if value is not None and value not in choices.values:
        allowed = ", ".join(f"{code} ({label})" for code, label in choices.choices)
        raise Invalid(message % {"value": value, "allowed": allowed})


def _check_draft_data(data: dict) -> None:
    if not (data.get("subject") or "").strip():
        raise Invalid(_("The subject (V/v …) is required."))
    _check_choice(
        data.get("document_type"), DocumentType, _("“%(value)s” is not a document type; the types are: %(allowed)s.")
    )
    _check_choice(data.get("secrecy"), Secrecy, _("“%(value)s” is not a secrecy level; the levels are: %(allowed)s."))
    clean_notation(data.get("notation_override"))
    signer = data.get("signer")
    if signer is not None and not has_role(signer, PortalRole.SIGNER):
        raise Invalid(_("%(name)s cannot sign circulars.") % {"name": signer.get_full_name()})
    days = data.get("ack_due_working_days")
    if days is not None and not 0 < int(days) <= 60:
        raise Invalid(_("The acknowledgement deadline must be between 1 and 60 working days."))


def _apply_draft(
    circular: Circular, data: dict, *, recipient_groups, recipient_units, action_items, in_response_to
) -> None:
    for field in DRAFT_FIELDS:
        if field in data:
            setattr(circular, field, data[field])
    circular.subject = " ".join(circular.subject.split())
    circular.body = sanitize_body(circular.body)
    circular.copy_to = _clean_lines(circular.copy_to)
    circular.notation_override = clean_notation(circular.notation_override)
    circular.notation = circular.notation_override or build_notation(
        circular.document_type, circular.issuing_unit, circular.drafting_unit
    )
    circular.save()
    if recipient_groups is not None:
        circular.recipient_groups.set(recipient_groups)
    if recipient_units is not None:
        circular.recipient_units.set(recipient_units)
    if in_response_to is not None:
        circular.in_response_to.set(in_response_to)
    if action_items is not None:
        circular.action_items.all().delete()
        ActionItem.objects.bulk_create(
            ActionItem(circular=circular, position=i, text=text)
            for i, text in enumerate(_clean_lines(action_items), start=1)
        )


def _event(circular: Circular, *, by, action: str, from_status: str, comment: str = "", at=None) -> None:
    CircularEvent.objects.create(
        circular=circular,
        actor=by,
        action=action,
        from_status=from_status,
        to_status=circular.status,
        comment=comment,
        at=at or timezone.now(),
    )


def _relation(*, replaces: Circular | None, corrects: Circular | None) -> tuple[Circular, int] | None:
    """The document a new draft replaces or corrects, with its QCVN 102 relation type.
    Decided on the locked row of the named document: it must be in force (issued or
    distributed, not recalled or already replaced)."""
    if replaces is not None and corrects is not None:
        raise Invalid(_("A document either replaces or corrects another one, not both."))
    target, kind, step = (
        (replaces, CircularRelation.Kind.REPLACE, "replace")
        if replaces is not None
        else (corrects, CircularRelation.Kind.UPDATE, "correct")
    )
    if target is None:
        return None
    locked = Circular.objects.select_for_update().get(pk=target.pk)
    if locked.status not in FROM_STATES[step]:
        raise Invalid(
            _("Only an issued document in force can be replaced or corrected; %(ref)s is “%(status)s”.")
            % {"ref": locked.reference or _("this draft"), "status": locked.get_status_display()}
        )
    return locked, kind


def create_draft(
    *,
    by,
    data: dict,
    recipient_groups=(),
    recipient_units=(),
    action_items=(),
    in_response_to=(),
    files: list[CheckedFile] = (),
    at=None,
    replaces: Circular | None = None,
    corrects: Circular | None = None,
) -> Circular:
    """A new draft. One that ``replaces`` or ``corrects`` an issued document names it
    here, once: its distribution then reaches that document's units too, and a
    replacement closes the old document's deliveries (acknowledgements.services)."""
    if not may(by, "draft"):
        raise Forbidden(_("Only drafters write circulars."))
    _check_draft_data(data)
    with transaction.atomic():
        relation = _relation(replaces=replaces, corrects=corrects)
        issuing_unit = data.get("issuing_unit") or default_issuing_unit()
        circular = Circular(
            created_by=by,
            issuing_unit=issuing_unit,
            place_name=issuing_unit.place_name,
            drafting_unit=default_drafting_unit(by),
        )
        _apply_draft(
            circular,
            data,
            recipient_groups=list(recipient_groups),
            recipient_units=list(recipient_units),
            action_items=list(action_items),
            in_response_to=list(in_response_to),
        )
        _attach(list(files), by=by, circular=circular)
        if relation is not None:
            target, kind = relation
            CircularRelation.objects.create(circular=circular, target=target, kind=kind)
        _event(circular, by=by, action="create", from_status="", at=at)
    return circular


def update_draft(
    *,
    circular: Circular,
    by,
    data: dict,
    recipient_groups=None,
    recipient_units=None,
    action_items=None,
    in_response_to=None,
    files: list[CheckedFile] = (),
) -> Circular:
    if not may(by, "draft"):
        raise Forbidden(_("Only drafters edit circulars."))
    _check_draft_data({"subject": circular.subject, **data})
    with transaction.atomic():
        circular = Circular.objects.select_for_update().get(pk=circular.pk)
        if not circular.is_editable:
            raise Conflict(
                _("A circular that is “%(status)s” can no longer be edited.")
                % {"status": circular.get_status_display()}
            )
        _apply_draft(
            circular,
            data,
            recipient_groups=recipient_groups,
            recipient_units=recipient_units,
            action_items=action_items,
            in_response_to=in_response_to,
        )
        _attach(list(files), by=by, circular=circular)
        _event(circular, by=by, action="edit", from_status=circular.status)
    return circular


# --- Lifecycle ----------------------------------------------------------------------


def _transition(
    circular: Circular, *, by, allowed_from, to: str, action: str, comment: str = "", check=None, at=None, **changes
):
    """Move a circular to ``to`` if its current state allows it; lock the row first so
    that two people acting at once see each other's change. ``check(locked)``, when
    given, decides on the locked row whether ``by`` may take the step (it raises).
    ``at`` is the moment of the step: now, unless a recorded history is replayed."""
    with transaction.atomic():
        locked = Circular.objects.select_for_update().get(pk=circular.pk)
        if check is not None:
            check(locked)
        if locked.status not in allowed_from:
            raise Conflict(
                _("This circular is “%(status)s”; it cannot be %(action)s now.")
                % {"status": locked.get_status_display(), "action": ACTION_WORDS[action]()}
            )
        from_status = locked.status
        locked.status = to
        for field, value in changes.items():
            setattr(locked, field, value)
        locked.save()
        _event(locked, by=by, action=action, from_status=from_status, comment=comment, at=at)
    return locked


ACTION_WORDS = {
    "submit": lambda: _("submitted for signature"),
    "approve": lambda: _("approved"),
    "return": lambda: _("returned"),
    "issue": lambda: _("issued"),
    "withdraw": lambda: _("withdrawn"),
    "recall": lambda: _("recalled"),
}


def submit(*, circular: Circular, by, at=None) -> Circular:
    if not may(by, "submit"):
        raise Forbidden(_("Only drafters submit circulars for signature."))
    if circular.signer_id is None:
        raise Invalid(_("Choose who signs the circular before submitting it."))
    if (
        not circular.recipient_groups.exists()
        and not circular.recipient_units.exists()
        # A replacement or a correction goes to the named document's units anyway.
        and not circular.relations_from.exists()
    ):
        raise Invalid(_("Choose at least one recipient before submitting."))
    return _transition(
        circular, by=by, allowed_from=FROM_STATES["submit"], to=Circular.Status.SUBMITTED, action="submit", at=at
    )


def approve(*, circular: Circular, by, pin: str | None = None, at=None) -> Circular:
    """The signer approves the draft: the approved document (number and date as reserved
    fields, its verification code printed) is frozen and, when the signer has an active
    signing credential, signed with it (``pin`` unlocks the key). A wrong PIN, an expired
    certificate or a key store that does not answer raises, and nothing is approved.
    ``at``, the moment, is now unless a recorded history is replayed (the demo's circular
    of 2024)."""
    if not may(by, "approve"):
        raise Forbidden(_("Only a signer approves circulars."))
    with transaction.atomic():
        locked = Circular.objects.select_for_update().get(pk=circular.pk)
        if locked.status not in FROM_STATES["approve"]:
            raise Conflict(
                _("This circular is “%(status)s”; it cannot be %(action)s now.")
                % {"status": locked.get_status_display(), "action": ACTION_WORDS["approve"]()}
            )
        # Printed on the signed document, so given now; public only once issued (verifiable()).
        locked.verification_code = locked.verification_code or new_verification_code()
        approved_pdf, signed_pdf, place = signatures.approved_draft(locked, by=by, pin=pin)
        locked.signature_place = signatures.place_as_json(place)
        locked.approved_draft.save(f"{locked.pk}-{locked.verification_code}.pdf", ContentFile(approved_pdf), save=False)
        if signed_pdf is not None:
            locked.signed_draft.save(f"{locked.pk}-{locked.verification_code}.pdf", ContentFile(signed_pdf), save=False)
        from_status = locked.status
        locked.status = Circular.Status.APPROVED
        locked.save()
        _event(
            locked,
            by=by,
            action="approve",
            from_status=from_status,
            comment=_("Signed digitally.") if signed_pdf is not None else "",
            at=at,
        )
    return locked


def upload_signed_draft(*, circular: Circular, by, data: bytes) -> Circular:
    """A signer who signed the approved draft outside the portal (a USB token) hands in
    the signed file: accepted only if it is the approved draft byte for byte plus a valid
    signature in an incremental update; refused with the reason otherwise."""
    if not may(by, "approve"):
        raise Forbidden(_("Only a signer hands in a signed draft."))
    with transaction.atomic():
        locked = Circular.objects.select_for_update().get(pk=circular.pk)
        if locked.status != Circular.Status.APPROVED or not locked.approved_draft:
            raise Conflict(_("Only an approved circular that is not issued yet takes a signed draft."))
        if locked.signed_draft:
            raise Conflict(_("This circular's draft is signed already."))
        with locked.approved_draft.open("rb") as handle:
            original = handle.read()
        check_incremental_signature(original, data)
        locked.signed_draft.save(f"{locked.pk}-{locked.verification_code}.pdf", ContentFile(data), save=False)
        locked.save(update_fields=["signed_draft", "updated_at"])
        _event(locked, by=by, action="sign", from_status=locked.status, comment=_("Signed outside the portal."))
    return locked


def return_to_drafter(*, circular: Circular, by, comment: str) -> Circular:
    if not may(by, "return"):
        raise Forbidden(_("Only a signer returns circulars."))
    comment = (comment or "").strip()
    if not comment:
        raise Invalid(_("Say what must change: the comment is required."))
    # A signed draft is of the text as approved: the text changes, so it goes.
    return _transition(
        circular,
        by=by,
        allowed_from=FROM_STATES["return"],
        to=Circular.Status.RETURNED,
        action="return",
        comment=comment,
        approved_draft="",
        signed_draft="",
        signature_place=None,
    )


def withdraw(*, circular: Circular, by, reason: str = "") -> Circular:
    """Withdraw a document not yet issued. An issued one is recalled instead, which
    reaches its units: the acknowledgements app's ``withdraw`` (the pages' and the API's)
    recalls it; here it is refused."""

    def check(locked: Circular) -> None:
        # Decided on the locked row: a drafter's withdraw that races the clerk's issue
        # must see the circular as issued, and be refused.
        if locked.is_issued and not may(by, "recall"):
            raise Forbidden(_("Only a signer withdraws an issued circular."))
        if not locked.is_issued and not may(by, "withdraw"):
            raise Forbidden(_("Only drafters and signers withdraw circulars."))

    if not may(by, "withdraw") and not may(by, "recall"):
        raise Forbidden(_("Only drafters and signers withdraw circulars."))
    return _transition(
        circular,
        by=by,
        allowed_from=FROM_STATES["withdraw"],
        to=Circular.Status.WITHDRAWN,
        action="withdraw",
        comment=reason,
        check=check,
    )


VERIFICATION_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"  # no 0/O, 1/I/L, U: read aloud over a phone


def new_verification_code() -> str:
    raw = "".join(secrets.choice(VERIFICATION_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def issue_dates(approved_on: datetime.date | None, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last day a document approved on ``approved_on`` may be dated when it
    is issued ``today``: not before it was signed, not in the future, and in this year,
    whose register gives its number (no number is ever taken in a past year's register)."""
    first = datetime.date(today.year, 1, 1)
    if approved_on is not None:
        first = max(first, approved_on)
    return first, today


def issue(
    *,
    circular: Circular,
    by,
    issued_on: datetime.date | None = None,
    pin: str | None = None,
    at: datetime.datetime | None = None,
) -> Circular:
    """Give the circular the next number of the outgoing register of its year, date it,
    render its PDF and freeze it. All in one transaction: a failure anywhere (the PDF
    included) leaves the register as it was, with no gap.

    The date of issue lies between the day the circular was approved (signed) and today,
    within this year; ``at`` (now, unless a recorded history is replayed) is "today".

    With the organisation's signing credential (the issuing unit's), the number and date
    are filled in the reserved fields and the organisation signs (``pin`` unlocks its
    key, typed by the records clerk who keeps it); a signature that fails rolls the whole
    issue back, the number included. The stored PDF and its SHA-256 are the final signed
    file's."""
    if not may(by, "issue"):
        raise Forbidden(_("Only the records clerk issues circulars."))
    now = at or timezone.now()
    today = timezone.localdate(now)
    issued_on = issued_on or today
    with transaction.atomic():
        locked = Circular.objects.select_for_update().get(pk=circular.pk)
        if locked.status not in FROM_STATES["issue"]:
            raise Conflict(
                _("This circular is “%(status)s”; only an approved circular can be issued.")
                % {"status": locked.get_status_display()}
            )
        approved_at = locked.events.filter(action="approve").order_by("-at", "-id").values_list("at", flat=True).first()
        approved_on = timezone.localdate(approved_at) if approved_at else None
        first, last_allowed = issue_dates(approved_on, today)
        if not first <= issued_on <= last_allowed:
            raise Invalid(
                _(
                    "The date of issue must be between %(first)s and %(last)s: not before the circular was "
                    "signed (%(approved)s), not in the future, and in %(year)d, whose register gives the number."
                )
                % {
                    "first": formatting.day(first),
                    "last": formatting.day(last_allowed),
                    "approved": formatting.day(approved_on) if approved_on else "—",
                    "year": today.year,
                }
            )
        number = take_number(NumberingRegister.Kind.OUTGOING, issued_on.year)
        # Numbers follow dates in the register: an earlier date than the last issued one
        # of the year would put the register out of order.
        last = (
            Circular.objects.filter(issued_year=issued_on.year, number__isnull=False)
            .order_by("-number")
            .values_list("issued_on", flat=True)
            .first()
        )
        if last and issued_on < last:
            raise Invalid(
                _("The last circular of %(year)s was issued on %(date)s; a new one cannot be dated earlier.")
                % {"year": issued_on.year, "date": formatting.day(last)}
            )
        locked.number = number
        locked.issued_year = issued_on.year
        locked.issued_on = issued_on
        locked.issued_by = by
        locked.issued_at = now
        locked.verification_code = locked.verification_code or new_verification_code()
        pdf_bytes = signatures.issued_pdf(locked, pin=pin) or render_circular(locked)
        signatures.sign_attachments(locked, pin=pin)
        locked.sha256 = hashlib.sha256(pdf_bytes).hexdigest()
        locked.status = Circular.Status.ISSUED
        locked.pdf.save(
            f"{issued_on.year}-{number:05d}-{locked.verification_code}.pdf", ContentFile(pdf_bytes), save=False
        )
        locked.save()
        _event(locked, by=by, action="issue", from_status=Circular.Status.APPROVED, at=now)
        # The dispatches it answers are handled (their assignments done), in this transaction.
        handling.complete_by_circular(circular=locked, by=by, at=now)
    return locked
