"""How dates, local times and percents are written, everywhere: pages, exports, charts,
PDFs and messages. Vietnamese writing: dd/mm/yyyy, 24-hour clock, decimal comma."""

import datetime

from django.utils import timezone


def day(value: datetime.date | None) -> str:
    """15/10/2024; empty for no date."""
    return value.strftime("%d/%m/%Y") if value else ""


def local_time(value: datetime.datetime | None, tz: datetime.tzinfo | None = None) -> str:
    """08:30 15/10/2024 in the portal's time zone (Asia/Ho_Chi_Minh), or in ``tz`` (a
    caller writing many times looks the current zone up once); empty for none."""
    if not value:
        return ""
    value = value.astimezone(tz) if tz else timezone.localtime(value)
    return f"{value.hour:02d}:{value.minute:02d} {value.day:02d}/{value.month:02d}/{value.year}"


def percent_figure(rate: float | None) -> str:
    """A rate of 0..1 as the number of percent with one decimal and a comma, "71,4";
    empty when there is no rate (nothing due yet). For columns headed "%"."""
    return "" if rate is None else f"{rate * 100:.1f}".replace(".", ",")


def percent(rate: float | None, *, missing: str = "—") -> str:
    """A rate of 0..1 as "71,4 %"; ``missing`` when there is no rate."""
    return missing if rate is None else f"{percent_figure(rate)} %"
