"""Pages of the compliance dashboard: the overview of the circulars a user follows, one
circular's page (its figures, progress chart and unit table, chasing, reviewing reports
in place, exports) and the units league table.

Thin views: every figure comes from ``compliance.compliance`` (aggregate queries),
so each page costs the same number of queries for 5 units and for 5,000. htmx only
enhances: every link and form also works as a plain page.
"""

import datetime

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Prefetch, Subquery, Value, prefetch_related_objects
from django.db.models.functions import Coalesce
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from acknowledgements import policy as delivery_policy
from acknowledgements import services
from acknowledgements import views as delivery_views
from acknowledgements.forms import AcceptForm, ReturnForm
from acknowledgements.models import Delivery, ImplementationReport, ReportItem
from acknowledgements.policy import get_report_for_user
from chasing import sweep
from circulars import policy as circular_policy
from circulars.models import Circular, CircularRelation
from circulars.policy import get_circular_for_user
from core import formatting
from core.addresses import client_ip
from core.errors import DomainError, form_error
from core.forms import DayFirstDateField
from core.parsing import ids_in
from dashboard import charts, compliance, exports, policy
from dashboard.filters import OverviewFilterSet, UnitFilterSet
from dashboard.unit_rows import UnitRows

OVERVIEW_PAGE_SIZE = 25
UNITS_PAGE_SIZE = 50
LEAGUE_PAGE_SIZE = 100

S = Delivery.Status
# States in which a unit still owes something, so that chasing it makes sense.
# A unit can be chased while it still owes a step (the chasing service's own rule).
CHASEABLE = Delivery.REPORT_OWED


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


# --- The overview -------------------------------------------------------------------


def _next_deadline(circular: Circular, today: datetime.date):
    """The nearest deadline still ahead: (date, "ack" or "report"), or None."""
    ahead = [
        (day, step)
        for day, step in ((circular.ack_due, "ack"), (circular.report_due_on, "report"))
        if day and day >= today
    ]
    return min(ahead) if ahead else None


@require_GET
def overview(request):
    policy.require_dashboard(request.user)
    today = timezone.localdate()
    overdue = Delivery.objects.filter(circular=OuterRef("pk")).overdue(today)
    circulars = compliance.monitored_circulars(request.user).annotate(
        overdue_units=Coalesce(
            Subquery(overdue.order_by().values("circular").annotate(n=Count("id")).values("n")[:1]),
            Value(0),
        ),
        # Every delivery of a circular gets the same acknowledgement deadline.
        ack_due=Subquery(
            Delivery.objects.filter(circular=OuterRef("pk")).order_by("-ack_due_on").values("ack_due_on")[:1]
        ),
    )
    filterset = OverviewFilterSet(request.GET, queryset=circulars)
    page = Paginator(filterset.qs, OVERVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    figures = compliance.compliance_many(page.object_list, on=today)
    # The chain of each circular on the page (replaced by, corrected by, recalled): two
    # queries for the page, whatever its length.
    prefetch_related_objects(
        page.object_list,
        Prefetch("relations_from", queryset=CircularRelation.objects.select_related("target")),
        Prefetch("relations_to", queryset=CircularRelation.objects.select_related("circular")),
    )
    rows = []
    for circular in page.object_list:
        f = figures[circular.pk]
        rows.append(
            {
                "circular": circular,
                "figures": f,
                "bars": charts.figure_bars(f, ident=f"bars-{circular.pk}"),
                "next_deadline": _next_deadline(circular, today),
            }
        )
    return render(
        request,
        "dashboard/overview.html",
        {
            "form": filterset.form,
            "page_obj": page,
            "rows": rows,
            "sort": filterset.sort_key,
            "filtered": bool(set(filterset.active()) - {"sort"}),
        },
    )


# --- One circular -------------------------------------------------------------------


class CircularAccess:
    """What the user may do on a circular's page."""

    def __init__(self, user, circular: Circular):
        self.rights = circular_policy.follow_up(user, circular)
        self.monitor = "monitor" in self.rights
        # Records clerks open the page to distribute the circular (and see where it went).
        self.read = "follow" in self.rights
        self.chase = "chase" in self.rights
        self.live = circular.in_force


def _decorate(rows, *, access: CircularAccess, late: compliance.Lateness) -> None:
    """Per-row flags and days late, for one page of ``compliance.unit_rows``."""
    on = late.on
    for delivery in rows:
        delivery.ack_late = delivery.is_ack_overdue(on)
        delivery.report_late = delivery.is_report_overdue(on)
        delivery.days_late = late.days_late(delivery)
        delivery.chaseable = access.chase and access.live and delivery.status in CHASEABLE


def _row_context(circular: Circular, access: CircularAccess) -> dict:
    return {
        "circular": circular,
        "can_open": access.monitor,
        "can_chase": access.chase and access.live,
    }


def _unit_rows(circular: Circular, access: CircularAccess) -> UnitRows:
    return UnitRows(circular, can_open=access.monitor, can_chase=access.chase and access.live)


@require_GET
def circular_deliveries(request, pk):
    """The dashboard's page of one circular."""
    # The page shows the circular's own fields only: no related row joined in.
    return render_circular_page(request, get_circular_for_user(request.user, pk, related=(), chain_flag=True))


def render_circular_page(request, circular: Circular, *, error: DomainError | None = None):
    """The circular's page; with ``error``, the same page explaining why an action on it
    failed, answered with the error's status."""
    access = CircularAccess(request.user, circular)
    if not access.read:
        raise PermissionDenied(_("Only the monitoring office of this circular and signers see all its deliveries."))
    today = timezone.localdate()
    filterset = UnitFilterSet(request.GET, queryset=compliance.unit_rows(circular), on=today)
    filters = filterset.active()
    counted = compliance.circular_figures(circular, on=today)
    figures = counted.figures
    paginator = Paginator(UnitRows.rows(filterset.qs), UNITS_PAGE_SIZE)
    if not set(filters) - {"sort"}:
        # Unfiltered, the table has every delivery: the aggregate counted them already.
        paginator.count = figures["total"]
    page = paginator.get_page(request.GET.get("page"))
    _decorate(page.object_list, access=access, late=compliance.Lateness(today))

    series = compliance.progress_series(circular, figures=counted)
    chart_rows = charts.progress_table_rows(series)
    context = {
        **_row_context(circular, access),
        "unit_rows": _unit_rows(circular, access).render(page.object_list),
        "form": filterset.form,
        "filters": filters,
        "filtered": bool(set(filters) - {"sort"}),
        "sort": filterset.sort_key,
        "page_obj": page,
        "today": today,
        "figures": figures,
        "rates": {key: formatting.percent(figures[key]) for key in ("on_time_ack_rate", "on_time_report_rate")},
        "status_counts": [(code, label, counted.status_counts[code]) for code, label in S.choices],
        "total": figures["total"],
        "overdue_count": counted.overdue_units,
        "status_filter": filters.get("status", ""),
        "chart": charts.progress_chart(series, today=today),
        "chart_rows": chart_rows,
        "chart_body": charts.progress_table_body(chart_rows),
        "series": series,
        "can_export": access.monitor,
        "can_distribute": "distribute" in circular_policy.allowed_actions(request.user, circular, rights=access.rights),
        "chain": circular.chain,
        "error": error.message if error else None,
        "manual_every_hours": settings.REMINDERS["manual_every_hours"],
        "return_to": request.get_full_path(),
    }
    return render(request, "dashboard/circular_deliveries.html", context, status=error.status_code if error else 200)


def _back(request, circular: Circular):
    target = request.POST.get("next", "")
    # A path of this site only: redirect() would read a bare word as a view's name.
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return redirect("circular-deliveries", pk=circular.pk)


@require_POST
def circular_chase(request, pk):
    circular = get_circular_for_user(request.user, pk)
    if not circular_policy.may_chase(request.user, circular):
        raise PermissionDenied(_("Only the monitoring office of this circular chases its units."))
    hours = settings.REMINDERS["manual_every_hours"]
    if request.POST.get("scope") == "overdue":
        owed = circular.deliveries.overdue(timezone.localdate())
        unit_ids = list(owed.values_list("unit_id", flat=True))
    else:
        unit_ids = sorted(set(ids_in(request.POST.getlist("units"))))
    if not unit_ids:
        messages.warning(request, _("Choose at least one unit to chase."))
        return _back(request, circular)
    chased = sweep.chase_now(circular=circular, unit_ids=unit_ids, by=request.user)
    text = ngettext(
        "%(n)d unit is chased now, by email and in the portal.",
        "%(n)d units are chased now, by email and in the portal.",
        chased,
    ) % {"n": chased}
    skipped = len(unit_ids) - chased
    if skipped:
        text += " " + ngettext(
            "%(n)d was not: it owes nothing more, or it was chased in the last %(hours)d hours.",
            "%(n)d were not: they owe nothing more, or they were chased in the last %(hours)d hours.",
            skipped,
        ) % {"n": skipped, "hours": hours}
    text += " " + ngettext(
        "A unit is chased at most once every %(hours)d hour.",
        "A unit is chased at most once every %(hours)d hours.",
        hours,
    ) % {"hours": hours}
    (messages.success if chased else messages.warning)(request, text)
    return _back(request, circular)


# --- Reviewing a report in place (htmx) ---------------------------------------------


def _latest_report(delivery: Delivery) -> ImplementationReport | None:
    return (
        delivery.reports.select_related("submitted_by", "reviewed_by")
        .prefetch_related(Prefetch("items", queryset=ReportItem.objects.select_related("action_item")), "evidence")
        .order_by("-version")
        .first()
    )


def _render_panel(request, circular, delivery, *, error: DomainError | None = None, forms_=None):
    report = _latest_report(delivery)
    can_review = "review" in delivery_policy.allowed_actions(request.user, delivery, latest_report=report)
    forms_ = forms_ or {}
    response = render(
        request,
        "dashboard/_report_panel.html",
        {
            "circular": circular,
            "delivery": delivery,
            "report": report,
            "can_review": can_review,
            "accept_form": forms_.get("accept") or AcceptForm(auto_id="panel-accept-%s"),
            "return_form": forms_.get("return") or ReturnForm(auto_id="panel-return-%s"),
            "error": error.message if error else None,
        },
        status=error.status_code if error else 200,
    )
    if error is not None:
        # The error goes to the panel, not over the row the form aimed at.
        response["HX-Retarget"] = "#report-panel"
        response["HX-Reswap"] = "innerHTML"
    return response


@require_GET
def circular_report_panel(request, pk, delivery_pk):
    """The latest report of one unit with the accept/return forms, as a fragment of the
    circular's page; without htmx, the delivery's own page, where the same forms are."""
    circular = get_circular_for_user(request.user, pk)
    policy.require_monitor(request.user, circular)
    delivery = get_object_or_404(Delivery.objects.select_related("unit"), pk=delivery_pk, circular=circular)
    if not is_htmx(request):
        return redirect("delivery-detail", pk=delivery.pk)
    return _render_panel(request, circular, delivery)


def _review_in_place(request, pk, action: str, form_class, call, success_message: str):
    report = get_report_for_user(request.user, pk)
    delivery = Delivery.objects.select_related("circular", "unit").get(pk=report.delivery_id)
    circular = delivery.circular
    form = form_class(request.POST, auto_id=f"panel-{action}-%s")
    if not form.is_valid():
        message = form_error(form).message
        return _render_panel(request, circular, delivery, error=DomainError(message), forms_={action: form})
    try:
        call(report, form.cleaned_data)
    except DomainError as error:
        return _render_panel(request, circular, delivery, error=error, forms_={action: form})
    access = CircularAccess(request.user, circular)
    today = timezone.localdate()
    row = UnitRows.rows(compliance.unit_rows(circular)).get(pk=delivery.pk)
    _decorate([row], access=access, late=compliance.Lateness(today))
    return render(
        request,
        "dashboard/_row_reviewed.html",
        {"row_html": _unit_rows(circular, access).row(row), "message": success_message},
    )


@require_POST
def report_accept(request, pk):
    """``report-accept``: in place for htmx (the unit's row comes back), else the
    delivery page's own view."""
    if not is_htmx(request):
        return delivery_views.report_accept(request, pk)
    return _review_in_place(
        request,
        pk,
        "accept",
        AcceptForm,
        lambda r, data: services.accept_report(
            report=r, by=request.user, comment=data["comment"], ip=client_ip(request)
        ),
        _("The report is accepted."),
    )


@require_POST
def report_return(request, pk):
    if not is_htmx(request):
        return delivery_views.report_return(request, pk)
    return _review_in_place(
        request,
        pk,
        "return",
        ReturnForm,
        lambda r, data: services.return_report(
            report=r, by=request.user, comment=data["comment"], ip=client_ip(request)
        ),
        _("The report is returned to the unit with your comment."),
    )


# --- A circular's exports -----------------------------------------------------------


@require_GET
def circular_export_xlsx(request, pk):
    return exports.unit_table_xlsx(policy.get_monitored_circular(request.user, pk))


@require_GET
def circular_export_csv(request, pk):
    return exports.unit_table_csv(policy.get_monitored_circular(request.user, pk))


@require_GET
def circular_report_pdf(request, pk):
    return exports.summary_report_response(policy.get_monitored_circular(request.user, pk))


# --- The units league table ---------------------------------------------------------


class PeriodForm(forms.Form):
    """From/to, dd/mm/yyyy; by default 1 January of this year to today."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from"] = DayFirstDateField(label=_("From"), required=False)
        self.fields["to"] = DayFirstDateField(label=_("To"), required=False)

    def clean(self):
        data = super().clean()
        start, end = data.get("from"), data.get("to")
        if start and end and start > end:
            raise forms.ValidationError(_("The start of the period is after its end."))
        return data

    def period(self) -> tuple[datetime.date, datetime.date]:
        today = timezone.localdate()
        start, end = today.replace(month=1, day=1), today
        if self.is_valid():
            start = self.cleaned_data.get("from") or start
            end = self.cleaned_data.get("to") or max(end, start)
        return start, end


def _league(request):
    policy.require_dashboard(request.user)
    form = PeriodForm(request.GET)
    start, end = form.period()
    sort = request.GET.get("sort", "worst")
    if sort not in compliance.LEAGUE_SORTS:
        sort = "worst"
    rows = compliance.league(start, end)
    if sort != "worst":
        rows = compliance.sort_league(rows, sort)
    return form, start, end, sort, rows


LEAGUE_COLUMNS = [
    ("name", gettext_lazy("Unit")),
    ("circulars", gettext_lazy("Circulars")),
    ("ack", gettext_lazy("Acknowledged on time")),
    ("report", gettext_lazy("Reported on time")),
    ("delay", gettext_lazy("Mean delay (working days)")),
    ("overdue", gettext_lazy("Overdue now")),
]


@require_GET
def units_league(request):
    form, start, end, sort, rows = _league(request)
    page = Paginator(rows, LEAGUE_PAGE_SIZE).get_page(request.GET.get("page"))
    for row in page.object_list:
        row["ack_percent"] = formatting.percent(row["on_time_ack_rate"])
        row["report_percent"] = formatting.percent(row["on_time_report_rate"])
        row["delay_text"] = "—" if row["mean_delay_days"] is None else formats.number_format(row["mean_delay_days"], 2)
    today = timezone.localdate()
    group_rates = compliance.monthly_group_rates(start, end, on=today)
    months, groups, cell = charts.rates_by_group(group_rates)
    rate_rows = [
        {
            "month": month,
            "cells": [
                {
                    "ack": formatting.percent(cell[(g["code"], month)]["on_time_ack_rate"])
                    if (g["code"], month) in cell
                    else "—",
                    "report": (
                        formatting.percent(cell[(g["code"], month)]["on_time_report_rate"])
                        if (g["code"], month) in cell
                        else "—"
                    ),
                }
                for g in groups
            ],
        }
        for month in months
    ]
    query = {"from": formatting.day(start), "to": formatting.day(end)}
    if sort != "worst":
        query["sort"] = sort
    return render(
        request,
        "dashboard/units.html",
        {
            "form": form,
            "start": start,
            "end": end,
            "sort": sort,
            "columns": LEAGUE_COLUMNS,
            "page_obj": page,
            "totals": compliance.records_totals(start, end, on=today),
            "ack_chart": charts.group_rates_chart(
                group_rates,
                rate="on_time_ack_rate",
                title=_("Acknowledged on time, per group and month"),
                ident="ack-rates",
            ),
            "report_chart": charts.group_rates_chart(
                group_rates,
                rate="on_time_report_rate",
                title=_("Reported on time, per group and month"),
                ident="report-rates",
            ),
            "groups": groups,
            "rate_rows": rate_rows,
            "export_query": urlencode(query),
        },
    )


def _league_export(request, make):
    form, start, end, _sort, rows = _league(request)
    if form.is_bound and form.data and not form.is_valid():
        return HttpResponseBadRequest(form_error(form).message)
    return make(rows, start, end)


@require_GET
def units_league_xlsx(request):
    return _league_export(request, exports.league_xlsx)


@require_GET
def units_league_csv(request):
    return _league_export(request, exports.league_csv)


# --- Distributing from the circular's page --------------------------------------------------------


@require_POST
def circular_distribute(request, pk):
    circular = get_circular_for_user(request.user, pk)
    try:
        total = services.distribute(circular=circular, by=request.user)
    except DomainError as error:
        return render_circular_page(request, circular, error=error)
    messages.success(request, ngettext("Sent to %(n)d unit.", "Sent to %(n)d units.", total) % {"n": total})
    return redirect("circular-deliveries", pk=circular.pk)
