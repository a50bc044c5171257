from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from portal import lockout


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("Wrong username or password. Both are case-sensitive."),
        "inactive": _("This account has been disabled. Contact the administrator."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        username.widget.attrs.update({"autocomplete": "username", "autocapitalize": "none"})
        # AuthenticationForm sets max_length after the field is built, so it is never
        # checked: an over-long username went on to django-axes, whose column is 255 wide
        # (a 500 on PostgreSQL). Refused here like any wrong login.
        username.validators.append(MaxLengthValidator(username.max_length or 150))
        self.fields["password"].widget = forms.PasswordInput(attrs={"autocomplete": "current-password"})

    def clean(self):
        # An address past its failure limit is told so, before any password is tried.
        if lockout.address_locked(self.request):
            raise ValidationError(lockout.message(), code="address_locked")
        return super().clean()
