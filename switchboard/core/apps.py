"""Django application configuration of the core (interface shell) app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Core: layout, menu registry, generic object views, health endpoint."""

    name = "switchboard.core"
    label = "core"
    verbose_name = _("Core")
