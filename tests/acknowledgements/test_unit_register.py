"""Each unit's own incoming register ("Sổ văn bản đến của đơn vị", Decree 30 Art. 22): its
page, spreadsheet, printed book and API, with the columns of Appendix IV's incoming
register; read by the unit's members and by whoever follows every unit, a 404 to anyone
else; a year that is not one is a 400 in Vietnamese."""

import datetime
import io

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from acknowledgements import services
from acknowledgements.models import Delivery
from circulars import services as circular_services
from circulars.models import Circular, NumberingRegister, RegisterEvent
from tests.conftest import VN, make_user
from tests.factories import issued_circular
from tests.registers.test_registers import INCOMING_HEADINGS, in_order, pdf_text, table_headings
from units.models import Membership

pytestmark = pytest.mark.django_db

TODAY = datetime.datetime(2024, 12, 20, 9, 0, tzinfo=VN)
SECOND_AT = datetime.datetime(2024, 11, 4, 14, 0, tzinfo=VN)


@pytest.fixture(autouse=True)
def _december_2024():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def lines(circular, delivery, clerk, other_clerk, drafter, signer, records_clerk, unit, communes_group):
    """The unit's register of 2024: no. 1 the circular of 15/10 (acknowledged by its clerk
    on 16/10), no. 2 one of 04/11 that the unit refused; and one of 2023."""
    with time_machine.travel(datetime.datetime(2024, 10, 16, 8, 0, tzinfo=VN), tick=False):
        services.acknowledge(delivery=delivery, by=clerk)
    second = issued_circular(
        drafter, signer, records_clerk, units=[unit], issued_on=SECOND_AT.date(), subject="V/v họp giao ban"
    )
    with time_machine.travel(SECOND_AT, tick=False):
        services.distribute(circular=second, by=records_clerk)
        refused = Delivery.objects.get(circular=second)
        services.refuse(delivery=refused, by=clerk, reason="Không thuộc phạm vi")
    return Delivery.objects.get(pk=delivery.pk), refused


def _page(client, user, key="xa-mot", **query):
    client.force_login(user)
    return client.get(reverse("unit-register", args=[key]), query, HTTP_ACCEPT_LANGUAGE="vi")


# --- Content ----------------------------------------------------------------------------


def test_the_page_has_the_incoming_register_columns_and_the_year_in_arrival_order(client, clerk, lines, circular):
    first, refused = lines
    response = _page(client, clerk, year=2024)
    assert response.status_code == 200
    html = response.content.decode()
    assert table_headings(html, "unit-register-table") == INCOMING_HEADINGS
    assert "Sổ văn bản đến của đơn vị năm 2024" in html
    cells = [cells for _delivery, cells in response.context["lines"]]
    assert [row[0] for row in cells] == [1, 2]
    assert cells[0] == [
        1,
        "15/10/2024",
        "Ủy ban nhân dân huyện",
        circular.reference,
        "15/10/2024",
        "Công văn: V/v cảnh báo giả mạo",
        "Nguyễn Văn Thư",
        "16/10/2024",
        "",
        "",
    ]
    assert cells[1][1] == "04/11/2024" and cells[1][6] == "" and cells[1][9] == "Đã từ chối: Không thuộc phạm vi"
    # A member opens the delivery from its line.
    assert f'href="/deliveries/{first.pk}/"' in html and f'href="/deliveries/{refused.pk}/"' in html


def test_the_page_defaults_to_this_year_and_the_unit_is_found_by_its_id_too(client, clerk, lines, unit):
    response = _page(client, clerk, key=str(unit.pk))
    assert response.status_code == 200
    assert response.context["year"] == 2024 and len(response.context["lines"]) == 2
    empty = _page(client, clerk, year=2023)
    assert empty.context["lines"] == [] and "Chưa có văn bản nào đến đơn vị trong năm 2023." in empty.content.decode()


def test_the_export_is_the_register_with_its_title(client, clerk, lines, circular):
    client.force_login(clerk)
    response = client.get(reverse("unit-register-export", args=["xa-mot"]), {"year": 2024})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="so-van-ban-den-xa-mot-2024.xlsx"'
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN NĂM 2024 – ỦY BAN NHÂN DÂN XÃ MỘT"
    assert list(rows[2]) == INCOMING_HEADINGS
    assert rows[3] == (
        1,
        datetime.datetime(2024, 10, 15),
        "Ủy ban nhân dân huyện",
        circular.reference,
        datetime.datetime(2024, 10, 15),
        "Công văn: V/v cảnh báo giả mạo",
        "Nguyễn Văn Thư",
        datetime.datetime(2024, 10, 16),
        None,
        None,
    )
    assert rows[4][0] == 2 and rows[4][9] == "Đã từ chối: Không thuộc phạm vi"
    assert len(rows) == 5


def test_the_register_prints_with_the_units_cover(client, clerk, lines, circular):
    client.force_login(clerk)
    response = client.get(reverse("unit-register-print", args=["xa-mot"]), {"year": 2024})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert 'filename="so-van-ban-den-xa-mot-2024.pdf"' in response["Content-Disposition"]
    cover, table = pdf_text(response.content)
    assert in_order(cover, ["ỦY BAN NHÂN DÂN", "XÃ MỘT", "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN", "Năm: 2024", "Từ số: 1 đến số: 2"])
    assert in_order(table, INCOMING_HEADINGS)
    assert in_order(table, ["15/10/2024", "Ủy ban nhân dân huyện", "V/v cảnh báo giả mạo", "Nguyễn Văn Thư"])
    assert in_order(table, ["04/11/2024", "V/v họp giao ban", "Không thuộc phạm vi"])


def test_the_api_lists_the_year_in_arrival_order_paginated(api_as, clerk, lines, circular):
    first, refused = lines
    api = api_as(clerk)
    page = api.get("/api/v1/units/xa-mot/register/", {"year": 2024, "page_size": 1}).json()
    assert page["count"] == 2 and page["next"]
    assert page["results"] == [
        {
            "id": first.pk,
            "arrival_year": 2024,
            "arrival_number": 1,
            "arrived_on": "2024-10-15",
            "issuer": "Ủy ban nhân dân huyện",
            "circular": circular.pk,
            "reference": circular.reference,
            "issued_on": "2024-10-15",
            "document_type": "cong_van",
            "subject": "V/v cảnh báo giả mạo",
            "type_and_subject": "Công văn: V/v cảnh báo giả mạo",
            "received_by": "Nguyễn Văn Thư",
            "transferred_on": "2024-10-16",
            "status": "acknowledged",
            "note": "",
        }
    ]
    second = api.get(page["next"]).json()["results"][0]
    assert (second["id"], second["arrival_number"], second["status"]) == (refused.pk, 2, "refused")
    xlsx = api.get("/api/v1/units/xa-mot/register/export.xlsx", {"year": 2024})
    assert xlsx.status_code == 200
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert [row[0] for row in rows[3:]] == [1, 2]


def test_the_openapi_schema_lists_the_unit_register(api_as, records_clerk):
    paths = api_as(records_clerk).get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/units/{key}/register/", "/api/v1/units/{key}/register/export.xlsx"} <= set(paths)


def test_deliveries_show_their_arrival_number_in_the_api_and_pages(client, api_as, clerk, monitor, lines, circular):
    first, refused = lines
    api = api_as(clerk)
    detail = api.get(f"/api/v1/deliveries/{first.pk}/").json()
    assert (detail["arrival_year"], detail["arrival_number"], detail["arrived_on"]) == (2024, 1, "2024-10-15")
    inbox = {row["id"]: row for row in api.get("/api/v1/inbox/").json()["results"]}
    assert (inbox[refused.pk]["arrival_number"], inbox[refused.pk]["arrived_on"]) == (2, "2024-11-04")
    monitored = api_as(monitor).get(f"/api/v1/circulars/{circular.pk}/deliveries/").json()["results"]
    assert {row["unit"]["code"]: row["arrival_number"] for row in monitored} == {"xa-mot": 1, "xa-hai": 1}
    client.force_login(clerk)
    html = client.get(reverse("inbox"), HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "Số đến 1/2024" in html and "Số đến 2/2024" in html
    assert 'id="unit-register-link" href="/unit-register/"' in html and 'id="nav-unit-register"' in html
    page = client.get(reverse("delivery-detail", args=[first.pk]), HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert 'href="/units/xa-mot/register/?year=2024">1/2024</a>, ngày đến 15/10/2024' in page


# --- Who reads it -----------------------------------------------------------------------


def test_a_member_of_one_unit_goes_to_its_register(client, clerk, unit):
    client.force_login(clerk)
    response = client.get(reverse("my-unit-register"))
    assert response.status_code == 302 and response["Location"] == "/units/xa-mot/register/"


def test_a_member_of_several_units_chooses(client, clerk, unit, other_unit):
    Membership.objects.create(user=clerk, unit=other_unit)
    client.force_login(clerk)
    response = client.get(reverse("my-unit-register"))
    assert response.status_code == 200
    assert [u.code for u in response.context["page_obj"]] == ["xa-hai", "xa-mot"]
    assert _page(client, clerk, key="xa-hai").status_code == 200


@pytest.mark.parametrize("who", ["monitor", "records_clerk", "signer", "admin_user"])
def test_who_follows_every_unit_reads_every_units_register(client, api_as, request, who, lines):
    user = request.getfixturevalue(who)
    assert _page(client, user, year=2024).status_code == 200
    assert len(_page(client, user, key="xa-hai", year=2024).context["lines"]) == 1
    assert client.get(reverse("my-unit-register")).status_code == 200
    assert api_as(user).get("/api/v1/units/xa-mot/register/").json()["count"] == 2


def test_a_monitor_reads_the_lines_without_opening_deliveries_it_does_not_follow(client, monitor, lines):
    html = _page(client, monitor, year=2024).content.decode()
    assert "/deliveries/" not in html


@pytest.mark.parametrize("who", ["other_clerk", "drafter", "nobody"])
def test_anyone_else_gets_404_whatever_the_year(client, api_as, request, who, lines):
    user = make_user("nobody") if who == "nobody" else request.getfixturevalue(who)
    client.force_login(user)
    for name in ("unit-register", "unit-register-export", "unit-register-print"):
        for year in ("2024", "abc"):
            assert client.get(reverse(name, args=["xa-mot"]), {"year": year}).status_code == 404, (name, year)
    api = api_as(user)
    assert api.get("/api/v1/units/xa-mot/register/").status_code == 404
    assert api.get("/api/v1/units/xa-mot/register/export.xlsx").status_code == 404
    if who != "other_clerk":
        assert client.get(reverse("my-unit-register")).status_code == 404


def test_a_unit_that_does_not_exist_is_404(client, api_as, records_clerk):
    assert _page(client, records_clerk, key="khong-co").status_code == 404
    assert _page(client, records_clerk, key="999999").status_code == 404
    assert api_as(records_clerk).get("/api/v1/units/khong-co/register/").status_code == 404


@pytest.mark.parametrize("year", ["abc", "1900", "2025", "2024.5", "+2024", "٢٠٢٤"])
def test_a_year_that_is_not_one_is_400_in_vietnamese(client, api_as, clerk, unit, year):
    client.force_login(clerk)
    message = "Năm của sổ đăng ký là một số nguyên từ 1945 đến 2024."
    for name in ("unit-register", "unit-register-export", "unit-register-print"):
        response = client.get(reverse(name, args=["xa-mot"]), {"year": year}, HTTP_ACCEPT_LANGUAGE="vi")
        assert response.status_code == 400, name
        assert message in response.content.decode()
    api = api_as(clerk)
    for path in ("/api/v1/units/xa-mot/register/", "/api/v1/units/xa-mot/register/export.xlsx"):
        response = api.get(path, {"year": year}, HTTP_ACCEPT_LANGUAGE="vi")
        assert response.status_code == 400, path
        assert message in str(response.json())


# --- Queries ------------------------------------------------------------------------------


def _lines_of(n, *, unit, district, drafter, signer, records_clerk, start=0):
    """``n`` deliveries to ``unit`` in 2023, numbered 1 … n (rows, as distribution leaves
    them), of circulars numbered from ``start`` + 1."""
    for number in range(1, n + 1):
        circular = Circular.objects.create(
            status=Circular.Status.DISTRIBUTED,
            subject=f"V/v số {number}",
            issuing_unit=district,
            created_by=drafter,
            signer=signer,
            number=start + number,
            issued_year=2023,
            issued_on=datetime.date(2023, 1, 2) + datetime.timedelta(days=number),
            sha256="0" * 64,
        )
        Delivery.objects.create(
            circular=circular,
            unit=unit,
            sent_at=datetime.datetime(2023, 1, 2, 9, 0, tzinfo=VN) + datetime.timedelta(days=number),
            ack_due_on=datetime.date(2023, 2, 1),
            arrival_year=2023,
            arrival_number=number,
            status=Delivery.Status.ACKNOWLEDGED,
            acknowledged_at=datetime.datetime(2023, 2, 1, 9, 0, tzinfo=VN),
            acknowledged_by=records_clerk,
        )


def test_the_page_reads_as_many_lines_in_the_same_queries(
    client, clerk, unit, other_unit, district, drafter, signer, records_clerk, django_assert_num_queries
):
    made = {"district": district, "drafter": drafter, "signer": signer, "records_clerk": records_clerk}
    _lines_of(3, unit=other_unit, **made)
    _lines_of(30, unit=unit, start=3, **made)
    Membership.objects.create(user=clerk, unit=other_unit)
    client.force_login(clerk)
    url = reverse("unit-register", args=["xa-hai"])
    # session, user, its roles, its memberships (unit_ids), the unit, count, the page of
    # deliveries with their circulars, issuing units and acknowledging members, the
    # navigation's two counts, and the session's expiry moved on (savepoint, update,
    # release): the same for 3 lines as for 30.
    with django_assert_num_queries(12):
        assert len(client.get(url, {"year": 2023}).context["lines"]) == 3
    url = reverse("unit-register", args=["xa-mot"])
    with django_assert_num_queries(12):
        assert len(client.get(url, {"year": 2023}).context["lines"]) == 30


# --- The committee's registers are the administrator's; a unit's is not restarted --------


def test_a_units_register_cannot_be_restarted_through_the_committees_endpoints(client, api_as, admin_user, circular):
    before = list(NumberingRegister.objects.values_list("kind", "unit_id", "year", "last_number"))
    response = api_as(admin_user).post(
        "/api/v1/registers/unit_in/restart", {"start_at": 50}, format="json", HTTP_ACCEPT_LANGUAGE="vi"
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "Không có sổ “unit_in”; các sổ gồm: incoming, outgoing."
    client.force_login(admin_user)
    page = client.post(
        reverse("register-restart", args=["unit_in"]), {"unit_in-start_at": "50"}, HTTP_ACCEPT_LANGUAGE="vi"
    )
    assert page.status_code == 400
    assert "Không có sổ “unit_in”" in page.content.decode()
    registers_page = client.get(reverse("registers")).content.decode()
    assert 'id="restart-unit_in"' not in registers_page and 'id="restart-outgoing"' in registers_page
    assert list(NumberingRegister.objects.values_list("kind", "unit_id", "year", "last_number")) == before
    assert not RegisterEvent.objects.exists()


def test_the_committees_registers_are_apart_from_the_units(admin_user, records_clerk, circular):
    # Each commune has its register of 2024 at 1; the committee's incoming one starts apart.
    assert NumberingRegister.objects.filter(kind="unit_in", year=2024).count() == 2
    register = circular_services.restart_register(kind="incoming", start_at=7, by=admin_user)
    assert (register.kind, register.unit_id, register.last_number) == ("incoming", None, 6)
    dispatch = circular_services.register_incoming(
        by=records_clerk,
        issuer="Sở Nội vụ",
        reference="1/SNV",
        document_date=datetime.date(2024, 12, 18),
        subject="V/v báo cáo",
        received_on=datetime.date(2024, 12, 19),
    )
    assert dispatch.arrival_number == 7
    assert set(NumberingRegister.objects.filter(kind="unit_in").values_list("last_number", flat=True)) == {1}
