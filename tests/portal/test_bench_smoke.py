"""``make bench``'s seeding at a tiny scale, in a database of its own, and its refusal of
SQLite. (The measurements themselves run in CI as ``make bench SCALE=0.05``.)"""

import datetime
import os
import subprocess
import sys
from collections import Counter

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.utils import timezone

from acknowledgements.models import Delivery, DeliveryEvent, ImplementationReport, Reminder
from bench import db, seed
from circulars.models import Circular, CircularRelation, NumberingRegister, WorkingDayChange
from circulars.workdays import working_days_late
from units.models import Unit

SCALE = 0.02  # 70 units, 40 circulars, a few hundred deliveries: every state appears
ANCHOR = datetime.date(2025, 6, 16)  # the day the dataset is drawn for, so the test never depends on today

postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the bench seeds PostgreSQL only (COPY)")


def _empty() -> None:
    """Back to a freshly migrated database (the seeding writes explicit ids): the rows the
    seeding wrote go, the official swaps of working days the migrations ship stay."""
    tables = [
        connection.ops.quote_name(m._meta.db_table)
        for m in apps.get_models(include_auto_created=True)
        if m._meta.app_label in {"units", "circulars", "acknowledgements"} and m is not WorkingDayChange
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")


@pytest.fixture
def bench_database(django_db_blocker):
    """A database of the test's own, never the one a running `make bench` uses."""
    with django_db_blocker.unblock():
        name = db.bench_name(f"{connection.settings_dict['NAME']}_smoke")
        db.recreate(name)
        try:
            with db.using(name):
                db.migrate()
                yield name
        finally:
            db.drop(name)


@postgresql_only
def test_seeding_writes_the_specified_dataset_and_repeats_it(bench_database):
    plan = seed.Plan.at(SCALE)
    seeded = seed.seed(SCALE, 7, anchor=ANCHOR, log=lambda _message: None)
    first = seed.digest()

    # Sizes: the units (and the issuing committee), the circulars, recipients per circular.
    assert Unit.objects.count() == plan.units + 1
    assert Circular.objects.count() == plan.circulars == seeded.counts["circulars"]
    per_circular = Counter(Delivery.objects.values_list("circular_id", flat=True))
    assert len(per_circular) == plan.circulars
    assert min(per_circular.values()) >= plan.min_recipients
    assert max(per_circular.values()) == plan.units  # one circular goes to every unit
    per_unit = Counter(Delivery.objects.values_list("unit_id", flat=True))
    assert max(per_unit.values()) == plan.circulars  # the inbox unit receives every circular
    deliveries = Delivery.objects.count()
    assert deliveries == seeded.counts["deliveries"]
    assert 0.5 * plan.expected_deliveries < deliveries < 2 * plan.expected_deliveries

    # Each unit's own incoming register, as distribution keeps it: per unit and local year
    # of arrival, numbers 1 … n in the order the deliveries arrived, and the register at n.
    per_register: dict = {}
    for unit_id, sent_at, year, number in Delivery.objects.order_by("unit_id", "sent_at", "id").values_list(
        "unit_id", "sent_at", "arrival_year", "arrival_number"
    ):
        assert year == timezone.localtime(sent_at).year
        per_register.setdefault((unit_id, year), []).append(number)
    assert all(numbers == list(range(1, len(numbers) + 1)) for numbers in per_register.values())
    registers = NumberingRegister.objects.filter(kind=NumberingRegister.Kind.UNIT_INCOMING)
    assert {(r.unit_id, r.year): r.last_number for r in registers} == {
        key: len(numbers) for key, numbers in per_register.items()
    }

    # The mix of states: every one of them, mostly done.
    states = Counter(Delivery.objects.values_list("status", flat=True))
    assert set(states) == set(Delivery.Status.values)
    assert states[Delivery.Status.ACCEPTED] == max(states.values())
    for rare in (Delivery.Status.SENT, Delivery.Status.RETURNED, Delivery.Status.REFUSED, Delivery.Status.REPORTED):
        assert states[rare] < 0.15 * deliveries

    # Recalled and replaced circulars as the services leave them: every delivery of a
    # recalled one closed (or refused), a replaced one named by its replacement, and
    # nothing closed on a circular in force.
    closed = Delivery.objects.filter(status__in=Delivery.CLOSED)
    assert not closed.filter(circular__status=Circular.Status.DISTRIBUTED).exists()
    assert not closed.filter(closed_at__isnull=True).exists()
    recalled = Circular.objects.filter(status=Circular.Status.RECALLED)
    assert recalled.exists() and not recalled.filter(recalled_at__isnull=True).exists()
    assert (
        not Delivery.objects.filter(circular__in=recalled)
        .exclude(status__in=[Delivery.Status.RECALLED, Delivery.Status.REFUSED])
        .exists()
    )
    replaced = Circular.objects.filter(status=Circular.Status.REPLACED)
    assert replaced.exists()
    targets = set(CircularRelation.objects.values_list("target_id", flat=True))
    assert targets == set(replaced.values_list("pk", flat=True))
    assert not Delivery.objects.filter(circular__in=replaced, status__in=Delivery.OPEN).exists()

    # Late and on time, with delays as the services would have written them.
    acknowledged = Delivery.objects.filter(acknowledged_at__isnull=False)
    assert acknowledged.filter(ack_delay_days=0).exists()
    assert acknowledged.filter(ack_delay_days__gt=0).exists()
    assert not Delivery.objects.filter(acknowledged_at__isnull=True, ack_delay_days__isnull=False).exists()
    assert not Delivery.objects.filter(acknowledged_at__isnull=False, ack_delay_days__isnull=True).exists()
    assert not Delivery.objects.filter(reported_at__isnull=True, report_delay_days__isnull=False).exists()
    assert not Delivery.objects.filter(reported_at__isnull=False, report_delay_days__isnull=True).exists()
    for d in acknowledged.filter(ack_delay_days__gt=0)[:20]:
        assert d.ack_delay_days == working_days_late(d.ack_due_on, timezone.localdate(d.acknowledged_at))
    for d in Delivery.objects.filter(report_delay_days__gt=0)[:20]:
        assert d.report_delay_days == working_days_late(d.report_due_on, timezone.localdate(d.reported_at))

    # History: a distribute event for each delivery, one per step taken; reports for the
    # deliveries that reported; reminders for the late ones.
    assert DeliveryEvent.objects.filter(action="distribute").count() == deliveries
    assert DeliveryEvent.objects.filter(action="acknowledge").count() == acknowledged.count()
    reported = Delivery.objects.filter(reported_at__isnull=False)
    assert ImplementationReport.objects.values("delivery").distinct().count() == reported.count()
    assert Reminder.objects.exists()
    assert seeded.due > 0

    # The same seed gives the same rows; another seed other rows.
    _empty()
    seed.seed(SCALE, 7, anchor=ANCHOR, log=lambda _message: None)
    assert seed.digest() == first
    _empty()
    seed.seed(SCALE, 8, anchor=ANCHOR, log=lambda _message: None)
    assert seed.digest()["deliveries"] != first["deliveries"]


def test_bench_refuses_sqlite_with_a_clear_message():
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL"}}
    result = subprocess.run(
        [sys.executable, "manage.py", "bench", "--scale", "0.002"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "not PostgreSQL" in result.stderr
    assert "DATABASE_URL=postgres://" in result.stderr
    assert "Seeding" not in result.stdout
