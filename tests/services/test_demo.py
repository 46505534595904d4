"""The demo office is realistic and loading it twice changes nothing."""

from appraisal.db.tables import AuditEntry, LeaderSection, Person, RoleGrant, Section, UserAccount
from appraisal.services.demo import load_demo


async def counts() -> dict[str, int]:
    return {t.__name__: await t.count().run() for t in (Section, Person, UserAccount, RoleGrant, LeaderSection, AuditEntry)}


async def test_the_demo_office_has_leaders_sections_and_people(office):
    assert await Section.count().run() == 7
    assert await Person.count().run() == 40
    assert await UserAccount.count().run() == 40, "one account per person"
    leaders = await LeaderSection.select(LeaderSection.leader.name).distinct().output(as_list=True).run()
    assert len(leaders) == 4, "a director and three deputies"
    names = set(await UserAccount.select(UserAccount.username).output(as_list=True).run())
    assert {"admin", "leader", "chief", "staff", "wangjianguo"} <= names


async def test_loading_the_demo_twice_changes_nothing(office):
    before = await counts()
    created = await load_demo("demo123456")
    assert created == {"sections": 0, "people": 0, "accounts": 0, "commitments": 0}
    assert await counts() == before
