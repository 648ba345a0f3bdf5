from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatConfig(AppConfig):
    name = "switchboard.chat"
    label = "chat"
    verbose_name = _("Staff chat")

    def ready(self) -> None:
        from switchboard.chat import menu  # noqa: F401  (menu entries)
