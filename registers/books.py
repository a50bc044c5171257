"""The registers of Decree 30/2020/NĐ-CP, Appendix IV, as pages, spreadsheets and print:
the incoming register (sổ đăng ký văn bản đến) and the outgoing register (sổ đăng ký văn
bản đi), each kept per year, with Appendix IV's columns in its order; and each unit's own
incoming register (Art. 22), the same book with the same columns, whose lines are the
circulars that reached the unit (its deliveries, numbered at distribution).

One list of columns per register: the pages show its headings in the reader's language,
the spreadsheet and the printed book in Vietnamese (the register is a Vietnamese document
whatever language the clerk browses in)."""

import datetime
from dataclasses import dataclass

from django.db.models import OuterRef, Subquery
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from circulars.documents import pdf_bytes_response, unit_issuer_lines
from circulars.models import Circular, CircularEvent, IncomingDispatch
from circulars.pdf import render_pdf
from circulars.services import default_issuing_unit
from core import formatting, spreadsheets
from core.dates import EARLIEST
from core.errors import Invalid
from units.models import Unit


@dataclass(frozen=True)
class Column:
    heading: str  # lazy: Appendix IV's words in Vietnamese, their English on an English page
    width: int  # in the spreadsheet, in characters


INCOMING_COLUMNS = [
    Column(pgettext_lazy("incoming register", "Arrival no."), 8),
    Column(pgettext_lazy("incoming register", "Date of arrival"), 16),
    Column(pgettext_lazy("incoming register", "Author"), 28),
    Column(pgettext_lazy("incoming register", "Number and notation"), 18),
    Column(pgettext_lazy("incoming register", "Date"), 16),
    Column(pgettext_lazy("incoming register", "Type and summary of content"), 56),
    Column(pgettext_lazy("incoming register", "Receiving unit or person"), 24),
    Column(pgettext_lazy("register", "Date transferred"), 16),
    Column(pgettext_lazy("register", "Signature of receipt"), 16),
    Column(pgettext_lazy("register", "Remarks"), 24),
]

OUTGOING_COLUMNS = [
    Column(pgettext_lazy("outgoing register", "Number and notation of the document"), 18),
    Column(pgettext_lazy("outgoing register", "Date of the document"), 16),
    Column(pgettext_lazy("outgoing register", "Type and summary of content of the document"), 52),
    Column(pgettext_lazy("outgoing register", "Signed by"), 18),
    Column(pgettext_lazy("outgoing register", "Recipients of the document"), 36),
    Column(pgettext_lazy("outgoing register", "Unit or person keeping the file copy"), 16),
    Column(pgettext_lazy("outgoing register", "Number of copies"), 11),
    Column(pgettext_lazy("register", "Date transferred"), 16),
    Column(pgettext_lazy("register", "Signature of receipt"), 16),
    Column(pgettext_lazy("register", "Remarks"), 20),
]


def headings(columns: list[Column]) -> list[str]:
    return [str(column.heading) for column in columns]


# --- The year of a register ---------------------------------------------------------


def register_year(raw) -> int:
    """The year a register is asked for (``?year=``): this year when not given, else a
    whole number from 1945 (the oldest document of the state) to this year."""
    this_year = timezone.localdate().year
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return this_year
    text = str(raw).strip()
    # Digits only (not "+2024", "2024.0" or another script's digits, which int() takes).
    if text.isascii() and text.isdigit() and len(text) == 4 and EARLIEST.year <= int(text) <= this_year:
        return int(text)
    raise Invalid(
        _("The year of a register is a whole number from %(first)s to %(last)s.")
        % {"first": EARLIEST.year, "last": this_year}
    )


# --- Incoming register --------------------------------------------------------------


def incoming_of_year(dispatches, year: int):
    """The year's entries of the register ``dispatches`` (as the user may read it), in
    arrival order."""
    return dispatches.filter(arrival_year=year).order_by("arrival_number")


def type_and_subject(document) -> str:
    return f"{document.get_document_type_display()}: {document.subject}"


def incoming_row(dispatch: IncomingDispatch) -> list:
    return [
        dispatch.arrival_number,
        dispatch.received_on,
        dispatch.issuer,
        dispatch.reference,
        dispatch.document_date,
        type_and_subject(dispatch),
        dispatch.handled_by,
        dispatch.transferred_on,
        "",  # signed on paper by whoever takes the dispatch
        dispatch.note,
    ]


# --- A unit's incoming register -------------------------------------------------------


def unit_incoming_row(delivery) -> list:
    """A delivery (with its circular, the circular's issuing unit and who acknowledged it)
    as a line of its unit's incoming register: the circular is the document that arrived,
    the member who acknowledged receipt took it ("Đơn vị hoặc người nhận"), on the day of
    the acknowledgement ("Ngày chuyển"); a refused, recalled or replaced one says so."""
    circular = delivery.circular
    acknowledged_by = delivery.acknowledged_by
    if delivery.status == "refused":
        note = f"{delivery.get_status_display()}: {delivery.refuse_reason}"
    elif delivery.status in ("recalled", "replaced"):
        note = delivery.get_status_display()
    else:
        note = "" if circular.in_force else circular.get_status_display()
    return [
        delivery.arrival_number,
        delivery.arrived_on,
        circular.issuing_unit.name if circular.issuing_unit_id else "",
        circular.reference,
        circular.issued_on,
        type_and_subject(circular),
        (acknowledged_by.get_full_name() or acknowledged_by.get_username()) if acknowledged_by else "",
        timezone.localtime(delivery.acknowledged_at).date() if delivery.acknowledged_at else None,
        "",  # signed on paper by whoever takes the document
        note,
    ]


# --- Outgoing register --------------------------------------------------------------


def outgoing_of_year(circulars, year: int):
    """The documents numbered in the outgoing register of ``year``, in number order, with
    what their lines show: a withdrawn document keeps its number and its line."""
    distributed = CircularEvent.objects.filter(circular=OuterRef("pk"), action="distribute").order_by("at")
    return (
        circulars.filter(issued_year=year, number__isnull=False)
        .order_by("number")
        .select_related("signer")
        .prefetch_related("recipient_groups__units", "recipient_units")
        .annotate(distributed_at=Subquery(distributed.values("at")[:1]))
    )


KEPT_PREFIX = "lưu"
SAME_AS_ABOVE = "như trên"


def _bare(line: str) -> str:
    """A "Nơi nhận" line without its dash and closing punctuation: "- Lưu: VT." → "Lưu: VT"."""
    return line.strip().lstrip("-–").strip().rstrip(";.,").strip()


@dataclass(frozen=True)
class OutgoingEntry:
    """One line of the outgoing register, from an issued circular (``outgoing_of_year``)."""

    circular: Circular
    recipients: list[str]
    kept_by: str
    copies: int
    transferred_on: datetime.date | None
    note: str

    @classmethod
    def of(cls, circular: Circular) -> "OutgoingEntry":
        # "Kính gửi" lines, then the "Nơi nhận" lines that send a copy; "Như trên" repeats
        # the first and "Lưu" is the copy kept, its own column.
        others, kept = [], []
        for line in circular.copy_to:
            bare = _bare(line)
            lowered = bare.lower()
            if not bare or lowered.startswith(SAME_AS_ABOVE):
                continue
            if lowered.startswith(KEPT_PREFIX):
                kept += [part.strip() for part in bare[len(KEPT_PREFIX) :].lstrip(":").split(",") if part.strip()]
            else:
                others.append(bare)
        recipients = [_bare(line) for line in circular.recipient_lines() if _bare(line)]
        units = {unit.pk for group in circular.recipient_groups.all() for unit in group.units.all() if unit.active}
        units |= {unit.pk for unit in circular.recipient_units.all() if unit.active}
        distributed_at = getattr(circular, "distributed_at", None)
        return cls(
            circular=circular,
            recipients=recipients + others,
            kept_by=", ".join(kept),
            # One copy per recipient unit (a group counts its units), one per other line
            # of "Nơi nhận", one per copy kept.
            copies=(len(units) or len(recipients)) + len(others) + len(kept),
            transferred_on=timezone.localtime(distributed_at).date() if distributed_at else None,
            # A document no longer in force keeps its line, noted withdrawn, recalled or replaced.
            note="" if circular.in_force else str(Circular.Status(circular.status).label),
        )

    @property
    def type_and_subject(self) -> str:
        return type_and_subject(self.circular)

    @property
    def signer_name(self) -> str:
        return self.circular.signer.get_full_name() if self.circular.signer_id else ""

    def row(self) -> list:
        return [
            self.circular.reference,
            self.circular.issued_on,
            self.type_and_subject,
            self.signer_name,
            "; ".join(self.recipients),
            self.kept_by,
            self.copies,
            self.transferred_on,
            "",  # signed on paper by whoever takes the document out
            self.note,
        ]


def outgoing_entries(circulars) -> list[OutgoingEntry]:
    return [OutgoingEntry.of(circular) for circular in circulars]


# --- Spreadsheets and print -----------------------------------------------------------

INCOMING, OUTGOING, UNIT_INCOMING = "incoming", "outgoing", "unit_incoming"
TITLES = {
    INCOMING: "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN",
    OUTGOING: "SỔ ĐĂNG KÝ VĂN BẢN ĐI",
    UNIT_INCOMING: "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN",
}
FILE_STEMS = {INCOMING: "so-van-ban-den", OUTGOING: "so-van-ban-di", UNIT_INCOMING: "so-van-ban-den"}
SHEETS = {INCOMING: "Sổ văn bản đến", OUTGOING: "Sổ văn bản đi", UNIT_INCOMING: "Sổ văn bản đến"}
COLUMNS = {INCOMING: INCOMING_COLUMNS, OUTGOING: OUTGOING_COLUMNS, UNIT_INCOMING: INCOMING_COLUMNS}


def _lines(kind: str, documents) -> tuple[list[int], list[list]]:
    """The register's numbers and rows; type labels and notes in Vietnamese, whatever
    language the clerk browses in."""
    with translation.override("vi"):
        if kind in (INCOMING, UNIT_INCOMING):
            lines = list(documents)
            row = incoming_row if kind == INCOMING else unit_incoming_row
            return [line.arrival_number for line in lines], [row(line) for line in lines]
        entries = outgoing_entries(documents)
        return [e.circular.number for e in entries], [e.row() for e in entries]


def _file_stem(kind: str, keeper: Unit | None) -> str:
    """A unit's register names the unit in its file: "so-van-ban-den-xa-mot-2024"."""
    return f"{FILE_STEMS[kind]}-{keeper.code}" if kind == UNIT_INCOMING and keeper else FILE_STEMS[kind]


def register_xlsx(kind: str, documents, year: int, *, title: bool = True, keeper: Unit | None = None) -> HttpResponse:
    """The register of ``year`` as a spreadsheet: Appendix IV's columns in its order, the
    register's name and year on top (``title``), and for a unit's register (``keeper``)
    the unit's name."""
    with translation.override("vi"):
        columns = headings(COLUMNS[kind])
    heading = f"{TITLES[kind]} NĂM {year}"
    if kind == UNIT_INCOMING and keeper:
        heading = f"{heading} – {keeper.name.upper()}"
    return spreadsheets.xlsx_response(
        f"{_file_stem(kind, keeper)}-{year}.xlsx",
        columns,
        _lines(kind, documents)[1],
        sheet=f"{SHEETS[kind]} {year}",
        title=heading if title else "",
        widths=[column.width for column in COLUMNS[kind]],
        wrap=True,
    )


def register_keeper() -> Unit | None:
    """The body whose books these are: the one that issues the documents."""
    try:
        return default_issuing_unit()
    except Invalid:
        return None


def printed_cells(row: list) -> list:
    """A register line's cells as a page or the printed book shows them: dates dd/mm/yyyy."""
    return [formatting.day(cell) if isinstance(cell, datetime.date) else cell for cell in row]


def register_pdf(kind: str, documents, year: int, *, keeper: Unit | None = None) -> bytes:
    """The register of ``year`` as printed: the cover of Appendix IV (the body that keeps
    it: the issuing committee, or ``keeper`` for a unit's own register; the register's
    name, the year, from number … to number), then the table, A4 landscape."""
    numbers, rows = _lines(kind, documents)
    keeper = keeper or register_keeper()
    parent, name = unit_issuer_lines(keeper) if keeper else ("", "")
    with translation.override("vi"):
        columns = headings(COLUMNS[kind])
    return render_pdf(
        "circulars/pdf/register.html",
        {
            "title": TITLES[kind],
            "year": year,
            "issuer_parent_lines": parent.splitlines(),
            "issuer_lines": name.splitlines(),
            "first_number": min(numbers) if numbers else None,
            "last_number": max(numbers) if numbers else None,
            "columns": columns,
            # The spreadsheet's widths, as shares of the page: the blank "Ký nhận" keeps room for a hand.
            "widths": [round(100 * column.width / sum(c.width for c in COLUMNS[kind]), 2) for column in COLUMNS[kind]],
            "rows": [printed_cells(row) for row in rows],
        },
    )


def register_pdf_response(
    kind: str, documents, year: int, *, download: bool = False, keeper: Unit | None = None
) -> HttpResponse:
    return pdf_bytes_response(
        register_pdf(kind, documents, year, keeper=keeper), f"{_file_stem(kind, keeper)}-{year}.pdf", download=download
    )
