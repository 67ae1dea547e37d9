"""The Latvian catalogue is complete: no untranslated or fuzzy entry, Latvian plural
forms, and every translatable string in the code and templates is in it."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "locale" / "lv" / "LC_MESSAGES" / "django.po"
SKIP_DIRS = {
    ".venv",
    ".git",
    "tests",
    "static",
    "staticfiles",
    "media",
    "node_modules",
    ".pytest_cache",
    ".ruff_cache",
    "__pycache__",
}


def _problems(po: polib.POFile) -> list[str]:
    problems = [f"untranslated: {e.msgid!r}" for e in po.untranslated_entries()]
    problems += [f"fuzzy: {e.msgid!r}" for e in po.fuzzy_entries()]
    for entry in po:
        if entry.msgid_plural and any(not entry.msgstr_plural.get(i) for i in range(3)):
            problems.append(f"plural form missing: {entry.msgid!r}")
    return problems


def test_latvian_catalogue_has_no_untranslated_or_fuzzy_entry_when_read():
    po = polib.pofile(str(CATALOGUE))
    assert len(po) > 50
    assert not po.metadata_is_fuzzy, "the header is marked fuzzy"
    assert not _problems(po)


def test_latvian_catalogue_uses_three_plural_forms_when_read():
    po = polib.pofile(str(CATALOGUE))
    plural_forms = po.metadata["Plural-Forms"].replace(" ", "")
    assert "nplurals=3" in plural_forms
    assert "n!=0?1:2" in plural_forms, "Latvian has a separate form for zero"


@pytest.mark.skipif(not shutil.which("xgettext"), reason="GNU gettext (xgettext) is not installed")
def test_every_source_string_is_in_the_catalogue_when_messages_are_extracted(tmp_path):
    copy = tmp_path / "tilts"
    shutil.copytree(ROOT, copy, ignore=lambda directory, names: [n for n in names if n in SKIP_DIRS])
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "lv",
            "--no-location",
            "--no-obsolete",
            "-v",
            "0",
        ],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    po = polib.pofile(str(copy / "locale" / "lv" / "LC_MESSAGES" / "django.po"))
    problems = _problems(po)
    assert not problems, "Run `make messages` and translate:\n" + "\n".join(problems)
