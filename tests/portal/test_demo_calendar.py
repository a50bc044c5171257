"""The demo is dated back from the day it runs, whatever that day is: across New Year its
registers restart and still follow their dates, and early in the morning nothing it
records lies in the future."""

import datetime
import io
import zoneinfo

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from acknowledgements.models import Delivery, DeliveryEvent
from circulars.models import Circular, CircularEvent, IncomingDispatch
from portal.demo import campaigns

pytestmark = pytest.mark.django_db

VN = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
# A Tuesday, 07:00, before the office opens: the first week of a new year.
NEW_YEAR_MORNING = datetime.datetime(2027, 1, 5, 7, 0, tzinfo=VN)


def test_the_demo_seeded_in_the_first_days_of_a_year_keeps_each_years_registers_in_order():
    with time_machine.travel(NEW_YEAR_MORNING, tick=False):
        call_command("seed_demo", stdout=io.StringIO())
        now = timezone.now()
    this_year = Circular.objects.filter(issued_year__gte=2026).order_by("issued_year", "number")
    assert {c.issued_year for c in this_year} == {2026, 2027}
    for year in (2026, 2027):
        issued = [c.issued_on for c in this_year if c.issued_year == year]
        assert issued == sorted(issued) and all(day.year == year for day in issued)
        arrivals = IncomingDispatch.objects.filter(arrival_year=year).order_by("arrival_number")
        received = [d.received_on for d in arrivals]
        assert received == sorted(received) and all(day.year == year for day in received)
    today = Circular.objects.get(subject=campaigns.TODAY["subject"])
    assert today.issued_on == NEW_YEAR_MORNING.date()
    assert Delivery.objects.filter(circular=today, unit__code="xa-bac-phong", status="sent").exists()
    latest = max(
        DeliveryEvent.objects.latest("at").at,
        CircularEvent.objects.latest("at").at,
        IncomingDispatch.objects.latest("registered_at").registered_at,
    )
    assert latest <= now
