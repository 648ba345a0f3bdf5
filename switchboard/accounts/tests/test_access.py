"""Every view of the project, opened by each kind of user: the right page, a login or a 403.

The table below must name every URL pattern of the project: a new view without its line here
fails ``test_every_view_is_in_the_table``, so no page escapes the per-role check.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from switchboard.accounts.models import AuditEntry, Department, Role
from switchboard.agents.tests.access import POST_ONLY as AGENTS_POST_ONLY
from switchboard.agents.tests.access import SIGNED_IN as AGENTS_SIGNED_IN
from switchboard.agents.tests.access import agents_urls
from switchboard.billing.tests.access import ROLE_PAGES as BILLING_ROLE_PAGES
from switchboard.billing.tests.access import billing_urls
from switchboard.callbacks.tests.access import callbacks_urls
from switchboard.callbacks.tests.access import expected as callbacks_expected
from switchboard.chat.tests.access import chat_urls
from switchboard.chat.tests.access import expected as chat_expected
from switchboard.desk.tests.access import desk_urls
from switchboard.desk.tests.access import expected as desk_expected
from switchboard.directory.tests.access import directory_urls
from switchboard.directory.tests.access import expected as directory_expected
from switchboard.forwards.tests.access import SIGNED_IN as FORWARDS_SIGNED_IN
from switchboard.forwards.tests.access import forwards_urls
from switchboard.ivr.tests.access import POST_ONLY as IVR_POST_ONLY
from switchboard.ivr.tests.access import ROLE_PAGES as IVR_ROLE_PAGES
from switchboard.ivr.tests.access import ivr_urls
from switchboard.media.tests.access import media_urls
from switchboard.pbx.tests.access import POST_ONLY as PBX_POST_ONLY
from switchboard.pbx.tests.access import routing_urls
from switchboard.records.tests.access import CALL_PAGES as RECORDS_CALL_PAGES
from switchboard.records.tests.access import NOT_VISIBLE as RECORDS_NOT_VISIBLE
from switchboard.records.tests.access import POST_ONLY as RECORDS_POST_ONLY
from switchboard.records.tests.access import SIGNED_IN as RECORDS_SIGNED_IN
from switchboard.records.tests.access import records_urls
from switchboard.stats.tests.access import ROLE_PAGES as STATS_ROLE_PAGES
from switchboard.stats.tests.access import stats_urls
from switchboard.voicemail.tests.access import expected as voicemail_expected
from switchboard.voicemail.tests.access import voicemail_urls

# name -> (example URL builder, status for anonymous, plain user, each role code, administrator)
PUBLIC = {"accounts:login", "core:health", "set_language", "javascript-catalog"}
ADMIN_ONLY = 403
LOGIN = "login"  # a redirect to the sign-in page


def urls(
    dept: Department,
    role: Role,
    user_pk: int,
    pbx_pk: int,
    phone_pk: int,
    queue_pk: int,
    member_pk: int,
    trunk_pk: int,
    route_pk: int,
) -> dict[str, str]:
    return {
        "telephony:live_queues": "/live/queues/",
        "telephony:live_calls": "/live/calls/",
        "telephony:live_presence": "/live/presence/",
        "telephony:live_action": "/live/action/",
        "telephony:pbxserver_list": "/admin/pbx/",
        "telephony:pbxserver_add": "/admin/pbx/add/",
        "telephony:pbxserver_edit": f"/admin/pbx/{pbx_pk}/",
        "telephony:pbxserver_delete": f"/admin/pbx/{pbx_pk}/delete/",
        "pbx:phone_list": "/admin/phones/",
        "pbx:phone_add": "/admin/phones/add/",
        "pbx:phone_edit": f"/admin/phones/{phone_pk}/",
        "pbx:phone_delete": f"/admin/phones/{phone_pk}/delete/",
        "pbx:apply": "/admin/apply/",
        "pbx:queue_list": "/admin/queues/",
        "pbx:queue_add": "/admin/queues/add/",
        "pbx:queue_edit": f"/admin/queues/{queue_pk}/",
        "pbx:queue_delete": f"/admin/queues/{queue_pk}/delete/",
        "pbx:queuemember_list": "/admin/queue-members/",
        "pbx:queuemember_add": "/admin/queue-members/add/",
        "pbx:queuemember_edit": f"/admin/queue-members/{member_pk}/",
        "pbx:queuemember_delete": f"/admin/queue-members/{member_pk}/delete/",
        "pbx:trunk_list": "/admin/lines/",
        "pbx:trunk_add": "/admin/lines/add/",
        "pbx:trunk_edit": f"/admin/lines/{trunk_pk}/",
        "pbx:trunk_delete": f"/admin/lines/{trunk_pk}/delete/",
        "pbx:inboundroute_list": "/admin/inbound/",
        "pbx:inboundroute_add": "/admin/inbound/add/",
        "pbx:inboundroute_edit": f"/admin/inbound/{route_pk}/",
        "pbx:inboundroute_delete": f"/admin/inbound/{route_pk}/delete/",
        "core:home": "/",
        "core:health": "/health/",
        "accounts:login": "/login/",
        "accounts:logout": "/logout/",
        "accounts:profile": "/account/",
        "accounts:user_list": "/admin/users/",
        "accounts:user_add": "/admin/users/add/",
        "accounts:user_edit": f"/admin/users/{user_pk}/",
        "accounts:user_delete": f"/admin/users/{user_pk}/delete/",
        "accounts:role_list": "/admin/roles/",
        "accounts:role_add": "/admin/roles/add/",
        "accounts:role_edit": f"/admin/roles/{role.pk}/",
        "accounts:role_delete": f"/admin/roles/{role.pk}/delete/",
        "accounts:department_list": "/admin/departments/",
        "accounts:department_add": "/admin/departments/add/",
        "accounts:department_edit": f"/admin/departments/{dept.pk}/",
        "accounts:department_delete": f"/admin/departments/{dept.pk}/delete/",
        "accounts:audit_list": "/admin/audit/",
        "set_language": "/i18n/setlang/",
        "javascript-catalog": "/jsi18n/",
        **media_urls(),  # sounds, music on hold, playlists, speech (switchboard.media)
        **routing_urls(),  # call permissions, pickup groups, override rules (switchboard.pbx)
        **ivr_urls(),  # IVR applications, holidays, incidents (switchboard.ivr)
        **forwards_urls(),  # call forwards and voicemail boxes (forwards, voicemail)
        **records_urls(),  # call log, recordings, marks (switchboard.records)
        **stats_urls(),  # global and queue statistics (switchboard.stats)
        **agents_urls(),  # agent console, presence, colleagues (switchboard.agents)
        **billing_urls(),  # report, tariffs, re-rating, review (switchboard.billing)
        **callbacks_urls(),  # callback requests, their report, the API (callbacks, api)
        **desk_urls(),  # operator desk, teams, interactions (switchboard.desk)
        **voicemail_urls(),  # voicemail messages in the browser (switchboard.voicemail)
        **chat_urls(),  # staff chat (switchboard.chat)
        **directory_urls(),  # directory, contacts, click-to-call (switchboard.directory)
    }


SIGNED_IN_ANYONE = {"core:home", "accounts:profile"}
NON_ADMIN_ROLES = [
    "user",
    "department_head",
    "accounting",
    "call_log",
    "global_statistics",
    "external_forward",
    "incident_supervisor",
    "callback_operator",
    "directory_editor",
]


def names_in(patterns: list, prefix: str = "") -> set[str]:
    found: set[str] = set()
    for entry in patterns:
        if isinstance(entry, URLResolver):
            found |= names_in(entry.url_patterns, f"{entry.namespace}:" if entry.namespace else "")
        elif isinstance(entry, URLPattern) and entry.name:
            found.add(prefix + entry.name)
    return found


@pytest.fixture
def objects(make_user) -> tuple[Department, Role, int, int, int, int, int, int, int]:
    from switchboard.pbx.models import InboundRoute, Phone, Queue, QueueMember, Trunk
    from switchboard.telephony.models import PbxServer

    dept = Department.objects.create(short_name="IT", name="Information technology")
    role = Role.objects.create(name="Night shift", code="night-shift")
    victim = make_user("victim")
    AuditEntry.objects.create(
        username="x", action="create", object_type="t", object_id="1", object_repr="t"
    )
    pbx = PbxServer.objects.create(name="pbx", host="h", ami_user="u", ami_secret="s")
    phone = Phone.objects.create(server=pbx, extension="201")
    queue = Queue.objects.create(server=pbx, name="sales", number="500")
    member = QueueMember.objects.create(queue=queue, phone=phone)
    trunk = Trunk.objects.create(server=pbx, name="provider", host="sip.example.org")
    route = InboundRoute.objects.create(server=pbx, did="0140000000", phone=phone)
    return dept, role, victim.pk, pbx.pk, phone.pk, queue.pk, member.pk, trunk.pk, route.pk


def test_every_view_is_in_the_table(objects) -> None:
    assert names_in(get_resolver().url_patterns) == set(urls(*objects))


def expected(name: str, who: str) -> int | str:
    if (status := callbacks_expected(name, who)) is not None:
        return status
    if (status := desk_expected(name, who)) is not None:
        return status
    if (status := voicemail_expected(name, who)) is not None:
        return status
    if (status := chat_expected(name, who)) is not None:
        return status
    if (status := directory_expected(name, who)) is not None:
        return status
    if name in (
        "accounts:logout",
        "telephony:live_action",
        *PBX_POST_ONLY,
        *IVR_POST_ONLY,
        *RECORDS_POST_ONLY,
        *AGENTS_POST_ONLY,
    ):
        return 405  # signing out is a POST, never a link a page could trigger
    if name == "set_language":
        return 302  # a GET changes nothing and goes back
    if name == "accounts:login" and who != "anonymous":
        return 302  # already signed in: straight to the home page
    if name in PUBLIC:
        return 200
    if who == "anonymous":
        return LOGIN
    if name in RECORDS_CALL_PAGES:  # a call outside the user's scope does not exist for them
        return 200 if who in ("administrator", *RECORDS_CALL_PAGES[name]) else RECORDS_NOT_VISIBLE
    if name in AGENTS_SIGNED_IN:
        return 200
    if name in SIGNED_IN_ANYONE or name in FORWARDS_SIGNED_IN or name in RECORDS_SIGNED_IN:
        return 200
    if who == "administrator":
        return 200
    if who in BILLING_ROLE_PAGES.get(name, ()):
        return 200
    if who in STATS_ROLE_PAGES.get(name, ()):
        return 200
    if who in IVR_ROLE_PAGES.get(name, ()):
        return 200
    return ADMIN_ONLY


@pytest.mark.parametrize("who", ["anonymous", *NON_ADMIN_ROLES, "administrator"])
def test_each_view_for_each_role(client, make_user, objects, who: str) -> None:
    if who != "anonymous":
        client.force_login(make_user(f"u-{who}", who))
    failures = []
    for name, url in urls(*objects).items():
        response = client.get(url)
        want = expected(name, who)
        got: int | str = response.status_code
        if got == 302 and response["Location"].startswith("/login/?next="):
            got = LOGIN
        if got != want:
            failures.append(f"{name} {url}: {got} instead of {want}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("who", ["anonymous", *NON_ADMIN_ROLES])
def test_changes_are_refused_without_the_right(client, make_user, objects, who: str) -> None:
    dept, role, victim_pk, pbx_pk, phone_pk, queue_pk, _member_pk, trunk_pk, _route = objects
    if who != "anonymous":
        client.force_login(make_user(f"u-{who}", who))
    posts = {
        "/admin/users/add/": {"username": "mallory", "password1": "x", "password2": "x"},
        f"/admin/users/{victim_pk}/delete/": {},
        f"/admin/roles/{role.pk}/delete/": {},
        f"/admin/departments/{dept.pk}/": {"short_name": "X", "name": "X"},
        f"/admin/departments/{dept.pk}/delete/": {},
        f"/admin/phones/{phone_pk}/delete/": {},
        "/admin/phones/add/": {"server": str(pbx_pk), "extension": "777"},
        "/admin/apply/": {"server": str(pbx_pk)},
        f"/admin/queues/{queue_pk}/delete/": {},
        "/admin/queues/add/": {"server": str(pbx_pk), "name": "evil", "number": "666"},
        f"/admin/lines/{trunk_pk}/delete/": {},
    }
    for url, data in posts.items():
        response = client.post(url, data)
        if who == "anonymous":
            assert response.status_code == 302 and "/login/" in response["Location"], url
        else:
            assert response.status_code == 403, url
    assert Department.objects.get(pk=dept.pk).short_name == "IT"
    assert Role.objects.filter(pk=role.pk).exists()
    assert not Department.objects.filter(short_name="X").exists()
    from switchboard.pbx.models import Generation, Phone

    assert list(Phone.objects.values_list("extension", flat=True)) == ["201"]
    assert not Generation.objects.exists()


def test_menu_shows_only_what_the_role_allows(client, make_user) -> None:
    client.force_login(make_user("plain", "user"))
    page = client.get("/").content.decode()
    assert "/account/" in page
    assert "/admin/users/" not in page and "/admin/audit/" not in page

    client.force_login(make_user("boss", "administrator"))
    page = client.get("/").content.decode()
    for url in ("/admin/users/", "/admin/roles/", "/admin/departments/", "/admin/audit/"):
        assert url in page
