"""Deadline chasing with real Celery workers on Redis and PostgreSQL: whatever the
workers do at the same time, whatever the broker or a worker goes through, each reminder
is written once and each email leaves once.

The workers sweep "now", years after these 2024 circulars were due, so every delivery has
reached the last stage: escalation to the monitoring office and the signer. The tests
assert on what the database says was chased, then that exactly that went out.
"""

from collections import Counter

import pytest
import time_machine
from django.db import connection

from acknowledgements import assignments, services
from acknowledgements.models import Delivery, Notification, OutboxEmail, Reminder
from acknowledgements.tasks import send_outbox
from chasing import sweep
from chasing.tasks import chase_sweep
from circulars.models import Assignment, Urgency
from tests.conftest import DISTRIBUTED_AT, ISSUED_ON, make_user
from tests.factories import assigned_dispatch, issued_circular
from tests.integration.conftest import sent_messages, wait_for, wait_until_idle
from units.models import Unit, UnitGroup

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def communes(communes_group, district, clerk, other_clerk):
    """Three communes, each with a clerk who has an email address."""
    third = Unit.objects.create(code="xa-ba", name="Ủy ban nhân dân xã Ba", kind=Unit.Kind.COMMUNE, parent=district)
    make_user("third-clerk", unit=third)
    communes_group.units.add(third)
    return communes_group


def flash_circular(drafter, signer, records_clerk, monitoring_unit, group):
    """Hỏa tốc: every reminder goes by email at once, through the outbox."""
    return issued_circular(
        drafter,
        signer,
        records_clerk,
        groups=[group],
        monitoring_unit=monitoring_unit,
        issued_on=ISSUED_ON,  # acknowledgement due 17/10/2024
        urgency=Urgency.FLASH,
    )


def distribute(circular, records_clerk) -> int:
    with time_machine.travel(DISTRIBUTED_AT, tick=False):
        return services.distribute(circular=circular, by=records_clerk)


def duplicates(counter: Counter) -> list:
    return sorted(key for key, n in counter.items() if n > 1)


def test_due_reminder_is_sent_exactly_once_with_two_workers_and_a_repeated_tick(
    drafter, signer, records_clerk, monitoring_unit, monitor, communes, start_worker, broker
):
    circular = flash_circular(drafter, signer, records_clerk, monitoring_unit, communes)
    workers = [start_worker("w1"), start_worker("w2")]
    # Distribution queues the new-delivery emails and wakes the sender on commit.
    assert distribute(circular, records_clerk) == 3
    for worker in workers:
        worker.wait_ready()

    for _ in range(3):  # a beat tick delivered three times, taken by both workers at once
        chase_sweep.delay()
    for _ in range(3):
        send_outbox.delay()
    wait_until_idle(
        broker,
        workers,
        extra=lambda: Reminder.objects.exists() and not OutboxEmail.objects.pending().exists(),
        what="the sweeps to chase and the outbox to empty",
    )

    deliveries = set(Delivery.objects.filter(circular=circular).values_list("pk", flat=True))
    reminders = list(Reminder.objects.values_list("pk", "delivery_id", "kind", "stage", "channel", "sent_at"))
    assert duplicates(Counter((d, kind, stage) for _pk, d, kind, stage, _c, _s in reminders)) == []
    assert sorted(d for _pk, d, *_rest in reminders) == sorted(deliveries)  # one each, none left out
    assert {(channel, sent_at is not None) for *_rest, channel, sent_at in reminders} == {("immediate", True)}

    told = Counter(Notification.objects.filter(reminder__isnull=False).values_list("reminder_id", "user_id"))
    assert duplicates(told) == []
    assert len(told) >= len(reminders)

    rows = list(OutboxEmail.objects.values_list("kind", "reminder_id", "user_id", "to", "subject", "status"))
    assert Counter(status for *_rest, status in rows) == {"sent": len(rows)}
    # One reminder email per person told of each reminder: the monitoring office and the signer.
    reminder_emails = Counter((rid, uid) for kind, rid, uid, *_rest in rows if kind == "reminder")
    assert reminder_emails == told
    assert {uid for _rid, uid in reminder_emails} == {monitor.pk, signer.pk}

    # What went out is what the outbox says went out: each message once.
    messages = sent_messages(workers)
    assert duplicates(messages) == []
    assert messages == Counter((to, subject) for _k, _r, _u, to, subject, _s in rows)
    assert sum(n for (_to, subject), n in messages.items() if "nhắc lên lãnh đạo" in subject) == len(reminder_emails)


def test_mail_queued_while_the_broker_is_down_goes_out_once_it_is_back(
    drafter,
    signer,
    records_clerk,
    monitoring_unit,
    communes,
    start_worker,
    broker,
    caplog,
    django_capture_on_commit_callbacks,
):
    circular = flash_circular(drafter, signer, records_clerk, monitoring_unit, communes)
    broker.stop()

    with django_capture_on_commit_callbacks(execute=True):
        assert distribute(circular, records_clerk) == 3
    # The wake-up could not be sent; distribution committed all the same.
    assert "broker unreachable" in caplog.text
    assert Delivery.objects.filter(circular=circular).count() == 3
    pending = set(OutboxEmail.objects.pending().values_list("to", flat=True))
    assert pending == {"clerk@example.vn", "other-clerk@example.vn", "third-clerk@example.vn"}
    assert OutboxEmail.objects.count() == len(pending)

    broker.start()  # same port
    worker = start_worker("w1").wait_ready()
    assert sent_messages([worker]) == Counter()
    send_outbox.delay()  # beat's every-minute drain
    wait_until_idle(broker, [worker], extra=lambda: not OutboxEmail.objects.pending().exists())

    rows = list(OutboxEmail.objects.values_list("to", "subject", "status"))
    assert Counter(status for _to, _subject, status in rows) == {"sent": 3}
    assert sent_messages([worker]) == Counter((to, subject) for to, subject, _status in rows)


UNITS = 3000
BATCH = 100


def test_a_worker_killed_mid_sweep_loses_and_duplicates_nothing(
    drafter, signer, records_clerk, district, monitoring_unit, monitor, start_worker, broker
):
    group = UnitGroup.objects.create(code="toan-tinh", name="Toàn tỉnh")
    group.units.add(
        *Unit.objects.bulk_create(
            Unit(code=f"u{i:05}", name=f"Xã {i}", kind=Unit.Kind.COMMUNE, parent=district) for i in range(UNITS)
        )
    )
    circular = flash_circular(drafter, signer, records_clerk, monitoring_unit, group)
    assert distribute(circular, records_clerk) == UNITS
    planned = sweep.plan()
    assert sum(planned.values()) == UNITS  # each delivery owes exactly one stage

    first = start_worker("w1", CHASE_BATCH_SIZE=str(BATCH)).wait_ready()
    chase_sweep.delay()
    wait_for(Reminder.objects.exists, timeout=30, interval=0.005, what="the first batch of reminders", logs=[first])
    first.kill()
    # Until PostgreSQL has ended the dead worker's session, its last batch may still commit.
    wait_for(
        lambda: not other_sessions(),
        timeout=30,
        what="PostgreSQL to end the killed worker's session",
        logs=[first],
    )
    at_kill = Reminder.objects.count()
    assert at_kill < UNITS, f"the sweep finished ({at_kill} reminders) before the worker was killed"
    # What the dead worker committed is whole: each reminder with its bell lines and emails.
    assert Notification.objects.filter(reminder__isnull=False).count() == 2 * at_kill
    assert OutboxEmail.objects.filter(kind="reminder").count() == 2 * at_kill

    second = start_worker("w2", CHASE_BATCH_SIZE=str(BATCH)).wait_ready()
    # The killed worker's message waits for Redis's visibility timeout (an hour); the next
    # beat tick comes first.
    tick = chase_sweep.delay()
    wait_for(lambda: second.has_finished(tick.id), timeout=60, what="the second sweep", logs=[first, second])

    reminders = list(Reminder.objects.values_list("pk", "delivery_id", "kind", "stage", "sweep"))
    by_delivery = Counter(d for _pk, d, *_rest in reminders)
    assert duplicates(by_delivery) == []
    assert set(by_delivery) == set(Delivery.objects.filter(circular=circular).values_list("pk", flat=True))
    labels = Counter(f"{kind}:{stage}" if stage else kind for _pk, _d, kind, stage, _sweep in reminders)
    assert labels == planned
    assert [sweep for *_rest, sweep in reminders if not sweep.endswith("-done")] == []  # no batch left half done

    # Each reminder told the monitoring office's member and the signer, once, in the bell and by email.
    expected = Counter((pk, user) for pk, *_rest in reminders for user in (monitor.pk, signer.pk))
    told = Notification.objects.filter(reminder__isnull=False).values_list("reminder_id", "user_id")
    assert Counter(told) == expected
    assert Counter(OutboxEmail.objects.filter(kind="reminder").values_list("reminder_id", "user_id")) == expected


def other_sessions() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND application_name = 'portal-celery-worker'"
        )
        return cursor.fetchone()[0]


def test_assignments_are_chased_exactly_once_with_two_workers_and_a_repeated_tick(
    records_clerk, signer, district, monitoring_unit, start_worker, broker
):
    """Hỏa tốc dispatches assigned in 2024 to a lead and a supporting unit each: years
    later every open assignment has reached the last stage, escalation to the leader who
    gave the instruction, by email at once. A completed dispatch is not chased."""
    units = Unit.objects.bulk_create(
        Unit(code=f"p{i:03}", name=f"Phòng {i}", kind=Unit.Kind.DEPARTMENT, parent=district) for i in range(6)
    )
    for unit in units:
        make_user(f"clerk-{unit.code}", unit=unit)
    at = DISTRIBUTED_AT
    assigned = [
        assigned_dispatch(
            records_clerk,
            signer,
            number=3000 + i,
            lead=units[i],
            supports=[units[(i + 1) % len(units)]],
            due_on=ISSUED_ON.replace(day=25),
            at=at,
            urgency=Urgency.FLASH,
        )
        for i in range(len(units))
    ]
    done_lead = assigned[0][1][0]
    with time_machine.travel(at, tick=False):
        assignments.complete(
            assignment=done_lead, by=done_lead.unit.memberships.get().user, note="Đã tham mưu văn bản."
        )
    chased = set(Assignment.objects.in_handling().values_list("pk", flat=True))
    assert len(chased) == 2 * (len(units) - 1)
    OutboxEmail.objects.update(status=OutboxEmail.Status.SENT)  # the new-assignment emails: not this test's

    workers = [start_worker("w1"), start_worker("w2")]
    for worker in workers:
        worker.wait_ready()
    for _ in range(3):  # a beat tick delivered three times, taken by both workers at once
        chase_sweep.delay()
    for _ in range(3):
        send_outbox.delay()
    wait_until_idle(
        broker,
        workers,
        extra=lambda: Reminder.objects.count() == len(chased) and not OutboxEmail.objects.pending().exists(),
        what="the sweeps to chase every assignment and the outbox to empty",
    )

    reminders = list(Reminder.objects.values_list("pk", "assignment_id", "kind", "stage", "channel", "sent_at"))
    assert duplicates(Counter((a, kind, stage) for _pk, a, kind, stage, _c, _s in reminders)) == []
    assert sorted(a for _pk, a, *_rest in reminders) == sorted(chased)  # one each, none for the done ones
    assert {(kind, stage, channel, sent is not None) for _pk, _a, kind, stage, channel, sent in reminders} == {
        ("assignment_escalation", "leader", "immediate", True)
    }

    # The leader, once per reminder, in the bell and by email; nobody else.
    told = Counter(Notification.objects.filter(reminder__isnull=False).values_list("reminder_id", "user_id"))
    assert told == Counter((pk, signer.pk) for pk, *_rest in reminders)
    rows = list(
        OutboxEmail.objects.filter(kind="assignment_reminder").values_list("reminder_id", "user_id", "to", "subject")
    )
    assert Counter((rid, uid) for rid, uid, _to, _subject in rows) == told
    assert OutboxEmail.objects.filter(kind="assignment_reminder").exclude(status="sent").count() == 0

    # What went out is what the outbox says went out: each message once.
    messages = sent_messages(workers)
    assert duplicates(messages) == []
    assert messages == Counter((to, subject) for _rid, _uid, to, subject in rows)
    assert all("Báo cáo lên về việc chậm xử lý" in subject for _to, subject in messages)
