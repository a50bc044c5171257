"""Each hot path beside its floor, in the same run, through the same connection.

A floor is the plain SQL that returns the same rows or numbers; for a page or an endpoint
it is that SQL plus the framework's own cost, measured the same way: a request to
``/healthz`` through the same ``django.test.Client`` with the same logged-in user. Every
path gets one warm-up run (not timed; its queries are counted with
``CaptureQueriesContext``) and then ``runs`` timed runs, path and floor alternating which
goes first.
"""

# ruff: noqa: S608 - only table and column names from the models' metadata are interpolated

import dataclasses
import datetime
import os
import statistics
import time
import tracemalloc
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from weasyprint import HTML

from acknowledgements import services
from acknowledgements.models import Delivery, Notification, OutboxEmail, Reminder
from acknowledgements.views import INBOX_PAGE_SIZE
from chasing import sweep
from circulars import services as circular_services
from circulars.models import Circular
from circulars.pdf import StaticOnlyURLFetcher, static_dir
from circulars.workdays import Calendar, due_date
from dashboard import compliance
from dashboard.views import UNITS_PAGE_SIZE
from units.models import Membership, Unit, UnitGroup, User

S = Delivery.Status


def _t(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


@dataclasses.dataclass
class Row:
    """One line of the table."""

    path: str
    times: list[float] = dataclasses.field(default_factory=list)  # seconds
    floors: list[float] = dataclasses.field(default_factory=list)
    queries: int | str | None = None
    goal: str = ""
    met: bool | None = None
    note: str = ""
    # HTTP load rows: requests, req/s and latency percentiles instead of runs.
    requests: int | None = None
    rps: float | None = None
    p50: float | None = None
    p95: float | None = None
    floor_p50: float | None = None

    @property
    def n(self) -> int:
        return self.requests if self.requests is not None else len(self.times)

    @property
    def median(self) -> float | None:
        if self.p50 is not None:
            return self.p50
        return statistics.median(self.times) if self.times else None

    @property
    def spread(self) -> tuple[float, float] | None:
        return (min(self.times), max(self.times)) if self.times else None

    @property
    def floor(self) -> float | None:
        if self.floor_p50 is not None:
            return self.floor_p50
        return statistics.median(self.floors) if self.floors else None

    @property
    def ratio(self) -> float | None:
        if self.median is None or not self.floor:
            return None
        return self.median / self.floor


def timed(fn: Callable, *args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - started, result


def counted(fn: Callable, *args, **kwargs) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        result = fn(*args, **kwargs)
    return len(captured), result


def side_by_side(path: Callable, floor: Callable, runs: int) -> tuple[list[float], list[float]]:
    """``runs`` timings of each, alternating which goes first."""
    times, floors = [], []
    for run in range(runs):
        if run % 2:
            floors.append(floor())
            times.append(timed(path)[0])
        else:
            times.append(timed(path)[0])
            floors.append(floor())
    return times, floors


def _sql(statement: str, params=()) -> Callable[[], float]:
    """A floor: run the statement through the default connection, fetch every row."""

    def run() -> float:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            cursor.fetchall()
        return time.perf_counter() - started

    return run


def _plus(*floors: Callable[[], float]) -> Callable[[], float]:
    return lambda: sum(f() for f in floors)


# --- The people and things measured ------------------------------------------------------


@dataclasses.dataclass
class Context:
    records_clerk: User
    drafter: User
    signer: User
    monitor: User
    inbox_user: User  # the clerk of the unit that received every circular
    small_inbox_user: User  # the clerk of a unit with few deliveries
    big_circular: Circular  # a seeded circular addressed to every unit
    small_circular: Circular  # the seeded circular with the fewest units
    all_units: UnitGroup
    some_units: UnitGroup  # the departments: a small group for the query-count check
    today: datetime.date  # the dataset's day (the league's and the sweep's)
    at: datetime.datetime  # the sweep's moment

    @classmethod
    def load(cls, seeded) -> "Context":
        by_name = {
            u.username: u for u in User.objects.filter(username__in=["vanthu", "chuyenvien", "lanhdao", "giamsat"])
        }
        counts = (
            Delivery.objects.filter(circular_id__lte=seeded.counts["circulars"])
            .values("circular_id")
            .annotate(n=Count("id"))
            .order_by("-n", "circular_id")
        )
        big = counts.first()["circular_id"]
        small = counts.last()["circular_id"]
        per_unit = Delivery.objects.values("unit_id").annotate(n=Count("id")).order_by("-n", "unit_id")
        inbox_unit, small_unit = per_unit.first()["unit_id"], per_unit.last()["unit_id"]

        def clerk(unit_id):
            # The seeding names each unit's clerk after the unit's code.
            return User.objects.get(username=Unit.objects.get(pk=unit_id).code)

        return cls(
            records_clerk=by_name["vanthu"],
            drafter=by_name["chuyenvien"],
            signer=by_name["lanhdao"],
            monitor=by_name["giamsat"],
            inbox_user=clerk(inbox_unit),
            small_inbox_user=clerk(small_unit),
            big_circular=Circular.objects.get(pk=big),
            small_circular=Circular.objects.get(pk=small),
            all_units=UnitGroup.objects.get(code="tat-ca-don-vi"),
            some_units=UnitGroup.objects.get(code="cac-so-nganh"),
            today=seeded.anchor,
            at=seeded.now + datetime.timedelta(hours=9),
        )


def client_for(user: User) -> Client:
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return client


def _get(client: Client, url: str):
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    return response


# --- Floors in plain SQL ---------------------------------------------------------------------


def compliance_sql(circular_id: int, on: datetime.date) -> tuple[str, list]:
    """The aggregate of ``compliance.compliance``: one pass over the circular's deliveries."""
    return (
        f"SELECT count(*), count(*) FILTER (WHERE acknowledged_at IS NOT NULL), "
        f"count(*) FILTER (WHERE reported_at IS NOT NULL), count(*) FILTER (WHERE status = 'accepted'), "
        f"count(*) FILTER (WHERE status = 'returned'), count(*) FILTER (WHERE status = 'refused'), "
        f"count(*) FILTER (WHERE status = 'sent' AND ack_due_on < %(on)s), "
        f"count(*) FILTER (WHERE status IN ('sent', 'acknowledged', 'returned') AND report_due_on < %(on)s), "
        f"count(*) FILTER (WHERE status <> 'refused' AND ack_delay_days = 0), "
        f"count(*) FILTER (WHERE status <> 'refused' AND (acknowledged_at IS NOT NULL OR ack_due_on < %(on)s)), "
        f"count(*) FILTER (WHERE status <> 'refused' AND report_delay_days = 0), "
        f"count(*) FILTER (WHERE status <> 'refused' AND (reported_at IS NOT NULL OR report_due_on < %(on)s)) "
        f"FROM {_t(Delivery)} WHERE circular_id = %(circular)s",
        {"on": on, "circular": circular_id},
    )


def unit_rows_sql(circular_id: int, page_size: int) -> tuple[str, dict]:
    """The first page of the circular's unit table: the page's deliveries with their unit,
    then the reminder figures of those rows only."""
    unit_columns = ", ".join(
        f"u.{c}" for c in ("code", "name", "short_name", "kind", "parent_id", "email", "place_name")
    )
    return (
        f"SELECT p.*, r.n, r.last FROM (SELECT d.*, {unit_columns}, u.active, u.sort_order "
        f"FROM {_t(Delivery)} d JOIN {_t(Unit)} u ON u.id = d.unit_id WHERE d.circular_id = %(circular)s "
        f"ORDER BY u.sort_order, u.name, d.id LIMIT %(limit)s) p "
        f"LEFT JOIN LATERAL (SELECT count(*) AS n, max(created_at) AS last FROM {_t(Reminder)} "
        f"WHERE delivery_id = p.id) r ON true ORDER BY p.sort_order, p.name, p.id",
        {"circular": circular_id, "limit": page_size},
    )


def unit_rows_orm_shape_sql(circular_id: int, page_size: int) -> tuple[str, dict]:
    """The same rows in the shape of the ORM's query: every delivery joined to its
    reminders and grouped, then sorted and cut (for the note, not the floor)."""
    return (
        f"SELECT d.*, u.*, count(r.id), max(r.created_at) FROM {_t(Delivery)} d "
        f"JOIN {_t(Unit)} u ON u.id = d.unit_id LEFT JOIN {_t(Reminder)} r ON r.delivery_id = d.id "
        f"WHERE d.circular_id = %(circular)s GROUP BY d.id, u.id ORDER BY u.sort_order, u.name, d.id "
        f"LIMIT %(limit)s",
        {"circular": circular_id, "limit": page_size},
    )


def inbox_sql(user_id: int, page_size: int) -> tuple[str, dict]:
    """The first page of a user's inbox: the newest deliveries of their units, then their
    circular and unit."""
    return (
        f"SELECT d.*, c.*, u.* FROM (SELECT * FROM {_t(Delivery)} "
        f"WHERE unit_id IN (SELECT unit_id FROM {_t(Membership)} WHERE user_id = %(user)s) "
        f"ORDER BY sent_at DESC, id DESC LIMIT %(limit)s) d "
        f"JOIN {_t(Circular)} c ON c.id = d.circular_id JOIN {_t(Unit)} u ON u.id = d.unit_id "
        f"ORDER BY d.sent_at DESC, d.id DESC",
        {"user": user_id, "limit": page_size},
    )


def inbox_orm_shape_sql(user_id: int, page_size: int) -> tuple[str, dict]:
    """The same rows in the shape of the ORM's query: every delivery of the units joined
    to its circular, then sorted and cut (for the note, not the floor)."""
    return (
        f"SELECT d.*, c.*, u.* FROM {_t(Delivery)} d JOIN {_t(Circular)} c ON c.id = d.circular_id "
        f"JOIN {_t(Unit)} u ON u.id = d.unit_id "
        f"WHERE d.unit_id IN (SELECT unit_id FROM {_t(Membership)} WHERE user_id = %(user)s) "
        f"ORDER BY d.sent_at DESC, d.id DESC LIMIT %(limit)s",
        {"user": user_id, "limit": page_size},
    )


def league_sql(start: datetime.date, end: datetime.date, on: datetime.date) -> tuple[str, dict]:
    """The units league table's GROUP BY over every delivery of the circulars of the year."""
    owed = "('sent', 'acknowledged', 'returned')"
    still_owed = "d.status NOT IN ('recalled', 'replaced')"  # closed deliveries owe nothing
    return (
        f"SELECT d.unit_id, u.code, u.name, count(*), "
        f"count(*) FILTER (WHERE d.status <> 'refused' AND d.ack_delay_days = 0), "
        f"count(*) FILTER (WHERE d.status <> 'refused' "
        f"AND (d.acknowledged_at IS NOT NULL OR ({still_owed} AND d.ack_due_on < %(on)s))), "
        f"count(*) FILTER (WHERE d.status <> 'refused' AND d.report_delay_days = 0), "
        f"count(*) FILTER (WHERE d.status <> 'refused' "
        f"AND (d.reported_at IS NOT NULL OR ({still_owed} AND d.report_due_on < %(on)s))), "
        f"count(*) FILTER (WHERE (d.status = 'sent' AND d.ack_due_on < %(on)s) "
        f"OR (d.status IN {owed} AND d.report_due_on < %(on)s)), "
        f"coalesce(sum(d.ack_delay_days), 0) + coalesce(sum(d.report_delay_days), 0), "
        f"count(d.ack_delay_days) + count(d.report_delay_days) "
        f"FROM {_t(Delivery)} d JOIN {_t(Circular)} c ON c.id = d.circular_id JOIN {_t(Unit)} u ON u.id = d.unit_id "
        f"WHERE c.issued_on BETWEEN %(start)s AND %(end)s AND c.status <> 'withdrawn' "
        f"GROUP BY d.unit_id, u.code, u.name",
        {"start": start, "end": end, "on": on},
    )


def due_sql(today: datetime.date, policy: dict) -> tuple[str, dict]:
    """What a sweep at ``today`` has to chase: every (delivery, step) still owed whose
    deadline reached a stage (due soon, overdue, escalated to the head, to the monitoring
    office) that it has not been chased at, nor at a later one. The default policy (the
    seeded circulars set none of their own)."""
    cal = Calendar.load(today - datetime.timedelta(days=400), today + datetime.timedelta(days=60))
    params = {
        "today": today,
        "soon": cal.add_working_days(today, policy["before_working_days"]),
        "head": sweep.threshold(cal, today, policy["head_after_working_days"]),
        "monitor": sweep.threshold(cal, today, policy["monitor_after_working_days"]),
    }
    selects = []
    for step, spec in sweep.STEPS.items():
        field = spec["field"]
        owed = ", ".join(f"'{s}'" for s in spec["owed"])
        rank = " ".join(
            f"WHEN r.kind = '{s.kind}' AND r.stage = '{s.stage}' THEN {i}" for i, s in enumerate(spec["stages"])
        )
        selects.append(
            f"SELECT q.id, '{step}' AS step, q.stage FROM ("
            f" SELECT d.id, CASE WHEN d.{field} > %(today)s THEN 0 WHEN d.{field} <= %(monitor)s THEN 3"
            f" WHEN d.{field} <= %(head)s THEN 2 ELSE 1 END AS stage"
            f" FROM {_t(Delivery)} d JOIN {_t(Circular)} c ON c.id = d.circular_id"
            f" WHERE c.status <> 'withdrawn' AND d.status IN ({owed}) AND d.{field} IS NOT NULL"
            f" AND d.{field} <> %(today)s AND d.{field} <= %(soon)s) q"
            f" WHERE NOT EXISTS (SELECT 1 FROM {_t(Reminder)} r WHERE r.delivery_id = q.id"
            f" AND (CASE {rank} END) >= q.stage)"
        )
    return " UNION ALL ".join(selects), params


# --- The paths ---------------------------------------------------------------------------------


def measure_league(ctx: Context, runs: int) -> Row:
    start, end = ctx.today - datetime.timedelta(days=365), ctx.today
    row = Row("units league table, a year (compliance.league)", goal="≤ 1.5× GROUP BY")
    statement, params = league_sql(start, end, ctx.today)
    floor = _sql(statement, params)
    row.queries, rows = counted(compliance.league, start, end, on=ctx.today)
    floor()
    row.times, row.floors = side_by_side(lambda: compliance.league(start, end, on=ctx.today), floor, runs)
    row.met = row.ratio <= 1.5
    row.note = f"{len(rows):,} units; floor: the GROUP BY alone"
    return row


def measure_pages(ctx: Context, runs: int) -> list[Row]:
    monitor, clerk = client_for(ctx.monitor), client_for(ctx.inbox_user)
    small_clerk = client_for(ctx.small_inbox_user)
    on = timezone.localdate()  # the pages count overdue as of the real day
    big, small = ctx.big_circular, ctx.small_circular
    n_big = big.deliveries.count()
    n_small = small.deliveries.count()
    n_inbox = Delivery.objects.for_units_of(ctx.inbox_user).count()
    n_small_inbox = Delivery.objects.for_units_of(ctx.small_inbox_user).count()
    cases = [
        (
            f"monitoring page /circulars/<id>/deliveries/ ({n_big:,} units)",
            monitor,
            reverse("circular-deliveries", args=[big.pk]),
            reverse("circular-deliveries", args=[small.pk]),
            monitor,
            [compliance_sql(big.pk, on), unit_rows_sql(big.pk, UNITS_PAGE_SIZE)],
            [unit_rows_orm_shape_sql(big.pk, UNITS_PAGE_SIZE)],
            "a seeded circular of every unit, six weeks into its life (a freshly distributed one, every "
            "delivery 'sent' and no history, would flatter the page); as its monitoring office; "
            "floor: /healthz + the aggregate + the first page of rows",
            f"a circular of {n_small:,} units",
        ),
        (
            f"compliance endpoint /api/v1/circulars/<id>/compliance ({n_big:,} units)",
            monitor,
            reverse("api-circular-compliance", args=[big.pk]),
            reverse("api-circular-compliance", args=[small.pk]),
            monitor,
            [compliance_sql(big.pk, on)],
            [],
            "floor: /healthz + the aggregate",
            f"a circular of {n_small:,} units",
        ),
        (
            f"inbox page /inbox/ ({n_inbox:,} deliveries)",
            clerk,
            reverse("inbox"),
            reverse("inbox"),
            small_clerk,
            [inbox_sql(ctx.inbox_user.pk, INBOX_PAGE_SIZE)],
            [inbox_orm_shape_sql(ctx.inbox_user.pk, INBOX_PAGE_SIZE)],
            "floor: /healthz + the first page of rows",
            f"an inbox of {n_small_inbox:,} deliveries",
        ),
    ]

    # The monitoring page keeps its progress chart's days in the cache, keyed by the
    # figures it counts anyway: a page read again while no unit has acted reads them from
    # there. Its cold read (a unit acted since) is measured too, forgetting them each time.
    def forget_progress(circular=big):
        cache.delete(compliance.circular_figures(circular, on=on).progress_key(circular))

    cold = {cases[0][0]: forget_progress}
    rows = []
    for label, client, url, small_url, small_client, statements, shapes, note, small_n in cases:
        row = Row(label, goal="≤ 3× floor, < 200 ms")
        # Both pages read once first: the query counts compare two pages read again.
        _get(client, url)
        _get(small_client, small_url)
        row.queries, _response = counted(_get, client, url)
        small_queries, _response = counted(_get, small_client, small_url)
        health_count, _response = counted(_get, client, "/healthz")
        sql_floors = [_sql(s, p) for s, p in statements]
        parts = {"healthz": [], "sql": []}

        def floor(client=client, sql_floors=sql_floors, parts=parts) -> float:
            health = timed(_get, client, "/healthz")[0]
            sql = sum(f() for f in sql_floors)
            parts["healthz"].append(health)
            parts["sql"].append(sql)
            return health + sql

        floor()
        parts["healthz"].clear()
        parts["sql"].clear()
        row.times, row.floors = side_by_side(lambda c=client, u=url: _get(c, u), floor, runs)
        same = small_queries == row.queries
        row.met = row.ratio <= 3 and row.median < 0.2 and same
        shape = ""
        if shapes:
            shape_floor = _plus(*(_sql(s, p) for s, p in shapes))
            shape = (
                f" (the first page in the shape of the ORM's query, joined and sorted before it is cut: "
                f"{statistics.median(shape_floor() for _ in range(runs)) * 1e3:.1f} ms)"
            )
        row.note = (
            f"{note}: /healthz {statistics.median(parts['healthz']) * 1e3:.1f} ms ({health_count} queries) + SQL "
            f"{statistics.median(parts['sql']) * 1e3:.1f} ms{shape}; for {small_n} the page "
            + (f"takes the same {small_queries} queries" if same else f"takes {small_queries} queries ✗")
        )
        if label in cold:
            cold_times = []
            for _ in range(runs):
                cold[label]()
                cold_times.append(timed(_get, client, url)[0])
            row.note += (
                f"; read again while no unit has acted (the progress chart's days from the cache; the median "
                f"above), a cold read (a unit acted since) takes {statistics.median(cold_times) * 1e3:.1f} ms and "
                f"one query more"
            )
        rows.append(row)
    return rows


def _rss_kib(field: str) -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak_rss() -> bool:
    """Reset the kernel's high-water mark of this process (Linux ≥ 4.0)."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as f:
            f.write("5")
    except OSError:
        return False
    return True


def _vacuum(*models) -> None:
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"VACUUM {_t(model)}")


def measure_sweep(ctx: Context, runs: int) -> Row:
    """One sweep over every delivery, rolled back after each run so that every run finds
    the same work (its per-batch transactions become savepoints of the rolled-back one)."""
    statement, params = due_sql(ctx.today, settings.REMINDERS)
    floor = _sql(statement, params)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({statement}) due", params)
        due = cursor.fetchone()[0]
    deliveries = Delivery.objects.count()

    def sweep_rolled_back():
        with transaction.atomic():
            result = sweep.sweep(ctx.at)
            transaction.set_rollback(True)
        return result

    # The warm-up run measures memory: Python's allocations (tracemalloc) and the
    # process's peak resident set (VmHWM, reset through /proc/self/clear_refs).
    base_rss = _rss_kib("VmRSS")
    rss_ok = _reset_peak_rss()
    tracemalloc.start()
    result = sweep_rolled_back()
    _size, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    peak_rss = max(0, (_rss_kib("VmHWM") or 0) - base_rss) if rss_ok and base_rss else None
    _vacuum(Reminder, Notification, OutboxEmail)
    row = Row(f"chase sweep over {deliveries:,} deliveries (sweep.sweep)")
    times, floors = [], []
    for run in range(runs):
        if run == 0:
            with CaptureQueriesContext(connection) as captured:
                seconds, result = timed(sweep_rolled_back)
            row.queries = len(captured)
        else:
            seconds, result = timed(sweep_rolled_back)
        times.append(seconds)
        floors.append(floor())
        _vacuum(Reminder, Notification, OutboxEmail)
    row.times, row.floors = times, floors
    memory = peak_rss * 1024 if peak_rss is not None else traced_peak
    row.goal = "< 60 s, peak memory < 300 MB"
    row.met = row.median < 60 and memory < 300 * 1024 * 1024 and result.total == due
    which = "peak RSS delta (VmHWM after clear_refs)" if peak_rss is not None else "tracemalloc peak"
    row.note = (
        f"{due:,} steps due ({due / max(deliveries, 1):.1%} of deliveries), the sweep queued {result.total:,}"
        + ("" if result.total == due else " ✗ (differs from the floor's count)")
        + f"; memory: {which} {memory / 1e6:.1f} MB, tracemalloc peak {traced_peak / 1e6:.1f} MB "
        + "(this process; PostgreSQL's own memory is not counted)"
        + f"; {row.queries} queries (they grow with the batches: {settings.REMINDERS['batch_size']:,} rows each)"
        + "; floor: the SELECT of what is due; rolled back after each run"
    )
    row.queries = f"{row.queries}*"
    return row


def _approved_circular(ctx: Context, group: UnitGroup, n: int) -> Circular:
    draft = circular_services.create_draft(
        by=ctx.drafter,
        data={
            "subject": f"V/v đo hiệu năng phát hành (lần {n})",
            "body": "Đề nghị các đơn vị triển khai.\n\n- Thông báo đến cán bộ\n- Lưu bằng chứng",
            "signer": ctx.signer,
            "signer_title": "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH",
            "copy_to": ["Như trên;", "Lưu: VT."],
            "monitoring_unit": ctx.big_circular.monitoring_unit,
            "report_due_on": timezone.localdate() + datetime.timedelta(days=30),
        },
        recipient_groups=[group],
        action_items=["Thông báo đến toàn thể cán bộ", "Lưu lại bằng chứng"],
    )
    circular_services.submit(circular=draft, by=ctx.drafter)
    return circular_services.approve(circular=draft, by=ctx.signer)


def one_line_pdf() -> float:
    """WeasyPrint laying out one line, as circulars.pdf.render_pdf does (same base URL
    and fetcher)."""
    started = time.perf_counter()
    root = static_dir()
    HTML(string="<p>Một dòng.</p>", base_url=f"{root}/", url_fetcher=StaticOnlyURLFetcher(root)).write_pdf()
    return time.perf_counter() - started


def insert_select_floor(circular: Circular, group: UnitGroup) -> float:
    """One INSERT … SELECT of the circular's deliveries, rolled back."""
    started = time.perf_counter()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {_t(Delivery)} (circular_id, unit_id, status, sent_at, ack_due_on, report_due_on, "
                f"refuse_reason) SELECT %s, gu.unit_id, 'sent', now(), %s, %s, '' "
                f"FROM {_t(UnitGroup.units.through)} gu JOIN {_t(Unit)} u ON u.id = gu.unit_id "
                f"WHERE gu.unitgroup_id = %s AND u.active",
                [
                    circular.pk,
                    due_date(circular.issued_on, circular.ack_due_working_days),
                    circular.report_due_on,
                    group.pk,
                ],
            )
        transaction.set_rollback(True)
    return time.perf_counter() - started


def measure_issue_and_distribute(ctx: Context, runs: int) -> list[Row]:
    """Per run, a fresh circular addressed to the group of every unit: issued (its PDF
    rendered) and distributed; both committed, as in the portal."""
    n_units = ctx.all_units.units.filter(active=True).count()
    issue = Row("issue one circular with its PDF (circulars.services.issue)", goal="—")
    distribute = Row(f"distribute one circular to {n_units:,} units (services.distribute)", goal="< 1 s")
    # Warm-up: the query counts, for every unit and for a small group.
    circular = _approved_circular(ctx, ctx.all_units, 0)
    one_line_pdf()
    issue.queries, circular = counted(circular_services.issue, circular=circular, by=ctx.records_clerk)
    distribute.queries, _total = counted(services.distribute, circular=circular, by=ctx.records_clerk)
    small = _approved_circular(ctx, ctx.some_units, 0)
    small = circular_services.issue(circular=small, by=ctx.records_clerk)
    n_small = ctx.some_units.units.count()
    small_queries, _total = counted(services.distribute, circular=small, by=ctx.records_clerk)
    for run in range(1, runs + 1):
        circular = _approved_circular(ctx, ctx.all_units, run)
        pdf_floor = one_line_pdf()
        seconds, circular = timed(circular_services.issue, circular=circular, by=ctx.records_clerk)
        issue.times.append(seconds)
        issue.floors.append(pdf_floor)
        floor = insert_select_floor(circular, ctx.all_units)
        seconds, total = timed(services.distribute, circular=circular, by=ctx.records_clerk)
        if total != n_units:
            raise RuntimeError(f"distribute made {total} deliveries, expected {n_units}")
        distribute.times.append(seconds)
        distribute.floors.append(floor)
    same = small_queries == distribute.queries
    distribute.met = distribute.median < 1 and same
    members = Membership.objects.filter(unit__groups=ctx.all_units).count()
    distribute.note = (
        f"writes {n_units:,} deliveries and events, {members:,} notifications and outbox emails; "
        f"floor: the INSERT … SELECT of the deliveries alone, rolled back; "
        + (
            f"the same {small_queries} queries for {n_small:,} units"
            if same
            else f"{small_queries} queries for {n_small:,} units ✗"
        )
    )
    issue.note = "floor: WeasyPrint rendering a one-line page with render_pdf's base URL and fetcher"
    return [issue, distribute]


def machine() -> dict:
    info = {"cores": os.cpu_count(), "memory_gib": None, "cpu": ""}
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    info["memory_gib"] = round(int(line.split()[1]) / 1024 / 1024, 1)
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        info["postgresql"] = cursor.fetchone()[0]
        cursor.execute("SHOW shared_buffers")
        info["shared_buffers"] = cursor.fetchone()[0]
        cursor.execute("SHOW work_mem")
        info["work_mem"] = cursor.fetchone()[0]
    return info
