"""Accounts, roles, server-side sessions and failed-login records."""

from piccolo.columns import Boolean, Bytea, ForeignKey, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from appraisal.db.tables.org import Person


class UserAccount(Table, tablename="user_account"):
    """A login, linked to at most one person."""

    username = Varchar(length=64, unique=True)
    password_hash = Varchar(length=255, secret=True)
    person = ForeignKey(references=Person, null=True, unique=True, on_delete=OnDelete.restrict)
    is_active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())
    password_changed_at = Timestamptz(default=TimestamptzNow())


class RoleGrant(Table, tablename="role_grant"):
    """One role (staff / chief / leader / admin) held by an account; several per account."""

    account = ForeignKey(references=UserAccount, on_delete=OnDelete.cascade, index=True)
    role = Varchar(length=16)


class WebSession(Table, tablename="web_session"):
    """A login session, kept in the database so that every server process sees it."""

    key = Varchar(length=128, unique=True)
    data = Bytea()
    expires_at = Timestamptz(null=True, default=None, index=True)


class LoginFailure(Table, tablename="login_failure"):
    """A failed login attempt, counted for throttling per account and per address."""

    username = Varchar(length=64, index=True)
    address = Varchar(length=64, index=True)
    at = Timestamptz(default=TimestamptzNow(), index=True)
