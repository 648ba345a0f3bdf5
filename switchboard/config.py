"""Switchboard's configuration: one TOML file plus environment-variable overrides.

Every key is declared once in ``SCHEMA`` with its type, default, check and documentation; the
example file ``switchboard.example.toml`` is generated from it
(``python -m switchboard.config example``) and a test keeps the two equal. A wrong value stops
start-up with a ``ConfigError`` that names the key, where the value came from and what is
expected.

Environment overrides are named ``SWITCHBOARD_<SECTION>_<KEY>`` in upper case, for example
``SWITCHBOARD_DATABASE_URL`` or ``SWITCHBOARD_SERVER_PORT``; the Asterisk server list is
overridden as a whole by ``SWITCHBOARD_ASTERISK`` holding a JSON list of tables.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tomllib
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
LANGUAGES = ("en", "fr", "ru")
ENV_PREFIX = "SWITCHBOARD_"


class ConfigError(Exception):
    """A configuration value is missing, unknown or of the wrong form."""


@dataclass(frozen=True)
class Key:
    """One configuration key: where it lives, its type, default, check and meaning."""

    section: str
    name: str
    kind: type
    default: Any
    doc: str
    check: Callable[[Any], str | None] = lambda value: None

    @property
    def dotted(self) -> str:
        return f"{self.section}.{self.name}"

    @property
    def env(self) -> str:
        return f"{ENV_PREFIX}{self.section}_{self.name}".upper()


def _port(value: int) -> str | None:
    return None if 1 <= value <= 65535 else "a port number between 1 and 65535"


def _positive(value: int) -> str | None:
    return None if value > 0 else "a whole number greater than 0"


def _language(value: str) -> str | None:
    return None if value in LANGUAGES else "one of " + ", ".join(LANGUAGES)


def _time_zone(value: str) -> str | None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return "an IANA time zone name such as Europe/Paris or UTC"
    return None


def _database_url(value: str) -> str | None:
    if re.match(r"^(sqlite|postgres|postgresql|pgsql)://", value):
        return None
    return "a URL such as sqlite:///var/switchboard.sqlite3 or postgresql://user@host:5432/name"


def _redis_url(value: str) -> str | None:
    return (
        None if value == "" or re.match(r"^rediss?://", value) else "empty or redis://host:port/db"
    )


def _log_level(value: str) -> str | None:
    levels = ("DEBUG", "INFO", "WARNING", "ERROR")
    return None if value.upper() in levels else "one of " + ", ".join(levels)


def _digits_or_empty(value: str) -> str | None:
    return None if re.fullmatch(r"[0-9+]*", value) else "digits only (a leading + is allowed)"


SCHEMA: tuple[Key, ...] = (
    # A portal is reached by the phones' users over the LAN, so it listens on every address.
    Key("server", "host", str, "0.0.0.0", "Address the portal listens on."),  # noqa: S104
    Key("server", "port", int, 8080, "TCP port for HTTP and websockets.", _port),
    Key(
        "server",
        "allowed_hosts",
        list,
        ["*"],
        "Host names the portal answers to (Django ALLOWED_HOSTS).",
    ),
    Key(
        "database",
        "url",
        str,
        "sqlite:///var/switchboard.sqlite3",
        "Database URL. A relative SQLite path is relative to the project directory.",
        _database_url,
    ),
    Key(
        "paths",
        "data_dir",
        str,
        "var",
        "Directory for the portal's own data (relative paths "
        "are relative to the project directory).",
    ),
    Key("paths", "log_dir", str, "", "Directory of the application log; empty: <data_dir>/log."),
    Key("locale", "language", str, "en", "Default interface language: en, fr or ru.", _language),
    Key("locale", "time_zone", str, "UTC", "Time zone of the site (IANA name).", _time_zone),
    Key(
        "security",
        "secret_key",
        str,
        "",
        "Secret used to sign sessions; empty: generated once into <data_dir>/secret_key.",
    ),
    Key(
        "security",
        "session_idle_minutes",
        int,
        10,
        "A session ends after this many minutes without activity.",
        _positive,
    ),
    Key(
        "security",
        "login_slowdown_after",
        int,
        3,
        "Failed logins for one account before each further try must wait.",
        _positive,
    ),
    Key(
        "security",
        "login_lockout_after",
        int,
        10,
        "Failed logins for one account before it is locked for a while.",
        _positive,
    ),
    Key(
        "security",
        "login_lockout_minutes",
        int,
        15,
        "How long a locked account stays locked.",
        _positive,
    ),
    Key("logging", "level", str, "INFO", "Log level: DEBUG, INFO, WARNING or ERROR.", _log_level),
    Key(
        "channels",
        "redis_url",
        str,
        "",
        "Redis URL for the websocket channel layer when several processes run; empty: in-memory.",
        _redis_url,
    ),
    Key(
        "telephony",
        "incoming_prefix",
        str,
        "",
        "Prefix added to incoming caller numbers to make them callable (e.g. 0).",
        _digits_or_empty,
    ),
    Key(
        "telephony",
        "default_did",
        str,
        "",
        "Number presented on outgoing calls when a phone has no DID of its own.",
        _digits_or_empty,
    ),
    Key("telephony", "tts_engine", str, "espeak-ng", "Text-to-speech engine."),
    Key(
        "telephony",
        "worker",
        str,
        "embedded",
        "Where the telephony worker runs: embedded (inside the portal's process) or external "
        "(its own process: manage.py telephony_worker, with channels.redis_url set).",
        lambda value: None if value in ("embedded", "external") else "embedded or external",
    ),
    Key(
        "records",
        "mask_digits",
        int,
        4,
        "Last digits of external numbers shown as x in the call log to those who may not see "
        "them whole (administrators and the call-log role do); 0: never masked.",
        lambda value: None if value >= 0 else "a whole number, 0 or more",
    ),
    Key(
        "directory",
        "country_code",
        str,
        "",
        "Country calling code of the site (e.g. 33, 7), used to compare national and "
        "international forms of a number; empty: numbers are compared as written.",
        _digits_or_empty,
    ),
    Key(
        "directory",
        "national_prefix",
        str,
        "0",
        "Trunk prefix of national numbers (0 in most countries, 8 in Russia).",
        _digits_or_empty,
    ),
    Key(
        "directory",
        "international_prefix",
        str,
        "00",
        "Prefix dialled before a country code (00, 810 in Russia); read like a +.",
        _digits_or_empty,
    ),
    Key(
        "directory",
        "lookup_url",
        str,
        "",
        "Caller look-up hook (a CRM, a service desk): URL with {number} where the caller's "
        "number goes, answering JSON cards; empty: the directory only.",
        lambda value: (
            None
            if not value or (value.startswith(("http://", "https://")) and "{number}" in value)
            else "an http(s) URL holding {number}"
        ),
    ),
    Key(
        "directory",
        "lookup_timeout_ms",
        int,
        800,
        "How long the look-up hook may take, in milliseconds, before it is ignored.",
        _positive,
    ),
    Key(
        "directory",
        "lookup_auth_header",
        str,
        "",
        'Header sent to the look-up hook, e.g. "Authorization: Bearer <token>"; empty: none.',
        lambda value: None if not value or ":" in value else "Name: value",
    ),
)

ASTERISK_FIELDS: dict[str, tuple[type, Any, str]] = {
    "name": (str, None, "Name shown in the portal (required, unique)."),
    "host": (str, "127.0.0.1", "Host name or address of the Asterisk server."),
    "ami_port": (int, 5038, "AMI port."),
    "ami_user": (str, None, "AMI user (manager.conf) (required)."),
    "ami_secret": (str, None, "AMI secret (required)."),
    "ari_url": (str, "", "ARI base URL, e.g. http://127.0.0.1:8088/ari; empty: no ARI."),
    "ari_user": (str, "", "ARI user (ari.conf)."),
    "ari_password": (str, "", "ARI password."),
    "config_dir": (
        str,
        "",
        "Asterisk's configuration directory as the portal sees it (same host or shared), "
        "where the portal writes its generated files; empty: no configuration from the web.",
    ),
    "sounds_dir": (
        str,
        "",
        "Asterisk's sounds directory (astdatadir/sounds) as the portal sees it, where the "
        "portal writes its sounds under switchboard/; empty: no sounds from the web.",
    ),
    "log_dir": (
        str,
        "",
        "Asterisk's log directory (astlogdir) as the portal sees it, where it reads "
        "cdr-csv/Master.csv and queue_log; empty: no collection of call records.",
    ),
    "recordings_dir": (
        str,
        "",
        "Asterisk's recordings directory (astspooldir/monitor) as the portal sees it; "
        "empty: no recordings in the call log.",
    ),
    "voicemail_dir": (
        str,
        "",
        "Asterisk's voicemail spool (astspooldir/voicemail) as the portal sees it; "
        "empty: no voicemail messages in the web.",
    ),
}


@dataclass(frozen=True)
class AsteriskServer:
    """An Asterisk server the portal connects to, as given in the configuration."""

    name: str
    host: str
    ami_port: int
    ami_user: str
    ami_secret: str
    ari_url: str
    ari_user: str
    ari_password: str
    config_dir: str = ""
    sounds_dir: str = ""
    log_dir: str = ""
    recordings_dir: str = ""
    voicemail_dir: str = ""


@dataclass(frozen=True)
class Config:
    """The validated configuration: ``values`` maps ``section.key`` to its typed value."""

    values: Mapping[str, Any]
    asterisk: tuple[AsteriskServer, ...] = ()
    source: str = ""
    origins: Mapping[str, str] = field(default_factory=dict)

    def __getitem__(self, dotted: str) -> Any:
        return self.values[dotted]

    def path(self, dotted: str) -> Path:
        """A directory or file setting as an absolute path (relative ones under BASE_DIR)."""
        value = Path(self.values[dotted])
        return value if value.is_absolute() else BASE_DIR / value

    @property
    def data_dir(self) -> Path:
        return self.path("paths.data_dir")

    @property
    def log_dir(self) -> Path:
        return self.path("paths.log_dir") if self.values["paths.log_dir"] else self.data_dir / "log"


def _coerce(key: Key, raw: Any, origin: str) -> Any:
    """Turn a file or environment value into the key's type, or raise a ConfigError."""
    expected = {str: "a text", int: "a whole number", list: "a list", bool: "true or false"}
    value = raw
    if isinstance(raw, str) and key.kind is not str:
        try:
            value = json.loads(raw) if key.kind is list else key.kind(raw)
        except ValueError:
            value = raw
    if key.kind is list and isinstance(raw, str) and not isinstance(value, list):
        value = [part.strip() for part in raw.split(",") if part.strip()]
    if not isinstance(value, key.kind) or (isinstance(value, bool) and key.kind is int):
        raise ConfigError(f"{key.dotted} ({origin}): expected {expected[key.kind]}, got {raw!r}")
    problem = key.check(value)
    if problem:
        raise ConfigError(f"{key.dotted} ({origin}): expected {problem}, got {raw!r}")
    return value


def _asterisk_servers(raw: Any, origin: str) -> tuple[AsteriskServer, ...]:
    if not isinstance(raw, list):
        raise ConfigError(f"asterisk ({origin}): expected a list of [[asterisk]] tables")
    servers: list[AsteriskServer] = []
    for index, entry in enumerate(raw):
        where = f"asterisk[{index}]"
        if not isinstance(entry, dict):
            raise ConfigError(
                f"{where} ({origin}): expected a table with keys " + ", ".join(ASTERISK_FIELDS)
            )
        unknown = sorted(set(entry) - set(ASTERISK_FIELDS))
        if unknown:
            raise ConfigError(
                f"{where}.{unknown[0]} ({origin}): unknown key; known keys: "
                + ", ".join(ASTERISK_FIELDS)
            )
        values: dict[str, Any] = {}
        for name, (kind, default, _doc) in ASTERISK_FIELDS.items():
            value = entry.get(name, default)
            if value is None:
                raise ConfigError(f"{where}.{name} ({origin}): required")
            if not isinstance(value, kind) or isinstance(value, bool):
                expected = "a whole number" if kind is int else "a text"
                raise ConfigError(f"{where}.{name} ({origin}): expected {expected}, got {value!r}")
            values[name] = value
        if _port(values["ami_port"]):
            raise ConfigError(
                f"{where}.ami_port ({origin}): expected a port number between 1 and 65535"
            )
        if values["name"] in {server.name for server in servers}:
            raise ConfigError(f"{where}.name ({origin}): {values['name']!r} is used twice")
        servers.append(AsteriskServer(**values))
    return tuple(servers)


def load(path: Path | None = None, environ: Mapping[str, str] | None = None) -> Config:
    """Read the configuration file (if any) and the environment; validate every value.

    The file is ``$SWITCHBOARD_CONFIG`` or ``switchboard.toml`` in the project directory; a
    missing default file is fine (every key has a default), a missing named file is an error.
    """
    environ = os.environ if environ is None else environ
    named = environ.get("SWITCHBOARD_CONFIG")
    if path is None:
        path = Path(named) if named else BASE_DIR / "switchboard.toml"
    data: dict[str, Any] = {}
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(f"{path}: not valid TOML: {error}") from error
    elif named:
        raise ConfigError(f"SWITCHBOARD_CONFIG: file {path} does not exist")

    known_sections = {key.section for key in SCHEMA} | {"asterisk"}
    for section, table in data.items():
        if section not in known_sections:
            raise ConfigError(
                f"{path}: unknown section [{section}]; known sections: "
                + ", ".join(sorted(known_sections))
            )
        if section != "asterisk":
            names = {key.name for key in SCHEMA if key.section == section}
            if not isinstance(table, dict):
                raise ConfigError(f"{path}: {section} must be a table [{section}]")
            for name in table:
                if name not in names:
                    raise ConfigError(
                        f"{path}: unknown key {section}.{name}; known keys in "
                        f"[{section}]: " + ", ".join(sorted(names))
                    )

    values: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for key in SCHEMA:
        if key.env in environ:
            raw, origin = environ[key.env], f"environment variable {key.env}"
        elif key.name in data.get(key.section, {}):
            raw, origin = data[key.section][key.name], f"file {path}"
        else:
            raw, origin = key.default, "default"
        values[key.dotted] = _coerce(key, raw, origin)
        origins[key.dotted] = origin

    if values["telephony.worker"] == "external" and not values["channels.redis_url"]:
        raise ConfigError(
            f"telephony.worker ({origins['telephony.worker']}): external needs "
            "channels.redis_url, so that the worker and the portal share the channel layer"
        )

    if "SWITCHBOARD_ASTERISK" in environ:
        try:
            raw_servers = json.loads(environ["SWITCHBOARD_ASTERISK"])
        except ValueError as error:
            raise ConfigError(f"SWITCHBOARD_ASTERISK: expected a JSON list: {error}") from error
        servers = _asterisk_servers(raw_servers, "environment variable SWITCHBOARD_ASTERISK")
    else:
        servers = _asterisk_servers(data.get("asterisk", []), f"file {path}")
    return Config(values=values, asterisk=servers, source=str(path), origins=origins)


def _toml_value(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def example() -> str:
    """The documented example configuration file, generated from SCHEMA."""
    lines = [
        "# Switchboard configuration. Every key is shown with its default value.",
        "# Copy to switchboard.toml (or point SWITCHBOARD_CONFIG at a file) and change what you",
        "# need. Each key can be overridden by the environment variable named above it.",
        "# Generated by `python -m switchboard.config example`; do not edit by hand.",
    ]
    section = ""
    for key in SCHEMA:
        if key.section != section:
            section = key.section
            lines += ["", f"[{section}]"]
        lines += [f"# {key.doc}", f"# env: {key.env}", f"{key.name} = {_toml_value(key.default)}"]
    lines += [
        "",
        "# Asterisk servers, one [[asterisk]] table each (env: SWITCHBOARD_ASTERISK as a JSON",
        "# list). None are needed to start the portal.",
        "# [[asterisk]]",
    ]
    for name, (_kind, default, doc) in ASTERISK_FIELDS.items():
        shown = {"name": "pbx1", "ami_user": "switchboard", "ami_secret": "change-me"}.get(
            name, default
        )
        lines += [f"# {doc}", f"# {name} = {_toml_value(shown)}"]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    """``python -m switchboard.config example|check``: print the example or check the config."""
    if argv[:1] == ["example"]:
        print(example(), end="")
        return 0
    if argv[:1] == ["check"]:
        try:
            config = load()
        except ConfigError as error:
            print(f"Configuration error: {error}", file=sys.stderr)
            return 2
        print(f"Configuration OK ({config.source if Path(config.source).exists() else 'defaults'})")
        return 0
    print("usage: python -m switchboard.config example|check", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
