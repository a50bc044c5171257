"""An incoming dispatch handled in the browser (issue 16): the records clerk presents it to
the leader, the leader assigns a lead and a supporting unit, the supporting unit adds its
contribution on a phone, the lead unit drafts the circular in response, which is signed and
issued, and that completes the handling. Elements are found by ids and names."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import expect

from circulars import services
from circulars.models import Assignment, Circular, HandlingStatus, IncomingDispatch
from core.uploads import check_upload
from tests.browser.conftest import log_in
from tests.conftest import make_user
from units.roles import PortalRole

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF_BYTES = b"%PDF-1.4\n%%EOF\n"


def switch_user(page, username):
    page.context.clear_cookies()
    log_in(page, username)


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_dispatch_is_presented_assigned_worked_on_and_answered(
    page, phone_page, records_clerk, signer, drafter, clerk, monitoring_unit, unit, communes_group
):
    today = timezone.localdate()
    dispatch = services.register_incoming(
        by=records_clerk,
        issuer="Sở Thông tin và Truyền thông",
        reference="2980/STTTT-TTra",
        document_date=today - datetime.timedelta(days=3),
        subject="V/v cảnh báo việc lợi dụng danh nghĩa cơ quan nhà nước để lừa đảo",
        received_on=today,
        files=[check_upload(SimpleUploadedFile("cong-van-2980.pdf", PDF_BYTES, content_type="application/pdf"))],
    )
    # The culture office's specialist: a member of the lead unit who drafts circulars.
    make_user("vhtt-drafter", role=PortalRole.DRAFTER, unit=monitoring_unit)
    incoming = f"/incoming/{dispatch.pk}/"

    # The records clerk presents it to the leader.
    log_in(page, "records-clerk")
    page.goto(incoming)
    expect(page.locator("#handling-status")).to_have_attribute("data-status", "registered")
    page.locator("#present_leader").select_option(str(signer.pk))
    page.locator("#present_note").fill("Kính trình đồng chí Phó Chủ tịch cho ý kiến.")
    page.locator("#action-present").click()
    expect(page.locator(".msg-success")).to_be_visible()
    expect(page.locator("#handling-status")).to_have_attribute("data-status", "presented")

    # The leader finds it in the inbox and assigns it: the culture office leads, the
    # commune supports, five working days.
    switch_user(page, "signer")
    page.goto("/inbox/")
    page.locator(f"#presented-{dispatch.pk} a").click()
    expect(page).to_have_url(incoming)
    page.locator("#assign_lead_unit").select_option(str(monitoring_unit.pk))
    page.locator(f'input[name="support_units"][value="{unit.pk}"]').check()
    page.locator('input[name="due_by"][value="working_days"]').check()
    page.locator("#assign_working_days").fill("5")
    page.locator("#assign_instruction").fill("Giao Phòng Văn hóa và Thông tin tham mưu UBND huyện triển khai.")
    page.locator("#action-assign").click()
    expect(page.locator("#handling-status")).to_have_attribute("data-status", "assigned")
    lead = Assignment.objects.get(role="lead")
    support = Assignment.objects.get(role="support")
    expect(page.locator(f"#assignment-{lead.pk}")).to_have_attribute("data-unit", monitoring_unit.code)
    expect(page.locator(f"#assignment-{support.pk}")).to_have_attribute("data-unit", unit.code)
    expect(page.locator("#reassign-notice")).to_be_attached()

    # The commune's clerk, on a phone, finds it in the inbox and adds its contribution.
    log_in(phone_page, "clerk")
    phone_page.goto("/inbox/")
    row = phone_page.locator(f"#assignment-{support.pk}")
    expect(row).to_be_visible()
    assert fits_the_screen(phone_page)
    row.locator("a.assignment-link").click()
    expect(phone_page).to_have_url(f"/assignments/{support.pk}/")
    expect(phone_page.locator("#assignment-role")).to_have_attribute("data-role", "support")
    expect(phone_page.locator("#action-complete")).to_have_count(0)
    assert fits_the_screen(phone_page)
    # The dispatch's scan downloads for the assigned unit.
    download = phone_page.request.get(phone_page.locator("#attachments a").first.get_attribute("href"))
    assert download.status == 200 and download.body() == PDF_BYTES
    phone_page.locator("#note_text").fill("Xã Một đã tuyên truyền trên hệ thống loa truyền thanh.")
    phone_page.locator("#action-note").click()
    expect(phone_page.locator(".msg-success")).to_be_visible()
    expect(phone_page.locator('#handling-history li[data-action="note"]')).to_contain_text("loa truyền thanh")

    # The lead unit's specialist sees the contribution and drafts the answer from the assignment.
    switch_user(page, "vhtt-drafter")
    page.goto("/inbox/")
    page.locator(f"#assignment-{lead.pk} a.assignment-link").click()
    expect(page.locator('#handling-history li[data-action="note"]')).to_contain_text("loa truyền thanh")
    page.locator("#draft-response").click()
    expect(page.locator(f'input[name="in_response_to"][value="{dispatch.pk}"]')).to_be_checked()
    page.locator("#id_subject").fill("V/v cảnh báo việc lợi dụng danh nghĩa cơ quan nhà nước để lừa đảo")
    page.locator("#id_body").fill("Thực hiện Công văn số 2980/STTTT-TTra.\n\nUBND huyện đề nghị:")
    page.locator(f'input[name="recipient_groups"][value="{communes_group.pk}"]').check()
    page.locator("#id_action_items").fill("Tuyên truyền đến người dân")
    page.locator("#id_signer").select_option(str(signer.pk))
    page.locator("#id_notation").fill("UBND-VHTT")
    page.locator("#save-draft").click()
    expect(page).to_have_url(re.compile(r"/circulars/\d+/$"))
    circular = Circular.objects.get()
    page.locator("#action-submit").click()
    expect(page.locator(".badge.status-submitted")).to_be_visible()

    switch_user(page, "signer")
    page.goto(f"/circulars/{circular.pk}/")
    page.locator("#action-approve").click()
    expect(page.locator(".badge.status-approved")).to_be_visible()

    switch_user(page, "records-clerk")
    page.goto(f"/circulars/{circular.pk}/")
    page.locator("#action-issue").click()
    expect(page.locator(".badge.status-issued")).to_be_visible()

    # Issuing the answer completed the handling, for the lead and the supporting unit.
    page.goto(incoming)
    expect(page.locator("#handling-status")).to_have_attribute("data-status", "done")
    expect(page.locator(f"#assignment-{lead.pk} .astatus-done")).to_be_visible()
    expect(page.locator(f"#assignment-{support.pk} .astatus-done")).to_be_visible()
    switch_user(page, "vhtt-drafter")
    page.goto(f"/assignments/{lead.pk}/")
    expect(page.locator("#assignment-status")).to_have_attribute("data-status", "done")
    expect(page.locator("#completed-by-circular")).to_have_text(Circular.objects.get().reference)
    expect(page.locator("#action-note")).to_have_count(0)
    phone_page.goto("/inbox/")
    expect(phone_page.locator("#handling-section")).to_have_count(0)

    assert IncomingDispatch.objects.get(pk=dispatch.pk).handling_status == HandlingStatus.DONE
    assert set(Assignment.objects.values_list("status", flat=True)) == {"done"}
    assert Assignment.objects.get(pk=lead.pk).completed_by_circular_id == circular.pk
