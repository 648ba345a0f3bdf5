"""A real Asterisk 22 for tests: the Debian sid chroot it lives in, and isolated instances.

Debian bookworm ships no Asterisk, Debian sid does. The first test run on a machine builds a
minimal sid chroot with ``debootstrap`` into a cache directory outside the repository
(``$SWITCHBOARD_ASTERISK_CHROOT``, default ``~/.cache/switchboard/asterisk-sid``); later runs
reuse it. Every :class:`AsteriskInstance` then gets its own directory tree inside that chroot
(``/srv/sb-<id>/{etc,log,spool,lib,db,run,cache,moh}``) and an ``asterisk.conf`` pointing at
it, so several instances can run side by side and the host reads their outputs (CDR CSV,
queue_log, logs) straight through the chroot path. AMI, HTTP/ARI and PJSIP listen on
127.0.0.1 only, on free ports picked at start, so a real PBX on the same host is never hit.

Everything here needs root (``chroot``). Build the chroot ahead of a test run with::

    python -m switchboard.testing.asterisk build
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import csv
import datetime as dt
import fcntl
import json
import math
import os
import re
import secrets
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from switchboard.testing.ami_probe import AmiProbe

CHROOT_ENV = "SWITCHBOARD_ASTERISK_CHROOT"
MIRROR_ENV = "SWITCHBOARD_DEBIAN_MIRROR"
KEEP_ENV = "SWITCHBOARD_KEEP_ASTERISK"
DEFAULT_CHROOT = Path.home() / ".cache" / "switchboard" / "asterisk-sid"
MARKER_NAME = ".switchboard-chroot.json"
SUITE = "sid"
PACKAGES = ("asterisk", "asterisk-modules")
EXPECTED_MAJOR = 22
LOOPBACK = "127.0.0.1"
BUILD_LOCK_TIMEOUT_S = 900.0

# Columns of cdr-csv/Master.csv with cdr.conf's loguniqueid=yes and loguserfield=yes.
CDR_CSV_COLUMNS = (
    "accountcode",
    "src",
    "dst",
    "dcontext",
    "clid",
    "channel",
    "dstchannel",
    "lastapp",
    "lastdata",
    "start",
    "answer",
    "end",
    "duration",
    "billsec",
    "disposition",
    "amaflags",
    "uniqueid",
    "userfield",
)

# Modules that are autoloaded by default but useless or harmful in a test chroot. Modules
# that merely decline to load without their config file (app_queue, app_amd, app_followme,
# res_parking...) are NOT listed: a test enables them by supplying that file.
NOLOAD_MODULES = (
    # Conflicts with app_voicemail (both register VoiceMail(), VM_INFO...): keep file storage.
    "app_voicemail_odbc.so",
    "app_voicemail_imap.so",
    # External databases and services that tests never have.
    "res_odbc.so",
    "res_odbc_transaction.so",
    "res_config_odbc.so",
    "cdr_odbc.so",
    "cel_odbc.so",
    "cdr_adaptive_odbc.so",
    "func_odbc.so",
    "res_config_pgsql.so",
    "cdr_pgsql.so",
    "cel_pgsql.so",
    "res_config_ldap.so",
    "res_config_sqlite3.so",
    "cdr_sqlite3_custom.so",
    "cel_sqlite3_custom.so",
    "cdr_tds.so",
    "cel_tds.so",
    "cdr_radius.so",
    "cel_radius.so",
    "cdr_custom.so",
    "cel_custom.so",
    "cdr_manager.so",
    "cdr_beanstalkd.so",
    "cel_beanstalkd.so",
    "res_config_curl.so",
    "res_snmp.so",
    "res_statsd.so",
    "res_prometheus.so",
    "res_hep.so",
    "res_hep_pjsip.so",
    "res_hep_rtcp.so",
    "res_xmpp.so",
    "chan_motif.so",
    "res_calendar.so",
    "res_calendar_caldav.so",
    "res_calendar_ews.so",
    "res_calendar_exchange.so",
    "res_calendar_icalendar.so",
    "res_corosync.so",
    "res_stun_monitor.so",
    "res_smdi.so",
    "res_aeap.so",
    "res_speech_aeap.so",
    "res_http_media_cache.so",
    "app_festival.so",
    "app_jack.so",
    "app_mp3.so",
    "pbx_dundi.so",
    # The unbound resolver fails in the chroot (no /etc/hosts handling); pjproject's works.
    "res_resolver_unbound.so",
    # Other channel drivers and dialplan languages: PJSIP and extensions.conf only.
    "chan_iax2.so",
    "chan_unistim.so",
    "chan_console.so",
    "chan_alsa.so",
    "chan_oss.so",
    "chan_mobile.so",
    "chan_dahdi.so",
    "chan_websocket.so",
    "chan_audiosocket.so",
    "res_audiosocket.so",
    "app_audiosocket.so",
    "pbx_lua.so",
    "pbx_ael.so",
    "pbx_realtime.so",
    "res_ael_share.so",
    # Phone provisioning, STIR/SHAKEN, geolocation, ADSI: not this product's business.
    "res_phoneprov.so",
    "res_pjsip_phoneprov_provider.so",
    "res_stir_shaken.so",
    "res_pjsip_stir_shaken.so",
    "res_geolocation.so",
    "res_pjsip_geolocation.so",
    "res_pjsip_config_wizard.so",
    "res_adsi.so",
    "app_adsiprog.so",
    "app_getcpeid.so",
    "app_alarmreceiver.so",
    "app_minivm.so",
)


class HarnessError(RuntimeError):
    """The test harness cannot do its job (missing tool, failed build, Asterisk died...)."""


# --------------------------------------------------------------------------------------------
# Host prerequisites
# --------------------------------------------------------------------------------------------


def require_root() -> None:
    """Fail unless running as root: ``chroot`` and debootstrap need it."""
    if os.geteuid() != 0:
        raise HarnessError(
            "the Asterisk test harness must run as root (it uses chroot and debootstrap)"
        )


def require_tool(binary: str, package: str) -> str:
    """Return the path of ``binary``, or fail saying which Debian package provides it."""
    path = shutil.which(binary) or shutil.which(binary, path="/usr/sbin:/sbin")
    if path is None:
        raise HarnessError(
            f"`{binary}` is missing: run `apt-get install {package}` "
            "(the project's `make test` installs it)"
        )
    return path


def debian_mirror() -> str:
    """The Debian archive URL apt already uses on this host (or ``$SWITCHBOARD_DEBIAN_MIRROR``).

    The chroot must come from the same registry as the host's packages: closed networks only
    reach the mirror they are configured for, so no host name is ever hard-coded here.
    """
    override = os.environ.get(MIRROR_ENV)
    if override:
        return override.rstrip("/")
    for uri in _apt_archive_uris():
        return uri
    raise HarnessError(
        "cannot find a Debian archive in /etc/apt/sources.list{,.d/*}; "
        f"set {MIRROR_ENV} to the mirror URL apt uses"
    )


def _apt_archive_uris() -> Iterator[str]:
    """Yield archive URIs from apt's sources, main archives before anything else."""
    found: list[tuple[str, str]] = []  # (uri, suite)
    apt = Path("/etc/apt")
    for path in sorted(apt.glob("sources.list.d/*.sources")):
        found.extend(_deb822_sources(path.read_text(errors="replace")))
    one_line = [apt / "sources.list", *sorted(apt.glob("sources.list.d/*.list"))]
    for path in one_line:
        if path.is_file():
            found.extend(_one_line_sources(path.read_text(errors="replace")))
    # The main archive ends in /debian; security and third-party repositories do not carry sid.
    for uri, suite in found:
        if uri.rstrip("/").endswith("/debian") and not suite.endswith("-security"):
            yield uri.rstrip("/")


def _deb822_sources(text: str) -> list[tuple[str, str]]:
    """(URI, suite) pairs of the ``Types: deb`` stanzas of a deb822 ``.sources`` file."""
    pairs: list[tuple[str, str]] = []
    for stanza in re.split(r"\n\s*\n", text):
        fields: dict[str, str] = {}
        for line in stanza.splitlines():
            if line.startswith("#") or ":" not in line:
                continue
            key, _, value = line.partition(":")
            fields[key.strip().lower()] = value.strip()
        if "deb" not in fields.get("types", "").split() or fields.get("enabled") == "no":
            continue
        for uri in fields.get("uris", "").split():
            pairs.extend((uri, suite) for suite in fields.get("suites", "").split())
    return pairs


def _one_line_sources(text: str) -> list[tuple[str, str]]:
    """(URI, suite) pairs of the ``deb`` lines of a classic ``sources.list`` file."""
    pairs: list[tuple[str, str]] = []
    for line in text.splitlines():
        line = re.sub(r"\[[^\]]*\]", " ", line.split("#", 1)[0])  # drop [options]
        words = line.split()
        if len(words) >= 3 and words[0] == "deb":
            pairs.append((words[1], words[2]))
    return pairs


# --------------------------------------------------------------------------------------------
# The chroot (built once per machine)
# --------------------------------------------------------------------------------------------


def chroot_path() -> Path:
    """Where the chroot lives: ``$SWITCHBOARD_ASTERISK_CHROOT`` or the per-user cache."""
    configured = os.environ.get(CHROOT_ENV)
    return Path(configured).expanduser() if configured else DEFAULT_CHROOT


def chroot_is_ready(path: Path) -> bool:
    """True when ``path`` holds a completely built chroot (its success marker is there)."""
    return (path / MARKER_NAME).is_file()


def ensure_chroot(path: Path | None = None, *, mirror: str | None = None) -> Path:
    """Return a ready Asterisk chroot, building it first if this machine has none.

    The build goes to a temporary sibling directory that is renamed into place only once
    complete, under an exclusive lock, so concurrent test runs build it once and nobody ever
    sees half a chroot.
    """
    target = (path or chroot_path()).absolute()
    if chroot_is_ready(target):
        return target
    require_root()
    target.parent.mkdir(parents=True, exist_ok=True)
    with _exclusive_lock(target.parent / f".{target.name}.lock"):
        if chroot_is_ready(target):  # another run built it while we waited
            return target
        _build_chroot(target, mirror or debian_mirror())
    return target


@contextlib.contextmanager
def _exclusive_lock(lock_path: Path, timeout_s: float = BUILD_LOCK_TIMEOUT_S) -> Iterator[None]:
    """Hold an fcntl lock on ``lock_path``; it is released even if the process dies."""
    with lock_path.open("a") as handle:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise HarnessError(f"timed out waiting for {lock_path}") from None
                time.sleep(0.5)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _build_chroot(target: Path, mirror: str) -> None:
    """debootstrap sid + Asterisk into a temporary directory, check it, move it into place."""
    debootstrap = require_tool("debootstrap", "debootstrap")
    for leftover in target.parent.glob(f".{target.name}.tmp-*"):
        _remove_tree(leftover)  # a build that was killed; we hold the lock, nobody uses it
    if target.exists():
        # Builds are renamed into place complete, so this is not ours: never delete it.
        if target.is_dir() and not any(target.iterdir()):
            target.rmdir()
        else:
            raise HarnessError(
                f"{target} exists but is not a Switchboard Asterisk chroot (no {MARKER_NAME}); "
                f"remove it or point {CHROOT_ENV} elsewhere"
            )
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    staging.chmod(0o755)  # mkdtemp makes it 0700; a root filesystem must be world-readable
    log_path = target.parent / f"{target.name}.build.log"
    command = [
        debootstrap,
        "--variant=minbase",
        f"--include={','.join(PACKAGES)}",
        SUITE,
        str(staging),
        mirror,
    ]
    started = time.monotonic()
    try:
        _run_logged(command, log_path)
        _prepare_chroot(staging)
        version = asterisk_version(staging)
        _write_marker(staging, mirror, version, time.monotonic() - started)
        staging.rename(target)
    except BaseException:
        _remove_tree(staging)
        raise


def _run_logged(command: list[str], log_path: Path) -> None:
    """Run a long build step with its output in ``log_path``; fail with the log's tail."""
    with log_path.open("w") as log:
        log.write("$ " + " ".join(command) + "\n")
        log.flush()
        # SIGTERM (not SIGKILL) if we die, so debootstrap's exit trap unmounts /proc and /sys.
        result = subprocess.run(
            [*orphan_guard("TERM"), *command],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            check=False,
        )
    if result.returncode != 0:
        raise HarnessError(
            f"{command[0]} failed (exit {result.returncode}), see {log_path}:\n"
            + tail_text(log_path, 30)
        )


def _prepare_chroot(root: Path) -> None:
    """Finish the fresh chroot so that Asterisk starts in it."""
    # /var/run is a symlink to the absolute /run: create it from inside the chroot, or the host's
    # own /run would be used. Without it Asterisk fails at start-up on the AstDB.
    subprocess.run(["chroot", str(root), "mkdir", "-p", "/var/run/asterisk"], check=True)
    hosts = root / "etc" / "hosts"
    if not hosts.exists():  # minbase has none; "localhost" must resolve inside the chroot
        hosts.write_text("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n")
    srv = root / "srv"
    srv.mkdir(exist_ok=True)
    if srv.is_symlink():
        raise HarnessError(f"{srv} is a symlink; refusing to put instances there")


def _write_marker(root: Path, mirror: str, version: str, seconds: float) -> None:
    """Record a successful build: its presence is what makes the chroot usable."""
    info = {
        "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "suite": SUITE,
        "mirror": mirror,
        "packages": list(PACKAGES),
        "asterisk": version,
        "build_seconds": round(seconds, 1),
    }
    (root / MARKER_NAME).write_text(json.dumps(info, indent=2) + "\n")


def asterisk_version(root: Path) -> str:
    """``asterisk -V`` inside the chroot; fail unless it is the expected major version."""
    result = subprocess.run(
        ["chroot", str(root), "asterisk", "-V"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    version = result.stdout.strip()
    if not version.startswith(f"Asterisk {EXPECTED_MAJOR}."):
        raise HarnessError(
            f"expected Asterisk {EXPECTED_MAJOR} in {root}, got {version!r} {result.stderr!r}"
        )
    return version


def _remove_tree(path: Path) -> None:
    """Delete a directory tree, unmounting anything a killed debootstrap left mounted in it."""
    for mount_point in sorted(_mounts_under(path), key=len, reverse=True):
        subprocess.run(["umount", "-l", mount_point], check=False)
    if still_mounted := _mounts_under(path):
        raise HarnessError(f"cannot remove {path}: still mounted {still_mounted}")
    shutil.rmtree(path, ignore_errors=True)


def _mounts_under(path: Path) -> list[str]:
    """Mount points at or below ``path`` (from /proc/self/mountinfo)."""
    prefix = str(path.absolute())
    points: list[str] = []
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/mountinfo").read_text().splitlines():
            fields = line.split()
            if len(fields) > 4:
                point = re.sub(r"\\(\d{3})", lambda m: chr(int(m.group(1), 8)), fields[4])
                if point == prefix or point.startswith(prefix + "/"):
                    points.append(point)
    return points


# --------------------------------------------------------------------------------------------
# Processes and ports
# --------------------------------------------------------------------------------------------

_handed_out_ports: set[int] = set()


def orphan_guard(signal_name: str = "KILL") -> list[str]:
    """Command prefix that makes the child get ``signal_name`` when the test process dies.

    Tests get killed (Ctrl-C twice, CI timeouts): this keeps Asterisk and SIPp from
    outliving them. util-linux's setpriv (Essential in Debian) sets PR_SET_PDEATHSIG, which
    survives exec; unlike a ``preexec_fn`` it is safe when the test process has threads.
    """
    setpriv = shutil.which("setpriv")
    return [setpriv, "--pdeathsig", signal_name, "--"] if setpriv else []


def free_port(kind: Literal["tcp", "udp"] = "tcp") -> int:
    """A currently free loopback port, never the same twice in this process.

    The kernel may hand out the same ephemeral port again right after we close our probe
    socket; remembering what we gave keeps two services of one test from colliding.
    """
    sock_type = socket.SOCK_STREAM if kind == "tcp" else socket.SOCK_DGRAM
    for _ in range(50):
        with socket.socket(socket.AF_INET, sock_type) as probe:
            probe.bind((LOOPBACK, 0))
            port = int(probe.getsockname()[1])
        if port not in _handed_out_ports:
            _handed_out_ports.add(port)
            return port
    raise HarnessError("no free loopback port found")


def tail_text(path: Path, lines: int = 60) -> str:
    """The last ``lines`` lines of a text file ('' if it does not exist)."""
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - 256 * lines))
            data = handle.read().decode(errors="replace")
    except OSError:
        return ""
    return "\n".join(data.splitlines()[-lines:])


def host_timezone() -> str:
    """The host's zone name (``$TZ``, else the /etc/localtime link), ``UTC`` if unknown."""
    if configured := os.environ.get("TZ"):
        return configured
    with contextlib.suppress(OSError):
        target = os.readlink("/etc/localtime")
        if "zoneinfo/" in target:
            return target.split("zoneinfo/", 1)[1]
    return "UTC"


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def strip_ansi(text: str) -> str:
    """Remove terminal colour codes that Asterisk's console output may carry."""
    return _ANSI.sub("", text)


# --------------------------------------------------------------------------------------------
# Instance layout and the base configuration
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InstancePorts:
    """The loopback ports of one instance: AMI, HTTP (ARI), PJSIP UDP and the RTP range."""

    ami: int
    http: int
    sip: int
    rtp_start: int = 27000
    rtp_end: int = 27999

    @classmethod
    def pick(cls) -> InstancePorts:
        """Free ports chosen now. RTP ranges may overlap: Asterisk skips ports in use."""
        return cls(ami=free_port("tcp"), http=free_port("tcp"), sip=free_port("udp"))


@dataclass(frozen=True)
class InstanceLayout:
    """Directories of one instance, as seen from inside the chroot (``inner``) and the host."""

    chroot: Path
    inner: str  # e.g. /srv/sb-0123abcd4567

    SUBDIRS = ("etc", "log", "spool", "lib", "db", "run", "cache", "moh")

    def host(self, sub: str = "") -> Path:
        """Host path of ``sub`` (relative to the instance root)."""
        return self.chroot / self.inner.lstrip("/") / sub

    def path(self, sub: str) -> str:
        """Path of ``sub`` inside the chroot, as written into Asterisk's config."""
        return f"{self.inner}/{sub}"

    @property
    def config_file(self) -> str:
        """asterisk.conf inside the chroot (the ``-C`` argument)."""
        return self.path("etc/asterisk.conf")


@dataclass(frozen=True)
class Credentials:
    """AMI and ARI accounts created by the base config (random secrets per instance)."""

    ami_username: str = "switchboard"
    ami_secret: str = field(default_factory=lambda: secrets.token_hex(8))
    ari_username: str = "switchboard"
    ari_password: str = field(default_factory=lambda: secrets.token_hex(8))


def base_config(
    layout: InstanceLayout, ports: InstancePorts, credentials: Credentials
) -> dict[str, str]:
    """The config files every test Asterisk starts from (filename -> text).

    Tests replace whole files or append to them (see :class:`AsteriskInstance`). The aim is a
    quiet, fast boot with everything the product drives loaded: PJSIP, dialplan, queues,
    CDR to CSV, queue_log, AMI, ARI, music on hold, voicemail.
    """
    return {
        "asterisk.conf": _asterisk_conf(layout),
        "modules.conf": _modules_conf(),
        "logger.conf": _LOGGER_CONF,
        "manager.conf": _manager_conf(ports, credentials),
        "http.conf": _http_conf(ports),
        "ari.conf": _ari_conf(credentials),
        "pjsip.conf": _pjsip_conf(ports),
        "rtp.conf": f"[general]\nrtpstart={ports.rtp_start}\nrtpend={ports.rtp_end}\n",
        "cdr.conf": _CDR_CONF,
        "queues.conf": "[general]\nautofill=yes\nshared_lastcall=yes\n",
        "extensions.conf": _EXTENSIONS_CONF,
        "musiconhold.conf": f"[default]\nmode=files\ndirectory={layout.path('moh')}\n",
        "indications.conf": _INDICATIONS_CONF,
        "voicemail.conf": "[general]\nformat=wav\n\n[default]\n",
        "features.conf": "[general]\n",
        "res_parking.conf": "[general]\n",
        "confbridge.conf": "[general]\n",
        "agents.conf": "[general]\n",
        "ccss.conf": "[general]\n",
        "acl.conf": "",
        "udptl.conf": "[general]\n",
        "cli_aliases.conf": "",
        "cel.conf": "[general]\nenable = no\n",
        "amd.conf": "[general]\n",
        "followme.conf": "[general]\n",
        "pjproject.conf": "",
        "pjsip_notify.conf": "",
        # res_ari needs res_websocket_client (ast_websocket_client_reload): keep it, quiet.
        "websocket_client.conf": "",
        "stasis.conf": "",
    }


def _asterisk_conf(layout: InstanceLayout) -> str:
    moddir = _module_dir(layout.chroot)
    return f"""[directories]
astetcdir => {layout.path("etc")}
astmoddir => {moddir}
astvarlibdir => {layout.path("lib")}
astdbdir => {layout.path("db")}
astkeydir => {layout.path("lib")}
astdatadir => /usr/share/asterisk
astagidir => /usr/share/asterisk/agi-bin
astspooldir => {layout.path("spool")}
astrundir => {layout.path("run")}
astlogdir => {layout.path("log")}
astcachedir => {layout.path("cache")}
astsbindir => /usr/sbin

[options]
verbose = 3
debug = 0
nocolor = yes
hideconnect = yes
defaultlanguage = en
documentation_language = en_US
; Tests are short: refuse calls only when really overloaded.
maxload = 0
"""


def _module_dir(chroot: Path) -> str:
    """The multiarch module directory of the chroot, e.g. /usr/lib/x86_64-linux-gnu/..."""
    found = sorted(chroot.glob("usr/lib/*/asterisk/modules"))
    if not found:
        raise HarnessError(f"no Asterisk module directory in {chroot}")
    return "/" + str(found[0].relative_to(chroot))


def _modules_conf() -> str:
    lines = ["[modules]", "autoload = yes"]
    lines += [f"noload => {name}" for name in NOLOAD_MODULES]
    return "\n".join(lines) + "\n"


_LOGGER_CONF = """[general]
dateformat = %F %T.%3q
queue_log = yes
queue_log_to_file = yes
queue_log_name = queue_log

[logfiles]
messages.log => notice,warning,error,verbose,dtmf
console => error
"""


def _manager_conf(ports: InstancePorts, credentials: Credentials) -> str:
    return f"""[general]
enabled = yes
webenabled = no
bindaddr = {LOOPBACK}
port = {ports.ami}
displayconnects = no

[{credentials.ami_username}]
secret = {credentials.ami_secret}
deny = 0.0.0.0/0.0.0.0
permit = {LOOPBACK}/255.255.255.255
read = all
write = all
writetimeout = 5000
"""


def _http_conf(ports: InstancePorts) -> str:
    return f"""[general]
enabled = yes
bindaddr = {LOOPBACK}
bindport = {ports.http}
enablestatic = no
"""


def _ari_conf(credentials: Credentials) -> str:
    return f"""[general]
enabled = yes
pretty = no

[{credentials.ari_username}]
type = user
read_only = no
password = {credentials.ari_password}
password_format = plain
"""


def _pjsip_conf(ports: InstancePorts) -> str:
    return f"""[global]
type = global
user_agent = Switchboard test PBX

[transport-udp]
type = transport
protocol = udp
bind = {LOOPBACK}:{ports.sip}
"""


_CDR_CONF = """[general]
enable = yes
; Unanswered and failed calls get a record too: the call log must show them.
unanswered = yes
congestion = yes
batch = no

; Read by cdr_csv (there is no cdr_csv.conf).
[csv]
usegmtime = no
loguniqueid = yes
loguserfield = yes
accountlogs = no
"""

_EXTENSIONS_CONF = """[general]
static = yes
writeprotect = yes
clearglobalvars = no

[globals]

[default]
exten => _X.,1,Hangup(1)
"""

# Standard North American call-progress tones, so Ringing()/Busy()/Congestion() make sound.
_INDICATIONS_CONF = """[general]
country = us

[us]
description = United States
ringcadence = 2000,4000
dial = 350+440
busy = 480+620/500,0/500
ring = 440+480/2000,0/4000
congestion = 480+620/250,0/250
callwaiting = 440/300,0/10000
dialrecall = !350+440/100,!0/100,!350+440/100,!0/100,!350+440/100,!0/100,350+440
record = 1400/500,0/15000
info = !950/330,!1400/330,!1800/330,0
stutter = !350+440/100,!0/100,!350+440/100,!0/100,350+440
"""


def _moh_tone() -> bytes:
    """Two seconds of a soft 440 Hz tone as signed-linear 8 kHz, the default hold music."""
    rate, seconds, amplitude = 8000, 2, 3000
    samples = (
        int(amplitude * math.sin(2 * math.pi * 440 * n / rate)) for n in range(rate * seconds)
    )
    return b"".join(struct.pack("<h", sample) for sample in samples)


# --------------------------------------------------------------------------------------------
# A running Asterisk
# --------------------------------------------------------------------------------------------


# Instances started and not yet stopped, drained at interpreter exit.
_live_instances: set[AsteriskInstance] = set()


class AsteriskInstance:
    """One isolated Asterisk process in the chroot, with its own config, logs and ports.

    ``configs`` replaces whole files of :func:`base_config`; ``appends`` adds text to the end
    of a base file (or creates it), handy to add endpoints to pjsip.conf while keeping the
    transport. Use as a context manager, or call :meth:`start` and :meth:`stop`::

        with AsteriskInstance(chroot, appends={"extensions.conf": dialplan}) as pbx:
            print(pbx.cli("core show version"))
    """

    def __init__(
        self,
        chroot: Path,
        configs: Mapping[str, str] | None = None,
        *,
        appends: Mapping[str, str] | None = None,
        boot_timeout_s: float = 30.0,
    ) -> None:
        self.chroot = Path(chroot).absolute()
        self.id = uuid.uuid4().hex[:12]
        self.layout = InstanceLayout(self.chroot, f"/srv/sb-{self.id}")
        self.ports = InstancePorts.pick()
        self.credentials = Credentials()
        self.boot_timeout_s = boot_timeout_s
        self.configs = base_config(self.layout, self.ports, self.credentials)
        self.configs.update(configs or {})
        for name, text in (appends or {}).items():
            self.configs[name] = self.configs.get(name, "") + "\n" + text
        self.boot_seconds: float | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._console: Path = self.layout.host("log/console.log")

    # Ports and credentials, flat for convenience ---------------------------------------------

    @property
    def ami_port(self) -> int:
        """TCP port of the AMI on 127.0.0.1."""
        return self.ports.ami

    @property
    def http_port(self) -> int:
        """TCP port of Asterisk's HTTP server (ARI under /ari) on 127.0.0.1."""
        return self.ports.http

    @property
    def sip_port(self) -> int:
        """UDP port of the PJSIP transport on 127.0.0.1."""
        return self.ports.sip

    @property
    def ari_url(self) -> str:
        """Base URL of ARI, e.g. http://127.0.0.1:PORT/ari."""
        return f"http://{LOOPBACK}:{self.ports.http}/ari"

    # Paths readable from the host -------------------------------------------------------------

    @property
    def root(self) -> Path:
        """Host path of this instance's directory inside the chroot."""
        return self.layout.host()

    @property
    def etc_dir(self) -> Path:
        """Host path of the config directory (astetcdir)."""
        return self.layout.host("etc")

    @property
    def log_dir(self) -> Path:
        """Host path of the log directory (astlogdir)."""
        return self.layout.host("log")

    @property
    def cdr_csv_path(self) -> Path:
        """Host path of cdr-csv/Master.csv."""
        return self.layout.host("log/cdr-csv/Master.csv")

    @property
    def queue_log_path(self) -> Path:
        """Host path of queue_log."""
        return self.layout.host("log/queue_log")

    @property
    def messages_log_path(self) -> Path:
        """Host path of the messages.log logger channel."""
        return self.layout.host("log/messages.log")

    @property
    def moh_dir(self) -> Path:
        """Host path of the default music-on-hold class directory."""
        return self.layout.host("moh")

    @property
    def running(self) -> bool:
        """True while the Asterisk process is alive."""
        return self._process is not None and self._process.poll() is None

    # Life cycle ---------------------------------------------------------------------------------

    def __enter__(self) -> AsteriskInstance:
        self.start()
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self.stop(dump_log=exc is not None)

    def start(self) -> None:
        """Write the instance tree and config, start Asterisk, wait until fully booted."""
        if self.running:
            return
        if not self.root.exists():
            self._create_tree()
        started = time.monotonic()
        self._spawn()
        try:
            self._wait_fully_booted(started + self.boot_timeout_s)
        except BaseException:
            self._terminate()
            raise
        self.boot_seconds = time.monotonic() - started

    def stop(self, *, dump_log: bool = False, remove: bool = True) -> None:
        """Stop Asterisk (``core stop now``, then signals) and delete the instance directory.

        ``dump_log`` writes the tail of the logs to stderr first (pass it when the test
        failed). ``$SWITCHBOARD_KEEP_ASTERISK=1`` keeps the directory for a post-mortem.
        """
        try:
            if dump_log:
                sys.stderr.write(self.failure_report())
            self._terminate()
        finally:
            if remove and not os.environ.get(KEEP_ENV):
                shutil.rmtree(self.root, ignore_errors=True)
            _live_instances.discard(self)

    def restart(self) -> None:
        """Stop and start again on the same directory (AstDB, logs, CDRs survive)."""
        self._terminate()
        self.start()

    def _create_tree(self) -> None:
        for sub in InstanceLayout.SUBDIRS:
            self.layout.host(sub).mkdir(parents=True, exist_ok=True)
        for sub in (
            "log/cdr-csv",
            "lib/keys",
            "spool/outgoing",
            "spool/voicemail",
            "spool/recording",
            "spool/monitor",
        ):
            self.layout.host(sub).mkdir(parents=True, exist_ok=True)
        (self.moh_dir / "tone.sln").write_bytes(_moh_tone())
        for name, text in self.configs.items():
            self.write_config(name, text)

    def write_config(self, name: str, text: str) -> None:
        """(Re)write one config file; call :meth:`cli` with a reload to apply it live."""
        path = self.etc_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text if text.endswith("\n") else text + "\n")
        self.configs[name] = text

    def _spawn(self) -> None:
        command = [*orphan_guard(), "chroot", str(self.chroot), "asterisk", "-f", "-n", "-C"]
        command.append(self.layout.config_file)
        # The host's time zone, so CDR and queue_log times read like the test's own clock.
        environment = {**os.environ, "TZ": host_timezone()}
        with self._console.open("ab") as console:
            # New session: a Ctrl-C meant for pytest must not kill Asterisk before teardown
            # has stopped it properly; the parent-death signal covers a killed pytest.
            self._process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=console,
                stderr=subprocess.STDOUT,
                env=environment,
                start_new_session=True,
            )
        _live_instances.add(self)

    def _wait_fully_booted(self, deadline: float) -> None:
        """Poll ``core waitfullybooted`` over the control socket until it answers."""
        while True:
            if not self.running:
                raise HarnessError(
                    f"Asterisk {self.id} exited during boot\n{self.failure_report()}"
                )
            result = self._remote("core waitfullybooted", timeout_s=5.0)
            if result is not None and "fully booted" in result.stdout:
                return
            if time.monotonic() > deadline:
                raise HarnessError(
                    f"Asterisk {self.id} not fully booted after {self.boot_timeout_s} s\n"
                    + self.failure_report()
                )
            time.sleep(0.05)

    def _terminate(self) -> None:
        """Stop the process: ask politely, then SIGTERM, then SIGKILL."""
        process = self._process
        if process is None:
            return
        if process.poll() is None:
            self._remote("core stop now", timeout_s=5.0)
        for sig, grace_s in ((None, 5.0), (signal.SIGTERM, 3.0), (signal.SIGKILL, 5.0)):
            if sig is not None and process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    process.send_signal(sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=grace_s)
                break
        self._process = None

    # Talking to it ------------------------------------------------------------------------------

    def cli(self, command: str, *, timeout_s: float = 15.0) -> str:
        """Run a CLI command (``asterisk -rx``) and return its output."""
        result = self._remote(command, timeout_s=timeout_s)
        if result is None or result.returncode != 0:
            detail = "timed out" if result is None else (result.stderr or result.stdout)
            raise HarnessError(f"`{command}` failed on Asterisk {self.id}: {detail.strip()}")
        return result.stdout

    def _remote(self, command: str, *, timeout_s: float) -> subprocess.CompletedProcess[str] | None:
        """``asterisk -rx`` through this instance's control socket; None on timeout."""
        argv = ["chroot", str(self.chroot), "asterisk", "-n", "-C", self.layout.config_file]
        try:
            result = subprocess.run(
                [*argv, "-rx", command],
                capture_output=True,
                text=True,
                timeout=timeout_s,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return None
        result.stdout = strip_ansi(result.stdout)
        return result

    def version(self) -> str:
        """The first line of ``core show version``."""
        return self.cli("core show version").strip().splitlines()[0]

    def ami(self, *, events: bool = True) -> AmiProbe:
        """A logged-in :class:`~switchboard.testing.ami_probe.AmiProbe` (close it, or use with)."""
        probe = AmiProbe(LOOPBACK, self.ports.ami)
        probe.login(self.credentials.ami_username, self.credentials.ami_secret, events=events)
        return probe

    # Outputs ------------------------------------------------------------------------------------

    def cdr_rows(self) -> list[dict[str, str]]:
        """Rows of Master.csv as dicts keyed by :data:`CDR_CSV_COLUMNS`."""
        if not self.cdr_csv_path.exists():
            return []
        with self.cdr_csv_path.open(newline="") as handle:
            return [dict(zip(CDR_CSV_COLUMNS, row, strict=False)) for row in csv.reader(handle)]

    def wait_for_cdr_rows(self, count: int = 1, *, timeout_s: float = 10.0) -> list[dict[str, str]]:
        """Wait until Master.csv holds at least ``count`` rows (CDRs land after hang-up)."""
        deadline = time.monotonic() + timeout_s
        while True:
            rows = self.cdr_rows()
            if len(rows) >= count or time.monotonic() > deadline:
                return rows
            time.sleep(0.1)

    def queue_log_lines(self) -> list[list[str]]:
        """queue_log as lists of its ``|``-separated fields."""
        if not self.queue_log_path.exists():
            return []
        return [line.split("|") for line in self.queue_log_path.read_text().splitlines() if line]

    def failure_report(self, lines: int = 80) -> str:
        """The tails of messages.log and the console, for a failing test's report."""
        return (
            f"\n----- Asterisk {self.id} messages.log (last {lines} lines) -----\n"
            + tail_text(self.messages_log_path, lines)
            + f"\n----- Asterisk {self.id} console -----\n"
            + tail_text(self._console, 20)
            + "\n"
        )


def remove_stale_instances(chroot: Path, *, min_age_s: float = 300.0) -> list[Path]:
    """Delete instance directories left behind by killed test runs; return them.

    A directory is stale when no live process holds the pid Asterisk wrote in it, and it is
    old enough not to belong to an instance that a concurrent run is just starting.
    """
    removed: list[Path] = []
    for directory in sorted((chroot / "srv").glob("sb-*")):
        if time.time() - directory.stat().st_mtime < min_age_s or _instance_alive(directory):
            continue
        shutil.rmtree(directory, ignore_errors=True)
        removed.append(directory)
    return removed


def _instance_alive(directory: Path) -> bool:
    """True if the Asterisk whose pid file is in ``directory`` still runs on that config."""
    try:
        pid = int((directory / "run" / "asterisk.pid").read_text().strip())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError):
        return False
    return f"/srv/{directory.name}/".encode() in cmdline


def _stop_leftovers() -> None:
    """At exit, stop the instances a test forgot to stop (no Asterisk outlives pytest)."""
    for instance in list(_live_instances):
        with contextlib.suppress(Exception):
            instance.stop()


atexit.register(_stop_leftovers)


# --------------------------------------------------------------------------------------------
# Command line: build the chroot ahead of a test run
# --------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """``python -m switchboard.testing.asterisk build [--path DIR]``."""
    parser = argparse.ArgumentParser(prog="python -m switchboard.testing.asterisk")
    parser.add_argument("command", choices=["build", "path"])
    parser.add_argument("--path", type=Path, default=None, help=f"default: ${CHROOT_ENV}")
    args = parser.parse_args(argv)
    target = (args.path or chroot_path()).absolute()
    if args.command == "path":
        print(target)
        return 0
    started = time.monotonic()
    try:
        ensure_chroot(target)
    except HarnessError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"{target} ready ({asterisk_version(target)}) in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
