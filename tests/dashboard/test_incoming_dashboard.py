"""The dashboard of incoming dispatches in handling (issue 16): its figures and units'
table against a hand count of a seeded scenario, its filters, who sees it (page, API and
spreadsheet alike) and what the spreadsheet holds.

The scenario, on Thursday 10/10/2024 (due soon: by Friday 11/10), every dispatch assigned
on Monday 07/10 by the leader through the real services:

| dispatch | lead           | supporting         | due   | state                    |
| 101      | xã Một         | xã Hai             | 09/10 | overdue (1 working day)  |
| 102      | xã Một         | Phòng VH-TT        | 11/10 | due soon                 |
| 103      | xã Hai         | xã Một, Phòng VH-TT| 18/10 | in handling              |
| 104 (hỏa tốc) | Phòng VH-TT | —              | 08/10 | overdue (2 working days) |
| 105      | xã Hai         | xã Một             | 14/10 | done on 09/10            |
| 106      | xã Một         | —                  | 10/10 | due soon (due today)     |
| 107      | xã Hai (after Phòng VH-TT, replaced on 08/10) | — | 15/10 | in handling |
| 108      | registered only: not on the board                                   |
"""

import datetime
import io

import pytest
import time_machine
from openpyxl import load_workbook

from acknowledgements import assignments
from circulars import services
from circulars.models import Urgency
from tests.factories import VN, assigned_dispatch

pytestmark = pytest.mark.django_db

TODAY = datetime.datetime(2024, 10, 10, 8, 0, tzinfo=VN)


def day(d):
    return datetime.date(2024, 10, d)


def at(d, hour=9):
    return datetime.datetime(2024, 10, d, hour, 0, tzinfo=VN)


@pytest.fixture
def scenario(records_clerk, signer, unit, other_unit, monitoring_unit, clerk, head, other_clerk, monitor):
    def make(number, lead, supports=(), due=None, **kwargs):
        return assigned_dispatch(
            records_clerk, signer, number=number, lead=lead, supports=supports, due_on=due, at=at(7), **kwargs
        )

    d101 = make(101, unit, [other_unit], day(9))
    d102 = make(102, unit, [monitoring_unit], day(11))
    d103 = make(103, other_unit, [unit, monitoring_unit], day(18))
    d104 = make(104, monitoring_unit, [], day(8), urgency=Urgency.FLASH)
    d105 = make(105, other_unit, [unit], day(14))
    d106 = make(106, unit, [], day(10))
    d107 = make(107, monitoring_unit, [], day(9))
    with time_machine.travel(at(8), tick=False):
        assignments.assign(
            dispatch=d107[0],
            by=signer,
            lead_unit=other_unit,
            support_units=[],
            due_on=day(15),
            instruction="Giao lại cho xã Hai chủ trì.",
        )
    with time_machine.travel(at(9), tick=False):
        assignments.complete(assignment=d105[1][0], by=other_clerk, note="Đã triển khai.")
        services.register_incoming(
            by=records_clerk,
            issuer="Công an tỉnh",
            reference="108/CAT-PV01",
            document_date=day(8),
            subject="V/v chưa giao",
            received_on=day(9),
        )
    return dict(zip(range(101, 108), (d101, d102, d103, d104, d105, d106, d107), strict=True))


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(TODAY, tick=False):
        yield


def api_get(api_as, user, **params):
    return api_as(user).get("/api/v1/compliance/incoming/", params)


def units_by_code(body):
    keys = ("lead", "support", "due_soon", "overdue", "done")
    return {row["unit"]["code"]: {k: row[k] for k in keys} for row in body}


def test_figures_and_units_match_the_hand_count(api_as, scenario, monitor):
    answer = api_get(api_as, monitor)
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert body["as_of"] == "2024-10-10" and body["due_soon_until"] == "2024-10-11"
    assert body["figures"] == {"in_handling": 6, "due_soon": 2, "overdue": 2, "done": 1}
    assert units_by_code(body["units"]) == {
        "xa-mot": {"lead": 3, "support": 1, "due_soon": 2, "overdue": 1, "done": 1},
        "xa-hai": {"lead": 2, "support": 1, "due_soon": 0, "overdue": 1, "done": 1},
        "phong-vhtt-test": {"lead": 1, "support": 2, "due_soon": 1, "overdue": 1, "done": 0},
    }
    # The most overdue first, then the most due soon.
    assert [row["unit"]["code"] for row in body["units"]] == ["xa-mot", "phong-vhtt-test", "xa-hai"]
    # One row per dispatch assigned (not 108), by due date.
    assert body["count"] == 7
    rows = {r["dispatch"]["reference"]: r for r in body["results"]}
    assert [r["dispatch"]["reference"] for r in body["results"]] == [
        "104/STTTT-TTra",
        "101/STTTT-TTra",
        "106/STTTT-TTra",
        "102/STTTT-TTra",
        "105/STTTT-TTra",
        "107/STTTT-TTra",
        "103/STTTT-TTra",
    ]
    assert {ref: (r["state"], r["days_late"]) for ref, r in rows.items()} == {
        "101/STTTT-TTra": ("overdue", 1),
        "102/STTTT-TTra": ("due_soon", 0),
        "103/STTTT-TTra": ("in_handling", 0),
        "104/STTTT-TTra": ("overdue", 2),
        "105/STTTT-TTra": ("done", 0),
        "106/STTTT-TTra": ("due_soon", 0),
        "107/STTTT-TTra": ("in_handling", 0),
    }
    assert rows["107/STTTT-TTra"]["lead_unit"]["code"] == "xa-hai"  # the replacement's
    assert [u["code"] for u in rows["103/STTTT-TTra"]["support_units"]] == ["phong-vhtt-test", "xa-mot"]
    assert rows["105/STTTT-TTra"]["completed_at"] == "2024-10-09T09:00:00+07:00"


def test_filters_narrow_the_figures_and_the_state_the_list_only(api_as, scenario, monitor, other_unit):
    flash = api_get(api_as, monitor, urgency="flash").json()
    assert flash["figures"] == {"in_handling": 1, "due_soon": 0, "overdue": 1, "done": 0}
    assert units_by_code(flash["units"]) == {
        "phong-vhtt-test": {"lead": 1, "support": 0, "due_soon": 0, "overdue": 1, "done": 0}
    }

    # xã Hai's dispatches, as lead or support: 101, 103, 105, 107.
    mine = api_get(api_as, monitor, unit=other_unit.pk).json()
    assert mine["figures"] == {"in_handling": 3, "due_soon": 0, "overdue": 1, "done": 1}
    assert sorted(r["dispatch"]["reference"][:3] for r in mine["results"]) == ["101", "103", "105", "107"]

    overdue = api_get(api_as, monitor, state="overdue").json()
    assert [r["dispatch"]["reference"][:3] for r in overdue["results"]] == ["104", "101"]
    assert overdue["count"] == 2
    assert overdue["figures"]["in_handling"] == 6  # the figures keep the whole scope

    received = api_get(api_as, monitor, received_from="2024-10-08").json()
    assert received["figures"] == {"in_handling": 0, "due_soon": 0, "overdue": 0, "done": 0}
    assert received["units"] == [] and received["results"] == []


@pytest.mark.parametrize(
    "params",
    [{"received_from": "hôm qua"}, {"state": "late"}, {"unit": "10" * 15}, {"unit": "xa-mot"}, {"urgency": "x"}],
)
def test_a_bad_filter_is_a_400_in_vietnamese(api_as, scenario, monitor, params):
    answer = api_get(api_as, monitor, **params)
    assert answer.status_code == 400
    assert answer.json()["detail"] == "Yêu cầu không hợp lệ."
    assert set(answer.json()["errors"]) == set(params)


@pytest.mark.parametrize("who", ["monitor", "signer", "admin_user"])
def test_the_monitoring_office_signers_and_administrators_see_it(request, api_as, client, scenario, who):
    user = request.getfixturevalue(who)
    assert api_get(api_as, user).json()["figures"]["in_handling"] == 6
    client.force_login(user)
    assert client.get("/dashboard/incoming/").status_code == 200
    assert client.get("/dashboard/incoming/export.xlsx").status_code == 200
    assert api_as(user).get("/api/v1/compliance/incoming/export.xlsx").status_code == 200


def test_a_unit_that_does_not_exist_is_a_404(api_as, scenario, monitor):
    answer = api_get(api_as, monitor, unit=987654)
    assert answer.status_code == 404
    assert answer.json()["detail"] == "Không có đơn vị “987654”."


@pytest.mark.parametrize("who", ["clerk", "head", "records_clerk", "drafter"])
def test_others_are_refused_as_by_the_dashboard(request, api_as, client, scenario, who):
    user = request.getfixturevalue(who)
    assert api_get(api_as, user).status_code == 403
    assert api_as(user).get("/api/v1/compliance/incoming/export.xlsx").status_code == 403
    assert api_as(user).get("/api/v1/compliance/units/").status_code == 403  # the same rule
    client.force_login(user)
    for url in ("/dashboard/incoming/", "/dashboard/incoming/export.xlsx", "/dashboard/"):
        assert client.get(url).status_code == 403, url


def test_anonymous_is_sent_to_log_in(client, api, scenario):
    assert client.get("/dashboard/incoming/").status_code == 302
    assert api.get("/api/v1/compliance/incoming/").status_code in (401, 403)


def test_the_page_shows_the_same_figures_and_links_from_the_dashboard(client, scenario, monitor, signer):
    client.force_login(monitor)
    overview = client.get("/dashboard/").content.decode()
    assert 'href="/dashboard/incoming/"' in overview
    page = client.get("/dashboard/incoming/").content.decode()
    for ident, value in (("in_handling", 6), ("due_soon", 2), ("overdue", 2), ("done", 1)):
        assert f'<dd id="fig-{ident}">{value}</dd>' in page
    assert 'data-state="overdue"' in page and "101/STTTT-TTra" in page and "108/CAT-PV01" not in page
    assert "Đang xử lý" in page and "Quá hạn" in page  # Vietnamese first
    # A monitor does not read the assignment page; the leader does, so it is linked for them.
    lead = scenario[101][1][0]
    assert f'href="/assignments/{lead.pk}/"' not in page
    client.force_login(signer)
    assert f'href="/assignments/{lead.pk}/"' in client.get("/dashboard/incoming/").content.decode()
    overdue_only = client.get("/dashboard/incoming/?state=overdue").content.decode()
    assert overdue_only.count('data-state="') == 2


def test_the_spreadsheet_holds_the_rows_as_the_page_shows_them(client, scenario, monitor):
    client.force_login(monitor)
    answer = client.get("/dashboard/incoming/export.xlsx?state=overdue")
    assert answer.status_code == 200
    assert answer["Content-Disposition"].startswith('attachment; filename="theo-doi-van-ban-den-20241010.xlsx"')
    sheet = load_workbook(io.BytesIO(b"".join(answer.streaming_content if answer.streaming else [answer.content])))
    rows = list(sheet.active.iter_rows(values_only=True))
    assert rows[0][0] == "Theo dõi xử lý văn bản đến ngày 10/10/2024"
    assert rows[2][:3] == ("STT", "Số đến", "Ngày đến")
    data = rows[3:]
    assert [(r[3], r[7], r[8], r[11], r[12], r[13]) for r in data] == [
        ("104/STTTT-TTra", "Phòng Văn hóa và Thông tin", None, "08/10/2024", "Quá hạn", 2),
        ("101/STTTT-TTra", "Ủy ban nhân dân xã Một", "Ủy ban nhân dân xã Hai", "09/10/2024", "Quá hạn", 1),
    ]
    assert data[0][6] == "Hỏa tốc"
    assert data[0][9] == "Nguyễn Hùng"  # the leader


def test_a_bad_filter_in_the_spreadsheet_is_a_400(client, scenario, monitor):
    client.force_login(monitor)
    assert client.get("/dashboard/incoming/export.xlsx?received_to=32/13/2024").status_code == 400


@pytest.mark.parametrize("extra", [0, 6])
def test_the_page_costs_the_same_queries_for_more_dispatches(
    client, scenario, monitor, records_clerk, signer, unit, other_unit, extra, django_assert_num_queries
):
    for number in range(200, 200 + extra):
        assigned_dispatch(
            records_clerk, signer, number=number, lead=unit, supports=[other_unit], due_on=day(9), at=at(9)
        )
    client.force_login(monitor)
    client.get("/dashboard/incoming/")
    # The session, the user, their roles; the calendar (due soon, days late); the page's
    # count, its rows and their supporting units; the figures; the units' table; the
    # navigation's counts and unread bell lines; the unit filter's choices; the session's
    # save (savepoint, UPDATE, release): the same for 7 dispatches and for 13.
    with django_assert_num_queries(15):
        assert client.get("/dashboard/incoming/").status_code == 200
