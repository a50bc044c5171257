"""A circular's journey through a commune and back: the clerk on a phone acknowledges and
reports, the monitoring office returns the report, the clerk corrects it, the office
accepts it. Elements are found by ids and names, not by their (Vietnamese) text."""

import pytest
from playwright.sync_api import expect

from acknowledgements.models import Delivery
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def evidence_pdf(tmp_path):
    path = tmp_path / "bao-cao.pdf"
    path.write_bytes(b"%PDF-1.4\n%%EOF\n")
    return path


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def file_report(page, delivery, pdf_path):
    for item in delivery.circular.action_items.all():
        page.locator(f'input[name="item-{item.pk}-status"][value="done"]').check()
    page.locator('textarea[name="summary"]').fill("Đã thông báo đến toàn thể cán bộ, công chức xã.")
    page.locator('input[name="files"]').set_input_files(str(pdf_path))
    page.locator("#report-submit").click()
    expect(page).to_have_url(f"/deliveries/{delivery.pk}/")


def test_clerk_acknowledges_and_reports_on_a_phone_and_the_monitor_reviews(page, phone_page, delivery, evidence_pdf):
    clerk_page, monitor_page = phone_page, page
    detail = f"/deliveries/{delivery.pk}/"

    # The clerk sees the new circular in the inbox on a phone, marked new.
    log_in(clerk_page, "clerk")
    expect(clerk_page.locator("#nav-inbox-count")).to_have_text("1")
    clerk_page.locator("#nav-inbox").click()
    row = clerk_page.locator(f"#delivery-{delivery.pk}")
    expect(row).to_be_visible()
    expect(row.locator(".badge-new")).to_be_visible()
    assert fits_the_screen(clerk_page)

    # Opens it and acknowledges receipt.
    row.locator("a.delivery-link").click()
    expect(clerk_page).to_have_url(detail)
    expect(clerk_page.locator("#circular-reference")).to_have_text(delivery.circular.reference)
    expect(clerk_page.locator("#pdf-download")).to_be_visible()
    assert fits_the_screen(clerk_page)
    clerk_page.locator("#action-acknowledge").click()
    expect(clerk_page.locator(".msg-success")).to_be_visible()
    # The focus is on what happened (static/js/focus.js), not at the top of the page.
    expect(clerk_page.locator("#messages")).to_be_focused()
    expect(clerk_page.locator("#action-acknowledge")).to_have_count(0)
    expect(clerk_page.locator("#nav-inbox-count")).to_have_count(0)

    # Files the report with a PDF.
    clerk_page.locator("#report-link").click()
    assert fits_the_screen(clerk_page)
    file_report(clerk_page, delivery, evidence_pdf)
    expect(clerk_page.locator("#report-v1")).to_be_visible()
    expect(clerk_page.locator("#report-v1 a.evidence-link")).to_have_count(1)

    # The monitoring office returns it with a comment.
    log_in(monitor_page, "monitor")
    monitor_page.goto(detail)
    monitor_page.locator("#return_comment").fill("Đề nghị bổ sung danh sách cán bộ đã được thông báo.")
    monitor_page.locator("#action-return").click()
    expect(monitor_page).to_have_url(detail)
    expect(monitor_page.locator("#report-v1")).to_have_attribute("data-status", "returned")

    # The clerk corrects it: the form starts from version 1.
    clerk_page.goto(detail)
    clerk_page.locator("#report-link").click()
    expect(clerk_page.locator("#returned-notice")).to_be_visible()
    expect(clerk_page.locator('textarea[name="summary"]')).not_to_be_empty()
    first_item = delivery.circular.action_items.first()
    expect(clerk_page.locator(f'input[name="item-{first_item.pk}-status"][value="done"]')).to_be_checked()
    file_report(clerk_page, delivery, evidence_pdf)
    expect(clerk_page.locator("#report-v2")).to_be_visible()

    # The monitoring office accepts version 2.
    monitor_page.goto(detail)
    monitor_page.locator("#accept_comment").fill("Đạt yêu cầu.")
    monitor_page.locator("#action-accept").click()
    expect(monitor_page.locator("#report-v2")).to_have_attribute("data-status", "accepted")
    expect(monitor_page.locator("#accept-form")).to_have_count(0)

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.ACCEPTED
    assert delivery.reports.count() == 2
