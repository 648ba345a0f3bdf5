"""Django application configuration of the accounts domain."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Accounts: registers the built-in roles' sync and the administration menu entries."""

    name = "switchboard.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from switchboard.accounts import menu  # noqa: F401  (registers menu entries)
        from switchboard.accounts.roles import sync_builtin_roles

        post_migrate.connect(sync_builtin_roles, dispatch_uid="switchboard-builtin-roles")
