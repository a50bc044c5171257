"""The pages of the incoming register, the circulars and the public verification.

The interface is translated after it is written, so these tests look at status codes,
addresses, element ids and names and the database, never at English wording."""

import datetime
import hashlib
import io
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from acknowledgements.services import recall
from circulars import services
from circulars.models import Circular, IncomingDispatch
from tests.conftest import VN
from tests.factories import approved_circular

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


@pytest.fixture
def district(district):
    district.place_name = "Thuận Bắc"
    district.save()
    return district


def pdf_upload(name="cong-van.pdf", data=PDF_BYTES):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def dispatch_form(**overrides):
    data = {
        "issuer": "Sở Thông tin và Truyền thông",
        "reference": "2980/STTTT-TTra",
        "document_date": "01/10/2024",
        "document_type": "cong_van",
        "subject": "V/v cảnh báo việc lợi dụng danh nghĩa cơ quan nhà nước để lừa đảo, giả mạo",
        "signer_name": "Trần Văn A",
        "urgency": "normal",
        "received_on": "03/10/2024",
        "due_on": "",
        "handled_by": "Phòng Văn hóa và Thông tin",
        "note": "",
    }
    data.update(overrides)
    return data


def register(records_clerk, **overrides) -> IncomingDispatch:
    fields = dispatch_form(**overrides)
    return services.register_incoming(
        by=records_clerk,
        issuer=fields["issuer"],
        reference=fields["reference"],
        document_date=datetime.datetime.strptime(fields["document_date"], "%d/%m/%Y").date(),
        received_on=datetime.datetime.strptime(fields["received_on"], "%d/%m/%Y").date(),
        subject=fields["subject"],
        handled_by=fields["handled_by"],
    )


def draft(drafter, signer, group, **data) -> Circular:
    return services.create_draft(
        by=drafter,
        data={
            "subject": "V/v tăng cường phòng chống lừa đảo",
            "body": "Đoạn một.\n\n- việc một",
            "signer": signer,
            "signer_title": "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH",
            "notation_override": "UBND-TH",
            **data,
        },
        recipient_groups=[group],
        action_items=["Tuyên truyền", "Báo cáo kết quả"],
    )


@pytest.fixture
def circular(district, drafter, signer, communes_group):
    return draft(drafter, signer, communes_group)


@pytest.fixture
def approved(circular, drafter, signer):
    services.submit(circular=circular, by=drafter)
    return services.approve(circular=circular, by=signer)


@pytest.fixture
def issued(approved, records_clerk):
    return services.issue(circular=approved, by=records_clerk)


# --- Incoming register --------------------------------------------------------------


def test_records_clerk_registers_dispatches_numbered_1_then_2(client, records_clerk):
    client.force_login(records_clerk)
    assert client.get(reverse("incoming-new")).status_code == 200

    first = client.post(reverse("incoming-new"), dispatch_form(files=[pdf_upload(), pdf_upload("phu-luc.pdf")]))
    second = client.post(reverse("incoming-new"), dispatch_form(reference="15/UBND-VX", received_on="04/10/2024"))

    one, two = IncomingDispatch.objects.order_by("arrival_number")
    assert (one.arrival_year, one.arrival_number) == (2024, 1)
    assert (two.arrival_year, two.arrival_number) == (2024, 2)
    assert first.status_code == 302 and first["Location"] == reverse("incoming-detail", args=[one.pk])
    assert second["Location"] == reverse("incoming-detail", args=[two.pk])
    # Dates typed dd/mm/yyyy, the reference split as written.
    assert one.document_date == datetime.date(2024, 10, 1)
    assert one.received_on == datetime.date(2024, 10, 3)
    assert (one.number, one.notation) == ("2980", "STTTT-TTra")
    assert sorted(one.attachments.values_list("original_name", flat=True)) == ["cong-van.pdf", "phu-luc.pdf"]


@pytest.mark.parametrize(
    "typed", ["01/10/2024", "1/10/2024", "01.10.2024", "01-10-2024", "01102024", "01/10/24", "2024-10-01"]
)
def test_dates_are_read_day_first_however_they_are_typed(client, records_clerk, typed):
    client.force_login(records_clerk)
    response = client.post(reverse("incoming-new"), dispatch_form(document_date=typed))
    assert response.status_code == 302
    assert IncomingDispatch.objects.get().document_date == datetime.date(2024, 10, 1)


def test_an_impossible_date_is_a_form_error(client, records_clerk):
    client.force_login(records_clerk)
    response = client.post(reverse("incoming-new"), dispatch_form(document_date="31/02/2024"))
    assert response.status_code == 400
    assert "document_date" in response.context["form"].errors


def test_received_on_defaults_to_today(client, records_clerk):
    client.force_login(records_clerk)
    body = client.get(reverse("incoming-new")).content.decode()
    assert f'value="{timezone.localdate():%d/%m/%Y}"' in body


def test_registering_the_same_dispatch_twice_is_409_with_a_link_to_the_first(client, records_clerk):
    client.force_login(records_clerk)
    client.post(reverse("incoming-new"), dispatch_form())
    first = IncomingDispatch.objects.get()

    response = client.post(reverse("incoming-new"), dispatch_form(issuer="  Sở Thông tin  và Truyền thông "))

    assert response.status_code == 409
    assert 'id="duplicate-link"' in response.content.decode()
    assert f'href="{reverse("incoming-detail", args=[first.pk])}"' in response.content.decode()
    assert IncomingDispatch.objects.count() == 1


def test_an_exe_renamed_pdf_is_a_form_error_naming_the_file(client, records_clerk):
    client.force_login(records_clerk)
    response = client.post(
        reverse("incoming-new"), dispatch_form(files=[pdf_upload(), pdf_upload("hoa-don.pdf", EXE_BYTES)])
    )
    assert response.status_code == 400
    assert "hoa-don.pdf" in response.content.decode()
    assert 'role="alert"' in response.content.decode()
    assert not IncomingDispatch.objects.exists()


def test_a_future_date_received_is_refused_with_400(client, records_clerk):
    client.force_login(records_clerk)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(reverse("incoming-new"), dispatch_form(received_on=f"{tomorrow:%d/%m/%Y}"))
    assert response.status_code == 400
    assert 'id="page-error"' in response.content.decode()


def test_a_drafter_reads_the_register_but_cannot_register(client, drafter):
    client.force_login(drafter)
    assert client.get(reverse("incoming-list")).status_code == 200
    assert client.get(reverse("incoming-new")).status_code == 403
    assert client.post(reverse("incoming-new"), dispatch_form()).status_code == 403
    assert not IncomingDispatch.objects.exists()


def test_a_unit_clerk_gets_404_on_the_incoming_register(client, clerk, records_clerk):
    dispatch = register(records_clerk)
    client.force_login(clerk)
    for url in [
        reverse("incoming-list"),
        reverse("incoming-new"),
        reverse("incoming-export"),
        reverse("incoming-detail", args=[dispatch.pk]),
    ]:
        assert client.get(url).status_code == 404, url


def test_the_list_search_ignores_diacritics(client, records_clerk):
    wanted = register(records_clerk)
    other = register(records_clerk, reference="7/UBND", subject="V/v tổ chức Tết Trung thu")
    client.force_login(records_clerk)

    response = client.get(reverse("incoming-list"), {"q": "canh bao gia mao"})

    assert response.status_code == 200
    assert list(response.context["page_obj"]) == [wanted]
    assert f'data-id="{other.pk}"' not in response.content.decode()


def test_the_list_filters_by_year_type_and_urgency(client, records_clerk):
    old = register(records_clerk, received_on="30/12/2023", document_date="20/12/2023")
    new = register(records_clerk, reference="8/KH-UBND", document_type="ke_hoach")
    IncomingDispatch.objects.filter(pk=new.pk).update(urgency="urgent", document_type="ke_hoach")
    client.force_login(records_clerk)

    def ids(**params):
        return [d.pk for d in client.get(reverse("incoming-list"), params).context["page_obj"]]

    assert ids(year=2023) == [old.pk]
    assert '<option value="2023" selected>' in client.get(reverse("incoming-list"), {"year": 2023}).content.decode()
    assert ids(document_type="ke_hoach") == [new.pk]
    assert ids(urgency="urgent") == [new.pk]
    assert sorted(ids()) == sorted([old.pk, new.pk])


def test_the_list_pages_by_50(client, records_clerk):
    for n in range(51):
        register(records_clerk, reference=f"{n + 1}/UBND")
    client.force_login(records_clerk)
    first = client.get(reverse("incoming-list"))
    second = client.get(reverse("incoming-list"), {"page": 2})
    assert len(first.context["page_obj"]) == 50
    assert len(second.context["page_obj"]) == 1
    assert 'rel="next"' in first.content.decode()


def test_the_xlsx_export_is_the_decree_30_register(client, records_clerk):
    register(records_clerk)
    register(records_clerk, reference="15/UBND-VX", subject='=HYPERLINK("http://evil")')
    register(records_clerk, reference="1/UBND", received_on="30/12/2023", document_date="20/12/2023")
    client.force_login(records_clerk)

    response = client.get(reverse("incoming-export"), {"year": 2024})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="so-van-ban-den-2024.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("SỔ ĐĂNG KÝ VĂN BẢN ĐẾN NĂM 2024",) + (None,) * 9
    assert rows[2] == (
        "Số đến",
        "Ngày đến",
        "Tác giả",
        "Số, ký hiệu",
        "Ngày tháng",
        "Tên loại và trích yếu nội dung",
        "Đơn vị hoặc người nhận",
        "Ngày chuyển",
        "Ký nhận",
        "Ghi chú",
    )
    assert len(rows) == 5  # title, blank, headings, two lines: the 2023 dispatch is in another year's register
    number, received, issuer, reference, dated, subject, handled_by, _transferred, _sign, _note = rows[3]
    assert received.date() == datetime.date(2024, 10, 3)
    assert sheet["B4"].number_format == "DD/MM/YYYY"
    assert number == 1
    assert issuer == "Sở Thông tin và Truyền thông"
    assert reference == "2980/STTTT-TTra"
    assert dated.date() == datetime.date(2024, 10, 1)
    assert "cảnh báo việc lợi dụng" in subject
    assert handled_by == "Phòng Văn hóa và Thông tin"
    # A subject that looks like a formula stays text.
    assert sheet["F5"].data_type == "s"


def test_the_export_of_a_year_without_dispatches_is_an_empty_register(client, records_clerk):
    register(records_clerk)
    client.force_login(records_clerk)
    response = client.get(reverse("incoming-export"), {"year": 2019})
    assert response["Content-Disposition"] == 'attachment; filename="so-van-ban-den-2019.xlsx"'
    assert len(list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))) == 3


def test_the_export_follows_the_list_filters(client, records_clerk):
    register(records_clerk)
    register(records_clerk, reference="15/UBND-VX", subject="V/v tổ chức Tết Trung thu")
    client.force_login(records_clerk)
    response = client.get(reverse("incoming-export"), {"year": 2024, "q": "trung thu"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [row[3] for row in rows[3:]] == ["15/UBND-VX"]


def test_the_incoming_page_lists_files_answers_and_offers_a_response(client, records_clerk, drafter, circular):
    client.force_login(records_clerk)
    client.post(reverse("incoming-new"), dispatch_form(files=[pdf_upload("Công văn 2980.pdf")]))
    dispatch = IncomingDispatch.objects.get()
    circular.in_response_to.add(dispatch)
    attachment = dispatch.attachments.get()

    client.force_login(drafter)
    body = client.get(reverse("incoming-detail", args=[dispatch.pk])).content.decode()

    assert reverse("attachment-download", args=[attachment.pk]) in body
    assert reverse("circular-detail", args=[circular.pk]) in body
    assert f"{reverse('circular-new')}?in_response_to={dispatch.pk}" in body


def test_an_attachment_downloads_with_its_name_and_nosniff(client, records_clerk):
    client.force_login(records_clerk)
    client.post(reverse("incoming-new"), dispatch_form(files=[pdf_upload("Công văn 2980.pdf")]))
    attachment = IncomingDispatch.objects.get().attachments.get()

    response = client.get(reverse("attachment-download", args=[attachment.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''C%C3%B4ng%20v%C4%83n%202980.pdf" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_a_unit_clerk_cannot_download_a_dispatch_attachment(client, records_clerk, clerk):
    client.force_login(records_clerk)
    client.post(reverse("incoming-new"), dispatch_form(files=[pdf_upload()]))
    attachment = IncomingDispatch.objects.get().attachments.get()
    client.force_login(clerk)
    assert client.get(reverse("attachment-download", args=[attachment.pk])).status_code == 404


# --- Drafting -----------------------------------------------------------------------


def circular_form(signer, group, **overrides):
    data = {
        "document_type": "cong_van",
        "notation": "UBND-TH",
        "subject": "V/v cảnh báo lừa đảo qua mạng",
        "body": "Thực hiện Công văn số 2980/STTTT-TTra.\n\n- Tuyên truyền rộng rãi\n- Báo cáo kết quả",
        "recipient_groups": [group.pk],
        "recipients_text": "",
        "copy_to": "Như trên;\nLưu: VT.",
        "action_items": "Tuyên truyền đến người dân\n\nBáo cáo kết quả trước 30/10",
        "ack_due_working_days": "2",
        "report_due_on": "30/10/2024",
        "urgency": "urgent",
        "signer": signer.pk,
        "signer_title": "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH",
    }
    data.update(overrides)
    return data


def test_the_new_circular_form_is_prefilled(client, drafter, records_clerk, district):
    dispatch = register(records_clerk)
    client.force_login(drafter)

    response = client.get(reverse("circular-new"), {"in_response_to": dispatch.pk})

    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["in_response_to"] == [dispatch.pk]
    assert form["copy_to"].value() == "Như trên;\nCT, PCT UBND huyện;\nVPUB: LĐ, CV;\nLưu: VT."
    assert form["signer_title"].value() == "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH"
    # Empty: Decree 30's notation is built unless the drafter types one.
    assert not form["notation"].value()
    assert form["ack_due_working_days"].value() == 2
    assert re.search(rf'name="in_response_to" value="{dispatch.pk}"[^>]*checked', response.content.decode())


def test_drafter_drafts_a_circular_through_the_page(
    client, drafter, signer, communes_group, monitoring_unit, records_clerk, district
):
    dispatch = register(records_clerk)
    client.force_login(drafter)

    response = client.post(
        reverse("circular-new"),
        circular_form(
            signer,
            communes_group,
            in_response_to=[dispatch.pk],
            monitoring_unit=monitoring_unit.pk,
            files=[pdf_upload("ke-hoach.pdf")],
        ),
    )

    circular = Circular.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("circular-detail", args=[circular.pk])
    assert circular.status == Circular.Status.DRAFT
    assert circular.subject == "V/v cảnh báo lừa đảo qua mạng"
    assert circular.body == (
        "<p>Thực hiện Công văn số 2980/STTTT-TTra.</p><ul><li>Tuyên truyền rộng rãi</li><li>Báo cáo kết quả</li></ul>"
    )
    assert list(circular.recipient_groups.all()) == [communes_group]
    assert list(circular.in_response_to.all()) == [dispatch]
    assert list(circular.action_items.values_list("text", flat=True)) == [
        "Tuyên truyền đến người dân",
        "Báo cáo kết quả trước 30/10",
    ]
    assert circular.copy_to == ["Như trên;", "Lưu: VT."]
    assert circular.signer == signer
    assert circular.monitoring_unit == monitoring_unit
    assert circular.report_due_on == datetime.date(2024, 10, 30)
    assert circular.urgency == "urgent"
    assert circular.issuing_unit == district
    assert circular.attachments.get().original_name == "ke-hoach.pdf"


def test_a_draft_without_subject_is_a_form_error(client, drafter, signer, communes_group, district):
    client.force_login(drafter)
    response = client.post(reverse("circular-new"), circular_form(signer, communes_group, subject=""))
    assert response.status_code == 400
    assert "subject" in response.context["form"].errors
    assert not Circular.objects.exists()


def test_only_drafters_open_the_new_circular_form(client, signer, records_clerk):
    client.force_login(signer)
    assert client.get(reverse("circular-new")).status_code == 403
    client.force_login(records_clerk)
    assert client.get(reverse("circular-new")).status_code == 403


def test_the_edit_form_shows_the_body_as_typed(client, drafter, circular):
    client.force_login(drafter)
    response = client.get(reverse("circular-edit", args=[circular.pk]))
    assert response.status_code == 200
    assert response.context["form"]["body"].value() == "Đoạn một.\n\n- việc một"
    assert response.context["form"]["action_items"].value() == "Tuyên truyền\nBáo cáo kết quả"


def test_drafter_edits_a_draft(client, drafter, signer, communes_group, unit, circular):
    client.force_login(drafter)
    response = client.post(
        reverse("circular-edit", args=[circular.pk]),
        circular_form(signer, communes_group, subject="V/v sửa lại", recipient_units=[unit.pk], action_items="Một"),
    )
    assert response.status_code == 302
    circular.refresh_from_db()
    assert circular.subject == "V/v sửa lại"
    assert list(circular.recipient_units.all()) == [unit]
    assert list(circular.action_items.values_list("text", flat=True)) == ["Một"]
    assert list(circular.events.values_list("action", flat=True)) == ["create", "edit"]


def test_a_submitted_circular_cannot_be_edited(client, drafter, signer, communes_group, circular):
    services.submit(circular=circular, by=drafter)
    client.force_login(drafter)
    assert client.get(reverse("circular-edit", args=[circular.pk])).status_code == 409
    response = client.post(reverse("circular-edit", args=[circular.pk]), circular_form(signer, communes_group))
    assert response.status_code == 409
    circular.refresh_from_db()
    assert circular.subject == "V/v tăng cường phòng chống lừa đảo"


# --- Lifecycle ----------------------------------------------------------------------


def test_the_list_shows_drafts_and_searches_without_diacritics(client, drafter, signer, communes_group, district):
    wanted = draft(drafter, signer, communes_group, subject="V/v cảnh báo giả mạo")
    other = draft(drafter, signer, communes_group, subject="V/v Tết Trung thu")
    client.force_login(drafter)
    assert {c.pk for c in client.get(reverse("circular-list")).context["page_obj"]} == {wanted.pk, other.pk}
    response = client.get(reverse("circular-list"), {"q": "canh bao gia mao"})
    assert [c.pk for c in response.context["page_obj"]] == [wanted.pk]
    assert 'id="new-circular"' in response.content.decode()
    response = client.get(reverse("circular-list"), {"status": "submitted"})
    assert list(response.context["page_obj"]) == []


def test_the_detail_page_shows_the_text_and_history(client, drafter, circular, communes_group):
    client.force_login(drafter)
    response = client.get(reverse("circular-detail", args=[circular.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert f"{communes_group.name}." in body
    assert "<p>Đoạn một.</p><ul><li>việc một</li></ul>" in body
    assert 'data-action="create"' in body
    assert reverse("circular-pdf", args=[circular.pk]) in body
    assert {"edit", "submit", "withdraw"} == response.context["actions"]


def test_drafter_submits(client, drafter, circular):
    client.force_login(drafter)
    assert 'id="action-submit"' in client.get(reverse("circular-detail", args=[circular.pk])).content.decode()
    response = client.post(reverse("circular-submit", args=[circular.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("circular-detail", args=[circular.pk])
    circular.refresh_from_db()
    assert circular.status == Circular.Status.SUBMITTED


def test_submitting_without_a_signer_is_400(client, drafter, circular):
    Circular.objects.filter(pk=circular.pk).update(signer=None)
    client.force_login(drafter)
    response = client.post(reverse("circular-submit", args=[circular.pk]))
    assert response.status_code == 400
    assert 'id="page-error"' in response.content.decode()


def test_signer_approves(client, drafter, signer, circular):
    services.submit(circular=circular, by=drafter)
    client.force_login(signer)
    body = client.get(reverse("circular-detail", args=[circular.pk])).content.decode()
    assert 'id="action-approve"' in body and 'id="action-return"' in body
    assert client.post(reverse("circular-approve", args=[circular.pk])).status_code == 302
    circular.refresh_from_db()
    assert circular.status == Circular.Status.APPROVED


def test_signer_returns_with_a_comment(client, drafter, signer, circular):
    services.submit(circular=circular, by=drafter)
    client.force_login(signer)
    response = client.post(reverse("circular-return", args=[circular.pk]), {"return-comment": "Sửa trích yếu"})
    assert response.status_code == 302
    circular.refresh_from_db()
    assert circular.status == Circular.Status.RETURNED
    assert circular.events.last().comment == "Sửa trích yếu"


def test_returning_without_a_comment_is_400(client, drafter, signer, circular):
    services.submit(circular=circular, by=drafter)
    client.force_login(signer)
    response = client.post(reverse("circular-return", args=[circular.pk]), {"return-comment": "  "})
    assert response.status_code == 400
    circular.refresh_from_db()
    assert circular.status == Circular.Status.SUBMITTED


def test_records_clerk_issues_with_the_next_number(client, records_clerk, approved):
    client.force_login(records_clerk)
    assert 'id="action-issue"' in client.get(reverse("circular-detail", args=[approved.pk])).content.decode()
    response = client.post(reverse("circular-issue", args=[approved.pk]), {"issue-issued_on": ""})
    assert response.status_code == 302
    approved.refresh_from_db()
    assert approved.status == Circular.Status.ISSUED
    assert approved.reference == "1/UBND-TH"
    assert approved.issued_on == timezone.localdate()
    body = client.get(reverse("circular-detail", args=[approved.pk])).content.decode()
    assert 'id="circular-reference">1/UBND-TH<' in body
    assert approved.sha256 in body
    assert reverse("verify", args=[approved.verification_code]) in body


def test_issuing_takes_a_typed_date(client, records_clerk, drafter, signer, communes_group):
    # Signed on Tuesday 15/10/2024, issued the next morning with the date of signing.
    with time_machine.travel(datetime.datetime(2024, 10, 15, 16, 0, tzinfo=VN), tick=False):
        signed = approved_circular(drafter, signer, groups=[communes_group])
    client.force_login(records_clerk)
    with time_machine.travel(datetime.datetime(2024, 10, 16, 8, 0, tzinfo=VN), tick=False):
        response = client.post(reverse("circular-issue", args=[signed.pk]), {"issue-issued_on": "15/10/2024"})
    assert response.status_code == 302
    signed.refresh_from_db()
    assert signed.issued_on == datetime.date(2024, 10, 15)


def test_issuing_with_a_future_date_is_400(client, records_clerk, approved):
    client.force_login(records_clerk)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(reverse("circular-issue", args=[approved.pk]), {"issue-issued_on": f"{tomorrow:%d/%m/%Y}"})
    assert response.status_code == 400
    approved.refresh_from_db()
    assert approved.number is None


def test_signer_withdrawing_an_issued_circular_recalls_it_with_the_reason(client, signer, issued):
    client.force_login(signer)
    response = client.post(reverse("circular-withdraw", args=[issued.pk]), {"withdraw-reason": "Sai căn cứ"})
    assert response.status_code == 302
    issued.refresh_from_db()
    assert issued.status == Circular.Status.RECALLED
    assert issued.events.last().comment == "Sai căn cứ"


@pytest.mark.parametrize(
    ("who", "action"),
    [
        ("signer", "circular-submit"),
        ("records_clerk", "circular-submit"),
        ("drafter", "circular-approve"),
        ("records_clerk", "circular-approve"),
        ("drafter", "circular-return"),
    ],
)
def test_the_wrong_role_gets_403(client, request, who, action, circular):
    if action != "circular-submit":
        services.submit(circular=circular, by=request.getfixturevalue("drafter"))
    client.force_login(request.getfixturevalue(who))
    response = client.post(reverse(action, args=[circular.pk]), {"return-comment": "x"})
    assert response.status_code == 403
    assert 'id="page-error"' in response.content.decode()


def test_only_the_records_clerk_issues(client, signer, approved):
    client.force_login(signer)
    assert client.post(reverse("circular-issue", args=[approved.pk])).status_code == 403
    approved.refresh_from_db()
    assert approved.number is None


def test_a_drafter_cannot_withdraw_an_issued_circular(client, drafter, issued):
    client.force_login(drafter)
    response = client.post(reverse("circular-withdraw", args=[issued.pk]), {"withdraw-reason": "x"})
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("who", "action"),
    [("signer", "circular-approve"), ("records_clerk", "circular-issue"), ("signer", "circular-return")],
)
def test_the_wrong_state_gets_409(client, request, who, action, circular):
    client.force_login(request.getfixturevalue(who))
    response = client.post(reverse(action, args=[circular.pk]), {"return-comment": "x"})
    assert response.status_code == 409
    assert 'id="page-error"' in response.content.decode()
    circular.refresh_from_db()
    assert circular.status == Circular.Status.DRAFT


def test_submitting_twice_is_409(client, drafter, circular):
    client.force_login(drafter)
    client.post(reverse("circular-submit", args=[circular.pk]))
    assert client.post(reverse("circular-submit", args=[circular.pk])).status_code == 409


@pytest.mark.parametrize("action", ["submit", "approve", "return", "issue", "withdraw"])
def test_get_on_a_transition_is_405(client, drafter, circular, action):
    client.force_login(drafter)
    assert client.get(reverse(f"circular-{action}", args=[circular.pk])).status_code == 405


def test_a_unit_clerk_gets_404_on_a_circular_not_addressed_to_them(client, other_clerk, circular):
    client.force_login(other_clerk)
    for name in ["circular-detail", "circular-pdf", "circular-edit"]:
        assert client.get(reverse(name, args=[circular.pk])).status_code == 404, name
    assert client.post(reverse("circular-submit", args=[circular.pk])).status_code == 404
    assert list(client.get(reverse("circular-list")).context["page_obj"]) == []


def test_the_monitor_reads_the_circulars_their_unit_monitors(client, monitor, monitoring_unit, circular):
    client.force_login(monitor)
    assert client.get(reverse("circular-detail", args=[circular.pk])).status_code == 404
    Circular.objects.filter(pk=circular.pk).update(monitoring_unit=monitoring_unit)
    response = client.get(reverse("circular-detail", args=[circular.pk]))
    assert response.status_code == 200
    assert response.context["actions"] == set()


# --- PDF ----------------------------------------------------------------------------


def test_the_pdf_of_a_draft_is_a_fresh_preview(client, drafter, circular):
    client.force_login(drafter)
    response = client.get(reverse("circular-pdf", args=[circular.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert response.content.startswith(b"%PDF-")


def test_the_pdf_of_an_issued_circular_is_the_stored_file(client, drafter, issued):
    client.force_login(drafter)
    response = client.get(reverse("circular-pdf", args=[issued.pk]), {"download": "1"})
    content = b"".join(response.streaming_content)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Cong-van-1-UBND-TH.pdf"'
    assert hashlib.sha256(content).hexdigest() == issued.sha256
    inline = client.get(reverse("circular-pdf", args=[issued.pk]))
    assert inline["Content-Disposition"].startswith("inline;")


# --- Public verification ------------------------------------------------------------


def test_the_verify_page_needs_no_login_and_shows_the_circular(client, issued, signer, district):
    response = client.get(reverse("verify", args=[issued.verification_code]))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="reference">1/UBND-TH<' in body
    assert issued.subject in body
    assert district.name in body
    assert signer.get_full_name() in body
    assert "PHÓ CHỦ TỊCH" in body
    assert issued.sha256 in body
    assert issued.issued_on.strftime("%d/%m/%Y") in body


def test_the_code_is_case_insensitive_and_the_dash_optional(client, issued):
    code = issued.verification_code
    assert client.get(reverse("verify", args=[code.lower()])).status_code == 200
    assert client.get(reverse("verify", args=[code.replace("-", "")])).status_code == 200


def test_the_verification_address_on_the_pdf_resolves(client, issued):
    url = issued.verification_url
    path = url.removeprefix("http://127.0.0.1:8000")
    assert client.get(path).status_code == 200


def test_the_exact_pdf_matches(client, issued):
    with issued.pdf.open("rb") as f:
        data = f.read()
    response = client.post(
        reverse("verify", args=[issued.verification_code]), {"file": pdf_upload("nhan-duoc.pdf", data)}
    )
    assert response.status_code == 200
    assert 'data-matches="yes"' in response.content.decode()


def test_a_modified_pdf_does_not_match(client, issued):
    with issued.pdf.open("rb") as f:
        data = f.read()
    changed = data + "\n% sửa".encode()
    response = client.post(reverse("verify", args=[issued.verification_code]), {"file": pdf_upload("sua.pdf", changed)})
    assert response.status_code == 200
    assert 'data-matches="no"' in response.content.decode()
    assert hashlib.sha256(changed).hexdigest() in response.content.decode()


def test_an_empty_upload_is_explained(client, issued):
    response = client.post(reverse("verify", args=[issued.verification_code]), {"file": pdf_upload("x.pdf", b"")})
    assert response.status_code == 400
    assert "data-matches" not in response.content.decode()


def test_an_unknown_code_is_404(client, issued):
    assert client.get(reverse("verify", args=["ZZZZ-9999"])).status_code == 404


def test_a_draft_cannot_be_verified(client, circular):
    Circular.objects.filter(pk=circular.pk).update(verification_code="ABCD-2345")
    assert client.get(reverse("verify", args=["ABCD-2345"])).status_code == 404


def test_a_recalled_circular_says_so(client, signer, issued):
    recall(circular=issued, by=signer, reason="Sai căn cứ")
    response = client.get(reverse("verify", args=[issued.verification_code]))
    assert response.status_code == 200
    assert 'id="recalled-notice"' in response.content.decode()
    assert "Sai căn cứ" in response.content.decode()


def test_the_code_form_redirects_to_the_verify_page(client, issued):
    assert client.get(reverse("verify-lookup")).status_code == 200
    response = client.get(reverse("verify-lookup"), {"code": issued.verification_code.lower().replace("-", " ")})
    assert response.status_code == 302
    assert response["Location"] == reverse("verify", args=[issued.verification_code])


def test_drafting_form_shows_the_acknowledgement_deadline(client, drafter, district):
    client.force_login(drafter)
    with time_machine.travel(datetime.datetime(2024, 10, 7, 9, tzinfo=datetime.UTC), tick=False):
        html = client.get("/circulars/new/").content.decode()
    assert 'id="ack-due-date">09/10/2024<' in html  # Monday + 2 working days
    assert "js/due-preview.js" in html
