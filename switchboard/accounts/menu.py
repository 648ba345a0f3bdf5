"""Menu entries of the accounts domain."""

from django.utils.translation import gettext_lazy as _

from switchboard.core.menu import MenuEntry, register

register(
    MenuEntry(_("My telephony"), _("Home"), "core:home", icon="⌂"),
    MenuEntry(_("My telephony"), _("My account"), "accounts:profile", icon="☺"),
    MenuEntry(
        _("Administration"), _("Users"), "accounts:user_list", "accounts.view_user", icon="☷"
    ),
    MenuEntry(
        _("Administration"), _("Roles"), "accounts:role_list", "accounts.view_role", icon="⚑"
    ),
    MenuEntry(
        _("Administration"),
        _("Departments"),
        "accounts:department_list",
        "accounts.view_department",
        icon="▦",
    ),
    MenuEntry(
        _("Administration"),
        _("Audit log"),
        "accounts:audit_list",
        "accounts.view_auditentry",
        icon="✎",
    ),
)
