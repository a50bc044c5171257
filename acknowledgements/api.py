"""The acknowledgements API: the same services as the pages, in JSON."""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from acknowledgements import chasing, dashboard, exports, services
from acknowledgements.access import get_delivery_for_user, get_report_for_user
from acknowledgements.models import Delivery
from acknowledgements.serializers import (
    ChaseSerializer,
    ComplianceSerializer,
    DeliveryDetailSerializer,
    InboxItemSerializer,
    LeagueRowSerializer,
    MonitorDeliverySerializer,
    ReasonSerializer,
    ReportInputSerializer,
    ReportItemInputSerializer,
    ReportSerializer,
    ReviewCommentSerializer,
)
from circulars.access import get_circular_for_user
from portal.api import APIView, ListAPIView
from portal.rest import Pagination
from portal.uploads import EVIDENCE_KINDS, check_upload
from units.roles import PortalRole, has_role

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR")


class Distribute(APIView):
    @extend_schema(request=None, responses=inline_serializer("Distributed", {"deliveries": serializers.IntegerField()}))
    def post(self, request, pk):
        circular = get_circular_for_user(request.user, pk)
        return Response({"deliveries": services.distribute(circular=circular, by=request.user)})


class CircularDeliveries(ListAPIView):
    """Every unit's delivery of one circular: for its monitoring office and signers."""

    serializer_class = MonitorDeliverySerializer

    def get_queryset(self):
        circular = get_circular_for_user(self.request.user, self.kwargs["pk"])
        if not services.is_monitor_of(self.request.user, circular):
            raise PermissionDenied(_("Only the monitoring office of this circular and signers see all its deliveries."))
        return circular.deliveries.select_related("unit").order_by("unit__sort_order", "unit__name", "id")


class InboxQuery(serializers.Serializer):
    status = serializers.ChoiceField(choices=Delivery.Status.choices, required=False, allow_blank=True)


class Inbox(ListAPIView):
    """Deliveries to the caller's units, newest first."""

    serializer_class = InboxItemSerializer

    def get_queryset(self):
        qs = Delivery.objects.for_units_of(self.request.user).select_related("circular", "unit")
        query = InboxQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)  # an unknown status is a 400, not an empty inbox (or a 500)
        if state := query.validated_data.get("status"):
            qs = qs.filter(status=state)
        return qs.order_by("-sent_at", "-id")

    @extend_schema(parameters=[InboxQuery])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class DeliveryDetail(APIView):
    @extend_schema(responses=DeliveryDetailSerializer)
    def get(self, request, pk):
        delivery = get_delivery_for_user(request.user, pk)
        services.mark_viewed(delivery=delivery, by=request.user)
        delivery = (
            Delivery.objects.select_related("circular", "unit")
            .prefetch_related(
                "events__actor",
                "reports__items",
                "reports__evidence",
                "reports__submitted_by",
                "reports__reviewed_by",
                "reminders__notifications__user",
            )
            .get(pk=delivery.pk)
        )
        return Response(DeliveryDetailSerializer(delivery).data)


class Acknowledge(APIView):
    @extend_schema(request=None, responses=MonitorDeliverySerializer)
    def post(self, request, pk):
        delivery = get_delivery_for_user(request.user, pk)
        delivery = services.acknowledge(delivery=delivery, by=request.user, ip=client_ip(request))
        return Response(MonitorDeliverySerializer(delivery).data)


class Refuse(APIView):
    @extend_schema(request=ReasonSerializer, responses=MonitorDeliverySerializer)
    def post(self, request, pk):
        delivery = get_delivery_for_user(request.user, pk)
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        delivery = services.refuse(
            delivery=delivery, by=request.user, reason=data.validated_data["reason"], ip=client_ip(request)
        )
        return Response(MonitorDeliverySerializer(delivery).data)


class SubmitReport(APIView):
    @extend_schema(
        request={"application/json": ReportInputSerializer, "multipart/form-data": ReportInputSerializer},
        responses={201: ReportSerializer},
    )
    def post(self, request, pk):
        delivery = get_delivery_for_user(request.user, pk)
        # The shape first (a body that is not an object, a summary that is not text, an
        # item status that is a list: 400, not 500); the service checks the rules.
        data = ReportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        items = ReportItemInputSerializer(data=services.parse_report_items(data.validated_data["items"]), many=True)
        items.is_valid(raise_exception=True)
        files = [check_upload(f, allowed=EVIDENCE_KINDS) for f in request.FILES.getlist("files")]
        report = services.submit_report(
            delivery=delivery,
            by=request.user,
            summary=data.validated_data["summary"],
            items=items.validated_data,
            files=files,
            ip=client_ip(request),
        )
        return Response(ReportSerializer(report).data, status=status.HTTP_201_CREATED)


class AcceptReport(APIView):
    @extend_schema(request=ReviewCommentSerializer, responses=ReportSerializer)
    def post(self, request, pk):
        report = get_report_for_user(request.user, pk)
        data = ReviewCommentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.accept_report(
            report=report, by=request.user, comment=data.validated_data["comment"], ip=client_ip(request)
        )
        return Response(ReportSerializer(report).data)


class ReturnReport(APIView):
    @extend_schema(request=ReviewCommentSerializer, responses=ReportSerializer)
    def post(self, request, pk):
        report = get_report_for_user(request.user, pk)
        data = ReviewCommentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.return_report(
            report=report, by=request.user, comment=data.validated_data["comment"], ip=client_ip(request)
        )
        return Response(ReportSerializer(report).data)


class Chase(APIView):
    """The monitoring office chases chosen units of a circular now."""

    @extend_schema(
        request=ChaseSerializer, responses=inline_serializer("Chased", {"queued": serializers.IntegerField()})
    )
    def post(self, request, pk):
        circular = get_circular_for_user(request.user, pk)
        if not services.can_chase(request.user, circular):
            raise PermissionDenied(_("Only the monitoring office of this circular chases its units."))
        data = ChaseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        queued = chasing.chase_now(circular=circular, unit_ids=data.validated_data["units"], by=request.user)
        return Response({"queued": queued})


# --- Compliance -----------------------------------------------------------------------


def _monitored(request, pk):
    circular = get_circular_for_user(request.user, pk)
    if not services.is_monitor_of(request.user, circular):
        raise PermissionDenied(_("Only the monitoring office of this circular and signers see its compliance."))
    return circular


class Compliance(APIView):
    """The circular's figures as of now."""

    @extend_schema(responses=ComplianceSerializer)
    def get(self, request, pk):
        return Response(dashboard.compliance(_monitored(request, pk)))


class ComplianceXlsx(APIView):
    @extend_schema(responses={(200, XLSX): OpenApiTypes.BINARY})
    def get(self, request, pk):
        return exports.unit_table_xlsx(_monitored(request, pk))


class ComplianceCsv(APIView):
    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR})
    def get(self, request, pk):
        return exports.unit_table_csv(_monitored(request, pk))


class ComplianceReportPdf(APIView):
    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, pk):
        return exports.summary_report_response(_monitored(request, pk))


class LeagueQuery(serializers.Serializer):
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)

    def validate(self, data):
        today = timezone.localdate()
        data.setdefault("start", today.replace(month=1, day=1))
        data.setdefault("end", today)
        if data["start"] > data["end"]:
            raise serializers.ValidationError(_("The start of the period is after its end."))
        return data


def league_period(params) -> tuple:
    # "from"/"to" are the parameter names the API promises.
    query = LeagueQuery(data={k: v for k, v in {"start": params.get("from"), "end": params.get("to")}.items() if v})
    query.is_valid(raise_exception=True)
    return query.validated_data["start"], query.validated_data["end"]


def require_dashboard_role(user) -> None:
    if not has_role(user, PortalRole.MONITOR, PortalRole.SIGNER, PortalRole.ADMIN):
        raise PermissionDenied(_("The league table is for the monitoring office and signers."))


class UnitsLeague(APIView):
    """Per unit over circulars issued in the period: counts, on-time rates, mean delay,
    overdue now. Worst first."""

    pagination_class = Pagination  # the rows are a list, not a queryset: paginated by hand

    @extend_schema(
        parameters=[OpenApiParameter("from", OpenApiTypes.DATE), OpenApiParameter("to", OpenApiTypes.DATE)],
        responses=LeagueRowSerializer(many=True),
    )
    def get(self, request):
        require_dashboard_role(request.user)
        start, end = league_period(request.query_params)
        rows = dashboard.league(start, end)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(LeagueRowSerializer(page, many=True).data)
