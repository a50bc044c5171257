from django import forms
from django.utils.translation import gettext_lazy as _


class RegisterRestartForm(forms.Form):
    start_at = forms.IntegerField(
        label=_("Start from number"),
        min_value=1,
        max_value=999_999,
        help_text=_("The next number the register gives, e.g. the paper register's last number plus one."),
    )
    note = forms.CharField(label=_("Note"), max_length=255, required=False)


class NoSwapsForm(forms.Form):
    year = forms.IntegerField(min_value=1, max_value=9999, widget=forms.HiddenInput)
