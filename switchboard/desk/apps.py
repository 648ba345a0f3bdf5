from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    name = "switchboard.desk"
    label = "desk"
    verbose_name = _("Operator desk")

    def ready(self) -> None:
        from switchboard.desk import menu  # noqa: F401  (menu entries)
