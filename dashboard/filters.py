"""The dashboard's list filters (django-filter): the overview of circulars, a circular's
unit table and the incoming dispatches in handling, with their sort orders."""

import datetime

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from acknowledgements.models import Delivery
from circulars.models import Circular, Urgency, fold
from core.filters import CheckboxFilter, DayFirstDateFilter, FilterSet
from core.parsing import beyond_any_id
from dashboard import incoming
from units.models import Unit

S = Delivery.Status

# --- The overview -------------------------------------------------------------------

OVERVIEW_SORTS = {
    "issued": ("-issued_on", "-number", "-id"),
    "oldest": ("issued_on", "number", "id"),
    "overdue": ("-overdue_units", "-issued_on", "-id"),
    "reference": ("-issued_year", "-number", "-id"),
}


class OverviewFilterSet(FilterSet):
    """Over ``compliance.monitored_circulars`` annotated with ``overdue_units``."""

    issued_from = DayFirstDateFilter(field_name="issued_on", lookup_expr="gte", label=_("Issued from"))
    issued_to = DayFirstDateFilter(field_name="issued_on", lookup_expr="lte", label=_("Issued until"))
    urgency = django_filters.ChoiceFilter(label=_("Urgency"), choices=Urgency.choices, empty_label=_("Any urgency"))
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[
            (Circular.Status.ISSUED, Circular.Status.ISSUED.label),
            (Circular.Status.DISTRIBUTED, Circular.Status.DISTRIBUTED.label),
        ],
        empty_label=_("Any status"),
    )
    overdue = CheckboxFilter(label=_("With overdue units only"), method="with_overdue_units")
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        choices=[
            ("issued", _("Newest first")),
            ("oldest", _("Oldest first")),
            ("overdue", _("Most overdue units first")),
            ("reference", _("Reference")),
        ],
        empty_label=None,
        method="sort_rows",
    )

    def with_overdue_units(self, queryset, name, value):
        return queryset.filter(overdue_units__gt=0) if value else queryset

    def sort_rows(self, queryset, name, value):
        return queryset.order_by(*OVERVIEW_SORTS[value])

    def filter_queryset(self, queryset):
        # Newest first unless another order is chosen (sort_rows).
        return super().filter_queryset(queryset.order_by(*OVERVIEW_SORTS["issued"]))

    @property
    def sort_key(self) -> str:
        """The order the rows are in."""
        return self.active().get("sort") or "issued"


# --- A circular's unit table --------------------------------------------------------

STATUS_ORDER = Case(
    *(When(status=code, then=Value(i)) for i, code in enumerate([S.SENT, S.ACKNOWLEDGED, S.RETURNED, S.REPORTED])),
    When(status=S.ACCEPTED, then=Value(4)),
    default=Value(5),
    output_field=IntegerField(),
)
UNIT_SORTS = {
    "unit": ("unit__sort_order", "unit__name", "id"),
    "status": (STATUS_ORDER, "unit__sort_order", "unit__name", "id"),
    "ack_due": ("ack_due_on", "unit__sort_order", "unit__name", "id"),
    "acknowledged": ("acknowledged_at", "unit__sort_order", "unit__name", "id"),
    "reported": ("reported_at", "unit__sort_order", "unit__name", "id"),
}


def unit_sort_order(key: str) -> tuple:
    """``unit``, ``-unit``, ``status``… (a leading minus reverses; anything else is ``unit``)."""
    name = key.removeprefix("-")
    order = UNIT_SORTS.get(name, UNIT_SORTS["unit"])
    if not key.startswith("-") or name not in UNIT_SORTS:
        return order
    first = order[0]
    return (first.desc() if hasattr(first, "desc") else f"-{first}", *order[1:])


class UnitFilterSet(FilterSet):
    """Over ``compliance.unit_rows`` of one circular."""

    q = django_filters.CharFilter(
        label=_("Unit"),
        max_length=200,
        method="search",
        widget=forms.SearchInput(attrs={"placeholder": _("Name or code of the unit")}),
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=S.choices, empty_label=_("Any status"))
    overdue = CheckboxFilter(label=_("Overdue only"), method="only_overdue")
    # Written by the column headers (dashboard/_sort_th.html), not shown as a box.
    sort = django_filters.CharFilter(label=_("Sort by"), max_length=20, method="sort_rows")

    def __init__(self, data=None, queryset=None, *, on: datetime.date | None = None, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.on = on or timezone.localdate()

    def search(self, queryset, name, value):
        """Every word in the unit's name as typed ("Bắc Phong") or, without its accents,
        in its code ("bac phong" finds xa-bac-phong)."""
        for word in value.split():
            queryset = queryset.filter(Q(unit__name__icontains=word) | Q(unit__code__icontains=fold(word)))
        return queryset

    def only_overdue(self, queryset, name, value):
        return queryset.overdue(self.on) if value else queryset

    def sort_rows(self, queryset, name, value):
        return queryset.order_by(*unit_sort_order(value))

    def filter_queryset(self, queryset):
        # By unit unless another order is chosen (sort_rows).
        return super().filter_queryset(queryset.order_by(*UNIT_SORTS["unit"]))

    @property
    def sort_key(self) -> str:
        """The order the rows are in, as the column headers write it."""
        key = self.active().get("sort", "unit")
        return key if key.removeprefix("-") in UNIT_SORTS else "unit"


# --- Incoming dispatches in handling -------------------------------------------------

INCOMING_SORTS = {
    "due": ("due_on", "dispatch__arrival_year", "dispatch__arrival_number", "id"),
    "received": ("-dispatch__received_on", "-dispatch__arrival_year", "-dispatch__arrival_number", "-id"),
}
# What the figures and the units' table count: every filter but the state and the order.
INCOMING_SCOPE = ("received_from", "received_to", "urgency", "unit")


class _UnitChoiceField(django_filters.fields.ModelChoiceField):
    """A unit by id; an id too large for any row (10^30) is no choice, refused before it
    reaches a query (SQLite cannot hold it)."""

    def to_python(self, value):
        if beyond_any_id(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class UnitFilter(django_filters.ModelChoiceFilter):
    field_class = _UnitChoiceField


class IncomingFilterSet(FilterSet):
    """Over ``incoming.leads`` (one row per dispatch, with its ``state``)."""

    received_from = DayFirstDateFilter(field_name="dispatch__received_on", lookup_expr="gte", label=_("Received from"))
    received_to = DayFirstDateFilter(field_name="dispatch__received_on", lookup_expr="lte", label=_("Received until"))
    urgency = django_filters.ChoiceFilter(
        field_name="dispatch__urgency", label=_("Urgency"), choices=Urgency.choices, empty_label=_("Any urgency")
    )
    unit = UnitFilter(
        label=_("Unit"),
        queryset=Unit.objects.filter(active=True).order_by("sort_order", "name"),
        empty_label=_("Any unit"),
        method="with_unit",
    )
    state = django_filters.ChoiceFilter(
        label=_("State"),
        choices=[
            ("in_handling", _("In handling")),
            ("due_soon", _("Due soon")),
            ("overdue", _("Overdue")),
            ("done", _("Handled")),
        ],
        empty_label=_("Any state"),
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        choices=[("due", _("Due date")), ("received", _("Newest received first"))],
        empty_label=None,
        method="sort_rows",
    )

    def with_unit(self, queryset, name, value):
        return incoming.with_unit(queryset, value)

    def sort_rows(self, queryset, name, value):
        return queryset.order_by(*INCOMING_SORTS[value])

    def filter_queryset(self, queryset):
        # By due date unless another order is chosen (sort_rows).
        return super().filter_queryset(queryset.order_by(*INCOMING_SORTS["due"]))

    def scope(self, queryset):
        """``queryset`` narrowed by the scope's filters only (``INCOMING_SCOPE``)."""
        self.form.is_valid()
        for name in INCOMING_SCOPE:
            queryset = self.filters[name].filter(queryset, self.form.cleaned_data.get(name))
        return queryset
