"""Vietnamese working days: Monday to Friday, less the public holidays of the ``holidays``
package's Vietnam calendar, adjusted by the administrator's table of local changes.

A period of "N ngày làm việc" counts from the day after the event (as the Civil Code
counts periods), so its last day is always a working day. Every deadline in the portal is
computed here.
"""

import datetime
from functools import lru_cache

import holidays
from django.conf import settings

from circulars.models import NoSwapsYear, WorkingDayChange


@lru_cache(maxsize=32)
def _national_holidays(year: int) -> frozenset[datetime.date]:
    return frozenset(holidays.country_holidays("VN", years=year).keys())


class Calendar:
    """A calendar with the local changes of a date range read in one query."""

    def __init__(self, changes: dict[datetime.date, str] | None = None):
        self.changes = changes if changes is not None else {}

    @classmethod
    def load(cls, start: datetime.date, end: datetime.date) -> "Calendar":
        rows = WorkingDayChange.objects.filter(date__range=(start, end)).values_list("date", "kind")
        return cls(dict(rows))

    def is_working_day(self, day: datetime.date) -> bool:
        change = self.changes.get(day)
        if change == WorkingDayChange.Kind.DAY_OFF:
            return False
        if change == WorkingDayChange.Kind.WORKING_DAY:
            return True
        return day.weekday() < 5 and day not in _national_holidays(day.year)

    def add_working_days(self, start: datetime.date, days: int) -> datetime.date:
        """The ``days``-th working day after ``start``."""
        if days < 1:
            raise ValueError("a period is at least one working day")
        day, counted = start, 0
        while counted < days:
            day += datetime.timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return day

    def working_days_between(self, start: datetime.date, end: datetime.date) -> int:
        """Working days after ``start`` up to and including ``end`` (0 when end <= start).
        Counted, not walked: whole weeks give five days each, then the holidays and local
        changes inside the span adjust it, so a span of centuries costs what a week does."""
        if end <= start:
            return 0
        full_weeks, rest = divmod((end - start).days, 7)
        count = 5 * full_weeks + sum(
            1 for offset in range(1, rest + 1) if (start + datetime.timedelta(days=offset)).weekday() < 5
        )
        for year in range(start.year, end.year + 1):
            count -= sum(1 for day in _national_holidays(year) if start < day <= end and day.weekday() < 5)
        for day in self.changes:
            if start < day <= end:
                count += self.is_working_day(day) - self._usual_working_day(day)
        return count

    @staticmethod
    def _usual_working_day(day: datetime.date) -> bool:
        return day.weekday() < 5 and day not in _national_holidays(day.year)


# Long Tết and bridge holidays make 60 working days at most ~100 calendar days.
_MARGIN = datetime.timedelta(days=120)


def due_date(start: datetime.date, working_days: int) -> datetime.date:
    """The deadline ``working_days`` working days after ``start``: the one function every
    deadline uses."""
    return Calendar.load(start, start + _MARGIN + datetime.timedelta(days=2 * working_days)).add_working_days(
        start, working_days
    )


def working_days_late(due: datetime.date, on: datetime.date) -> int:
    """How many working days ``on`` is past ``due`` (0 if not late)."""
    if on <= due:
        return 0
    return Calendar.load(due, on).working_days_between(due, on)


def years_missing_swaps(today: datetime.date) -> list[int]:
    """The years whose official swaps of working days the administrator should enter:
    this year, and from 1 December next year, while the year has no official row
    (``WorkingDayChange.Source.OFFICIAL``) and no "no swaps this year" answer."""
    years = [today.year, today.year + 1] if today.month == 12 else [today.year]
    entered = set(
        WorkingDayChange.objects.filter(source=WorkingDayChange.Source.OFFICIAL, date__year__in=years).values_list(
            "date__year", flat=True
        )
    ) | set(NoSwapsYear.objects.filter(year__in=years).values_list("year", flat=True))
    return [year for year in years if year not in entered]


def due_soon_until(today: datetime.date, cal: Calendar | None = None) -> datetime.date:
    """The last due date that is "due soon" on ``today``: REMINDERS' ``before_working_days``
    working days ahead, the day the chase reminds. The sweep, the dashboard and the pages
    read it (``Assignment.due_soon_q`` / ``is_due_soon`` take it as ``until``)."""
    days = settings.REMINDERS["before_working_days"]
    return cal.add_working_days(today, days) if cal is not None else due_date(today, days)
