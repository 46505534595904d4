"""The `appraisal` command and real server processes on the run's database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx

from conftest import BACKEND, TEST_DATABASE, TMP, recreate_postgres_database
from helpers import process_alive

APPRAISAL = str(Path(sys.executable).parent / "appraisal")


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([APPRAISAL, *args], env={**os.environ, **(env or {})}, capture_output=True, text=True,
                          timeout=timeout)


def fresh_database_url(name: str) -> str:
    if BACKEND == "postgres":
        return recreate_postgres_database(name)
    path = TMP / f"{name}.sqlite3"
    path.unlink(missing_ok=True)
    return f"sqlite:///{path}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def server(database_url: str, port: int, env: dict[str, str] | None = None):
    with server_process(database_url, port, env) as (_process, base):
        yield base


@contextmanager
def server_process(database_url: str, port: int, env: dict[str, str] | None = None):
    """A running `appraisal serve`: (its process, its base URL)."""
    # The server's output goes to a file: a pipe nobody reads would block it once full.
    log = TMP / f"server-{port}.log"
    process = subprocess.Popen(
        [APPRAISAL, "serve", "--port", str(port), "--log-level", "warning"],
        env={**os.environ, "APPRAISAL_DATABASE_URL": database_url, **(env or {})},
        stdout=log.open("w"), stderr=subprocess.STDOUT, text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"server did not start: {log.read_text()}")
            time.sleep(0.2)
        yield process, f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_migrate_creates_the_schema_on_an_empty_database_and_serve_refuses_without_it(db):
    url = fresh_database_url(f"{TEST_DATABASE}_empty")
    refused = run_cli("serve", "--port", str(free_port()), env={"APPRAISAL_DATABASE_URL": url})
    assert refused.returncode == 1
    assert "appraisal migrate" in refused.stderr
    migrated = run_cli("migrate", env={"APPRAISAL_DATABASE_URL": url})
    assert migrated.returncode == 0, migrated.stderr
    demo = run_cli("demo", "--if-empty", env={"APPRAISAL_DATABASE_URL": url})
    assert demo.returncode == 0, demo.stderr
    assert "created 7 sections, 40 people, 40 accounts, 9 service items" in demo.stdout
    assert "admin" in demo.stdout and "demo123456" in demo.stdout
    again = run_cli("demo", env={"APPRAISAL_DATABASE_URL": url})
    assert "created 0 sections, 0 people, 0 accounts, 0 service items" in again.stdout


def test_a_setting_that_is_no_number_or_out_of_range_is_named_and_the_server_does_not_start(tmp_path):
    for name, value, says in (
            ("APPRAISAL_SWEEP_INTERVAL", "0", "APPRAISAL_SWEEP_INTERVAL must be at least 1, not 0"),
            ("APPRAISAL_PDF_CACHE_MB", "1 GB", "APPRAISAL_PDF_CACHE_MB must be a whole number, not '1 GB'"),
            ("PORT", "70000", "PORT must be from 1 to 65535, not 70000")):
        refused = run_cli("serve", env={name: value, "APPRAISAL_VAR_DIR": str(tmp_path)})
        assert refused.returncode == 2 and refused.stderr.strip() == f"error: {says}", refused.stderr
        assert "Traceback" not in refused.stderr and not refused.stdout


def test_a_session_made_on_one_server_process_is_valid_on_another(db):
    url = fresh_database_url(f"{TEST_DATABASE}_procs")
    assert run_cli("migrate", env={"APPRAISAL_DATABASE_URL": url}).returncode == 0
    assert run_cli("demo", env={"APPRAISAL_DATABASE_URL": url}).returncode == 0
    with server(url, free_port()) as first, server(url, free_port()) as second:
        login = httpx.post(f"{first}/api/v1/auth/login", json={"username": "leader", "password": "demo123456"})
        assert login.status_code == 200
        cookie = login.cookies["appraisal_session"]
        me = httpx.get(f"{second}/api/v1/me", cookies={"appraisal_session": cookie})
        assert me.status_code == 200
        assert me.json()["username"] == "leader"
        assert httpx.get(f"{second}/api/v1/me").status_code == 401


def test_logins_check_their_passwords_while_the_server_goes_on_answering(db):
    """argon2 takes about 0.1 s of a core by design (the production costs, as here). Checked on
    the event loop, eight people logging in at once held every other request of the process:
    a /healthz asked meanwhile waited 0.77–0.92 s of the 1.3 s the logins took. In worker
    threads it waits about 40 ms."""
    import asyncio

    production = {"APPRAISAL_ARGON2_TIME_COST": "3", "APPRAISAL_ARGON2_MEMORY_COST": "65536"}
    url = fresh_database_url(f"{TEST_DATABASE}_logins")
    env = {"APPRAISAL_DATABASE_URL": url, **production}
    assert run_cli("migrate", env=env).returncode == 0
    assert run_cli("demo", env=env).returncode == 0  # its accounts hashed at the production costs

    async def logins_and_pings(base: str) -> tuple[float, float]:
        async with httpx.AsyncClient(base_url=base, timeout=30) as pinger:
            await pinger.get("/healthz")

            async def login() -> int:
                async with httpx.AsyncClient(base_url=base, timeout=30) as browser:
                    r = await browser.post("/api/v1/auth/login", json={"username": "staff", "password": "demo123456"})
                    return r.status_code

            async def pings() -> float:
                worst = 0.0
                await asyncio.sleep(0.02)
                for _ in range(15):
                    started = time.perf_counter()
                    assert (await pinger.get("/healthz")).status_code == 200
                    worst = max(worst, time.perf_counter() - started)
                    await asyncio.sleep(0.01)
                return worst

            started = time.perf_counter()
            *codes, worst = await asyncio.gather(*[login() for _ in range(8)], pings())
            assert codes == [200] * 8
            return time.perf_counter() - started, worst

    with server(url, free_port(), env=production) as base:
        took, worst = asyncio.run(logins_and_pings(base))
    assert took > 0.3, f"eight logins took {took:.2f} s: the hashing was not at production cost"
    assert worst < 0.3 * took, f"a request waited {worst:.2f} s while eight logins took {took:.2f} s"


def children_of(pid: int) -> set[int]:
    """The live processes whose parent is `pid` (a zombie is not alive)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(stat.parent.name))
    return found


def loads_pango(pid: int) -> bool:
    """Whether process `pid` has WeasyPrint's Pango loaded (it lays out PDFs)."""
    with open(f"/proc/{pid}/maps") as maps:
        return "libpango" in maps.read()


def test_a_servers_report_processes_end_with_it_however_it_is_stopped(db, tmp_path):
    """A server lays out its PDFs in report processes of its own, never in its own process
    (WeasyPrint would hold up every request it answered meanwhile). Stopped (SIGTERM: uvicorn
    shuts down, then raises the signal again, skipping the exit handlers) or killed (SIGKILL),
    it leaves no process behind: each held 130 MB, and 1.2 GB after a ranking of 10,000 people,
    for as long as the machine ran."""
    import signal

    url = fresh_database_url(f"{TEST_DATABASE}_report_process")
    assert run_cli("migrate", env={"APPRAISAL_DATABASE_URL": url}).returncode == 0
    assert run_cli("demo", env={"APPRAISAL_DATABASE_URL": url}).returncode == 0
    for how in (signal.SIGTERM, signal.SIGKILL):
        env = {"APPRAISAL_VAR_DIR": str(tmp_path / how.name)}  # an empty PDF cache: the report is laid out
        with server_process(url, free_port(), env) as (process, base):
            client = httpx.Client(base_url=base, timeout=120)
            assert client.post("/api/v1/auth/login", json={"username": "leader", "password": "demo123456"}).status_code == 200
            q3 = next(p for p in client.get("/api/v1/appraisal/periods").json() if p["code"] == "2026Q3")
            report = client.get(f"/api/v1/reports/ranking/{q3['id']}")
            assert report.status_code == 200 and report.headers["content-type"] == "application/pdf"
            helpers = children_of(process.pid)
            assert helpers, "the server started report processes"
            assert not loads_pango(process.pid), "the server's own process loaded no WeasyPrint"
            assert any(loads_pango(pid) for pid in helpers), "the ranking was laid out in a report process"
            process.send_signal(how)
            process.wait(timeout=30)
            deadline = time.monotonic() + 10
            while any(process_alive(pid) for pid in helpers) and time.monotonic() < deadline:
                time.sleep(0.1)
            left = [pid for pid in helpers if process_alive(pid)]
            assert not left, f"after {how.name} the server's processes {left} live on"


def test_user_create_and_roster_import_from_the_command_line(db, tmp_path):
    url = fresh_database_url(f"{TEST_DATABASE}_cli")
    env = {"APPRAISAL_DATABASE_URL": url}
    assert run_cli("migrate", env=env).returncode == 0
    created = run_cli("user", "create", "kaohe", "--password", "kaohe-pass-1", "--role", "admin", env=env)
    assert created.returncode == 0 and "created account kaohe" in created.stdout
    dup = run_cli("user", "create", "kaohe", "--password", "kaohe-pass-1", env=env)
    assert dup.returncode == 2 and "已被使用" in dup.stderr

    bad = tmp_path / "bad.csv"
    bad.write_text("姓名,性别,科室\n张三,男,秘书科\n", encoding="utf-8")
    result = run_cli("import", "roster", str(bad), env=env)
    assert result.returncode == 2
    assert "第 2 行：科室“秘书科”不存在" in result.stderr, "an empty office has no sections yet"


def test_backup_and_restore_from_the_command_line(db, tmp_path):
    source = fresh_database_url(f"{TEST_DATABASE}_backup_src")
    target = fresh_database_url(f"{TEST_DATABASE}_backup_dst")
    assert run_cli("migrate", env={"APPRAISAL_DATABASE_URL": source}).returncode == 0
    assert run_cli("demo", env={"APPRAISAL_DATABASE_URL": source}, timeout=300).returncode == 0
    file = tmp_path / "office.backup"
    made = run_cli("backup", str(file), env={"APPRAISAL_DATABASE_URL": source})
    assert made.returncode == 0 and "backup written to" in made.stdout, made.stderr
    unmigrated = run_cli("restore", str(file), env={"APPRAISAL_DATABASE_URL": target})
    assert unmigrated.returncode == 1 and "appraisal migrate" in unmigrated.stderr
    assert run_cli("migrate", env={"APPRAISAL_DATABASE_URL": target}).returncode == 0
    restored = run_cli("restore", str(file), env={"APPRAISAL_DATABASE_URL": target})
    assert restored.returncode == 0 and "restored" in restored.stdout, restored.stderr
    again = run_cli("restore", str(file), env={"APPRAISAL_DATABASE_URL": target})
    assert again.returncode == 2 and "already has data" in again.stderr
    with server(target, free_port()) as base:
        login = httpx.post(f"{base}/api/v1/auth/login", json={"username": "leader", "password": "demo123456"})
        assert login.status_code == 200, "the restored office logs in"
