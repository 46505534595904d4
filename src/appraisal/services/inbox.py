"""The inbox: notifications addressed to a person."""

from __future__ import annotations

from appraisal.db.tables import Notification
from appraisal.db.transaction import atomic, insert_values
from appraisal.domain.calendar import now_utc
from appraisal.errors import NotFound
from appraisal.i18n import _
from appraisal.scopes import Principal


_now = now_utc


def notification(recipient: int, key: str, kind: str, title: str, body: str = "",
                 matter_id: int | None = None) -> dict:
    """A notification as a row for `insert_values(Notification, rows, unique="key")`, its key
    and title cut to their columns."""
    return dict(recipient=recipient, key=key[:120], kind=kind, matter=matter_id, title=title[:200], body=body,
                created_at=now_utc())


async def notify(recipient: int, key: str, kind: str, title: str, body: str = "", matter_id: int | None = None) -> bool:
    """Write a notification once per `key`; True when it is new."""
    return await insert_values(Notification, [notification(recipient, key, kind, title, body, matter_id)],
                               unique="key") == 1


async def notify_many(recipients: list[int], key: str, kind: str, title: str, body: str = "") -> int:
    """The same notification to many people at once (`key` is formatted with each `person`), in
    batched inserts that leave out the keys written already. Answers how many were new."""
    keys = {person: key.format(person=person)[:120] for person in dict.fromkeys(recipients)}
    async with atomic():
        now = now_utc()
        return await insert_values(Notification, [dict(recipient=p, key=k, kind=kind, title=title[:200], body=body,
                                                       created_at=now) for p, k in keys.items()], unique="key")


async def unread_count(principal: Principal) -> int:
    if principal.person_id is None:
        return 0
    return await Notification.count().where(Notification.recipient == principal.person_id,
                                            Notification.read_at.is_null()).run()


def link_of(note: dict) -> str | None:
    """The page where what a notification is about is seen and handled: its matter, its
    accountability record or supervision item (named in its key), or one's own appraisals."""
    if note["matter"]:
        return f"/matters/{note['matter']}"
    head, _sep, rest = note["key"].partition(":")
    record = rest.split(":", 1)[0]
    if head == "accountability" and record.isdigit():
        return f"/accountability/{record}"
    if head.startswith("supervision") and record.isdigit():
        return f"/supervision/{record}"
    if head in ("period-open", "scored"):
        return "/appraisal/mine"
    return None


async def list_inbox(principal: Principal, *, offset: int = 0, limit: int = 50) -> tuple[list[dict], int]:
    """The caller's notifications, newest first, each with the `link` to what it is about."""
    if principal.person_id is None:
        return [], 0
    mine = Notification.recipient == principal.person_id
    rows = await Notification.select().where(mine).order_by(Notification.id, ascending=False).offset(offset).limit(limit).run()
    return [{**r, "link": link_of(r)} for r in rows], await Notification.count().where(mine).run()


async def mark_seen(principal: Principal, notes: list[dict]) -> None:
    """The messages of a page the caller was shown are read: each is the whole message."""
    unread = [n["id"] for n in notes if n["read_at"] is None]
    if unread:
        await Notification.update({Notification.read_at: _now()}).where(
            Notification.id.is_in(unread), Notification.recipient == (principal.person_id or -1),
            Notification.read_at.is_null()).run()


async def mark_read(principal: Principal, notification_id: int | None = None) -> None:
    """Mark one notification (or all of the caller's) as read."""
    clauses = [Notification.recipient == (principal.person_id or -1), Notification.read_at.is_null()]
    if notification_id is not None:
        if not await Notification.exists().where(Notification.id == notification_id,
                                                 Notification.recipient == (principal.person_id or -1)).run():
            raise NotFound(_("消息不存在"))
        clauses.append(Notification.id == notification_id)
    await Notification.update({Notification.read_at: _now()}).where(*clauses).run()
