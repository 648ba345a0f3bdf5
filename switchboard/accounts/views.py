"""Views of the accounts domain: sign-in, one's own account, and administration pages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from switchboard.accounts import audit
from switchboard.accounts.forms import (
    AuditFilterForm,
    DepartmentForm,
    LoginForm,
    PinChangeForm,
    ProfileForm,
    RoleForm,
    UserForm,
)
from switchboard.accounts.models import AuditEntry, Department, Role, User
from switchboard.core.generic import Column, ObjectDeleteView, ObjectEditView, ObjectListView


class LoginView(auth_views.LoginView):
    """Sign-in page with a language switch; the user's own language applies once signed in."""

    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: LoginForm) -> HttpResponse:
        response = super().form_valid(form)
        language = form.get_user().language
        if language:
            translation.activate(language)
            response.set_cookie("switchboard_language", language, samesite="Lax")
        return response


def _roles_of(user: User) -> str:
    return ", ".join(role.label for role in user.roles)


class UserListView(ObjectListView):
    model = User
    columns = (
        Column("username", gettext_lazy("Account"), sort="username", link=True),
        Column("last_name", gettext_lazy("Last name"), sort="last_name"),
        Column("first_name", gettext_lazy("First name"), sort="first_name"),
        Column("email", gettext_lazy("E-mail"), sort="email"),
        Column("department", gettext_lazy("Department"), sort="department__short_name"),
        Column("roles", gettext_lazy("Roles"), value=_roles_of),
        Column("is_active", gettext_lazy("Active"), sort="is_active"),
        Column("last_login", gettext_lazy("Last sign-in"), sort="last_login"),
    )
    search_fields = ("username", "first_name", "last_name", "email", "department__short_name")
    default_sort = "username"

    def get_queryset(self) -> QuerySet[User]:
        return super().get_queryset().select_related("department").prefetch_related("groups__role")


class UserEditView(ObjectEditView):
    model = User
    form_class = UserForm


class UserDeleteView(ObjectDeleteView):
    model = User

    def refusal(self, obj: User) -> str | None:
        if obj.pk == self.request.user.pk:
            return _("You cannot delete your own account.")
        return super().refusal(obj)


class RoleListView(ObjectListView):
    model = Role
    columns = (
        Column("name", gettext_lazy("Name"), sort="name", value=lambda r: r.label),
        Column("kind", gettext_lazy("Kind"), sort="kind", value=lambda r: r.get_kind_display()),
        Column("description", gettext_lazy("Description"), value=lambda r: r.description_label),
        Column("members", gettext_lazy("Members"), sort="members"),
    )
    search_fields = ("name", "description", "code")
    default_sort = "kind"

    def get_queryset(self) -> QuerySet[Role]:
        return super().get_queryset().annotate(members=Count("user"))


class RoleEditView(ObjectEditView):
    model = Role
    form_class = RoleForm


class RoleDeleteView(ObjectDeleteView):
    model = Role


class DepartmentListView(ObjectListView):
    model = Department
    columns = (
        Column("short_name", gettext_lazy("Short name"), sort="short_name", link=True),
        Column("name", gettext_lazy("Full name"), sort="name"),
        Column("users", gettext_lazy("Users"), sort="user_count", value=lambda d: d.user_count),
    )
    search_fields = ("short_name", "name", "description")
    default_sort = "short_name"

    def get_queryset(self) -> QuerySet[Department]:
        return super().get_queryset().annotate(user_count=Count("users"))


class DepartmentEditView(ObjectEditView):
    model = Department
    form_class = DepartmentForm


class DepartmentDeleteView(ObjectDeleteView):
    model = Department


class AuditListView(ObjectListView):
    """The audit log, newest first, filtered by user, object type, action and dates."""

    model = AuditEntry
    columns = (
        Column("at", gettext_lazy("Date"), sort="at"),
        Column("username", gettext_lazy("User"), sort="username"),
        Column(
            "action", gettext_lazy("Action"), sort="action", value=lambda e: e.get_action_display()
        ),
        Column("object_type", gettext_lazy("Object type"), sort="object_type"),
        Column("object_repr", gettext_lazy("Object"), sort="object_repr"),
        Column("changes", gettext_lazy("Changes"), value=lambda e: e.changes()),
    )
    search_fields = ("object_repr", "username")
    filter_form_class = AuditFilterForm
    default_sort = "-at"
    paginate_by = 50


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """The user's own account: name, e-mail, language, web password and voicemail PIN."""
    user: User = request.user  # type: ignore[assignment]
    which = request.POST.get("form") if request.method == "POST" else None
    profile_form = ProfileForm(request.POST if which == "profile" else None, instance=user)
    password_form = PasswordChangeForm(user, request.POST if which == "password" else None)
    pin_form = PinChangeForm(user, request.POST if which == "pin" else None)
    forms_by_name = {"profile": profile_form, "password": password_form, "pin": pin_form}
    form = forms_by_name.get(which or "")
    if form is not None and form.is_valid():
        before = audit.snapshot(User.objects.get(pk=user.pk))
        with transaction.atomic():
            saved = form.save()
            audit.record(request, AuditEntry.Action.UPDATE, saved, before, audit.snapshot(saved))
        if which == "password":
            update_session_auth_hash(request, saved)
            messages.success(request, _("Your password has been changed."))
        elif which == "pin":
            messages.success(request, _("Your voicemail PIN has been changed."))
        else:
            if saved.language:
                translation.activate(saved.language)
            messages.success(request, _("Your account has been saved."))
        response = redirect("accounts:profile")
        if which == "profile" and saved.language:
            response.set_cookie("switchboard_language", saved.language, samesite="Lax")
        return response
    context: dict[str, Any] = {
        "title": _("My account"),
        "profile_form": profile_form,
        "password_form": password_form,
        "pin_form": pin_form,
        "pin_set": bool(user.voicemail_pin),
    }
    return render(request, "accounts/profile.html", context, status=400 if form else 200)
