"""Fixtures of the desk's tests: the front office (a real Asterisk with SIPp phones)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from switchboard.desk.tests.center import FrontOffice, start_front_office


@pytest.fixture(scope="module")
def front_office(asterisk_chroot: Path) -> Iterator[FrontOffice]:
    office = start_front_office(asterisk_chroot)
    try:
        yield office
    finally:
        office.stop()
