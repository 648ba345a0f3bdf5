"""Fixtures of the callback tests on a real Asterisk: a carrier line that sends keys as SIP
INFO (for the IVR action), as in the IVR tests."""

from __future__ import annotations

import pytest

from switchboard.ivr.tests.dtmf import dtmf_caller_config
from switchboard.testing.asterisk import free_port


@pytest.fixture
def carrier_port() -> int:
    return free_port("udp")


@pytest.fixture
def portal_pbx_appends(carrier_port: int) -> dict[str, str]:
    return {"pjsip.conf": dtmf_caller_config("carrier", carrier_port, "sb-from-trunks")}
