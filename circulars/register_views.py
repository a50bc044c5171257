"""Pages of the registers of Decree 30/2020, Appendix IV, kept per year: the outgoing
register's list and spreadsheet, and the printed book of both registers (the incoming
register's list and spreadsheet are with its other pages in ``circulars.views``).

A year that is not one (``?year=abc``, ``?year=1900``) is a 400 that says which years are;
someone who keeps no register gets a 404, as on the incoming register."""

from functools import wraps

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from circulars import registers
from circulars.policy import get_outgoing_register_for_user, get_register_for_user
from core.errors import Invalid

PAGE_SIZE = 50


def register_page(get_register):
    """A view of one year of a register: ``get_register(user)`` first (404 to an outsider,
    whatever the year), then the year (a 400 naming the years there are)."""

    def decorate(view):
        @wraps(view)
        def wrapper(request):
            documents = get_register(request.user)
            try:
                year = registers.register_year(request.GET.get("year"))
            except Invalid as error:
                return render(request, "400.html", {"message": error.message}, status=400)
            return view(request, documents, year)

        return require_GET(wrapper)

    return decorate


@register_page(get_outgoing_register_for_user)
def outgoing_list(request, circulars, year):
    page = Paginator(registers.outgoing_of_year(circulars, year), PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({"year": year})
    return render(
        request,
        "circulars/outgoing_list.html",
        {
            "year": year,
            "page_obj": page,
            "entries": registers.outgoing_entries(page.object_list),
            "columns": registers.OUTGOING_COLUMNS,
            "export_url": f"{reverse('outgoing-export')}?{query}",
            "print_url": f"{reverse('outgoing-print')}?{query}",
        },
    )


@register_page(get_outgoing_register_for_user)
def outgoing_export(request, circulars, year):
    return registers.register_xlsx(registers.OUTGOING, registers.outgoing_of_year(circulars, year), year)


@register_page(get_outgoing_register_for_user)
def outgoing_print(request, circulars, year):
    documents = registers.outgoing_of_year(circulars, year)
    return registers.register_pdf_response(registers.OUTGOING, documents, year, download=_download(request))


@register_page(get_register_for_user)
def incoming_print(request, dispatches, year):
    documents = registers.incoming_of_year(dispatches, year)
    return registers.register_pdf_response(registers.INCOMING, documents, year, download=_download(request))


def _download(request) -> bool:
    return request.GET.get("download") == "1"
