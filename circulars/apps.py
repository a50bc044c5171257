from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CircularsConfig(AppConfig):
    name = "circulars"
    verbose_name = _("Documents and registers")
