"""The acknowledgements API: the same services as the pages, in JSON."""

from django.db.models import Case, When
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response

from acknowledgements import assignments, services
from acknowledgements.models import Delivery
from acknowledgements.policy import get_assignment_for_user, get_delivery_for_user, get_report_for_user
from acknowledgements.serializers import (
    AssignInputSerializer,
    AssignmentDetailSerializer,
    AssignmentSerializer,
    CompleteInputSerializer,
    DeliveryDetailSerializer,
    InboxItemSerializer,
    MonitorDeliverySerializer,
    NoteInputSerializer,
    PresentSerializer,
    ReasonSerializer,
    ReportInputSerializer,
    ReportItemInputSerializer,
    ReportSerializer,
    ReportUploadSerializer,
    ReturnReportCommentSerializer,
    ReviewCommentSerializer,
)
from circulars.api import CircularWithdraw
from circulars.models import Assignment
from circulars.policy import get_circular_for_user, get_incoming_for_user
from circulars.serializers import CircularSerializer, IncomingSerializer
from core.addresses import client_ip
from core.api import APIView, ListAPIView, TextField, read_query
from core.uploads import EVIDENCE_KINDS, check_upload

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Distribute(APIView):
    @extend_schema(request=None, responses=inline_serializer("Distributed", {"deliveries": serializers.IntegerField()}))
    def post(self, request, pk):
        circular = get_circular_for_user(request.user, pk)
        return Response({"deliveries": services.distribute(circular=circular, by=request.user)})


class Withdraw(CircularWithdraw):
    """Withdraw a circular not yet issued; an issued one is recalled (a reason, in
    ``comment``, is then required), which reaches every unit."""

    def act(self, circular, request, data):
        return services.withdraw(circular=circular, by=request.user, reason=data["comment"])


class RecallSerializer(serializers.Serializer):
    # Checked by the service, so that a missing reason gets its message in the user's words.
    reason = TextField(max_length=2000, required=False, allow_blank=True, default="")


class Recall(APIView):
    """Thu hồi: its signer or an administrator recalls an issued circular, with a reason;
    every unit is told at once and its reminders stop."""

    @extend_schema(request=RecallSerializer, responses=CircularSerializer)
    def post(self, request, pk):
        circular = get_circular_for_user(request.user, pk)
        data = RecallSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        circular = services.recall(circular=circular, by=request.user, reason=data.validated_data["reason"])
        return Response(CircularSerializer(circular).data)


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
        request={"application/json": ReportInputSerializer, "multipart/form-data": ReportUploadSerializer},
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
    @extend_schema(request=ReturnReportCommentSerializer, responses=ReportSerializer)
    def post(self, request, pk):
        report = get_report_for_user(request.user, pk)
        data = ReturnReportCommentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.return_report(
            report=report, by=request.user, comment=data.validated_data["comment"], ip=client_ip(request)
        )
        return Response(ReportSerializer(report).data)


# --- Handling of incoming dispatches ---------------------------------------------------


class IncomingPresent(APIView):
    """Trình: the records clerk presents a registered dispatch to a leader."""

    @extend_schema(request=PresentSerializer, responses=IncomingSerializer)
    def post(self, request, pk):
        dispatch = get_incoming_for_user(request.user, pk)
        assignments.require_present(request.user)
        data = PresentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        dispatch = assignments.present(dispatch=dispatch, by=request.user, **data.validated_data)
        return Response(IncomingSerializer(dispatch).data)


class IncomingAssign(APIView):
    """Giao xử lý: the leader's instruction (or the records clerk's record of it) gives
    the dispatch to a lead unit and supporting units with a due date. Assigning again
    replaces the current assignment (its history stays)."""

    @extend_schema(request=AssignInputSerializer, responses={201: AssignmentSerializer(many=True)})
    def post(self, request, pk):
        dispatch = get_incoming_for_user(request.user, pk)
        assignments.require_assign(request.user)
        data = AssignInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        new = assignments.assign(dispatch=dispatch, by=request.user, **data.validated_data)
        return Response(AssignmentSerializer(new, many=True).data, status=status.HTTP_201_CREATED)


ASSIGNMENT_RELATED = ("dispatch", "unit", "leader", "assigned_by", "completed_by", "completed_by_circular")


class AssignmentQuery(serializers.Serializer):
    status = serializers.ChoiceField(choices=Assignment.Status.choices, required=False, allow_blank=True)


class AssignmentList(ListAPIView):
    """The assignments of the caller's units (current ones: not replaced), open ones
    first, by due date."""

    serializer_class = AssignmentSerializer

    def get_queryset(self):
        query = read_query(AssignmentQuery, self.request)
        qs = Assignment.objects.for_member(self.request.user).select_related(*ASSIGNMENT_RELATED)
        if state := query.get("status"):
            qs = qs.filter(status=state)
        return qs.order_by(Case(When(status=Assignment.Status.ASSIGNED, then=0), default=1), "due_on", "id")

    @extend_schema(parameters=[AssignmentQuery])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class AssignmentDetail(APIView):
    @extend_schema(responses=AssignmentDetailSerializer)
    def get(self, request, pk):
        assignment = get_assignment_for_user(request.user, pk)
        assignment = (
            Assignment.objects.select_related(*ASSIGNMENT_RELATED)
            .prefetch_related("reminders__notifications__user")
            .get(pk=assignment.pk)
        )
        return Response(AssignmentDetailSerializer(assignment).data)


class AssignmentNotes(APIView):
    """A unit's contribution to the handling (supporting units; the lead unit's progress)."""

    @extend_schema(request=NoteInputSerializer, responses={201: AssignmentDetailSerializer})
    def post(self, request, pk):
        assignment = get_assignment_for_user(request.user, pk)
        data = NoteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assignments.add_note(assignment=assignment, by=request.user, text=data.validated_data["text"])
        assignment = Assignment.objects.select_related(*ASSIGNMENT_RELATED).get(pk=assignment.pk)
        return Response(AssignmentDetailSerializer(assignment).data, status=status.HTTP_201_CREATED)


class AssignmentComplete(APIView):
    """The lead unit completes the handling, saying how; the supporting units' end with it."""

    @extend_schema(request=CompleteInputSerializer, responses=AssignmentSerializer)
    def post(self, request, pk):
        assignment = get_assignment_for_user(request.user, pk)
        data = CompleteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assignment = assignments.complete(assignment=assignment, by=request.user, note=data.validated_data["note"])
        return Response(AssignmentSerializer(assignment).data)
