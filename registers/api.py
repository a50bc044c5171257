"""The registers in the API: the outgoing register of a year (its lines and its
spreadsheet) and the administrator's restart of a register and answer on the year's
swapped working days."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from circulars import services
from circulars.policy import get_outgoing_register_for_user
from core import spreadsheets
from core.api import APIView, FileAPIView, GenericAPIView, read_query
from registers import books
from registers.serializers import (
    NoSwapsSerializer,
    OutgoingEntrySerializer,
    RegisterRestartSerializer,
    RegisterSerializer,
    RegisterYearQuery,
)


class OutgoingRegister(GenericAPIView):
    """The outgoing register of a year: every numbered document, in number order, with
    the columns of Decree 30/2020, Appendix IV (a withdrawn one keeps its line)."""

    serializer_class = OutgoingEntrySerializer

    def get_queryset(self):
        circulars = get_outgoing_register_for_user(self.request.user)
        return books.outgoing_of_year(circulars, read_query(RegisterYearQuery, self.request)["year"])

    @extend_schema(
        operation_id="outgoing_list", parameters=[RegisterYearQuery], responses=OutgoingEntrySerializer(many=True)
    )
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(OutgoingEntrySerializer(books.outgoing_entries(page), many=True).data)


class OutgoingRegisterXlsx(FileAPIView):
    """The outgoing register of a year as a spreadsheet: its name and year on top, then
    Appendix IV's columns in its order."""

    media_type = spreadsheets.XLSX_TYPE
    file_format = "xlsx"
    error_codes = (404,)  # to someone who keeps no register, it does not exist

    @extend_schema(parameters=[RegisterYearQuery], responses={(200, spreadsheets.XLSX_TYPE): OpenApiTypes.BINARY})
    def get(self, request):
        circulars = get_outgoing_register_for_user(request.user)
        year = read_query(RegisterYearQuery, request)["year"]
        return books.register_xlsx(books.OUTGOING, books.outgoing_of_year(circulars, year), year)


class RegisterRestart(APIView):
    """An administrator starts this year's register (``outgoing`` or ``incoming``) from a
    given number: 200 with the register; 409 at or below the last number given."""

    @extend_schema(request=RegisterRestartSerializer, responses=RegisterSerializer)
    def post(self, request, kind):
        data = RegisterRestartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        register = services.restart_register(kind=kind, by=request.user, **data.validated_data)
        return Response(RegisterSerializer(register).data)


class CalendarNoSwaps(APIView):
    """An administrator answers "no swapped working days in this year"."""

    @extend_schema(request=NoSwapsSerializer, responses=NoSwapsSerializer)
    def post(self, request):
        data = NoSwapsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        answer = services.answer_no_swaps(year=data.validated_data["year"], by=request.user)
        return Response({"year": answer.year})
