from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from core.admin import BoundedInputMixin, LightMediaMixin, ModelAdmin, TabularInline
from units.models import Membership, Unit, UnitGroup, User


class MembershipInline(TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(User)
class UserAdmin(LightMediaMixin, BoundedInputMixin, DjangoUserAdmin):
    list_display = ["username", "full_name", "email", "is_active", "is_staff"]
    search_fields = ["username", "full_name", "email"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("full_name", "title", "email")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "full_name", "email", "password1", "password2")}),
    )
    inlines = [MembershipInline]


@admin.register(Unit)
class UnitAdmin(ModelAdmin):
    list_display = ["name", "code", "abbreviation", "kind", "parent", "active", "sort_order"]
    list_filter = ["kind", "active", "groups"]
    search_fields = ["name", "code", "short_name", "abbreviation"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    inlines = [MembershipInline]


@admin.register(UnitGroup)
class UnitGroupAdmin(ModelAdmin):
    list_display = ["name", "code", "sort_order"]
    search_fields = ["name", "code"]
    filter_horizontal = ["units"]


@admin.register(Membership)
class MembershipAdmin(ModelAdmin):
    list_display = ["user", "unit", "role"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__full_name", "unit__name", "unit__code"]
    list_select_related = ["user", "unit"]
    autocomplete_fields = ["user", "unit"]
