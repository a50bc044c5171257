"""The filters of the circulars list and of the incoming register (django-filter)."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from circulars.models import Circular, DocumentType, Urgency
from core.filters import FilterSet


def _search(queryset, name, value):
    """Every word, folded, in the document's folded text (``FoldedSearchQuerySet``)."""
    return queryset.search(value)


class YearFilter(django_filters.NumberFilter):
    """A whole year (django-filter's NumberFilter would take 2024.5)."""

    field_class = forms.IntegerField


class IncomingFilterSet(FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        max_length=200,
        method=_search,
        widget=forms.SearchInput(attrs={"placeholder": _("Reference, issuer or subject")}),
    )
    # Any year is valid (a year with no dispatch has an empty register); the menu offers
    # the years that have some.
    year = YearFilter(field_name="arrival_year", label=_("Year"), min_value=1900, max_value=2999, widget=forms.Select)
    document_type = django_filters.ChoiceFilter(
        label=_("Document type"), choices=DocumentType.choices, empty_label=_("All types")
    )
    urgency = django_filters.ChoiceFilter(label=_("Urgency"), choices=Urgency.choices, empty_label=_("Any urgency"))

    def __init__(self, data=None, queryset=None, *, years=(), **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.form.fields["year"].widget.choices = [("", _("All years")), *((y, y) for y in years)]


class CircularFilterSet(FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        max_length=200,
        method=_search,
        widget=forms.SearchInput(attrs={"placeholder": _("Reference, subject or text")}),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Circular.Status.choices, empty_label=_("Any status")
    )
    urgency = django_filters.ChoiceFilter(label=_("Urgency"), choices=Urgency.choices, empty_label=_("Any urgency"))
