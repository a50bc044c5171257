from django.apps import AppConfig, apps
from django.contrib.auth.signals import user_login_failed
from django.db.models.signals import post_migrate

from portal import lockout
from portal.roles import ensure_roles


def _ensure_roles(sender, **kwargs):
    # post_migrate is sent once per app that has models; wait for the last one, when every
    # app's permissions exist.
    if sender.label != [config for config in apps.get_app_configs() if config.models_module][-1].label:
        return
    ensure_roles()


class PortalConfig(AppConfig):
    name = "portal"

    def ready(self) -> None:
        # After every migrate (and every test flush), so role groups always exist.
        post_migrate.connect(_ensure_roles, dispatch_uid="portal.ensure_roles")
        # A password change or a deactivation ends the user's API token.
        from portal import tokens  # noqa: PLC0415 - it imports models, loadable only once the registry is ready

        tokens.connect()
        user_login_failed.connect(lockout.record_failure, dispatch_uid="portal.lockout.record_failure")
