"""Forms of the accounts domain: users, roles, departments, one's own account, the audit filter."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import Permission
from django.db.models import QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from switchboard.accounts import throttle
from switchboard.accounts.models import AuditEntry, Department, Role, User, pin_validator
from switchboard.core.forms import RequestModelForm


class RoleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Role) -> str:
        return obj.label


class PinField(forms.CharField):
    """A voicemail PIN input that never shows the stored value."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("validators", [pin_validator])
        kwargs.setdefault(
            "widget", forms.PasswordInput(render_value=False, attrs={"inputmode": "numeric"})
        )
        super().__init__(**kwargs)


class UserForm(RequestModelForm):
    """Create or edit a user. Passwords and PIN are only ever set, never shown."""

    roles = RoleChoiceField(
        label=_("Roles"),
        queryset=Role.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    password1 = forms.CharField(
        label=_("Password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password (again)"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    pin = PinField(label=_("Voicemail PIN"), help_text=_("6 to 16 digits; empty: unchanged."))

    class Meta:
        model = User
        fields = [
            "username",
            "first_name",
            "last_name",
            "email",
            "language",
            "department",
            "is_active",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        creating = self.instance.pk is None
        self.fields["password1"].required = creating
        self.fields["password2"].required = creating
        if not creating:
            self.fields["password1"].help_text = _("Empty: the password stays as it is.")
            self.initial["roles"] = list(self.instance.roles)
        self.fields["roles"].queryset = Role.objects.all()

    def clean_password2(self) -> str:
        first, second = self.cleaned_data.get("password1"), self.cleaned_data.get("password2")
        if first != second:
            raise forms.ValidationError(gettext("The two passwords differ."))
        if first:
            password_validation.validate_password(first, self.instance)
        return second or ""

    def save(self, commit: bool = True) -> User:
        user: User = super().save(commit=False)
        if self.cleaned_data.get("password1"):
            user.set_password(self.cleaned_data["password1"])
        if self.cleaned_data.get("pin"):
            user.voicemail_pin = self.cleaned_data["pin"]
        user.save()
        user.groups.set(self.cleaned_data.get("roles") or [])
        return user


class RoleForm(RequestModelForm):
    """A custom role: name, description and permissions; system roles: description only."""

    permissions = forms.ModelMultipleChoiceField(
        label=_("Permissions"),
        queryset=Permission.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Role
        fields = ["name", "description", "permissions"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["permissions"].queryset = Permission.objects.select_related(
            "content_type"
        ).exclude(content_type__app_label__in=["contenttypes", "sessions", "auth"])
        if self.instance.pk and self.instance.is_protected:
            # Built-in roles are entirely the system's; owned roles keep an editable description.
            fixed = ["name", "permissions"]
            if self.instance.kind == Role.Kind.BUILTIN:
                fixed.append("description")
                self.initial["description"] = self.instance.description_label
            for name in fixed:
                self.fields[name].disabled = True
            self.initial["name"] = self.instance.label

    def clean_name(self) -> str:
        if self.instance.pk and self.instance.is_protected:
            return self.instance.name
        name = self.cleaned_data["name"].strip()
        if name.startswith("builtin:"):
            raise forms.ValidationError(gettext("This name is reserved."))
        return name

    def save(self, commit: bool = True) -> Role:
        if self.instance.pk and self.instance.kind == Role.Kind.BUILTIN:
            return Role.objects.get(pk=self.instance.pk)  # nothing of it is editable
        role: Role = super().save(commit=False)
        if role.pk is None:
            role.kind = Role.Kind.CUSTOM
            role.code = _unique_code(role.name)
        role.save()
        if not role.is_protected:
            role.permissions.set(self.cleaned_data.get("permissions") or [])
        return role


def _unique_code(name: str) -> str:
    from django.utils.text import slugify

    base = slugify(name, allow_unicode=False)[:80] or "role"
    code, number = base, 1
    while Role.objects.filter(code=code).exists():
        number += 1
        code = f"{base}-{number}"
    return code


class DepartmentForm(RequestModelForm):
    class Meta:
        model = Department
        fields = ["short_name", "name", "description"]


class LoginForm(AuthenticationForm):
    """The sign-in form, with the slow-down and lock-out of ``throttle``."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Wrong account name or password."),
        "locked": _("Too many failed sign-ins: this account is locked for %(minutes)s minutes."),
        "slowed": _("Too many failed sign-ins: wait %(seconds)s seconds before trying again."),
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        refusal = throttle.check(username) if username else None
        if refusal is not None:
            if refusal.locked:
                raise forms.ValidationError(
                    self.error_messages["locked"],
                    code="locked",
                    params={"minutes": max(1, (refusal.seconds + 59) // 60)},
                )
            raise forms.ValidationError(
                self.error_messages["slowed"], code="slowed", params={"seconds": refusal.seconds}
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if username:
                throttle.failed(username)
            raise
        throttle.succeeded(username)
        return cleaned


class ProfileForm(forms.ModelForm):
    """What a user changes on their own account besides secrets."""

    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "language"]


class PinChangeForm(forms.Form):
    """A new voicemail PIN, confirmed by the web password."""

    current_password = forms.CharField(
        label=_("Current web password"), strip=False, widget=forms.PasswordInput
    )
    pin1 = PinField(label=_("New PIN"), required=True)
    pin2 = PinField(label=_("New PIN (again)"), required=True)

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_current_password(self) -> str:
        password = self.cleaned_data["current_password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(gettext("The current password is wrong."))
        return password

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("pin1") and cleaned.get("pin1") != cleaned.get("pin2"):
            self.add_error("pin2", gettext("The two PINs differ."))
        return cleaned

    def save(self) -> User:
        self.user.voicemail_pin = self.cleaned_data["pin1"]
        self.user.save(update_fields=["voicemail_pin"])
        return self.user


class AuditFilterForm(forms.Form):
    """Filters of the audit log: who, what kind of object, which action, when."""

    user = forms.CharField(label=_("User"), required=False)
    object_type = forms.ChoiceField(label=_("Object type"), required=False)
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", "—"), *AuditEntry.Action.choices]
    )
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        types = AuditEntry.objects.order_by("object_type").values_list("object_type", flat=True)
        self.fields["object_type"].choices = [("", "—"), *((t, t) for t in types.distinct())]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            raise forms.ValidationError(gettext("The start date is after the end date."))
        return cleaned

    def apply(self, queryset: QuerySet[AuditEntry]) -> QuerySet[AuditEntry]:
        data = self.cleaned_data
        if data.get("user"):
            queryset = queryset.filter(username__icontains=data["user"])
        if data.get("object_type"):
            queryset = queryset.filter(object_type=data["object_type"])
        if data.get("action"):
            queryset = queryset.filter(action=data["action"])
        if data.get("since"):
            queryset = queryset.filter(at__date__gte=data["since"])
        if data.get("until"):
            queryset = queryset.filter(at__date__lte=data["until"])
        return queryset
