"""Each unit's own incoming register (Decree 30 Art. 22): every delivery takes the next
arrival number of its unit's register for the year it arrived (local date), consecutive
per unit and year, with no gap, whichever distribution, replacement or correction sent it,
and two distributions at once never give one number twice."""

import datetime

import pytest
import time_machine
from django.db import transaction

from acknowledgements import services
from acknowledgements.models import Delivery
from circulars.models import NumberingRegister
from tests.acknowledgements.test_concurrency_faults import needs_postgresql, race
from tests.acknowledgements.test_recall import follow_up
from tests.conftest import DISTRIBUTED_AT, VN
from tests.factories import issued_circular
from units.models import Unit, UnitGroup

UNIT_IN = NumberingRegister.Kind.UNIT_INCOMING


def _numbers(unit) -> list[tuple[int, int, int]]:
    """(year, number, circular id) of the unit's deliveries, in arrival order."""
    return list(
        Delivery.objects.filter(unit=unit)
        .order_by("sent_at", "id")
        .values_list("arrival_year", "arrival_number", "circular_id")
    )


def _register(unit, year) -> int:
    return NumberingRegister.objects.get(kind=UNIT_IN, unit=unit, year=year).last_number


def _send(drafter, signer, records_clerk, *, at, **recipients):
    circular = issued_circular(drafter, signer, records_clerk, issued_on=at.date(), **recipients)
    with time_machine.travel(at, tick=False):
        services.distribute(circular=circular, by=records_clerk)
    return circular


@pytest.mark.django_db
def test_each_unit_numbers_what_reached_it_consecutively(
    drafter, signer, records_clerk, unit, other_unit, communes_group
):
    first = _send(drafter, signer, records_clerk, at=DISTRIBUTED_AT, groups=[communes_group])
    second = _send(drafter, signer, records_clerk, at=DISTRIBUTED_AT + datetime.timedelta(days=1), units=[unit])
    third = _send(
        drafter, signer, records_clerk, at=DISTRIBUTED_AT + datetime.timedelta(days=2), groups=[communes_group]
    )
    assert _numbers(unit) == [(2024, 1, first.pk), (2024, 2, second.pk), (2024, 3, third.pk)]
    # The other commune did not receive the second one: its register has no hole for it.
    assert _numbers(other_unit) == [(2024, 1, first.pk), (2024, 2, third.pk)]
    assert (_register(unit, 2024), _register(other_unit, 2024)) == (3, 2)
    # The committee's own registers are untouched by the units' ones.
    assert not NumberingRegister.objects.filter(kind="incoming").exists()
    assert NumberingRegister.objects.get(kind="outgoing", year=2024).last_number == 3


@pytest.mark.django_db
def test_the_year_is_the_local_date_of_arrival_and_numbers_restart_on_1_january(
    drafter, signer, records_clerk, unit, communes_group
):
    # 23:30 on 31/12 in Hà Nội is 16:30 UTC; 00:10 on 1/1 is still 31/12 in UTC.
    old_year = _send(
        drafter, signer, records_clerk, at=datetime.datetime(2024, 12, 31, 23, 30, tzinfo=VN), units=[unit]
    )
    new_year = _send(drafter, signer, records_clerk, at=datetime.datetime(2025, 1, 1, 0, 10, tzinfo=VN), units=[unit])
    later = _send(drafter, signer, records_clerk, at=datetime.datetime(2025, 1, 2, 8, 0, tzinfo=VN), units=[unit])
    assert _numbers(unit) == [(2024, 1, old_year.pk), (2025, 1, new_year.pk), (2025, 2, later.pk)]
    assert (_register(unit, 2024), _register(unit, 2025)) == (1, 2)


@pytest.mark.django_db
def test_a_second_distribution_numbers_only_the_units_added(drafter, signer, records_clerk, district, unit, other_unit):
    group = UnitGroup.objects.create(code="nhom", name="Nhóm")
    group.units.set([unit])
    earlier = _send(drafter, signer, records_clerk, at=DISTRIBUTED_AT, units=[other_unit])
    circular = _send(drafter, signer, records_clerk, at=DISTRIBUTED_AT + datetime.timedelta(hours=1), groups=[group])
    group.units.add(other_unit)
    with time_machine.travel(DISTRIBUTED_AT + datetime.timedelta(hours=2), tick=False):
        assert services.distribute(circular=circular, by=records_clerk) == 2
    assert _numbers(unit) == [(2024, 1, circular.pk)]
    assert _numbers(other_unit) == [(2024, 1, earlier.pk), (2024, 2, circular.pk)]


@pytest.mark.django_db
def test_a_replacement_and_a_correction_are_numbered_on_arrival_too(drafter, signer, records_clerk, circular, unit):
    replacement = follow_up(circular, drafter, signer, records_clerk, subject="V/v thay thế", replaces=circular)
    correction = follow_up(
        replacement,
        drafter,
        signer,
        records_clerk,
        subject="V/v đính chính",
        when=datetime.datetime(2024, 10, 23, 9, 0, tzinfo=VN),
        corrects=replacement,
    )
    assert _numbers(unit) == [(2024, 1, circular.pk), (2024, 2, replacement.pk), (2024, 3, correction.pk)]


@pytest.mark.django_db
def test_a_failed_distribution_gives_its_numbers_back(drafter, signer, records_clerk, circular, unit, communes_group):
    later = DISTRIBUTED_AT + datetime.timedelta(days=1)
    second = issued_circular(drafter, signer, records_clerk, issued_on=later.date(), groups=[communes_group])
    with time_machine.travel(later, tick=False), pytest.raises(RuntimeError), transaction.atomic():
        services.distribute(circular=second, by=records_clerk)
        raise RuntimeError("the request fails after distributing")
    assert _register(unit, 2024) == 1
    third = _send(drafter, signer, records_clerk, at=later, groups=[communes_group])
    assert Delivery.objects.get(circular=third, unit=unit).arrival_number == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_distributions_at_once_to_the_same_units_never_share_a_number(
    attempt, drafter, signer, records_clerk, district
):
    needs_postgresql()
    units = Unit.objects.bulk_create(
        Unit(code=f"xa-{i:03}", name=f"Xã {i:03}", kind=Unit.Kind.COMMUNE, parent=district) for i in range(40)
    )
    group = UnitGroup.objects.create(code="cac-xa", name="Các xã")
    group.units.set(units)
    # One unit already has an arrival this year: the racing ones count on from it.
    first = issued_circular(drafter, signer, records_clerk, units=[units[0]])
    services.distribute(circular=first, by=records_clerk)
    circulars = [issued_circular(drafter, signer, records_clerk, groups=[group]) for _ in range(3)]
    _results, errors = race(*(lambda c=c: services.distribute(circular=c, by=records_clerk) for c in circulars))
    assert errors == []
    year = Delivery.objects.get(circular=first).arrival_year
    for index, unit in enumerate(units):
        numbers = sorted(
            Delivery.objects.filter(unit=unit, circular__in=circulars).values_list("arrival_number", flat=True)
        )
        expected = [2, 3, 4] if index == 0 else [1, 2, 3]
        assert numbers == expected, unit.code
        assert _register(unit, year) == expected[-1]
    # The registers' rows are locked in unit order, so the distributions queued behind
    # one another whole: each circular has one number at every unit it was first to reach.
    for circular in circulars:
        numbers = set(
            Delivery.objects.filter(circular=circular, unit__in=units[1:]).values_list("arrival_number", flat=True)
        )
        assert len(numbers) == 1, numbers
