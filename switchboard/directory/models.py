"""The directory's external contacts (internal users come from accounts and pbx).

A contact is shared (everyone sees it, holders of ``directory.edit_shared_contacts`` edit it)
or private (seen and edited only by the user who created it). Each of its numbers is also
kept in its canonical form (``numbers.normalize``) for caller look-up and account-manager
routing, and as digits for partial search.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from switchboard.directory.numbers import digits, normalize, plan

# What a person may type as a number: digits, +, spaces and the usual layout characters.
NUMBER = RegexValidator(
    r"^\+?[0-9 .()/-]{2,30}$", _("A phone number: digits, optionally a leading + and spaces.")
)
NUMBER_FIELDS = ("number1", "number2", "number3")
CANONICAL = ("canonical1", "canonical2", "canonical3")


class Contact(models.Model):
    first_name = models.CharField(_("first name"), max_length=80, blank=True)
    last_name = models.CharField(_("last name"), max_length=80, blank=True)
    company = models.CharField(_("company"), max_length=120, blank=True)
    number1 = models.CharField(_("work number"), max_length=30, blank=True, validators=[NUMBER])
    number2 = models.CharField(_("mobile number"), max_length=30, blank=True, validators=[NUMBER])
    number3 = models.CharField(_("other number"), max_length=30, blank=True, validators=[NUMBER])
    email = models.EmailField(_("e-mail"), blank=True)
    notes = models.TextField(_("notes"), blank=True, max_length=2000)
    private = models.BooleanField(
        _("private"), default=False, help_text=_("Seen and edited only by you.")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="contacts",
        verbose_name=_("created by"),
    )
    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_contacts",
        verbose_name=_("account manager"),
        help_text=_("Rung first when this contact calls a number routed to account managers."),
    )
    # Canonical numbers (indexed, for look-up) and all digits (partial search), kept by save().
    canonical1 = models.CharField(max_length=32, blank=True, editable=False, db_index=True)
    canonical2 = models.CharField(max_length=32, blank=True, editable=False, db_index=True)
    canonical3 = models.CharField(max_length=32, blank=True, editable=False, db_index=True)
    search_digits = models.CharField(max_length=200, blank=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name", "company", "pk"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        permissions = [("edit_shared_contacts", _("Edit the shared contacts of the directory"))]
        indexes = [
            models.Index(fields=["last_name", "first_name", "id"], name="contact_name_idx"),
            models.Index(fields=["company", "last_name", "id"], name="contact_company_idx"),
        ]

    def __str__(self) -> str:
        return self.name or self.company or (self.numbers[0] if self.numbers else "?")

    def save(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        self.refresh_numbers()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], *CANONICAL, "search_digits"}
        super().save(*args, **kwargs)

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def normalized(self) -> list[str]:
        """The canonical forms of the numbers (``numbers.normalize``)."""
        return [n for n in (getattr(self, f) for f in CANONICAL) if n]

    @property
    def numbers(self) -> list[str]:
        return [getattr(self, f) for f in NUMBER_FIELDS if getattr(self, f)]

    def refresh_numbers(self) -> None:
        numbering = plan()
        for field, number in zip(CANONICAL, NUMBER_FIELDS, strict=True):
            setattr(self, field, normalize(getattr(self, number), numbering))
        self.search_digits = " ".join(
            dict.fromkeys([digits(x) for x in self.numbers] + [digits(n) for n in self.normalized])
        )

    def may_edit(self, user) -> bool:  # type: ignore[no-untyped-def]
        if self.private:
            return self.owner_id == user.pk
        return user.has_perm("directory.edit_shared_contacts")


def with_number(canonical: str) -> Q:
    """Contacts one of whose numbers has this canonical form (index look-ups)."""
    return Q(canonical1=canonical) | Q(canonical2=canonical) | Q(canonical3=canonical)


def visible_contacts(user) -> models.QuerySet[Contact]:  # type: ignore[no-untyped-def]
    """The contacts ``user`` sees: every shared one and their own private ones."""
    return Contact.objects.filter(Q(private=False) | Q(owner=user))
