"""One typed settings object, read from the environment (APPRAISAL_*)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent.parent
DEFAULT_SQLITE_PATH = Path("var") / "appraisal.sqlite3"


def _templates_dir() -> Path:
    # An installed wheel carries the templates inside the package; a source checkout keeps them at
    # the top of the repository, next to src/.
    for candidate in (PACKAGE_DIR / "templates", PROJECT_DIR / "templates"):
        if candidate.is_dir():
            return candidate
    raise RuntimeError("templates directory not found; set APPRAISAL_TEMPLATES_DIR")


class SettingsError(ValueError):
    """A setting in the environment that cannot be used; the message names it and says why."""


def whole_number(name: str, default: int, minimum: int = 0, maximum: int | None = None) -> int:
    """The whole number in the environment variable `name`, or `default` when it is unset or
    empty: a clear SettingsError instead of a traceback when it is not a number or out of
    range (an interval of 0 would make the scheduler spin)."""
    raw = (os.environ.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum or (maximum is not None and value > maximum):
        within = f"from {minimum} to {maximum}" if maximum is not None else f"at least {minimum}"
        raise SettingsError(f"{name} must be {within}, not {value}")
    return value


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key(var_dir: Path) -> str:
    """The key that signs CSRF tokens: from the environment, else one kept in var/ so that every
    worker process of this installation shares it."""
    if key := os.environ.get("APPRAISAL_SECRET_KEY"):
        return key
    path = var_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # O_EXCL: when several workers start at once, the first one's key wins and the others read it.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as f:
        f.write(key)
    return key


@dataclass(frozen=True)
class Settings:
    database_url: str
    var_dir: Path
    secret_key: str
    templates_dir: Path
    host: str = "127.0.0.1"
    port: int = 8000
    debug: bool = False
    cookie_secure: bool = False
    session_max_age: int = 12 * 3600
    login_failure_limit: int = 5  # failed logins a minute for one account
    login_address_failure_limit: int = 20  # and from one address, across accounts
    login_failure_window: int = 60
    demo_password: str = "demo123456"
    # argon2 parameters; the test suite lowers them to keep hashing fast.
    argon2_time_cost: int = 3
    argon2_memory_cost: int = 65536
    scheduler: bool = True
    sweep_interval_seconds: int = 900
    picker_list_all: int = 300  # a person field lists everyone up to this many, else it is searched
    pdf_cache_mb: int = 1024  # the report cache is pruned to this size, unread longest first
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls) -> Settings:
        var_dir = Path(os.environ.get("APPRAISAL_VAR_DIR", "var"))
        return cls(
            database_url=database_url(),
            var_dir=var_dir,
            secret_key=_secret_key(var_dir),
            templates_dir=Path(os.environ["APPRAISAL_TEMPLATES_DIR"])
            if os.environ.get("APPRAISAL_TEMPLATES_DIR")
            else _templates_dir(),
            host=os.environ.get("APPRAISAL_HOST", "127.0.0.1"),
            port=whole_number("PORT", whole_number("APPRAISAL_PORT", 8000, 1, 65535), 1, 65535),
            debug=_flag("APPRAISAL_DEBUG", False),
            cookie_secure=_flag("APPRAISAL_COOKIE_SECURE", False),
            demo_password=os.environ.get("APPRAISAL_DEMO_PASSWORD", "demo123456"),
            argon2_time_cost=whole_number("APPRAISAL_ARGON2_TIME_COST", 3, minimum=1),
            argon2_memory_cost=whole_number("APPRAISAL_ARGON2_MEMORY_COST", 65536, minimum=8),
            scheduler=_flag("APPRAISAL_SCHEDULER", True),
            sweep_interval_seconds=whole_number("APPRAISAL_SWEEP_INTERVAL", 900, minimum=1),
            picker_list_all=whole_number("APPRAISAL_PICKER_LIST_ALL", 300),
            pdf_cache_mb=whole_number("APPRAISAL_PDF_CACHE_MB", 1024),
        )


def database_url() -> str:
    """APPRAISAL_DATABASE_URL, or the embedded SQLite file var/appraisal.sqlite3."""
    return os.environ.get("APPRAISAL_DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE_PATH}"
