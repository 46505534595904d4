"""The closing benchmark builds its office once and closes a quarter on a fresh copy of it in
every run, on the pass's engine; a second use starts from the same base without building."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import BACKEND, POSTGRES_SERVER_URL, TEST_DATABASE, TMP, with_database

CLOSING = Path(__file__).resolve().parents[2] / "benchmarks" / "closing.py"


def _closing(url: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(CLOSING), "--database", url, "--staff", "200", "--matters", "2000", "--sections", "4", *args],
        capture_output=True, text=True, timeout=300,
        env={k: v for k, v in os.environ.items() if not k.startswith("APPRAISAL_")})
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.mark.db
def test_each_run_closes_the_quarter_of_a_fresh_copy_of_one_base():
    url = (with_database(POSTGRES_SERVER_URL, f"{TEST_DATABASE}_closing") if BACKEND == "postgres"
           else f"sqlite:///{TMP / 'closing.sqlite3'}")
    first = _closing(url, "--runs", "2", "--rebuild")
    assert "building the office" in first
    # Both runs close the same quarter: the second starts from the base again, not from the first's result.
    assert len(re.findall(r"run \d: closing the first quarter one unit after another: [\d.]+ s", first)) == 2, first
    again = _closing(url, "--runs", "1", "--at-once")
    assert "building the office" not in again
    assert re.search(r"run 1: closing the first quarter with every scorer at once: [\d.]+ s", again), again
