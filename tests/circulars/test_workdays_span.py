"""Working days between two dates are counted, not walked: the answer is the one a walk
day by day gives, and a span of centuries looks at no more days than a week does."""

import datetime
import random

import pytest

from circulars.models import WorkingDayChange
from circulars.workdays import Calendar


def walked(calendar: Calendar, start: datetime.date, end: datetime.date) -> int:
    count, day = 0, start
    while day < end:
        day += datetime.timedelta(days=1)
        count += calendar.is_working_day(day)
    return count


@pytest.mark.parametrize("seed", range(5))
def test_counting_agrees_with_walking_day_by_day(seed):
    rng = random.Random(seed)
    for _ in range(200):
        start = datetime.date(2023, 1, 1) + datetime.timedelta(days=rng.randint(0, 1500))
        end = start + datetime.timedelta(days=rng.randint(-3, 700))
        changes = {
            start + datetime.timedelta(days=rng.randint(-2, 700)): rng.choice(list(WorkingDayChange.Kind))
            for _ in range(rng.randint(0, 5))
        }
        calendar = Calendar(changes)
        assert calendar.working_days_between(start, end) == walked(calendar, start, end), (start, end, changes)


def test_a_holiday_made_a_working_day_counts_once():
    # 2 September 2026 (Wednesday) is National Day; a local change makes it a working day.
    calendar = Calendar({datetime.date(2026, 9, 2): WorkingDayChange.Kind.WORKING_DAY})
    assert calendar.working_days_between(datetime.date(2026, 9, 1), datetime.date(2026, 9, 2)) == 1
    assert Calendar().working_days_between(datetime.date(2026, 9, 1), datetime.date(2026, 9, 2)) == 0


class CountingCalendar(Calendar):
    looked_at = 0

    def is_working_day(self, day):
        CountingCalendar.looked_at += 1
        return super().is_working_day(day)


def test_a_long_span_looks_at_no_more_single_days_than_a_short_one():
    CountingCalendar.looked_at = 0
    CountingCalendar().working_days_between(datetime.date(2024, 10, 1), datetime.date(2024, 10, 9))
    short = CountingCalendar.looked_at
    CountingCalendar.looked_at = 0
    days = CountingCalendar().working_days_between(datetime.date(1945, 10, 1), datetime.date(2099, 10, 9))
    assert CountingCalendar.looked_at <= short
    assert 38_000 < days < 41_000  # about 250 working days a year over 154 years
