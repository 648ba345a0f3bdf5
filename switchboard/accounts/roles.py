"""The built-in roles of SPEC P4 and the code that keeps them in the database.

Each built-in role is a ``Role`` row with a fixed code. Its permissions are declared here as
``app_label.codename`` strings (``*`` means every permission, for administrators) and applied
after every migration, so a later feature that declares new permissions extends the roles by
editing this table. Queue agent / supervisor roles are not here: queues create their own.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Permission
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class BuiltinRole:
    """A role every installation has; ``permissions`` lists ``app.codename`` or ``*``."""

    code: str
    name: Promise
    description: Promise
    permissions: tuple[str, ...] = ()


ADMINISTRATOR = "administrator"
DEPARTMENT_HEAD = "department_head"
ACCOUNTING = "accounting"
CALL_LOG = "call_log"
GLOBAL_STATISTICS = "global_statistics"
EXTERNAL_FORWARD = "external_forward"
INCIDENT_SUPERVISOR = "incident_supervisor"
DIRECTORY_EDITOR = "directory_editor"
CALLBACK_OPERATOR = "callback_operator"
USER = "user"

BUILTIN_ROLES: dict[str, BuiltinRole] = {
    role.code: role
    for role in (
        BuiltinRole(
            USER,
            _("User"),
            _("Sees and manages their own telephony."),
            ("billing.view_billing_report",),
        ),
        BuiltinRole(
            DEPARTMENT_HEAD,
            _("Department head"),
            _("Sees the calls and figures of their department."),
            ("billing.view_billing_report", "billing.view_department_billing"),
        ),
        BuiltinRole(
            ACCOUNTING,
            _("Accounting"),
            _("Sees billing for every department."),
            (
                "billing.view_billing_report",
                "billing.view_all_billing",
                "billing.view_tariff",
                "billing.add_tariff",
                "billing.change_tariff",
                "billing.delete_tariff",
                "billing.view_zone",
                "billing.add_zone",
                "billing.change_zone",
                "billing.delete_zone",
                "billing.view_callcharge",
                "billing.rerate_calls",
            ),
        ),
        BuiltinRole(
            CALL_LOG,
            _("Call-log access"),
            _("Sees the call log of every phone."),
            ("records.view_all_calls",),
        ),
        BuiltinRole(
            GLOBAL_STATISTICS,
            _("Global statistics"),
            _("Sees the statistics of the whole site."),
            ("stats.view_global", "stats.view_queues", "callbacks.view_callback_report"),
        ),
        BuiltinRole(
            EXTERNAL_FORWARD,
            _("External forward"),
            _("May forward their calls to numbers outside the organisation."),
        ),
        BuiltinRole(
            INCIDENT_SUPERVISOR,
            _("Incident supervisor"),
            _("Switches company-wide incident states."),
            ("ivr.view_incident", "ivr.switch_incident"),
        ),
        BuiltinRole(
            DIRECTORY_EDITOR,
            _("Directory editor"),
            _("Adds, changes and deletes the shared contacts of the directory."),
            ("directory.edit_shared_contacts",),
        ),
        BuiltinRole(
            CALLBACK_OPERATOR,
            _("Callback operator"),
            _("Calls back the requests of their queues (every request with the right to all)."),
            ("callbacks.handle_callback", "callbacks.add_callback"),
        ),
        BuiltinRole(
            ADMINISTRATOR,
            _("Administrator"),
            _("Configures everything and sees everything."),
            ("*",),
        ),
    )
}


def _permissions(spec: tuple[str, ...]) -> list[Permission]:
    if "*" in spec:
        return list(Permission.objects.all())
    found = []
    for dotted in spec:
        app_label, codename = dotted.split(".", 1)
        # filter, not get: post_migrate runs once per app, before later apps' permissions exist
        found += Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    return found


def sync_builtin_roles(**_kwargs: object) -> None:
    """Create the built-in roles that are missing and reset their permissions (post_migrate)."""
    from switchboard.accounts.models import Role

    for builtin in BUILTIN_ROLES.values():
        role, _created = Role.objects.get_or_create(
            code=builtin.code,
            defaults={
                "name": f"builtin:{builtin.code}",
                "kind": Role.Kind.BUILTIN,
                "description": str(builtin.description),
            },
        )
        role.permissions.set(_permissions(builtin.permissions))
