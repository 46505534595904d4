"""Demo data: a realistic 区委办公室 with a director, three deputies, seven sections and 40 people.

Every entity is found by its natural key before it is created, so running it twice changes
nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from appraisal.db.tables import Commitment, LeaderSection, Person, RoleGrant, Section, UserAccount
from appraisal.db.transaction import atomic
from appraisal.domain.people import pinyin_key, pinyin_username
from appraisal.scopes import Role
from appraisal.domain.commitments import Limit, LimitKind
from appraisal.services import accounts, audit, commitments

SECTIONS = ("秘书科", "综合科", "信息科", "督查科", "机要科", "行政科", "法规科")


@dataclass(frozen=True)
class DemoPerson:
    name: str
    gender: str
    birth: str
    post_rank: str
    section: str | None = None
    political_status: str = "中共党员"
    username: str | None = None  # a named demo account instead of the pinyin one
    roles: tuple[Role, ...] = (Role.STAFF,)
    leads: tuple[str, ...] = ()


CHIEF = (Role.CHIEF, Role.STAFF)
LEADER = (Role.LEADER, Role.STAFF)

PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson("王建国", "male", "1968-03-12", "区委办公室主任", roles=LEADER, leads=SECTIONS),
    DemoPerson("李红梅", "female", "1975-06-08", "区委办公室副主任", username="leader", roles=LEADER, leads=("秘书科", "综合科")),
    DemoPerson("陈志强", "male", "1972-11-21", "区委办公室副主任", roles=LEADER, leads=("信息科", "督查科", "机要科")),
    DemoPerson("刘海涛", "male", "1979-02-17", "区委办公室副主任", roles=LEADER, leads=("行政科", "法规科")),
    DemoPerson("张伟", "male", "1983-05-14", "科长、四级调研员", "秘书科", username="chief", roles=CHIEF),
    DemoPerson("赵雪", "female", "1990-09-03", "二级主任科员", "秘书科", username="staff"),
    DemoPerson("孙浩然", "male", "1994-01-26", "三级主任科员", "秘书科", "共青团员"),
    DemoPerson("周晓琳", "female", "1996-07-19", "四级主任科员", "秘书科"),
    DemoPerson("吴磊", "male", "1988-12-05", "一级主任科员", "秘书科"),
    DemoPerson("郑丽娟", "female", "1981-04-22", "科长、四级调研员", "综合科", roles=CHIEF),
    DemoPerson("冯建军", "male", "1985-10-30", "一级主任科员", "综合科"),
    DemoPerson("何静", "female", "1992-03-08", "二级主任科员", "综合科", "群众"),
    DemoPerson("许文博", "male", "1997-08-16", "一级科员", "综合科", "共青团员"),
    DemoPerson("高玉兰", "female", "1987-05-27", "二级主任科员", "综合科"),
    DemoPerson("林晓峰", "male", "1989-11-11", "二级主任科员（考核办）", "综合科", username="admin", roles=(Role.ADMIN, Role.STAFF)),
    DemoPerson("马俊杰", "male", "1984-02-09", "科长、一级主任科员", "信息科", roles=CHIEF),
    DemoPerson("罗佳怡", "female", "1993-06-18", "三级主任科员", "信息科"),
    DemoPerson("梁宇航", "male", "1995-12-01", "四级主任科员", "信息科", "民盟盟员"),
    DemoPerson("宋雨欣", "female", "1998-04-07", "一级科员", "信息科", "共青团员"),
    DemoPerson("唐国栋", "male", "1986-09-24", "一级主任科员", "信息科"),
    DemoPerson("韩立新", "male", "1980-07-13", "科长、四级调研员", "督查科", roles=CHIEF),
    DemoPerson("曹敏", "female", "1989-01-30", "二级主任科员", "督查科"),
    DemoPerson("邓子轩", "male", "1996-05-21", "四级主任科员", "督查科"),
    DemoPerson("彭思琪", "female", "1994-10-12", "三级主任科员", "督查科", "群众"),
    DemoPerson("曾庆华", "male", "1982-03-28", "一级主任科员", "督查科"),
    DemoPerson("谢芳", "female", "1982-08-09", "科长、一级主任科员", "机要科", roles=CHIEF),
    DemoPerson("萧逸飞", "male", "1991-02-14", "二级主任科员", "机要科"),
    DemoPerson("潘婷", "female", "1995-11-23", "四级主任科员", "机要科"),
    DemoPerson("袁博", "male", "1987-06-06", "一级主任科员", "机要科"),
    DemoPerson("蒋欣怡", "female", "1999-09-15", "一级科员", "机要科", "共青团员"),
    DemoPerson("蔡明亮", "male", "1978-12-19", "科长、三级调研员", "行政科", roles=CHIEF),
    DemoPerson("贾燕", "female", "1986-04-02", "一级主任科员", "行政科"),
    DemoPerson("丁一鸣", "male", "1993-07-29", "三级主任科员", "行政科"),
    DemoPerson("魏娜", "female", "1990-01-17", "二级主任科员", "行政科", "群众"),
    DemoPerson("薛志刚", "male", "1984-10-08", "一级主任科员", "行政科"),
    DemoPerson("叶晨", "male", "1985-03-03", "科长、四级调研员", "法规科", roles=CHIEF),
    DemoPerson("阎秀英", "female", "1983-08-25", "一级主任科员", "法规科"),
    DemoPerson("余嘉诚", "male", "1997-02-11", "四级主任科员", "法规科", "共青团员"),
    DemoPerson("杜晓雯", "female", "1992-12-30", "二级主任科员", "法规科", "九三学社社员"),
    DemoPerson("程亮", "male", "1994-05-05", "三级主任科员", "法规科"),
)

NAMED_ACCOUNTS = ("admin", "leader", "chief", "staff")

# 从事或分管的工作, as the annual registration form prints it.
SECTION_DUTIES = {
    "秘书科": "公文处理、文电运转和领导批示件办理", "综合科": "综合文稿起草、会务保障和机关事务协调",
    "信息科": "政务信息收集、编报和舆情研判", "督查科": "重要决策部署和领导批示的督查督办",
    "机要科": "机要文件收发、密码通信和保密管理", "行政科": "机关后勤保障、公务用车和安全管理",
    "法规科": "规范性文件合法性审查和群众来信办理",
}


def duties_of(p: DemoPerson) -> str:
    if p.leads == SECTIONS:
        return "主持区委办公室全面工作"
    if p.leads:
        return f"协助主任工作，分管{'、'.join(p.leads)}"
    if Role.CHIEF in p.roles:
        return f"主持{p.section}全面工作，负责{SECTION_DUTIES[p.section]}"
    return f"从事{SECTION_DUTIES[p.section]}工作" if p.section else ""

COMPLAINTS = "区委办公室效能监督电话 0000-12345678"
# (section, item, limit kind, working days, materials)
COMMITMENTS = (
    ("秘书科", "来文登记与分办", "same_day", 0, "来文原件"),
    ("秘书科", "领导批示件转办", "working_days", 1, "批示件"),
    ("综合科", "综合材料起草", "working_days", 5, "起草要求、参考材料"),
    ("信息科", "信息报送审核", "working_days", 2, "信息稿件"),
    ("督查科", "督查事项立项", "working_days", 3, "领导批示或会议纪要"),
    ("机要科", "机要文件收发", "immediate", 0, "签收单"),
    ("行政科", "公务用车申请", "working_days", 1, "用车申请单"),
    ("法规科", "规范性文件合法性审查", "working_days", 13, "送审稿、起草说明、征求意见情况"),
    ("法规科", "群众来信办理答复", "working_days", 20, "来信原件"),
)


async def is_empty() -> bool:
    return not await Person.exists().run() and not await UserAccount.exists().run()


async def load_demo(password: str) -> dict[str, int]:
    """Create whatever of the demo office is missing; returns how many rows were created."""
    created = {"sections": 0, "people": 0, "accounts": 0, "commitments": 0}
    # One hash for every demo account: hashing 40 passwords would hold the write lock for seconds.
    password_hash = accounts.hash_password(password)
    async with atomic():
        section_ids: dict[str, int] = {}
        for order, name in enumerate(SECTIONS, start=1):
            row = await Section.select(Section.id).where(Section.name == name).first().run()
            if row is None:
                row = {"id": (await audit.insert(None, Section(name=name, sort_order=order), note="demo")).id}
                created["sections"] += 1
            section_ids[name] = row["id"]

        usernames = set(await UserAccount.select(UserAccount.username).output(as_list=True).run())
        for p in PEOPLE:
            birth = dt.date.fromisoformat(p.birth)
            row = await Person.select(Person.id).where(Person.name == p.name, Person.birth_date == birth).first().run()
            if row is None:
                person = await audit.insert(
                    None,
                    Person(
                        name=p.name,
                        name_pinyin=pinyin_key(p.name),
                        gender=p.gender,
                        birth_date=birth,
                        political_status=p.political_status,
                        post_rank=p.post_rank,
                        duties=duties_of(p),
                        section=section_ids[p.section] if p.section else None,
                    ),
                    note="demo",
                )
                person_id = person.id
                created["people"] += 1
            else:
                person_id = row["id"]

            if not await UserAccount.exists().where(UserAccount.person == person_id).run():
                username = p.username or pinyin_username(p.name, usernames)
                account = await audit.insert(
                    None, UserAccount(username=username, password_hash=password_hash, person=person_id), note="demo"
                )
                await RoleGrant.insert(*[RoleGrant(account=account.id, role=r.value) for r in p.roles]).run()
                usernames.add(username)
                created["accounts"] += 1

            if p.leads and not await LeaderSection.exists().where(LeaderSection.leader == person_id).run():
                await LeaderSection.insert(
                    *[LeaderSection(leader=person_id, section=section_ids[s]) for s in p.leads]
                ).run()
        for section, name, kind, days, materials in COMMITMENTS:
            if not await Commitment.exists().where(Commitment.name == name).run():
                await commitments.create_item(None, section_ids[section], name, commitments.Promise(
                    effective_from=dt.date(2026, 1, 1), limit=Limit(LimitKind(kind), days),
                    standard=f"按规定时限办结{name}，一次性告知所需材料", materials=materials,
                    complaint_channel=COMPLAINTS,
                ))
                created["commitments"] += 1
    return created
