"""Demo matters (办件) and supervision items (督办事项), so that a fresh `make run` shows the
efficiency rules at work: matters in every light and at every step (registered, transferred and
waiting to be accepted, returned, accepted, paused, an extension waiting for a leader, completed
on time and late, followed up, chased and up for 通报) and supervision items on track, waiting
for review, overdue and completed.

Each is a story told through the same use cases a user calls, each step at its moment of the
past working days (`pinned_now`), so that due dates, timelines and lights follow the office's
rules on whatever day the demo is loaded. The sweep then runs as the server would that day:
the chases, the 通报 notices and the accountability proposals of the overdue work."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from appraisal.db.tables import Commitment, Matter, Person, Section, SupervisionItem
from appraisal.db.transaction import atomic
from appraisal.domain.calendar import LOCAL_TZ, WorkingCalendar, pinned_now, today_local
from appraisal.scopes import Principal
from appraisal.services import calendar as calendar_service, matters, supervision, sweep
from appraisal.demo.appraisal import _principal, counting_weekends

T = TypeVar("T")


@dataclass(frozen=True)
class Step:
    """A step of a story: `days_ago` working days before today, at local `time`, by `who`
    (a person's name). What the step does and its argument depend on `action`."""

    days_ago: int
    time: str
    who: str
    action: str  # transfer | accept | return | pause | extend | complete | follow_up | progress | submit | review
    arg: Any = None


@dataclass(frozen=True)
class DemoMatter:
    registered: Step  # action "register"; arg: the catalogue item's name, or a limit in working days
    channel: str
    requester: str
    subject: str
    content: str = ""
    steps: tuple[Step, ...] = ()


def _register(days_ago: int, time: str, who: str, limit: str | int) -> Step:
    return Step(days_ago, time, who, "register", limit)


MATTERS: tuple[DemoMatter, ...] = (
    # 秘书科: 赵雪 (the staff login) has one of each light and a transfer to accept.
    DemoMatter(_register(1, "09:20", "赵雪", 5), "call", "张女士（138****5210）", "咨询区级先进集体表彰申报材料要求",
               "来电询问申报材料清单与截止时间。"),
    DemoMatter(_register(1, "15:40", "赵雪", "领导批示件转办"), "document", "区交通运输局",
               "关于解放路道路改造期间交通疏导方案的请示", "王建国主任批示：请秘书科转区公安分局交警大队会同研究。"),
    DemoMatter(_register(6, "10:05", "赵雪", 3), "letter", "幸福小区居民", "反映幸福小区路灯长期不亮",
               "来信反映小区东门至 3 号楼路灯不亮已一月有余。"),
    DemoMatter(_register(2, "11:00", "孙浩然", 2), "online", "李先生", "咨询政府信息公开申请流程", steps=(
        Step(1, "09:00", "孙浩然", "transfer", ("赵雪", "请赵雪同志办理，申请人需补充身份证明复印件。")),)),
    DemoMatter(_register(4, "10:30", "吴磊", 5), "call", "区档案馆", "查询 2019 年区委文件归档情况", steps=(
        Step(2, "16:00", "吴磊", "pause", "等待区档案馆提供查档申请表。"),)),
    DemoMatter(_register(10, "09:10", "孙浩然", 3), "visit", "退休干部刘老", "反映老干部活动室空调维修问题",
               "来访反映活动室空调制热效果差，冬季活动受影响。"),
    # 综合科: a transfer accepted from 秘书科, an extension waiting for 李红梅 (the leader login).
    DemoMatter(_register(3, "09:30", "周晓琳", "综合材料起草"), "visit", "区住建局王科长", "区委常委会议题材料起草", steps=(
        Step(3, "10:00", "周晓琳", "transfer", ("冯建军", "属综合科职责，请冯建军同志起草。")),
        Step(3, "14:10", "冯建军", "accept"))),
    DemoMatter(_register(4, "09:00", "何静", "综合材料起草"), "document", "区发展改革委", "起草区优化营商环境工作汇报材料",
               steps=(Step(1, "17:00", "何静", "extend", (3, "需等待各部门一季度数据汇总后定稿。")),)),
    DemoMatter(_register(7, "10:15", "许文博", 5), "referral", "李红梅副主任", "整理区委全会文件汇编", steps=(
        Step(3, "16:20", "许文博", "complete", "文件汇编已印制 200 册并分送各单位。"),
        Step(2, "09:30", "许文博", "follow_up", ("satisfied", "交办领导认可。")))),
    # 信息科, 督查科, 机要科
    DemoMatter(_register(1, "10:20", "罗佳怡", "信息报送审核"), "online", "区融媒体中心", "《每日要情》第 236 期信息稿件审核"),
    DemoMatter(_register(1, "14:00", "曹敏", "督查事项立项"), "referral", "王建国主任", "督查各镇街秸秆禁烧工作落实情况"),
    DemoMatter(_register(2, "09:10", "萧逸飞", "机要文件收发"), "document", "市委办公室机要处", "市委文件签收分送", steps=(
        Step(2, "09:40", "萧逸飞", "complete", "已签收并按分送单送达。"),)),
    DemoMatter(_register(2, "15:00", "潘婷", 2), "call", "区财政局", "咨询涉密文件借阅手续", steps=(
        Step(2, "15:30", "潘婷", "transfer", ("袁博", "请袁博同志答复借阅流程。")),
        Step(1, "09:10", "袁博", "return", "借阅审批由科长负责，请转谢芳科长办理。"),
        Step(1, "09:30", "潘婷", "transfer", ("谢芳", "请谢芳科长审批答复。")),
        Step(1, "11:00", "谢芳", "accept"))),
    # 行政科: one completed on time and followed up, one more than five working days late (通报).
    DemoMatter(_register(5, "08:50", "贾燕", "公务用车申请"), "call", "区政协办公室", "公务用车申请（赴乡镇调研）", steps=(
        Step(5, "16:30", "贾燕", "complete", "已派车，车辆与驾驶员信息已告知。"),
        Step(4, "10:00", "贾燕", "follow_up", ("satisfied", "")))),
    DemoMatter(_register(12, "14:30", "丁一鸣", 3), "visit", "机关幼儿园", "机关幼儿园围墙维修申请"),
    # 法规科: a review completed three working days late, a letter well within its 20 days.
    DemoMatter(_register(18, "10:00", "阎秀英", "规范性文件合法性审查"), "document", "区市场监管局",
               "《区农贸市场管理办法（送审稿）》合法性审查", steps=(
                   Step(2, "15:00", "阎秀英", "complete", "审查意见书已出具，提出修改意见 6 条。"),
                   Step(1, "10:00", "叶晨", "follow_up", ("basically", "送审单位希望今后提前告知进度。")))),
    DemoMatter(_register(6, "11:20", "余嘉诚", "群众来信办理答复"), "letter", "群众来信", "反映农贸市场周边占道经营问题"),
)


@dataclass(frozen=True)
class DemoItem:
    created: Step  # by the leader who registers it; arg: working days from creation to the deadline
    source: str
    title: str
    lead_section: str
    responsible: str
    requirement: str = ""
    assisting: tuple[str, ...] = ()
    steps: tuple[Step, ...] = ()


ITEMS: tuple[DemoItem, ...] = (
    DemoItem(Step(15, "09:00", "陈志强", "create", 25), "meeting", "落实区委常委会关于优化营商环境的决定", "督查科", "曹敏",
             "逐项建立台账，每两周报送进展。", ("综合科",), steps=(
                 Step(5, "16:00", "曹敏", "progress", "已完成 12 个部门的实地督查，形成问题清单 23 条。"),)),
    DemoItem(Step(12, "10:00", "李红梅", "create", 10), "instruction", "区委书记批示：加快老旧小区改造项目进度", "综合科",
             "冯建军", "每周报送进度，按期完成 3 个小区主体改造。", steps=(
                 Step(6, "17:00", "冯建军", "progress", "2 个小区已完工，第 3 个小区因管线迁改滞后。"),)),
    DemoItem(Step(20, "09:30", "陈志强", "create", 15), "key_task", "第三季度政务信息报送任务", "信息科", "罗佳怡",
             "报送政务信息不少于 60 条。", steps=(
                 Step(7, "15:00", "罗佳怡", "submit", "本季度报送信息 68 条，被市委办采用 9 条。"),
                 Step(6, "10:00", "陈志强", "review", True))),
    DemoItem(Step(8, "11:00", "刘海涛", "create", 11), "instruction", "区长批示：做好冬季机关安全生产检查", "行政科",
             "薛志刚", "检查机关大院消防、用电、燃气设施。", steps=(
                 Step(1, "16:40", "薛志刚", "submit", "已完成检查，整改隐患 4 处，报告已上传。"),)),
)


def _working_days_back(calendar: WorkingCalendar, today: dt.date, days: int) -> dt.date:
    day = today
    while days > 0:
        day -= dt.timedelta(days=1)
        if calendar.is_working_day(day):
            days -= 1
    return day


class _Story:
    """The demo office's people and today's calendar, and each step run at its moment."""

    def __init__(self, calendar: WorkingCalendar, today: dt.date, people: dict[str, int],
                 catalogue: dict[str, int]) -> None:
        self.calendar, self.today, self.people, self.catalogue = calendar, today, people, catalogue
        self.principals: dict[str, Principal] = {}

    def moment(self, step: Step) -> dt.datetime:
        day = _working_days_back(self.calendar, self.today, step.days_ago)
        return dt.datetime.combine(day, dt.time.fromisoformat(step.time), LOCAL_TZ)

    async def _reload_calendar(self) -> None:
        self.calendar = await calendar_service.load_calendar(self.today.year - 1, self.today.year + 1)

    async def at(self, step: Step, work: Callable[[Principal], Awaitable[T]]) -> T:
        if step.who not in self.principals:
            self.principals[step.who] = await _principal(person_name=step.who)
        actor = self.principals[step.who]

        async def pinned() -> T:
            with pinned_now(self.moment(step)):
                return await work(actor)
        return await counting_weekends(pinned, then=self._reload_calendar)

    async def matter(self, m: DemoMatter) -> None:
        limit = m.registered.arg
        registration = matters.Registration(
            channel=m.channel, requester=m.requester, subject=m.subject, content=m.content,
            commitment_id=self.catalogue[limit] if isinstance(limit, str) else None,
            limit_days=limit if isinstance(limit, int) else None)
        matter = await self.at(m.registered, lambda actor: matters.register(actor, registration))
        for step in m.steps:
            await self.at(step, self._matter_step(matter.id, step))

    def _matter_step(self, matter_id: int, step: Step) -> Callable[[Principal], Awaitable[Any]]:
        arg = step.arg
        if step.action == "transfer":
            return lambda actor: matters.transfer(actor, matter_id, self.people[arg[0]], arg[1])
        if step.action == "accept":
            return lambda actor: matters.accept(actor, matter_id)
        if step.action == "return":
            return lambda actor: matters.return_transfer(actor, matter_id, arg)
        if step.action == "pause":
            return lambda actor: matters.pause(actor, matter_id, arg)
        if step.action == "extend":
            async def extend(actor: Principal) -> None:
                due = (await Matter.select(Matter.due_on).where(Matter.id == matter_id).first().run())["due_on"]
                await matters.request_extension(actor, matter_id, self.calendar.add_working_days(due, arg[0]), arg[1])
            return extend
        if step.action == "complete":
            return lambda actor: matters.complete(actor, matter_id, arg)
        if step.action == "follow_up":
            return lambda actor: matters.follow_up(actor, matter_id, arg[0], arg[1])
        raise ValueError(f"unknown step {step.action!r}")

    async def item(self, item: DemoItem) -> None:
        sections = {r["name"]: r["id"] for r in await Section.select(Section.id, Section.name).run()}

        def create(actor: Principal) -> Awaitable[SupervisionItem]:
            deadline = self.calendar.add_working_days(self.moment(item.created).date(), item.created.arg)
            return supervision.create(actor, supervision.NewItem(
                source=item.source, title=item.title, lead_section_id=sections[item.lead_section],
                responsible_person_id=self.people[item.responsible], deadline=deadline,
                requirement=item.requirement, responsible_leader_id=self.people[item.created.who],
                assisting_section_ids=[sections[s] for s in item.assisting]))
        created = await self.at(item.created, create)
        for step in item.steps:
            if step.action == "review":
                await self.at(step, lambda actor: supervision.review(actor, created.id, step.arg))
            else:
                await self.at(step, lambda actor: supervision.report_progress(
                    actor, created.id, step.arg, submit=step.action == "submit"))


async def load_demo_matters() -> None:
    """The demo's matters and supervision items, told up to today, then today's sweep; nothing
    when the office has a matter or an item already."""
    if await Matter.exists().run() or await SupervisionItem.exists().run():
        return
    today = today_local()
    people = {r["name"]: r["id"] for r in await Person.select(Person.id, Person.name).run()}
    catalogue = {r["name"]: r["id"] for r in await Commitment.select(Commitment.id, Commitment.name).run()}
    story = _Story(await calendar_service.load_calendar(today.year - 1, today.year + 1), today, people, catalogue)
    async with atomic():  # one transaction: on SQLite each statement outside one opens a connection
        for m in MATTERS:
            await story.matter(m)
        for item in ITEMS:
            await story.item(item)
    await counting_weekends(lambda: sweep.sweep(today))
