from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IvrConfig(AppConfig):
    name = "switchboard.ivr"
    label = "ivr"
    verbose_name = _("Voice menus")

    def ready(self) -> None:
        from switchboard.ivr import menu  # noqa: F401  (registers the menu entries)
