from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "switchboard.directory"
    label = "directory"
    verbose_name = _("Directory")

    def ready(self) -> None:
        from switchboard.directory import menu, signals  # noqa: F401  (menu entries, AstDB sync)
