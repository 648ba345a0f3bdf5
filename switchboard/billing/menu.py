"""Menu entries of the billing domain."""

from django.utils.translation import gettext_lazy as _

from switchboard.core.menu import MenuEntry, register

register(
    MenuEntry(
        _("My telephony"), _("Billing"), "billing:report", "billing.view_billing_report", icon="€"
    ),
    MenuEntry(_("Billing setup"), _("Tariffs"), "billing:tariff_list", "billing.view_tariff"),
    MenuEntry(_("Billing setup"), _("Tariff zones"), "billing:zone_list", "billing.view_zone"),
    MenuEntry(_("Billing setup"), _("Re-rate calls"), "billing:rerate", "billing.rerate_calls"),
    MenuEntry(
        _("Billing setup"), _("Calls to review"), "billing:review", "billing.view_callcharge"
    ),
)
