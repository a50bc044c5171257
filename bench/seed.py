"""The synthetic nation: units, their people, a year of issued circulars and every delivery
of them with its history, written with PostgreSQL ``COPY`` (psycopg 3 ``cursor.copy()``).

At SCALE=1: 3,500 recipient units (5 % departments, the rest communes) under one issuing
People's Committee, two people each (a clerk and the head), 2,000 circulars issued over the
year before the day of seeding, each distributed to between 100 and 3,500 units (about
500 on average, so about 1,000,000 deliveries). Units and circulars both scale with
SCALE, so deliveries grow with its square.

A delivery's life is drawn from the unit's diligence: when it was opened, acknowledged,
reported, reviewed (accepted or returned and reported again) or refused, each step with
its DeliveryEvent and its working days late (``ack_delay_days``, ``report_delay_days``)
as the services would have written them. Units that acted late were chased: their
reminders are there. Of the deliveries that still owe a step whose deadline is near or
past, most were chased already today and some reached a new stage since the last sweep:
that is what a sweep at the seeding moment finds (about 10 % of the deliveries).

Everything is drawn from ``random.Random(seed)`` and written with explicit ids into an
empty database, so the same seed on the same day gives the same rows. Dates are relative
to the day of seeding; the "now" of the dataset is that day's local midnight.

Each large table streams through its own connection while the rows are generated (one
COPY per connection); foreign keys are not re-checked row by row when the role allows
``session_replication_role = replica`` (the generator writes consistent ids); the
transactions commit parents first.
"""

# ruff: noqa: S608 - only table and column names from the models' metadata are interpolated

import contextlib
import dataclasses
import datetime
import json
import random
import time
from collections import Counter
from zoneinfo import ZoneInfo

import psycopg
from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection
from django.utils.html import strip_tags

from acknowledgements.models import (
    Delivery,
    DeliveryEvent,
    ImplementationReport,
    Notification,
    Reminder,
    ReportItem,
)
from bench.db import libpq_params
from chasing.sweep import STEPS, threshold
from circulars.models import (
    ActionItem,
    Circular,
    CircularEvent,
    CircularRelation,
    NumberingRegister,
    Urgency,
    fold,
)
from circulars.workdays import Calendar
from units.models import Membership, Unit, UnitGroup, User

S = Delivery.Status
TZ = ZoneInfo(settings.TIME_ZONE)
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)
RECALL_REASON = "Văn bản ban hành chưa đúng thẩm quyền; thu hồi để ban hành lại."

# Sizes at SCALE=1.
UNITS = 3500
CIRCULARS = 2000
MIN_RECIPIENTS = 100
# Recipients per circular: MIN + (UNITS - MIN) * u**SKEW for u uniform in [0, 1): most
# circulars go to a few hundred units, a few to nearly all; the mean is MIN + (UNITS -
# MIN) / (SKEW + 1) ≈ 500.
SKEW = 7.5
DEPARTMENT_SHARE = 0.05
# Of the deliveries owing a step that reached a chasing stage, the share not chased at
# that stage yet (they are what the sweep at the seeding moment finds).
NEW_STAGE_SHARE = 0.9
PASSWORD = "bench-password-1"  # noqa: S105 - the synthetic accounts of a throw-away database

INBOX_UNIT = 0  # receives every circular: the inbox with 2,000 deliveries
MONITORING_UNIT = 1  # the monitoring office of every circular

# fmt: off
SYLLABLES = [
    "An", "Bình", "Phú", "Tân", "Hòa", "Long", "Thạnh", "Mỹ", "Đông", "Tây", "Nam", "Bắc", "Hưng", "Phước",
    "Thuận", "Lộc", "Xuân", "Trung", "Vĩnh", "Quang", "Hải", "Sơn", "Thủy", "Lâm", "Hiệp", "Nghĩa", "Thái",
    "Hồng", "Phong", "Thắng",
]
# fmt: on
DEPARTMENTS = [
    "Văn phòng Ủy ban nhân dân tỉnh",
    "Sở Văn hóa và Thông tin",
    "Sở Nội vụ",
    "Sở Tài chính",
    "Sở Tư pháp",
    "Sở Xây dựng",
    "Sở Y tế",
    "Sở Giáo dục và Đào tạo",
    "Sở Nông nghiệp và Môi trường",
    "Sở Công Thương",
    "Sở Khoa học và Công nghệ",
    "Thanh tra tỉnh",
    "Ban Dân tộc và Tôn giáo",
]
TOPICS = [
    "cảnh báo việc lợi dụng danh nghĩa cơ quan nhà nước để lừa đảo",
    "triển khai chuyển đổi số trong cơ quan hành chính",
    "tăng cường phòng, chống thiên tai mùa mưa bão",
    "báo cáo tình hình thực hiện nhiệm vụ kinh tế - xã hội",
    "phòng, chống dịch bệnh trên gia súc, gia cầm",
    "bảo đảm an toàn thông tin mạng",
    "tổ chức các hoạt động kỷ niệm ngày lễ lớn",
    "rà soát thủ tục hành chính thuộc thẩm quyền giải quyết",
    "tăng cường công tác phòng cháy, chữa cháy",
    "thực hiện chính sách đối với người có công",
    "quản lý, sử dụng con dấu và chữ ký số",
    "đẩy mạnh cải cách hành chính",
]
ACTIONS = [
    "Thông báo đến toàn thể cán bộ, công chức",
    "Niêm yết công khai tại trụ sở",
    "Lưu lại bằng chứng thực hiện",
    "Báo cáo kết quả về cơ quan theo dõi",
]
URGENCIES = [(Urgency.NORMAL, 0.80), (Urgency.URGENT, 0.12), (Urgency.VERY_URGENT, 0.05), (Urgency.FLASH, 0.03)]
IMMEDIATE = {Urgency.VERY_URGENT, Urgency.FLASH}


@dataclasses.dataclass(frozen=True)
class Plan:
    scale: float
    units: int
    circulars: int
    min_recipients: int

    @classmethod
    def at(cls, scale: float) -> "Plan":
        if scale <= 0:
            raise ValueError("SCALE must be positive")
        units = max(5, round(UNITS * scale))
        return cls(
            scale=scale,
            units=units,
            circulars=max(3, round(CIRCULARS * scale)),
            min_recipients=min(units, max(1, round(MIN_RECIPIENTS * scale))),
        )

    @property
    def departments(self) -> int:
        return max(2, round(self.units * DEPARTMENT_SHARE))

    @property
    def expected_deliveries(self) -> int:
        return round(self.circulars * (self.min_recipients + (self.units - self.min_recipients) / (SKEW + 1)))


@dataclasses.dataclass
class Seeded:
    """What the seeding wrote, for the output and the bench's choices."""

    plan: Plan
    seed: int
    anchor: datetime.date
    seconds: float = 0.0
    counts: dict = dataclasses.field(default_factory=dict)
    states: Counter = dataclasses.field(default_factory=Counter)
    late: dict = dataclasses.field(default_factory=dict)
    due: int = 0
    fk_checks: str = ""

    @property
    def now(self) -> datetime.datetime:
        return datetime.datetime.combine(self.anchor, datetime.time(0), TZ)

    def as_json(self) -> str:
        return json.dumps(
            {
                "scale": self.plan.scale,
                "seed": self.seed,
                "anchor": self.anchor.isoformat(),
                "seconds": round(self.seconds, 1),
                "counts": self.counts,
                "states": dict(self.states),
                "late": self.late,
                "due": self.due,
                "fk_checks": self.fk_checks,
            }
        )

    @classmethod
    def from_json(cls, raw: str) -> "Seeded":
        data = json.loads(raw)
        out = cls(plan=Plan.at(data["scale"]), seed=data["seed"], anchor=datetime.date.fromisoformat(data["anchor"]))
        out.seconds, out.counts, out.due = data["seconds"], data["counts"], data["due"]
        out.states, out.late, out.fk_checks = Counter(data["states"]), data["late"], data.get("fk_checks", "")
        return out


META_TABLE = "bench_meta"


def save_meta(seeded: Seeded) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {META_TABLE} (id int PRIMARY KEY, data jsonb NOT NULL)")
        cursor.execute(
            f"INSERT INTO {META_TABLE} (id, data) VALUES (1, %s) ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data",
            [seeded.as_json()],
        )


def load_meta() -> Seeded | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [META_TABLE])
        if cursor.fetchone()[0] is None:
            return None
        cursor.execute(f"SELECT data::text FROM {META_TABLE} WHERE id = 1")
        row = cursor.fetchone()
    return Seeded.from_json(row[0]) if row else None


# --- Writing -------------------------------------------------------------------------


def _columns(model, fields) -> str:
    return ", ".join(connection.ops.quote_name(model._meta.get_field(f).column) for f in fields)


class Stream:
    """One table's COPY on its own connection, open while rows are generated."""

    def __init__(self, model, fields, stack: contextlib.ExitStack, replica: bool):
        self.model, self.rows = model, 0
        # On an error the connection is closed, not rolled back (a COPY may be open on
        # it): the server aborts the transaction.
        self.conn = psycopg.connect(**libpq_params())
        stack.callback(self.conn.close)
        if replica:
            self.conn.execute("SET session_replication_role = replica")
        self.conn.execute("SET synchronous_commit = off")
        table = connection.ops.quote_name(model._meta.db_table)
        self._copy = self.conn.cursor().copy(f"COPY {table} ({_columns(model, fields)}) FROM STDIN")
        self.copy = self._copy.__enter__()
        self.write = self.copy.write_row

    def close(self) -> None:
        """End the COPY (the rows are in, not committed yet)."""
        self._copy.__exit__(None, None, None)


def _can_skip_fk_checks() -> bool:
    with psycopg.connect(**libpq_params()) as conn:
        try:
            conn.execute("SET session_replication_role = replica")
        except psycopg.Error:
            return False
    return True


def _copy_small(model, fields, rows, replica: bool) -> int:
    rows = list(rows)
    with psycopg.connect(**libpq_params()) as conn:
        if replica:
            conn.execute("SET session_replication_role = replica")
        table = connection.ops.quote_name(model._meta.db_table)
        with conn.cursor() as cursor, cursor.copy(f"COPY {table} ({_columns(model, fields)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    return len(rows)


# --- The calendar ----------------------------------------------------------------------


class WorkingDays:
    """Working days over the dataset's range, from the portal's own calendar (with the
    official swaps its migrations ship; the bench adds no local change), with O(1) counts
    between two days."""

    def __init__(self, start: datetime.date, end: datetime.date):
        self.calendar = Calendar.load(start, end)
        self.start = start
        self.cumulative = [0]
        day = start
        while day < end:
            day += DAY
            self.cumulative.append(self.cumulative[-1] + (1 if self.calendar.is_working_day(day) else 0))

    def late(self, due: datetime.date, on: datetime.date) -> int:
        """``circulars.workdays.working_days_late``."""
        if on <= due:
            return 0
        return self.cumulative[(on - self.start).days] - self.cumulative[(due - self.start).days]

    def add(self, start: datetime.date, days: int) -> datetime.date:
        return self.calendar.add_working_days(start, days)

    def previous_working_day(self, day: datetime.date) -> datetime.date:
        while not self.calendar.is_working_day(day):
            day -= DAY
        return day


# --- The dataset -------------------------------------------------------------------------


def _at(day: datetime.date, hours: float) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(0), TZ) + datetime.timedelta(hours=hours)


def _pick(rng: random.Random, weighted):
    x, acc = rng.random(), 0.0
    for value, weight in weighted:
        acc += weight
        if x < acc:
            return value
    return weighted[-1][0]


def _require_empty() -> None:
    for model in (Unit, User, Circular, Delivery):
        if model.objects.exists():
            raise RuntimeError(
                f"{model._meta.db_table} is not empty: the seeding writes explicit ids into a fresh bench database"
            )


def seed(scale: float, seed: int = 1, *, anchor: datetime.date | None = None, log=print) -> Seeded:
    """Fill the (empty, migrated) database the default connection points at."""
    started = time.perf_counter()
    plan = Plan.at(scale)
    anchor = anchor or datetime.date.today()
    out = Seeded(plan=plan, seed=seed, anchor=anchor)
    _require_empty()
    rng = random.Random(seed)  # noqa: S311 - synthetic data, repeatable by design
    replica = _can_skip_fk_checks()
    out.fk_checks = "skipped (session_replication_role = replica)" if replica else "checked at commit"
    now = out.now
    today = anchor
    days = WorkingDays(today - datetime.timedelta(days=420), today + datetime.timedelta(days=200))
    policy = settings.REMINDERS
    cal = days.calendar
    soon = cal.add_working_days(today, policy["before_working_days"])
    head_threshold = threshold(cal, today, policy["head_after_working_days"])
    monitor_threshold = threshold(cal, today, policy["monitor_after_working_days"])

    def stage_reached(due: datetime.date | None) -> int | None:
        """The chasing stage a step owed with this deadline has reached today."""
        if due is None:
            return None
        if today < due <= soon:
            return 0
        if due < today:
            if due <= monitor_threshold:
                return 3
            if due <= head_threshold:
                return 2
            return 1
        return None

    counts = out.counts

    # Units, groups ------------------------------------------------------------------
    U = plan.units
    root_id = 1
    unit_ids = list(range(2, U + 2))  # recipient unit i has id i + 2
    n_departments = plan.departments
    units = [
        (
            root_id,
            "ubnd-tinh-thuan-bac",
            "Ủy ban nhân dân tỉnh Thuận Bắc",
            "UBND tỉnh Thuận Bắc",
            Unit.Kind.PEOPLES_COMMITTEE,
            "",
            True,
            0,
            None,
            "Thuận Bắc",
            "UBND",
        )
    ]
    seen_names: Counter = Counter()
    for i, uid in enumerate(unit_ids):
        if i < n_departments:
            name = DEPARTMENTS[i] if i < len(DEPARTMENTS) else f"Ban quản lý dự án số {i - len(DEPARTMENTS) + 1}"
            kind, code = Unit.Kind.DEPARTMENT, f"so-{i + 1:04d}"
        else:
            base = f"{rng.choice(SYLLABLES)} {rng.choice(SYLLABLES)}"
            seen_names[base] += 1
            suffix = f" {seen_names[base]}" if seen_names[base] > 1 else ""
            name, kind = f"Ủy ban nhân dân xã {base}{suffix}", Unit.Kind.COMMUNE
            code = f"xa-{fold(base).replace(' ', '-')}-{i + 1:04d}"
        units.append((uid, code, name, "", kind, f"{code}@bench.invalid", True, i + 1, root_id, "Thuận Bắc", ""))
    counts["units"] = _copy_small(
        Unit,
        [
            "id",
            "code",
            "name",
            "short_name",
            "kind",
            "email",
            "active",
            "sort_order",
            "parent",
            "place_name",
            "abbreviation",
        ],
        units,
        replica,
    )
    groups = [
        (1, "tat-ca-don-vi", "Tất cả các đơn vị", 0, unit_ids),
        (2, "cac-so-nganh", "Các sở, ban, ngành", 1, unit_ids[:n_departments]),
        (3, "ubnd-cac-xa", "Ủy ban nhân dân các xã", 2, unit_ids[n_departments:]),
    ]
    _copy_small(UnitGroup, ["id", "code", "name", "sort_order"], [g[:4] for g in groups], replica)
    members = [(gid, uid) for gid, *_rest, ids in groups for uid in ids]
    _copy_small(
        UnitGroup.units.through,
        ["id", "unitgroup", "unit"],
        ((n, gid, uid) for n, (gid, uid) in enumerate(members, start=1)),
        replica,
    )
    counts["unit_groups"] = len(groups)

    # People --------------------------------------------------------------------------
    password = make_password(PASSWORD)
    joined = _at(today - datetime.timedelta(days=420), 8)
    staff = [
        # (username, full name, title, role)
        ("vanthu", "Trần Thị Thu", "Văn thư", "records_clerk"),
        ("chuyenvien", "Lê Văn Minh", "Chuyên viên", "drafter"),
        ("lanhdao", "Nguyễn Hùng", "Phó Chủ tịch", "signer"),
        ("giamsat", "Phạm Thị Hoa", "Chuyên viên theo dõi", "monitor"),
        ("quantri", "Quản trị hệ thống", "Quản trị viên", "admin"),
    ]
    users, user_roles = [], []
    for n, (username, full, title, role) in enumerate(staff, start=1):
        users.append((n, password, False, username, f"{username}@bench.invalid", True, joined, full, title))
        user_roles.append((n, role))
    records_clerk, drafter, signer, monitor = 1, 2, 3, 4
    clerk_of, head_of = {}, {}
    next_user = len(staff) + 1
    for i, (_uid, code, *_rest) in enumerate(units[1:]):
        clerk_of[i], head_of[i] = next_user, next_user + 1
        users.append((next_user, password, False, code, f"{code}@bench.invalid", True, joined, f"Văn thư {code}", ""))
        users.append(
            (next_user + 1, password, False, f"{code}-truong", f"{code}-truong@bench.invalid", True, joined, "", "")
        )
        next_user += 2
    counts["users"] = _copy_small(
        User,
        [
            "id",
            "password",
            "is_superuser",
            "username",
            "first_name",
            "last_name",
            "email",
            "is_staff",
            "is_active",
            "date_joined",
            "full_name",
            "title",
        ],
        ((*u[:4], "", "", u[4], False, *u[5:]) for u in users),
        replica,
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, id FROM auth_group")
        group_ids = dict(cursor.fetchall())
    _copy_small(
        User.groups.through,
        ["id", "user", "group"],
        ((n, uid, group_ids[role]) for n, (uid, role) in enumerate(user_roles, start=1)),
        replica,
    )
    memberships = []
    for i in range(U):
        memberships.append((clerk_of[i], unit_ids[i], Membership.Role.CLERK))
        memberships.append((head_of[i], unit_ids[i], Membership.Role.HEAD))
    memberships.append((monitor, unit_ids[MONITORING_UNIT], Membership.Role.CLERK))
    counts["memberships"] = _copy_small(
        Membership, ["id", "user", "unit", "role"], ((n, *m) for n, m in enumerate(memberships, start=1)), replica
    )
    members_of = {i: (clerk_of[i], head_of[i]) for i in range(U)}

    # Circulars ---------------------------------------------------------------------------
    C = plan.circulars
    diligence = [rng.betavariate(5, 2) for _ in range(U)]
    diligence[INBOX_UNIT] = 0.8
    circulars, action_items, circular_events, recipients, relations = [], [], [], [], []
    registers: dict[int, int] = {}
    codes: set[str] = set()
    # One circular of about six weeks ago goes to every unit: the monitoring page's.
    all_units_index = min(C - 1, int(C * (1 - 45 / 365)))
    alphabet = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
    for j in range(C):
        issued_on = today - datetime.timedelta(days=365) + datetime.timedelta(days=int(365 * (j + rng.random()) / C))
        issued_on = days.previous_working_day(min(issued_on, today - DAY))
        if circulars and issued_on < circulars[-1]["issued_on"]:
            issued_on = circulars[-1]["issued_on"]
        year = issued_on.year
        registers[year] = registers.get(year, 0) + 1
        number = registers[year]
        ack_days = _pick(rng, [(2, 0.7), (3, 0.2), (5, 0.1)])
        report_due = None
        if rng.random() < 0.75:
            report_due = days.add(issued_on, 8 + int(rng.random() * 22))
        urgency = _pick(rng, URGENCIES)
        issued_at = _at(issued_on, 8 + rng.random() * 7)
        sent_at = issued_at + HOUR * (0.5 + rng.random() * 2)
        while True:
            raw = "".join(rng.choice(alphabet) for _ in range(8))
            code = f"{raw[:4]}-{raw[4:]}"
            if code not in codes:
                codes.add(code)
                break
        k = U if j == all_units_index else plan.min_recipients + int((U - plan.min_recipients) * rng.random() ** SKEW)
        chosen = [INBOX_UNIT, *rng.sample(range(1, U), min(k, U) - 1)] if k > 1 else [INBOX_UNIT]
        chosen.sort()
        topic = TOPICS[j % len(TOPICS)]
        subject = f"V/v {topic} (đợt {j + 1})"
        n_items = 2 + (j % 3 == 0)
        body = "<p>Thực hiện chỉ đạo của Ủy ban nhân dân tỉnh, đề nghị các đơn vị:</p><ul>" + "".join(
            f"<li>{ACTIONS[a]}</li>" for a in range(n_items)
        )
        body += "</ul>"
        # About 1 % are recalled a few days after sending, and about 0.5 % replace the
        # circular before them (one draw, so the rest of the dataset does not move); at
        # any scale, at least the middle one is recalled and the one after the first third
        # replaces its predecessor, so that every state is there.
        fate = rng.random()
        recall = fate < 0.01 or j == C // 2
        recalled_at = min(sent_at + DAY * 3, now - HOUR) if recall else None
        previous = circulars[-1] if circulars else None
        replaces = None
        if (fate >= 0.995 or j == C // 3 + 1) and not recall and previous and previous["closed"] is None:
            replaces = previous if previous["index"] != all_units_index else None
        circulars.append(
            {
                "id": j + 1,
                "index": j,
                "issued_on": issued_on,
                "issued_at": issued_at,
                "sent_at": sent_at,
                "ack_due": days.add(issued_on, ack_days),
                "report_due": report_due,
                "urgency": urgency,
                "closed": ("recall", recalled_at, RECALL_REASON) if recalled_at else None,
                "signer": signer,
                "recipients": chosen,
                "reference": f"{number}/UBND-VX",
                "subject": subject,
                "items": [],
                "row": (
                    j + 1,
                    Circular.Status.RECALLED if recalled_at else Circular.Status.DISTRIBUTED,
                    "cong_van",
                    subject,
                    body,
                    "UBND-VX",
                    "Thuận Bắc",
                    "",
                    json.dumps(["Như trên;", "Lưu: VT, VX."], ensure_ascii=False),
                    ack_days,
                    report_due,
                    urgency,
                    "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH",
                    issued_at - DAY * (1 + rng.random() * 5),
                    sent_at,
                    number,
                    year,
                    issued_on,
                    issued_at,
                    f"circulars/{year}/{year}-{number:05d}-{code}.pdf",
                    f"{rng.getrandbits(256):064x}",
                    code,
                    fold(f"{number}/UBND-VX {subject} {strip_tags(body)}"),
                    drafter,
                    records_clerk,
                    root_id,
                    unit_ids[MONITORING_UNIT],
                    signer,
                    "",
                    "none",
                    "",  # approved_draft: seeded circulars carry no signed draft
                    "",  # signed_draft
                    RECALL_REASON if recalled_at else "",
                    recalled_at,
                ),
            }
        )
        for position in range(1, n_items + 1):
            item_id = len(action_items) + 1
            action_items.append((item_id, j + 1, position, ACTIONS[position - 1]))
            circulars[-1]["items"].append(item_id)
        created = circulars[-1]["row"][13]
        steps = [
            ("create", "", "draft", drafter, created),
            ("submit", "draft", "submitted", drafter, created + HOUR),
            ("approve", "submitted", "approved", signer, issued_at - HOUR),
            ("issue", "approved", "issued", records_clerk, issued_at),
            ("distribute", "issued", "distributed", records_clerk, sent_at),
        ]
        if recalled_at:
            steps.append(("recall", "distributed", "recalled", signer, recalled_at, RECALL_REASON))
        for action, frm, to, actor, at, *comment in steps:
            comment = f"{len(chosen)} đơn vị" if action == "distribute" else "".join(comment)
            circular_events.append((len(circular_events) + 1, j + 1, actor, action, frm, to, comment, at))
        if replaces:
            # Distributing this one replaces the previous one (as ``distribute`` does).
            reason = f"Được thay thế bởi văn bản {number}/UBND-VX"
            replaces["closed"] = ("replace", sent_at, reason)
            replaces["row"] = (replaces["row"][0], Circular.Status.REPLACED, *replaces["row"][2:])
            step = ("replace", "distributed", "replaced", reason, sent_at)
            circular_events.append((len(circular_events) + 1, replaces["id"], records_clerk, *step))
            relations.append((len(relations) + 1, j + 1, replaces["id"], CircularRelation.Kind.REPLACE, created))
        recipients.extend((j + 1, unit_ids[i]) for i in chosen)

    _copy_small(
        Circular,
        [
            "id",
            "status",
            "document_type",
            "subject",
            "body",
            "notation",
            "place_name",
            "recipients_text",
            "copy_to",
            "ack_due_working_days",
            "report_due_on",
            "urgency",
            "signer_title",
            "created_at",
            "updated_at",
            "number",
            "issued_year",
            "issued_on",
            "issued_at",
            "pdf",
            "sha256",
            "verification_code",
            "search_text",
            "created_by",
            "issued_by",
            "issuing_unit",
            "monitoring_unit",
            "signer",
            "notation_override",
            "secrecy",
            "approved_draft",
            "signed_draft",
            "recall_reason",
            "recalled_at",
        ],
        (c["row"] for c in circulars),
        replica,
    )
    counts["circulars"] = C
    _copy_small(ActionItem, ["id", "circular", "position", "text"], action_items, replica)
    counts["action_items"] = len(action_items)
    _copy_small(
        CircularEvent, ["id", "circular", "actor", "action", "from_status", "to_status", "comment", "at"],
        circular_events, replica,
    )  # fmt: skip
    counts["circular_events"] = len(circular_events)
    _copy_small(CircularRelation, ["id", "circular", "target", "kind", "created_at"], relations, replica)
    counts["relations"] = len(relations)
    _copy_small(
        Circular.recipient_units.through,
        ["id", "circular", "unit"],
        ((n, cid, uid) for n, (cid, uid) in enumerate(recipients, start=1)),
        replica,
    )
    _copy_small(
        NumberingRegister,
        ["id", "kind", "year", "last_number"],
        ((n, NumberingRegister.Kind.OUTGOING, y, last) for n, (y, last) in enumerate(sorted(registers.items()), 1)),
        replica,
    )

    # Deliveries and their history ---------------------------------------------------------
    log(f"  organisation and {C:,} circulars written; deliveries next (about {plan.expected_deliveries:,})")
    states: Counter = out.states
    late = Counter()
    ids = Counter()  # last id per table

    def nid(table: str) -> int:
        ids[table] += 1
        return ids[table]

    kinds = {step: [(s.kind, s.stage) for s in spec["stages"]] for step, spec in STEPS.items()}
    # When each stage of a step was sent, relative to its deadline (for the chased ones).
    stage_offsets = [-DAY + HOUR * 8, DAY + HOUR * 8, DAY * 3 + HOUR * 8, DAY * 7 + HOUR * 8]
    due_pairs = 0
    with contextlib.ExitStack() as stack:
        deliveries = Stream(
            Delivery,
            [
                "id",
                "circular",
                "unit",
                "status",
                "sent_at",
                "ack_due_on",
                "report_due_on",
                "first_viewed_at",
                "first_viewed_by",
                "acknowledged_at",
                "acknowledged_by",
                "reported_at",
                "accepted_at",
                "refused_at",
                "refuse_reason",
                "ack_delay_days",
                "report_delay_days",
                "closed_at",
                "close_reason",
                "arrival_year",
                "arrival_number",
            ],
            stack,
            replica,
        )
        events = Stream(
            DeliveryEvent,
            ["id", "delivery", "actor", "action", "from_status", "to_status", "at", "note"],
            stack,
            replica,
        )
        reports = Stream(
            ImplementationReport,
            [
                "id",
                "delivery",
                "version",
                "summary",
                "status",
                "submitted_by",
                "submitted_at",
                "reviewed_by",
                "reviewed_at",
                "review_comment",
            ],
            stack,
            replica,
        )
        items = Stream(ReportItem, ["id", "report", "action_item", "status", "note"], stack, replica)
        reminders = Stream(
            Reminder, ["id", "delivery", "kind", "stage", "channel", "sweep", "created_at", "sent_at"], stack, replica
        )
        notifications = Stream(
            Notification, ["id", "user", "delivery", "kind", "title", "url", "created_at"], stack, replica
        )
        streams = [deliveries, events, reports, items, reminders, notifications]

        def event(did, actor, action, frm, to, at, note=""):
            events.write((nid("event"), did, actor, action, frm, to, at, note))

        def report(did, version, status, by, at, reviewed_at=None, comment=""):
            rid = nid("report")
            reports.write(
                (
                    rid,
                    did,
                    version,
                    "Đơn vị đã triển khai đầy đủ các nội dung của công văn.",
                    status,
                    by,
                    at,
                    monitor if reviewed_at else None,
                    reviewed_at,
                    comment,
                )
            )
            for item_id in c["items"]:
                r = rng.random()
                state = "done" if r < 0.75 else ("in_progress" if r < 0.93 else "not_applicable")
                items.write((nid("item"), rid, item_id, state, ""))

        def chase(did, step, stages, due, done_at=None):
            for index in stages:
                kind, stage = kinds[step][index]
                at = min(_at(due, 0) + stage_offsets[index], now - HOUR)
                if done_at is not None:
                    at = min(at, done_at - HOUR)
                channel = Reminder.Channel.IMMEDIATE if c["urgency"] in IMMEDIATE else Reminder.Channel.DIGEST
                reminders.write((nid("reminder"), did, kind, stage, channel, "seed-done", at, at + HOUR))

        def history(delay) -> set[int]:
            """The stages a step done ``delay`` working days late was chased at."""
            if delay <= 0:
                return set()
            stages = {0, 1}
            if delay >= policy["head_after_working_days"]:
                stages.add(2)
            if delay >= policy["monitor_after_working_days"]:
                stages.add(3)
            return stages

        def owed(due, had: set[int]) -> tuple[set[int], int]:
            """The stages a step still owed was chased at, and 1 when it has reached a
            stage not chased yet (what the sweep finds)."""
            reached = stage_reached(due)
            if reached is None:
                return had | ({0} if due == today else set()), 0
            if had and max(had) >= reached:
                return had, 0
            new = rng.random() < NEW_STAGE_SHARE
            return had | set(range(reached if new else reached + 1)), 1 if new else 0

        # In the order they were sent, as distribution numbers them: each delivery takes the
        # next arrival number of its unit's own register for the (local) year it arrived.
        arrivals: Counter = Counter()
        for c in sorted(circulars, key=lambda c: (c["sent_at"], c["id"])):
            cid, sent = c["id"], c["sent_at"]
            arrival_year = sent.astimezone(TZ).year
            ack_due, report_due = c["ack_due"], c["report_due"]
            report_due_end = _at(report_due, 17) if report_due else None
            closed = c["closed"]
            live = closed is None
            # A recalled or replaced circular's units did nothing after it closed.
            horizon = closed[1] if closed else now
            title = f"Công văn mới {c['reference']}: {c['subject']}"[:500]
            for i in c["recipients"]:
                d = diligence[i]
                clerk = clerk_of[i]
                did = nid("delivery")
                arrivals[(i, arrival_year)] += 1
                status = S.SENT
                viewed_at = acknowledged_at = reported_at = accepted_at = refused_at = None
                ack_delay = report_delay = None
                reason = ""
                event(did, records_clerk, "distribute", "", S.SENT, sent)
                view_at = sent + HOUR * rng.expovariate(1 / (2 + 30 * (1 - d)))
                ack_at = None
                if rng.random() >= 0.05 * (1 - d):  # a few units never acknowledge
                    ack_at = view_at + HOUR * rng.expovariate(1 / (4 + 150 * (1 - d) ** 2))
                refuse_at = view_at + HOUR * (1 + rng.random() * 47) if rng.random() < 0.015 else None
                if refuse_at and refuse_at < horizon and ack_at and rng.random() < 0.7:
                    ack_at = None  # refused without acknowledging
                if view_at < horizon and (ack_at is None or view_at < ack_at) and (refuse_at or rng.random() < 0.85):
                    viewed_at = view_at
                    event(did, clerk, "view", S.SENT, S.SENT, view_at)
                if refuse_at and refuse_at < horizon and ack_at is None:
                    status, refused_at, reason = S.REFUSED, refuse_at, "Văn bản không thuộc phạm vi của đơn vị."
                    event(did, clerk, "refuse", S.SENT, S.REFUSED, refuse_at, reason)
                elif ack_at and ack_at < horizon:
                    status, acknowledged_at = S.ACKNOWLEDGED, ack_at
                    ack_delay = days.late(ack_due, ack_at.date())
                    viewed_at = viewed_at or ack_at
                    event(did, clerk, "acknowledge", S.SENT, S.ACKNOWLEDGED, ack_at)
                    if refuse_at and ack_at < refuse_at < horizon:
                        status, refused_at, reason = S.REFUSED, refuse_at, "Văn bản không thuộc phạm vi của đơn vị."
                        event(did, clerk, "refuse", S.ACKNOWLEDGED, S.REFUSED, refuse_at, reason)
                    elif report_due and rng.random() >= 0.05 + 0.2 * (1 - d):  # some never report
                        if rng.random() < 0.35 + 0.6 * d and report_due_end > ack_at:
                            report_at = ack_at + (report_due_end - ack_at) * rng.random()
                        else:
                            report_at = max(report_due_end, ack_at) + DAY * rng.expovariate(1 / (2 + 25 * (1 - d)))
                        if report_at < horizon:
                            status, reported_at = S.REPORTED, report_at
                            report_delay = days.late(report_due, report_at.date())
                            event(did, clerk, "report", S.ACKNOWLEDGED, S.REPORTED, report_at, "phiên bản 1")
                            review_at = report_at + DAY * rng.expovariate(1 / 7)
                            if review_at >= horizon or rng.random() < 0.02:  # a few are never reviewed
                                report(did, 1, "submitted", clerk, report_at)
                            elif rng.random() < 0.12:
                                comment = "Đề nghị bổ sung bằng chứng thực hiện."
                                report(did, 1, "returned", clerk, report_at, review_at, comment)
                                status = S.RETURNED
                                event(did, monitor, "return", S.REPORTED, S.RETURNED, review_at, comment)
                                again_at = review_at + DAY * rng.expovariate(1 / 6)
                                if again_at < horizon and rng.random() < 0.8:  # some never report again
                                    status = S.REPORTED
                                    event(did, clerk, "report", S.RETURNED, S.REPORTED, again_at, "phiên bản 2")
                                    review2_at = again_at + DAY * rng.expovariate(1 / 7)
                                    if review2_at < horizon:
                                        report(did, 2, "accepted", clerk, again_at, review2_at)
                                        status, accepted_at = S.ACCEPTED, review2_at
                                        event(did, monitor, "accept", S.REPORTED, S.ACCEPTED, review2_at)
                                    else:
                                        report(did, 2, "submitted", clerk, again_at)
                            else:
                                report(did, 1, "accepted", clerk, report_at, review_at)
                                status, accepted_at = S.ACCEPTED, review_at
                                event(did, monitor, "accept", S.REPORTED, S.ACCEPTED, review_at)
                closed_at, close_reason = None, ""
                if closed:
                    action, closed_at, close_reason = closed
                    to = S.RECALLED if action == "recall" else S.REPLACED
                    # A recall closes all but a refusal; a replacement the steps still open.
                    closes = (status != S.REFUSED) if action == "recall" else (status in Delivery.OPEN)
                    if closes:
                        actor = c["signer"] if action == "recall" else records_clerk
                        event(did, actor, action, status, to, closed_at, close_reason)
                        status = to
                    else:
                        closed_at, close_reason = None, ""
                # How far each step was chased, and whether it reached a new stage.
                if live:
                    ack_chased = history(ack_delay or 0)
                    if status == S.SENT:
                        ack_chased, new = owed(ack_due, ack_chased)
                        due_pairs += new
                    chase(did, "ack", sorted(ack_chased), ack_due, acknowledged_at)
                    if report_due:
                        report_chased = history(report_delay or 0)
                        if status in Delivery.REPORT_OWED:
                            report_chased, new = owed(report_due, report_chased)
                            due_pairs += new
                        chase(
                            did,
                            "report",
                            sorted(report_chased),
                            report_due,
                            None if status in Delivery.REPORT_OWED else reported_at,
                        )
                if status == S.SENT:
                    for user in members_of[i]:
                        notifications.write((nid("notification"), user, did, "new_delivery", title, "", sent))
                states[status] += 1
                if ack_delay:
                    late["ack"] = late.get("ack", 0) + 1
                if report_delay:
                    late["report"] = late.get("report", 0) + 1
                deliveries.write(
                    (
                        did,
                        cid,
                        unit_ids[i],
                        status,
                        sent,
                        ack_due,
                        report_due,
                        viewed_at,
                        clerk if viewed_at else None,
                        acknowledged_at,
                        clerk if acknowledged_at else None,
                        reported_at,
                        accepted_at,
                        refused_at,
                        reason,
                        ack_delay,
                        report_delay,
                        closed_at,
                        close_reason,
                        arrival_year,
                        arrivals[(i, arrival_year)],
                    )
                )
                if did % 200_000 == 0:
                    log(f"  {did:,} deliveries generated ({time.perf_counter() - started:.0f} s)")
        # Close the COPYs, then commit parents first.
        log(f"  {ids['delivery']:,} deliveries generated; committing the COPY streams")
        for stream in streams:
            stream.close()
        for stream in streams:
            stream.conn.commit()
    # Each unit's own incoming register, at the last number its deliveries took.
    _copy_small(
        NumberingRegister,
        ["id", "kind", "unit", "year", "last_number"],
        (
            (n, NumberingRegister.Kind.UNIT_INCOMING, unit_ids[i], year, last)
            for n, ((i, year), last) in enumerate(sorted(arrivals.items()), start=len(registers) + 1)
        ),
        replica,
    )
    counts.update(
        deliveries=ids["delivery"],
        delivery_events=ids["event"],
        reports=ids["report"],
        report_items=ids["item"],
        reminders=ids["reminder"],
        notifications=ids["notification"],
    )
    out.late = {"ack": late.get("ack", 0), "report": late.get("report", 0)}
    out.due = due_pairs
    _finish()
    out.seconds = time.perf_counter() - started
    save_meta(out)
    return out


def _finish() -> None:
    """Sequences after the explicit ids; statistics and the visibility map."""
    models = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label in {"units", "circulars", "acknowledgements"}:
            models.append(model)
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)
        cursor.execute("VACUUM (ANALYZE)")


def digest() -> dict:
    """A fingerprint of what the seeding wrote (the smoke test compares two seedings)."""
    tables = {
        "units": (Unit, "id, code, name, kind"),
        "users": (User, "id, username, email"),
        "circulars": (Circular, "id, number, issued_on, subject, ack_due_working_days, report_due_on, urgency"),
        "deliveries": (
            Delivery,
            "id, circular_id, unit_id, status, sent_at, ack_due_on, report_due_on, first_viewed_at, acknowledged_at, "
            "reported_at, accepted_at, refused_at, ack_delay_days, report_delay_days, arrival_year, arrival_number",
        ),
        "events": (DeliveryEvent, "id, delivery_id, action, from_status, to_status, at"),
        "reports": (ImplementationReport, "id, delivery_id, version, status, submitted_at, reviewed_at"),
        "reminders": (Reminder, "id, delivery_id, kind, stage, created_at"),
    }
    out = {}
    with connection.cursor() as cursor:
        for name, (model, columns) in tables.items():
            cursor.execute(
                f"SELECT count(*), md5(string_agg(t::text, '|' ORDER BY t.id)) "
                f"FROM (SELECT {columns} FROM {model._meta.db_table}) t"
            )
            out[name] = cursor.fetchone()
    return out


def describe(seeded: Seeded) -> list[str]:
    """Lines for the output: sizes, mix of states, lateness, what a sweep will find."""
    c, n = seeded.counts, max(1, seeded.counts.get("deliveries", 0))
    mix = ", ".join(f"{state} {seeded.states.get(state, 0) / n:.1%}" for state in S.values)
    return [
        f"{c.get('units', 0) - 1:,} recipient units (+ the issuing committee), {c.get('users', 0):,} users, "
        f"{c.get('circulars', 0):,} circulars, {c.get('deliveries', 0):,} deliveries, "
        f"{c.get('delivery_events', 0):,} events, {c.get('reports', 0):,} reports "
        f"({c.get('report_items', 0):,} items), {c.get('reminders', 0):,} reminders, "
        f"{c.get('notifications', 0):,} unread notifications",
        f"states: {mix}",
        f"acknowledged late: {seeded.late.get('ack', 0) / n:.1%}, reported late: {seeded.late.get('report', 0) / n:.1%}"
        f" of deliveries; due for a chase at the seeding moment: {seeded.due:,} steps "
        f"({seeded.due / n:.1%} of deliveries)",
    ]
