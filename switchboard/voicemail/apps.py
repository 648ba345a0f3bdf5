from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VoicemailConfig(AppConfig):
    name = "switchboard.voicemail"
    label = "voicemail"
    verbose_name = _("Voicemail")

    def ready(self) -> None:
        from switchboard.voicemail import menu  # noqa: F401  (menu entries)
