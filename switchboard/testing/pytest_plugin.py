"""pytest fixtures for tests that need a real Asterisk and SIPp phones.

Enabled from the root conftest.py (``pytest_plugins = ["switchboard.testing.pytest_plugin"]``).

Fixtures:

* ``asterisk_chroot`` (session): the Debian sid chroot, built on first use. Without root,
  debootstrap or sipp the tests using it FAIL with the reason; they are never skipped.
* ``asterisk_factory``: ``asterisk_factory(configs=..., appends=...)`` starts an
  :class:`~switchboard.testing.asterisk.AsteriskInstance`; all are stopped at teardown.
* ``asterisk``: one instance with the base config plus the test's ``asterisk_configs`` /
  ``asterisk_appends`` fixtures (override them in a module to change the config).
* ``portal_pbx``: an instance whose own files include every file the portal renders (as
  administrators are asked to do) and a SIPp caller endpoint ``desk`` in the phones' context
  on ``caller_port``; ``portal_server``: the ``PbxServer`` row pointing at it (its AMI and
  configuration directory), for tests that apply the web's configuration to it.
* ``answering_phone_factory``: starts :class:`~switchboard.testing.sipp.AnsweringPhone`
  instances and stops them at teardown.

Every test using these fixtures gets the ``asterisk`` marker automatically, so
``pytest -m asterisk`` runs exactly the telephony tests and ``-m "not asterisk"`` skips them.
When such a test fails, the tail of each instance's Asterisk log is added to its report.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Generator, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from switchboard.testing.asterisk import (
    AsteriskInstance,
    HarnessError,
    ensure_chroot,
    remove_stale_instances,
    require_root,
)
from switchboard.testing.sipp import AnsweringPhone, sipp_binary

AsteriskFactory = Callable[..., AsteriskInstance]
PhoneFactory = Callable[..., AnsweringPhone]

_HARNESS_FIXTURES = frozenset(
    {"asterisk_chroot", "asterisk_factory", "asterisk", "call_center", "portal_pbx"}
)
_INSTANCES_KEY = pytest.StashKey[list[AsteriskInstance]]()


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker (harmless if pyproject.toml registers it too)."""
    config.addinivalue_line(
        "markers", "asterisk: needs the real Asterisk test harness (root, chroot, SIPp)"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses the harness, so ``-m asterisk`` selects them."""
    for item in items:
        if _HARNESS_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.asterisk)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """On failure, attach the Asterisk log tails to the report (shown with the traceback)."""
    report: pytest.TestReport = yield
    if report.failed and report.when in ("setup", "call"):
        for instance in item.stash.get(_INSTANCES_KEY, []):
            report.sections.append((f"Asterisk {instance.id} log", instance.failure_report()))
    return report


@pytest.fixture(scope="session")
def asterisk_chroot() -> Path:
    """The Asterisk chroot, built once per machine (about a minute the first time)."""
    try:
        require_root()
        sipp_binary()  # fail early and clearly if sip-tester is missing too
        chroot = ensure_chroot()
    except HarnessError as error:
        pytest.fail(f"Asterisk test harness unavailable: {error}", pytrace=False)
    remove_stale_instances(chroot)  # left by test runs that were killed
    return chroot


@pytest.fixture
def asterisk_factory(
    asterisk_chroot: Path, request: pytest.FixtureRequest
) -> Iterator[AsteriskFactory]:
    """Start Asterisk instances: ``asterisk_factory(configs=None, appends=None, **kw)``.

    ``configs`` replaces whole base files, ``appends`` adds to them (see
    :class:`~switchboard.testing.asterisk.AsteriskInstance`). All are stopped at teardown.
    """
    instances: list[AsteriskInstance] = []
    request.node.stash[_INSTANCES_KEY] = instances

    def start(
        configs: Mapping[str, str] | None = None,
        *,
        appends: Mapping[str, str] | None = None,
        **options: Any,
    ) -> AsteriskInstance:
        instance = AsteriskInstance(asterisk_chroot, configs, appends=appends, **options)
        instances.append(instance)  # before start: a boot failure still gets its log shown
        instance.start()
        return instance

    yield start
    with contextlib.ExitStack() as stack:  # stop them all even if one stop() raises
        for instance in instances:
            stack.callback(instance.stop)


@pytest.fixture
def asterisk_configs() -> dict[str, str]:
    """Whole config files replacing the base ones for the ``asterisk`` fixture (override me)."""
    return {}


@pytest.fixture
def asterisk_appends() -> dict[str, str]:
    """Text appended to base config files for the ``asterisk`` fixture (override me)."""
    return {}


@pytest.fixture
def asterisk(
    asterisk_factory: AsteriskFactory,
    asterisk_configs: dict[str, str],
    asterisk_appends: dict[str, str],
) -> AsteriskInstance:
    """A running Asterisk with the base config plus ``asterisk_configs``/``asterisk_appends``."""
    return asterisk_factory(asterisk_configs, appends=asterisk_appends)


@pytest.fixture
def caller_port() -> int:
    """The local UDP port of SIPp callers placed from the ``desk`` endpoint of ``portal_pbx``."""
    from switchboard.testing.asterisk import free_port

    return free_port("udp")


@pytest.fixture
def portal_pbx_appends() -> dict[str, str]:
    """Text appended to ``portal_pbx``'s own files after the includes (override me)."""
    return {}


@pytest.fixture
def portal_pbx(
    asterisk_factory: AsteriskFactory, caller_port: int, portal_pbx_appends: dict[str, str]
) -> AsteriskInstance:
    """An Asterisk ready for the portal's configuration (see the module's docstring)."""
    from switchboard.pbx.apply import include_lines
    from switchboard.testing.sipp import caller_endpoint_config

    appends = include_lines()
    extra = {"pjsip.conf": caller_endpoint_config("desk", caller_port, context="sb-phones")}
    for extras in (extra, portal_pbx_appends):
        for name, text in extras.items():
            appends[name] = appends.get(name, "") + text
    return asterisk_factory(appends=appends)


@pytest.fixture
def portal_server(portal_pbx: AsteriskInstance, db: Any) -> Any:
    """The ``PbxServer`` of ``portal_pbx`` (AMI account, configuration directory, voicemail
    spool)."""
    from switchboard.telephony.models import PbxServer

    return PbxServer.objects.create(
        name="pbx",
        host="127.0.0.1",
        ami_port=portal_pbx.ami_port,
        ami_user=portal_pbx.credentials.ami_username,
        ami_secret=portal_pbx.credentials.ami_secret,
        config_dir=str(portal_pbx.etc_dir),
        voicemail_dir=str(portal_pbx.layout.host("spool/voicemail")),
    )


@pytest.fixture
def answering_phone_factory() -> Iterator[PhoneFactory]:
    """Start SIPp answering phones: ``answering_phone_factory("agent1", answer_after_ms=...)``.

    Takes the arguments of :class:`~switchboard.testing.sipp.AnsweringPhone`; every phone is
    stopped at teardown, whatever the test's outcome.
    """
    phones: list[AnsweringPhone] = []

    def start(name: str = "agent", **options: Any) -> AnsweringPhone:
        phone = AnsweringPhone(name, **options)
        phones.append(phone)
        return phone.start()

    yield start
    with contextlib.ExitStack() as stack:
        for phone in phones:
            stack.callback(phone.stop)


@pytest.fixture(scope="module")
def call_center(asterisk_chroot: Path) -> Iterator[Any]:
    """The sandbox call center (see ``sandbox.py``), one per test module."""
    from switchboard.testing.sandbox import start_call_center

    center = start_call_center(asterisk_chroot)
    try:
        yield center
    finally:
        center.stop()
