"""Fixtures of the IVR tests on a real Asterisk: a carrier line that sends keys as SIP INFO
and three SIPp phones (201, 202, 203) known to the portal."""

from __future__ import annotations

import pytest

from switchboard.ivr.tests.dtmf import dtmf_caller_config
from switchboard.pbx.models import Phone
from switchboard.testing.asterisk import free_port


@pytest.fixture
def carrier_port() -> int:
    return free_port("udp")


@pytest.fixture
def portal_pbx_appends(carrier_port: int) -> dict[str, str]:
    """A carrier line that sends keys as SIP INFO, its calls entering the DID routes."""
    return {"pjsip.conf": dtmf_caller_config("carrier", carrier_port, "sb-from-trunks")}


@pytest.fixture
def phones(answering_phone_factory, portal_server):
    """Phones 201-203 answering after 0.2 s, as the portal's phones of ``portal_server``."""
    started = {}
    for name in ("201", "202", "203"):
        phone = answering_phone_factory(name, answer_after_ms=200)
        Phone.objects.create(
            server=portal_server, extension=name, fixed_address=f"127.0.0.1:{phone.port}"
        )
        started[name] = phone
    return started
