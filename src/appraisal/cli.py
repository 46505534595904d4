"""The `appraisal` console script."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

os.environ.setdefault("PICCOLO_CONF", "appraisal.db.conf")

from appraisal.scopes import Principal, Role  # noqa: E402

# The command line acts with admin rights; its audit entries name it as "cli".
CLI_PRINCIPAL = Principal(user_id=None, username="cli", roles=frozenset({Role.ADMIN}))


def _settings():
    from appraisal.settings import Settings

    return Settings.from_env()


async def _migrate(rebuild_pre_release: bool = False) -> int:
    from appraisal.db.migrate import PreReleaseDatabase, UnknownMigrations, migrate, set_aside_pre_release_sqlite
    from appraisal.db.transaction import open_connections

    try:
        await migrate(verbose=False)
    except PreReleaseDatabase as exc:
        kept = await set_aside_pre_release_sqlite() if rebuild_pre_release else None
        if kept is None:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        print(f"a pre-release database cannot be upgraded: it was moved aside to {kept}; making a new one")
        await open_connections()
        await migrate(verbose=False)
    except UnknownMigrations as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print("database migrated")
    return 0


async def _demo(if_empty: bool) -> int:
    from appraisal import demo
    from appraisal.services import accounts

    settings = _settings()
    accounts.configure_hasher(settings.argon2_time_cost, settings.argon2_memory_cost)
    from appraisal.db.migrate import pending_migrations

    if await pending_migrations():
        print("the database is not migrated: run `appraisal migrate` first", file=sys.stderr)
        return 1
    if if_empty and not await demo.is_empty():
        print("database already has people: demo data not loaded")
    else:
        created = await demo.load_demo(settings.demo_password)
        print(f"demo office ready: created {created['sections']} sections, {created['people']} people, "
              f"{created['accounts']} accounts, {created['commitments']} service items")
        from appraisal.demo.appraisal import load_demo_appraisal

        await load_demo_appraisal()
        print("demo appraisal ready: 2025 closed (annual submitted, awaiting review), the 2026 target tree, "
              "Q3 2026 locked, Q4 2026 open for scoring")
        from appraisal.demo.matters import load_demo_matters

        await load_demo_matters()
        print("demo matters ready: matters at every step and light over the past working days, "
              "supervision items, and today's sweep")
    print_logins(settings.demo_password)
    return 0


def print_logins(password: str) -> None:
    print("demo logins (password for all: %s):" % password)
    for username, what in (
        ("admin", "admin 考核办 (林晓峰, 综合科)"),
        ("leader", "leader 副主任 (李红梅, oversees 秘书科 综合科)"),
        ("chief", "section chief 科长 (张伟, 秘书科)"),
        ("staff", "staff 科员 (赵雪, 秘书科)"),
    ):
        print(f"  {username:<8} {what}")
    print("  every other person logs in with the pinyin of their name, e.g. wangjianguo (director)")


async def _create_user(args: argparse.Namespace) -> int:
    from appraisal.errors import AppError
    from appraisal.services import accounts

    settings = _settings()
    accounts.configure_hasher(settings.argon2_time_cost, settings.argon2_memory_cost)
    try:
        account = await accounts.create_account(
            CLI_PRINCIPAL, args.username, args.password, [Role(r) for r in args.role or ["staff"]], args.person_id
        )
    except AppError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    print(f"created account {account.username} (id {account.id})")
    return 0


async def _import_roster(args: argparse.Namespace) -> int:
    from appraisal.errors import AppError
    from appraisal.services import accounts, roster

    settings = _settings()
    accounts.configure_hasher(settings.argon2_time_cost, settings.argon2_memory_cost)
    path = Path(args.file)
    if not path.is_file():
        print(f"error: no such file: {path}", file=sys.stderr)
        return 2
    try:
        result = await roster.import_roster(
            CLI_PRINCIPAL, path.name, path.read_bytes(), password=args.password or settings.demo_password,
            dry_run=args.dry_run,
        )
    except AppError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        if isinstance(exc.detail, dict):
            for line in exc.detail.get("errors", []):
                print(f"  {line}", file=sys.stderr)
        return 2
    if args.dry_run:
        print(f"{result.rows} rows are valid; nothing imported (dry run)")
    else:
        print(f"imported {result.created_people} people and {result.created_accounts} accounts")
    return 0


async def _sweep() -> int:
    from appraisal.services import accounts
    from appraisal.services.sweep import sweep

    result = await sweep()
    print(f"sweep: {result.reminders} reminders, {result.chases} chases, {result.bulletins} bulletins, "
          f"{result.returned_transfers} transfers returned, {result.proposals} accountability proposals, "
          f"{result.finalized} records final; deleted {result.expired_sessions} expired sessions and "
          f"{result.old_login_failures} failed logins older than {accounts.LOGIN_FAILURES_KEPT.days} days")
    return 0


def progress_bar(done: int, total: int, width: int = 30) -> str:
    filled = width * done // total if total else width
    return f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total}"


async def _report_bundle(args: argparse.Namespace) -> int:
    """Render the commendation bundle of a year into a file, with a progress bar."""
    from appraisal.errors import AppError
    from appraisal.services import report_jobs

    out = Path(args.out)
    try:
        # The command renders in its own process, so it makes its own job even while a server makes the same.
        job_id, parts, _new = await report_jobs.start_bundle(CLI_PRINCIPAL, args.year, join_running=False)
    except AppError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    print(f"bundle of {args.year}: a cover and {len(parts) - 1} candidates (job {job_id})")
    tty = sys.stdout.isatty()
    last = -1

    async def show(done: int, total: int) -> None:
        nonlocal last
        step = 100 * done // total
        if tty:
            print("\r" + progress_bar(done, total), end="", flush=True)
        elif step // 10 != last // 10 or done == total:  # a line per 10% when piped to a log
            print(progress_bar(done, total), flush=True)
        last = step

    pdf = await report_jobs.run(job_id, parts, on_progress=show)
    if tty:
        print()
    if pdf is None:
        job = await report_jobs.get_job(CLI_PRINCIPAL, job_id)
        print(f"error: {job['error']}", file=sys.stderr)
        return 1
    out.write_bytes(pdf)
    print(f"wrote {out} ({len(pdf) // 1024} KiB)")
    return 0


async def _backup(args: argparse.Namespace) -> int:
    from appraisal.db import backup

    counts = await backup.backup(Path(args.file))
    print(f"backup written to {args.file}: {sum(counts.values())} rows in {len(counts)} tables")
    return 0


async def _restore(args: argparse.Namespace) -> int:
    from appraisal.db import backup
    from appraisal.db.migrate import pending_migrations

    if await pending_migrations():
        print("the database is not migrated: run `appraisal migrate` first", file=sys.stderr)
        return 1
    try:
        counts = await backup.restore(Path(args.file))
    except backup.BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"restored {sum(counts.values())} rows in {len(counts)} tables from {args.file}")
    return 0


T = TypeVar("T")


def run_with_connections(work: Coroutine[Any, Any, T]) -> T:
    """Run a command's work on a new event loop with that loop's database connections (a
    PostgreSQL pool), then close them: on SQLite the last one to close folds the write-ahead log
    into the database file, so the file is whole for whoever copies it next."""

    async def main() -> T:
        from appraisal.db.transaction import close_connections, open_connections

        try:
            await open_connections()
            return await work
        finally:
            await close_connections()

    return asyncio.run(main())


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from appraisal.db.migrate import pending_migrations

    settings = _settings()
    if run_with_connections(pending_migrations()):
        print("the database is not migrated: run `appraisal migrate` first", file=sys.stderr)
        return 1
    host = args.host or settings.host
    port = args.port or settings.port
    print(f"serving on http://{host}:{port} with {args.workers} worker(s)")
    uvicorn.run(
        "appraisal.app:create_server_app", factory=True, host=host, port=port, workers=args.workers,
        log_level=args.log_level, proxy_headers=args.proxy_headers,
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="appraisal", description="机关效能与绩效考核")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the web server")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int, default=1, help="server processes (they share sessions in the database)")
    serve.add_argument("--log-level", default="info")
    serve.add_argument("--proxy-headers", action="store_true", help="trust X-Forwarded-* from a reverse proxy")

    migrate = sub.add_parser("migrate", help="create or upgrade the database schema")
    migrate.add_argument("--rebuild-pre-release", action="store_true",
                         help="a SQLite file made by the pre-release migrations is moved aside (.pre-release) and made anew")
    sub.add_parser("sweep", help="write reminders, chases and bulletins; return unaccepted transfers (idempotent)")

    demo = sub.add_parser("demo", help="load the demo office (idempotent)")
    demo.add_argument("--if-empty", action="store_true", help="only when the database has no people yet")

    user = sub.add_parser("user", help="manage accounts")
    user_sub = user.add_subparsers(dest="user_command", required=True)
    create = user_sub.add_parser("create", help="create an account")
    create.add_argument("username")
    create.add_argument("--password", required=True)
    create.add_argument("--role", action="append", choices=[r.value for r in Role],
                        help="repeat for several roles (default: staff)")
    create.add_argument("--person-id", type=int)

    backup = sub.add_parser("backup", help="write a consistent backup of the database while it serves")
    backup.add_argument("file")
    restore = sub.add_parser("restore", help="load a backup into an empty, migrated database")
    restore.add_argument("file")

    report = sub.add_parser("report", help="render reports")
    report_sub = report.add_subparsers(dest="report_command", required=True)
    bundle = report_sub.add_parser("bundle", help="the commendation-review bundle (评优选先材料) of a year, as one PDF")
    bundle.add_argument("--year", type=int, required=True)
    bundle.add_argument("--out", required=True, help="the PDF file to write")

    imp = sub.add_parser("import", help="import data")
    imp_sub = imp.add_subparsers(dest="import_command", required=True)
    roster = imp_sub.add_parser("roster", help="import people from .xlsx or .csv (all rows or none)")
    roster.add_argument("file")
    roster.add_argument("--password", help="initial password of new accounts (default: the demo password)")
    roster.add_argument("--dry-run", action="store_true", help="check every row, import nothing")
    return parser


def main(argv: list[str] | None = None) -> int:
    from appraisal.settings import SettingsError

    args = build_parser().parse_args(argv)
    try:
        return _run(args)
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    if args.command == "serve":
        return _serve(args)
    if args.command == "migrate":
        return run_with_connections(_migrate(args.rebuild_pre_release))
    if args.command == "sweep":
        return run_with_connections(_sweep())
    if args.command == "demo":
        return run_with_connections(_demo(args.if_empty))
    if args.command == "user":
        return run_with_connections(_create_user(args))
    if args.command == "backup":
        return run_with_connections(_backup(args))
    if args.command == "restore":
        return run_with_connections(_restore(args))
    if args.command == "report":
        return run_with_connections(_report_bundle(args))
    if args.command == "import":
        return run_with_connections(_import_roster(args))
    return 2  # pragma: no cover - argparse rejects unknown commands


if __name__ == "__main__":
    sys.exit(main())
