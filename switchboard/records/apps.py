from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "switchboard.records"
    label = "records"
    verbose_name = _("Call records")

    def ready(self) -> None:
        # Menu entries: the call log, the history import.
        from switchboard.records import import_views, menu  # noqa: F401
