from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_roles(sender, **kwargs):
    # post_migrate is sent once per app; wait for the last one, when every app's
    # permissions exist.
    from django.apps import apps

    if sender.label != list(apps.get_app_configs())[-1].label:
        return
    from units.roles import ensure_roles

    ensure_roles()


class UnitsConfig(AppConfig):
    name = "units"
    verbose_name = _("Units and people")

    def ready(self) -> None:
        # After every migrate (and every test flush), so role groups always exist.
        post_migrate.connect(_ensure_roles, dispatch_uid="units.ensure_roles")
