"""Each unit's own incoming register in the API: ``GET /api/v1/units/<code|id>/register/``
(a year's lines in arrival-number order, paginated) and its spreadsheet. The same reader
rule as the page (``policy.get_unit_register_for_user``): 404 to an outsider, whatever
the year; then a year that is not one is a 400."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema

from acknowledgements import policy
from acknowledgements.models import Delivery
from acknowledgements.serializers import UnitRegisterEntrySerializer
from core import spreadsheets
from core.api import FileAPIView, GenericAPIView, read_query
from registers import books
from registers.serializers import RegisterYearQuery


def entries(deliveries) -> list[dict]:
    """The lines as the API gives them: the book's columns, by name."""
    lines = []
    for delivery in deliveries:
        row = books.unit_incoming_row(delivery)
        circular = delivery.circular
        lines.append(
            {
                "id": delivery.pk,
                "arrival_year": delivery.arrival_year,
                "arrival_number": row[0],
                "arrived_on": row[1],
                "issuer": row[2],
                "circular": circular.pk,
                "reference": row[3],
                "issued_on": row[4],
                "document_type": circular.document_type,
                "subject": circular.subject,
                "type_and_subject": row[5],
                "received_by": row[6],
                "transferred_on": row[7],
                "status": delivery.status,
                "note": str(row[9]),
            }
        )
    return lines


class UnitRegister(GenericAPIView):
    """A unit's own incoming register of a year: what reached the unit, in arrival-number
    order, with the columns of Decree 30/2020, Appendix IV."""

    serializer_class = UnitRegisterEntrySerializer

    def get_queryset(self):
        unit = policy.get_unit_register_for_user(self.request.user, self.kwargs["key"])
        return Delivery.objects.in_register(unit, read_query(RegisterYearQuery, self.request)["year"])

    @extend_schema(
        operation_id="unit_register_list",
        parameters=[RegisterYearQuery],
        responses=UnitRegisterEntrySerializer(many=True),
    )
    def get(self, request, key):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(UnitRegisterEntrySerializer(entries(page), many=True).data)


class UnitRegisterXlsx(FileAPIView):
    """A unit's own incoming register of a year as a spreadsheet: its name, the unit and
    the year on top, then Appendix IV's columns in its order."""

    media_type = spreadsheets.XLSX_TYPE
    file_format = "xlsx"
    error_codes = (404,)

    @extend_schema(parameters=[RegisterYearQuery], responses={(200, spreadsheets.XLSX_TYPE): OpenApiTypes.BINARY})
    def get(self, request, key):
        unit = policy.get_unit_register_for_user(request.user, key)
        year = read_query(RegisterYearQuery, request)["year"]
        return books.register_xlsx(books.UNIT_INCOMING, Delivery.objects.in_register(unit, year), year, keeper=unit)
