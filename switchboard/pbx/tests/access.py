"""The routing pages of the pbx app for the project's access table
(switchboard/accounts/tests/test_access.py): ``routing_urls()`` makes one object of each kind
and gives every URL name with an example URL; only administrators may open them."""

from __future__ import annotations

# POST-only actions: a GET is refused (405) whoever asks.
POST_ONLY = ("pbx:dialpattern_defaults", "pbx:overriderule_move")


def routing_urls() -> dict[str, str]:
    from switchboard.pbx.models import DialPattern, OutgoingGroup, OverrideRule, PickupGroup
    from switchboard.telephony.models import PbxServer

    server, _ = PbxServer.objects.get_or_create(
        name="routing-access", defaults={"host": "h", "ami_user": "u", "ami_secret": "s"}
    )
    pattern, _ = DialPattern.objects.get_or_create(
        server=server, pattern="_0[67]XXXXXXXX", defaults={"dial_class": "mobile"}
    )
    group, _ = OutgoingGroup.objects.get_or_create(server=server, name="Reception")
    pickup, _ = PickupGroup.objects.get_or_create(server=server, number=1, name="Sales")
    rule, _ = OverrideRule.objects.get_or_create(
        server=server, name="Night", called_number="201", action="refuse"
    )
    urls = {}
    for prefix, name, obj in (
        ("dial-patterns", "dialpattern", pattern),
        ("outgoing-groups", "outgoinggroup", group),
        ("pickup-groups", "pickupgroup", pickup),
        ("override-rules", "overriderule", rule),
    ):
        urls[f"pbx:{name}_list"] = f"/admin/{prefix}/"
        urls[f"pbx:{name}_add"] = f"/admin/{prefix}/add/"
        urls[f"pbx:{name}_edit"] = f"/admin/{prefix}/{obj.pk}/"
        urls[f"pbx:{name}_delete"] = f"/admin/{prefix}/{obj.pk}/delete/"
    urls["pbx:dialpattern_defaults"] = "/admin/dial-patterns/defaults/"
    urls["pbx:overriderule_move"] = f"/admin/override-rules/{rule.pk}/move/"
    return urls
