"""A select compiled once (`Prepared`) answers exactly what the same Piccolo select answers,
with each run's own values, in or out of a transaction, on either engine."""

import datetime as dt

import pytest

from appraisal.db.tables import Person, Section
from appraisal.db.transaction import Prepared, atomic, one_of
from appraisal.domain.people import pinyin_key

BY_NAMES = Prepared(lambda p: Person.select(Person.id, Person.name, Person.section.name.as_alias("section_name"))
                    .where(one_of(Person.id, p.many("ids")), Person.gender == p.gender).order_by(Person.name_pinyin))
ONE = Prepared(lambda p: Person.select(Person.name, Person.is_active, Person.created_at).where(Person.id == p.id))


async def _people() -> list[int]:
    section = Section(name="综合科", sort_order=1)
    await section.save().run()
    ids = []
    for name, gender in (("王芳", "female"), ("李强", "male"), ("𠮷祥", "female"), ("张伟", "male")):
        person = Person(name=name, name_pinyin=pinyin_key(name), gender=gender, section=section.id)
        await person.save().run()
        ids.append(person.id)
    return ids


async def test_each_run_binds_its_own_values_and_answers_as_piccolo_does(db):
    ids = await _people()
    for wanted, gender in ((ids, "female"), (ids[:2], "male"), ([], "male")):
        expected = await Person.select(Person.id, Person.name, Person.section.name.as_alias("section_name")).where(
            Person.id.is_in(wanted) if wanted else Person.id < 0, Person.gender == gender).order_by(Person.name_pinyin).run()
        assert await BY_NAMES.run(ids=wanted, gender=gender) == expected
    assert {r["name"] for r in await BY_NAMES.run(ids=ids, gender="female")} == {"王芳", "𠮷祥"}
    assert {r["section_name"] for r in await BY_NAMES.run(ids=ids, gender="male")} == {"综合科"}
    row = await ONE.first(id=ids[1])
    assert row["name"] == "李强" and row["is_active"] is True and isinstance(row["created_at"], dt.datetime)
    assert await ONE.first(id=-1) is None


async def test_in_a_transaction_it_sees_the_transaction_s_own_writes(db):
    ids = await _people()
    with pytest.raises(RuntimeError):
        async with atomic():
            await Person.update({Person.name: "王芳芳"}).where(Person.id == ids[0]).run()
            assert (await ONE.first(id=ids[0]))["name"] == "王芳芳"
            raise RuntimeError("roll back")
    assert (await ONE.first(id=ids[0]))["name"] == "王芳"


