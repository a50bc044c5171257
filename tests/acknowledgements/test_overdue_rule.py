"""Overdue has one definition, on Delivery: a step still owed whose deadline has passed,
the circular still in force. The queryset, the aggregates' filters and the methods of a
loaded row say the same thing for every state."""

import datetime
import itertools

import pytest
from django.db.models import Count

from acknowledgements.models import Delivery
from acknowledgements.services import recall
from units.models import Unit

pytestmark = pytest.mark.django_db

S = Delivery.Status
ON = datetime.date(2024, 11, 5)
BEFORE, AFTER = ON - datetime.timedelta(days=1), ON + datetime.timedelta(days=1)
STEP_DONE_AT = datetime.datetime(2024, 10, 16, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def every_case(circular, district):
    """One delivery for each state × acknowledgement deadline × report deadline (none,
    passed, ahead)."""
    cases = list(itertools.product(S.values, [BEFORE, ON, AFTER], [None, BEFORE, ON, AFTER]))
    units = Unit.objects.bulk_create(
        Unit(code=f"case-{i}", name=f"Đơn vị {i}", parent=district) for i in range(len(cases))
    )
    return Delivery.objects.bulk_create(
        Delivery(
            circular=circular,
            unit=unit,
            status=status,
            ack_due_on=ack_due,
            report_due_on=report_due,
            acknowledged_at=None if status in (S.SENT, S.REFUSED) else STEP_DONE_AT,
            reported_at=STEP_DONE_AT if status in (S.REPORTED, S.RETURNED, S.ACCEPTED) else None,
            # Recalled and replaced deliveries: closed, never overdue (``expected``).
            closed_at=STEP_DONE_AT if status in Delivery.CLOSED else None,
        )
        for unit, (status, ack_due, report_due) in zip(units, cases, strict=True)
    )


def expected(delivery) -> tuple[bool, bool]:
    """The rule as written in DESIGN.md, by hand."""
    ack = delivery.status == S.SENT and delivery.ack_due_on < ON
    report = delivery.status in (S.SENT, S.ACKNOWLEDGED, S.RETURNED) and (
        delivery.report_due_on is not None and delivery.report_due_on < ON
    )
    return ack, report


def test_the_queryset_the_aggregate_and_the_row_agree(circular, every_case):
    rows = list(Delivery.objects.filter(pk__in=[d.pk for d in every_case]).select_related("circular"))
    overdue = set(Delivery.objects.overdue(ON).filter(pk__in=[d.pk for d in every_case]).values_list("pk", flat=True))
    counts = Delivery.objects.filter(pk__in=[d.pk for d in every_case]).aggregate(
        ack=Count("pk", filter=Delivery.ack_overdue_q(ON)),
        report=Count("pk", filter=Delivery.report_overdue_q(ON)),
        either=Count("pk", filter=Delivery.overdue_q(ON)),
    )
    for delivery in rows:
        ack, report = expected(delivery)
        assert (delivery.is_ack_overdue(ON), delivery.is_report_overdue(ON)) == (ack, report), delivery.status
        assert (delivery.pk in overdue) == (ack or report), delivery.status
    assert counts["ack"] == sum(expected(d)[0] for d in rows)
    assert counts["report"] == sum(expected(d)[1] for d in rows)
    assert counts["either"] == len(overdue)


def test_a_report_with_no_deadline_is_never_overdue(circular, every_case):
    no_deadline = Delivery.objects.filter(
        pk__in=[d.pk for d in every_case], report_due_on__isnull=True, ack_due_on__gte=ON
    )
    assert no_deadline.exists()
    assert not no_deadline.overdue(ON).exists()


def test_a_withdrawn_circular_has_nothing_overdue(circular, every_case, signer):
    assert Delivery.objects.filter(circular=circular).overdue(ON).exists()
    recall(circular=circular, by=signer, reason="Thu hồi")
    assert not Delivery.objects.filter(circular=circular).overdue(ON).exists()
    for delivery in Delivery.objects.filter(circular=circular).select_related("circular"):
        assert not delivery.is_ack_overdue(ON) and not delivery.is_report_overdue(ON)
