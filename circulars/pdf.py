"""PDF rendering of official documents in the layout of Decree 30/2020/NĐ-CP (Appendix I).

The module knows nothing about the database: callers build a ``CircularDocument`` from whatever
they hold (a circular, a draft, a summary report), so the same renderer serves all of them.
Everything a rendering needs (template, stylesheet, the vendored Liberation Serif fonts) comes
from the repository, so every machine produces the same pages and no rendering touches the network.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import strip_tags
from weasyprint import HTML
from weasyprint.urls import URLFetcher

CIRCULAR_TEMPLATE = "circulars/pdf/circular.html"

# Decree 30 leaves the day and month of an unissued document blank for the clerk to fill in by
# hand when the leader signs; five spaces leave room for two handwritten digits.
DATE_BLANK = "     "

QR_MODULE_PIXELS = 8
# Two modules of quiet zone in the bitmap; the blank paper around the printed code gives the rest
# of the four the standard asks for.
QR_BORDER_MODULES = 2


# How a document type is laid out (Decree 30, Appendix I): a công văn ("V/v" under the
# number, "Kính gửi"), a document that prints its name ("QUYẾT ĐỊNH", "KẾ HOẠCH"), a
# decision (its name, "Căn cứ" lines, "QUYẾT ĐỊNH:" and articles) and a công điện.
LETTER, NAMED, DECISION, TELEGRAM = "letter", "named", "decision", "telegram"

# The lines of a decision's preamble: the legal bases and the proposal it answers.
PREAMBLE_START = re.compile(r"^(Căn cứ|Theo đề nghị|Xét đề nghị|Xét)\b")
ARTICLE_LABEL = re.compile(r"^(\s*)(Điều\s+\d+[a-zđ]?\.)")
# The body is nh3's output (circulars.services.sanitize_body): paragraphs never nest.
PARAGRAPH_SPLIT = re.compile(r"(<p>.*?</p>)", re.S)
LINE_BREAK = re.compile(r"<br\s*/?>")


@dataclass(frozen=True)
class CircularDocument:
    issuer_parent: str
    issuer_name: str
    reference: str
    subject: str
    place: str
    issued_on: datetime.date | None
    recipients: list[str]
    body_html: str
    copy_to: list[str]
    signer_title_lines: list[str]
    signer_name: str
    verification_code: str | None
    verification_url: str | None
    draft: bool = False
    layout: str = LETTER
    # "QUYẾT ĐỊNH", "KẾ HOẠCH": printed in capitals for every layout but LETTER.
    type_name: str = ""
    # Who decides or cables ("ỦY BAN NHÂN DÂN HUYỆN THUẬN BẮC") in a decision or công điện.
    authority: str = ""
    # The words of the urgency and secrecy stamps ("HỎA TỐC", "MẬT"); "" for none.
    urgency: str = ""
    secrecy: str = ""
    # The document the signer signs before it is numbered (issue 14): the number and the
    # date are reserved form fields (``<input name="number">``, ``<input name="date">``)
    # that the records clerk fills at issue; ``notation`` is printed after the number field.
    reserve_fields: bool = False
    notation: str = ""


# The names of the reserved form fields (signing.pdf fills them by these names).
NUMBER_FIELD = "number"
DATE_FIELD = "date"
# The element between the signer's title and name where the signature goes (Appendix I).
SIGNATURE_PLACE_CLASS = "signature-space"
# CSS pixels (1/96 in) per millimetre: WeasyPrint lays out in CSS pixels.
PX_PER_MM = 96 / 25.4


@dataclass(frozen=True)
class Place:
    """Where something is printed: ``page`` from 0, millimetres from the page's top left."""

    page: int
    left: float
    top: float
    width: float
    height: float


def static_dir() -> Path:
    return Path(settings.BASE_DIR) / "static"


class StaticOnlyURLFetcher(URLFetcher):
    """Serve ``data:`` URIs and files under one directory; refuse everything else.

    ``body_html`` is written by users: even sanitised, an ``<img src>`` naming an intranet host or
    ``file:///etc/...`` must not make the server fetch it (SSRF, disclosure of local files), and a
    rendering must never wait on the network. WeasyPrint logs a refused resource and leaves it out.
    """

    def __init__(self, root: Path):
        super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False)
        self._root = root.resolve()

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        if parts.scheme.lower() == "file":
            path = Path(url2pathname(parts.path)).resolve()  # resolve() defeats "../" and symlinks out
            if parts.netloc not in ("", "localhost") or not path.is_relative_to(self._root):
                raise ValueError(f"refused: {url} is outside {self._root}")
        return super().fetch(url, headers)


def _html(template_name: str, context: Mapping[str, Any]) -> HTML:
    root = static_dir()
    html = render_to_string(template_name, dict(context))
    # The trailing slash makes "pdf/circular.css" resolve inside static/, not next to it.
    return HTML(string=html, base_url=f"{root}/", url_fetcher=StaticOnlyURLFetcher(root))


def render_pdf(template_name: str, context: Mapping[str, Any], *, pdf_forms: bool = False) -> bytes:
    """Render a Django template to PDF bytes.

    Relative URLs in the template (stylesheets, fonts, images) resolve against ``static/`` in the
    repository, read straight from disk: ``{% static %}`` would give web paths WeasyPrint cannot open.
    ``pdf_forms`` makes the template's ``<input>`` elements real form fields.
    """
    return _html(template_name, context).write_pdf(pdf_forms=pdf_forms)


def format_place_date(place: str, d: datetime.date | None, *, year: int | None = None) -> str:
    """The place-and-date line, e.g. "Thuận Bắc, ngày 05 tháng 02 năm 2025".

    Decree 30 writes a zero before days 1-9 and months 1-2 so that nobody can turn a "1" into
    "11" or "12" by hand; months 3-12 have no leading zero. Without a date the day and month are
    left blank; ``year`` is then printed after "năm" (drafts know the year but not the day).
    """
    if d is None:
        line = f"{place}, ngày{DATE_BLANK}tháng{DATE_BLANK}năm"
        return f"{line} {year}" if year else line
    month = f"{d.month:02d}" if d.month <= 2 else str(d.month)
    return f"{place}, ngày {d.day:02d} tháng {month} năm {d.year}"


def format_date_words(d: datetime.date) -> str:
    """The date of the place-and-date line without the place: "ngày 05 tháng 02 năm 2025"
    (what the clerk fills in the reserved date field)."""
    return format_place_date("", d).removeprefix(", ")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _without_dash(line: str) -> str:
    # The template prints the "- " itself; data typed with its own dash must not get two.
    return line.strip().removeprefix("-").strip()


def _today() -> datetime.date:
    return timezone.localdate() if settings.USE_TZ else datetime.date.today()


def qr_data_uri(payload: str) -> str:
    """A QR code as a PNG data URI, one module = QR_MODULE_PIXELS square pixels.

    A bitmap rather than SVG: the PDF then carries the code as one image that a checker (or a test)
    can read back module by module. Printed 18 mm wide it is well above 300 dpi, and the stylesheet
    turns interpolation off so viewers do not blur the module edges.
    """
    # Level M survives a fold or a stamp across the code while keeping the modules large at 18 mm.
    qr = segno.make(payload, error="m")
    return qr.png_data_uri(scale=QR_MODULE_PIXELS, border=QR_BORDER_MODULES)


def _text(html: str) -> str:
    return " ".join(strip_tags(html).split())


def decision_parts(body_html: str, authority: str) -> dict[str, Any]:
    """A decision's body as Appendix I lays it out, read from the structure the drafter
    types: a first paragraph in capitals names who decides ("CHỦ TỊCH ỦY BAN NHÂN DÂN
    HUYỆN …", else ``authority``); the lines before the first article that start with
    "Căn cứ", "Theo đề nghị" or "Xét" are the preamble (one line each); everything from
    "Điều 1." on is the decision, each "Điều N." label in bold. Whatever else the body
    holds keeps its place."""
    preamble, before, articles = [], [], []
    chunks = [chunk for chunk in PARAGRAPH_SPLIT.split(body_html) if chunk.strip()]
    first = chunks[0] if chunks else ""
    heading = _text(first) if first.startswith("<p>") else ""
    if heading and heading == heading.upper() and any(c.isalpha() for c in heading):
        authority, chunks = heading, chunks[1:]
    for chunk in chunks:
        inner = chunk[3:-4] if chunk.startswith("<p>") else None
        if articles or (inner is not None and ARTICLE_LABEL.match(_text(inner))):
            if inner is not None:
                chunk = (
                    "<p>" + ARTICLE_LABEL.sub(r'\1<strong class="article-label">\2</strong>', inner, count=1) + "</p>"
                )
            articles.append(chunk)
            continue
        lines = [line.strip() for line in LINE_BREAK.split(inner)] if inner is not None else []
        lines = [line for line in lines if line]
        if lines and all(PREAMBLE_START.match(_text(line)) for line in lines):
            preamble.extend(lines)
        else:
            before.append(chunk)
    return {"authority": authority, "preamble": preamble, "before": "".join(before), "articles": "".join(articles)}


def circular_context(doc: CircularDocument) -> dict[str, Any]:
    recipients = [_without_dash(r) for r in doc.recipients if r.strip()]
    return {
        "doc": doc,
        "is_letter": doc.layout == LETTER,
        "decision": decision_parts(doc.body_html, doc.authority) if doc.layout == DECISION else None,
        "issuer_parent_lines": _lines(doc.issuer_parent),
        "issuer_lines": _lines(doc.issuer_name),
        "place_date": format_place_date(doc.place, doc.issued_on, year=_today().year),
        "recipients": recipients,
        # One addressee goes on the "Kính gửi:" line itself; several are listed with dashes.
        "dashed_recipients": len(recipients) > 1,
        "copy_to": [_without_dash(line) for line in doc.copy_to if line.strip()],
        # The phone that scans the code opens the verification page; without a URL it reads the code.
        "qr_data_uri": qr_data_uri(doc.verification_url or doc.verification_code) if doc.verification_code else None,
    }


def render_circular_pdf(doc: CircularDocument) -> bytes:
    return render_pdf(CIRCULAR_TEMPLATE, circular_context(doc), pdf_forms=doc.reserve_fields)


def _find_box(box, css_class: str):
    element = getattr(box, "element", None)
    if element is not None and css_class in (element.get("class") or "").split():
        return box
    for child in getattr(box, "children", ()):
        found = _find_box(child, css_class)
        if found is not None:
            return found
    return None


def render_circular_with_signature_place(doc: CircularDocument) -> tuple[bytes, Place]:
    """The PDF and the place of the signer's signature, between the signer's title and
    name, as WeasyPrint laid it out (so the signature lands where the layout left room,
    whatever the length of the body)."""
    rendered = _html(CIRCULAR_TEMPLATE, circular_context(doc)).render(pdf_forms=doc.reserve_fields)
    for number, page in enumerate(rendered.pages):
        box = _find_box(page._page_box, SIGNATURE_PLACE_CLASS)
        if box is not None:
            place = Place(
                page=number,
                left=box.border_box_x() / PX_PER_MM,
                top=box.border_box_y() / PX_PER_MM,
                width=box.border_width() / PX_PER_MM,
                height=box.border_height() / PX_PER_MM,
            )
            return rendered.write_pdf(), place
    raise ValueError("The layout has no place for the signature.")
