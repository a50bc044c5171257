"""The inbox's filters (django-filter): the boxes of /inbox/ and their query parameters."""

import datetime

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from acknowledgements.models import Delivery
from circulars.models import Urgency, fold
from core.filters import CheckboxFilter, DayFirstDateFilter, FilterSet


class InboxFilterSet(FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        max_length=200,
        method="search",
        widget=forms.SearchInput(attrs={"placeholder": _("Reference or subject")}),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Delivery.Status.choices, empty_label=_("Any status")
    )
    urgency = django_filters.ChoiceFilter(
        field_name="circular__urgency", label=_("Urgency"), choices=Urgency.choices, empty_label=_("Any urgency")
    )
    sent_from = DayFirstDateFilter(field_name="sent_at", lookup_expr="date__gte", label=_("Sent from"))
    sent_to = DayFirstDateFilter(field_name="sent_at", lookup_expr="date__lte", label=_("Sent until"))
    overdue = CheckboxFilter(label=_("Overdue only"), method="only_overdue")

    def __init__(self, data=None, queryset=None, *, on: datetime.date | None = None, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.on = on or timezone.localdate()

    def search(self, queryset, name, value):
        # Every word, folded, in the circular's folded text (Circular.objects.search).
        for word in fold(value).split():
            queryset = queryset.filter(circular__search_text__contains=word)
        return queryset

    def only_overdue(self, queryset, name, value):
        return queryset.overdue(self.on) if value else queryset
