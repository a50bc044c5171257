"""The demo district, seeded once for the module (inside a transaction rolled back after
its last case): the seed circular of 2024 as history, and this year's work dated back from
today, so that the dashboard, the league table and the registers read true on first open."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from acknowledgements.models import Delivery, DeliveryEvent, ImplementationReport
from circulars.models import Assignment, Circular, CircularEvent, HandlingEvent, IncomingDispatch
from dashboard import compliance
from portal.demo import campaigns
from signing.validation import validate
from units.models import Membership, Unit, UnitGroup, User
from units.roles import roles_of

pytestmark = pytest.mark.django_db

COMMUNES = ["xa-bac-phong", "xa-bac-son", "xa-cong-hai", "xa-loi-hai", "xa-phuoc-chien", "xa-phuoc-khang"]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    settings = {"MEDIA_ROOT": folder / "media", "SIGNING_DEMO_DIR": folder / "signing"}
    with django_db_blocker.unblock(), override_settings(**settings), transaction.atomic():
        started = timezone.now()
        call_command("seed_demo", stdout=io.StringIO())
        yield {"started": started, "finished": timezone.now(), **settings}
        transaction.set_rollback(True)


@pytest.fixture
def media_root(demo, settings):
    """The demo's files stay where the seed wrote them, its keys too."""
    settings.SIGNING_DEMO_DIR = demo["SIGNING_DEMO_DIR"]
    return demo["MEDIA_ROOT"]


@pytest.fixture(autouse=True)
def _demo_media(demo, settings):
    settings.MEDIA_ROOT = demo["MEDIA_ROOT"]


def test_seed_demo_builds_the_district_of_the_seed_circular(demo):
    district = Unit.objects.get(code="ubnd-thuan-bac")
    assert district.name == "Ủy ban nhân dân huyện Thuận Bắc"
    assert Unit.objects.get(code="phong-vhtt").name == "Phòng Văn hóa và Thông tin"
    assert set(UnitGroup.objects.get(code="ubnd-cac-xa").units.values_list("code", flat=True)) == set(COMMUNES)
    departments = UnitGroup.objects.get(code="co-quan-huyen")
    assert departments.name == "Các cơ quan, đơn vị thuộc UBND huyện"
    assert departments.units.count() == 13
    assert all(u.parent_id == district.id for u in Unit.objects.exclude(pk=district.pk))


def test_seed_demo_accounts_have_their_roles_and_the_readme_password(demo):
    expected = {
        "vanthu": ["records_clerk"],
        "chuyenvien": ["drafter"],
        "lanhdao": ["signer"],
        "vhtt": ["monitor", "unit_clerk"],
        "admin": ["admin"],
        "xa-bac-phong": ["unit_clerk"],
        "xa-bac-phong-truong": ["unit_head"],
        "phong-vhtt-truong": ["unit_head"],
    }
    for username, roles in expected.items():
        user = User.objects.get(username=username)
        assert roles_of(user) == roles, username
        assert user.check_password("demo12345"), username
    assert Membership.objects.filter(user__username="vhtt", unit__code="phong-vhtt").exists()
    for unit in Unit.objects.all():
        assert User.objects.filter(username=unit.code, memberships__unit=unit).exists(), unit.code
        assert User.objects.filter(username=f"{unit.code}-truong", memberships__role="head").exists(), unit.code


def test_seed_demo_is_idempotent(demo):
    counts = [
        model.objects.count()
        for model in (Unit, UnitGroup, User, Membership, Circular, IncomingDispatch, Delivery, DeliveryEvent)
    ]
    call_command("seed_demo", stdout=io.StringIO())
    assert counts == [
        model.objects.count()
        for model in (Unit, UnitGroup, User, Membership, Circular, IncomingDispatch, Delivery, DeliveryEvent)
    ]
    assert counts[0] == 20


def seed_circular() -> Circular:
    return Circular.objects.get(number=123, notation="UBND-TH", issued_year=2024)


def test_the_seed_circular_is_the_history_of_2024_from_dispatch_to_accepted_reports(demo):
    dispatch = IncomingDispatch.objects.get(arrival_year=2024)
    assert (dispatch.reference, dispatch.issuer, dispatch.arrival_number) == (
        "2980/STTTT-TTra",
        "Sở Thông tin và Truyền thông",
        1,
    )
    circular = seed_circular()
    assert circular.status == Circular.Status.DISTRIBUTED
    assert list(circular.in_response_to.all()) == [dispatch]
    # The dispatch was presented, assigned to the office, and handled by the circular.
    assert dispatch.handling_status == "done"
    assert Assignment.objects.get(dispatch=dispatch, role="lead").unit.code == "van-phong"
    assert circular.monitoring_unit.code == "phong-vhtt"
    assert circular.action_items.count() == 5
    assert set(circular.recipient_groups.values_list("code", flat=True)) == {"co-quan-huyen", "ubnd-cac-xa"}
    deliveries = Delivery.objects.filter(circular=circular)
    assert deliveries.count() == 19
    assert set(deliveries.values_list("status", flat=True)) == {"accepted"}
    # Two communes acknowledged late (due 17/10), two units reported late (due 31/10).
    late = set(deliveries.filter(ack_delay_days__gt=0).values_list("unit__code", flat=True))
    assert late == {"xa-phuoc-khang", "xa-bac-phong"}
    assert deliveries.filter(report_delay_days__gt=0).count() == 2
    # One report returned and sent again: two versions, the second accepted.
    versions = ImplementationReport.objects.filter(delivery__circular=circular, delivery__unit__code="xa-bac-son")
    assert list(versions.order_by("version").values_list("status", flat=True)) == ["returned", "accepted"]
    # Every step happened in October and November 2024, none when the demo was seeded.
    moments = DeliveryEvent.objects.filter(delivery__circular=circular).values_list("at", flat=True)
    days = {timezone.localdate(m) for m in moments}
    assert min(days) == datetime.date(2024, 10, 15) and max(days) <= datetime.date(2024, 11, 30)
    assert len(days) > 10


def test_seed_circular_pdf_reads_like_the_seed_document(demo):
    circular = seed_circular()
    reader = PdfReader(io.BytesIO(circular.pdf.read()))
    text = " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())
    # The seed circular is signed (issue 14): the number and the date are form fields the
    # clerk filled at issue, drawn in the fields' appearance, not in the page's text.
    fields = reader.get_fields()
    assert (fields["number"]["/V"], fields["date"]["/V"]) == ("123", "ngày 15 tháng 10 năm 2024")
    for expected in [
        "ỦY BAN NHÂN DÂN",
        "HUYỆN THUẬN BẮC",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: /UBND-TH",
        "Thuận Bắc,",
        "V/v cảnh báo việc lợi dụng danh nghĩa công chức Sở Thông tin và Truyền thông",
        "Kính gửi:",
        "Các cơ quan, đơn vị thuộc UBND huyện;",
        "Ủy ban nhân dân các xã.",
        "Tiếp nhận Công văn số 2980/STTTT-TTra ngày 01/10/2024",
        "Nơi nhận:",
        "Lưu VT.",
        "KT. CHỦ TỊCH",
        "PHÓ CHỦ TỊCH",
        "Nguyễn Hùng",
    ]:
        assert expected in text, expected


def test_seed_circular_is_signed_by_the_signer_then_the_organisation(demo):
    reports = validate(seed_circular().pdf.read())
    assert [(report.field, report.valid, report.trusted) for report in reports] == [
        ("signer_signature", True, True),
        ("organisation_signature", True, True),
    ]


def test_every_step_of_the_demo_is_past_and_spread_over_its_story(demo):
    events = [
        *DeliveryEvent.objects.values_list("at", flat=True),
        *CircularEvent.objects.values_list("at", flat=True),
        *HandlingEvent.objects.values_list("at", flat=True),
    ]
    assert max(events) <= demo["finished"]
    seeded = [at for at in events if at >= demo["started"]]
    assert seeded == [], "steps dated the minute the demo was seeded"
    this_year = {timezone.localdate(at) for at in events if at.year == timezone.localdate().year}
    assert len(this_year) >= 15


def test_this_years_circulars_are_at_every_stage(demo):
    this_year = Circular.objects.exclude(issued_year=2024)
    assert sorted(this_year.values_list("status", flat=True)) == sorted(
        ["distributed"] * 4 + ["approved", "submitted", "draft"]
    )
    numbered = list(this_year.filter(number__isnull=False).order_by("issued_year", "number"))
    # The outgoing register: numbers follow the dates of issue.
    assert [c.issued_on for c in numbered] == sorted(c.issued_on for c in numbered)
    today = Circular.objects.get(subject=campaigns.TODAY["subject"])
    assert today.issued_on == timezone.localdate()
    assert Circular.objects.get(subject=campaigns.URGENT["subject"]).urgency == "urgent"


def test_the_mid_campaign_circular_has_units_on_time_late_reported_returned_accepted_and_a_refusal(demo):
    circular = Circular.objects.get(subject=campaigns.MID_CAMPAIGN["subject"])
    figures = compliance.compliance(circular)
    assert figures["overdue_ack"] == 3 and figures["overdue_report"] > 0
    assert figures["refused"] == 1 and figures["returned"] == 1 and figures["accepted"] == 2
    assert 0 < figures["on_time_ack_rate"] < 1
    deliveries = Delivery.objects.filter(circular=circular)
    assert deliveries.filter(acknowledged_at__isnull=False, ack_delay_days=0).count() > 5
    assert deliveries.filter(ack_delay_days__gt=0).count() == 4
    completed = Circular.objects.get(subject=campaigns.COMPLETED["subject"])
    assert set(Delivery.objects.filter(circular=completed).values_list("status", flat=True)) == {"accepted"}


def test_the_guided_tours_commune_has_work_of_every_kind(demo, client):
    clerk = User.objects.get(username="xa-bac-phong")
    mine = Delivery.objects.filter(unit__code="xa-bac-phong")
    assert mine.filter(status="sent", sent_at__date__gte=timezone.localdate() - datetime.timedelta(days=1)).exists()
    assert mine.filter(status="returned").exists()
    assert mine.filter(status="acknowledged").exists()
    assert Assignment.objects.filter(unit__code="xa-bac-phong", status="assigned").exists()
    client.force_login(clerk)
    page = client.get(reverse("inbox")).content.decode()
    waiting = mine.get(status="sent", circular__subject=campaigns.TODAY["subject"])
    assert f'id="acknowledge-{waiting.pk}"' in page


def test_dashboard_league_and_registers_show_this_year_on_first_open(demo, client):
    client.force_login(User.objects.get(username="vhtt"))
    dashboard = client.get(reverse("dashboard")).content.decode()
    mid = Circular.objects.get(subject=campaigns.MID_CAMPAIGN["subject"])
    assert f'id="circular-{mid.pk}"' in dashboard
    league = client.get(reverse("dashboard-units")).content.decode()
    assert "Ủy ban nhân dân xã Phước Kháng" in league
    client.force_login(User.objects.get(username="vanthu"))
    incoming = client.get(reverse("incoming-list")).content.decode()
    year = timezone.localdate().year
    entries = IncomingDispatch.objects.filter(arrival_year=year).order_by("arrival_number")
    assert entries.count() == 5
    assert [e.received_on for e in entries] == sorted(e.received_on for e in entries)
    assert all(e.subject in incoming for e in entries)
    outgoing = client.get(reverse("outgoing-list")).content.decode()
    assert Circular.objects.get(subject=campaigns.MID_CAMPAIGN["subject"]).reference in outgoing
