from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from acknowledgements.models import Delivery, DeliveryEvent, Evidence, ImplementationReport, Reminder, ReportItem
from circulars.models import Assignment, HandlingEvent
from core.api import DateField, JSONField, TextField, UploadField
from units.models import Unit, User


class UnitRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "code", "name"]
        # Also serialises plain dicts (the league rows): no model lookups.
        extra_kwargs = {"id": {"read_only": True}}


class UnitCodeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "code"]


class CircularRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    subject = serializers.CharField()


class MonitorDeliverySerializer(serializers.ModelSerializer):
    unit = UnitRefSerializer()
    qcvn_status = serializers.CharField()
    arrived_on = serializers.DateField(read_only=True, help_text="Ngày đến: the local date it reached the unit")

    class Meta:
        model = Delivery
        fields = [
            "id",
            "unit",
            "status",
            "qcvn_status",
            "first_viewed_at",
            "acknowledged_at",
            "ack_due_on",
            "report_due_on",
            "reported_at",
            "accepted_at",
            "refused_at",
            "refuse_reason",
            # The unit's own incoming register: Số đến of that year, Ngày đến.
            "arrival_year",
            "arrival_number",
            "arrived_on",
        ]


class InboxItemSerializer(serializers.ModelSerializer):
    circular = CircularRefSerializer()
    unit = UnitCodeSerializer()
    urgency = serializers.CharField(source="circular.urgency")
    unread = serializers.SerializerMethodField()
    arrived_on = serializers.DateField(read_only=True, help_text="Ngày đến: the local date it reached the unit")

    class Meta:
        model = Delivery
        fields = [
            "id",
            "circular",
            "unit",
            "status",
            "urgency",
            "sent_at",
            "ack_due_on",
            "report_due_on",
            "unread",
            "arrival_year",
            "arrival_number",
            "arrived_on",
        ]

    def get_unread(self, delivery) -> bool:
        return delivery.first_viewed_at is None


class EventSerializer(serializers.ModelSerializer):
    # Events written by the system (a sweep, a distribution's fan-out) have no actor.
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = DeliveryEvent
        fields = ["id", "action", "from_status", "to_status", "actor", "at", "note"]


class ReportItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReportItem
        fields = ["action_item", "status", "note"]


class EvidenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Evidence
        fields = ["id", "original_name", "content_type", "size", "sha256"]


class ReportSerializer(serializers.ModelSerializer):
    items = ReportItemSerializer(many=True, read_only=True)
    evidence = EvidenceSerializer(many=True, read_only=True)
    submitted_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    reviewed_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = ImplementationReport
        fields = [
            "id",
            "version",
            "status",
            "summary",
            "items",
            "evidence",
            "submitted_by",
            "submitted_at",
            "reviewed_by",
            "reviewed_at",
            "review_comment",
        ]


class ReminderSerializer(serializers.ModelSerializer):
    recipients = serializers.SerializerMethodField()

    class Meta:
        model = Reminder
        fields = ["kind", "stage", "channel", "created_at", "sent_at", "recipients"]

    def get_recipients(self, reminder) -> list[str]:
        # From the prefetched notifications: one bell line per person the reminder addressed.
        return sorted({n.user.username for n in reminder.notifications.all()})


class DeliveryDetailSerializer(MonitorDeliverySerializer):
    circular = CircularRefSerializer()
    events = EventSerializer(many=True, read_only=True)
    reports = ReportSerializer(many=True, read_only=True)
    reminders = ReminderSerializer(many=True, read_only=True)

    class Meta(MonitorDeliverySerializer.Meta):
        fields = [*MonitorDeliverySerializer.Meta.fields, "circular", "sent_at", "events", "reports", "reminders"]


class ReasonSerializer(serializers.Serializer):
    reason = TextField(max_length=2000, required_message=_("Say why the document is not for your unit."))


class ReviewCommentSerializer(serializers.Serializer):
    """Accepting a report: a comment if the reviewer has one."""

    comment = TextField(max_length=4000, required=False, allow_blank=True, default="")


class ReturnReportCommentSerializer(serializers.Serializer):
    """Returning a report: what the unit must add or correct, always said (the service's
    rule, stated in the schema and with its message)."""

    comment = TextField(
        max_length=4000, required_message=_("Say what the unit must add or correct: the comment is required.")
    )


class ReportItemInputSerializer(serializers.Serializer):
    action_item = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    status = serializers.ChoiceField(choices=ReportItem.Status.choices)
    note = TextField(max_length=4000, required=False, allow_blank=True, default="")


@extend_schema_field(ReportItemInputSerializer(many=True))
class ReportItemsField(JSONField):
    """The report's items: a list in JSON, the JSON text of one in a multipart form;
    ``services.parse_report_items`` and ``ReportItemInputSerializer`` read them."""


class ReportInputSerializer(serializers.Serializer):
    """JSON: items is a list. Multipart: items is a JSON string, files repeated parts."""

    summary = TextField(max_length=20000, required_message=_("Write a short summary of what your unit did."))
    items = ReportItemsField(help_text="One per action item of the circular: its id, status and an optional note")


class ReportUploadSerializer(ReportInputSerializer):
    """The same in a multipart form, with the evidence files."""

    files = serializers.ListField(child=UploadField(), required=False, help_text="Evidence, one part per file")


# --- Handling of incoming dispatches ---------------------------------------------------


@extend_schema_field({"type": "string", "minLength": 1, "maxLength": 64, "description": "Unit id or code"})
class UnitKeyField(serializers.Field):
    """A unit named by its id or by its code ("PVHTT"), as the unit API lists them; an
    unknown or inactive one is refused with its name in the message."""

    default_error_messages = {
        "unknown": _("There is no unit “%(key)s”."),
        "invalid": _("Name a unit by its id or its code."),
    }

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (int, str)):
            self.fail("invalid")
        key = str(data).strip()
        if not key or len(key) > 64:
            self.fail("invalid")
        lookup = {"pk": int(key)} if key.isdigit() and len(key) < 10 else {"code": key}
        unit = Unit.objects.filter(active=True, **lookup).first()
        if unit is None:
            raise serializers.ValidationError(self.error_messages["unknown"] % {"key": key})
        return unit

    def to_representation(self, value):
        return value.code


# The schema says what is refused field by field: an empty or too long username.
@extend_schema_field({"type": "string", "minLength": 1, "maxLength": 150, "pattern": r"\S"})
class UserKeyField(serializers.Field):
    """A person named by username."""

    default_error_messages = {"unknown": _("There is no user “%(key)s”."), "invalid": _("Name a person by username.")}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (int, str)):
            self.fail("invalid")
        key = str(data).strip()
        if not key or len(key) > 150:
            self.fail("invalid")
        user = User.objects.filter(username=key).first()
        if user is None:
            raise serializers.ValidationError(self.error_messages["unknown"] % {"key": key})
        return user

    def to_representation(self, value):
        return value.username


class PresentSerializer(serializers.Serializer):
    leader = UserKeyField(help_text="The leader (a signer): username")
    note = TextField(max_length=4000, required=False, allow_blank=True, default="")


class AssignInputSerializer(serializers.Serializer):
    """The leader's instruction. ``due_on`` or ``working_days`` (one of the two: the
    service says so in its words); ``leader`` when the records clerk records it."""

    lead_unit = UnitKeyField(required=False, allow_null=True, default=None, help_text="Unit id or code")
    support_units = serializers.ListField(
        child=UnitKeyField(), required=False, default=list, max_length=500, help_text="Unit ids or codes"
    )
    due_on = DateField(required=False, allow_null=True, default=None)
    working_days = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=0, max_value=1000)
    instruction = TextField(max_length=2000, required=False, allow_blank=True, default="")
    leader = UserKeyField(required=False, allow_null=True, default=None, help_text="Username of the leader")


class NoteInputSerializer(serializers.Serializer):
    text = TextField(max_length=4000, required_message=_("Write your unit's contribution."))


class CompleteInputSerializer(serializers.Serializer):
    note = TextField(max_length=4000, required_message=_("Say how the dispatch was handled."))


class DispatchRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    subject = serializers.CharField()
    issuer = serializers.CharField()
    arrival_number = serializers.IntegerField()
    received_on = serializers.DateField()


class AssignmentSerializer(serializers.ModelSerializer):
    dispatch = DispatchRefSerializer()
    unit = UnitRefSerializer()
    leader = serializers.SlugRelatedField(slug_field="username", read_only=True)
    assigned_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    completed_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    completed_by_circular = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Assignment
        fields = [
            "id",
            "dispatch",
            "unit",
            "role",
            "due_on",
            "status",
            "overdue",
            "instruction",
            "leader",
            "assigned_by",
            "assigned_at",
            "completed_at",
            "completed_by",
            "completion_note",
            "completed_by_circular",
        ]

    def get_overdue(self, assignment) -> bool:
        return assignment.is_overdue(timezone.localdate())

    @extend_schema_field(CircularRefSerializer(allow_null=True))
    def get_completed_by_circular(self, assignment):
        circular = assignment.completed_by_circular
        if circular is None:
            return None
        return {"id": circular.pk, "reference": circular.reference, "subject": circular.subject}


class HandlingEventSerializer(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True)
    unit = serializers.SerializerMethodField()

    class Meta:
        model = HandlingEvent
        fields = ["id", "action", "from_status", "to_status", "actor", "at", "note", "unit"]

    def get_unit(self, event) -> str | None:
        return event.assignment.unit.code if event.assignment_id else None


class AssignmentDetailSerializer(AssignmentSerializer):
    """With the dispatch's whole handling history (every unit's notes included: they work
    on it together) and the reminders sent to this unit about it."""

    events = serializers.SerializerMethodField()
    reminders = ReminderSerializer(many=True, read_only=True)

    class Meta(AssignmentSerializer.Meta):
        fields = [*AssignmentSerializer.Meta.fields, "events", "reminders"]

    @extend_schema_field(HandlingEventSerializer(many=True))
    def get_events(self, assignment):
        events = assignment.dispatch.handling_events.select_related("actor", "assignment__unit")
        return HandlingEventSerializer(events, many=True).data


class UnitRegisterEntrySerializer(serializers.Serializer):
    """One line of a unit's own incoming register (Decree 30 Art. 22), in the columns of the
    incoming register of Appendix IV; built from ``registers.books.unit_incoming_row``."""

    id = serializers.IntegerField(help_text="The delivery")
    arrival_year = serializers.IntegerField()
    arrival_number = serializers.IntegerField(help_text="Số đến")
    arrived_on = serializers.DateField(help_text="Ngày đến")
    issuer = serializers.CharField(help_text="Tác giả: the issuing unit")
    circular = serializers.IntegerField(help_text="The circular's id")
    reference = serializers.CharField(help_text="Số, ký hiệu")
    issued_on = serializers.DateField(allow_null=True, help_text="Ngày tháng văn bản")
    document_type = serializers.CharField()
    subject = serializers.CharField()
    type_and_subject = serializers.CharField(help_text="Tên loại và trích yếu nội dung")
    received_by = serializers.CharField(help_text="Đơn vị hoặc người nhận: who acknowledged receipt")
    transferred_on = serializers.DateField(allow_null=True, help_text="Ngày chuyển: the day receipt was acknowledged")
    status = serializers.ChoiceField(choices=Delivery.Status.choices)
    note = serializers.CharField(help_text="Ghi chú")
