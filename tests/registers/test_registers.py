"""The registers of Decree 30/2020, Appendix IV: the outgoing register (page, API, XLSX),
both registers printed (PDF read back with pypdf), the incoming register's "Ngày chuyển"
and its arrival order."""

import datetime
import io
import re
import threading

import pytest
import time_machine
from django.db import IntegrityError, connection, connections, transaction
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from acknowledgements.services import distribute, recall
from circulars import services
from circulars.models import Circular, IncomingDispatch
from core.errors import Forbidden, Invalid
from registers import books
from tests.conftest import VN
from tests.factories import issued_circular

pytestmark = pytest.mark.django_db

TODAY = datetime.datetime(2024, 12, 20, 9, 0, tzinfo=VN)

INCOMING_HEADINGS = [
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
]
OUTGOING_HEADINGS = [
    "Số, ký hiệu văn bản",
    "Ngày tháng văn bản",
    "Tên loại và trích yếu nội dung văn bản",
    "Người ký",
    "Nơi nhận văn bản",
    "Đơn vị, người nhận bản lưu",
    "Số lượng bản",
    "Ngày chuyển",
    "Ký nhận",
    "Ghi chú",
]


@pytest.fixture(autouse=True)
def _december_2024():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def district(district):
    district.name = "Ủy ban nhân dân huyện Thuận Bắc"
    district.place_name = "Thuận Bắc"
    district.save()
    return district


def register(records_clerk, number, received_on, **fields) -> IncomingDispatch:
    return services.register_incoming(
        by=records_clerk,
        issuer=fields.pop("issuer", "Sở Thông tin và Truyền thông"),
        reference=f"{number}/STTTT-TTra",
        document_date=fields.pop("document_date", received_on - datetime.timedelta(days=2)),
        subject=fields.pop("subject", f"V/v việc số {number}"),
        received_on=received_on,
        **fields,
    )


def table_headings(html: str, table_id: str) -> list[str]:
    table = re.search(rf'<table[^>]*id="{table_id}".*?</thead>', html, re.S).group(0)
    return [re.sub(r"\s+", " ", cell).strip() for cell in re.findall(r"<th(?:\s[^>]*)?>(.*?)</th>", table, re.S)]


def pdf_text(content: bytes) -> list[str]:
    """Each page's text, its white space folded (a cell's words wrap onto several lines)."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages]


def in_order(text: str, words: list[str]) -> bool:
    """Each of ``words`` occurs in ``text`` after the one before it; spaces are left out
    of both, since a narrow cell wraps "2980/STTTT-TTra" where it can."""
    text, at = text.replace(" ", ""), 0
    for word in (word.replace(" ", "") for word in words):
        at = text.find(word, at)
        if at == -1:
            return False
        at += len(word)
    return True


# --- The outgoing register ------------------------------------------------------------


@pytest.fixture
def outgoing(drafter, signer, records_clerk, communes_group, district, unit, other_unit):
    """Two documents of 2024 (the first distributed, the second recalled) and one of 2023."""
    with time_machine.travel(datetime.datetime(2023, 12, 28, 9, 0, tzinfo=VN), tick=False):
        old = issued_circular(drafter, signer, records_clerk, groups=[communes_group], subject="V/v năm cũ")
    first = issued_circular(
        drafter,
        signer,
        records_clerk,
        groups=[communes_group],
        issued_on=datetime.date(2024, 10, 15),
        subject="V/v cảnh báo giả mạo",
        copy_to=["Như trên;", "CT, PCT UBND huyện;", "Lưu: VT, VHTT."],
    )
    with time_machine.travel(datetime.datetime(2024, 10, 16, 8, 30, tzinfo=VN), tick=False):
        distribute(circular=first, by=records_clerk)
    second = issued_circular(
        drafter,
        signer,
        records_clerk,
        units=[unit],
        issued_on=datetime.date(2024, 11, 4),
        subject="V/v họp giao ban",
        document_type="thong_bao",
    )
    recall(circular=second, by=signer, reason="Sai địa chỉ")
    return old, first, second


def test_the_outgoing_lines_have_appendix_iv_columns_in_order(outgoing, signer, communes_group, unit):
    _old, first, second = outgoing
    with translation.override("vi"):
        assert books.headings(books.OUTGOING_COLUMNS) == OUTGOING_HEADINGS
        rows = [entry.row() for entry in books.outgoing_entries(books.outgoing_of_year(Circular.objects, 2024))]
    assert rows == [
        [
            f"{first.number}/UBND-TH",
            datetime.date(2024, 10, 15),
            "Công văn: V/v cảnh báo giả mạo",
            "Nguyễn Hùng",
            "Ủy ban nhân dân các xã; CT, PCT UBND huyện",
            "VT, VHTT",
            # two communes, one copy for the leaders, two kept
            5,
            datetime.date(2024, 10, 16),
            "",
            "",
        ],
        [
            f"{second.number}/UBND-TH",
            datetime.date(2024, 11, 4),
            "Thông báo: V/v họp giao ban",
            "Nguyễn Hùng",
            "Ủy ban nhân dân xã Một",
            "VT",
            2,
            None,
            "",
            "Đã thu hồi",
        ],
    ]


def test_the_outgoing_page_lists_the_year_in_number_order(client, records_clerk, outgoing):
    _old, first, second = outgoing
    client.force_login(records_clerk)
    response = client.get(reverse("outgoing-list"), {"year": 2024}, HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 200
    html = response.content.decode()
    assert table_headings(html, "outgoing-table") == OUTGOING_HEADINGS
    ids = re.findall(r'<tr data-id="(\d+)"', html)
    assert ids == [str(first.pk), str(second.pk)]
    assert 'href="/outgoing/print.pdf?year=2024"' in html
    assert 'id="nav-outgoing"' in html


def test_the_outgoing_page_defaults_to_this_year(client, records_clerk, outgoing):
    client.force_login(records_clerk)
    response = client.get(reverse("outgoing-list"))
    assert response.context["year"] == 2024
    assert len(response.context["entries"]) == 2


@pytest.mark.parametrize("year", ["abc", "1900", "2025", "2024.5", "+2024", "٢٠٢٤"])
def test_a_year_that_is_not_one_is_400_on_the_pages(client, records_clerk, year):
    client.force_login(records_clerk)
    for name in ("outgoing-list", "outgoing-export", "outgoing-print", "incoming-print"):
        response = client.get(reverse(name), {"year": year}, HTTP_ACCEPT_LANGUAGE="vi")
        assert response.status_code == 400, name
        assert "Năm của sổ đăng ký là một số nguyên từ 1945 đến 2024." in response.content.decode()


@pytest.mark.parametrize("who", ["clerk", "monitor"])
def test_who_keeps_no_register_gets_404(client, api_as, request, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    for name in ("outgoing-list", "outgoing-export", "outgoing-print", "incoming-print"):
        assert client.get(reverse(name), {"year": "abc"}).status_code == 404, name
    assert 'id="nav-outgoing"' not in client.get(reverse("home")).content.decode()
    api = api_as(user)
    assert api.get("/api/v1/outgoing/").status_code == 404
    assert api.get("/api/v1/outgoing/export.xlsx").status_code == 404


def test_a_drafter_and_a_signer_read_the_outgoing_register(client, drafter, signer, outgoing):
    for user in (drafter, signer):
        client.force_login(user)
        assert client.get(reverse("outgoing-list")).status_code == 200


def _issued_rows(n, year, *, district, drafter, signer, communes_group):
    for number in range(1, n + 1):
        circular = Circular.objects.create(
            status=Circular.Status.ISSUED,
            subject=f"V/v số {number}",
            issuing_unit=district,
            created_by=drafter,
            signer=signer,
            copy_to=["Như trên;", "Lưu: VT."],
            number=number,
            issued_year=year,
            issued_on=datetime.date(year, 1, 2) + datetime.timedelta(days=number),
            sha256="0" * 64,
        )
        circular.recipient_groups.add(communes_group)


def test_the_outgoing_page_reads_as_many_rows_in_the_same_queries(
    client, records_clerk, district, drafter, signer, communes_group, django_assert_max_num_queries
):
    client.force_login(records_clerk)
    made = {"district": district, "drafter": drafter, "signer": signer, "communes_group": communes_group}
    # An issued circular is never deleted: 3 lines in 2023's register, 30 in 2024's.
    _issued_rows(3, 2023, **made)
    _issued_rows(30, 2024, **made)
    with django_assert_max_num_queries(50) as few:
        assert len(client.get(reverse("outgoing-list"), {"year": 2023}).context["entries"]) == 3
    # session, user, roles (the page's and the navigation's), count, the page of circulars
    # with their signers and first distribution, their groups, the groups' units, their
    # single units: the same set for 30 lines as for 3.
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        assert len(client.get(reverse("outgoing-list"), {"year": 2024}).context["entries"]) == 30
    assert len(many.captured_queries) == len(few.captured_queries)


# --- The API ---------------------------------------------------------------------------


def test_the_api_lists_the_year_in_number_order_paginated(api_as, records_clerk, outgoing):
    _old, first, second = outgoing
    api = api_as(records_clerk)
    page = api.get("/api/v1/outgoing/", {"year": 2024, "page_size": 1}).json()
    assert page["count"] == 2 and page["next"] and page["previous"] is None
    line = page["results"][0]
    assert line["reference"] == first.reference
    assert line["issued_on"] == "2024-10-15"
    assert line["type_and_subject"] == "Công văn: V/v cảnh báo giả mạo"
    assert line["signer_name"] == "Nguyễn Hùng"
    assert line["recipients"] == ["Ủy ban nhân dân các xã", "CT, PCT UBND huyện"]
    assert line["kept_by"] == "VT, VHTT"
    assert line["copies"] == 5
    assert line["transferred_on"] == "2024-10-16"
    second_page = api.get("/api/v1/outgoing/", {"year": 2024, "page_size": 1, "page": 2}).json()
    assert [r["id"] for r in second_page["results"]] == [second.pk]
    assert second_page["results"][0]["note"] == "Đã thu hồi"
    assert [r["reference"] for r in api.get("/api/v1/outgoing/", {"year": 2023}).json()["results"]] == [
        outgoing[0].reference
    ]
    # This year unless given, a blank year too.
    assert api.get("/api/v1/outgoing/").json()["count"] == 2
    assert api.get("/api/v1/outgoing/", {"year": ""}).json()["count"] == 2
    assert api.get("/api/v1/outgoing/", {"year": 2024, "page": 3}).status_code == 404


@pytest.mark.parametrize("year", ["abc", "1900", "2025", "2024.5", "99999999999999999999"])
def test_the_api_refuses_a_year_that_is_not_one(api_as, records_clerk, year):
    api = api_as(records_clerk)
    for path in ("/api/v1/outgoing/", "/api/v1/outgoing/export.xlsx"):
        response = api.get(path, {"year": year}, HTTP_ACCEPT_LANGUAGE="vi")
        assert response.status_code == 400, path
        assert "Năm của sổ đăng ký là một số nguyên từ 1945 đến 2024." in str(response.json())


def test_the_api_xlsx_is_the_register_with_its_title(api_as, records_clerk, outgoing):
    _old, first, second = outgoing
    response = api_as(records_clerk).get("/api/v1/outgoing/export.xlsx", {"year": 2024})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="so-van-ban-di-2024.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "SỔ ĐĂNG KÝ VĂN BẢN ĐI NĂM 2024"
    assert list(rows[2]) == OUTGOING_HEADINGS
    assert [row[0] for row in rows[3:]] == [first.reference, second.reference]
    assert rows[3][1].date() == datetime.date(2024, 10, 15)
    assert rows[3][4:8] == (
        "Ủy ban nhân dân các xã; CT, PCT UBND huyện",
        "VT, VHTT",
        5,
        datetime.datetime(2024, 10, 16),
    )
    assert rows[4][9] == "Đã thu hồi"


def test_the_openapi_schema_lists_the_outgoing_register(api_as, records_clerk):
    schema = api_as(records_clerk).get("/api/v1/openapi.json").json()
    assert {"/api/v1/outgoing/", "/api/v1/outgoing/export.xlsx"} <= set(schema["paths"])
    parameters = {p["name"] for p in schema["paths"]["/api/v1/outgoing/"]["get"]["parameters"]}
    assert {"year", "page", "page_size"} <= parameters


# --- Printing ----------------------------------------------------------------------------


def test_the_outgoing_register_prints_with_its_cover(client, records_clerk, outgoing):
    _old, first, second = outgoing
    client.force_login(records_clerk)
    response = client.get(reverse("outgoing-print"), {"year": 2024})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="so-van-ban-di-2024.pdf"' in response["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    width, height = reader.pages[1].mediabox.width, reader.pages[1].mediabox.height
    assert width > height  # A4 landscape
    cover, table, *_rest = pdf_text(response.content)
    assert in_order(cover, ["ỦY BAN NHÂN DÂN", "HUYỆN THUẬN BẮC", "SỔ ĐĂNG KÝ VĂN BẢN ĐI", "Năm: 2024"])
    assert f"Từ số: {first.number} đến số: {second.number}" in cover
    assert in_order(table, OUTGOING_HEADINGS)
    assert in_order(table, [first.reference, "15/10/2024", "V/v cảnh báo giả mạo", "Nguyễn Hùng", "VT, VHTT"])
    assert in_order(table, [second.reference, "04/11/2024", "V/v họp giao ban", "Đã thu hồi"])
    assert "V/v năm cũ" not in table


def test_the_incoming_register_prints_with_its_cover(client, records_clerk, district):
    register(records_clerk, 2980, datetime.date(2024, 10, 3), handled_by="Phòng VHTT")
    register(records_clerk, 15, datetime.date(2024, 10, 7), transferred_on=datetime.date(2024, 10, 8), note="Bản chính")
    client.force_login(records_clerk)
    response = client.get(reverse("incoming-print"), {"year": 2024})
    assert response.status_code == 200
    cover, table = pdf_text(response.content)
    assert in_order(cover, ["ỦY BAN NHÂN DÂN", "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN", "Năm: 2024", "Từ số: 1 đến số: 2"])
    assert in_order(table, INCOMING_HEADINGS)
    assert in_order(
        table, ["03/10/2024", "Sở Thông tin và Truyền thông", "2980/STTTT-", "01/10/2024"]
    )  # the notation may wrap
    assert in_order(table, ["Phòng VHTT", "2", "07/10/2024", "15/STTTT-TTra", "05/10/2024", "08/10/2024", "Bản chính"])


def test_an_empty_year_prints_a_cover_without_numbers(client, records_clerk, district):
    client.force_login(records_clerk)
    cover, table = pdf_text(client.get(reverse("incoming-print"), {"year": 2019}).content)
    assert "Năm: 2019" in cover and "Từ số: …… đến số: ……" in cover
    assert "Chưa có văn bản nào được đăng ký trong năm 2019." in table


def test_both_register_pages_link_to_their_print(client, records_clerk):
    client.force_login(records_clerk)
    assert 'href="/incoming/print.pdf?year=2024"' in client.get(reverse("incoming-list")).content.decode()


# --- The incoming register: Ngày chuyển -------------------------------------------------


def test_the_incoming_page_and_export_have_appendix_iv_columns_in_order(client, records_clerk):
    register(records_clerk, 1, datetime.date(2024, 10, 3), handled_by="Phòng VHTT")
    register(records_clerk, 2, datetime.date(2024, 10, 4), transferred_on=datetime.date(2024, 10, 5), note="Bản chụp")
    client.force_login(records_clerk)
    html = client.get(reverse("incoming-list"), HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert table_headings(html, "incoming-table") == INCOMING_HEADINGS
    response = client.get(reverse("incoming-export"), {"year": 2024})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN NĂM 2024"
    assert list(rows[2]) == INCOMING_HEADINGS
    assert rows[3] == (
        1,
        datetime.datetime(2024, 10, 3),
        "Sở Thông tin và Truyền thông",
        "1/STTTT-TTra",
        datetime.datetime(2024, 10, 1),
        "Công văn: V/v việc số 1",
        "Phòng VHTT",
        None,
        None,
        None,
    )
    assert rows[4][7] == datetime.datetime(2024, 10, 5) and rows[4][9] == "Bản chụp"


def test_the_registration_form_takes_the_transfer_date(client, records_clerk):
    client.force_login(records_clerk)
    form = {
        "issuer": "Sở Nội vụ",
        "reference": "12/SNV",
        "document_date": "01/10/2024",
        "document_type": "cong_van",
        "subject": "V/v tuyển dụng",
        "urgency": "normal",
        "received_on": "03/10/2024",
        "transferred_on": "04/10/2024",
    }
    response = client.post(reverse("incoming-new"), form)
    assert response.status_code == 302
    assert IncomingDispatch.objects.get().transferred_on == datetime.date(2024, 10, 4)


def test_a_transfer_before_arrival_is_400_on_the_page_and_in_the_api(client, api_as, records_clerk):
    client.force_login(records_clerk)
    form = {
        "issuer": "Sở Nội vụ",
        "reference": "12/SNV",
        "document_date": "01/10/2024",
        "document_type": "cong_van",
        "subject": "V/v tuyển dụng",
        "urgency": "normal",
        "received_on": "03/10/2024",
        "transferred_on": "02/10/2024",
    }
    response = client.post(reverse("incoming-new"), form, HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 400
    assert "Ngày chuyển không được trước ngày 03/10/2024, là ngày văn bản đến." in response.content.decode()
    body = {
        "issuer": "Sở Nội vụ",
        "reference": "12/SNV",
        "document_date": "2024-10-01",
        "subject": "V/v tuyển dụng",
        "received_on": "2024-10-03",
        "transferred_on": "2024-10-02",
    }
    api = api_as(records_clerk)
    response = api.post("/api/v1/incoming/", body, format="json", HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 400
    assert response.json()["detail"] == "Ngày chuyển không được trước ngày 03/10/2024, là ngày văn bản đến."
    assert not IncomingDispatch.objects.exists()
    created = api.post("/api/v1/incoming/", {**body, "transferred_on": "2024-10-03"}, format="json")
    assert created.status_code == 201 and created.json()["transferred_on"] == "2024-10-03"


def test_a_transfer_in_the_future_is_refused(records_clerk):
    with pytest.raises(Invalid):
        register(records_clerk, 1, datetime.date(2024, 12, 19), transferred_on=datetime.date(2024, 12, 21))


def test_the_database_refuses_a_transfer_before_arrival(records_clerk):
    dispatch = register(records_clerk, 1, datetime.date(2024, 10, 3))
    with pytest.raises(IntegrityError), transaction.atomic():
        IncomingDispatch.objects.filter(pk=dispatch.pk).update(transferred_on=datetime.date(2024, 10, 2))


# --- The incoming register: arrival order -----------------------------------------------


def test_an_arrival_earlier_than_the_previous_entry_is_refused(client, api_as, records_clerk):
    register(records_clerk, 1, datetime.date(2024, 10, 7))
    with translation.override("vi"), pytest.raises(Invalid) as refused:
        register(records_clerk, 2, datetime.date(2024, 10, 6))
    assert refused.value.message == "Ngày đến không được trước ngày 07/10/2024, là ngày đến của văn bản số đến 1/2024."
    # The refused entry took no number: the next one is 2.
    assert register(records_clerk, 3, datetime.date(2024, 10, 7)).arrival_number == 2
    body = {"issuer": "Sở Y tế", "reference": "9/SYT", "document_date": "2024-10-01", "subject": "V/v tiêm chủng"}
    response = api_as(records_clerk).post(
        "/api/v1/incoming/", {**body, "received_on": "2024-10-05"}, format="json", HTTP_ACCEPT_LANGUAGE="vi"
    )
    assert response.status_code == 400
    assert "07/10/2024" in response.json()["detail"] and "2/2024" in response.json()["detail"]


def test_the_previous_year_does_not_bind_a_new_year(records_clerk):
    register(records_clerk, 1, datetime.date(2023, 12, 30))
    assert register(records_clerk, 2, datetime.date(2024, 1, 2)).arrival_number == 1


def test_an_entry_is_corrected_between_its_neighbours(records_clerk):
    register(records_clerk, 1, datetime.date(2024, 10, 3))
    middle = register(records_clerk, 2, datetime.date(2024, 10, 5), document_date=datetime.date(2024, 10, 1))
    register(records_clerk, 3, datetime.date(2024, 10, 8))
    with translation.override("vi"):
        with pytest.raises(Invalid, match="trước ngày 03/10/2024, là ngày đến của văn bản số đến 1/2024"):
            services.update_incoming(
                dispatch=middle, by=records_clerk, changes={"received_on": datetime.date(2024, 10, 2)}
            )
        with pytest.raises(Invalid, match="sau ngày 08/10/2024, là ngày đến của văn bản số đến 3/2024"):
            services.update_incoming(
                dispatch=middle, by=records_clerk, changes={"received_on": datetime.date(2024, 10, 9)}
            )
        with pytest.raises(Invalid, match="Ngày chuyển không được trước ngày 05/10/2024"):
            services.update_incoming(
                dispatch=middle, by=records_clerk, changes={"transferred_on": datetime.date(2024, 10, 4)}
            )
    updated = services.update_incoming(
        dispatch=middle,
        by=records_clerk,
        changes={"received_on": datetime.date(2024, 10, 8), "transferred_on": datetime.date(2024, 10, 9)},
    )
    assert (updated.received_on, updated.transferred_on) == (datetime.date(2024, 10, 8), datetime.date(2024, 10, 9))


def test_an_entry_keeps_its_number_and_year(records_clerk, drafter):
    entry = register(records_clerk, 1, datetime.date(2024, 10, 3))
    with pytest.raises(Invalid):
        services.update_incoming(dispatch=entry, by=records_clerk, changes={"arrival_number": 7})
    with pytest.raises(Invalid):
        services.update_incoming(dispatch=entry, by=records_clerk, changes={"received_on": datetime.date(2023, 12, 1)})
    with pytest.raises(Forbidden):
        services.update_incoming(dispatch=entry, by=drafter, changes={"note": "x"})


def test_the_admin_corrects_an_entry_within_the_order(client, admin_user, records_clerk):
    register(records_clerk, 1, datetime.date(2024, 10, 3))
    second = register(records_clerk, 2, datetime.date(2024, 10, 5))
    client.force_login(admin_user)
    url = reverse("admin:circulars_incomingdispatch_change", args=[second.pk])
    form = {
        "number": "2",
        "notation": "STTTT-TTra",
        "issuer": second.issuer,
        "document_date": "2024-10-01",
        "document_type": "cong_van",
        "subject": second.subject,
        "urgency": "normal",
        "received_on": "2024-10-02",
        "attachments-TOTAL_FORMS": "0",
        "attachments-INITIAL_FORMS": "0",
    }
    response = client.post(url, form, HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 200  # the form again, with the rule's message
    assert "là ngày đến của văn bản số đến 1/2024" in response.content.decode()
    second.refresh_from_db()
    assert second.received_on == datetime.date(2024, 10, 5)
    response = client.post(url, {**form, "received_on": "2024-10-04", "transferred_on": "2024-10-04"})
    assert response.status_code == 302
    second.refresh_from_db()
    assert (second.received_on, second.transferred_on) == (datetime.date(2024, 10, 4), datetime.date(2024, 10, 4))


@pytest.mark.django_db(transaction=True)
def test_arrival_order_is_decided_on_the_locked_register_row(records_clerk):
    """Clerk A registers a dispatch of 07/10 and has not committed; clerk B registers one
    of 05/10 meanwhile. B waits for the register row, then sees A's entry and is refused:
    the order was not decided on what B read before A committed."""
    if connection.vendor != "postgresql":
        pytest.skip("row-level locking races need PostgreSQL (CI runs it)")
    a_holds_the_row, outcome = threading.Event(), {}

    def clerk_b():
        a_holds_the_row.wait(timeout=30)
        try:
            register(records_clerk, 2, datetime.date(2024, 10, 5))
            outcome["b"] = "registered"
        except Invalid as error:
            outcome["b"] = error.message
        finally:
            connections.close_all()

    b = threading.Thread(target=clerk_b)
    b.start()
    with transaction.atomic():
        register(records_clerk, 1, datetime.date(2024, 10, 7))
        a_holds_the_row.set()
        b.join(timeout=1.5)  # B is blocked on the register row
        assert b.is_alive()
    b.join(timeout=30)
    assert "07/10/2024" in str(outcome["b"])
    assert list(IncomingDispatch.objects.values_list("arrival_number", "received_on")) == [
        (1, datetime.date(2024, 10, 7))
    ]
