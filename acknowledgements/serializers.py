from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from acknowledgements.models import Delivery, DeliveryEvent, Evidence, ImplementationReport, Reminder, ReportItem
from core.api import JSONField, TextField, UploadField
from units.models import Unit


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
        ]


class InboxItemSerializer(serializers.ModelSerializer):
    circular = CircularRefSerializer()
    unit = UnitCodeSerializer()
    urgency = serializers.CharField(source="circular.urgency")
    unread = serializers.SerializerMethodField()

    class Meta:
        model = Delivery
        fields = ["id", "circular", "unit", "status", "urgency", "sent_at", "ack_due_on", "report_due_on", "unread"]

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
