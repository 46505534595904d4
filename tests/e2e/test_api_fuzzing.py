"""Schemathesis against the application's own OpenAPI document, on a real server with the demo
office on the run's engine (SQLite, and PostgreSQL in its pass), logged in as each role (and not
at all): whatever the generated input, no answer is a
5xx, every 4xx carries a code and a message for people, and 2xx answers match the documented
schema. A few examples per operation keep the run short; APPRAISAL_FUZZ_EXAMPLES raises it."""

from __future__ import annotations

import os
import shutil

import pytest
import requests

from conftest import BACKEND, TEST_DATABASE
from test_cli_and_processes import TMP, fresh_database_url, free_port, run_cli, server

EXAMPLES = int(os.environ.get("APPRAISAL_FUZZ_EXAMPLES", "2"))
# Operations that would end the fuzzing session itself: logging in (failed attempts lock the
# address out for a minute), logging out, changing the password, disabling accounts.
SESSION_ENDING = {"POST /api/v1/auth/login", "POST /api/v1/auth/logout", "POST /api/v1/auth/password",
                  "PATCH /api/v1/accounts/{account_id}"}


# On both engines: PostgreSQL refuses what SQLite takes (a number beyond a 32-bit column).
pytestmark = pytest.mark.db


@pytest.fixture(scope="module")
def fuzz_site():
    template = TMP / "e2e-demo.sqlite3"
    if BACKEND == "sqlite" and template.exists():
        path = TMP / "fuzz.sqlite3"
        shutil.copyfile(template, path)
        url = f"sqlite:///{path}"
    else:
        url = fresh_database_url(f"{TEST_DATABASE}_fuzz")
        env = {"APPRAISAL_DATABASE_URL": url}
        assert run_cli("migrate", env=env).returncode == 0
        assert run_cli("demo", env=env, timeout=300).returncode == 0
    with server(url, free_port(), env={"APPRAISAL_VAR_DIR": str(TMP / "fuzz-var")}) as base:
        yield base


def _session(base: str, username: str | None) -> dict[str, str]:
    s = requests.Session()
    if username:
        r = s.post(f"{base}/api/v1/auth/login", json={"username": username, "password": "demo123456"})
        assert r.status_code == 200, r.text
    s.get(f"{base}/healthz")
    cookie = "; ".join(f"{k}={v}" for k, v in s.cookies.items())
    return {"Cookie": cookie, "x-csrftoken": s.cookies.get("csrftoken", "")}


@pytest.mark.parametrize("role", [None, "staff", "chief", "leader", "admin"])
def test_no_input_makes_the_api_fail_and_every_refusal_explains_itself(fuzz_site, role):
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import response_schema_conformance

    headers = _session(fuzz_site, role)
    schema = schemathesis.openapi.from_url(f"{fuzz_site}/schema/openapi.json")
    problems: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.label in SESSION_ENDING:
            continue
        operations += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case):
            response = case.call(base_url=fuzz_site, headers=headers)
            where = f"{case.method} {case.formatted_path} → {response.status_code}"
            if response.status_code >= 500:
                problems.append(f"{where}: {response.text[:200]}")
            elif response.status_code >= 400:
                body = response.json()
                if not body.get("code") or not body.get("message"):
                    problems.append(f"{where}: no code or message: {response.text[:200]}")
            else:
                try:
                    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
                except Exception as exc:  # the failure explains which part of the schema differs
                    problems.append(f"{where}: {str(exc)[:300]}")

        check()
    assert operations > 80
    assert not problems, f"{len(problems)} problems as {role or 'anonymous'}:\n" + "\n".join(problems[:20])
