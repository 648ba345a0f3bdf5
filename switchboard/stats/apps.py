from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "switchboard.stats"
    label = "stats"
    verbose_name = _("Statistics")

    def ready(self) -> None:
        from switchboard.stats import menu  # noqa: F401  (menu entries)
