"""Admin pieces every app shares."""

from django.contrib import admin


class ReadOnlyMixin:
    """View only, whatever the user's permissions: no add, no change, no delete. Django
    then renders the change page (and inlines) as text, with no inputs. For history and
    for rows whose changes go through the services."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0

    def get_readonly_fields(self, request, obj=None):
        # Every field shown is read-only, also under a parent whose form is editable.
        return self.fields or [field.name for field in self.model._meta.fields]
