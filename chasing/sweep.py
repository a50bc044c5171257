"""Deadline chasing: a sweep, not timers.

A sweep looks at the database as of a moment, finds every delivery that owes a step and
has reached a reminder stage it has not had yet, and inserts one Reminder row per
(delivery, kind, stage) with INSERT … SELECT … ON CONFLICT DO NOTHING. The unique key is
the claim: two workers, a retried task, a repeated beat tick or a restarted sweep insert
nothing the second time, and only the sweep whose rows went in (marked with its sweep id)
notifies anyone. Everything a sweep writes is one transaction per batch, so a worker killed
mid-sweep leaves nothing half done: the next sweep finds the same work.

Stages of each step (acknowledgement, report), in order: due soon → overdue → escalated
to the unit's head → escalated to the monitoring office and the signer. A delivery gets
the latest stage it has reached; a stage whose moment passed unsent is replaced by the
later one, never sent late. Urgent circulars (thượng khẩn, hỏa tốc) are chased by email at
once; the others wait for the daily digest. Everything also lands in the portal's bell.

Assignments of incoming dispatches (a unit's part in handling one, ``Assignment``) are
chased by the same sweep, with the same stages and settings: due soon (by the same
window the dashboard counts: due today too, as a dispatch may be assigned for the same
day) → overdue → escalated to the unit's head → escalated to the leader whose instruction
it is. Only open assignments of a dispatch still in handling; hỏa tốc and thượng khẩn
dispatches by email at once, the others in the digest. Each batch first locks the
assignments it decides on (skipping those a handling step holds: the next sweep takes
them), then inserts their reminders under the same unique key (assignment, kind, stage),
with their bell lines and emails, in one transaction.
"""

# ruff: noqa: S608 - only model table and column names are interpolated; values are parameters

import datetime
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, F, Max, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from acknowledgements.models import Delivery, Notification, OutboxEmail, Reminder
from acknowledgements.notifications import kick_outbox
from circulars.models import Assignment, Circular, IncomingDispatch, Urgency
from circulars.workdays import Calendar, due_soon_until
from core.parsing import MAX_ID
from units.models import Membership, User

K = Reminder.Kind
URGENT = (Urgency.VERY_URGENT, Urgency.FLASH)
STAND_IN = 987654321  # an id no row has, only to be cut out of a reversed address

# Who hears of each stage: the unit's clerks, its heads, or the monitoring office + signer
# (for an assignment: the leader whose instruction it is).
CLERKS, HEADS, MONITORS, LEADER = "clerks", "heads", "monitors", "leader"


@dataclass(frozen=True)
class Stage:
    kind: str
    stage: str
    audience: str


STEPS = {
    "ack": {
        "field": "ack_due_on",
        "owed": [Delivery.Status.SENT],
        "overdue": Delivery.ack_overdue_q,
        "stages": [
            Stage(K.ACK_DUE_SOON, "", CLERKS),
            Stage(K.ACK_OVERDUE, "", CLERKS),
            Stage(K.ACK_ESCALATION, "head", HEADS),
            Stage(K.ACK_ESCALATION, "monitor", MONITORS),
        ],
    },
    "report": {
        "field": "report_due_on",
        "owed": list(Delivery.REPORT_OWED),
        "overdue": Delivery.report_overdue_q,
        "stages": [
            Stage(K.REPORT_DUE_SOON, "", CLERKS),
            Stage(K.REPORT_OVERDUE, "", CLERKS),
            Stage(K.REPORT_ESCALATION, "head", HEADS),
            Stage(K.REPORT_ESCALATION, "monitor", MONITORS),
        ],
    },
}

# An assignment's stages, as a delivery step's, and with the same settings.
ASSIGNMENT_STAGES = [
    Stage(K.ASSIGNMENT_DUE_SOON, "", CLERKS),
    Stage(K.ASSIGNMENT_OVERDUE, "", CLERKS),
    Stage(K.ASSIGNMENT_ESCALATION, "head", HEADS),
    Stage(K.ASSIGNMENT_ESCALATION, "leader", LEADER),
]

TITLES = {
    K.ACK_DUE_SOON: lambda: _("Reminder: acknowledge receipt of the circular before its deadline"),
    K.ACK_OVERDUE: lambda: _("Overdue: your unit has not acknowledged receipt of the circular"),
    K.ACK_ESCALATION: lambda: _("Escalation: receipt of the circular is still not acknowledged"),
    K.REPORT_DUE_SOON: lambda: _("Reminder: the implementation report is due soon"),
    K.REPORT_OVERDUE: lambda: _("Overdue: your unit has not filed its implementation report"),
    K.REPORT_ESCALATION: lambda: _("Escalation: the implementation report is still missing"),
    K.MANUAL: lambda: _("The monitoring office asks your unit to act on the circular now"),
    K.ASSIGNMENT_DUE_SOON: lambda: _("Reminder: the incoming dispatch your unit handles is due soon"),
    K.ASSIGNMENT_OVERDUE: lambda: _("Overdue: your unit has not completed the handling of the incoming dispatch"),
    K.ASSIGNMENT_ESCALATION: lambda: _("Escalation: the handling of the incoming dispatch is overdue"),
}


def _t(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _dt(value):
    return connection.ops.adapt_datetimefield_value(value)


def threshold(cal: Calendar, today: datetime.date, working_days: int) -> datetime.date:
    """The latest due date that is at least ``working_days`` working days late today."""
    day, counted = today, 0
    while True:
        if cal.is_working_day(day):
            counted += 1
            if counted >= working_days:
                return day - datetime.timedelta(days=1)
        day -= datetime.timedelta(days=1)


# A circular may set its own delay; the values a drafter would choose (1 to 10 working
# days) are honoured exactly, each as one more OR in the same query.
PER_CIRCULAR_VALUES = range(1, 11)


def _per_circular(column: str, condition, default: int) -> Q:
    q = Q(**{f"circular__{column}__isnull": True, **condition(default)})
    for days in PER_CIRCULAR_VALUES:
        q |= Q(**{f"circular__{column}": days, **condition(days)})
    return q


def candidates(step: str, index: int, today: datetime.date, cal: Calendar, policy: dict):
    """Deliveries that have reached stage ``index`` of ``step`` today and have not had it
    or any later stage of the step."""
    spec = STEPS[step]
    field = spec["field"]
    stage = spec["stages"][index]
    qs = Delivery.objects.live().filter(status__in=spec["owed"], **{f"{field}__isnull": False})
    if index == 0:
        qs = qs.filter(**{f"{field}__gt": today}).filter(
            _per_circular(
                "remind_before_working_days",
                lambda days: {f"{field}__lte": cal.add_working_days(today, days)},
                policy["before_working_days"],
            )
        )
    elif index == 1:
        qs = qs.filter(spec["overdue"](today))  # the model's rule, as the pages show it
    else:
        key = "head_after_working_days" if stage.stage == "head" else "monitor_after_working_days"
        column = "escalate_head_after_working_days" if stage.stage == "head" else "escalate_monitor_after_working_days"
        qs = qs.filter(_per_circular(column, lambda days: {f"{field}__lte": threshold(cal, today, days)}, policy[key]))
        if stage.audience == MONITORS:
            qs = qs.filter(Q(circular__monitoring_unit__isnull=False) | Q(circular__signer__isnull=False))
    later = spec["stages"][index:]
    already = Q()
    for s in later:
        already |= Q(kind=s.kind, stage=s.stage)
    return qs.exclude(Exists(Reminder.objects.filter(already, delivery=OuterRef("pk"))))


def assignment_candidates(index: int, today: datetime.date, cal: Calendar, policy: dict):
    """Assignments in handling that have reached stage ``index`` today and have not had it
    or any later stage (the rules are ``Assignment``'s, as the pages show them)."""
    stage = ASSIGNMENT_STAGES[index]
    qs = Assignment.objects.in_handling()
    if index == 0:
        qs = qs.due_soon(today, due_soon_until(today, cal))
    elif index == 1:
        qs = qs.overdue(today)
    else:
        key = "head_after_working_days" if stage.stage == "head" else "monitor_after_working_days"
        qs = qs.overdue(today).filter(due_on__lte=threshold(cal, today, policy[key]))
    already = Q()
    for later in ASSIGNMENT_STAGES[index:]:
        already |= Q(kind=later.kind, stage=later.stage)
    return qs.exclude(Exists(Reminder.objects.filter(already, assignment=OuterRef("pk"))))


def _insert_reminders(
    qs,
    *,
    stage: Stage,
    sweep: str,
    now,
    batch: int,
    created_by=None,
    channel=None,
    column: str = "delivery_id",
    urgency: str = "circular__urgency",
) -> int:
    """INSERT … SELECT of up to ``batch`` reminders of the rows of ``qs`` (deliveries, or
    with ``column="assignment_id"`` assignments); returns how many went in."""
    # Aliased columns, so that the derived table's column names are the same on every database.
    sub, params = (
        qs.annotate(rid=F("pk"), rurgency=F(urgency))
        .values("rid", "rurgency")
        .order_by("rid")[:batch]
        .query.sql_with_params()
    )
    urgent = ", ".join(["%s"] * len(URGENT))
    channel_sql = "%s" if channel else f"CASE WHEN q.rurgency IN ({urgent}) THEN %s ELSE %s END"
    channel_params = [channel] if channel else [*URGENT, Reminder.Channel.IMMEDIATE, Reminder.Channel.DIGEST]
    columns = ", ".join(
        connection.ops.quote_name(c)
        for c in (column, "kind", "stage", "channel", "sweep", "created_at", "created_by_id")
    )
    sub_named = f"SELECT s.* FROM ({sub}) s"
    sql = (
        f"INSERT INTO {_t(Reminder)} ({columns}) "
        f"SELECT q.rid, %s, %s, {channel_sql}, %s, %s, %s FROM ({sub_named}) q WHERE 1 = 1 "
        f"ON CONFLICT DO NOTHING"
    )
    created_by_id = created_by.pk if created_by else None
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [stage.kind, stage.stage, *channel_params, sweep, _dt(now), created_by_id, *params],
        )
        return max(cursor.rowcount, 0)


def _titles():
    """The bell titles by kind, in Vietnamese, as an SQL CASE and its parameters."""
    with override("vi"):
        titles = {kind: TITLES[kind]()[:500] for kind in TITLES}
    title_case = "CASE r.kind " + " ".join("WHEN %s THEN %s" for _k in titles) + " END"
    return title_case, [p for kind, title in titles.items() for p in (kind, title)]


def _notify(*, sweep: str, now) -> None:
    """Bell lines for everyone the sweep's reminders address: the unit's clerks, its
    heads, or the monitoring office's members and the signer. Then, for urgent circulars
    and manual chases, one email each through the outbox."""
    r, d, c, m, n = _t(Reminder), _t(Delivery), _t(Circular), _t(Membership), _t(Notification)
    title_case, title_params = _titles()
    cols = "user_id, delivery_id, reminder_id, kind, title, url, created_at"
    clerk_kinds = [K.ACK_DUE_SOON, K.ACK_OVERDUE, K.REPORT_DUE_SOON, K.REPORT_OVERDUE, K.MANUAL]
    in_clerk = ", ".join(["%s"] * len(clerk_kinds))
    base = f"FROM {r} r JOIN {d} d ON d.id = r.delivery_id JOIN {c} c ON c.id = d.circular_id"
    statements = [
        # The unit's clerks for reminders and notices; its heads for the first escalation.
        (
            f"SELECT m.user_id, r.delivery_id, r.id, r.kind, {title_case}, '', %s {base} "
            f"JOIN {m} m ON m.unit_id = d.unit_id "
            f"WHERE r.sweep = %s AND ((r.kind IN ({in_clerk}) AND m.role = 'clerk') "
            f"OR (r.stage = 'head' AND m.role = 'head'))",
            [*title_params, _dt(now), sweep, *clerk_kinds],
        ),
        # The monitoring office's members, then the signer, for the last escalation.
        (
            f"SELECT m.user_id, r.delivery_id, r.id, r.kind, {title_case}, '', %s {base} "
            f"JOIN {m} m ON m.unit_id = c.monitoring_unit_id WHERE r.sweep = %s AND r.stage = 'monitor'",
            [*title_params, _dt(now), sweep],
        ),
        (
            f"SELECT c.signer_id, r.delivery_id, r.id, r.kind, {title_case}, '', %s {base} "
            f"WHERE r.sweep = %s AND r.stage = 'monitor' AND c.signer_id IS NOT NULL AND NOT EXISTS "
            f"(SELECT 1 FROM {m} m2 WHERE m2.unit_id = c.monitoring_unit_id AND m2.user_id = c.signer_id)",
            [*title_params, _dt(now), sweep],
        ),
    ]
    with connection.cursor() as cursor:
        for select, params in statements:
            cursor.execute(f"INSERT INTO {n} ({cols}) {select}", params)
    _queue_emails(sweep=sweep, now=now)


def _notify_assignments(*, sweep: str, now) -> None:
    """Bell lines for everyone the sweep's assignment reminders address: the unit's
    clerks, its heads, or the leader whose instruction it is; each line names the dispatch
    and opens the assignment. Then, for urgent dispatches, one email each."""
    r, a, d, m, n = _t(Reminder), _t(Assignment), _t(IncomingDispatch), _t(Membership), _t(Notification)
    title_case, title_params = _titles()
    # "<title>: 2980/STTTT-TTra" (number alone without a notation), cut to the column's length.
    reference = "d.number || CASE WHEN d.notation <> '' THEN '/' || d.notation ELSE '' END"
    title = f"SUBSTR({title_case} || ': ' || {reference}, 1, 500)"
    # The assignment page's address around the id, reversed once.
    prefix, suffix = reverse("assignment-detail", args=[STAND_IN]).split(str(STAND_IN))
    url = "%s || CAST(a.id AS TEXT) || %s"
    cols = "user_id, assignment_id, reminder_id, kind, title, url, created_at"
    base = f"FROM {r} r JOIN {a} a ON a.id = r.assignment_id JOIN {d} d ON d.id = a.dispatch_id"
    clerk_kinds = [K.ASSIGNMENT_DUE_SOON, K.ASSIGNMENT_OVERDUE]
    statements = [
        # The unit's clerks for the reminder and the notice; its heads for the first escalation.
        (
            f"SELECT m.user_id, r.assignment_id, r.id, r.kind, {title}, {url}, %s {base} "
            f"JOIN {m} m ON m.unit_id = a.unit_id "
            f"WHERE r.sweep = %s AND ((r.kind IN (%s, %s) AND m.role = 'clerk') "
            f"OR (r.stage = 'head' AND m.role = 'head'))",
            [*title_params, prefix, suffix, _dt(now), sweep, *clerk_kinds],
        ),
        # The leader who gave the instruction, for the last escalation.
        (
            f"SELECT a.leader_id, r.assignment_id, r.id, r.kind, {title}, {url}, %s {base} "
            f"WHERE r.sweep = %s AND r.stage = 'leader'",
            [*title_params, prefix, suffix, _dt(now), sweep],
        ),
    ]
    with connection.cursor() as cursor:
        for select, params in statements:
            cursor.execute(f"INSERT INTO {n} ({cols}) {select}", params)
    _queue_emails(sweep=sweep, now=now)


def _queue_emails(*, sweep: str, now) -> None:
    """One email through the outbox per bell line of the sweep's reminders that go at once
    (``reminder`` about a delivery, ``assignment_reminder`` about an assignment), to the
    active people with an address; those reminders are then sent."""
    r, n, u = _t(Reminder), _t(Notification), _t(User)
    key = "'reminder:' || CAST(r.id AS TEXT) || ':' || CAST(usr.id AS TEXT)"
    outbox_cols = ", ".join(
        connection.ops.quote_name(col)
        for col in (
            "kind",
            "user_id",
            "to",
            "delivery_id",
            "assignment_id",
            "reminder_id",
            "key",
            "subject",
            "status",
            "created_at",
            "next_attempt_at",
            "attempts",
            "last_error",
        )
    )
    kind = "CASE WHEN r.assignment_id IS NULL THEN 'reminder' ELSE 'assignment_reminder' END"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_t(OutboxEmail)} ({outbox_cols}) "
            f"SELECT {kind}, usr.id, usr.email, r.delivery_id, r.assignment_id, r.id, {key}, '', %s, %s, %s, 0, '' "
            f"FROM {n} nn JOIN {r} r ON r.id = nn.reminder_id JOIN {u} usr ON usr.id = nn.user_id "
            f"WHERE r.sweep = %s AND r.channel = %s AND usr.is_active = %s AND usr.email <> '' "
            f"ON CONFLICT DO NOTHING",
            [OutboxEmail.Status.PENDING, _dt(now), _dt(now), sweep, Reminder.Channel.IMMEDIATE, True],
        )
        queued = cursor.rowcount
        cursor.execute(
            f"UPDATE {r} SET sent_at = %s WHERE sweep = %s AND channel = %s",
            [_dt(now), sweep, Reminder.Channel.IMMEDIATE],
        )
    if queued:
        transaction.on_commit(kick_outbox)


@dataclass
class SweepResult:
    sweep: str
    queued: dict

    @property
    def total(self) -> int:
        return sum(self.queued.values())


def plan(at: datetime.datetime | None = None) -> dict[str, int]:
    """How many reminders of each kind a sweep at ``at`` would queue (for --dry-run)."""
    at = at or timezone.now()
    today = timezone.localdate(at)
    cal = Calendar.load(today - datetime.timedelta(days=400), today + datetime.timedelta(days=60))
    out = {}
    for step, spec in STEPS.items():
        planned: set[int] = set()
        for index in reversed(range(len(spec["stages"]))):
            stage = spec["stages"][index]
            ids = set(candidates(step, index, today, cal, settings.REMINDERS).values_list("pk", flat=True)) - planned
            planned |= ids
            if ids:
                out[_label(stage)] = len(ids)
    planned = set()
    for index in reversed(range(len(ASSIGNMENT_STAGES))):
        ids = set(assignment_candidates(index, today, cal, settings.REMINDERS).values_list("pk", flat=True)) - planned
        planned |= ids
        if ids:
            out[_label(ASSIGNMENT_STAGES[index])] = len(ids)
    return out


def _label(stage: Stage) -> str:
    return f"{stage.kind}:{stage.stage}" if stage.stage else stage.kind


def sweep(at: datetime.datetime | None = None, *, batch: int | None = None) -> SweepResult:
    """One sweep as of ``at`` (default now). Stages are visited latest first, so a
    delivery that has reached an escalation never gets the earlier notices late."""
    at = at or timezone.now()
    today = timezone.localdate(at)
    policy = settings.REMINDERS
    batch = batch or policy["batch_size"]
    cal = Calendar.load(today - datetime.timedelta(days=400), today + datetime.timedelta(days=60))
    result = SweepResult(sweep=uuid.uuid4().hex, queued={})
    for step, spec in STEPS.items():
        for index in reversed(range(len(spec["stages"]))):
            stage = spec["stages"][index]
            after = 0  # keyset: each batch starts past the last delivery of the one before
            while True:
                with transaction.atomic():
                    added = _insert_reminders(
                        candidates(step, index, today, cal, policy).filter(pk__gt=after),
                        stage=stage,
                        sweep=result.sweep,
                        now=at,
                        batch=batch,
                    )
                    if added:
                        _notify(sweep=result.sweep, now=at)
                        mine = Reminder.objects.filter(sweep=result.sweep)
                        after = mine.aggregate(last=Max("delivery_id"))["last"]
                        # Rows of this batch are done; the next batch gets a fresh mark.
                        mine.update(sweep=f"{result.sweep[:24]}-done")
                if added:
                    label = _label(stage)
                    result.queued[label] = result.queued.get(label, 0) + added
                if added < batch:
                    break
    for index in reversed(range(len(ASSIGNMENT_STAGES))):
        added = _chase_assignments(index, today, cal, policy, sweep=result.sweep, at=at, batch=batch)
        if added:
            result.queued[_label(ASSIGNMENT_STAGES[index])] = added
    return result


def _chase_assignments(index: int, today, cal, policy, *, sweep: str, at, batch: int) -> int:
    """Stage ``index`` for every assignment that has reached it, ``batch`` at a time: in
    one transaction per batch, lock the candidates (skipping any a handling step or another
    sweep holds), then decide again on the locked rows (a step that committed meanwhile is
    seen) while inserting their reminders, bell lines and emails."""
    stage = ASSIGNMENT_STAGES[index]
    skip_locked = connection.features.has_select_for_update_skip_locked
    after, total = 0, 0  # keyset, as for deliveries
    while True:
        with transaction.atomic():
            ids = list(
                assignment_candidates(index, today, cal, policy)
                .filter(pk__gt=after)
                .select_for_update(skip_locked=skip_locked, of=("self",))
                .order_by("pk")
                .values_list("pk", flat=True)[:batch]
            )
            added = 0
            if ids:
                added = _insert_reminders(
                    assignment_candidates(index, today, cal, policy).filter(pk__in=ids),
                    stage=stage,
                    sweep=sweep,
                    now=at,
                    batch=len(ids),
                    column="assignment_id",
                    urgency="dispatch__urgency",
                )
                if added:
                    _notify_assignments(sweep=sweep, now=at)
                    Reminder.objects.filter(sweep=sweep).update(sweep=f"{sweep[:24]}-done")
                after = ids[-1]
        total += added
        if len(ids) < batch:
            return total


def chase_now(*, circular: Circular, unit_ids: list[int], by, at: datetime.datetime | None = None) -> int:
    """The monitoring office chases chosen units now, by email at once, through the same
    outbox. Each unit at most once per circular every REMINDERS['manual_every_hours']."""
    at = at or timezone.now()
    # An id no row can have (10^30 from a form) names no unit; in the query it would be
    # an OverflowError on SQLite.
    unit_ids = [pk for pk in unit_ids if 0 < pk <= MAX_ID]
    every = datetime.timedelta(hours=settings.REMINDERS["manual_every_hours"])
    recent = Reminder.objects.filter(delivery=OuterRef("pk"), kind=K.MANUAL, created_at__gt=at - every)
    stage = Stage(K.MANUAL, at.strftime("%Y%m%dT%H%M%S.%f"), CLERKS)
    sweep_id = uuid.uuid4().hex
    with transaction.atomic():
        # Lock the deliveries so that two monitors clicking at once chase each unit once,
        # in the order every step locks: the circular first (a recall locks it, then its
        # deliveries), then the deliveries only (``of``: not the circular again, through
        # the join of ``live()``), so a chase and a recall never wait for each other.
        Circular.objects.select_for_update().filter(pk=circular.pk).values_list("pk", flat=True).get()
        qs = (
            Delivery.objects.live()
            .select_for_update(of=("self",))
            .filter(circular=circular, unit_id__in=unit_ids)
            .filter(status__in=Delivery.REPORT_OWED)
        )
        ids = list(qs.values_list("pk", flat=True))
        if not ids:
            return 0  # none of the chosen units owes anything
        targets = Delivery.objects.filter(pk__in=ids).exclude(Exists(recent))
        added = _insert_reminders(
            targets,
            stage=stage,
            sweep=sweep_id,
            now=at,
            batch=len(ids) or 1,
            created_by=by,
            channel=Reminder.Channel.IMMEDIATE,
        )
        if added:
            _notify(sweep=sweep_id, now=at)
            Reminder.objects.filter(sweep=sweep_id).update(sweep=f"{sweep_id[:24]}-done")
    return added


def send_digests(at: datetime.datetime | None = None) -> int:
    """At most one digest email per person per day, listing what their units owe. Only
    people with reminders waiting for the digest get one."""
    at = at or timezone.now()
    today = timezone.localdate(at)
    with transaction.atomic():
        waiting = Reminder.objects.select_for_update(skip_locked=connection.features.has_select_for_update_skip_locked)
        waiting = waiting.filter(channel=Reminder.Channel.DIGEST, sent_at__isnull=True)
        ids = list(waiting.values_list("pk", flat=True))
        if not ids:
            return 0
        users = (
            User.objects.filter(notifications__reminder__in=ids, is_active=True)
            .exclude(email="")
            .distinct()
            .values_list("pk", "email")
        )
        rows = [
            OutboxEmail(kind="digest", user_id=pk, to=email, key=f"digest:{pk}:{today.isoformat()}", created_at=at)
            for pk, email in users
        ]
        OutboxEmail.objects.bulk_create(rows, ignore_conflicts=True)
        Reminder.objects.filter(pk__in=ids).update(sent_at=at)
        if rows:
            transaction.on_commit(kick_outbox)
    return len(rows)
