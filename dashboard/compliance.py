"""Reads for the compliance dashboard: every figure is an aggregate query with
conditional counts, so a circular with 5 units and one with 3,500 cost the same number
of queries.

Definitions (the API and the exports use the same ones):
- acknowledged / reported: units that have done the step, whatever they did after;
- overdue: the step is still owed and its deadline has passed (a refused delivery and a
  withdrawn circular are never overdue);
- on-time rate: of the deliveries whose deadline has passed or that did the step (refused
  ones left out, and recalled or replaced ones that never did it), the share that did it
  by the deadline; None when there are none yet;
- delay: working days late when the step was done, stored with the step.
"""

import datetime
import zoneinfo
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Exists, Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils import timezone

from acknowledgements.models import Delivery, Reminder
from circulars.models import Circular, IncomingDispatch
from circulars.workdays import Calendar
from units.roles import PortalRole, has_role

S = Delivery.Status
NOT_REFUSED = ~Q(status=S.REFUSED)
# A delivery closed by a recall or a replacement owes nothing any more: a step it never
# did is not late (one it did, late or not, still counts).
STILL_OWED = ~Q(status__in=Delivery.CLOSED)


def _tz():
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _rate(done: int, base: int) -> float | None:
    return round(done / base, 4) if base else None


def _counts(on: datetime.date, live: bool = True) -> dict:
    """Conditional counts over a queryset of deliveries, as keyword arguments of aggregate().
    ``live``: whether the circular (or circulars) of these deliveries are still in force,
    known to the caller, so that the count joins no circular."""
    ack_overdue = Delivery.ack_overdue_q(on)
    report_overdue = Delivery.report_overdue_q(on)
    if not live:
        ack_overdue = report_overdue = Q(pk__in=[])
    return {
        "total": Count("id"),
        "acknowledged": Count("id", filter=Q(acknowledged_at__isnull=False)),
        "reported": Count("id", filter=Q(reported_at__isnull=False)),
        "accepted": Count("id", filter=Q(status=S.ACCEPTED)),
        "returned": Count("id", filter=Q(status=S.RETURNED)),
        "refused": Count("id", filter=Q(status=S.REFUSED)),
        "overdue_ack": Count("id", filter=ack_overdue),
        "overdue_report": Count("id", filter=report_overdue),
        "ack_on_time": Count("id", filter=NOT_REFUSED & Q(ack_delay_days=0)),
        "ack_base": Count(
            "id", filter=NOT_REFUSED & (Q(acknowledged_at__isnull=False) | (STILL_OWED & Q(ack_due_on__lt=on)))
        ),
        "report_on_time": Count("id", filter=NOT_REFUSED & Q(report_delay_days=0)),
        "report_base": Count(
            "id",
            filter=NOT_REFUSED
            & (Q(reported_at__isnull=False) | (STILL_OWED & Q(report_due_on__isnull=False, report_due_on__lt=on))),
        ),
    }


def _finish(row: dict) -> dict:
    row["on_time_ack_rate"] = _rate(row.pop("ack_on_time"), row.pop("ack_base"))
    row["on_time_report_rate"] = _rate(row.pop("report_on_time"), row.pop("report_base"))
    return row


def compliance(circular: Circular, *, on: datetime.date | None = None) -> dict:
    """The figures of one circular as of ``on`` (default today): one query."""
    on = on or timezone.localdate()
    live = circular.in_force
    row = Delivery.objects.filter(circular=circular).aggregate(**_counts(on, live))
    return _finish(row)


@dataclass
class CircularFigures:
    """Everything a circular's page counts, from one pass over its deliveries."""

    figures: dict  # those of ``compliance``
    status_counts: dict  # status code → deliveries in it
    overdue_units: int  # units with a step overdue (one that owes both counts once)
    ack_due_on: datetime.date | None  # the acknowledgement deadline (the latest, if they differ)
    # The latest acknowledgement and report: with the counts of each, they tell whether the
    # progress chart's days can have changed since it was last counted.
    last_acknowledged_at: datetime.datetime | None = None
    last_reported_at: datetime.datetime | None = None

    def progress_key(self, circular: Circular) -> str:
        """A cache key that changes whenever a delivery of the circular is acknowledged or
        reported (counts and latest moments move) or a step is undone (a count falls)."""
        f, ack, rep = self.figures, self.last_acknowledged_at, self.last_reported_at
        return (
            f"progress:{circular.pk}:{f['total']}:{f['acknowledged']}:{f['reported']}:"
            f"{ack.timestamp() if ack else ''}:{rep.timestamp() if rep else ''}"
        )


def circular_figures(circular: Circular, *, on: datetime.date | None = None) -> CircularFigures:
    """The figures of ``compliance``, the count per status, the units overdue and the
    deadline for the progress chart: one aggregate query."""
    on = on or timezone.localdate()
    live = circular.in_force
    overdue = Delivery.ack_overdue_q(on) | Delivery.report_overdue_q(on) if live else Q(pk__in=[])
    # The figures count accepted, returned and refused already; the other states here.
    counted = {S.ACCEPTED: "accepted", S.RETURNED: "returned", S.REFUSED: "refused"}
    per_status = {f"status_{code}": Count("id", filter=Q(status=code)) for code in S.values if code not in counted}
    row = Delivery.objects.filter(circular=circular).aggregate(
        **_counts(on, live),
        **per_status,
        overdue_units=Count("id", filter=overdue),
        ack_due_on=Max("ack_due_on"),
        last_acknowledged_at=Max("acknowledged_at"),
        last_reported_at=Max("reported_at"),
    )
    return CircularFigures(
        status_counts={code: row[counted[code]] if code in counted else row.pop(f"status_{code}") for code in S.values},
        overdue_units=row.pop("overdue_units"),
        ack_due_on=row.pop("ack_due_on"),
        last_acknowledged_at=row.pop("last_acknowledged_at"),
        last_reported_at=row.pop("last_reported_at"),
        figures=_finish(row),
    )


def compliance_many(circulars, *, on: datetime.date | None = None) -> dict[int, dict]:
    """The same figures for many circulars at once (the overview): one GROUP BY query."""
    on = on or timezone.localdate()
    ids = [c.pk for c in circulars]
    withdrawn = {c.pk for c in circulars if not c.in_force}
    rows = Delivery.objects.filter(circular_id__in=ids).values("circular_id").annotate(**_counts(on)).order_by()
    out = {}
    for row in rows:
        cid = row.pop("circular_id")
        if cid in withdrawn:
            row["overdue_ack"] = row["overdue_report"] = 0
        out[cid] = _finish(row)
    empty = _finish(dict.fromkeys(_counts(on), 0))
    return {pk: out.get(pk, dict(empty)) for pk in ids}


def unit_rows(circular: Circular):
    """The unit table of one circular: deliveries with their unit and reminder figures,
    for a paginator (one query per page). Each row knows ``circular`` without a query
    (the related manager's rows do), which the overdue rule reads."""
    # Correlated subqueries run for the rows of the page only; a join with GROUP BY
    # aggregated the reminders of every unit before the page was cut.
    reminders = Reminder.objects.filter(delivery=OuterRef("pk")).order_by().values("delivery")
    return (
        circular.deliveries.select_related("unit")
        .annotate(
            reminders_sent=Coalesce(Subquery(reminders.annotate(n=Count("pk")).values("n")), 0),
            last_reminder_at=Subquery(reminders.annotate(last=Max("created_at")).values("last")),
        )
        .order_by("unit__sort_order", "unit__name", "id")
    )


@dataclass
class Lateness:
    """Days late of the rows of one page, computed with one calendar read."""

    on: datetime.date

    def __post_init__(self):
        self.calendar = Calendar.load(self.on - datetime.timedelta(days=400), self.on)

    def days_late(self, delivery: Delivery) -> int:
        """Working days late now for a step overdue; the stored delay otherwise."""
        if delivery.is_ack_overdue(self.on):
            return self.calendar.working_days_between(delivery.ack_due_on, self.on)
        if delivery.is_report_overdue(self.on):
            return self.calendar.working_days_between(delivery.report_due_on, self.on)
        return max(delivery.ack_delay_days or 0, delivery.report_delay_days or 0)


def league(start: datetime.date, end: datetime.date, *, on: datetime.date | None = None) -> list[dict]:
    """Per unit, over the circulars issued between ``start`` and ``end``: how many, the
    on-time rates, the mean delay and what is overdue now. One GROUP BY; worst first."""
    on = on or timezone.localdate()
    counts = _counts(on)
    rows = (
        Delivery.objects.live()
        .filter(circular__issued_on__range=(start, end))
        .values("unit_id", "unit__code", "unit__name")
        .annotate(
            circulars=counts["total"],
            ack_on_time=counts["ack_on_time"],
            ack_base=counts["ack_base"],
            report_on_time=counts["report_on_time"],
            report_base=counts["report_base"],
            # Live already: the rows are.
            overdue=Count("id", filter=Delivery.ack_overdue_q(on) | Delivery.report_overdue_q(on)),
            delay_sum=Sum("ack_delay_days", default=0) + Sum("report_delay_days", default=0),
            delay_n=Count("ack_delay_days") + Count("report_delay_days"),
        )
        .order_by()
    )
    out = []
    for row in rows:
        out.append(
            {
                "unit": {"id": row["unit_id"], "code": row["unit__code"], "name": row["unit__name"]},
                "circulars": row["circulars"],
                "on_time_ack_rate": _rate(row["ack_on_time"], row["ack_base"]),
                "on_time_report_rate": _rate(row["report_on_time"], row["report_base"]),
                "mean_delay_days": round(row["delay_sum"] / row["delay_n"], 2) if row["delay_n"] else None,
                "overdue": row["overdue"],
            }
        )
    return sort_league(out)


LEAGUE_SORTS = {
    "worst": None,
    "name": lambda r: r["unit"]["name"],
    "circulars": lambda r: -r["circulars"],
    "ack": lambda r: (r["on_time_ack_rate"] is None, r["on_time_ack_rate"] or 0),
    "report": lambda r: (r["on_time_report_rate"] is None, r["on_time_report_rate"] or 0),
    "delay": lambda r: -(r["mean_delay_days"] or 0),
    "overdue": lambda r: -r["overdue"],
}


def sort_league(rows: list[dict], key: str = "worst") -> list[dict]:
    """Worst first by default: most overdue, then lowest report and acknowledgement rates."""
    if key not in LEAGUE_SORTS or LEAGUE_SORTS[key] is None:
        return sorted(
            rows,
            key=lambda r: (
                -r["overdue"],
                r["on_time_report_rate"] if r["on_time_report_rate"] is not None else 2,
                r["on_time_ack_rate"] if r["on_time_ack_rate"] is not None else 2,
                -(r["mean_delay_days"] or 0),
                r["unit"]["name"],
            ),
        )
    return sorted(rows, key=LEAGUE_SORTS[key])


PROGRESS_CACHE_SECONDS = 600


def progress_series(circular: Circular, *, figures: CircularFigures | None = None) -> dict:
    """Acknowledged and reported per local day, cumulative, for the progress chart.
    ``figures``: the circular's, when the caller has them (they hold its total and
    deadline, and key the days in the cache: a page read again while no unit has acted
    reads them from there; otherwise one more query reads them)."""
    if figures is None:
        row = Delivery.objects.filter(circular=circular).aggregate(total=Count("id"), ack=Max("ack_due_on"))
        total, first_due = row["total"], row["ack"]
        days = _progress_days(circular)
    else:
        total, first_due = figures.figures["total"], figures.ack_due_on
        days = cache.get_or_set(
            figures.progress_key(circular), lambda: _progress_days(circular), PROGRESS_CACHE_SECONDS
        )
    return {
        "total": total,
        **days,
        "issued_on": circular.issued_on,
        "ack_due_on": first_due,
        "report_due_on": circular.report_due_on,
    }


def _progress_days(circular: Circular) -> dict:
    """``acknowledged`` and ``reported``: (local day, running count) pairs, in one pass
    over the deliveries per (day acknowledged, day reported), summed per day here."""
    tz = _tz()
    pairs = (
        Delivery.objects.filter(circular=circular)
        .filter(Q(acknowledged_at__isnull=False) | Q(reported_at__isnull=False))
        .annotate(ack_day=TruncDate("acknowledged_at", tzinfo=tz), report_day=TruncDate("reported_at", tzinfo=tz))
        .values("ack_day", "report_day")
        .annotate(n=Count("id"))
        .order_by()
    )
    ack, rep = Counter(), Counter()
    for row in pairs:
        if row["ack_day"] is not None:
            ack[row["ack_day"]] += row["n"]
        if row["report_day"] is not None:
            rep[row["report_day"]] += row["n"]

    def cumulative(per_day: Counter) -> list:
        running, out = 0, []
        for day in sorted(per_day):
            running += per_day[day]
            out.append((day, running))
        return out

    return {"acknowledged": cumulative(ack), "reported": cumulative(rep)}


def monthly_group_rates(start: datetime.date, end: datetime.date, *, on: datetime.date | None = None) -> list[dict]:
    """On-time rates per unit group and month of issue (a unit in two groups counts in both)."""
    on = on or timezone.localdate()
    counts = _counts(on)
    rows = (
        Delivery.objects.filter(circular__issued_on__range=(start, end), unit__groups__isnull=False)
        .live()
        .annotate(month=TruncMonth("circular__issued_on"))
        .values("unit__groups__code", "unit__groups__name", "month")
        .annotate(
            ack_on_time=counts["ack_on_time"],
            ack_base=counts["ack_base"],
            report_on_time=counts["report_on_time"],
            report_base=counts["report_base"],
        )
        .order_by("unit__groups__name", "month")
    )
    return [
        {
            "group": {"code": r["unit__groups__code"], "name": r["unit__groups__name"]},
            "month": r["month"],
            "on_time_ack_rate": _rate(r["ack_on_time"], r["ack_base"]),
            "on_time_report_rate": _rate(r["report_on_time"], r["report_base"]),
        }
        for r in rows
    ]


def records_totals(start: datetime.date, end: datetime.date, *, on: datetime.date | None = None) -> dict:
    """The figures Decree 30 asks the records office to report for a period: incoming
    documents received, completed (answered by an issued circular) and due but not
    completed; and the same for the units' implementation of the circulars issued."""
    on = on or timezone.localdate()
    answered = Circular.objects.issued().filter(in_response_to=OuterRef("pk"))
    incoming = (
        IncomingDispatch.objects.filter(received_on__range=(start, end))
        .annotate(done=Exists(answered))
        .aggregate(
            received=Count("id"),
            completed=Count("id", filter=Q(done=True)),
            due_not_completed=Count("id", filter=Q(done=False, due_on__isnull=False, due_on__lte=min(end, on))),
        )
    )
    done = Q(status__in=[S.REPORTED, S.ACCEPTED])
    deliveries = (
        Delivery.objects.live()
        .filter(circular__issued_on__range=(start, end))
        .exclude(status=S.REFUSED)
        .aggregate(
            received=Count("id"),
            completed=Count("id", filter=done),
            due_not_completed=Count(
                "id", filter=~done & Q(report_due_on__isnull=False, report_due_on__lte=min(end, on))
            ),
        )
    )
    return {"incoming": incoming, "deliveries": deliveries}


def monitored_circulars(user):
    """The circulars on a user's overview: those their units monitor; signers and
    administrators see every issued one."""
    # Recalled and replaced ones stay on it, with their chain (and nothing late).
    qs = (
        Circular.objects.numbered()
        .exclude(status=Circular.Status.WITHDRAWN)
        .select_related("monitoring_unit", "signer")
    )
    if has_role(user, PortalRole.SIGNER, PortalRole.ADMIN):
        return qs
    return qs.filter(monitoring_unit__memberships__user=user).distinct()
