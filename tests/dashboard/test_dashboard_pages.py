"""The compliance dashboard: the overview, a circular's page (figures, chart, unit table,
chasing, reviewing in place, exports) and the units league table.

Assertions are on status codes, element ids, the database and the files; the interface
is Vietnamese and its English source text may change."""

import datetime
import io
import re
import xml.etree.ElementTree as ET

import openpyxl
import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from acknowledgements import services
from acknowledgements.models import Delivery, ImplementationReport, Reminder
from circulars.models import Circular
from dashboard import charts, compliance
from dashboard.exports import UNIT_HEADERS
from tests.conftest import ISSUED_ON, make_user
from units.models import Unit, UnitGroup
from units.roles import PortalRole

# Time stands at the morning after the distribution: nobody is late until a test says so.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("next_morning")]

HTMX = {"HTTP_HX_REQUEST": "true"}


def as_user(client, user):
    client.force_login(user)
    return client


def page_url(circular, **query):
    url = reverse("circular-deliveries", args=[circular.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def make_overdue(*deliveries, days=10):
    """Move the acknowledgement deadline into the past: the unit is late by now."""
    Delivery.objects.filter(pk__in=[d.pk for d in deliveries]).update(
        ack_due_on=timezone.localdate() - datetime.timedelta(days=days)
    )


def file_report(delivery, by):
    services.acknowledge(delivery=delivery, by=by)
    delivery.refresh_from_db()
    items = [{"action_item": a.pk, "status": "done", "note": ""} for a in delivery.circular.action_items.all()]
    return services.submit_report(delivery=delivery, by=by, summary="Đã thông báo đến toàn thể cán bộ.", items=items)


def add_units(circular, district, n, *, start=0):
    """n more units with deliveries of ``circular``, cheaply: overdue, half of them
    acknowledged, every third one already reminded."""
    units = Unit.objects.bulk_create(
        Unit(code=f"u{start + i:05}", name=f"Xã {start + i:05}", parent=district) for i in range(n)
    )
    now = timezone.now()
    past = timezone.localdate() - datetime.timedelta(days=5)
    deliveries = Delivery.objects.bulk_create(
        Delivery(
            circular=circular,
            unit=u,
            ack_due_on=past,
            report_due_on=past,
            status=Delivery.Status.ACKNOWLEDGED if i % 2 else Delivery.Status.SENT,
            acknowledged_at=now if i % 2 else None,
        )
        for i, u in enumerate(units)
    )
    Reminder.objects.bulk_create(
        Reminder(delivery=d, kind=Reminder.Kind.ACK_OVERDUE, sweep="t") for d in deliveries[::3]
    )
    group = UnitGroup.objects.get(code="cac-xa")
    group.units.add(*units)
    return units


def parse_svg(svg: str) -> ET.Element:
    """The chart as XML: it must be well-formed (our own markup, not untrusted input)."""
    return ET.fromstring(svg)  # noqa: S314


def no_inline_code(html: str) -> bool:
    """Nothing a strict Content-Security-Policy would block: no style attributes and
    no inline scripts."""
    scripts = re.findall(r"<script\b[^>]*>", html)
    return " style=" not in html and all("src=" in tag for tag in scripts)


# --- Who sees what ------------------------------------------------------------------


def test_monitor_of_the_circular_sees_its_page_with_the_dashboard_figures(client, monitor, circular, delivery, clerk):
    services.acknowledge(delivery=delivery, by=clerk)
    response = as_user(client, monitor).get(page_url(circular))
    assert response.status_code == 200
    figures = compliance.compliance(circular)
    assert response.context["figures"] == figures
    html = response.content.decode()
    for key in ("total", "acknowledged", "reported", "accepted", "refused", "overdue_ack", "overdue_report"):
        assert re.search(rf'id="fig-{key}">{figures[key]}<', html), key
    assert 'id="progress-chart-title"' in html and 'id="chase-form"' in html
    assert no_inline_code(html)


def test_signer_and_administrator_see_the_circular_page(client, signer, admin_user, circular):
    assert as_user(client, signer).get(page_url(circular)).status_code == 200
    assert as_user(client, admin_user).get(page_url(circular)).status_code == 200


def test_monitor_of_another_unit_gets_403_on_the_circular_page(client, circular, unit):
    # A monitor whose own unit received the circular may read it, not follow it.
    other_monitor = make_user("monitor-xa", role=PortalRole.MONITOR, unit=unit)
    client = as_user(client, other_monitor)
    assert client.get(page_url(circular)).status_code == 403
    assert client.get(reverse("circular-export-xlsx", args=[circular.pk])).status_code == 403
    assert client.post(reverse("circular-chase", args=[circular.pk]), {"units": [unit.pk]}).status_code == 403


def test_unit_clerk_gets_403_everywhere_on_the_dashboard(client, clerk, circular, unit):
    client = as_user(client, clerk)
    assert client.get(reverse("dashboard")).status_code == 403
    assert client.get(reverse("dashboard-units")).status_code == 403
    assert client.get(reverse("dashboard-units-xlsx")).status_code == 403
    assert client.get(page_url(circular)).status_code == 403
    assert client.get(reverse("circular-report-pdf", args=[circular.pk])).status_code == 403
    assert client.post(reverse("circular-chase", args=[circular.pk]), {"units": [unit.pk]}).status_code == 403
    assert not Reminder.objects.exists()


def test_outsider_gets_404_for_the_circular(client, district, circular, unit):
    far = Unit.objects.create(code="xa-xa", name="Xã Xa", parent=district)
    outsider = make_user("outsider", role=PortalRole.MONITOR, unit=far)
    client = as_user(client, outsider)
    assert client.get(page_url(circular)).status_code == 404
    assert client.get(reverse("circular-export-csv", args=[circular.pk])).status_code == 404
    assert client.post(reverse("circular-chase", args=[circular.pk]), {"units": [unit.pk]}).status_code == 404
    # The overview lists only what the outsider's units follow: nothing.
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200 and response.context["rows"] == []


def test_dashboard_link_in_the_navigation_for_monitors_only(client, monitor, clerk):
    assert 'id="nav-dashboard"' in as_user(client, monitor).get(reverse("home")).content.decode()
    assert 'id="nav-dashboard"' not in as_user(client, clerk).get(reverse("home")).content.decode()


# --- The overview -------------------------------------------------------------------


def test_overview_lists_the_monitored_circular_with_its_figures(client, monitor, circular, delivery):
    make_overdue(delivery)
    response = as_user(client, monitor).get(reverse("dashboard"))
    assert response.status_code == 200
    (row,) = response.context["rows"]
    assert row["circular"] == circular
    assert row["figures"] == compliance.compliance(circular)
    html = response.content.decode()
    assert f'id="circular-{circular.pk}"' in html and 'class="chart bars"' in html
    assert re.search(r'class="num overdue-ack late"[^>]*>1<', html)
    # The other commune still has to acknowledge, before the report is due.
    other_ack_due = Delivery.objects.exclude(pk=delivery.pk).get(circular=circular).ack_due_on
    assert row["next_deadline"] == (other_ack_due, "ack") and other_ack_due < circular.report_due_on
    assert no_inline_code(html)


def test_overview_filters_by_overdue_period_and_urgency(client, monitor, circular, delivery):
    client = as_user(client, monitor)
    assert client.get(reverse("dashboard"), {"overdue": "on"}).context["rows"] == []
    make_overdue(delivery)
    assert len(client.get(reverse("dashboard"), {"overdue": "on"}).context["rows"]) == 1
    day_after = (ISSUED_ON + datetime.timedelta(days=1)).strftime("%d/%m/%Y")
    assert client.get(reverse("dashboard"), {"issued_from": day_after}).context["rows"] == []
    issue_day = ISSUED_ON.strftime("%d/%m/%Y")
    rows = client.get(reverse("dashboard"), {"issued_from": issue_day, "issued_to": issue_day}).context["rows"]
    assert len(rows) == 1
    assert client.get(reverse("dashboard"), {"urgency": "flash"}).context["rows"] == []
    assert len(client.get(reverse("dashboard"), {"sort": "overdue", "status": "distributed"}).context["rows"]) == 1


# --- Query counts do not grow with the units ----------------------------------------
# (The circular page's queries are pinned and listed in test_monitoring_page_queries.py.)


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", ["dashboard", "circular-deliveries", "dashboard-units"])
def test_page_queries_are_the_same_for_5_and_500_units(name, client, monitor, circular, district):
    url = page_url(circular) if name == "circular-deliveries" else reverse(name)
    client = as_user(client, monitor)
    add_units(circular, district, 3)  # with the two communes: 5 units
    assert Delivery.objects.filter(circular=circular).count() == 5
    few = _count(client, url)
    add_units(circular, district, 495, start=3)
    assert Delivery.objects.filter(circular=circular).count() == 500
    assert _count(client, url) == few


# --- The unit table -----------------------------------------------------------------


def test_overdue_filter_lists_only_late_units_with_their_days_late(client, monitor, circular, delivery, other_delivery):
    make_overdue(delivery)
    response = as_user(client, monitor).get(page_url(circular, overdue="on"))
    (row,) = response.context["page_obj"]
    assert row.pk == delivery.pk and row.ack_late and row.days_late > 0
    html = response.content.decode()
    assert re.search(rf'<tr id="delivery-{delivery.pk}"[^>]*class="overdue"', html)
    assert f'id="delivery-{other_delivery.pk}"' not in html
    assert re.search(r'id="count-overdue">1<', html)


def test_unit_search_and_status_filter(client, monitor, circular, delivery, other_delivery, clerk):
    services.acknowledge(delivery=delivery, by=clerk)
    client = as_user(client, monitor)
    assert [d.pk for d in client.get(page_url(circular, q="hai")).context["page_obj"]] == [other_delivery.pk]
    # As written, with its accents, or as in the unit's code, without.
    assert [d.pk for d in client.get(page_url(circular, q="Xã HAI")).context["page_obj"]] == [other_delivery.pk]
    assert [d.pk for d in client.get(page_url(circular, q="xa mot")).context["page_obj"]] == [delivery.pk]
    assert [d.pk for d in client.get(page_url(circular, status="acknowledged")).context["page_obj"]] == [delivery.pk]
    by_status = [d.pk for d in client.get(page_url(circular, sort="status")).context["page_obj"]]
    assert by_status == [other_delivery.pk, delivery.pk]  # sent before acknowledged
    assert [d.pk for d in client.get(page_url(circular, sort="-status")).context["page_obj"]] == by_status[::-1]


def test_records_clerk_sees_the_page_to_distribute_but_cannot_chase_or_export(client, records_clerk, circular):
    response = as_user(client, records_clerk).get(page_url(circular))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="chase-form"' not in html and 'id="export-xlsx"' not in html
    assert client.get(reverse("circular-export-xlsx", args=[circular.pk])).status_code == 403


# --- Chasing ------------------------------------------------------------------------


def test_chase_now_queues_manual_reminders_once_per_period(client, monitor, circular, unit, other_unit):
    client = as_user(client, monitor)
    url = reverse("circular-chase", args=[circular.pk])
    back = page_url(circular, overdue="on")
    response = client.post(url, {"units": [unit.pk, other_unit.pk], "next": back}, follow=True)
    assert response.redirect_chain == [(back, 302)]
    assert Reminder.objects.filter(kind="manual").count() == 2
    (message,) = response.context["messages"]
    hours = django_settings.REMINDERS["manual_every_hours"]
    assert message.level_tag == "success" and "2" in str(message) and str(hours) in str(message)
    # A second chase straight away queues nothing, and says so.
    response = client.post(url, {"units": [unit.pk, other_unit.pk]}, follow=True)
    assert response.redirect_chain == [(page_url(circular), 302)]
    assert Reminder.objects.filter(kind="manual").count() == 2
    (message,) = response.context["messages"]
    assert message.level_tag == "warning"
    # The page says how often a unit may be chased.
    assert str(hours) in response.content.decode().split('id="chase-form"')[1]


def test_chase_every_overdue_unit(client, monitor, circular, delivery):
    make_overdue(delivery)
    as_user(client, monitor).post(reverse("circular-chase", args=[circular.pk]), {"scope": "overdue"})
    assert list(Reminder.objects.filter(kind="manual").values_list("delivery", flat=True)) == [delivery.pk]


def test_chase_without_units_only_warns(client, monitor, circular):
    response = as_user(client, monitor).post(reverse("circular-chase", args=[circular.pk]), follow=True)
    (message,) = response.context["messages"]
    assert message.level_tag == "warning" and not Reminder.objects.exists()


def test_chase_ignores_an_outside_next_url(client, monitor, circular, unit):
    response = as_user(client, monitor).post(
        reverse("circular-chase", args=[circular.pk]), {"units": [unit.pk], "next": "https://example.com/"}
    )
    assert response.url == page_url(circular)


def test_signer_may_read_but_not_chase(client, signer, circular, unit):
    response = as_user(client, signer).post(reverse("circular-chase", args=[circular.pk]), {"units": [unit.pk]})
    assert response.status_code == 403 and not Reminder.objects.exists()


# --- Reviewing a report in place ----------------------------------------------------


def test_report_panel_is_a_fragment_for_htmx_and_a_redirect_without(client, monitor, circular, delivery, clerk):
    report = file_report(delivery, clerk)
    client = as_user(client, monitor)
    url = reverse("circular-report-panel", args=[circular.pk, delivery.pk])
    response = client.get(url, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and 'id="report-panel-content"' in html
    assert f'data-hx-post="{reverse("report-accept", args=[report.pk])}"' in html
    assert client.get(url).url == reverse("delivery-detail", args=[delivery.pk])
    # The row links to the report both ways.
    page = client.get(page_url(circular)).content.decode()
    assert f'data-hx-get="{url}"' in page and reverse("delivery-detail", args=[delivery.pk]) in page


def test_accept_in_place_returns_the_updated_row(client, monitor, circular, delivery, clerk):
    report = file_report(delivery, clerk)
    response = as_user(client, monitor).post(reverse("report-accept", args=[report.pk]), {"comment": ""}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert html.lstrip().startswith(f'<tr id="delivery-{delivery.pk}"') and 'data-status="accepted"' in html
    assert 'data-hx-swap-oob="innerHTML"' in html
    report.refresh_from_db()
    delivery.refresh_from_db()
    assert report.status == ImplementationReport.Status.ACCEPTED and delivery.status == Delivery.Status.ACCEPTED


def test_return_in_place_needs_a_comment(client, monitor, circular, delivery, clerk):
    report = file_report(delivery, clerk)
    client = as_user(client, monitor)
    response = client.post(reverse("report-return", args=[report.pk]), {"comment": ""}, **HTMX)
    assert response.status_code == 400 and response["HX-Retarget"] == "#report-panel"
    assert 'id="page-error"' in response.content.decode()
    report.refresh_from_db()
    assert report.status == ImplementationReport.Status.SUBMITTED
    response = client.post(reverse("report-return", args=[report.pk]), {"comment": "Bổ sung danh sách."}, **HTMX)
    assert response.status_code == 200 and 'data-status="returned"' in response.content.decode()
    report.refresh_from_db()
    assert report.status == ImplementationReport.Status.RETURNED and report.review_comment == "Bổ sung danh sách."


def test_review_without_htmx_still_goes_to_the_delivery_page(client, monitor, delivery, clerk):
    report = file_report(delivery, clerk)
    response = as_user(client, monitor).post(reverse("report-accept", args=[report.pk]), {"comment": "Tốt"})
    assert response.status_code == 302 and response.url == reverse("delivery-detail", args=[delivery.pk])
    report.refresh_from_db()
    assert report.status == ImplementationReport.Status.ACCEPTED


def test_a_unit_clerk_cannot_review_in_place(client, clerk, delivery):
    report = file_report(delivery, clerk)
    response = as_user(client, clerk).post(reverse("report-accept", args=[report.pk]), {"comment": ""}, **HTMX)
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.status == ImplementationReport.Status.SUBMITTED


# --- Exports ------------------------------------------------------------------------


def test_xlsx_rows_are_the_units_of_the_page(client, monitor, circular, delivery):
    make_overdue(delivery)
    client = as_user(client, monitor)
    page_units = [d.unit.name for d in client.get(page_url(circular)).context["page_obj"]]
    response = client.get(reverse("circular-export-xlsx", args=[circular.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert [r[2] for r in rows] == page_units
    assert list(next(sheet.iter_rows(min_row=3, max_row=3, values_only=True))) == UNIT_HEADERS


def test_csv_has_the_byte_order_mark_and_the_vietnamese_header(client, monitor, circular):
    response = as_user(client, monitor).get(reverse("circular-export-csv", args=[circular.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0] == ",".join(UNIT_HEADERS)
    assert "Mã đơn vị" in text and len(text.splitlines()) == 3


def test_pdf_report_names_the_circular_and_the_overdue_units(client, monitor, circular, delivery, other_delivery):
    make_overdue(delivery, other_delivery)
    response = as_user(client, monitor).get(reverse("circular-report-pdf", args=[circular.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "BÁO CÁO" in text and circular.reference in text
    overdue = compliance.compliance(circular)["overdue_ack"]
    assert overdue == 2
    assert re.search(rf"Quá hạn xác nhận\s*{overdue}\b", text)


def test_the_page_links_to_its_exports(client, monitor, circular):
    html = as_user(client, monitor).get(page_url(circular)).content.decode()
    for name in ("circular-export-xlsx", "circular-export-csv", "circular-report-pdf"):
        assert reverse(name, args=[circular.pk]) in html


# --- The league table ---------------------------------------------------------------


def test_league_lists_units_worst_first_with_exports(client, monitor, circular, delivery, other_delivery):
    make_overdue(delivery)
    client = as_user(client, monitor)
    response = client.get(reverse("dashboard-units"))
    assert response.status_code == 200
    rows = list(response.context["page_obj"])
    assert rows[0]["unit"]["id"] == delivery.unit_id  # the overdue one first
    today = timezone.localdate()
    assert response.context["start"] == today.replace(month=1, day=1) and response.context["end"] == today
    html = response.content.decode()
    assert 'id="records-totals"' in html and 'id="ack-rates-title"' in html
    assert no_inline_code(html)
    by_name = client.get(reverse("dashboard-units"), {"sort": "name"}).context["page_obj"]
    assert [r["unit"]["name"] for r in by_name] == sorted(r["unit"]["name"] for r in rows)

    sheet = openpyxl.load_workbook(io.BytesIO(client.get(reverse("dashboard-units-xlsx")).content)).active
    assert [r[2] for r in sheet.iter_rows(min_row=4, values_only=True)] == [r["unit"]["name"] for r in rows]
    csv = client.get(reverse("dashboard-units-csv"))
    assert csv.content.startswith(b"\xef\xbb\xbf") and "Tỷ lệ báo cáo đúng hạn" in csv.content.decode("utf-8-sig")


def test_league_period_form_reads_day_first_dates(client, monitor, circular, delivery):
    client = as_user(client, monitor)
    response = client.get(reverse("dashboard-units"), {"from": "01/01/2020", "to": "31/12/2020"})
    assert response.context["start"] == datetime.date(2020, 1, 1)
    assert list(response.context["page_obj"]) == []
    response = client.get(reverse("dashboard-units"), {"from": "31/12/2020", "to": "01/01/2020"})
    assert 'id="period-errors"' in response.content.decode()
    bad = client.get(reverse("dashboard-units-csv"), {"from": "31/12/2020", "to": "01/01/2020"})
    assert bad.status_code == 400


def test_records_totals_on_the_league_page(client, monitor, circular, delivery, clerk):
    file_report(delivery, clerk)
    totals = as_user(client, monitor).get(reverse("dashboard-units")).context["totals"]
    assert totals == compliance.records_totals(timezone.localdate().replace(month=1, day=1), timezone.localdate())
    assert totals["deliveries"]["received"] == 2 and totals["deliveries"]["completed"] == 1


# --- Charts -------------------------------------------------------------------------


def test_progress_chart_is_valid_svg_with_deadlines_and_a_text_alternative(circular, delivery, clerk):
    services.acknowledge(delivery=delivery, by=clerk)
    svg = charts.progress_chart(compliance.progress_series(circular), today=timezone.localdate())
    root = parse_svg(svg)
    ns = {"s": charts.SVG_NS}
    assert root.tag == f"{{{charts.SVG_NS}}}svg" and root.get("role") == "img"
    assert root.find("s:title", ns).text and "1" in root.find("s:desc", ns).text
    assert len(root.findall("s:polyline", ns)) == 2
    dashed = [line for line in root.findall("s:line", ns) if line.get("stroke-dasharray") == "6 4"]
    assert len(dashed) == 2  # the two deadlines
    assert "style=" not in svg


def test_progress_chart_of_a_circular_nobody_acted_on(circular):
    Circular.objects.filter(pk=circular.pk).update(report_due_on=None)
    circular.refresh_from_db()
    root = parse_svg(charts.progress_chart(compliance.progress_series(circular), today=timezone.localdate()))
    ns = {"s": charts.SVG_NS}
    # No report deadline: one dashed vertical, the acknowledgement's.
    dashed = [line for line in root.findall("s:line", ns) if line.get("stroke-dasharray") == "6 4"]
    assert len(dashed) == 1
    # Both step lines lie flat on the x axis (the first line drawn), from start to end.
    axis_y = float(root.find("s:line", ns).get("y1"))
    step_lines = root.findall("s:polyline", ns)
    assert len(step_lines) == 2
    for line in step_lines:
        assert {float(point.split(",")[1]) for point in line.get("points").split()} == {axis_y}


def test_group_chart_escapes_group_names(client, monitor, circular, delivery, clerk, unit):
    services.acknowledge(delivery=delivery, by=clerk)
    evil = "<script>alert(1)</script>"
    group = UnitGroup.objects.create(code="evil", name=evil)
    group.units.add(unit)
    start, end = timezone.localdate().replace(month=1, day=1), timezone.localdate()
    rows = compliance.monthly_group_rates(start, end)
    svg = charts.group_rates_chart(rows, rate="on_time_ack_rate", title="T", ident="t")
    root = parse_svg(svg)
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert evil in [t.text for t in root.iter(f"{{{charts.SVG_NS}}}text")]
    assert len(root.findall(f"{{{charts.SVG_NS}}}rect")) >= 2
    html = as_user(client, monitor).get(reverse("dashboard-units")).content.decode()
    assert evil not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_group_chart_without_data_says_so_and_draws_no_bar():
    root = parse_svg(charts.group_rates_chart([], rate="on_time_report_rate", title="T", ident="t"))
    ns = {"s": charts.SVG_NS}
    assert root.findall(".//s:rect", ns) == []  # no bar, no legend
    # The notice is written in the plot and is the text alternative.
    notice = root.find("s:desc", ns).text
    assert notice and notice in [text.text for text in root.iter(f"{{{charts.SVG_NS}}}text")]
    # Only the gridlines' percentages are written: no month.
    labels = [text.text for text in root.iter(f"{{{charts.SVG_NS}}}text") if text.text != notice]
    assert labels == ["0%", "25%", "50%", "75%", "100%"]


def test_figure_bars_are_valid_svg():
    figures = dict.fromkeys(("total", "acknowledged", "reported", "accepted"), 0) | {"total": 4, "acknowledged": 3}
    root = parse_svg(charts.figure_bars(figures, ident="b"))
    widths = [float(r.get("width")) for r in root.iter(f"{{{charts.SVG_NS}}}rect")]
    assert widths[1] == 120 and widths[3] == 90  # sent: all; acknowledged: three quarters


# --- Monitoring one circular --------------------------------------------------------


def test_the_monitoring_page_counts_and_lists_every_unit(client, clerk, monitor, circular, delivery, other_delivery):
    services.acknowledge(delivery=delivery, by=clerk)
    response = as_user(client, monitor).get(reverse("circular-deliveries", args=[circular.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'id="count-acknowledged">1<', html) and re.search(r'id="count-sent">1<', html)
    assert re.search(r'id="count-total">2<', html)
    assert reverse("delivery-detail", args=[delivery.pk]) in html
    assert reverse("delivery-detail", args=[other_delivery.pk]) in html


def test_monitoring_page_is_403_for_a_unit_clerk_and_404_for_an_outsider(client, clerk, district, circular):
    assert as_user(client, clerk).get(reverse("circular-deliveries", args=[circular.pk])).status_code == 403
    far = Unit.objects.create(code="xa-xa", name="Xã Xa", parent=district)
    outsider = make_user("outsider", unit=far)
    assert as_user(client, outsider).get(reverse("circular-deliveries", args=[circular.pk])).status_code == 404


def test_records_clerk_distributes_from_the_monitoring_page(client, issued, records_clerk, unit):
    client = as_user(client, records_clerk)
    page = client.get(reverse("circular-deliveries", args=[issued.pk]))
    assert page.status_code == 200 and 'id="distribute-form"' in page.content.decode()
    response = client.post(reverse("circular-distribute", args=[issued.pk]), follow=True)
    assert response.redirect_chain == [(reverse("circular-deliveries", args=[issued.pk]), 302)]
    assert Delivery.objects.filter(circular=issued).count() == 2
    (message,) = response.context["messages"]
    assert message.level_tag == "success" and "2" in str(message)


def test_a_drafter_cannot_distribute(client, drafter, issued):
    response = as_user(client, drafter).post(reverse("circular-distribute", args=[issued.pk]))
    assert response.status_code == 403
    assert not Delivery.objects.filter(circular=issued).exists()
