"""The dashboard's page of incoming dispatches in handling (theo dõi, đôn đốc việc giải
quyết văn bản đến) and its spreadsheet: the figures, the units' table and the dispatches,
with the overview's filters. For whoever sees the dashboard (``policy.require_dashboard``);
thin: the reads are ``dashboard.incoming``'s, the same the API answers with."""

import datetime

from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from acknowledgements.policy import reads_every_assignment
from circulars.workdays import due_soon_until
from core.errors import form_error
from dashboard import exports, incoming, policy
from dashboard.filters import IncomingFilterSet

PAGE_SIZE = 25


class IncomingBoard:
    """The filtered rows of one request, as of today: the page, the export and the API
    read the same."""

    def __init__(self, user, params, *, today: datetime.date | None = None):
        policy.require_dashboard(user)
        self.today = today or timezone.localdate()
        self.calendar = incoming.board_calendar(self.today)
        self.until = due_soon_until(self.today, self.calendar)
        base = incoming.leads(today=self.today, until=self.until)
        self.filterset = IncomingFilterSet(params, queryset=base)
        self.scope = self.filterset.scope(base)

    @property
    def rows(self):
        return self.filterset.qs

    def figures(self) -> dict:
        return incoming.figures(self.scope, today=self.today, until=self.until)

    def units(self) -> list[dict]:
        return incoming.by_unit(self.scope, today=self.today, until=self.until)

    def decorate(self, rows) -> list:
        late = incoming.Lateness(self.today, self.calendar)
        for row in rows:
            row.days_late = late.days_late(row)
        return rows


@require_GET
def incoming_dispatches(request):
    board = IncomingBoard(request.user, request.GET)
    page = Paginator(incoming.with_supports(board.rows), PAGE_SIZE).get_page(request.GET.get("page"))
    board.decorate(page.object_list)
    active = board.filterset.active()
    return render(
        request,
        "dashboard/incoming.html",
        {
            "form": board.filterset.form,
            "figures": board.figures(),
            "units": board.units(),
            "page_obj": page,
            "today": board.today,
            "due_soon_until": board.until,
            "state": active.get("state", ""),
            "filtered": bool(set(active) - {"sort"}),
            # The assignment page is the records office's and the unit's: linked for those who read it.
            "can_open": reads_every_assignment(request.user),
        },
    )


@require_GET
def incoming_xlsx(request):
    board = IncomingBoard(request.user, request.GET)
    if not board.filterset.is_valid():
        return HttpResponseBadRequest(form_error(board.filterset.form).message)
    return exports.incoming_xlsx(board.rows, on=board.today)
