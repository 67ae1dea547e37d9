"""`make run` sets TILTS_BASE_URL to the address it serves, so emailed links (and the links
seed_demo prints) open the running development server."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _dry_run(**variables: str) -> list[str]:
    if shutil.which("make") is None:
        pytest.skip("GNU make is not installed")
    env = {key: value for key, value in os.environ.items() if key not in ("TILTS_BASE_URL", "RUN_ADDRESS")}
    result = subprocess.run(
        ["make", "-n", "run", *(f"{key}={value}" for key, value in variables.items())],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def _line(lines: list[str], command: str) -> str:
    return next(line for line in lines if f"manage.py {command}" in line)


def test_make_run_links_to_the_address_it_serves_when_run_as_is():
    lines = _dry_run()
    runserver = _line(lines, "runserver")
    assert runserver.startswith("TILTS_BASE_URL=http://127.0.0.1:8000 ")
    assert runserver.endswith("runserver 127.0.0.1:8000")
    assert _line(lines, "seed_demo").startswith("TILTS_BASE_URL=http://127.0.0.1:8000 ")


def test_make_run_follows_another_address_when_one_is_given():
    runserver = _line(_dry_run(RUN_ADDRESS="127.0.0.1:8123"), "runserver")
    assert runserver.startswith("TILTS_BASE_URL=http://127.0.0.1:8123 ")
    assert runserver.endswith("runserver 127.0.0.1:8123")
