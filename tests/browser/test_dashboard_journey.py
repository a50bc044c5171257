"""The monitoring office's morning with the demo district: from the dashboard to the seed
circular, the overdue communes, chasing two of them, the exports (checked against the
page) and a report accepted in place. Elements are found by ids and names, not by their
(Vietnamese) text."""

import io
import re
import shutil
import subprocess

import openpyxl
import pytest
from django.core.management import call_command
from playwright.sync_api import expect
from pypdf import PdfReader

from acknowledgements.models import Delivery, ImplementationReport, Reminder
from circulars.models import Circular
from dashboard import compliance
from dashboard.exports import STATUS_VI
from portal.demo import campaigns
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "demo12345"


@pytest.fixture
def seed_circular():
    """The demo's circular in mid-campaign: units late to acknowledge, reports due two
    working days ago, some filed and awaiting review."""
    call_command("seed_demo", stdout=io.StringIO())
    return Circular.objects.get(subject=campaigns.MID_CAMPAIGN["subject"])


def pdf_text(path) -> str:
    if shutil.which("pdftotext"):
        return subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
        ).stdout
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def save(download, folder):
    path = folder / download.value.suggested_filename
    download.value.save_as(path)
    return path


def test_monitor_chases_overdue_communes_and_downloads_the_figures(page, seed_circular, tmp_path):
    circular = seed_circular
    deliveries_url = f"/circulars/{circular.pk}/deliveries/"

    # The monitor opens the dashboard; the circular is there, with overdue units.
    log_in(page, "vhtt", DEMO_PASSWORD)
    page.locator("#nav-dashboard").click()
    expect(page).to_have_url("/dashboard/")
    row = page.locator(f"#circular-{circular.pk}")
    expect(row).to_be_visible()
    figures = compliance.compliance(circular)
    assert figures["overdue_ack"] > 2  # sent 12 working days ago: who has not acknowledged is late
    expect(row.locator(".overdue-ack")).to_have_text(str(figures["overdue_ack"]))
    expect(row.locator("svg.bars")).to_be_visible()

    # Opens the circular's page: the same figures, large, and the chart.
    row.locator("a.circular-link").click()
    expect(page).to_have_url(deliveries_url)
    for key in ("total", "acknowledged", "reported", "overdue_ack", "overdue_report", "refused"):
        expect(page.locator(f"#fig-{key}")).to_have_text(str(figures[key]))
    expect(page.locator("#progress svg.chart")).to_be_visible()
    overdue_units = int(page.locator("#count-overdue").inner_text())

    # Only the overdue units: every row is marked.
    page.locator("#id_overdue").check()
    page.locator("#filter-submit").click()
    expect(page).to_have_url(re.compile(r"overdue=on"))
    rows = page.locator("#deliveries-table tbody tr")
    expect(rows).to_have_count(min(overdue_units, 50))
    expect(page.locator("#deliveries-table tbody tr:not(.overdue)")).to_have_count(0)

    # Ticks two communes and chases them.
    boxes = page.locator('#deliveries-table input[name="units"]')
    unit_ids = [int(boxes.nth(i).get_attribute("value")) for i in range(2)]
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.locator("#chase-submit").click()
    expect(page.locator(".msg-success")).to_be_visible()
    expect(page.locator(".msg-success")).to_contain_text("2")
    expect(page).to_have_url(re.compile(r"overdue=on"))
    chased = Reminder.objects.filter(kind="manual", delivery__circular=circular)
    assert sorted(chased.values_list("delivery__unit_id", flat=True)) == sorted(unit_ids)
    for unit_id in unit_ids:
        expect(page.locator(f'tr[data-unit="{unit_id}"] td.reminders')).to_have_text("1")

    # Downloads the unit table: one row per unit, the same overdue units.
    with page.expect_download() as download:
        page.locator("#export-xlsx").click()
    path = save(download, tmp_path)
    assert path.suffix == ".xlsx"
    sheet = openpyxl.load_workbook(path).active
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert len(rows) == figures["total"]
    not_acknowledged = [r for r in rows if r[3] == STATUS_VI[Delivery.Status.SENT]]
    assert len(not_acknowledged) == figures["overdue_ack"]
    assert all(r[9] > 0 for r in not_acknowledged)  # days late

    # And the summary report for the leader: the same figures.
    with page.expect_download() as download:
        page.locator("#report-pdf").click()
    path = save(download, tmp_path)
    assert path.suffix == ".pdf"
    text = pdf_text(path)
    assert "BÁO CÁO" in text and circular.reference in text
    assert re.search(rf"Tổng số đơn vị nhận công văn\s+{figures['total']}\b", text)
    assert re.search(rf"Quá hạn xác nhận\s+{figures['overdue_ack']}\b", text)
    assert re.search(rf"Quá hạn báo cáo\s+{figures['overdue_report']}\b", text)
    # One line per overdue unit in part 2 ("not acknowledged" / "not reported", wrapped).
    assert text.count("Chưa xác nhận") + text.count("Chưa báo cáo") == overdue_units

    # Phòng Nội vụ has reported: the monitor reads and accepts it without leaving the page.
    reported = Delivery.objects.get(circular=circular, unit__code="phong-noi-vu")
    page.goto(f"{deliveries_url}?status=reported")
    page.locator(f"#delivery-{reported.pk} a.open-report").click()
    expect(page.locator("#report-panel-content")).to_be_visible()
    expect(page.locator("#report-panel-content h2")).to_be_focused()
    expect(page).to_have_url(f"{deliveries_url}?status=reported")
    page.locator("#panel-accept").click()
    expect(page.locator(f"#delivery-{reported.pk}")).to_have_attribute("data-status", "accepted")
    expect(page.locator("#review-done")).to_be_visible()
    expect(page.locator("#review-done")).to_be_focused()  # static/js/dashboard.js
    expect(page).to_have_url(f"{deliveries_url}?status=reported")
    assert reported.reports.get().status == ImplementationReport.Status.ACCEPTED
