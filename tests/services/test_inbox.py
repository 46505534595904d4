"""Notifications sent to many people at once are written once per key, on either engine."""

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
