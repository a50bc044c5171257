"""The dashboard in the API: a circular's deliveries for its monitoring office, its
figures and exports, the league table of units and the incoming dispatches in handling."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from acknowledgements.serializers import DispatchRefSerializer, MonitorDeliverySerializer, UnitRefSerializer
from circulars import policy as circular_policy
from circulars.models import Urgency
from circulars.policy import get_circular_for_user
from core.api import APIView, ChoiceField, FileAPIView, ListAPIView, QueryDateField, read_query
from core.parsing import MAX_ID
from core.rest import Pagination
from core.spreadsheets import XLSX_TYPE as XLSX
from dashboard import compliance, exports, incoming, policy
from dashboard.incoming_views import IncomingBoard
from units.models import Unit


class ComplianceSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    acknowledged = serializers.IntegerField()
    reported = serializers.IntegerField()
    accepted = serializers.IntegerField()
    returned = serializers.IntegerField()
    refused = serializers.IntegerField()
    overdue_ack = serializers.IntegerField()
    overdue_report = serializers.IntegerField()
    on_time_ack_rate = serializers.FloatField(allow_null=True, min_value=0, max_value=1)
    on_time_report_rate = serializers.FloatField(allow_null=True, min_value=0, max_value=1)


class LeagueRowSerializer(serializers.Serializer):
    unit = UnitRefSerializer()
    circulars = serializers.IntegerField()
    on_time_ack_rate = serializers.FloatField(allow_null=True)
    on_time_report_rate = serializers.FloatField(allow_null=True)
    mean_delay_days = serializers.FloatField(allow_null=True)
    overdue = serializers.IntegerField()


class CircularDeliveries(ListAPIView):
    """Every unit's delivery of one circular: for its monitoring office, signers and the
    records clerks who distribute it (the same rule as the page)."""

    serializer_class = MonitorDeliverySerializer

    def get_queryset(self):
        circular = get_circular_for_user(self.request.user, self.kwargs["pk"])
        if not circular_policy.may_follow(self.request.user, circular):
            raise PermissionDenied(_("Only the monitoring office of this circular and signers see all its deliveries."))
        return circular.deliveries.select_related("unit").order_by("unit__sort_order", "unit__name", "id")


# --- Compliance -----------------------------------------------------------------------


class Compliance(APIView):
    """The circular's figures as of now."""

    @extend_schema(responses=ComplianceSerializer)
    def get(self, request, pk):
        return Response(compliance.compliance(policy.get_monitored_circular(request.user, pk)))


class ComplianceXlsx(FileAPIView):
    media_type = XLSX
    file_format = "xlsx"

    @extend_schema(responses={(200, XLSX): OpenApiTypes.BINARY})
    def get(self, request, pk):
        return exports.unit_table_xlsx(policy.get_monitored_circular(request.user, pk))


class ComplianceCsv(FileAPIView):
    media_type = "text/csv"
    file_format = "csv"

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR})
    def get(self, request, pk):
        return exports.unit_table_csv(policy.get_monitored_circular(request.user, pk))


class ComplianceReportPdf(FileAPIView):
    media_type = "application/pdf"
    file_format = "pdf"

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, pk):
        return exports.summary_report_response(policy.get_monitored_circular(request.user, pk))


class _LeagueQuery(serializers.Serializer):
    def validate(self, data):
        today = timezone.localdate()
        data.setdefault("start", today.replace(month=1, day=1))
        data.setdefault("end", today)
        if data["start"] > data["end"]:
            raise serializers.ValidationError(_("The start of the period is after its end."))
        return data


# "from"/"to" are the parameter names the API promises ("from" is a Python keyword, hence
# a class built from a dict); the schema states their bounds from the same fields.
LeagueQuery = type(
    "LeagueQuery",
    (_LeagueQuery,),
    {
        "from": QueryDateField(source="start", help_text="From 1945-09-02; 1 January of this year unless given"),
        "to": QueryDateField(source="end", help_text="Not before `from`, at most ten years ahead; today unless given"),
    },
)


def league_period(params) -> tuple:
    query = LeagueQuery(data=params)
    query.is_valid(raise_exception=True)
    return query.validated_data["start"], query.validated_data["end"]


class UnitsLeague(APIView):
    """Per unit over circulars issued in the period: counts, on-time rates, mean delay,
    overdue now. Worst first."""

    pagination_class = Pagination  # the rows are a list, not a queryset: paginated by hand

    @extend_schema(parameters=[LeagueQuery], responses=LeagueRowSerializer(many=True))
    def get(self, request):
        policy.require_dashboard(request.user)
        start, end = league_period(request.query_params)
        rows = compliance.league(start, end)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(LeagueRowSerializer(page, many=True).data)


# --- Incoming dispatches in handling -------------------------------------------------


class IncomingFiguresSerializer(serializers.Serializer):
    in_handling = serializers.IntegerField()
    due_soon = serializers.IntegerField()
    overdue = serializers.IntegerField()
    done = serializers.IntegerField()


class IncomingUnitRowSerializer(serializers.Serializer):
    unit = UnitRefSerializer()
    lead = serializers.IntegerField(help_text="Dispatches it leads, in handling")
    support = serializers.IntegerField(help_text="Dispatches it supports, in handling")
    due_soon = serializers.IntegerField()
    overdue = serializers.IntegerField()
    done = serializers.IntegerField()


class IncomingRowSerializer(serializers.Serializer):
    """A dispatch assigned for handling, by its current lead assignment (``id``)."""

    id = serializers.IntegerField()
    dispatch = DispatchRefSerializer()
    lead_unit = UnitRefSerializer(source="unit")
    support_units = serializers.SerializerMethodField()
    due_on = serializers.DateField()
    state = serializers.ChoiceField(choices=incoming.STATES)
    days_late = serializers.IntegerField()
    leader = serializers.CharField(source="leader.username", help_text="The leader's username")
    instruction = serializers.CharField()
    completed_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(UnitRefSerializer(many=True))
    def get_support_units(self, lead):
        return UnitRefSerializer([s.unit for s in lead.dispatch.supports], many=True).data


class IncomingComplianceSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    due_soon_until = serializers.DateField()
    figures = IncomingFiguresSerializer()
    units = IncomingUnitRowSerializer(many=True)
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = IncomingRowSerializer(many=True)


class IncomingQuery(serializers.Serializer):
    """The page's filters, as the API reads them (ISO dates)."""

    received_from = QueryDateField(help_text="Received on or after; from 1945-09-02")
    received_to = QueryDateField(help_text="Received on or before")
    urgency = ChoiceField(choices=Urgency.choices, required=False, allow_blank=True)
    unit = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="Dispatches this unit (id) leads or supports"
    )
    state = ChoiceField(choices=incoming.STATES, required=False, allow_blank=True, help_text="The list only")
    sort = ChoiceField(choices=["due", "received"], required=False, allow_blank=True)


def incoming_board(request) -> IncomingBoard:
    """The dashboard's rows for the query's filters: 403 first for whoever may not see the
    dashboard, then a bad filter is a 400 and a unit that does not exist a 404."""
    policy.require_dashboard(request.user)
    query = read_query(IncomingQuery, request)
    unit = query.get("unit")
    if unit is not None and not Unit.objects.filter(pk=unit, active=True).exists():
        raise NotFound(_("There is no unit “%(key)s”.") % {"key": unit})
    params = {
        key: value.isoformat() if isinstance(value, datetime.date) else value
        for key, value in query.items()
        if value not in (None, "")
    }
    board = IncomingBoard(request.user, params)
    if not board.filterset.is_valid():
        raise serializers.ValidationError(board.filterset.errors)
    return board


class IncomingCompliance(APIView):
    """Incoming dispatches in handling, as of today: the figures and the units' table
    (over the period, urgency and unit filters) and the dispatches (also by state),
    paginated. For the monitoring office, signers and administrators (403 otherwise)."""

    pagination_class = Pagination
    error_codes = (404,)  # a unit that does not exist, a page past the last

    @extend_schema(parameters=[IncomingQuery], responses=IncomingComplianceSerializer)
    def get(self, request):
        board = incoming_board(request)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(incoming.with_supports(board.rows), request, view=self)
        board.decorate(page)
        listed = paginator.get_paginated_response(IncomingRowSerializer(page, many=True).data).data
        return Response(
            {
                "as_of": board.today,
                "due_soon_until": board.until,
                "figures": board.figures(),
                "units": IncomingUnitRowSerializer(board.units(), many=True).data,
                **listed,
            }
        )


class IncomingComplianceXlsx(FileAPIView):
    media_type = XLSX
    file_format = "xlsx"
    error_codes = (404,)  # a unit that does not exist

    @extend_schema(parameters=[IncomingQuery], responses={(200, XLSX): OpenApiTypes.BINARY})
    def get(self, request):
        board = incoming_board(request)
        return exports.incoming_xlsx(board.rows, on=board.today)
