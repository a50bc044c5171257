"""Admin pieces every app shares."""

from django import forms
from django.contrib import admin
from django.contrib.admin import widgets
from django.contrib.admin.options import IS_POPUP_VAR, IncorrectLookupParameters
from django.contrib.admin.views import main

from core.forms import ModelMultipleChoiceField
from core.parsing import ids_in


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


# --- Bounded input --------------------------------------------------------------------


class KnownIdsOnly:
    """An autocomplete widget that shows a submitted value naming no row (a word, 10^30)
    as nothing chosen. Django looks each one up to show it again with the form's errors:
    a ValueError or an OverflowError, a 500 instead of the error."""

    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, [v for v in value if ids_in([str(v)])], attr)


class AutocompleteSelect(KnownIdsOnly, widgets.AutocompleteSelect):
    pass


class AutocompleteSelectMultiple(KnownIdsOnly, widgets.AutocompleteSelectMultiple):
    pass


class ChangeList(main.ChangeList):
    """A list whose date hierarchy refuses a year, month or day that is no date (10^30,
    the year 9999 whose next year does not exist) as a bad lookup, as Django does a word
    (its page asks to fix the address), not with an OverflowError."""

    LAST = {"year": 9998, "month": 12, "day": 31}

    def get_filters(self, request):
        if self.date_hierarchy:
            for part, last in self.LAST.items():
                for value in request.GET.getlist(f"{self.date_hierarchy}__{part}"):
                    if not (value.isascii() and value.isdigit() and len(value) <= 4 and 1 <= int(value) <= last):
                        raise IncorrectLookupParameters(f"{part} {value[:20]!r}")
        return super().get_filters(request)


class BoundedInputMixin:
    """For every ModelAdmin and inline of the site: what Django's admin reads from a
    request, within bounds it does not check itself (see ``ChangeList``,
    ``KnownIdsOnly``, and ``core.forms.ModelMultipleChoiceField`` for many-to-many ids)."""

    def get_changelist(self, request, **kwargs):
        return ChangeList

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = AutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = AutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using"))
        kwargs.setdefault("form_class", ModelMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


# The scripts that make a slug from a title as it is typed (prepopulated_fields).
SLUG_SCRIPTS = ("admin/js/urlify.js", "admin/js/prepopulate.js", "admin/js/vendor/xregexp/")


# What only a related-object popup needs on a change list (jQuery, 30 KB on the wire).
LOOKUP_SCRIPTS = ("admin/js/vendor/jquery/", "admin/js/jquery.init.js", "admin/js/admin/RelatedObjectLookups.js")


def _without(media: forms.Media, prefixes: tuple[str, ...]) -> forms.Media:
    return forms.Media(js=[js for js in media._js if not js.startswith(prefixes)], css=media._css)


class LightMediaMixin:
    """For every ModelAdmin and inline of the site, the 60 KB every page keeps to on a
    slow link (#17): without prepopulated fields (the portal has none) no page loads the
    slug scripts (XRegExp alone is 55 KB on the wire), and a change list, unless opened
    as a lookup popup, does without jQuery (its actions and filters are plain scripts)."""

    @property
    def media(self):
        media = super().media
        return media if self.prepopulated_fields else _without(media, SLUG_SCRIPTS)

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None)
        if context and "media" in context and IS_POPUP_VAR not in request.GET:
            context["media"] = _without(context["media"], LOOKUP_SCRIPTS)
        return response


class ModelAdmin(LightMediaMixin, BoundedInputMixin, admin.ModelAdmin):
    pass


class TabularInline(LightMediaMixin, BoundedInputMixin, admin.TabularInline):
    pass


class ReadOnlyInline(ReadOnlyMixin, TabularInline):
    extra = 0

    def get_readonly_fields(self, request, obj=None):
        # Every field shown is read-only, also under a parent whose form is editable.
        return self.fields or [field.name for field in self.model._meta.fields]


def bound_every_admin(site) -> None:
    """Register again, with ``BoundedInputMixin``, the ModelAdmins of other apps
    (Django's groups, DRF's tokens, django-axes' logs): the site's pages are all the
    portal's."""
    for model, model_admin in list(site._registry.items()):
        if not isinstance(model_admin, BoundedInputMixin):
            site.unregister(model)
            mixins = (LightMediaMixin, BoundedInputMixin, type(model_admin))
            site.register(model, type(type(model_admin).__name__, mixins, {}))
