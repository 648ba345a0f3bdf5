"""The click-to-call Originate action, built and checked before anything is sent (pure), and
the errors when the PBX cannot be reached."""

from __future__ import annotations

import pytest

from switchboard.telephony.originate import (
    OriginateError,
    OriginateTarget,
    click_to_call,
    originate_fields,
    phone_target,
)

TARGET = OriginateTarget("201", "sb-perm-emergency-internal", '"Anne" <201>')


def test_the_phone_rings_then_dials_from_its_permission_context() -> None:
    fields = originate_fields(TARGET, "06 12.34-56 (78)", variables={"SB_TICKET": "42"})
    assert fields == {
        "Channel": "PJSIP/201",
        "Context": "sb-perm-emergency-internal",
        "Exten": "0612345678",
        "Priority": "1",
        "Timeout": "30000",
        "Async": "true",
        "Variable": ["SB_TICKET=42", "SB_CLICK_TO_CALL=0612345678"],
        "CallerID": '"Anne" <201>',
    }
    fields = originate_fields(TARGET, "+33612345678", caller_id="<555>", account="crm-1")
    assert fields["Exten"] == "+33612345678"
    assert fields["CallerID"] == "<555>" and fields["Account"] == "crm-1"
    assert originate_fields(TARGET, "*8")["Exten"] == "*8"


@pytest.mark.parametrize(
    "number", ["", "06 12 AB", "0612\n345", "201,t", "201&PJSIP/666", "${EXTEN}", "1" * 41]
)
def test_numbers_with_anything_but_digits_star_hash_plus_are_refused(number: str) -> None:
    with pytest.raises(OriginateError, match="cannot be dialled"):
        originate_fields(TARGET, number)


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("caller_id", '"A" <1>\r\nAction: Hangup'),
        ("caller_id", 'Bob"'),
        ("account", "a b"),
        ("variables", {"BAD NAME": "1"}),
        ("variables", {"OK": "1\nAction: Originate"}),
    ],
)
def test_unsafe_options_are_refused(option: str, value: object) -> None:
    with pytest.raises(OriginateError):
        originate_fields(TARGET, "201", **{option: value})  # type: ignore[arg-type]


@pytest.mark.django_db
def test_a_phone_uses_its_group_permissions_and_a_disabled_phone_is_refused() -> None:
    from switchboard.pbx.models import OutgoingGroup, Phone
    from switchboard.telephony.models import PbxServer

    server = PbxServer.objects.create(name="p", host="h", ami_user="u", ami_secret="s")
    phone = Phone.objects.create(
        server=server, extension="201", display_name='Anne "the boss"', dial_classes=["internal"]
    )
    target = phone_target(phone)
    assert target == OriginateTarget("201", "sb-perm-internal", '"Anne the boss" <201>')
    group = OutgoingGroup.objects.create(server=server, name="sales", dial_classes=["mobile"])
    phone.outgoing_group = group
    assert phone_target(phone).context == "sb-perm-mobile"
    phone.enabled = False
    with pytest.raises(OriginateError, match="disabled"):
        phone_target(phone)


@pytest.mark.django_db
def test_an_unreachable_pbx_is_a_clear_error() -> None:
    from switchboard.pbx.models import Phone
    from switchboard.telephony.models import PbxServer
    from switchboard.testing.asterisk import free_port

    server = PbxServer.objects.create(
        name="closed", host="127.0.0.1", ami_port=free_port("tcp"), ami_user="u", ami_secret="s"
    )
    phone = Phone.objects.create(server=server, extension="201")
    with pytest.raises(OriginateError, match="closed cannot be reached"):
        click_to_call(phone, "202")
