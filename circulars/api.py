"""The circulars API: the same services as the pages, in JSON."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from circulars import services, signatures
from circulars.documents import approved_draft_response, pdf_response, secret_notice
from circulars.models import Circular, IncomingDispatch
from circulars.policy import (
    get_circular_for_user,
    get_incoming_for_user,
    get_register_for_user,
    may,
)
from circulars.serializers import (
    ApproveSerializer,
    CircularListSerializer,
    CircularSerializer,
    CircularWriteSerializer,
    CommentSerializer,
    FileUploadSerializer,
    IncomingCreateSerializer,
    IncomingSerializer,
    IncomingUploadSerializer,
    IssuedSerializer,
    IssueSerializer,
    ReturnCommentSerializer,
    ValidationAnswerSerializer,
    VerificationSerializer,
)
from circulars.workdays import due_date
from core.api import APIView, DateField, FileAPIView, GenericAPIView, read_query
from core.errors import Forbidden, Invalid
from core.throttles import AddressRateThrottle
from core.uploads import ATTACHMENT_KINDS, PDF, check_upload


class IncomingQuery(serializers.Serializer):
    # A CharField refuses NUL characters, which PostgreSQL cannot compare with.
    q = serializers.CharField(
        required=False, allow_blank=True, help_text="Words to find; diacritics and case are ignored"
    )


class CircularQuery(IncomingQuery):
    status = serializers.ChoiceField(choices=Circular.Status.choices, required=False, allow_blank=True)


class IncomingListCreate(GenericAPIView):
    serializer_class = IncomingSerializer

    def get_queryset(self):
        qs = get_register_for_user(self.request.user).with_handling()
        if q := read_query(IncomingQuery, self.request).get("q"):
            qs = qs.search(q)
        return qs

    @extend_schema(operation_id="incoming_list", parameters=[IncomingQuery], responses=IncomingSerializer(many=True))
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(IncomingSerializer(page, many=True).data)

    @extend_schema(
        request={"application/json": IncomingCreateSerializer, "multipart/form-data": IncomingUploadSerializer},
        responses={201: IncomingSerializer},
    )
    def post(self, request):
        data = IncomingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        files = [check_upload(f, allowed=ATTACHMENT_KINDS) for f in request.FILES.getlist("file")]
        dispatch = services.register_incoming(by=request.user, files=files, **data.validated_data)
        return Response(IncomingSerializer(dispatch).data, status=status.HTTP_201_CREATED)


class IncomingDetail(APIView):
    """One entry of the incoming register, with the report of its PDF's signatures."""

    @extend_schema(responses=IncomingSerializer)
    def get(self, request, pk):
        dispatch = get_incoming_for_user(request.user, pk)
        return Response(IncomingSerializer(IncomingDispatch.objects.with_handling().get(pk=dispatch.pk)).data)


class CircularListCreate(GenericAPIView):
    serializer_class = CircularListSerializer

    def get_queryset(self):
        qs = Circular.objects.for_user(self.request.user)
        query = read_query(CircularQuery, self.request)
        if q := query.get("q"):
            qs = qs.search(q)
        if state := query.get("status"):
            qs = qs.filter(status=state)
        return qs.order_by("-created_at", "-id")

    @extend_schema(
        operation_id="circulars_list", parameters=[CircularQuery], responses=CircularListSerializer(many=True)
    )
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(CircularListSerializer(page, many=True).data)

    @extend_schema(request=CircularWriteSerializer, responses={201: CircularSerializer})
    def post(self, request):
        data = CircularWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        relations = {
            name: fields.pop(name)
            for name in (
                "recipient_groups",
                "recipient_units",
                "action_items",
                "in_response_to",
                "replaces",
                "corrects",
            )
        }
        circular = services.create_draft(by=request.user, data=fields, **relations)
        return Response(CircularSerializer(circular).data, status=status.HTTP_201_CREATED)


class CircularDetail(APIView):
    @extend_schema(responses=CircularSerializer)
    def get(self, request, pk):
        circular = get_circular_for_user(request.user, pk)
        return Response(CircularSerializer(circular).data)


class _Transition(APIView):
    request_serializer = None

    def act(self, circular, request, data):
        raise NotImplementedError

    def post(self, request, pk):
        circular = get_circular_for_user(request.user, pk)
        data = {}
        if self.request_serializer is not None:
            serializer = self.request_serializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
        circular = self.act(circular, request, data)
        return Response(self.response_serializer(circular).data)

    response_serializer = CircularSerializer


@extend_schema(request=None, responses=CircularSerializer)
class CircularSubmit(_Transition):
    def act(self, circular, request, data):
        return services.submit(circular=circular, by=request.user)


@extend_schema(request=ApproveSerializer, responses=CircularSerializer)
class CircularApprove(_Transition):
    """Approve; with a signing credential kept by the portal, sign (``{"pin"}`` unlocks it)."""

    request_serializer = ApproveSerializer

    def act(self, circular, request, data):
        return services.approve(circular=circular, by=request.user, pin=data.get("pin"))


@extend_schema(request=ReturnCommentSerializer, responses=CircularSerializer)
class CircularReturn(_Transition):
    request_serializer = ReturnCommentSerializer

    def act(self, circular, request, data):
        return services.return_to_drafter(circular=circular, by=request.user, comment=data["comment"])


@extend_schema(request=CommentSerializer, responses=CircularSerializer)
class CircularWithdraw(_Transition):
    request_serializer = CommentSerializer

    def act(self, circular, request, data):
        return services.withdraw(circular=circular, by=request.user, reason=data["comment"])


@extend_schema(request=IssueSerializer, responses=IssuedSerializer)
class CircularIssue(_Transition):
    request_serializer = IssueSerializer
    response_serializer = IssuedSerializer

    def act(self, circular, request, data):
        return services.issue(circular=circular, by=request.user, issued_on=data.get("issued_on"), pin=data.get("pin"))


class CircularPdf(FileAPIView):
    """The issued PDF as frozen at issue; before issue, a fresh draft preview."""

    media_type = "application/pdf"
    file_format = "pdf"

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, pk):
        return pdf_response(get_circular_for_user(request.user, pk), download=request.GET.get("download") == "1")


def uploaded_pdf(request) -> bytes:
    """The multipart ``file``, checked as a PDF by its content (400 otherwise)."""
    uploaded = request.FILES.get("file")
    if uploaded is None:
        raise Invalid(_("Send the PDF file in the field “file”."))
    return check_upload(uploaded, allowed=(PDF,)).data


class CircularApprovedDraft(FileAPIView):
    """The approved draft, number and date left blank, for a signer who signs it outside
    the portal (a USB token); 404 before approval."""

    media_type = "application/pdf"
    file_format = "pdf"

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, pk):
        return approved_draft_response(get_circular_for_user(request.user, pk))


class CircularSignedDraft(APIView):
    """The approved draft signed outside the portal: accepted only if it is the portal's
    draft byte for byte plus a valid signature (400 with the reason otherwise)."""

    @extend_schema(request={"multipart/form-data": FileUploadSerializer}, responses=CircularSerializer)
    def post(self, request, pk):
        circular = get_circular_for_user(request.user, pk)
        if not may(request.user, "approve"):  # before reading the file: 403, not a 400 about it
            raise Forbidden(_("Only a signer hands in a signed draft."))
        circular = services.upload_signed_draft(circular=circular, by=request.user, data=uploaded_pdf(request))
        return Response(CircularSerializer(circular).data)


class SignaturesValidate(APIView):
    """Public: the digital signatures of any PDF, checked against the portal's trust
    anchors, and the verification code of the issued circular it is (byte for byte)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [AddressRateThrottle]
    throttle_scope = "public"

    @extend_schema(request={"multipart/form-data": FileUploadSerializer}, responses=ValidationAnswerSerializer)
    def post(self, request):
        data = uploaded_pdf(request)
        return Response(
            {
                "signatures": signatures.signature_reports(data),
                "verification_code": signatures.verification_code_of(data),
            }
        )


class VerifyView(APIView):
    """Public: is there an issued circular with this verification code, and what is it?"""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [AddressRateThrottle]
    throttle_scope = "public"

    @extend_schema(
        responses={
            200: PolymorphicProxySerializer(
                component_name="VerificationAnswer",
                serializers=[
                    VerificationSerializer,
                    inline_serializer(
                        "SecretVerification", {"secret": serializers.BooleanField(), "detail": serializers.CharField()}
                    ),
                ],
                resource_type_field_name=None,
            ),
            404: inline_serializer("NotFound", {"detail": serializers.CharField()}),
        }
    )
    def get(self, request, code):
        circular = get_object_or_404(Circular.objects.verifiable(code).select_related("issuing_unit", "signer"))
        if circular.is_secret:
            # A secret document is never described to the public: only that the code exists.
            return Response({"secret": True, "detail": secret_notice()})
        return Response(
            {
                "secret": False,
                "reference": circular.reference,
                "issued_on": circular.issued_on,
                "issuer": circular.issuing_unit.name,
                "subject": circular.subject,
                "signer": circular.signer.get_full_name() if circular.signer_id else "",
                "sha256": circular.sha256,
                "status": circular.status,
                "signatures": signatures.stored_signatures(circular),
                **circular.chain.public(),
            }
        )


# "from" is a Python keyword: the class is built from a dict so that the query parameter
# keeps the name the API promises, and the schema states its bounds from the same fields.
DueDateQuery = type(
    "DueDateQuery",
    (serializers.Serializer,),
    {"from": DateField(source="start"), "working_days": serializers.IntegerField(min_value=1, max_value=60)},
)


class CalendarDue(APIView):
    """The deadline N working days after a date (the drafting form shows it)."""

    @extend_schema(parameters=[DueDateQuery], responses=inline_serializer("DueOn", {"due_on": serializers.DateField()}))
    def get(self, request):
        query = read_query(DueDateQuery, request)
        return Response({"due_on": due_date(query["start"], query["working_days"])})
