"""Each unit's own incoming register ("Sổ văn bản đến của đơn vị", Decree 30 Art. 22): the
circulars that reached the unit, numbered on arrival, in the columns of the committee's
incoming register (``registers.books``: the same book, its page, spreadsheet and print).

Its members read it, and so does whoever follows every unit (the monitoring office, the
records office, signers, administrators); to anyone else it does not exist (404). A year
that is not one is a 400 that says which years are."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from acknowledgements import policy
from acknowledgements.models import Delivery
from registers import books
from registers.views import PAGE_SIZE, register_page
from units.roles import PortalRole, has_role

UNITS_PAGE_SIZE = 50


@require_GET
def my_unit_register(request):
    """/unit-register/: a member of one unit goes to its register; a member of several, or
    whoever reads every unit's, chooses; anyone else finds nothing (404)."""
    units = policy.units_with_register_for_user(request.user)
    if not policy.reads_every_unit_register(request.user):
        mine = list(units[:2])
        if not mine:
            raise Http404
        if len(mine) == 1:
            return redirect("unit-register", key=mine[0].code)
    page = Paginator(units, UNITS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "acknowledgements/unit_register_choice.html", {"page_obj": page})


def _urls(unit, year) -> dict:
    query = urlencode({"year": year})
    return {
        "export_url": f"{reverse('unit-register-export', args=[unit.code])}?{query}",
        "print_url": f"{reverse('unit-register-print', args=[unit.code])}?{query}",
    }


@register_page(policy.get_unit_register_for_user)
def unit_register(request, unit, year):
    page = Paginator(Delivery.objects.in_register(unit, year), PAGE_SIZE).get_page(request.GET.get("page"))
    user = request.user
    return render(
        request,
        "acknowledgements/unit_register.html",
        {
            "unit": unit,
            "year": year,
            "page_obj": page,
            "lines": [(d, books.printed_cells(books.unit_incoming_row(d))) for d in page.object_list],
            "columns": books.INCOMING_COLUMNS,
            # A line opens its delivery for whoever may read every delivery of the unit.
            "link_lines": unit.pk in user.unit_ids or has_role(user, PortalRole.SIGNER, PortalRole.ADMIN),
            **_urls(unit, year),
        },
    )


@register_page(policy.get_unit_register_for_user)
def unit_register_export(request, unit, year):
    return books.register_xlsx(books.UNIT_INCOMING, Delivery.objects.in_register(unit, year), year, keeper=unit)


@register_page(policy.get_unit_register_for_user)
def unit_register_print(request, unit, year):
    return books.register_pdf_response(
        books.UNIT_INCOMING,
        Delivery.objects.in_register(unit, year),
        year,
        keeper=unit,
        download=request.GET.get("download") == "1",
    )
