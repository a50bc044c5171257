"""Forms of the inbox, delivery and report pages. They parse and check input; the rules
of the domain (who may act, in which state, every action item reported) stay in
``acknowledgements.services``, which decides again."""

from django import forms
from django.utils.translation import gettext_lazy as _

from acknowledgements.models import ImplementationReport, ReportItem
from core.forms import CheckedFilesField
from core.uploads import EVIDENCE_KINDS

# What the file picker offers; the content decides what is accepted (core.uploads).
EVIDENCE_EXTENSIONS = (
    ".pdf,.doc,.docx,.xls,.xlsx,.pptx,.odt,.png,.jpg,.jpeg,.webp,.mp3,.m4a,.wav,.ogg,.amr,"
    "application/pdf,image/*,audio/*"
)


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is this document not for your unit?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AcceptForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment (optional)"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("What must the unit add or correct?"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class EvidenceField(CheckedFilesField):
    """The evidence of a report: documents, images, recordings of calls."""

    def __init__(self, **kwargs):
        super().__init__(allowed=EVIDENCE_KINDS, accept=EVIDENCE_EXTENSIONS, **kwargs)


class ReportForm(forms.Form):
    """One status radio group and one note per action item of the circular, a summary
    and evidence files. Field names are ``item-<action_item_id>-status`` and
    ``item-<action_item_id>-note``, so that they stay stable whatever the order."""

    summary = forms.CharField(
        label=_("Summary of what your unit did"), max_length=10000, widget=forms.Textarea(attrs={"rows": 5})
    )
    files = EvidenceField(
        label=_("Evidence files"),
        help_text=_("PDF, office documents, photos or audio recordings; up to 20 MB each. You may choose several."),
    )

    def __init__(self, *args, action_items, previous: ImplementationReport | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.action_items = list(action_items)
        previous_items = {item.action_item_id: item for item in previous.items.all()} if previous else {}
        if previous is not None and not self.is_bound:
            self.fields["summary"].initial = previous.summary
        for action_item in self.action_items:
            before = previous_items.get(action_item.pk)
            status = forms.ChoiceField(
                label=action_item.text,
                choices=ReportItem.Status.choices,
                widget=forms.RadioSelect,
                initial=before.status if before else None,
            )
            note = forms.CharField(
                label=_("Note"),
                required=False,
                max_length=4000,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=before.note if before else None,
            )
            self.fields[self.status_name(action_item)] = status
            self.fields[self.note_name(action_item)] = note

    @staticmethod
    def status_name(action_item) -> str:
        return f"item-{action_item.pk}-status"

    @staticmethod
    def note_name(action_item) -> str:
        return f"item-{action_item.pk}-note"

    def item_rows(self):
        """(action item, its status field, its note field), for the template."""
        return [(ai, self[self.status_name(ai)], self[self.note_name(ai)]) for ai in self.action_items]

    def service_items(self) -> list[dict]:
        return [
            {
                "action_item": ai.pk,
                "status": self.cleaned_data[self.status_name(ai)],
                "note": self.cleaned_data.get(self.note_name(ai), ""),
            }
            for ai in self.action_items
        ]
