from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PbxConfig(AppConfig):
    name = "switchboard.pbx"
    label = "pbx"
    verbose_name = _("PBX configuration")

    def ready(self) -> None:
        from switchboard.pbx import menu, signals  # noqa: F401  (menu entries, queue roles)
