"""What every app's list filters share (django-filter): a FilterSet that reports the
filters in use, the day-first date filter and the tick box."""

import django_filters
from django import forms

from core.forms import DayFirstDateField


class FilterSet(django_filters.FilterSet):
    """A list's filters, read from the query string. A bad value in one box does not
    blank the page: django-filter filters with the valid boxes only (``form.cleaned_data``)
    and the form shows the error of the bad one."""

    def active(self) -> dict:
        """The filters holding a valid value, by name (for "Clear", the open "More
        filters" and links that keep the filters)."""
        self.form.is_valid()
        return {name: value for name, value in self.form.cleaned_data.items() if value not in ("", None, False)}


class DayFirstDateFilter(django_filters.DateFilter):
    """A date typed as Vietnamese offices write it (``core.forms.DayFirstDateField``)."""

    field_class = DayFirstDateField


class CheckboxFilter(django_filters.BooleanFilter):
    """A tick box that filters when ticked and does nothing when not (django-filter's
    BooleanFilter is a yes/no/unknown menu). Give it a ``method``: it is called with
    ``False`` too, and returns the rows unchanged then."""

    field_class = forms.BooleanField
