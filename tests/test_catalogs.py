"""The French and Russian catalogs are complete, current and compiled."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("fr", "ru")


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_has_every_entry_translated(language: str) -> None:
    catalog = polib.pofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"))
    assert not catalog.untranslated_entries(), [e.msgid for e in catalog.untranslated_entries()]
    assert not [e for e in catalog.fuzzy_entries()], [e.msgid for e in catalog.fuzzy_entries()]
    for entry in catalog.translated_entries():
        # Every placeholder of the English text stays in the translation.
        for placeholder in polib.re.findall(r"%\(\w+\)s|%s", entry.msgid):
            forms = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
            for text in forms:
                if entry.msgid_plural and placeholder not in entry.msgid_plural:
                    continue
                assert placeholder in text, (language, entry.msgid, text)


def test_catalogs_know_every_string_of_the_code(tmp_path: Path) -> None:
    """makemessages on a copy finds no msgid that the committed catalogs lack."""
    if not shutil.which("xgettext"):
        pytest.fail("xgettext is missing: `make test` installs Debian's gettext package")
    copy = tmp_path / "tree"
    shutil.copytree(
        ROOT / "switchboard", copy / "switchboard", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copytree(ROOT / "locale", copy / "locale")
    shutil.copy(ROOT / "manage.py", copy / "manage.py")
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "fr", "--no-obsolete", "--no-location"],
        cwd=copy,
        check=True,
        capture_output=True,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "switchboard.settings",
            "SWITCHBOARD_DATABASE_URL": "sqlite:////tmp/unused.sqlite3",
            "SWITCHBOARD_PATHS_DATA_DIR": str(tmp_path / "var"),
        },
    )
    fresh = {e.msgid for e in polib.pofile(str(copy / "locale/fr/LC_MESSAGES/django.po"))}
    committed = {e.msgid for e in polib.pofile(str(ROOT / "locale/fr/LC_MESSAGES/django.po"))}
    assert fresh - committed == set(), "run `make messages` and translate the new strings"


@pytest.mark.parametrize(
    ("language", "text"), [("fr", "Se connecter"), ("ru", "Войти"), ("en", "Sign in")]
)
def test_compiled_catalogs_are_loaded(language: str, text: str) -> None:
    with translation.override(language):
        assert translation.gettext("Sign in") == text
