from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "switchboard.billing"
    label = "billing"
    verbose_name = _("Billing")

    def ready(self) -> None:
        from switchboard.billing import menu  # noqa: F401  (menu entries)
        from switchboard.billing.services import connect_signals

        connect_signals()
