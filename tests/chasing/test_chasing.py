"""Chasing with time travel: who got what, when, once."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from acknowledgements import services
from acknowledgements.models import Delivery, Notification, OutboxEmail, Reminder
from acknowledgements.outbox import send_due
from chasing import sweep
from circulars.models import Circular, Urgency
from tests.conftest import DISTRIBUTED_AT, ISSUED_ON
from tests.factories import issued_circular
from units.models import Unit

pytestmark = pytest.mark.django_db
VN = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def at(day, hour=8):
    return datetime.datetime(2024, 10, day, hour, 0, tzinfo=VN)


def flush_outbox():
    """Send what distribution queued (its callbacks do not run inside a test's
    transaction), so that each test sees only the mail it causes."""
    send_due()
    mail.outbox.clear()


@pytest.fixture
def circular(circular):
    """The shared circular, distributed on 15/10, its new-delivery emails already sent."""
    flush_outbox()
    return circular


@pytest.fixture
def flash(drafter, signer, records_clerk, communes_group, clerk, other_clerk):
    """A hỏa tốc circular to the communes, distributed on 15/10 like ``circular``: its
    reminders go by email at once rather than in the digest."""
    circular = issued_circular(
        drafter, signer, records_clerk, groups=[communes_group], issued_on=ISSUED_ON, urgency=Urgency.FLASH
    )
    with time_machine.travel(DISTRIBUTED_AT, tick=False):
        services.distribute(circular=circular, by=records_clerk)
    flush_outbox()
    return circular


def received(kind, stage=""):
    return sorted(
        Notification.objects.filter(reminder__kind=kind, reminder__stage=stage).values_list("user__username", flat=True)
    )


def test_a_circular_from_issue_to_escalation(circular, clerk, other_clerk, unit, other_unit):
    # Wed 16/10: acknowledgement due Thu 17/10 → a reminder to each unit's clerks.
    assert sweep.sweep(at(16)).queued == {"ack_due_soon": 2}
    assert received("ack_due_soon") == ["clerk", "other-clerk"]
    assert sweep.sweep(at(16, 9)).total == 0  # a second tick the same day: nothing

    other = Delivery.objects.get(unit=other_unit)
    services.acknowledge(delivery=other, by=other_clerk)

    assert sweep.sweep(at(17)).total == 0  # due today: not late yet
    assert sweep.sweep(at(18)).queued == {"ack_overdue": 1}  # Fri: only the unit that did not acknowledge
    assert received("ack_overdue") == ["clerk"]
    assert sweep.sweep(at(19)).total == 0  # Saturday
    assert sweep.sweep(at(21)).queued == {"ack_escalation:head": 1}  # Mon: 2 working days late
    assert received("ack_escalation", "head") == ["head"]
    assert sweep.sweep(at(22)).total == 0
    assert sweep.sweep(at(24)).queued == {"ack_escalation:monitor": 1}  # 5 working days late
    assert received("ack_escalation", "monitor") == ["monitor", "signer"]

    # Wed 30/10: reports due Thu 31/10, owed by both units.
    assert sweep.sweep(at(30)).queued == {"report_due_soon": 2}
    mine = Delivery.objects.get(unit=unit)
    assert sorted(Reminder.objects.filter(delivery=mine).values_list("kind", "stage")) == [
        ("ack_due_soon", ""),
        ("ack_escalation", "head"),
        ("ack_escalation", "monitor"),
        ("ack_overdue", ""),
        ("report_due_soon", ""),
    ]


def test_a_missed_moment_is_replaced_by_the_later_kind(circular, unit):
    # The first sweep ever runs on 24/10: the unit gets the monitor escalation only.
    result = sweep.sweep(at(24))
    assert result.queued == {"ack_escalation:monitor": 2}
    assert not Reminder.objects.filter(kind__in=["ack_due_soon", "ack_overdue"]).exists()
    assert not Reminder.objects.filter(stage="head").exists()
    assert sweep.sweep(at(25)).total == 0


def test_nothing_is_chased_once_done_or_withdrawn(circular, clerk, other_clerk, unit, other_unit, signer):
    services.acknowledge(delivery=Delivery.objects.get(unit=unit), by=clerk)
    services.refuse(delivery=Delivery.objects.get(unit=other_unit), by=other_clerk, reason="Không thuộc thẩm quyền")
    assert sweep.sweep(at(21)).total == 0
    services.recall(circular=circular, by=signer, reason="Thu hồi")
    assert sweep.sweep(at(31)).total == 0  # the report was still owed, but the circular is recalled


def test_urgent_circulars_are_chased_by_email_at_once(flash, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sweep.sweep(at(16))
    assert sorted(m.to[0] for m in mail.outbox) == ["clerk@example.vn", "other-clerk@example.vn"]
    assert all("Sắp đến hạn xác nhận" in m.subject for m in mail.outbox)
    assert Reminder.objects.filter(channel="immediate", sent_at__isnull=False).count() == 2


def test_normal_circulars_wait_for_one_digest_a_day(circular, django_capture_on_commit_callbacks):
    sweep.sweep(at(16))
    sweep.sweep(at(18))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep.send_digests(at(18, 7)) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["clerk@example.vn", "other-clerk@example.vn"]
    digest = next(m for m in mail.outbox if m.to == ["clerk@example.vn"])
    assert "Tổng hợp" in digest.subject
    assert "QUÁ HẠN" in digest.body and "/ack/" in digest.body
    # New reminders later the same day do not make a second email to the same person.
    sweep.sweep(at(21))
    with django_capture_on_commit_callbacks(execute=True):
        sweep.send_digests(at(18, 7))
    assert OutboxEmail.objects.filter(kind="digest", user__username="clerk").count() == 1


def test_a_reminder_for_a_step_done_since_is_not_sent(flash, clerk):
    sweep.sweep(at(16))  # callbacks not run: the rows wait in the outbox
    services.acknowledge(delivery=Delivery.objects.get(unit__code="xa-mot"), by=clerk)
    mail.outbox.clear()
    send_due()
    assert [m.to[0] for m in mail.outbox] == ["other-clerk@example.vn"]
    assert OutboxEmail.objects.get(kind="reminder", user=clerk).status == "skipped"


def test_chase_command_is_idempotent_and_has_a_dry_run(circular, capsys):
    call_command("chase", "--at", "2024-10-18T08:00", "--dry-run")
    out = capsys.readouterr().out
    assert "would queue 2 reminders" in out and "ack_overdue" in out
    assert not Reminder.objects.exists()
    call_command("chase", "--at", "2024-10-18T08:00")
    assert "queued 2 reminders" in capsys.readouterr().out
    call_command("chase", "--at", "2024-10-18T08:00")
    assert "queued 0 reminders" in capsys.readouterr().out


def test_chase_command_refuses_a_bad_date(db):
    with pytest.raises(CommandError, match="not an ISO date-time"):
        call_command("chase", "--at", "18/10/2024")


def test_manual_chase_once_per_few_hours(api_as, circular, monitor, clerk, unit, other_unit, signer):
    api = api_as(monitor)
    url = f"/api/v1/circulars/{circular.id}/chase"
    assert api.post(url, {"units": [unit.id, other_unit.id]}, format="json").json() == {"queued": 2}
    assert api.post(url, {"units": [unit.id]}, format="json").json() == {"queued": 0}
    assert api_as(clerk).post(url, {"units": [unit.id]}, format="json").status_code == 403
    assert api_as(signer).post(url, {"units": [unit.id]}, format="json").status_code == 403
    assert api_as(monitor).post(url, {"units": []}, format="json").status_code == 400
    with time_machine.travel(datetime.datetime.now(tz=VN) + datetime.timedelta(hours=5)):
        assert api_as(monitor).post(url, {"units": [unit.id]}, format="json").json() == {"queued": 1}
    assert received_manual(clerk) == 2


def received_manual(user):
    return Notification.objects.filter(user=user, reminder__kind="manual").count()


def test_delivery_api_lists_reminders(api_as, circular, delivery, clerk):
    sweep.sweep(at(16))
    body = api_as(clerk).get(f"/api/v1/deliveries/{delivery.id}/").json()
    assert body["reminders"] == [
        {
            "kind": "ack_due_soon",
            "stage": "",
            "channel": "digest",
            "created_at": "2024-10-16T08:00:00+07:00",  # the moment of the sweep, local time
            "sent_at": None,
            "recipients": ["clerk"],
        }
    ]


def test_calendar_due_endpoint(api_as, clerk):
    api = api_as(clerk)
    assert api.get("/api/v1/calendar/due?from=2024-10-07&working_days=2").json() == {"due_on": "2024-10-09"}
    assert api.get("/api/v1/calendar/due?from=2025-01-24&working_days=1").json() == {"due_on": "2025-02-03"}
    assert api.get("/api/v1/calendar/due?from=hôm-nay&working_days=2").status_code == 400
    assert api.get("/api/v1/calendar/due?from=2024-10-07").status_code == 400


def _bulk_deliveries(circular, district, n):
    units = Unit.objects.bulk_create(Unit(code=f"u{i:05}", name=f"Xã {i}", parent=district) for i in range(n))
    Delivery.objects.bulk_create(
        Delivery(circular=circular, unit=u, ack_due_on=datetime.date(2024, 10, 17), report_due_on=None) for u in units
    )


@pytest.mark.parametrize("n", [10, 1000])
def test_sweep_query_count_does_not_grow_with_deliveries(n, issued, district, django_assert_num_queries):
    Circular.objects.filter(pk=issued.pk).update(status=Circular.Status.DISTRIBUTED, report_due_on=None)
    _bulk_deliveries(issued, district, n)
    # Eight stage queries (savepoint, INSERT … SELECT, release), one batch of follow-up
    # for the stage that added rows (3 notification INSERTs, the outbox INSERT, the last
    # delivery of the batch, two UPDATEs), the calendar read: the same for 10 and 1,000
    # overdue deliveries. Then the four stages of assignments, none to chase: savepoint,
    # the locking SELECT, release each.
    with django_assert_num_queries(32 + 12):
        result = sweep.sweep(at(18))
    assert result.queued == {"ack_overdue": n}
