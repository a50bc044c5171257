"""Forms of the handling pages: present a dispatch, assign it, a unit's contribution, its
completion. They parse and bound the input; the rules (a lead unit, not also a supporting
one, a plausible due date, who may act) are ``acknowledgements.assignments``', which the
views call and whose messages they show."""

from django import forms
from django.utils.translation import gettext_lazy as _

from acknowledgements import assignments
from core.forms import ChoiceField, DayFirstDateField, ModelMultipleChoiceField
from units.models import Unit


class LeaderChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


class PresentForm(forms.Form):
    leader = LeaderChoiceField(
        label=_("Present to"),
        queryset=assignments.leaders(),
        error_messages={"required": _("Choose the leader (a signer of the committee) whose instruction this is.")},
    )
    note = forms.CharField(
        label=_("Note for the leader (optional)"),
        required=False,
        max_length=assignments.NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AssignForm(forms.Form):
    """The leader's instruction. Lead unit, due date and instruction are checked by the
    service, in its words; the form only reads them. ``due_by`` says which of the date
    and the working days counts, so a value left in the other box does not get in the way."""

    DUE_BY = [("date", _("On a date")), ("working_days", _("In working days from today"))]

    lead_unit = forms.ModelChoiceField(label=_("Lead unit (chủ trì)"), queryset=Unit.objects.none(), required=False)
    support_units = ModelMultipleChoiceField(
        label=_("Supporting units (phối hợp)"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    due_by = ChoiceField(label=_("Due"), choices=DUE_BY, required=False, widget=forms.RadioSelect)
    due_on = DayFirstDateField(label=_("Due date"), required=False)
    working_days = forms.IntegerField(
        label=_("Working days"), required=False, min_value=0, max_value=1000, widget=forms.NumberInput(attrs={"min": 1})
    )
    instruction = forms.CharField(
        label=_("Instruction"),
        required=False,
        max_length=assignments.INSTRUCTION_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    leader = LeaderChoiceField(
        label=_("On the instruction of"), queryset=assignments.leaders(), required=False, empty_label="—"
    )

    def __init__(self, *args, records_leader: bool, **kwargs):
        """``records_leader``: the user records a leader's instruction (the records clerk),
        so the form names the leader; a leader assigns in their own name."""
        super().__init__(*args, **kwargs)
        units = Unit.objects.filter(active=True).order_by("kind", "name")
        self.fields["lead_unit"].queryset = units
        self.fields["support_units"].queryset = units
        if not records_leader:
            del self.fields["leader"]

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        due_by = data.pop("due_by", "")
        if due_by == "date":
            data["working_days"] = None
        elif due_by == "working_days":
            data["due_on"] = None
        data["support_units"] = list(data["support_units"])
        return data


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Your unit's contribution"),
        required=False,
        max_length=assignments.NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CompleteForm(forms.Form):
    note = forms.CharField(
        label=_("How was the dispatch handled?"),
        required=False,
        max_length=assignments.NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
