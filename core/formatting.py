"""How dates, local times and percents are written, everywhere: pages, exports, charts,
PDFs and messages. Vietnamese writing: dd/mm/yyyy, 24-hour clock, decimal comma."""

import datetime

from django.utils import timezone


def day(value: datetime.date | None) -> str:
    """15/10/2024; empty for no date."""
    return value.strftime("%d/%m/%Y") if value else ""


def local_time(value: datetime.datetime | None) -> str:
    """08:30 15/10/2024 in the portal's time zone (Asia/Ho_Chi_Minh); empty for none."""
    return timezone.localtime(value).strftime("%H:%M %d/%m/%Y") if value else ""


def percent_figure(rate: float | None) -> str:
    """A rate of 0..1 as the number of percent with one decimal and a comma, "71,4";
    empty when there is no rate (nothing due yet). For columns headed "%"."""
    return "" if rate is None else f"{rate * 100:.1f}".replace(".", ",")


def percent(rate: float | None, *, missing: str = "—") -> str:
    """A rate of 0..1 as "71,4 %"; ``missing`` when there is no rate."""
    return missing if rate is None else f"{percent_figure(rate)} %"
