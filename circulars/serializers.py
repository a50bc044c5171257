from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from circulars.models import (
    INCOMING_DOCUMENT_TYPES,
    ActionItem,
    Assignment,
    Circular,
    DocumentType,
    IncomingDispatch,
    Secrecy,
    Urgency,
)
from core.api import ChoiceField, DateField, TextField, UploadField
from units.models import Unit, UnitGroup


class IncomingCreateSerializer(serializers.Serializer):
    issuer = TextField(max_length=255)
    reference = TextField(
        max_length=100,
        help_text="As written, e.g. 2980/STTTT-TTra: number (at most 32 characters), slash, notation (at most 64)",
    )
    document_date = DateField()
    document_type = ChoiceField(choices=INCOMING_DOCUMENT_TYPES, default=DocumentType.OFFICIAL_LETTER)
    subject = TextField(max_length=500)
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.NORMAL)
    signer_name = TextField(max_length=150, required=False, allow_blank=True, default="")
    received_on = DateField(required=False, allow_null=True, default=None)
    due_on = DateField(required=False, allow_null=True, default=None)
    handled_by = TextField(max_length=255, required=False, allow_blank=True, default="")
    transferred_on = DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The day it was passed to the unit or person handling it; not before received_on",
    )
    note = TextField(max_length=500, required=False, allow_blank=True, default="")


class SignatureSerializer(serializers.Serializer):
    """One signature of a PDF (signing.validation.SignatureReport)."""

    field = serializers.CharField()
    signer = serializers.CharField()
    organisation = serializers.CharField()
    signed_at = serializers.CharField(allow_null=True, help_text="ISO 8601, Vietnam time")
    valid = serializers.BooleanField()
    intact = serializers.BooleanField()
    trusted = serializers.BooleanField()
    modification_level = serializers.CharField()
    timestamped = serializers.BooleanField()


class IncomingUploadSerializer(IncomingCreateSerializer):
    """The same fields in a multipart form, with the scanned document."""

    file = UploadField(required=False, help_text="The scanned document (PDF, image or office document)")


class CurrentAssignmentSerializer(serializers.ModelSerializer):
    """One unit's part in the dispatch's current assignment (the detail is
    ``/api/v1/assignments/<id>/``)."""

    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = Assignment
        fields = ["id", "unit", "unit_name", "role", "status", "due_on", "completed_at"]


class IncomingSerializer(serializers.ModelSerializer):
    reference = TextField(read_only=True)
    presented_to = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    assignments = serializers.SerializerMethodField(help_text="The current assignment: lead unit first")

    class Meta:
        model = IncomingDispatch
        fields = [
            "id",
            "arrival_number",
            "arrival_year",
            "issuer",
            "reference",
            "number",
            "notation",
            "document_date",
            "document_type",
            "subject",
            "signer_name",
            "urgency",
            "received_on",
            "due_on",
            "handled_by",
            "transferred_on",
            "note",
            "signature_status",
            "signatures",
            "handling_status",
            "presented_to",
            "presented_at",
            "assignments",
        ]

    signatures = SignatureSerializer(
        many=True, read_only=True, source="signature_report", help_text="The signatures of its PDF, checked on arrival"
    )

    @extend_schema_field(CurrentAssignmentSerializer(many=True))
    def get_assignments(self, dispatch):
        # From the list's prefetch (IncomingDispatchQuerySet.with_handling), else one query.
        current = getattr(dispatch, "current_assignments", None)
        if current is None:
            current = dispatch.assignments.current().select_related("unit")
        current = sorted(current, key=lambda a: (a.role != Assignment.Role.LEAD, a.unit.name))
        return CurrentAssignmentSerializer(current, many=True).data


class ActionItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ActionItem
        fields = ["id", "text"]


class CircularWriteSerializer(serializers.Serializer):
    document_type = ChoiceField(choices=DocumentType.choices, default=DocumentType.OFFICIAL_LETTER)
    subject = TextField(max_length=500, required_message=_("The subject (V/v …) is required."))
    body = TextField(max_length=100_000, required=False, allow_blank=True, default="")
    notation = TextField(
        source="notation_override",
        max_length=64,
        required=False,
        allow_blank=True,
        default="",
        help_text="Typed only to override Decree 30's notation (UBND-TH for a công văn, QĐ-UBND for a decision)",
    )
    drafting_unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.active(),
        required=False,
        allow_null=True,
        help_text="Its abbreviation ends a công văn's notation; absent, the drafter's own unit (if one)",
    )
    in_response_to = serializers.PrimaryKeyRelatedField(
        many=True, queryset=IncomingDispatch.objects.all(), required=False, default=list
    )
    recipient_groups = serializers.PrimaryKeyRelatedField(
        many=True, queryset=UnitGroup.objects.all(), required=False, default=list
    )
    recipient_units = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Unit.objects.active(), required=False, default=list
    )
    recipients_text = TextField(max_length=5000, required=False, allow_blank=True, default="")
    copy_to = serializers.ListField(child=TextField(max_length=300), required=False, default=list)
    action_items = serializers.ListField(child=TextField(max_length=2000), required=False, default=list)
    monitoring_unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.active(), required=False, allow_null=True, default=None
    )
    ack_due_working_days = serializers.IntegerField(min_value=1, max_value=60, required=False, default=2)
    report_due_on = DateField(required=False, allow_null=True, default=None)
    urgency = ChoiceField(choices=Urgency.choices, default=Urgency.NORMAL)
    secrecy = ChoiceField(choices=Secrecy.choices, default=Secrecy.NONE)
    signer = serializers.SlugRelatedField(
        slug_field="username",
        queryset=get_user_model().objects.filter(groups__name="signer", is_active=True),
        required=False,
        allow_null=True,
        default=None,
        error_messages={"does_not_exist": _("No signer has the username “{value}”.")},
    )
    signer_title = TextField(max_length=200, required=False, allow_blank=True, default="")
    replaces = serializers.PrimaryKeyRelatedField(
        queryset=Circular.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="The issued circular this new one replaces (thay thế): it must be in force",
    )
    corrects = serializers.PrimaryKeyRelatedField(
        queryset=Circular.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="The issued circular this new one corrects (đính chính): it must be in force",
    )


class ChainLinkSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    issued_on = serializers.DateField(allow_null=True)


class CircularSerializer(serializers.ModelSerializer):
    reference = TextField(read_only=True)
    action_items = ActionItemSerializer(many=True, read_only=True)
    signer = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    issuer = TextField(source="issuing_unit.name", read_only=True)
    in_response_to = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    recipient_groups = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    recipient_units = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    replaces = serializers.SerializerMethodField()
    corrects = serializers.SerializerMethodField()
    replaced_by = serializers.SerializerMethodField()
    corrections = serializers.SerializerMethodField()

    class Meta:
        model = Circular
        fields = [
            "id",
            "status",
            "reference",
            "number",
            "notation",
            "notation_override",
            "drafting_unit",
            "document_type",
            "subject",
            "body",
            "issuer",
            "in_response_to",
            "recipient_groups",
            "recipient_units",
            "recipients_text",
            "copy_to",
            "action_items",
            "monitoring_unit",
            "ack_due_working_days",
            "report_due_on",
            "urgency",
            "secrecy",
            "signer",
            "signer_title",
            "issued_on",
            "sha256",
            "verification_code",
            "created_at",
            "updated_at",
            "recalled_at",
            "recall_reason",
            "replaces",
            "corrects",
            "replaced_by",
            "corrections",
        ]

    @staticmethod
    def _link(circular: Circular | None):
        if circular is None:
            return None
        return {"id": circular.pk, "reference": circular.reference, "issued_on": circular.issued_on}

    @extend_schema_field(ChainLinkSerializer(allow_null=True))
    def get_replaces(self, circular):
        return self._link(circular.chain.replaces)

    @extend_schema_field(ChainLinkSerializer(allow_null=True))
    def get_corrects(self, circular):
        return self._link(circular.chain.corrects)

    @extend_schema_field(ChainLinkSerializer(allow_null=True))
    def get_replaced_by(self, circular):
        return self._link(circular.chain.replaced_by)

    @extend_schema_field(ChainLinkSerializer(many=True))
    def get_corrections(self, circular):
        return [self._link(c) for c in circular.chain.corrections]


class CircularListSerializer(serializers.ModelSerializer):
    reference = TextField(read_only=True)

    class Meta:
        model = Circular
        fields = [
            "id",
            "status",
            "reference",
            "document_type",
            "subject",
            "urgency",
            "secrecy",
            "issued_on",
            "created_at",
        ]


class CommentSerializer(serializers.Serializer):
    """Withdrawing: why, if the person says."""

    comment = TextField(max_length=4000, required=False, allow_blank=True, default="")


class ReturnCommentSerializer(serializers.Serializer):
    """Returning a draft: what must change, always said (the service's rule, stated in the
    schema and with its message)."""

    comment = TextField(max_length=4000, required_message=_("Say what must change: the comment is required."))


def pin_field(help_text):
    return serializers.CharField(
        required=False, allow_blank=True, max_length=128, trim_whitespace=False, write_only=True, help_text=help_text
    )


class ApproveSerializer(serializers.Serializer):
    pin = pin_field("PIN or password of the signer's signing key (when the portal keeps it)")


class IssueSerializer(serializers.Serializer):
    issued_on = DateField(required=False, allow_null=True, default=None)
    pin = pin_field("PIN or password of the organisation's signing key, typed by the records clerk")


class FileUploadSerializer(serializers.Serializer):
    file = UploadField(help_text="A PDF file")


class ValidationAnswerSerializer(serializers.Serializer):
    signatures = SignatureSerializer(many=True)
    verification_code = serializers.CharField(allow_null=True)


class IssuedSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)

    class Meta:
        model = Circular
        fields = ["id", "status", "number", "reference", "issued_on", "sha256", "verification_code"]


class PublicLinkSerializer(serializers.Serializer):
    reference = serializers.CharField(allow_blank=True, help_text="Empty for a secret document")
    issued_on = serializers.DateField(allow_null=True)
    verification_url = serializers.CharField()
    verification_code = serializers.CharField()


class VerificationSerializer(serializers.Serializer):
    secret = serializers.BooleanField(help_text="Always false here: a secret document is answered with no facts")
    reference = serializers.CharField()
    issued_on = DateField()
    issuer = serializers.CharField()
    subject = serializers.CharField()
    signer = serializers.CharField()
    sha256 = serializers.CharField()
    status = serializers.CharField()
    signatures = SignatureSerializer(many=True)
    recalled = serializers.BooleanField(help_text="Recalled (thu hồi) by its issuer: no longer in force")
    recalled_at = serializers.DateTimeField(allow_null=True)
    recall_reason = serializers.CharField(allow_blank=True)
    replaced_by = PublicLinkSerializer(allow_null=True, help_text="The document that replaced it, if any")
    corrections = PublicLinkSerializer(many=True, help_text="The documents that correct it (đính chính), oldest first")
