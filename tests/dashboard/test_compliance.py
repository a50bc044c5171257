"""The dashboard's figures against a hand-counted fixture that covers every state, late
and on time, refused and returned."""

import datetime
import io
import zoneinfo

import openpyxl
import pytest
import time_machine
from pypdf import PdfReader

from acknowledgements import services
from acknowledgements.models import Delivery
from dashboard import compliance
from tests.conftest import ISSUED_ON, REPORT_DUE_ON, make_user
from tests.factories import issued_circular
from units.models import Unit, UnitGroup

pytestmark = pytest.mark.django_db
VN = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
ON = datetime.date(2024, 11, 5)
YEAR_START, YEAR_END = datetime.date(2024, 1, 1), datetime.date(2024, 12, 31)


def day(d, m=10):
    return time_machine.travel(datetime.datetime(2024, m, d, 9, 0, tzinfo=VN), tick=False)


@pytest.fixture(autouse=True)
def _on_the_day_of_the_count():
    """Tests look at the figures as of ON, Tuesday 05/11/2024 09:00: the requests are made
    then too (an API token idle since then would have expired by today)."""
    with day(5, 11):
        yield


@pytest.fixture
def fixture(drafter, signer, records_clerk, district, monitoring_unit, monitor):
    """Eight units A–H. Issued Tue 15/10/2024; acknowledge by Thu 17/10; report by 31/10.

    A: nothing.                     B: acknowledged 16/10, no report.
    C: acknowledged 21/10 (2 late), reported 30/10.
    D: acknowledged 17/10, reported 04/11 (2 late), accepted.
    E: acknowledged 16/10, reported 30/10, returned.
    F: refused 16/10.               G: reported 16/10 (a report is a receipt), accepted.
    H: acknowledged 17/10 (the last day), no report.
    """
    group = UnitGroup.objects.create(code="g", name="Nhóm")
    units, clerks = {}, {}
    for code in "ABCDEFGH":
        units[code] = Unit.objects.create(code=f"u-{code.lower()}", name=f"Đơn vị {code}", parent=district)
        clerks[code] = make_user(f"clerk-{code.lower()}", unit=units[code])
    group.units.set(units.values())
    circ = issued_circular(
        drafter,
        signer,
        records_clerk,
        groups=[group],
        monitoring_unit=monitoring_unit,
        issued_on=ISSUED_ON,
        report_due_on=REPORT_DUE_ON,
    )
    with day(15):
        services.distribute(circular=circ, by=records_clerk)
    deliveries = {c: Delivery.objects.get(circular=circ, unit=units[c]) for c in units}
    items = [{"action_item": ai.id, "status": "done", "note": ""} for ai in circ.action_items.all()]

    def ack(code):
        services.acknowledge(delivery=deliveries[code], by=clerks[code])

    def report(code):
        return services.submit_report(
            delivery=deliveries[code], by=clerks[code], summary=f"Báo cáo {code}", items=items
        )

    with day(16):
        ack("B")
        ack("E")
        services.refuse(delivery=deliveries["F"], by=clerks["F"], reason="Không thuộc thẩm quyền")
        services.accept_report(report=report("G"), by=monitor)
    with day(17):
        ack("D")
        ack("H")
    with day(21):
        ack("C")
    with day(30):
        report("C")
        services.return_report(report=report("E"), by=monitor, comment="Bổ sung")
    with day(4, 11):
        services.accept_report(report=report("D"), by=monitor)
    return circ, units


def test_circular_figures_match_the_hand_count(fixture):
    circ, _units = fixture
    assert compliance.compliance(circ, on=ON) == {
        "total": 8,
        "acknowledged": 6,  # B C D E G H
        "reported": 4,  # C D E G
        "accepted": 2,  # D G
        "returned": 1,  # E
        "refused": 1,  # F
        "overdue_ack": 1,  # A
        "overdue_report": 4,  # A B E H
        "on_time_ack_rate": round(5 / 7, 4),  # B D E G H of A B C D E G H
        "on_time_report_rate": round(3 / 7, 4),  # C E G of A B C D E G H
    }


def test_compliance_endpoint_and_who_may_see_it(fixture, api_as, monitor, signer, clerk):
    circ, _units = fixture
    body = api_as(monitor).get(f"/api/v1/circulars/{circ.id}/compliance").json()
    assert body == compliance.compliance(circ, on=ON)
    assert api_as(signer).get(f"/api/v1/circulars/{circ.id}/compliance").status_code == 200
    assert api_as(clerk).get(f"/api/v1/circulars/{circ.id}/compliance").status_code == 404


def test_compliance_query_count_does_not_depend_on_units(fixture, api_as, monitor, django_assert_num_queries):
    circ, _units = fixture
    api = api_as(monitor)
    # token with its user, the circular, role groups, membership of the monitoring unit,
    # the one aggregate: five, whatever the number of units.
    with django_assert_num_queries(5):
        api.get(f"/api/v1/circulars/{circ.id}/compliance")


def test_withdrawn_circular_has_nothing_overdue(fixture, signer):
    circ, _units = fixture
    services.recall(circular=circ, by=signer, reason="Thu hồi")
    circ.refresh_from_db()
    figures = compliance.compliance(circ, on=ON)
    assert (figures["overdue_ack"], figures["overdue_report"]) == (0, 0)


def test_league_rows_match_the_hand_count(fixture):
    _circ, units = fixture
    rows = {r["unit"]["code"]: r for r in compliance.league(YEAR_START, YEAR_END, on=ON)}
    assert rows["u-a"] == {
        "unit": {"id": units["A"].id, "code": "u-a", "name": "Đơn vị A"},
        "circulars": 1,
        "on_time_ack_rate": 0.0,
        "on_time_report_rate": 0.0,
        "mean_delay_days": None,
        "overdue": 1,
    }
    assert rows["u-c"]["on_time_ack_rate"] == 0.0 and rows["u-c"]["on_time_report_rate"] == 1.0
    assert rows["u-c"]["mean_delay_days"] == 1.0  # (2 + 0) / 2
    assert rows["u-d"]["mean_delay_days"] == 1.0  # (0 + 2) / 2
    assert rows["u-f"]["on_time_ack_rate"] is None and rows["u-f"]["overdue"] == 0
    assert rows["u-g"] == {**rows["u-g"], "on_time_ack_rate": 1.0, "on_time_report_rate": 1.0, "mean_delay_days": 0.0}


def test_league_puts_the_worst_unit_first(fixture):
    ordered = [r["unit"]["code"] for r in compliance.league(YEAR_START, YEAR_END, on=ON)]
    # Overdue first (A B H E), lowest report rate next (E reported on time), then the
    # lowest acknowledgement rate (A), the longest delay, the name (B before H). Among
    # those owing nothing: D reported late, C acknowledged late, G on time, F refused
    # (no rate at all) last.
    assert ordered == ["u-a", "u-b", "u-h", "u-e", "u-d", "u-c", "u-g", "u-f"]


def test_league_endpoint(fixture, api_as, monitor, clerk):
    body = api_as(monitor).get("/api/v1/compliance/units/?from=2024-01-01&to=2024-12-31").json()
    assert body["count"] == 8
    first = body["results"][0]
    assert set(first) == {"unit", "circulars", "on_time_ack_rate", "on_time_report_rate", "mean_delay_days", "overdue"}
    assert set(first["unit"]) == {"id", "code", "name"}
    assert first["unit"]["code"] == "u-a"
    assert api_as(monitor).get("/api/v1/compliance/units/?from=2024-12-31&to=2024-01-01").status_code == 400
    assert api_as(monitor).get("/api/v1/compliance/units/?from=31/12/2024").status_code == 400
    assert api_as(clerk).get("/api/v1/compliance/units/").status_code == 403


def test_exports_hold_the_same_figures(fixture, api_as, monitor):
    circ, _units = fixture
    api = api_as(monitor)
    xlsx = api.get(f"/api/v1/circulars/{circ.id}/compliance/export.xlsx")
    csv_response = api.get(f"/api/v1/circulars/{circ.id}/compliance/export.csv")
    pdf = api.get(f"/api/v1/circulars/{circ.id}/compliance/report.pdf")
    assert xlsx.status_code == 200 and "attachment" in xlsx["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[2][:4] == ("STT", "Mã đơn vị", "Đơn vị", "Trạng thái")
    body = {r[1]: r for r in rows[3:]}
    assert len(body) == 8
    assert body["u-a"][3] == "Đã gửi, chưa xác nhận" and body["u-a"][6] == "17/10/2024"
    assert body["u-c"][5] == "09:00 21/10/2024"
    assert body["u-f"][3] == "Từ chối" and body["u-f"][12] == "Không thuộc thẩm quyền"
    text = csv_response.content.decode("utf-8")
    assert text.startswith("\ufeffSTT,Mã đơn vị,Đơn vị,Trạng thái")
    assert text.count("\n") == 9
    assert pdf["Content-Type"] == "application/pdf"
    pdf_text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).split())
    assert "BÁO CÁO" in pdf_text and circ.reference in pdf_text
    assert "Quá hạn báo cáo 4" in pdf_text and "Quá hạn xác nhận 1" in pdf_text
    assert "Tỷ lệ xác nhận đúng hạn 71,4%" in pdf_text
    assert "Đơn vị A" in pdf_text and "Không thuộc thẩm quyền" in pdf_text


def test_records_totals(fixture, records_clerk):
    totals = compliance.records_totals(datetime.date(2024, 10, 1), datetime.date(2024, 10, 31), on=ON)
    # Refused F left out; completed = reported or accepted (C, D, G); E was returned.
    assert totals["deliveries"] == {"received": 7, "completed": 3, "due_not_completed": 4}
    assert totals["incoming"] == {"received": 0, "completed": 0, "due_not_completed": 0}
