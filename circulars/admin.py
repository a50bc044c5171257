from django import forms
from django.contrib import admin

from circulars import services
from circulars.models import (
    ActionItem,
    Attachment,
    Circular,
    CircularEvent,
    IncomingDispatch,
    NoSwapsYear,
    NumberingRegister,
    RegisterEvent,
    WorkingDayChange,
)
from core.admin import ModelAdmin, ReadOnlyInline, ReadOnlyMixin, TabularInline
from core.errors import DomainError


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ["original_name", "content_type", "size", "sha256", "uploaded_by", "uploaded_at"]


class ActionItemInline(TabularInline):
    model = ActionItem
    extra = 0


class EventInline(ReadOnlyInline):
    model = CircularEvent
    fields = ["at", "actor", "action", "from_status", "to_status", "comment"]


class IncomingDispatchAdminForm(forms.ModelForm):
    """An entry corrected by hand keeps the register's rules (``services.check_incoming_entry``);
    the service checks again on the locked register row when it saves."""

    class Meta:
        model = IncomingDispatch
        fields = ("number", "notation", *services.INCOMING_EDITABLE)

    def _post_clean(self):
        super()._post_clean()
        if self.instance.pk is None or self.errors:
            return
        try:
            services.check_incoming_entry(self.instance)
        except DomainError as error:
            self.add_error(None, error.message)


@admin.register(IncomingDispatch)
class IncomingDispatchAdmin(ModelAdmin):
    form = IncomingDispatchAdminForm
    list_display = ["arrival_number", "arrival_year", "issuer", "reference", "document_date", "subject", "urgency"]
    list_filter = ["arrival_year", "document_type", "urgency"]
    search_fields = ["search_text"]
    readonly_fields = ["arrival_number", "arrival_year", "registered_by", "registered_at"]
    inlines = [AttachmentInline]

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            return
        editable = [name for name in form.changed_data if name in services.INCOMING_EDITABLE]
        services.update_incoming(dispatch=obj, by=request.user, changes={name: getattr(obj, name) for name in editable})
        # Fields the register's rules do not cover (number, notation) are saved as typed.
        super().save_model(request, obj, form, change)


@admin.register(Circular)
class CircularAdmin(ModelAdmin):
    """Circulars change through the portal's lifecycle, which keeps their history; the
    admin only shows them, and never edits an issued one."""

    list_display = ["__str__", "status", "urgency", "secrecy", "issued_on", "signer"]
    list_filter = ["status", "urgency", "secrecy", "document_type", "issued_year"]
    search_fields = ["search_text"]
    list_select_related = ["signer"]
    inlines = [ActionItemInline, AttachmentInline, EventInline]
    autocomplete_fields = ["recipient_units", "monitoring_unit", "issuing_unit", "drafting_unit"]
    filter_horizontal = ["recipient_groups", "in_response_to"]

    def get_readonly_fields(self, request, obj=None):
        fixed = ["status", "number", "issued_year", "issued_on", "issued_by", "issued_at", "pdf", "sha256"]
        fixed += ["verification_code", "created_by"]
        if obj is not None and not obj.is_editable:
            return [f.name for f in obj._meta.concrete_fields if f.name != "id"] + [
                "in_response_to",
                "recipient_groups",
                "recipient_units",
            ]
        return fixed

    def get_inlines(self, request, obj):
        if obj is not None and not obj.is_editable:
            return [AttachmentInline, EventInline]
        return self.inlines

    def has_delete_permission(self, request, obj=None):
        return obj is None or obj.status == Circular.Status.DRAFT

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(CircularEvent)
class CircularEventAdmin(ReadOnlyMixin, ModelAdmin):
    list_display = ["at", "circular", "actor", "action", "from_status", "to_status"]
    list_select_related = ["circular", "actor"]


@admin.register(NumberingRegister)
class NumberingRegisterAdmin(ModelAdmin):
    list_display = ["kind", "unit", "year", "last_number"]
    readonly_fields = ["kind", "unit", "year", "last_number"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RegisterEvent)
class RegisterEventAdmin(ReadOnlyMixin, ModelAdmin):
    """Registers are started from a number on the portal's page "Registers and
    calendar" (a service that locks the register); the admin shows their history."""

    list_display = ["at", "register", "actor", "from_number", "to_number", "note"]
    list_select_related = ["register", "actor"]


@admin.register(WorkingDayChange)
class WorkingDayChangeAdmin(ModelAdmin):
    """Local changes and the Government's yearly swaps (source "official", shipped for
    2024-2026 and entered by the administrator for later years)."""

    list_display = ["date", "kind", "source", "note"]
    list_filter = ["source", "kind"]
    date_hierarchy = "date"


@admin.register(NoSwapsYear)
class NoSwapsYearAdmin(ModelAdmin):
    list_display = ["year", "answered_by", "answered_at"]
    readonly_fields = ["answered_by", "answered_at"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.answered_by = request.user
        super().save_model(request, obj, form, change)
