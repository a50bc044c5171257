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
