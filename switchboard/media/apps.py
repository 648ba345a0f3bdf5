from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediaConfig(AppConfig):
    name = "switchboard.media"
    label = "media"
    verbose_name = _("Sounds and music on hold")

    def ready(self) -> None:
        from switchboard.media import menu  # noqa: F401  (menu entries)
