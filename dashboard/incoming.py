"""Reads for the dashboard of incoming dispatches in handling (Decree 30 Art. 24: theo dõi,
đôn đốc): the figures, the table by unit and the dispatches, each one aggregate or one
page of rows, so that ten dispatches and ten thousand cost the same number of queries.

A dispatch assigned for handling has exactly one current lead assignment (a database
constraint), so the dispatches are counted as their lead assignments; the units' table
counts every current assignment, lead and supporting. The states are ``Assignment``'s
rules (``in_handling_q``, ``overdue_q``, ``due_soon_q``), the "due soon" window the
chase's (``circulars.workdays.due_soon_until``):
- in handling: open, its dispatch still being handled (due soon and overdue included);
- due soon: in handling, not overdue, due by the end of the window;
- overdue: in handling after its due date;
- done: completed by the lead unit or by a circular issued in response.
"""

import datetime

from django.db.models import Case, CharField, Count, Exists, OuterRef, Prefetch, Q, Value, When

from circulars.models import Assignment
from circulars.workdays import Calendar

A = Assignment.Status
STATES = ("in_handling", "due_soon", "overdue", "done")


def state_q(state: str, today: datetime.date, until: datetime.date) -> Q:
    in_handling = Assignment.in_handling_q()
    return {
        "in_handling": in_handling,
        "due_soon": in_handling & Assignment.due_soon_q(today, until),
        "overdue": in_handling & Assignment.overdue_q(today),
        "done": Q(status=A.DONE),
    }[state]


def leads(*, today: datetime.date, until: datetime.date):
    """One row per dispatch assigned for handling: its current lead assignment, with its
    dispatch, lead unit and leader, and its ``state`` (done, overdue, due soon, in
    handling, the first that holds)."""
    return (
        Assignment.objects.current()
        .filter(role=Assignment.Role.LEAD)
        .select_related("dispatch", "unit", "leader")
        .annotate(
            state=Case(
                When(state_q("done", today, until), then=Value("done")),
                When(state_q("overdue", today, until), then=Value("overdue")),
                When(state_q("due_soon", today, until), then=Value("due_soon")),
                When(state_q("in_handling", today, until), then=Value("in_handling")),
                default=Value(""),
                output_field=CharField(),
            )
        )
    )


def with_unit(queryset, unit):
    """The dispatches ``unit`` takes part in, as the lead unit or a supporting one."""
    mine = Assignment.objects.current().filter(dispatch=OuterRef("dispatch_id"), unit=unit)
    return queryset.filter(Exists(mine))


def figures(lead_rows, *, today: datetime.date, until: datetime.date) -> dict:
    """Dispatches in handling, due soon, overdue and done among ``lead_rows``: one query."""
    return lead_rows.order_by().aggregate(
        **{state: Count("id", filter=state_q(state, today, until)) for state in STATES}
    )


def by_unit(lead_rows, *, today: datetime.date, until: datetime.date) -> list[dict]:
    """Per unit taking part in the dispatches of ``lead_rows``: what it leads and supports
    in handling, its assignments due soon, overdue and done. One GROUP BY; the most
    overdue first."""
    in_handling = state_q("in_handling", today, until)
    rows = (
        Assignment.objects.current()
        .filter(dispatch__in=lead_rows.values("dispatch_id"))
        .values("unit_id", "unit__code", "unit__name")
        .annotate(
            lead=Count("id", filter=in_handling & Q(role=Assignment.Role.LEAD)),
            support=Count("id", filter=in_handling & Q(role=Assignment.Role.SUPPORT)),
            due_soon=Count("id", filter=state_q("due_soon", today, until)),
            overdue=Count("id", filter=state_q("overdue", today, until)),
            done=Count("id", filter=state_q("done", today, until)),
        )
        .order_by("-overdue", "-due_soon", "-lead", "-support", "unit__name", "unit_id")
    )
    return [
        {
            "unit": {"id": row["unit_id"], "code": row["unit__code"], "name": row["unit__name"]},
            **{key: row[key] for key in ("lead", "support", "due_soon", "overdue", "done")},
        }
        for row in rows
    ]


def with_supports(lead_rows):
    """Each row's dispatch with its current supporting assignments and their units
    (``dispatch.supports``): one more query for a whole page."""
    supports = Assignment.objects.current().filter(role=Assignment.Role.SUPPORT).select_related("unit")
    return lead_rows.prefetch_related(
        Prefetch("dispatch__assignments", queryset=supports.order_by("unit__name", "id"), to_attr="supports")
    )


def board_calendar(on: datetime.date) -> Calendar:
    """The working days a board reads as of ``on``: back to a year ago (days late) and on
    to two months ahead (the end of "due soon"); one query."""
    return Calendar.load(on - datetime.timedelta(days=400), on + datetime.timedelta(days=60))


class Lateness:
    """Working days late of the overdue rows of a page or an export: one calendar read."""

    def __init__(self, on: datetime.date, calendar: Calendar | None = None):
        self.on = on
        self.calendar = calendar or board_calendar(on)

    def days_late(self, assignment: Assignment) -> int:
        if not assignment.is_overdue(self.on):
            return 0
        return self.calendar.working_days_between(assignment.due_on, self.on)
