from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgentsConfig(AppConfig):
    name = "switchboard.agents"
    label = "agents"
    verbose_name = _("Agents and presence")

    def ready(self) -> None:
        from switchboard.agents import menu  # noqa: F401  (menu entries)
