"""Users, roles ("profiles"), departments ("services"), sign-in throttling and the audit log."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

pin_validator = RegexValidator(r"^[0-9]{6,16}$", _("The PIN must be 6 to 16 digits."))


class Department(models.Model):
    """A department ("service"): phones and users belong to one; used for billing and scope."""

    short_name = models.CharField(_("short name"), max_length=32, unique=True)
    name = models.CharField(_("full name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["short_name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.short_name


class Role(Group):
    """A role ("profile") a user holds; several per user.

    A role is a Django group (its permissions decide which pages and actions are open) with a
    stable ``code`` that scoping code tests. Built-in roles are created and kept in sync at
    every migration; a queue's agent and supervisor roles are *owned* by the queue (created
    with it, deleted with it) through ``owner``.
    """

    class Kind(models.TextChoices):
        BUILTIN = "builtin", _("built-in")
        CUSTOM = "custom", _("custom")
        QUEUE_AGENT = "queue_agent", _("queue agent")
        QUEUE_SUPERVISOR = "queue_supervisor", _("queue supervisor")

    code = models.SlugField(_("code"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.CUSTOM)
    description = models.TextField(_("description"), blank=True)
    owner_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    owner_id = models.PositiveBigIntegerField(null=True, blank=True)
    owner = GenericForeignKey("owner_type", "owner_id")

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        indexes = [models.Index(fields=["owner_type", "owner_id"])]

    def __str__(self) -> str:
        return str(self.label)

    @property
    def label(self) -> str:
        """The role's name in the user's language (built-in names are translated)."""
        from switchboard.accounts.roles import BUILTIN_ROLES

        builtin = BUILTIN_ROLES.get(self.code) if self.kind == self.Kind.BUILTIN else None
        return str(builtin.name) if builtin else self.name

    @property
    def description_label(self) -> str:
        """The description in the user's language (built-in ones are translated)."""
        from switchboard.accounts.roles import BUILTIN_ROLES

        builtin = BUILTIN_ROLES.get(self.code) if self.kind == self.Kind.BUILTIN else None
        return str(builtin.description) if builtin else self.description

    @property
    def is_protected(self) -> bool:
        """Built-in and owned roles are managed by the system, not deleted by hand."""
        return self.kind != self.Kind.CUSTOM


class User(AbstractUser):
    """A person who signs in to the portal.

    The web password is hashed by Django. The voicemail PIN is a separate secret: Asterisk's
    voicemail needs it in clear in its own configuration, so it cannot be hashed here; it is
    never shown, never written to the audit log and only ever replaced.
    """

    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Interface language; empty: the site's default."),
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="users",
    )
    voicemail_pin = models.CharField(
        _("voicemail PIN"), max_length=16, blank=True, validators=[pin_validator]
    )

    class Meta(AbstractUser.Meta):
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def roles(self) -> models.QuerySet[Role]:
        return Role.objects.filter(user=self)

    def has_role(self, code: str) -> bool:
        """Whether the user holds the role with this code (cached per request object)."""
        cache = getattr(self, "_role_codes", None)
        if cache is None:
            cache = set(self.roles.values_list("code", flat=True)) if self.pk else set()
            self._role_codes = cache
        return code in cache


class LoginThrottle(models.Model):
    """Failed sign-ins of one account name: they slow down further tries, then lock it."""

    username = models.CharField(max_length=150, unique=True)
    failures = models.PositiveIntegerField(default=0)
    last_failure = models.DateTimeField(null=True)
    locked_until = models.DateTimeField(null=True)

    class Meta:
        verbose_name = _("sign-in throttle")

    def __str__(self) -> str:
        return f"{self.username}: {self.failures}"


class AuditEntry(models.Model):
    """One change made through the portal: who, when, what, and the values before and after."""

    class Action(models.TextChoices):
        CREATE = "create", _("created")
        UPDATE = "update", _("changed")
        DELETE = "delete", _("deleted")
        APPLY = "apply", _("applied to the PBX")

    at = models.DateTimeField(_("date"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(_("user"), max_length=150)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=100, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=200)
    before = models.JSONField(_("before"), null=True)
    after = models.JSONField(_("after"), null=True)
    address = models.GenericIPAddressField(_("address"), null=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.object_repr}"

    def changes(self) -> list[tuple[str, object, object]]:
        """(field, before, after) for every field whose value differs."""
        before, after = self.before or {}, self.after or {}
        names = list(dict.fromkeys([*before, *after]))
        return [(n, before.get(n), after.get(n)) for n in names if before.get(n) != after.get(n)]
