"""Django application configuration of the telephony domain."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TelephonyConfig(AppConfig):
    """Telephony: PBX connections, the telephony worker and the live pages."""

    name = "switchboard.telephony"
    label = "telephony"
    verbose_name = _("Telephony")

    def ready(self) -> None:
        from switchboard.telephony import menu  # noqa: F401  (registers menu entries)
