import datetime

import pytest

from circulars.models import WorkingDayChange
from circulars.workdays import due_date, working_days_late

pytestmark = pytest.mark.django_db
D = datetime.date


def test_counting_starts_the_day_after():
    assert due_date(D(2024, 10, 15), 2) == D(2024, 10, 17)  # Tuesday + 2 = Thursday
    assert due_date(D(2024, 10, 7), 2) == D(2024, 10, 9)


def test_weekends_are_skipped():
    assert due_date(D(2024, 10, 11), 1) == D(2024, 10, 14)  # Friday + 1 = Monday
    assert due_date(D(2024, 10, 12), 1) == D(2024, 10, 14)  # issued on a Saturday


def test_national_holidays_are_skipped():
    assert due_date(D(2024, 4, 26), 1) == D(2024, 5, 2)  # 29/4 bridge, 30/4, 1/5 off
    assert due_date(D(2025, 1, 24), 1) == D(2025, 2, 3)  # Tết Ất Tỵ


def test_local_changes_override_the_national_calendar():
    WorkingDayChange.objects.create(date=D(2024, 10, 17), kind=WorkingDayChange.Kind.DAY_OFF, note="Nghỉ bù")
    assert due_date(D(2024, 10, 15), 2) == D(2024, 10, 18)
    WorkingDayChange.objects.create(date=D(2024, 10, 19), kind=WorkingDayChange.Kind.WORKING_DAY, note="Làm bù")
    assert due_date(D(2024, 10, 18), 1) == D(2024, 10, 19)


def test_working_days_late():
    assert working_days_late(D(2024, 10, 17), D(2024, 10, 17)) == 0
    assert working_days_late(D(2024, 10, 17), D(2024, 10, 16)) == 0
    assert working_days_late(D(2024, 10, 17), D(2024, 10, 21)) == 2  # Fri 18, Mon 21
