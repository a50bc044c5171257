"""A circular's life in the browser: drafted, returned, resubmitted, approved, issued.

Elements are found by id and name: the interface text will be Vietnamese."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from circulars.models import Circular, IncomingDispatch
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def switch_user(page, username):
    page.context.clear_cookies()
    log_in(page, username)


def test_a_circular_is_drafted_returned_resubmitted_approved_and_issued(
    page, drafter, signer, records_clerk, communes_group, district
):
    district.place_name = "Thuận Bắc"
    district.save()

    log_in(page, "drafter")
    page.goto("/circulars/")
    page.locator("#new-circular").click()
    page.locator("#id_subject").fill("V/v cảnh báo việc lợi dụng danh nghĩa cơ quan nhà nước để lừa đảo")
    page.locator("#id_body").fill("Thực hiện Công văn số 2980/STTTT-TTra.\n\nUBND huyện đề nghị:")
    page.locator(f'input[name="recipient_groups"][value="{communes_group.pk}"]').check()
    page.locator("#id_action_items").fill("Tuyên truyền đến người dân\nBáo cáo kết quả thực hiện")
    page.locator("#id_signer").select_option(str(signer.pk))
    # The test organisation has no drafting office: the drafter types the notation.
    page.locator("#id_notation").fill("UBND-TH")
    page.locator("#save-draft").click()

    expect(page).to_have_url(re.compile(r"/circulars/\d+/$"))
    circular = Circular.objects.get()
    detail = f"/circulars/{circular.pk}/"
    assert list(circular.action_items.values_list("text", flat=True)) == [
        "Tuyên truyền đến người dân",
        "Báo cáo kết quả thực hiện",
    ]
    expect(page.locator("#action-items li")).to_have_count(2)
    page.locator("#action-submit").click()
    expect(page.locator(".badge.status-submitted")).to_be_visible()

    switch_user(page, "signer")
    page.goto(detail)
    page.locator("#id_return-comment").fill("Bổ sung thời hạn báo cáo.")
    page.locator("#action-return").click()
    expect(page.locator(".badge.status-returned")).to_be_visible()
    expect(page.locator('#history tr[data-action="return"]')).to_contain_text("Bổ sung thời hạn báo cáo.")

    switch_user(page, "drafter")
    page.goto(detail)
    page.locator("#action-edit").click()
    # Plausible dates only (core.dates): a deadline a year ahead.
    report_due_on = timezone.localdate() + datetime.timedelta(days=365)
    page.locator("#id_report_due_on").fill(f"{report_due_on:%d/%m/%Y}")
    page.locator("#save-draft").click()
    expect(page).to_have_url(re.compile(rf"{detail}$"))
    page.locator("#action-submit").click()
    expect(page.locator(".badge.status-submitted")).to_be_visible()

    switch_user(page, "signer")
    page.goto(detail)
    page.locator("#action-approve").click()
    expect(page.locator(".badge.status-approved")).to_be_visible()

    switch_user(page, "records-clerk")
    page.goto(detail)
    page.locator("#action-issue").click()
    expect(page.locator("#circular-reference")).to_have_text("1/UBND-TH")
    expect(page.locator(".badge.status-issued")).to_be_visible()

    pdf = page.request.get(page.locator("#pdf-link").get_attribute("href"))
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF-")
    circular.refresh_from_db()
    assert circular.report_due_on == report_due_on
    assert [e.action for e in circular.events.all()] == [
        "create",
        "submit",
        "return",
        "edit",
        "submit",
        "approve",
        "issue",
    ]

    # Anyone holding the paper checks it without an account.
    page.context.clear_cookies()
    page.goto(f"/verify/{circular.verification_code.lower()}")
    expect(page.locator("#reference")).to_have_text("1/UBND-TH")


def test_records_clerk_registers_a_dispatch_on_a_phone(phone_page, records_clerk, tmp_path):
    page = phone_page
    log_in(page, "records-clerk")
    page.goto("/incoming/")
    page.locator("#register-dispatch").click()
    page.locator("#id_issuer").fill("Sở Thông tin và Truyền thông")
    page.locator("#id_reference").fill("2980/STTTT-TTra")
    page.locator("#id_document_date").fill("01/10/2024")
    page.locator("#id_subject").fill("V/v cảnh báo giả mạo")
    scan = tmp_path / "cong-van.pdf"
    scan.write_bytes(b"%PDF-1.4\n%%EOF\n")
    page.locator("#id_files").set_input_files(str(scan))
    page.locator("#register-submit").click()

    expect(page.locator("#arrival-number")).to_have_text(re.compile(r"^1/\d{4}$"))
    dispatch = IncomingDispatch.objects.get()
    assert dispatch.document_date == datetime.date(2024, 10, 1)
    assert dispatch.attachments.get().original_name == "cong-van.pdf"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.goto("/incoming/?q=canh+bao")
    expect(page.locator(f'#incoming-table tr[data-id="{dispatch.pk}"]')).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
