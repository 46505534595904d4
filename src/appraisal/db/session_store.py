"""A Litestar session store kept in the database, so every server process shares the sessions."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import OrderedDict

from litestar.stores.base import Store

from appraisal.db.tables import WebSession
from appraisal.db.transaction import atomic

# Session ids carry the owning account as a prefix ("<account>:<random>") so that ending all
# sessions of one account is a single indexed delete. The table holds a digest of the id, not
# the id: whoever reads the table (a backup file, a database account) cannot log in with it.
_ACCOUNT_SEP = ":"


def stored_key(session_id: str) -> str:
    """The key a session id is stored under: its account prefix and the SHA-256 of the id."""
    prefix, sep, _rest = session_id.partition(_ACCOUNT_SEP)
    digest = hashlib.sha256(session_id.encode()).hexdigest()
    return f"{prefix}{sep}{digest}" if sep and prefix.isdigit() else digest


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _expiry(expires_in: int | dt.timedelta | None) -> dt.datetime | None:
    if expires_in is None:
        return None
    seconds = expires_in.total_seconds() if isinstance(expires_in, dt.timedelta) else expires_in
    return _now() + dt.timedelta(seconds=seconds)


RENEW_SLACK = dt.timedelta(minutes=5)  # a sliding expiry this close to the wanted one is not rewritten


def _fresh(current: dt.datetime | None, wanted: dt.datetime | None) -> bool:
    return current == wanted or (current is not None and wanted is not None and wanted - current < RENEW_SLACK)


SEEN_LIMIT = 10_000  # sessions whose last read or write this process remembers

async def _read(key: str) -> dict | None:
    return await WebSession.select(WebSession.data, WebSession.expires_at).where(WebSession.key == key).first().run()


class DatabaseStore(Store):
    def __init__(self) -> None:
        # key → (data, expires_at) as this process last read or wrote it. Litestar stores the
        # session after every response; when it is what the request began with, the write (and
        # the read to find that out) is skipped. Skipping is the safe side: a session ended or
        # changed meanwhile by another request is left as that request left it.
        self._seen: OrderedDict[str, tuple[bytes, dt.datetime | None]] = OrderedDict()

    def _remember(self, key: str, data: bytes, expires_at: dt.datetime | None) -> None:
        self._seen[key] = (data, expires_at)
        self._seen.move_to_end(key)
        if len(self._seen) > SEEN_LIMIT:
            self._seen.popitem(last=False)

    async def set(self, key: str, value: str | bytes, expires_in: int | dt.timedelta | None = None) -> None:
        data = value.encode() if isinstance(value, str) else value
        expires_at = _expiry(expires_in)
        seen = self._seen.get(key)
        if seen is not None and seen[0] == data and _fresh(seen[1], expires_at):
            return
        # A read is cheap, a write queues behind every other writer, so an unchanged session
        # is written only to renew it.
        stored = stored_key(key)
        row = await _read(stored)
        if row is not None and bytes(row["data"]) == data and _fresh(row["expires_at"], expires_at):
            self._remember(key, data, row["expires_at"])
            return
        async with atomic():
            await WebSession.insert(WebSession(key=stored, data=data, expires_at=expires_at)).on_conflict(
                target=WebSession.key,
                action="DO UPDATE",
                values=[WebSession.data, WebSession.expires_at],
            ).run()
        self._remember(key, data, expires_at)

    async def get(self, key: str, renew_for: int | dt.timedelta | None = None) -> bytes | None:
        stored = stored_key(key)
        row = await _read(stored)
        if row is None:
            return None
        if row["expires_at"] is not None and row["expires_at"] <= _now():
            await self.delete(key)
            return None
        data, expires_at = bytes(row["data"]), row["expires_at"]
        if renew_for is not None and expires_at is not None and not _fresh(expires_at, _expiry(renew_for)):
            expires_at = _expiry(renew_for)
            async with atomic():
                await WebSession.update({WebSession.expires_at: expires_at}).where(WebSession.key == stored).run()
        self._remember(key, data, expires_at)
        return data

    async def delete(self, key: str) -> None:
        self._seen.pop(key, None)
        await WebSession.delete().where(WebSession.key == stored_key(key)).run()

    async def delete_all(self) -> None:
        self._seen.clear()
        await WebSession.delete(force=True).run()

    async def exists(self, key: str) -> bool:
        return await self.get(key) is not None

    async def expires_in(self, key: str) -> int | None:
        row = await WebSession.select(WebSession.expires_at).where(WebSession.key == stored_key(key)).first().run()
        if row is None or row["expires_at"] is None:
            return None
        return max(0, int((row["expires_at"] - _now()).total_seconds()))

    @staticmethod
    async def delete_for_account(account_id: int, keep: str | None = None) -> None:
        """End every session of the account, but `keep` (the caller's own, when given)."""
        where = [WebSession.key.like(f"{account_id}{_ACCOUNT_SEP}%")]
        if keep:
            where.append(WebSession.key != stored_key(keep))
        await WebSession.delete().where(*where).run()

    @staticmethod
    async def delete_expired(now: dt.datetime | None = None) -> int:
        """Delete every session past its expiry; answers how many."""
        expired = WebSession.expires_at < (now or _now())
        return len(await WebSession.delete().where(expired).returning(WebSession.id).run())


def account_session_id(account_id: int, token: str) -> str:
    return f"{account_id}{_ACCOUNT_SEP}{token}"
