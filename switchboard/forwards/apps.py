from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForwardsConfig(AppConfig):
    name = "switchboard.forwards"
    label = "forwards"
    verbose_name = _("Call forwards")

    def ready(self) -> None:
        from switchboard.forwards import menu  # noqa: F401  (menu entries)
