"""Declarative list / edit / delete views shared by every domain app.

A domain declares, per model, its columns, search fields, form and permission; these views do
the rest the same way everywhere: sorting, multi-word search, pagination, 403 for a signed-in
user without the right, audit entries for every change, translated messages. URL names follow
one convention, ``<app_label>:<model_name>_list|_add|_edit|_delete``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models.deletion import ProtectedError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.views.generic import DeleteView, ListView, UpdateView

from switchboard.accounts import audit
from switchboard.accounts.models import AuditEntry


@dataclass(frozen=True)
class Column:
    """A table column: its label, how to read the cell, and the field to sort by (if any)."""

    name: str
    label: Promise | str
    sort: str | None = None
    value: Callable[[Any], Any] | None = None
    link: bool = False

    def cell(self, obj: Any) -> Any:
        if self.value is not None:
            return self.value(obj)
        result = obj
        for part in self.name.split("__"):
            result = getattr(result, part, None) if result is not None else None
        if isinstance(result, bool):
            return _("yes") if result else _("no")
        return "" if result is None else result


def url_name(model: type[models.Model], action: str) -> str:
    return f"{model._meta.app_label}:{model._meta.model_name}_{action}"


class RoleRequiredMixin(PermissionRequiredMixin):
    """Anonymous users go to the login page; signed-in users without the right get 403."""

    def handle_no_permission(self) -> HttpResponse:
        if not self.request.user.is_authenticated:
            return redirect_to_login(self.request.get_full_path())
        raise PermissionDenied


class ObjectListView(RoleRequiredMixin, ListView):
    """A sortable, searchable, paginated table of one model's objects."""

    columns: tuple[Column, ...] = ()
    search_fields: tuple[str, ...] = ()
    filter_form_class: type[forms.Form] | None = None
    default_sort: str = ""
    paginate_by = 25
    template_name = "core/object_list.html"
    title: Promise | str = ""

    def get_permission_required(self) -> tuple[str, ...]:
        meta = self.model._meta
        return (f"{meta.app_label}.view_{meta.model_name}",)

    def get_template_names(self) -> list[str]:
        if self.request.headers.get("HX-Request") and self.request.GET.get("partial"):
            return ["core/object_table.html"]
        return [self.template_name]

    def sort_key(self) -> str:
        wanted = self.request.GET.get("sort", "")
        allowed = {c.name: c.sort for c in self.columns if c.sort}
        name = wanted.removeprefix("-")
        if name in allowed:
            return ("-" if wanted.startswith("-") else "") + name
        return self.default_sort

    def search(self, queryset: models.QuerySet) -> models.QuerySet:
        """Every word of the query must match at least one of the search fields."""
        for word in self.request.GET.get("q", "").split()[:10]:
            queryset = queryset.filter(
                reduce(or_, (models.Q(**{f"{f}__icontains": word}) for f in self.search_fields))
            )
        return queryset

    def get_queryset(self) -> models.QuerySet:
        queryset = super().get_queryset()
        if self.search_fields:
            queryset = self.search(queryset)
        self.filter_form = None
        if self.filter_form_class is not None:
            self.filter_form = self.filter_form_class(self.request.GET or None)
            if self.filter_form.is_valid():
                queryset = self.filter_form.apply(queryset)  # type: ignore[attr-defined]
        key = self.sort_key()
        if key:
            column = next(c for c in self.columns if c.name == key.removeprefix("-"))
            field = column.sort or column.name
            queryset = queryset.order_by(("-" if key.startswith("-") else "") + field, "pk")
        return queryset

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        meta = self.model._meta
        can_change = user.has_perm(f"{meta.app_label}.change_{meta.model_name}")
        can_delete = user.has_perm(f"{meta.app_label}.delete_{meta.model_name}")
        rows = []
        for obj in context["object_list"]:
            rows.append(
                {
                    "cells": [(column, column.cell(obj)) for column in self.columns],
                    "edit_url": self.edit_url(obj) if can_change else None,
                    "delete_url": self.delete_url(obj) if can_delete else None,
                }
            )
        query = self.request.GET.copy()
        query.pop("page", None)
        query.pop("partial", None)
        sort_query = query.copy()
        sort_query.pop("sort", None)
        context.update(
            title=self.title or meta.verbose_name_plural.capitalize(),
            columns=self.columns,
            rows=rows,
            sort=self.sort_key(),
            search=self.request.GET.get("q", ""),
            searchable=bool(self.search_fields),
            filter_form=self.filter_form,
            query=query.urlencode(),
            sort_query=sort_query.urlencode(),
            add_url=self.add_url()
            if user.has_perm(f"{meta.app_label}.add_{meta.model_name}")
            else None,
            list_url=self.request.path,
        )
        return context

    def add_url(self) -> str | None:
        try:
            return reverse(url_name(self.model, "add"))
        except Exception:
            return None

    def edit_url(self, obj: models.Model) -> str | None:
        try:
            return reverse(url_name(self.model, "edit"), args=[obj.pk])
        except Exception:
            return None

    def delete_url(self, obj: models.Model) -> str | None:
        if getattr(obj, "is_protected", False):
            return None
        try:
            return reverse(url_name(self.model, "delete"), args=[obj.pk])
        except Exception:
            return None


class ObjectEditView(RoleRequiredMixin, UpdateView):
    """Create (no pk in the URL) or edit an object; every saved change is audited."""

    template_name = "core/object_edit.html"

    def get_permission_required(self) -> tuple[str, ...]:
        meta = self.model._meta
        action = "change" if "pk" in self.kwargs else "add"
        return (f"{meta.app_label}.{action}_{meta.model_name}",)

    def get_object(self, queryset: models.QuerySet | None = None) -> models.Model | None:
        return super().get_object(queryset) if "pk" in self.kwargs else None

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["request"] = self.request
        return kwargs

    def get_success_url(self) -> str:
        return reverse(url_name(self.model, "list"))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        meta = self.model._meta
        if self.object is None:
            title = _("New %(thing)s") % {"thing": meta.verbose_name}
        else:
            title = _("Edit %(thing)s %(name)s") % {"thing": meta.verbose_name, "name": self.object}
        context.update(title=title, cancel_url=self.get_success_url())
        return context

    def form_valid(self, form: forms.ModelForm) -> HttpResponse:
        creating = self.object is None
        before = (
            None if creating else audit.snapshot(type(self.object).objects.get(pk=self.object.pk))
        )
        with transaction.atomic():
            self.object = form.save()
            audit.record(
                self.request,
                AuditEntry.Action.CREATE if creating else AuditEntry.Action.UPDATE,
                self.object,
                before,
                audit.snapshot(self.object),
            )
        template = (
            _("%(thing)s “%(name)s” created.") if creating else _("%(thing)s “%(name)s” saved.")
        )
        messages.success(
            self.request,
            template % {"thing": self.model._meta.verbose_name.capitalize(), "name": self.object},
        )
        return HttpResponseRedirect(self.get_success_url())


class ObjectDeleteView(RoleRequiredMixin, DeleteView):
    """Confirm, then delete an object; refused with a clear message if it is protected."""

    template_name = "core/object_confirm_delete.html"

    def get_permission_required(self) -> tuple[str, ...]:
        meta = self.model._meta
        return (f"{meta.app_label}.delete_{meta.model_name}",)

    def get_success_url(self) -> str:
        return reverse(url_name(self.model, "list"))

    def refusal(self, obj: models.Model) -> str | None:
        """Why this object may not be deleted (None: it may)."""
        if getattr(obj, "is_protected", False):
            return _("This object is managed by the system and cannot be deleted.")
        return None

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            title=_("Delete %(thing)s %(name)s")
            % {"thing": self.model._meta.verbose_name, "name": self.object},
            refusal=self.refusal(self.object),
            cancel_url=self.get_success_url(),
        )
        return context

    def form_valid(self, form: forms.Form) -> HttpResponse:
        obj = self.object
        refusal = self.refusal(obj)
        if refusal:
            messages.error(self.request, refusal)
            return HttpResponseRedirect(self.get_success_url())
        before = audit.snapshot(obj)
        name = str(obj)
        try:
            with transaction.atomic():
                audit.record(self.request, AuditEntry.Action.DELETE, obj, before, None)
                obj.delete()
        except ProtectedError:
            messages.error(
                self.request,
                _("“%(name)s” is still in use and cannot be deleted.") % {"name": name},
            )
            return HttpResponseRedirect(self.get_success_url())
        messages.success(self.request, _("“%(name)s” deleted.") % {"name": name})
        return HttpResponseRedirect(self.get_success_url())


def forbid_unless(request: HttpRequest, allowed: bool) -> None:
    """Raise 403 unless allowed (for checks that depend on the object, not just the model)."""
    if not allowed:
        raise PermissionDenied
