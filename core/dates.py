"""The plausible range of every date the portal accepts. A date outside it is a typing
slip (31/10/0204 for 31/10/2024) and is refused with a message, never stored: it would
make every deadline and figure computed from it meaningless."""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

# No document of a Vietnamese state body is older than the state (2 September 1945).
EARLIEST = datetime.date(1945, 9, 2)
# Deadlines and plans reach a few years ahead; ten is generous.
YEARS_AHEAD = 10


def latest() -> datetime.date:
    today = timezone.localdate()
    try:
        return today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:  # 29 February
        return today.replace(year=today.year + YEARS_AHEAD, day=28)


def check_plausible(value: datetime.date | None) -> None:
    """Raise a ValidationError (a 400 with its message on pages and in the API) unless
    ``value`` is between EARLIEST and ten years from today."""
    if value is None:
        return
    last = latest()
    if not EARLIEST <= value <= last:
        raise ValidationError(
            _("%(date)s is not a plausible date: enter one between %(first)s and %(last)s.")
            % {
                # Not strftime: it pads years below 1000 differently on each platform.
                "date": f"{value.day:02d}/{value.month:02d}/{value.year}",
                "first": f"{EARLIEST:%d/%m/%Y}",
                "last": f"{last:%d/%m/%Y}",
            },
            code="implausible_date",
        )


def iso_pattern(first: datetime.date, last: datetime.date) -> str:
    """A regular expression matching the ISO dates (YYYY-MM-DD) from ``first`` to ``last``:
    how the API's schema states the plausible range, since OpenAPI 3.0 has no minimum or
    maximum for a date. The calendar is left to ``format: date`` (1950-02-31 matches the
    pattern and is no date). Digits are spelled [0-9]: ``\\d`` also matches other scripts'."""

    def two_digits(low: int, high: int) -> str:
        return "(?:" + "|".join(f"{n:02d}" for n in range(low, high + 1)) + ")"

    any_day = "[0-9]{2}"
    if first.year == last.year:
        raise ValueError("the range must span more than one year")
    alternatives = [f"{first.year}-{first.month:02d}-{two_digits(first.day, 31)}"]
    if first.month < 12:
        alternatives.append(f"{first.year}-{two_digits(first.month + 1, 12)}-{any_day}")
    if last.year - first.year > 1:
        years = "|".join(str(year) for year in range(first.year + 1, last.year))
        alternatives.append(f"(?:{years})-[0-9]{{2}}-{any_day}")
    if last.month > 1:
        alternatives.append(f"{last.year}-{two_digits(1, last.month - 1)}-{any_day}")
    alternatives.append(f"{last.year}-{last.month:02d}-{two_digits(1, last.day)}")
    return "^(?:" + "|".join(alternatives) + ")$"


def plausible_pattern() -> str:
    """``iso_pattern`` of today's plausible range."""
    return iso_pattern(EARLIEST, latest())
