"""The Government's swaps of working days for 2024-2026, shipped as rows of the table of
local changes (migration 0008), and the December reminder to enter next year's."""

import datetime
import importlib

import pytest
import time_machine
from django.apps import apps
from django.urls import reverse

from circulars.models import NoSwapsYear, WorkingDayChange
from circulars.workdays import Calendar, due_date, working_days_late, years_missing_swaps
from tests.conftest import VN

pytestmark = pytest.mark.django_db
D = datetime.date
MIGRATION = importlib.import_module("circulars.migrations.0008_register_restart_official_swaps")


@pytest.fixture
def official_swaps(db):
    """The shipped rows. The migration inserted them, but a test that flushes the
    database (transaction=True) removes them for the tests that follow; put back."""
    MIGRATION.add_official_swaps(apps, None)
    return WorkingDayChange.objects.filter(source=WorkingDayChange.Source.OFFICIAL)


# (day off, Saturday worked in exchange)
SWAPS = [
    (D(2024, 4, 29), D(2024, 5, 4)),
    (D(2025, 5, 2), D(2025, 4, 26)),
    (D(2026, 1, 2), D(2026, 1, 10)),
    (D(2026, 8, 31), D(2026, 8, 22)),
]


def test_every_swap_ships_both_halves_marked_official(official_swaps):
    shipped = {(c.date, c.kind) for c in official_swaps}
    expected = {(off, "day_off") for off, _worked in SWAPS} | {(worked, "working_day") for _off, worked in SWAPS}
    assert shipped == expected
    assert all(c.note for c in official_swaps)


@pytest.mark.parametrize(("day_off", "worked"), SWAPS, ids=[f"{off:%Y-%m-%d}" for off, _w in SWAPS])
def test_the_saturday_worked_counts_and_the_day_off_does_not(official_swaps, day_off, worked):
    calendar = Calendar.load(D(2024, 1, 1), D(2026, 12, 31))
    assert worked.weekday() == 5 and calendar.is_working_day(worked)
    assert day_off.weekday() < 5 and not calendar.is_working_day(day_off)


def test_new_year_2026(official_swaps):
    # Wed 31/12/2025 + 1: Thu 1/1 holiday, Fri 2/1 swapped off, weekend → Mon 5/1.
    assert due_date(D(2025, 12, 31), 1) == D(2026, 1, 5)
    # Fri 9/1 + 1 = Sat 10/1, worked in exchange.
    assert due_date(D(2026, 1, 9), 1) == D(2026, 1, 10)
    assert due_date(D(2026, 1, 9), 2) == D(2026, 1, 12)
    # 5, 6, 7, 8, 9, Sat 10, 12 = 7 working days after 31/12 up to 12/1.
    assert working_days_late(D(2025, 12, 31), D(2026, 1, 12)) == 7
    calendar = Calendar.load(D(2025, 12, 1), D(2026, 1, 31))
    assert calendar.working_days_between(D(2025, 12, 31), D(2026, 1, 12)) == 7


def test_30_april_2024(official_swaps):
    # Fri 26/4 + 1: 27-28 weekend, 29 swapped, 30/4, 1/5 holidays → Thu 2/5.
    assert due_date(D(2024, 4, 26), 1) == D(2024, 5, 2)
    # Fri 3/5 + 1 = Sat 4/5, worked in exchange for 29/4.
    assert due_date(D(2024, 5, 3), 1) == D(2024, 5, 4)
    calendar = Calendar.load(D(2024, 4, 1), D(2024, 5, 31))
    assert calendar.working_days_between(D(2024, 4, 26), D(2024, 5, 6)) == 4  # 2/5, 3/5, Sat 4/5, 6/5


def test_30_april_2025(official_swaps):
    # Fri 25/4 + 1 = Sat 26/4, worked in exchange for Fri 2/5.
    assert due_date(D(2025, 4, 25), 1) == D(2025, 4, 26)
    # Tue 29/4 + 1: 30/4, 1/5 holidays, 2/5 swapped, weekend → Mon 5/5.
    assert due_date(D(2025, 4, 29), 1) == D(2025, 5, 5)
    calendar = Calendar.load(D(2025, 4, 1), D(2025, 5, 31))
    assert calendar.working_days_between(D(2025, 4, 24), D(2025, 5, 5)) == 5  # 25, Sat 26, 28, 29, 5/5


def test_national_day_2026(official_swaps):
    # Fri 21/8 + 1 = Sat 22/8, worked in exchange for Mon 31/8.
    assert due_date(D(2026, 8, 21), 1) == D(2026, 8, 22)
    # Fri 28/8 + 1: weekend, 31/8 swapped, 1-2/9 National Day → Thu 3/9.
    assert due_date(D(2026, 8, 28), 1) == D(2026, 9, 3)
    calendar = Calendar.load(D(2026, 8, 1), D(2026, 9, 30))
    assert calendar.working_days_between(D(2026, 8, 20), D(2026, 9, 3)) == 8  # 21, 22, 24-28, 3/9


def test_national_day_2024_and_2025_have_no_swap(official_swaps):
    assert due_date(D(2024, 8, 30), 1) == D(2024, 9, 4)  # 31/8-3/9 off
    assert due_date(D(2025, 8, 29), 1) == D(2025, 9, 3)  # 30/8-2/9 off


@pytest.mark.parametrize(
    ("start", "due"),
    [
        (D(2024, 2, 7), D(2024, 2, 15)),  # Tết Giáp Thìn: 8-14/2 off
        (D(2025, 1, 24), D(2025, 2, 3)),  # Tết Ất Tỵ: 27/1-1/2 off
        (D(2026, 2, 13), D(2026, 2, 23)),  # Tết Bính Ngọ: 14-22/2 off
    ],
)
def test_tet(official_swaps, start, due):
    assert due_date(start, 1) == due


def test_the_administrator_edits_an_official_swap(official_swaps):
    # Say a province keeps Saturday 26/4/2025 off: the row is edited, the calendar follows.
    WorkingDayChange.objects.filter(date=D(2025, 4, 26)).update(kind=WorkingDayChange.Kind.DAY_OFF)
    assert due_date(D(2025, 4, 25), 1) == D(2025, 4, 28)


# --- The December reminder --------------------------------------------------------


def test_reminder_from_1_december_for_next_year(official_swaps):
    assert years_missing_swaps(D(2026, 11, 30)) == []
    assert years_missing_swaps(D(2026, 12, 1)) == [2027]
    assert years_missing_swaps(D(2026, 12, 4)) == [2027]


def test_reminder_stops_when_swaps_are_entered_or_none_declared(official_swaps, admin_user):
    WorkingDayChange.objects.create(
        date=D(2027, 4, 24), kind="working_day", source=WorkingDayChange.Source.OFFICIAL, note="x"
    )
    assert years_missing_swaps(D(2026, 12, 4)) == []
    WorkingDayChange.objects.filter(date=D(2027, 4, 24)).delete()
    NoSwapsYear.objects.create(year=2027, answered_by=admin_user)
    assert years_missing_swaps(D(2026, 12, 4)) == []


def test_a_local_change_does_not_silence_the_reminder(official_swaps):
    WorkingDayChange.objects.create(date=D(2027, 3, 8), kind="day_off", note="Lễ hội địa phương")
    assert years_missing_swaps(D(2026, 12, 4)) == [2027]


def test_home_shows_the_reminder_to_administrators_only(client, official_swaps, admin_user, records_clerk):
    with time_machine.travel(datetime.datetime(2026, 12, 4, 9, 0, tzinfo=VN)):
        client.force_login(admin_user)
        body = client.get(reverse("home")).content.decode()
        assert 'id="swaps-reminder"' in body and 'id="no-swaps-2027"' in body
        client.force_login(records_clerk)
        assert 'id="swaps-reminder"' not in client.get(reverse("home")).content.decode()
    with time_machine.travel(datetime.datetime(2026, 11, 30, 9, 0, tzinfo=VN)):
        client.force_login(admin_user)
        assert 'id="swaps-reminder"' not in client.get(reverse("home")).content.decode()


def test_answering_no_swaps_hides_the_reminder(client, official_swaps, admin_user):
    with time_machine.travel(datetime.datetime(2026, 12, 4, 9, 0, tzinfo=VN)):
        client.force_login(admin_user)
        response = client.post(reverse("calendar-no-swaps"), {"year": "2027", "next": "home"})
        assert response.status_code == 302 and response["Location"] == reverse("home")
        assert NoSwapsYear.objects.get(year=2027).answered_by == admin_user
        assert 'id="swaps-reminder"' not in client.get(reverse("home")).content.decode()


def test_no_swaps_answer_is_the_administrators(client, api_as, official_swaps, records_clerk, admin_user):
    with time_machine.travel(datetime.datetime(2026, 12, 4, 9, 0, tzinfo=VN)):
        client.force_login(records_clerk)
        assert client.post(reverse("calendar-no-swaps"), {"year": "2027"}).status_code == 403
        assert api_as(records_clerk).post("/api/v1/calendar/no-swaps", {"year": 2027}, format="json").status_code == 403
        far = api_as(admin_user).post("/api/v1/calendar/no-swaps", {"year": 2031}, format="json")
        assert far.status_code == 400 and "2027" in far.json()["detail"]
        assert api_as(admin_user).post("/api/v1/calendar/no-swaps", {"year": 2027}, format="json").status_code == 200
    assert list(NoSwapsYear.objects.values_list("year", flat=True)) == [2027]
