"""Forms of the circulars pages. They parse and check input; the rules of the domain
(who may act, duplicates, dates against each other) stay in ``circulars.services``."""

import html
import re

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from circulars.models import INCOMING_DOCUMENT_TYPES, Circular, DocumentType, IncomingDispatch, Secrecy, Urgency
from circulars.notation import clean_notation
from circulars.services import default_drafting_unit, parse_reference
from core.errors import DomainError
from core.forms import CheckedFilesField, ChoiceField, DayFirstDateField, ModelMultipleChoiceField
from core.parsing import ids_in
from core.uploads import ATTACHMENT_KINDS, MAX_UPLOAD_BYTES
from units.models import Unit, UnitGroup, User
from units.roles import PortalRole

DEFAULT_COPY_TO = "Như trên;\nCT, PCT UBND huyện;\nVPUB: LĐ, CV;\nLưu: VT."
DEFAULT_SIGNER_TITLE = "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH"
ACCEPTED_EXTENSIONS = ".pdf,.doc,.docx,.xls,.xlsx,.pptx,.odt,.png,.jpg,.jpeg,.webp"


def date_field(label, **kwargs) -> forms.DateField:
    return DayFirstDateField(label=label, **kwargs)


class AttachmentsField(CheckedFilesField):
    """The documents of a dispatch or a circular (documents and images)."""

    def __init__(self, **kwargs):
        super().__init__(allowed=ATTACHMENT_KINDS, accept=ACCEPTED_EXTENSIONS, **kwargs)


def split_lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


_PLAIN_TAGS = re.compile(r"</?(p|br|ul|li)\s*/?>", re.IGNORECASE)


def body_for_editing(body_html: str) -> str:
    """The stored body back as the plain text it was typed as, when it is the plain
    subset ``services.sanitize_body`` makes of typed text (paragraphs, line breaks,
    dash lists). Richer HTML is shown as HTML, which ``sanitize_body`` accepts too."""
    if not body_html or re.search(r"<[a-zA-Z/][^>]*>", _PLAIN_TAGS.sub("", body_html)):
        return body_html or ""
    text = re.sub(r"<br\s*/?>", "\n", body_html, flags=re.IGNORECASE)
    text = re.sub(r"<li>", "- ", text, flags=re.IGNORECASE)
    text = re.sub(r"</li>", "\n", text, flags=re.IGNORECASE)
    text = re.sub(r"</(p|ul)>", "\n\n", text, flags=re.IGNORECASE)
    text = re.sub(r"<(p|ul)>", "", text, flags=re.IGNORECASE)
    return html.unescape(re.sub(r"\n{3,}", "\n\n", text)).strip()


# --- Incoming register --------------------------------------------------------------


class IncomingDispatchForm(forms.Form):
    issuer = forms.CharField(
        label=_("Issuing body"), max_length=255, help_text=_("As on the document, e.g. Sở Thông tin và Truyền thông")
    )
    reference = forms.CharField(
        label=_("Number and notation"), max_length=100, help_text=_("As written, e.g. 2980/STTTT-TTra")
    )
    document_date = date_field(_("Document date"))
    document_type = ChoiceField(
        label=_("Document type"), choices=INCOMING_DOCUMENT_TYPES, initial=DocumentType.OFFICIAL_LETTER
    )
    subject = forms.CharField(label=_("Subject"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    signer_name = forms.CharField(label=_("Signed by"), max_length=150, required=False)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL)
    received_on = date_field(_("Received on"), initial=timezone.localdate)
    due_on = date_field(_("Due on"), required=False)
    handled_by = forms.CharField(label=_("Unit or person handling it"), max_length=255, required=False)
    transferred_on = date_field(
        _("Transferred on"), required=False, help_text=_("The day it was passed to the unit or person handling it.")
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
    files = AttachmentsField(label=_("Files"), help_text=_("PDF, Word, Excel or images; up to 20 MB each."))

    def clean_reference(self):
        reference = self.cleaned_data["reference"]
        try:
            parse_reference(reference)
        except DomainError as error:
            raise ValidationError(str(error.message)) from None
        return reference


# --- Circulars ----------------------------------------------------------------------


class IncomingChoiceField(ModelMultipleChoiceField):
    def label_from_instance(self, obj: IncomingDispatch) -> str:
        return f"{obj.reference} · {obj.issuer} · {obj.subject[:120]}"


class SignerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.get_full_name()}{f' ({obj.title})' if obj.title else ''}"


class IssuedChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Circular) -> str:
        return f"{obj.reference} · {obj.issued_on:%d/%m/%Y} · {obj.subject[:120]}"


class CircularForm(forms.Form):
    # How many recent incoming dispatches are offered as "in response to", and how many
    # recent issued circulars as the one a new draft replaces or corrects.
    RECENT_INCOMING = 50
    RECENT_ISSUED = 50

    document_type = ChoiceField(
        label=_("Document type"), choices=DocumentType.choices, initial=DocumentType.OFFICIAL_LETTER
    )
    subject = forms.CharField(
        label=_("Subject"),
        max_length=500,
        help_text=_("One line: “V/v …” for an official letter, “Về việc …” or the subject itself for a named type."),
        widget=forms.TextInput(attrs={"placeholder": "V/v …"}),
    )
    body = forms.CharField(
        label=_("Body"),
        required=False,
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("Leave a blank line between paragraphs; start a line with “- ” to make a list."),
    )
    in_response_to = IncomingChoiceField(
        label=_("In response to"),
        queryset=IncomingDispatch.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    recipient_groups = ModelMultipleChoiceField(
        label=_("Recipient groups"),
        queryset=UnitGroup.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    recipient_units = ModelMultipleChoiceField(
        label=_("Recipient units"),
        queryset=Unit.objects.active().filter(parent__isnull=False),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    recipients_text = forms.CharField(
        label=_("“To” lines (optional)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Leave empty to list the groups and units chosen above; one line each."),
    )
    copy_to = forms.CharField(
        label=_("Copy to"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One line each."),
    )
    action_items = forms.CharField(
        label=_("Action items"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One per line: what each recipient unit must do and report on."),
    )
    monitoring_unit = forms.ModelChoiceField(label=_("Monitoring unit"), queryset=Unit.objects.active(), required=False)
    ack_due_working_days = forms.IntegerField(
        label=_("Working days to acknowledge"), min_value=1, max_value=60, initial=2
    )
    report_due_on = date_field(_("Report due on"), required=False)
    urgency = ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL)
    # Not required: a form posted without it (an older page) means "not secret".
    secrecy = ChoiceField(label=_("Secrecy"), choices=Secrecy.choices, initial=Secrecy.NONE, required=False)
    signer = SignerChoiceField(
        label=_("Signer"),
        queryset=User.objects.filter(groups__name=PortalRole.SIGNER, is_active=True).order_by("full_name"),
        required=False,
    )
    signer_title = forms.CharField(
        label=_("Signer title"),
        max_length=200,
        required=False,
        initial=DEFAULT_SIGNER_TITLE,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One line per row."),
    )
    drafting_unit = forms.ModelChoiceField(
        label=_("Drafting unit"),
        queryset=Unit.objects.active(),
        required=False,
        help_text=_("Its abbreviation ends an official letter's notation, e.g. TH in UBND-TH."),
    )
    notation = forms.CharField(
        label=_("Notation"),
        max_length=64,
        required=False,
        help_text=_("Leave empty to build it from Decree 30: UBND-TH for an official letter, QĐ-UBND for a decision."),
    )
    files = AttachmentsField(label=_("Attachments"), help_text=_("PDF, Word, Excel or images; up to 20 MB each."))
    # Named once, when the draft is created (not offered when editing).
    replaces = IssuedChoiceField(
        label=_("Replaces (thay thế)"),
        queryset=Circular.objects.none(),
        required=False,
        help_text=_("The issued circular this one replaces: once this one is distributed, the old one is closed."),
    )
    corrects = IssuedChoiceField(
        label=_("Corrects (đính chính)"),
        queryset=Circular.objects.none(),
        required=False,
        help_text=_("The issued circular this one corrects: it stays in force, and this one goes to its units."),
    )

    def __init__(self, *args, user, circular: Circular | None = None, in_response_to=(), **kwargs):
        if circular is not None:
            kwargs.setdefault("initial", self.initial_for(circular))
        else:
            kwargs.setdefault(
                "initial",
                {
                    "copy_to": DEFAULT_COPY_TO,
                    "in_response_to": list(in_response_to),
                    "drafting_unit": default_drafting_unit(user),
                },
            )
        super().__init__(*args, **kwargs)
        # Offer the recent dispatches, plus any already chosen or posted (an older one
        # linked from its own page must stay valid).
        readable = IncomingDispatch.objects.for_user(user)
        chosen = {str(pk) for pk in self.initial.get("in_response_to") or []}
        if self.is_bound:
            chosen |= set(self.data.getlist("in_response_to")) if hasattr(self.data, "getlist") else set()
        recent = list(readable.values_list("pk", flat=True)[: self.RECENT_INCOMING])
        chosen_ids = ids_in(str(pk) for pk in chosen)
        self.fields["in_response_to"].queryset = readable.filter(Q(pk__in=recent) | Q(pk__in=chosen_ids))
        self.creating = circular is None
        if not self.creating:
            del self.fields["replaces"], self.fields["corrects"]
            return
        in_force = Circular.objects.issued().order_by("-issued_year", "-number")
        posted = ids_in(str(self.data.get(name) or "") for name in ("replaces", "corrects")) if self.is_bound else []
        recent_issued = list(in_force.values_list("pk", flat=True)[: self.RECENT_ISSUED])
        for name in ("replaces", "corrects"):
            self.fields[name].queryset = in_force.filter(Q(pk__in=recent_issued) | Q(pk__in=posted))

    @staticmethod
    def initial_for(circular: Circular) -> dict:
        return {
            "document_type": circular.document_type,
            "subject": circular.subject,
            "body": body_for_editing(circular.body),
            "in_response_to": list(circular.in_response_to.values_list("pk", flat=True)),
            "recipient_groups": list(circular.recipient_groups.values_list("pk", flat=True)),
            "recipient_units": list(circular.recipient_units.values_list("pk", flat=True)),
            "recipients_text": circular.recipients_text,
            "copy_to": "\n".join(circular.copy_to),
            "action_items": "\n".join(circular.action_items.values_list("text", flat=True)),
            "monitoring_unit": circular.monitoring_unit_id,
            "ack_due_working_days": circular.ack_due_working_days,
            "report_due_on": circular.report_due_on,
            "urgency": circular.urgency,
            "secrecy": circular.secrecy,
            "signer": circular.signer_id,
            "signer_title": circular.signer_title,
            "drafting_unit": circular.drafting_unit_id,
            "notation": circular.notation_override,
        }

    def clean_notation(self):
        try:
            return clean_notation(self.cleaned_data["notation"])
        except DomainError as error:
            raise ValidationError(str(error.message)) from None

    def service_kwargs(self) -> dict:
        """The arguments of ``services.create_draft`` / ``update_draft``."""
        cd = self.cleaned_data
        data = {
            "document_type": cd["document_type"],
            "subject": cd["subject"],
            "body": cd["body"],
            "notation_override": cd["notation"],
            "drafting_unit": cd["drafting_unit"],
            "recipients_text": cd["recipients_text"].strip(),
            "copy_to": split_lines(cd["copy_to"]),
            "monitoring_unit": cd["monitoring_unit"],
            "ack_due_working_days": cd["ack_due_working_days"],
            "report_due_on": cd["report_due_on"],
            "urgency": cd["urgency"],
            "secrecy": cd["secrecy"] or Secrecy.NONE,
            "signer": cd["signer"],
            "signer_title": "\n".join(split_lines(cd["signer_title"])),
        }
        return {
            "data": data,
            "recipient_groups": list(cd["recipient_groups"]),
            "recipient_units": list(cd["recipient_units"]),
            "action_items": split_lines(cd["action_items"]),
            "in_response_to": list(cd["in_response_to"]),
            "files": cd["files"],
            **({"replaces": cd["replaces"], "corrects": cd["corrects"]} if self.creating else {}),
        }


# --- Lifecycle actions --------------------------------------------------------------


class ReturnForm(forms.Form):
    comment = forms.CharField(label=_("What must change"), widget=forms.Textarea(attrs={"rows": 3}))


def pin_field(label, help_text):
    # Never shown back: a failed attempt asks for it again.
    return forms.CharField(
        label=label,
        required=False,
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        help_text=help_text,
    )


class ApproveForm(forms.Form):
    pin = pin_field(_("PIN or password of your signing key"), _("Needed when you sign with a key kept by the portal."))


class IssueForm(forms.Form):
    issued_on = date_field(_("Date of issue"), required=False, help_text=_("Leave empty for today."))
    pin = pin_field(
        _("PIN or password of the organisation's signing key"),
        _("The records office keeps the organisation's key; its PIN is asked for each signature."),
    )


class SignedDraftForm(forms.Form):
    file = forms.FileField(label=_("Signed draft (PDF)"), allow_empty_file=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".pdf,application/pdf"

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if uploaded.size > MAX_UPLOAD_BYTES:
            raise ValidationError(
                _("The file is %(size)s; the limit is %(limit)s.")
                % {"size": filesizeformat(uploaded.size), "limit": filesizeformat(MAX_UPLOAD_BYTES)}
            )
        return uploaded


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason for withdrawal"), widget=forms.Textarea(attrs={"rows": 2}))


class RecallForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for recall"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Every unit that received it is told at once, with this reason."),
    )


# --- Public verification ------------------------------------------------------------


class VerifyCodeForm(forms.Form):
    code = forms.CharField(label=_("Verification code"), max_length=20)


class VerifyFileForm(forms.Form):
    MAX_BYTES = MAX_UPLOAD_BYTES

    file = forms.FileField(label=_("PDF file to check"), allow_empty_file=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".pdf,application/pdf"

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if uploaded.size > self.MAX_BYTES:
            raise ValidationError(
                _("The file is %(size)s; the limit is %(limit)s.")
                % {"size": filesizeformat(uploaded.size), "limit": filesizeformat(self.MAX_BYTES)}
            )
        return uploaded


# --- Registers and calendar (administrator) -----------------------------------------
