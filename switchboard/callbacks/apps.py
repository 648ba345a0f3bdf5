from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallbacksConfig(AppConfig):
    name = "switchboard.callbacks"
    label = "callbacks"
    verbose_name = _("Callback requests")

    def ready(self) -> None:
        from switchboard.callbacks import menu  # noqa: F401
