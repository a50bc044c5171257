"""The monitoring page of one circular (/circulars/<id>/deliveries/) reads its figures,
its count per status and its overdue units in one aggregate query over the circular's
deliveries, and takes the same queries for 5 units as for 500."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from acknowledgements import services
from acknowledgements.models import Delivery
from tests.conftest import DISTRIBUTED_AT, REPORT_DUE_ON, VN
from units.models import Unit

pytestmark = pytest.mark.django_db

LATER = datetime.datetime(2024, 11, 5, 9, 0, tzinfo=VN)  # both deadlines have passed
S = Delivery.Status
# The states the added units cycle through: each step owed, done, returned or refused.
STATES = [S.SENT, S.ACKNOWLEDGED, S.REPORTED, S.RETURNED, S.ACCEPTED, S.REFUSED]


def add_units(circular, district, n, *, start=0):
    """n more units, cheaply, with deliveries in every state in turn."""
    units = Unit.objects.bulk_create(
        Unit(code=f"u{start + i:05}", name=f"Xã {start + i:05}", parent=district) for i in range(n)
    )
    at = timezone.now()
    Delivery.objects.bulk_create(
        Delivery(
            circular=circular,
            unit=unit,
            sent_at=DISTRIBUTED_AT,
            ack_due_on=datetime.date(2024, 10, 17),
            report_due_on=REPORT_DUE_ON,
            status=STATES[i % len(STATES)],
            acknowledged_at=None if STATES[i % len(STATES)] in (S.SENT, S.REFUSED) else at,
            reported_at=at if STATES[i % len(STATES)] in (S.REPORTED, S.RETURNED, S.ACCEPTED) else None,
        )
        for i, unit in enumerate(units)
    )


def page(client, circular, **query):
    with time_machine.travel(LATER, tick=False):
        return client.get(reverse("circular-deliveries", args=[circular.pk]), query)


def test_the_page_queries_are_pinned(client, monitor, circular, district, django_assert_num_queries):
    add_units(circular, district, 498)
    client.force_login(monitor)
    # 1 the session, 2 the user, 3 the user's role groups, 4 the circular,
    # 5 the monitor's membership of the monitoring unit (circulars.policy.follow_up, asked
    # once for monitoring, following, chasing and the distribute button),
    # 6 the paginator's count (filtered; unfiltered, the aggregate's total serves),
    # 7 the working-day calendar (days late),
    # 8 the page of units with their reminder figures,
    # 9 the one aggregate over the circular's deliveries: its figures, the count per
    # status, the units overdue and the acknowledgement deadline,
    # 10 the progress chart's acknowledgements and reports per day (one pass; read again
    # from the cache while no unit acts, below),
    # 11–12 the navigation's inbox and bell counts, 13–15 the session saved.
    with django_assert_num_queries(15):
        response = page(client, circular, overdue="on", sort="-status", q="Xã 00")
    assert response.status_code == 200
    # Of the 498 added units, those that still owe a step: sent, acknowledged, returned.
    assert response.context["page_obj"].paginator.count == 249


def test_the_same_queries_for_5_and_500_units(client, monitor, circular, district):
    client.force_login(monitor)
    add_units(circular, district, 3)
    with CaptureQueriesContext(connection) as few:
        page(client, circular)
    add_units(circular, district, 495, start=3)
    with CaptureQueriesContext(connection) as many:
        page(client, circular)
    assert len(many) == len(few)


def test_the_counts_of_the_one_aggregate_match_the_deliveries(client, monitor, circular, district):
    add_units(circular, district, 12)
    client.force_login(monitor)
    response = page(client, circular)
    deliveries = Delivery.objects.filter(circular=circular)
    counts = {code: n for code, _label, n in response.context["status_counts"]}
    assert counts == {code: deliveries.filter(status=code).count() for code in S.values}
    assert response.context["total"] == deliveries.count() == 14
    assert response.context["figures"]["total"] == 14
    # The two communes never acknowledged: both late; of the 12, the 6 that owe a step.
    assert response.context["overdue_count"] == deliveries.overdue(LATER.date()).count() == 2 + 6
    assert response.context["series"]["total"] == 14
    assert response.context["series"]["ack_due_on"] == datetime.date(2024, 10, 17)


def chart_days(response) -> dict:
    series = response.context["series"]
    return {"acknowledged": series["acknowledged"], "reported": series["reported"]}


def test_the_chart_days_are_read_from_the_cache_while_no_unit_acts(
    client, monitor, circular, district, django_assert_num_queries
):
    add_units(circular, district, 20)
    client.force_login(monitor)
    first = page(client, circular)
    # The same page again: the 15 pinned above, less the paginator's count (unfiltered)
    # and the chart's pass over the deliveries.
    with django_assert_num_queries(13):
        again = page(client, circular)
    assert chart_days(again) == chart_days(first)
    assert again.context["chart_rows"] == first.context["chart_rows"]


def test_the_chart_counts_a_unit_that_acts_after_it_was_cached(client, monitor, circular, delivery, clerk):
    client.force_login(monitor)
    before = page(client, circular)
    assert before.context["series"]["acknowledged"] == []
    with time_machine.travel(LATER, tick=False):
        services.acknowledge(delivery=delivery, by=clerk)
    after = page(client, circular)
    assert after.context["series"]["acknowledged"] == [(LATER.date(), 1)]
    assert after.context["series"]["reported"] == []
