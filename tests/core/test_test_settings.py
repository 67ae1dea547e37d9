"""The test settings work on a fresh clone: the folder for the SQLite test database and the
test uploads is created by the settings themselves (issue 7: the database used to live in
`.pytest_cache/`, which a fresh clone does not have until pytest's first run ends)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

OPEN_TEST_DATABASE = """
import sqlite3
from django.conf import settings
name = settings.DATABASES["default"]["TEST"]["NAME"]
sqlite3.connect(name).execute("CREATE TABLE probe (x INTEGER)")
print(name)
print(settings.PRIVATE_MEDIA_ROOT)
"""


def test_sqlite_test_database_opens_when_its_folder_does_not_exist_yet(tmp_path):
    missing = tmp_path / "not" / "there"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "TILTS_TEST_DATA_DIR": str(missing),
    }
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", OPEN_TEST_DATABASE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    database, private = result.stdout.split()
    assert Path(database).parent == missing
    assert Path(database).is_file()
    assert Path(private).parent == missing


def test_test_files_stay_out_of_pytest_cache_when_settings_load():
    from django.conf import settings

    for path in (settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT, str(settings.TEST_DATA_DIR)):
        assert ".pytest_cache" not in path
