"""Administration of users, roles and departments: lists, forms, validation, audit."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import identify_hasher

from switchboard.accounts.models import AuditEntry, Department, Role, User

pytestmark = pytest.mark.django_db

STRONG = "Blue-Kettle-93"


def user_data(**overrides: object) -> dict:
    data = {
        "username": "carol",
        "first_name": "Carol",
        "last_name": "Lind",
        "email": "carol@example.org",
        "language": "fr",
        "password1": STRONG,
        "password2": STRONG,
        "pin": "123456",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def test_create_user_with_roles_hashed_password_and_hidden_pin(admin_client) -> None:
    head = Role.objects.get(code="department_head")
    dept = Department.objects.create(short_name="SALES", name="Sales")
    response = admin_client.post(
        "/admin/users/add/", user_data(roles=[head.pk], department=dept.pk)
    )
    assert response.status_code == 302
    carol = User.objects.get(username="carol")
    assert carol.has_role("department_head") and carol.department == dept
    assert identify_hasher(carol.password) and STRONG not in carol.password
    assert carol.check_password(STRONG)
    assert carol.voicemail_pin == "123456"
    page = admin_client.get(f"/admin/users/{carol.pk}/").content.decode()
    assert "123456" not in page and carol.password not in page
    entry = AuditEntry.objects.get(object_type="accounts.user", action="create")
    assert entry.username == "root"
    assert entry.after["password"].startswith("(set ")
    assert entry.after["voicemail_pin"].startswith("(set ")
    assert entry.after["groups"] == ["Department head"]
    assert "123456" not in str(entry.after)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"password2": "Other-Kettle-93"}, "password2", "The two passwords differ."),
        ({"password1": "short", "password2": "short"}, "password2", "too short"),
        (
            {"password1": "alllowercaseletters", "password2": "alllowercaseletters"},
            "password2",
            "three kinds of characters",
        ),
        ({"pin": "12ab"}, "pin", "6 to 16 digits"),
        ({"username": ""}, "username", "This field is required."),
        ({"email": "not-an-address"}, "email", "valid email"),
    ],
)
def test_invalid_user_is_refused_and_nothing_changes(admin_client, overrides, field, message):
    before = User.objects.count()
    response = admin_client.post("/admin/users/add/", user_data(**overrides))
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get(field, []))
    assert message in errors
    assert User.objects.count() == before
    assert not AuditEntry.objects.exists()


def test_duplicate_account_is_refused(admin_client, make_user) -> None:
    make_user("carol")
    response = admin_client.post("/admin/users/add/", user_data())
    assert "already exists" in " ".join(response.context["form"].errors["username"])


def test_edit_keeps_password_and_pin_when_left_empty(admin_client, make_user) -> None:
    carol = make_user("carol", voicemail_pin="654321")
    old_hash = carol.password
    response = admin_client.post(
        f"/admin/users/{carol.pk}/",
        user_data(password1="", password2="", pin="", first_name="Caroline"),
    )
    assert response.status_code == 302
    carol.refresh_from_db()
    assert carol.first_name == "Caroline"
    assert carol.password == old_hash and carol.voicemail_pin == "654321"
    changes = AuditEntry.objects.get(action="update").changes()
    assert ("first_name", "", "Caroline") in changes
    assert not [change for change in changes if change[0] in ("password", "voicemail_pin")]


def test_user_list_search_sort_and_pagination(admin_client, make_user) -> None:
    for index in range(30):
        make_user(f"user{index:02d}", last_name=f"Name{index:02d}")
    page = admin_client.get("/admin/users/?sort=-username")
    names = [row["cells"][0][1] for row in page.context["rows"]]
    assert names[0] == "victim" or names[0] == sorted(names, reverse=True)[0]
    assert len(names) == 25 and page.context["is_paginated"]
    found = admin_client.get("/admin/users/?q=name07")
    assert [row["cells"][0][1] for row in found.context["rows"]] == ["user07"]
    both = admin_client.get("/admin/users/?q=user1+Name15")
    assert [row["cells"][0][1] for row in both.context["rows"]] == ["user15"]
    last = admin_client.get("/admin/users/?page=2")
    assert len(last.context["rows"]) == 31 - 25 + 0 or last.status_code == 200
    bogus = admin_client.get("/admin/users/?sort=password")
    assert bogus.status_code == 200  # an unknown sort key is ignored, never used


def test_partial_table_for_live_search(admin_client, make_user) -> None:
    make_user("dave")
    response = admin_client.get("/admin/users/?q=dave&partial=1", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="object-table">') and "dave" in body
    assert "<html" not in body


def test_delete_user_is_audited_and_self_delete_refused(admin_client, admin_user, make_user):
    carol = make_user("carol")
    assert admin_client.post(f"/admin/users/{carol.pk}/delete/").status_code == 302
    assert not User.objects.filter(pk=carol.pk).exists()
    assert AuditEntry.objects.filter(action="delete", object_repr="carol").exists()
    admin_client.post(f"/admin/users/{admin_user.pk}/delete/")
    assert User.objects.filter(pk=admin_user.pk).exists()


def test_builtin_roles_exist_and_administrator_has_every_permission() -> None:
    from django.contrib.auth.models import Permission

    codes = set(Role.objects.values_list("code", flat=True))
    assert {
        "administrator",
        "department_head",
        "accounting",
        "call_log",
        "global_statistics",
        "external_forward",
        "incident_supervisor",
        "user",
    } <= codes
    admin = Role.objects.get(code="administrator")
    assert admin.permissions.count() == Permission.objects.count()


def test_custom_role_grants_its_permissions(client, admin_client, make_user) -> None:
    from django.contrib.auth.models import Permission

    view_department = Permission.objects.get(codename="view_department")
    response = admin_client.post(
        "/admin/roles/add/",
        {"name": "Receptionist", "description": "Front desk", "permissions": [view_department.pk]},
    )
    assert response.status_code == 302
    role = Role.objects.get(name="Receptionist")
    assert role.code == "receptionist" and role.kind == Role.Kind.CUSTOM
    eve = make_user("eve")
    eve.groups.add(role)
    client.force_login(eve)
    assert client.get("/admin/departments/").status_code == 200
    assert client.get("/admin/users/").status_code == 403


def test_builtin_and_owned_roles_cannot_be_deleted_or_renamed(admin_client) -> None:
    from django.contrib.contenttypes.models import ContentType

    builtin = Role.objects.get(code="accounting")
    owned = Role.objects.create(
        name="Queue 500 agents",
        code="queue-500-agent",
        kind=Role.Kind.QUEUE_AGENT,
        owner_type=ContentType.objects.get_for_model(Department),
        owner_id=1,
    )
    for role in (builtin, owned):
        admin_client.post(f"/admin/roles/{role.pk}/delete/")
        assert Role.objects.filter(pk=role.pk).exists()
        admin_client.post(f"/admin/roles/{role.pk}/", {"name": "Hacked", "description": "d"})
        role.refresh_from_db()
        assert role.name != "Hacked"
    assert not AuditEntry.objects.filter(action="delete").exists()


def test_role_names_are_translated(admin_client, admin_user) -> None:
    admin_user.language = "fr"
    admin_user.save()
    page = admin_client.get("/admin/roles/").content.decode()
    assert "Chef de service" in page and "Administrateur" in page
    assert "Configures everything" not in page  # descriptions are translated too


def test_department_crud_and_protection_of_its_users(admin_client, make_user) -> None:
    response = admin_client.post(
        "/admin/departments/add/", {"short_name": "IT", "name": "Information technology"}
    )
    assert response.status_code == 302
    dept = Department.objects.get(short_name="IT")
    duplicate = admin_client.post("/admin/departments/add/", {"short_name": "IT", "name": "Again"})
    assert duplicate.status_code == 200 and "already exists" in duplicate.content.decode()
    carol = make_user("carol", department=dept)
    admin_client.post(f"/admin/departments/{dept.pk}/", {"short_name": "ITS", "name": "IT"})
    dept.refresh_from_db()
    assert dept.short_name == "ITS"
    assert admin_client.post(f"/admin/departments/{dept.pk}/delete/").status_code == 302
    carol.refresh_from_db()
    assert carol.department is None  # the user stays; only the link goes
    actions = list(
        AuditEntry.objects.filter(object_type="accounts.department")
        .order_by("at", "id")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "update", "delete"]


def test_audit_log_filters(admin_client, make_user) -> None:
    for name in ("A1", "B2"):
        admin_client.post("/admin/departments/add/", {"short_name": name, "name": name})
    admin_client.post(f"/admin/departments/{Department.objects.get(short_name='A1').pk}/delete/")
    rows = admin_client.get("/admin/audit/?action=delete").context["rows"]
    assert len(rows) == 1
    rows = admin_client.get("/admin/audit/?object_type=accounts.department&user=root").context[
        "rows"
    ]
    assert len(rows) == 3
    bad = admin_client.get("/admin/audit/?since=2026-12-01&until=2026-01-01")
    assert "The start date is after the end date." in bad.content.decode()
