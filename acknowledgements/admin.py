"""The acknowledgements app in the admin: a window onto deliveries, not a lever.

Deliveries, their history, reports, reminders and notifications change only through the
portal's services, which lock the row, write the DeliveryEvent and tell the people
concerned; the admin shows them and changes nothing. The one thing an administrator does
here is look at the email outbox's failures and send them again.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from acknowledgements.models import (
    Delivery,
    DeliveryEvent,
    Evidence,
    ImplementationReport,
    Notification,
    OutboxEmail,
    Reminder,
    ReportItem,
)
from circulars.models import Circular
from core.admin import ModelAdmin, ReadOnlyInline, ReadOnlyMixin

# --- Deliveries -----------------------------------------------------------------------


class DeliveryEventInline(ReadOnlyInline):
    model = DeliveryEvent
    fields = ["at", "actor", "action", "from_status", "to_status", "ip", "note"]


class ReportInline(ReadOnlyInline):
    model = ImplementationReport
    fields = ["version", "status", "submitted_by", "submitted_at", "reviewed_by", "reviewed_at"]
    show_change_link = True


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyMixin, ModelAdmin):
    list_display = ["circular", "unit", "status", "ack_due_on", "report_due_on", "acknowledged_at", "reported_at"]
    list_filter = ["status"]
    search_fields = ["unit__name", "unit__code", "circular__search_text"]
    list_select_related = ["circular", "unit"]
    date_hierarchy = "sent_at"
    inlines = [ReportInline, DeliveryEventInline]

    def get_search_results(self, request, queryset, search_term):
        """Unit names and codes as typed; circulars also by their folded text, so that
        "cảnh báo" finds "canh bao" as the portal's own search box does."""
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if search_term.strip():
            results |= queryset.filter(circular__in=Circular.objects.search(search_term))
        return results, may_have_duplicates


@admin.register(DeliveryEvent)
class DeliveryEventAdmin(ReadOnlyMixin, ModelAdmin):
    list_display = ["at", "delivery", "actor", "action", "from_status", "to_status", "ip"]
    list_filter = ["action"]
    search_fields = ["delivery__unit__name", "delivery__unit__code", "delivery__circular__search_text"]
    list_select_related = ["delivery__circular", "delivery__unit", "actor"]


# --- Reports --------------------------------------------------------------------------


class ReportItemInline(ReadOnlyInline):
    model = ReportItem
    fields = ["action_item", "status", "note"]


class EvidenceInline(ReadOnlyInline):
    model = Evidence
    fields = ["original_name", "content_type", "size", "sha256", "uploaded_at", "download"]
    readonly_fields = fields

    @admin.display(description=_("file"))
    def download(self, obj):
        # Through the portal's view that checks access, never a public media URL.
        if obj.pk is None:
            return ""
        return format_html('<a href="{}">{}</a>', reverse("evidence-download", args=[obj.pk]), obj.original_name)


@admin.register(ImplementationReport)
class ImplementationReportAdmin(ReadOnlyMixin, ModelAdmin):
    list_display = ["delivery", "version", "status", "submitted_by", "submitted_at", "reviewed_by", "reviewed_at"]
    list_filter = ["status"]
    search_fields = ["delivery__unit__name", "delivery__unit__code", "delivery__circular__search_text"]
    list_select_related = ["delivery__circular", "delivery__unit", "submitted_by", "reviewed_by"]
    inlines = [ReportItemInline, EvidenceInline]


# --- Chasing and notifications --------------------------------------------------------


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyMixin, ModelAdmin):
    list_display = ["kind", "stage", "channel", "delivery", "created_at", "sent_at"]
    list_filter = ["kind", "channel"]
    search_fields = ["delivery__unit__name", "delivery__unit__code", "delivery__circular__search_text"]
    list_select_related = ["delivery__circular", "delivery__unit"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyMixin, ModelAdmin):
    list_display = ["created_at", "user", "kind", "title", "read_at"]
    list_filter = ["kind"]
    search_fields = ["user__username", "user__full_name", "title"]
    list_select_related = ["user"]


# --- The email outbox -----------------------------------------------------------------


@admin.register(OutboxEmail)
class OutboxEmailAdmin(ModelAdmin):
    """Where an administrator sees the emails that could not be sent (``failed`` after
    MAX_ATTEMPTS, with the last error) and sends them again once the cause is fixed."""

    list_display = ["status", "attempts", "error", "to", "kind", "created_at", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["to", "subject", "last_error"]
    ordering = ["-created_at", "-id"]
    actions = ["retry"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # The change permission is for the retry action on the list; a row itself is
        # only shown, never edited (the sender owns its fields).
        return obj is None and super().has_change_permission(request)

    @admin.display(description=_("last error"))
    def error(self, obj):
        return Truncator(obj.last_error).chars(200)

    @admin.action(description=_("Send the selected failed emails again"), permissions=["change"])
    def retry(self, request, queryset):
        """Failed rows go back to pending with a fresh count of attempts; the outbox
        sender (every minute) picks them up. Rows in any other state are left alone."""
        count = queryset.filter(status=OutboxEmail.Status.FAILED).update(
            status=OutboxEmail.Status.PENDING, attempts=0, next_attempt_at=timezone.now(), claimed_until=None
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d email will be sent again.",
                "%(count)d emails will be sent again.",
                count,
            )
            % {"count": count},
        )
