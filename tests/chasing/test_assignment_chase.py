"""Chasing assignments of incoming dispatches with time travel: each stage once, to whom,
by which channel; nothing for what is done or replaced; the same number of queries for
two assignments and for twenty.

The dispatch is assigned on Monday 07/10/2024 to xã Một (lead: its clerk and its head)
and xã Hai (support: its clerk), due Wednesday 09/10, by the leader ``signer``."""

import datetime

import pytest
import time_machine
from django.core import mail

from acknowledgements import assignments
from acknowledgements.models import Notification, OutboxEmail, Reminder
from acknowledgements.outbox import send_due
from chasing import sweep
from circulars.models import Assignment, Urgency
from tests.factories import VN, assigned_dispatch

pytestmark = pytest.mark.django_db

DUE = datetime.date(2024, 10, 9)  # a Wednesday


def at(day, hour=8):
    return datetime.datetime(2024, 10, day, hour, 0, tzinfo=VN)


def flush_outbox():
    """Send the new-assignment emails, so that each test sees only the mail it causes."""
    send_due()
    mail.outbox.clear()


@pytest.fixture
def handled(records_clerk, signer, unit, other_unit, clerk, head, other_clerk):
    dispatch, (lead, support) = assigned_dispatch(
        records_clerk, signer, number=2980, lead=unit, supports=[other_unit], due_on=DUE, at=at(7, 9)
    )
    flush_outbox()
    return dispatch, lead, support


def told(kind, stage=""):
    return sorted(
        Notification.objects.filter(reminder__kind=kind, reminder__stage=stage).values_list(
            "user__username", "assignment__unit__code"
        )
    )


def test_each_stage_once_from_due_soon_to_the_leader(handled, clerk, signer):
    _dispatch, lead, support = handled
    assert sweep.sweep(at(7, 10)).total == 0  # due Wednesday: not yet "due soon" on Monday
    # Tue 08/10: due within one working day → the clerks of both units.
    assert sweep.sweep(at(8)).queued == {"assignment_due_soon": 2}
    assert told("assignment_due_soon") == [("clerk", "xa-mot"), ("other-clerk", "xa-hai")]
    assert sweep.sweep(at(8, 9)).total == 0  # the next tick: nothing
    assert sweep.sweep(at(9)).total == 0  # due today: not late, reminded already
    # Thu 10/10: overdue.
    assert sweep.sweep(at(10)).queued == {"assignment_overdue": 2}
    assert told("assignment_overdue") == [("clerk", "xa-mot"), ("other-clerk", "xa-hai")]
    assert sweep.sweep(at(10, 15)).total == 0
    # Fri 11/10: two working days late → the units' heads (xã Hai has none).
    assert sweep.sweep(at(11)).queued == {"assignment_escalation:head": 2}
    assert told("assignment_escalation", "head") == [("head", "xa-mot")]
    for day in (12, 13, 14, 15):  # the weekend, then three and four working days late
        assert sweep.sweep(at(day)).total == 0
    # Wed 16/10: five working days late → the leader whose instruction it is.
    assert sweep.sweep(at(16)).queued == {"assignment_escalation:leader": 2}
    assert told("assignment_escalation", "leader") == [("signer", "xa-hai"), ("signer", "xa-mot")]
    for day in (17, 18, 21, 30):
        assert sweep.sweep(at(day)).total == 0

    assert sorted(Reminder.objects.filter(assignment=lead).values_list("kind", "stage", "channel")) == [
        ("assignment_due_soon", "", "digest"),
        ("assignment_escalation", "head", "digest"),
        ("assignment_escalation", "leader", "digest"),
        ("assignment_overdue", "", "digest"),
    ]
    assert Reminder.objects.filter(assignment=support).count() == 4
    # The bell line names the dispatch and opens the assignment.
    line = Notification.objects.get(user=clerk, reminder__kind="assignment_overdue")
    assert line.title.endswith(": 2980/STTTT-TTra")
    assert line.title.startswith("Quá hạn")
    assert line.url == f"/assignments/{lead.pk}/"
    assert line.assignment_id == lead.pk
    # Not urgent: the reminders wait for the digest, no email of their own.
    assert not OutboxEmail.objects.filter(kind="assignment_reminder").exists()


def test_a_missed_moment_is_replaced_by_the_later_stage(handled):
    # The first sweep ever runs on 16/10: only the leader's escalation, nothing earlier late.
    assert sweep.sweep(at(16)).queued == {"assignment_escalation:leader": 2}
    assert set(Reminder.objects.values_list("kind", "stage")) == {("assignment_escalation", "leader")}


def test_nothing_is_chased_once_the_lead_unit_completes(handled, clerk):
    _dispatch, lead, _support = handled
    assert sweep.sweep(at(8)).total == 2
    with time_machine.travel(at(9, 10), tick=False):
        assignments.complete(assignment=lead, by=clerk, note="Đã tham mưu văn bản chỉ đạo.")
    for day in (10, 11, 16, 30):
        assert sweep.sweep(at(day)).total == 0  # the supporting unit's part ended with it
    assert sweep.plan(at(30)) == {}


def test_a_replaced_assignment_is_not_chased_its_successor_is(handled, records_clerk, signer, unit, other_unit):
    dispatch, old_lead, old_support = handled
    with time_machine.travel(at(8, 7), tick=False):
        new = assignments.assign(
            dispatch=dispatch,
            by=signer,
            lead_unit=other_unit,
            support_units=[],
            due_on=datetime.date(2024, 10, 15),
            instruction="Giao lại cho xã Hai chủ trì.",
        )
    assert sweep.sweep(at(10)).total == 0  # the old due date passed, but it was replaced
    assert sweep.sweep(at(14)).queued == {"assignment_due_soon": 1}
    assert sweep.sweep(at(16)).queued == {"assignment_overdue": 1}
    assert set(Reminder.objects.values_list("assignment_id", flat=True)) == {new[0].pk}
    assert Assignment.objects.get(pk=old_lead.pk).status == Assignment.Status.REPLACED
    assert not Reminder.objects.filter(assignment__in=[old_lead, old_support]).exists()


def test_an_urgent_dispatch_is_chased_by_email_at_once(
    records_clerk, signer, unit, clerk, head, django_capture_on_commit_callbacks
):
    _dispatch, (lead,) = assigned_dispatch(
        records_clerk, signer, number=77, lead=unit, due_on=DUE, at=at(7, 9), urgency=Urgency.FLASH
    )
    flush_outbox()
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep.sweep(at(8)).queued == {"assignment_due_soon": 1}
    assert [m.to for m in mail.outbox] == [["clerk@example.vn"]]
    message = mail.outbox[0]
    assert message.subject == "[Cổng công văn] Sắp đến hạn xử lý – văn bản đến 77/STTTT-TTra – Ủy ban nhân dân xã Một"
    assert "sắp đến hạn (09/10/2024)" in message.body
    assert f"/assignments/{lead.pk}/" in message.body
    row = OutboxEmail.objects.get(kind="assignment_reminder")
    assert (row.assignment_id, row.user, row.status) == (lead.pk, clerk, "sent")
    assert Reminder.objects.get().sent_at is not None

    # Five working days late: the leader, by email at once, in their own name.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep.sweep(at(16)).queued == {"assignment_escalation:leader": 1}
    assert [m.to for m in mail.outbox] == [["signer@example.vn"]]
    body = mail.outbox[0].body
    assert body.startswith("Kính gửi Nguyễn Hùng,")
    assert "chưa hoàn thành việc chủ trì xử lý" in body and "theo ý kiến chỉ đạo của đồng chí" in body


def test_an_email_for_a_dispatch_completed_since_is_not_sent(records_clerk, signer, unit, clerk):
    _dispatch, (lead,) = assigned_dispatch(
        records_clerk, signer, number=78, lead=unit, due_on=DUE, at=at(7, 9), urgency=Urgency.VERY_URGENT
    )
    flush_outbox()
    sweep.sweep(at(8))  # callbacks not run: the row waits in the outbox
    with time_machine.travel(at(8, 9), tick=False):
        assignments.complete(assignment=lead, by=clerk, note="Xong.")
    send_due()
    assert mail.outbox == []
    assert OutboxEmail.objects.get(kind="assignment_reminder").status == "skipped"


def test_the_digest_lists_the_units_open_assignments(handled, django_capture_on_commit_callbacks):
    sweep.sweep(at(10))  # overdue, waiting for the digest
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep.send_digests(at(10, 7)) == 2  # xã Một's clerk and xã Hai's
    digest = next(m for m in mail.outbox if m.to == ["clerk@example.vn"])
    assert "Văn bản đến đơn vị của bạn được giao xử lý" in digest.body
    assert "2980/STTTT-TTra (Ủy ban nhân dân xã Một, chủ trì)" in digest.body
    assert "Hạn xử lý: 09/10/2024 (QUÁ HẠN)" in digest.body


def test_the_leader_s_digest_names_the_late_units(handled, django_capture_on_commit_callbacks):
    sweep.sweep(at(16))
    with django_capture_on_commit_callbacks(execute=True):
        sweep.send_digests(at(16, 7))
    digest = next(m for m in mail.outbox if m.to == ["signer@example.vn"])
    assert "Các đơn vị chậm xử lý văn bản đến" in digest.body
    assert "Ủy ban nhân dân xã Một: văn bản đến 2980/STTTT-TTra, hạn xử lý 09/10/2024" in digest.body
    assert "Ủy ban nhân dân xã Hai: văn bản đến 2980/STTTT-TTra" in digest.body


def test_the_assignment_api_lists_its_reminders(api_as, handled, clerk):
    _dispatch, lead, _support = handled
    sweep.sweep(at(10))
    body = api_as(clerk).get(f"/api/v1/assignments/{lead.pk}/").json()
    assert [(r["kind"], r["recipients"]) for r in body["reminders"]] == [("assignment_overdue", ["clerk"])]
    assert body["overdue"] is True  # open, and due in 2024


def test_overdue_says_the_same_on_a_row_and_in_a_query(handled):
    _dispatch, lead, support = handled
    for day in (DUE - datetime.timedelta(days=1), DUE, DUE + datetime.timedelta(days=1)):
        in_query = set(Assignment.objects.overdue(day).values_list("pk", flat=True))
        on_rows = {a.pk for a in Assignment.objects.all() if a.is_overdue(day)}
        assert in_query == on_rows
    assert {a.pk for a in Assignment.objects.overdue(DUE + datetime.timedelta(days=1))} == {lead.pk, support.pk}


def _assign_many(records_clerk, signer, lead, support, n):
    for number in range(100, 100 + n):
        assigned_dispatch(records_clerk, signer, number=number, lead=lead, supports=[support], due_on=DUE, at=at(7, 9))


@pytest.mark.parametrize("n", [1, 10])
def test_sweep_query_count_does_not_grow_with_assignments(
    n, records_clerk, signer, unit, other_unit, clerk, head, other_clerk, django_assert_num_queries
):
    _assign_many(records_clerk, signer, unit, other_unit, n)
    # The eight delivery stages find nothing (savepoint, INSERT … SELECT, release: 24); the
    # calendar read; the three assignment stages before the overdue one lock nothing
    # (savepoint, SELECT … FOR UPDATE, release: 9); the overdue stage: savepoint, the
    # locking SELECT, the reminders' INSERT … SELECT, two bell INSERTs (clerks and heads,
    # the leader), the outbox INSERT, the sent_at UPDATE, the batch's mark UPDATE,
    # release (9). The same for 2 assignments and for 20.
    with django_assert_num_queries(24 + 1 + 9 + 9):
        result = sweep.sweep(at(10))
    assert result.queued == {"assignment_overdue": 2 * n}
    assert Notification.objects.filter(reminder__isnull=False).count() == 2 * n  # a clerk per unit
