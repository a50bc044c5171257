"""django-axes (failed logins and lockouts) under a Vietnamese name in the admin: the
package names its app by its label, "Axes", which no catalogue translates."""

from axes.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AxesConfig(AppConfig):
    verbose_name = _("Login attempts and lockouts")
