"""Form fields every app's pages share: the day-first date, the checked file upload, a
choice that lists the allowed values when refused and the choice of several objects by id."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.dates import check_plausible
from core.parsing import beyond_any_id
from core.uploads import ATTACHMENT_KINDS, check_upload


class DayFirstDateInput(forms.DateInput):
    """A text box for dd/mm/yyyy. Not ``type=date``: its picker follows the browser's
    language, so an English browser shows mm/dd/yyyy and 01/10 would become 10 January.
    The number pad on phones (``inputmode=numeric``) may have no "/", hence the
    separators and the bare digits that ``DayFirstDateField`` accepts."""

    def __init__(self, attrs=None):
        attrs = {"inputmode": "numeric", "placeholder": "dd/mm/yyyy", "autocomplete": "off", **(attrs or {})}
        super().__init__(attrs=attrs, format="%d/%m/%Y")


class DayFirstDateField(forms.DateField):
    """A date as Vietnamese offices write it, day first, whatever the interface language:
    15/10/2024, 15.10.2024, 15-10-2024, 15 10 2024, 15102024, 15/10/24; and 2024-10-15."""

    widget = DayFirstDateInput
    input_formats = ["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d"]

    def to_python(self, value):
        if isinstance(value, str):
            text = value.strip()
            if re.fullmatch(r"\d{8}", text):
                text = f"{text[:2]}/{text[2:4]}/{text[4:]}"
            elif not re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", text):
                text = re.sub(r"\s*[./,\- ]\s*", "/", text)
            value = text
        return super().to_python(value)

    def validate(self, value):
        super().validate(value)
        check_plausible(value)


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class CheckedFilesField(forms.FileField):
    """Several files in one ``<input type=file multiple>``, each checked by its content
    against ``allowed`` (``core.uploads`` kinds). Cleans to a list of
    ``core.uploads.CheckedFile``; one bad file fails the whole form, and every message
    names its file, so a clerk knows which one to replace."""

    widget = MultipleFileInput

    def __init__(self, *, allowed=ATTACHMENT_KINDS, accept: str = "", **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.allowed = allowed
        if accept:
            self.widget.attrs.setdefault("accept", accept)

    def clean(self, data, initial=None):
        uploads = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not uploads:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        checked, errors = [], []
        for uploaded in uploads:
            try:
                checked.append(check_upload(uploaded, allowed=self.allowed))
            except ValidationError as error:
                for message in error.messages:
                    errors.append(message if uploaded.name in message else f"{uploaded.name}: {message}")
        if errors:
            raise ValidationError(errors)
        return checked


class ChoiceField(forms.ChoiceField):
    """A choice whose refusal lists what may be chosen (a tampered or stale form)."""

    def validate(self, value):
        try:
            super().validate(value)
        except ValidationError as error:
            if error.code != "invalid_choice":
                raise
            allowed = "; ".join(str(label) for _value, label in self.choices if _value != "")
            message = _("“%(value)s” is not one of the choices; choose one of: %(allowed)s.")
            raise ValidationError(message, code="invalid_choice", params={"value": value, "allowed": allowed}) from None


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's, with an id too large for any row (10^30) refused as a choice of nothing
    before it reaches a query: Django puts it in ``pk__in``, which SQLite cannot hold."""

    def clean(self, value):
        if isinstance(value, list | tuple) and any(beyond_any_id(pk) for pk in value):
            message = _("A number this large is the id of nothing that can be chosen.")
            raise ValidationError(message, code="invalid_choice")
        return super().clean(value)
