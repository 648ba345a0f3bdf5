"""The configuration file, its environment overrides and its error messages."""

from pathlib import Path

import pytest

from switchboard import config


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "switchboard.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_file(tmp_path: Path) -> None:
    loaded = config.load(tmp_path / "absent.toml", environ={})
    assert loaded["server.port"] == 8080
    assert loaded["database.url"].startswith("sqlite:///")
    assert loaded["security.session_idle_minutes"] == 10
    assert loaded["locale.language"] == "en"
    assert loaded.asterisk == ()
    assert loaded.log_dir == loaded.data_dir / "log"


def test_file_values_and_environment_overrides(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[server]\nport = 9000\n[locale]\nlanguage = "fr"\ntime_zone = "Europe/Paris"\n'
        '[[asterisk]]\nname = "pbx1"\nami_user = "sb"\nami_secret = "s3"\n',
    )
    loaded = config.load(path, environ={"SWITCHBOARD_SERVER_PORT": "9100"})
    assert loaded["server.port"] == 9100
    assert loaded.origins["server.port"] == "environment variable SWITCHBOARD_SERVER_PORT"
    assert loaded["locale.language"] == "fr"
    assert loaded["locale.time_zone"] == "Europe/Paris"
    assert loaded.asterisk[0].name == "pbx1"
    assert loaded.asterisk[0].ami_port == 5038


def test_asterisk_list_from_the_environment(tmp_path: Path) -> None:
    environ = {
        "SWITCHBOARD_ASTERISK": '[{"name": "a", "ami_user": "u", "ami_secret": "s", '
        '"ami_port": 5039}]'
    }
    loaded = config.load(tmp_path / "absent.toml", environ=environ)
    assert [(s.name, s.ami_port) for s in loaded.asterisk] == [("a", 5039)]


def test_list_key_from_the_environment(tmp_path: Path) -> None:
    loaded = config.load(
        tmp_path / "absent.toml", environ={"SWITCHBOARD_SERVER_ALLOWED_HOSTS": "a.example, b"}
    )
    assert loaded["server.allowed_hosts"] == ["a.example", "b"]


@pytest.mark.parametrize(
    ("text", "environ", "message"),
    [
        ("", {"SWITCHBOARD_SERVER_PORT": "abc"}, "server.port (environment variable"),
        ("[server]\nport = 70000\n", {}, "server.port (file"),
        ('[locale]\nlanguage = "de"\n', {}, "locale.language"),
        ('[locale]\ntime_zone = "Mars/Olympus"\n', {}, "IANA time zone"),
        ('[database]\nurl = "mysql://x"\n', {}, "database.url"),
        ("[security]\nsession_idle_minutes = 0\n", {}, "greater than 0"),
        ("[server]\nprot = 1\n", {}, "unknown key server.prot"),
        ("[sever]\n", {}, "unknown section [sever]"),
        ("[server\n", {}, "not valid TOML"),
        ('[[asterisk]]\nname = "x"\n', {}, "asterisk[0].ami_user"),
        (
            '[[asterisk]]\nname = "x"\nami_user = "u"\nami_secret = "s"\n'
            '[[asterisk]]\nname = "x"\nami_user = "u"\nami_secret = "s"\n',
            {},
            "used twice",
        ),
        ("", {"SWITCHBOARD_ASTERISK": "{not json"}, "SWITCHBOARD_ASTERISK"),
        ('[telephony]\nworker = "external"\n', {}, "external needs channels.redis_url"),
        ('[telephony]\nworker = "elsewhere"\n', {}, "embedded or external"),
    ],
)
def test_wrong_values_name_the_key(
    tmp_path: Path, text: str, environ: dict[str, str], message: str
) -> None:
    with pytest.raises(config.ConfigError, match=message.replace("[", r"\[").replace("(", r"\(")):
        config.load(write(tmp_path, text), environ=environ)


def test_named_file_must_exist(tmp_path: Path) -> None:
    with pytest.raises(config.ConfigError, match="does not exist"):
        config.load(environ={"SWITCHBOARD_CONFIG": str(tmp_path / "nope.toml")})


def test_check_command_reports_the_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SWITCHBOARD_CONFIG", str(write(tmp_path, "[server]\nport = 0\n")))
    assert config.main(["check"]) == 2
    assert "server.port" in capsys.readouterr().err


def test_example_file_is_current_and_loads() -> None:
    example = config.BASE_DIR / "switchboard.example.toml"
    assert example.read_text(encoding="utf-8") == config.example(), (
        "regenerate with: python -m switchboard.config example > switchboard.example.toml"
    )
    loaded = config.load(example, environ={})
    assert loaded["server.port"] == 8080
