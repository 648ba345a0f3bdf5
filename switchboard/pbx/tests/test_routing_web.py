"""Call permissions, groups, pickup groups, override rules and inbound routes in the web:
saved as asked, refused with a clear message when they could break the dialplan, and turned
into the spec the renderers read."""

from __future__ import annotations

import pytest

from switchboard.accounts.models import AuditEntry
from switchboard.pbx.models import (
    DialPattern,
    InboundRoute,
    OutgoingGroup,
    OverrideRule,
    Phone,
    PickupGroup,
)
from switchboard.pbx.routing import DEFAULT_PATTERNS
from switchboard.pbx.services import site_spec
from switchboard.telephony.models import PbxServer

pytestmark = pytest.mark.django_db


@pytest.fixture
def server() -> PbxServer:
    return PbxServer.objects.create(name="pbx", host="h", ami_user="u", ami_secret="s")


def errors(response, field: str) -> str:
    assert response.status_code == 200, response.status_code
    return " ".join(response.context["form"].errors[field])


@pytest.mark.parametrize(
    "pattern", ["_0[67", "0612;x", "_X.X", "_0[6-7]XX)", "${EXTEN}", "_0 6", "abc", "_"]
)
def test_a_pattern_that_could_break_the_dialplan_is_refused(admin_client, server, pattern):
    response = admin_client.post(
        "/admin/dial-patterns/add/",
        {"server": server.pk, "dial_class": "mobile", "pattern": pattern},
    )
    assert "Asterisk pattern" in errors(response, "pattern")
    assert not DialPattern.objects.exists()


def test_patterns_are_added_and_the_defaults_loaded(admin_client, server) -> None:
    data = {"server": server.pk, "dial_class": "mobile", "pattern": "_0[67]XXXXXXXX"}
    assert admin_client.post("/admin/dial-patterns/add/", data).status_code == 302
    assert "already has this pattern" in errors(
        admin_client.post("/admin/dial-patterns/add/", data), "pattern"
    )
    response = admin_client.post(
        "/admin/dial-patterns/defaults/", {"server": server.pk, "plan": "fr"}
    )
    assert response.status_code == 302
    assert DialPattern.objects.count() == len(DEFAULT_PATTERNS["fr"])  # the mobile one existed
    again = admin_client.post("/admin/dial-patterns/defaults/", {"server": server.pk, "plan": "fr"})
    assert again.status_code == 302
    assert DialPattern.objects.count() == len(DEFAULT_PATTERNS["fr"])
    assert (
        admin_client.post(
            "/admin/dial-patterns/defaults/", {"server": server.pk, "plan": "mars"}
        ).status_code
        == 302
    )
    assert DialPattern.objects.count() == len(DEFAULT_PATTERNS["fr"])
    listing = admin_client.get("/admin/dial-patterns/").content.decode()
    assert "_0[67]XXXXXXXX" in listing and "load-defaults" in listing


def test_a_pbx_without_patterns_uses_the_defaults_of_the_site_language(server, settings):
    settings.LANGUAGE_CODE = "ru"
    patterns = {p.pattern for p in site_spec(server).routing.dial_patterns}
    assert patterns == {p for _c, p, _d in DEFAULT_PATTERNS["ru"]}
    DialPattern.objects.create(server=server, dial_class="emergency", pattern="112")
    assert [p.pattern for p in site_spec(server).routing.dial_patterns] == ["112"]


def test_a_phone_takes_its_classes_from_its_group_and_its_pickup_groups(
    admin_client, server
) -> None:
    sales = PickupGroup.objects.create(server=server, number=5, name="Sales")
    group = OutgoingGroup.objects.create(
        server=server, name="Reception", dial_classes=["internal", "international"]
    )
    data = {
        "server": server.pk,
        "extension": "201",
        "sip_secret": "Abcdefgh12345678",
        "dial_classes": ["emergency", "mobile"],
        "call_groups": [sales.pk],
        "pickup_groups": [sales.pk],
        "enabled": "on",
    }
    assert admin_client.post("/admin/phones/add/", data).status_code == 302
    phone = Phone.objects.get(extension="201")
    assert phone.dial_classes == ["emergency", "mobile"]
    (spec,) = site_spec(server).phones
    assert (spec.dial_classes, spec.call_groups, spec.pickup_groups) == (
        ("emergency", "mobile"),
        (5,),
        (5,),
    )
    response = admin_client.post(f"/admin/phones/{phone.pk}/", {**data, "outgoing_group": group.pk})
    assert response.status_code == 302
    (spec,) = site_spec(server).phones
    assert spec.dial_classes == ("internal", "international")
    # A group of another PBX is refused, and a class that does not exist too.
    other = PbxServer.objects.create(name="other", host="h2", ami_user="u", ami_secret="s")
    foreign = OutgoingGroup.objects.create(server=other, name="Foreign")
    response = admin_client.post(
        f"/admin/phones/{phone.pk}/", {**data, "outgoing_group": foreign.pk}
    )
    assert "same PBX" in errors(response, "outgoing_group")
    response = admin_client.post(f"/admin/phones/{phone.pk}/", {**data, "dial_classes": ["mars"]})
    assert "mars" in errors(response, "dial_classes")
    phone.refresh_from_db()
    assert phone.outgoing_group == group


def test_a_new_phone_form_offers_the_default_classes(admin_client) -> None:
    form = admin_client.get("/admin/phones/add/").context["form"]
    assert form.initial["dial_classes"] == ["emergency", "internal", "services", "local", "mobile"]


def test_pickup_group_numbers_are_0_to_63_and_unique(admin_client, server) -> None:
    data = {"server": server.pk, "number": 64, "name": "Too far"}
    assert "63" in errors(admin_client.post("/admin/pickup-groups/add/", data), "number")
    data["number"] = 63
    assert admin_client.post("/admin/pickup-groups/add/", data).status_code == 302
    assert "already has a group" in errors(
        admin_client.post("/admin/pickup-groups/add/", data), "number"
    )


def rule_data(server: PbxServer, **overrides) -> dict:
    return {
        "server": server.pk,
        "name": "Boss",
        "enabled": "on",
        "called_number": "201",
        "caller_numbers": "0611111111, 0622222222",
        "caller_regexes": "^07",
        "time_ranges": "08:00-12:00, 14:00-24:00",
        "weekdays": ["mon", "fri"],
        "action": "redirect",
        "redirect_number": "202",
        **overrides,
    }


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("caller_regexes", "^0(6", "regular expression"),
        ("caller_regexes", '^06"', "may not contain"),
        ("caller_regexes", "^0\\(6", "Parentheses"),
        ("caller_numbers", "0611, 06x11", "is not a number"),
        ("time_ranges", "8h-12h", "Time ranges like"),
        ("time_ranges", "12:00-08:00", "not a time range of one day"),
        ("time_ranges", "25:00-26:00", "not a time range of one day"),
        ("called_number", "20 1", "Digits"),
        ("redirect_number", "", "number to redirect to"),
        ("redirect_number", "202,x", "Digits"),
    ],
)
def test_an_override_rule_that_could_break_the_dialplan_is_refused(
    admin_client, server, field, value, message
) -> None:
    response = admin_client.post("/admin/override-rules/add/", rule_data(server, **{field: value}))
    assert message in errors(response, field)
    assert not OverrideRule.objects.exists()


def test_override_rules_are_reordered_in_the_web(admin_client, server) -> None:
    for name in ("First", "Second", "Third"):
        response = admin_client.post("/admin/override-rules/add/", rule_data(server, name=name))
        assert response.status_code == 302
    second = OverrideRule.objects.get(name="Second")
    assert (
        admin_client.post(
            f"/admin/override-rules/{second.pk}/move/", {"direction": "up"}
        ).status_code
        == 302
    )
    assert [r.name for r in site_spec(server).routing.overrides] == ["Second", "First", "Third"]
    first = OverrideRule.objects.get(name="First")
    admin_client.post(f"/admin/override-rules/{first.pk}/move/", {"direction": "down"})
    assert [r.name for r in site_spec(server).routing.overrides] == ["Second", "Third", "First"]
    assert AuditEntry.objects.filter(object_type="pbx.overriderule", action="update").count() == 2
    spec = site_spec(server).routing.overrides[0]
    assert spec.callers == ("0611111111", "0622222222") and spec.caller_regexes == ("^07",)
    assert spec.times == (("08:00", "12:00"), ("14:00", "24:00"))
    assert spec.weekdays == ("mon", "fri") and spec.redirect == "202"
    listing = admin_client.get("/admin/override-rules/").content.decode()
    listing = listing[listing.index("<table") :]  # after the messages
    assert listing.index("Second") < listing.index("Third") < listing.index("First")
    assert 'name="direction" value="up"' in listing


def test_a_refusal_rule_has_no_redirect(admin_client, server) -> None:
    data = rule_data(server, action="refuse", redirect_number="")
    assert admin_client.post("/admin/override-rules/add/", data).status_code == 302
    assert site_spec(server).routing.overrides[0].redirect == ""


def test_inbound_routes_of_each_kind(admin_client, server) -> None:
    phone = Phone.objects.create(server=server, extension="201")

    def post(**data):
        return admin_client.post("/admin/inbound/add/", {"server": server.pk, **data})

    assert "Choose the phone" in errors(post(did="0140000001", kind="voicemail"), "phone")
    assert "number to call" in errors(post(did="0140000001", kind="external"), "number")
    assert post(did="0140000001", kind="voicemail", phone=phone.pk, number="99").status_code == 302
    assert post(did="0140000002", kind="external", number="0612345678").status_code == 302
    assert post(did="0140000003", kind="internal", number="700").status_code == 302
    route = InboundRoute.objects.get(did="0140000001")
    assert route.number == ""  # what does not belong to the kind is not kept
    inbound = {(r.did, r.target, r.kind) for r in site_spec(server).inbound}
    assert {
        ("0140000001", "201", "voicemail"),
        ("0140000002", "0612345678", "external"),
        ("0140000003", "700", "internal"),
    } <= inbound
    listing = admin_client.get("/admin/inbound/").content.decode()
    assert "0612345678" in listing


def test_the_phone_list_shows_technical_details_but_not_the_secret(admin_client, server):
    phone = Phone.objects.create(
        server=server, extension="201", fixed_address="10.0.0.5:5062", mac="00:15:65:12:34:56"
    )
    listing = admin_client.get("/admin/phones/").content.decode()
    assert "<details" in listing and "SIP account" in listing
    assert "00:15:65:12:34:56" in listing
    assert 'href="http://10.0.0.5/"' in listing
    assert phone.sip_secret not in listing
    # The secret is on the edit page, which only administrators may open.
    assert phone.sip_secret in admin_client.get(f"/admin/phones/{phone.pk}/").content.decode()


@pytest.mark.parametrize("who", ["user", "department_head", "incident_supervisor"])
def test_changes_to_routing_are_refused_without_the_right(client, make_user, server, who):
    rule = OverrideRule.objects.create(server=server, name="R", called_number="201")
    other = OverrideRule.objects.create(server=server, name="S", called_number="202", position=5)
    client.force_login(make_user(f"u-{who}", who))
    posts = {
        f"/admin/override-rules/{rule.pk}/move/": {"direction": "up"},
        "/admin/dial-patterns/defaults/": {"server": server.pk, "plan": "fr"},
        "/admin/dial-patterns/add/": {"server": server.pk, "dial_class": "mobile", "pattern": "1"},
        "/admin/override-rules/add/": rule_data(server),
        f"/admin/override-rules/{rule.pk}/delete/": {},
        "/admin/pickup-groups/add/": {"server": server.pk, "number": 1, "name": "x"},
        "/admin/outgoing-groups/add/": {"server": server.pk, "name": "x"},
    }
    for url, data in posts.items():
        assert client.post(url, data).status_code == 403, url
    assert not DialPattern.objects.exists() and not PickupGroup.objects.exists()
    assert not OutgoingGroup.objects.exists()
    assert list(OverrideRule.objects.order_by("position").values_list("pk", flat=True)) == [
        rule.pk,
        other.pk,
    ]


def test_an_outgoing_group_line_reaches_its_phones(admin_client, server) -> None:
    from switchboard.pbx.models import Trunk

    line = Trunk.objects.create(server=server, name="backup", host="10.0.0.2")
    data = {"server": server.pk, "name": "Sales", "dial_classes": ["mobile"], "trunk": line.pk}
    assert admin_client.post("/admin/outgoing-groups/add/", data).status_code == 302
    group = OutgoingGroup.objects.get(name="Sales")
    Phone.objects.create(server=server, extension="201", outgoing_group=group)
    (spec,) = site_spec(server).phones
    assert (spec.dial_classes, spec.line) == (("mobile",), "backup")
    other = PbxServer.objects.create(name="other", host="h2", ami_user="u", ami_secret="s")
    foreign = Trunk.objects.create(server=other, name="far", host="10.0.0.3")
    response = admin_client.post(
        f"/admin/outgoing-groups/{group.pk}/", {**data, "trunk": foreign.pk}
    )
    assert "same PBX" in errors(response, "trunk")
