"""The scale benchmark runs end to end on a small office, on the pass's engine: generation,
the dashboard, both ways of closing a quarter (each must leave the period submitted), the
sweep, the score writes and both floors. Its figures are not asserted; that it measures something is."""

import os
import random
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import BACKEND, TEST_DATABASE, TMP, recreate_postgres_database

SCALE = Path(__file__).resolve().parents[2] / "benchmarks" / "scale.py"


def two_free_ports() -> int:
    """A port whose next port is free too (the benchmark serves the hello world there), below
    the range the kernel takes the ports of outgoing connections from: the hello world binds
    its port a minute after this, and a port of that range may by then be the local end of one
    of the many connections the tests open (it happened once: "server did not start")."""
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0]) \
        if Path("/proc/sys/net/ipv4/ip_local_port_range").exists() else 32768
    rng = random.Random()
    for _ in range(200):
        port = rng.randrange(20000, min(low, 32768) - 1)
        try:
            with socket.socket() as a, socket.socket() as b:
                a.bind(("127.0.0.1", port))
                b.bind(("127.0.0.1", port + 1))
        except OSError:
            continue
        return port
    raise RuntimeError("no two consecutive free ports")


@pytest.mark.db
def test_the_scale_benchmark_measures_a_small_office():
    url = (recreate_postgres_database(f"{TEST_DATABASE}_scale") if BACKEND == "postgres"
           else f"sqlite:///{TMP / 'scale.sqlite3'}")
    done = subprocess.run(
        [sys.executable, str(SCALE), "--database", url, "--staff", "300", "--matters", "3000", "--sections", "5",
         "--clients", "5", "--seconds", "1", "--warmup", "0.5", "--port", str(two_free_ports())],
        capture_output=True, text=True, timeout=300, env={k: v for k, v in os.environ.items()
                                                          if not k.startswith("APPRAISAL_")})
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert re.search(r"closing a quarter for 300 staff \(6 units\), one unit after another: [\d.]+ s", out), out
    assert re.search(r"all 6 scorers submitting at once: [\d.]+ s", out), out
    assert re.search(r"Excel export of that quarter: 300 people in [\d.]+ s", out), out
    sweep = re.search(r"first sweep of the open matters: [\d.]+ s \((\d+) notices, (\d+) proposals\); the next.*"
                      r"event loop held at most \d+ ms", out)
    assert sweep and int(sweep.group(1)) > 0 and int(sweep.group(2)) > 0, out
    writes = re.search(r"score-cell writes, 5 clients: (\d+)/s, .* 0 refused as stale of (\d+)", out)
    assert writes and int(writes.group(2)) > 0, out
    assert re.search(r"hello-world floor, same load: [1-9]\d*/s", out), out
    assert re.search(r"request handling around a write that does nothing, same load: [1-9]\d*/s", out), out
    assert re.search(r"server peak memory \(VmHWM\): [1-9]\d* MB", out), out


def test_the_holds_benchmark_times_each_heavy_request_and_the_waits_beside_it():
    """benchmarks/holds.py on a small office: every heavy request answers, with its time and the
    longest a light request waited meanwhile. On SQLite only (not marked `db`): its office is
    built and copied by the code closing.py's test runs on both engines, and the PostgreSQL pass
    is the longer of the two."""
    url = (recreate_postgres_database(f"{TEST_DATABASE}_holds") if BACKEND == "postgres"
           else f"sqlite:///{TMP / 'holds.sqlite3'}")
    done = subprocess.run(
        [sys.executable, str(SCALE.parent / "holds.py"), "--database", url, "--rebuild", "--staff", "300",
         "--matters", "3000", "--sections", "5", "--port", str(two_free_ports())],
        capture_output=True, text=True, timeout=300, env={k: v for k, v in os.environ.items()
                                                          if not k.startswith("APPRAISAL_")})
    assert done.returncode == 0, done.stderr[-3000:]
    lines = re.findall(r"^(admin|leader) +(\S+) +(\d+) +[\d.]+ s; /healthz waited at most +\d+ ms$", done.stdout, re.M)
    assert len(lines) == 11, done.stdout
    assert {status for _who, _path, status in lines} == {"200"}, done.stdout
