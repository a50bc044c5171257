"""The registers of Decree 30/2020, Appendix IV, kept per year: the incoming register's
list and spreadsheet, the outgoing register's, the printed book of both, and the
administrator's page that starts a register from a given number and keeps the yearly
swaps of working days.

A year that is not one (``?year=abc``, ``?year=1900``) is a 400 that says which years are;
someone who keeps no register gets a 404."""

from functools import wraps

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from circulars import policy, services
from circulars.filters import IncomingFilterSet
from circulars.models import NumberingRegister, RegisterEvent, WorkingDayChange
from circulars.policy import get_outgoing_register_for_user, get_register_for_user
from circulars.workdays import years_missing_swaps
from core.errors import DomainError, Invalid, form_error
from registers import books
from registers.forms import NoSwapsForm, RegisterRestartForm

PAGE_SIZE = 50


def register_page(get_register):
    """A view of one year of a register: ``get_register(user, **url_kwargs)`` first (404 to
    an outsider, whatever the year), then the year (a 400 naming the years there are)."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, **kwargs):
            documents = get_register(request.user, **kwargs)
            try:
                year = books.register_year(request.GET.get("year"))
            except Invalid as error:
                return render(request, "400.html", {"message": error.message}, status=400)
            return view(request, documents, year)

        return require_GET(wrapper)

    return decorate


@register_page(get_outgoing_register_for_user)
def outgoing_list(request, circulars, year):
    page = Paginator(books.outgoing_of_year(circulars, year), PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({"year": year})
    return render(
        request,
        "circulars/outgoing_list.html",
        {
            "year": year,
            "page_obj": page,
            "entries": books.outgoing_entries(page.object_list),
            "columns": books.OUTGOING_COLUMNS,
            "export_url": f"{reverse('outgoing-export')}?{query}",
            "print_url": f"{reverse('outgoing-print')}?{query}",
        },
    )


@register_page(get_outgoing_register_for_user)
def outgoing_export(request, circulars, year):
    return books.register_xlsx(books.OUTGOING, books.outgoing_of_year(circulars, year), year)


@register_page(get_outgoing_register_for_user)
def outgoing_print(request, circulars, year):
    documents = books.outgoing_of_year(circulars, year)
    return books.register_pdf_response(books.OUTGOING, documents, year, download=_download(request))


@register_page(get_register_for_user)
def incoming_print(request, dispatches, year):
    documents = books.incoming_of_year(dispatches, year)
    return books.register_pdf_response(books.INCOMING, documents, year, download=_download(request))


def _download(request) -> bool:
    return request.GET.get("download") == "1"


def _filtered_register(request):
    dispatches = get_register_for_user(request.user)
    years = dispatches.order_by("-arrival_year").values_list("arrival_year", flat=True).distinct()
    filterset = IncomingFilterSet(request.GET, queryset=dispatches, years=list(years))
    return filterset.form, filterset.active(), filterset.qs


@require_GET
def incoming_list(request):
    form, filters, dispatches = _filtered_register(request)
    page = Paginator(dispatches, PAGE_SIZE).get_page(request.GET.get("page"))
    # The register book is kept per year (arrival numbers restart on 1 January), so the
    # export is of one year: the one filtered on, or this year.
    export_filters = dict(filters)
    export_filters.setdefault("year", timezone.localdate().year)
    return render(
        request,
        "circulars/incoming_list.html",
        {
            "form": form,
            "page_obj": page,
            "filtered": bool(filters),
            "export_url": f"{reverse('incoming-export')}?{urlencode(export_filters)}",
            "export_year": export_filters["year"],
            "print_url": f"{reverse('incoming-print')}?{urlencode({'year': export_filters['year']})}",
            "columns": books.INCOMING_COLUMNS,
            "can_register": policy.may(request.user, "register"),
        },
    )


@require_GET
def incoming_export(request):
    _form, filters, dispatches = _filtered_register(request)
    year = filters.get("year") or timezone.localdate().year
    return books.register_xlsx(books.INCOMING, books.incoming_of_year(dispatches, year), year)


def _render_registers(request, *, error: DomainError | None = None, restart_forms=None):
    """This year's registers with their restart forms, their history, and the yearly
    swaps of working days still to enter."""
    year = timezone.localdate().year
    last_numbers = dict(NumberingRegister.objects.filter(year=year, unit=None).values_list("kind", "last_number"))
    restart_forms = restart_forms or {}
    registers = [
        {
            "kind": kind,
            "label": label,
            "last_number": last_numbers.get(kind, 0),
            "form": restart_forms.get(kind) or RegisterRestartForm(prefix=kind),
        }
        for kind, label in NumberingRegister.Kind.choices
        if kind in services.COMMITTEE_REGISTERS
    ]
    context = {
        "year": year,
        "registers": registers,
        "events": RegisterEvent.objects.select_related("register", "actor").order_by("-at", "-id")[:50],
        "missing_swap_years": years_missing_swaps(timezone.localdate()),
        "official_swaps": WorkingDayChange.objects.filter(
            source=WorkingDayChange.Source.OFFICIAL, date__year__gte=year - 1
        ),
        "error": error.message if error else None,
    }
    return render(request, "circulars/registers.html", context, status=error.status_code if error else 200)


@require_GET
def registers_page(request):
    policy.require(request.user, "restart_register")
    return _render_registers(request)


@require_POST
def register_restart(request, kind):
    policy.require(request.user, "restart_register")
    form = RegisterRestartForm(request.POST, prefix=kind)
    if not form.is_valid():
        return _render_registers(request, error=form_error(form), restart_forms={kind: form})
    try:
        register = services.restart_register(
            kind=kind, start_at=form.cleaned_data["start_at"], note=form.cleaned_data["note"], by=request.user
        )
    except DomainError as error:
        return _render_registers(request, error=error, restart_forms={kind: form})
    messages.success(
        request,
        _("The %(register)s of %(year)s starts from number %(number)d.")
        % {"register": register.get_kind_display().lower(), "year": register.year, "number": register.last_number + 1},
    )
    return redirect("registers")


@require_POST
def calendar_no_swaps(request):
    policy.require(request.user, "calendar")
    form = NoSwapsForm(request.POST)
    if not form.is_valid():
        return _render_registers(request, error=form_error(form))
    try:
        answer = services.answer_no_swaps(year=form.cleaned_data["year"], by=request.user)
    except DomainError as error:
        return _render_registers(request, error=error)
    messages.success(request, _("Noted: no swapped working days in %(year)d.") % {"year": answer.year})
    return redirect("home" if request.POST.get("next") == "home" else "registers")
