"""Notifications sent to many people at once are written once per key, on either engine."""

import pytest

from appraisal.db.tables import Notification, Person
from appraisal.services.inbox import notify_many


async def test_notify_many_writes_each_key_once_and_counts_the_new_ones(db):
    people = []
    for name in ("甲", "乙", "丙"):
        person = Person(name=name, name_pinyin=name, gender="female")
        await person.save().run()
        people.append(person.id)
    first, second, third = people

    assert await notify_many([first, second, first], "test:{person}", "appraisal", "第一次") == 2
    # Sent again with one more person: only that person's is new; the others keep the first text.
    assert await notify_many([first, second, third], "test:{person}", "appraisal", "第二次") == 1

    rows = await Notification.select(Notification.recipient, Notification.key, Notification.title).order_by(
        Notification.recipient).run()
    assert rows == [
        {"recipient": first, "key": f"test:{first}", "title": "第一次"},
        {"recipient": second, "key": f"test:{second}", "title": "第一次"},
        {"recipient": third, "key": f"test:{third}", "title": "第二次"},
    ]
    assert await notify_many([], "test:{person}", "appraisal", "无人") == 0


async def test_notify_writes_a_key_once_and_says_whether_it_was_new(db):
    from appraisal.services.inbox import notify

    person = Person(name="丁", name_pinyin="ding", gender="male")
    await person.save().run()
    assert await notify(person.id, "once:1", "matter", "第一次") is True
    assert await notify(person.id, "once:1", "matter", "第二次") is False
    rows = await Notification.select(Notification.key, Notification.title).where(Notification.recipient == person.id).run()
    assert rows == [{"key": "once:1", "title": "第一次"}]


async def test_a_value_longer_than_its_column_is_refused_not_cut(db):
    """Set-based inserts store what they are given or nothing: a title over the column's 200
    characters fails the statement rather than being cut to fit."""
    from appraisal.db.transaction import insert_values, is_sqlite

    if is_sqlite():
        pytest.skip("SQLite does not enforce the length of VARCHAR columns")
    import asyncpg

    person = Person(name="甲", name_pinyin="jia", gender="female")
    await person.save().run()
    with pytest.raises(asyncpg.StringDataRightTruncationError):
        await insert_values(Notification, [dict(recipient=person.id, key="long:1", kind="appraisal", title="长" * 201)])
    assert await Notification.count().run() == 0


def test_a_notification_links_to_what_it_is_about():
    from appraisal.services.inbox import link_of

    assert link_of({"matter": 12, "key": "transfer:12:3:2026-12-04T01:00:00"}) == "/matters/12"
    assert link_of({"matter": None, "key": "accountability:7:decided"}) == "/accountability/7"
    assert link_of({"matter": None, "key": "supervision:4:press:2026-12-10"}) == "/supervision/4"
    assert link_of({"matter": None, "key": "supervision-red:4:2026-12-02:11"}) == "/supervision/4"
    assert link_of({"matter": None, "key": "scored:3:2:11"}) == link_of({"matter": None, "key": "period-open:3:11"}) \
        == "/appraisal/mine"
    assert link_of({"matter": None, "key": "something-else:1"}) is None
