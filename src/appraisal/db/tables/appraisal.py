"""绩效考核: settings, indicator templates, periods, the people appraised, score cells, bonuses,
unit submissions and the commendation list."""

from piccolo.columns import Boolean, Date, Float, ForeignKey, Integer, Text, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from appraisal.db.tables.org import Person, Section


class OfficeSetting(Table, tablename="office_setting"):
    """A named office setting as JSON (e.g. the appraisal policy); edits are audited."""

    key = Varchar(length=64, unique=True)
    value = Text()


class IndicatorTemplate(Table, tablename="indicator_template"):
    """A version of the indicator template (德能勤绩廉 with sub-items) as JSON; a period keeps
    the version it opened with."""

    version = Integer(unique=True)
    indicators = Text()
    note = Varchar(length=200, default="")
    created_at = Timestamptz(default=TimestamptzNow())


class Period(Table, tablename="appraisal_period"):
    """A quarter or a year of appraisal with its lifecycle."""

    code = Varchar(length=16, unique=True)  # 2026Q4, 2026
    kind = Varchar(length=8)  # quarter | year
    year = Integer(index=True)
    quarter = Integer(default=0)
    template = ForeignKey(references=IndicatorTemplate, on_delete=OnDelete.restrict)
    policy = Text()  # the policy in force when it opened (JSON)
    status = Varchar(length=16, default="draft")
    excellent_approval = Varchar(length=200, default="")  # approval for the higher 优秀 share
    created_at = Timestamptz(default=TimestamptzNow())


class Appraisee(Table, tablename="appraisee"):
    """One person appraised in one period, with what is frozen when their unit is submitted."""

    # Read by (period, unit) and by period through that index (a migration makes it).
    period = ForeignKey(references=Period, on_delete=OnDelete.restrict)
    person = ForeignKey(references=Person, on_delete=OnDelete.restrict, index=True)
    section = ForeignKey(references=Section, null=True, on_delete=OnDelete.restrict, index=True)
    pool = Varchar(length=8)  # staff | leaders (section chiefs, scored by leaders)
    unit = Varchar(length=24)  # "section:<id>" or "leaders": the quota unit
    self_summary = Text(default="")
    self_summary_at = Timestamptz(null=True, default=None)
    comment = Text(default="")  # the scorer's comment
    grade_choice = Varchar(length=16, default="")  # a lower grade, or the 优秀 proposal
    total = Float(null=True, default=None)  # frozen at submission
    grade = Varchar(length=16, default="")  # frozen at submission
    breakdown = Text(default="")  # frozen at submission (JSON)
    # The annual registration form (年度考核登记表): recorded by a leader after the review.
    committee_opinion = Text(default="")  # 考核委员会意见
    remarks = Text(default="")  # 备注
    notified_on = Date(null=True, default=None)  # the date the person was told their grade


class ScoreCell(Table, tablename="score_cell"):
    """One cell of the grid; `version` guards against stale writes from another tab or user."""

    appraisee = ForeignKey(references=Appraisee, on_delete=OnDelete.restrict, index=True)
    indicator = Varchar(length=16)
    value = Float(null=True, default=None)
    version = Integer(default=0)
    updated_at = Timestamptz(null=True, default=None)
    updated_by = ForeignKey(references=Person, null=True, on_delete=OnDelete.restrict)


class UnitSubmission(Table, tablename="unit_submission"):
    """A unit's scores submitted by its scorer (the quota is checked then)."""

    period = ForeignKey(references=Period, on_delete=OnDelete.restrict, index=True)
    unit = Varchar(length=24)
    submitted_by = ForeignKey(references=Person, null=True, on_delete=OnDelete.restrict)
    submitted_at = Timestamptz(default=TimestamptzNow())


class Bonus(Table, tablename="bonus"):
    """A bonus (加分): a commendation or 信息采用, counted in the period of its date, up to a cap."""

    person = ForeignKey(references=Person, on_delete=OnDelete.restrict, index=True)
    awarded_on = Date(index=True)
    kind = Varchar(length=16)  # commendation | info_adopted
    points = Float()
    note = Varchar(length=200)
    is_void = Boolean(default=False)


class Commendation(Table, tablename="commendation"):
    """评优选先: the list a leader confirmed for a year."""

    year = Integer(unique=True)
    people = Text()  # JSON: [{person_id, name, score}]
    confirmed_by = ForeignKey(references=Person, null=True, on_delete=OnDelete.restrict)
    confirmed_at = Timestamptz(default=TimestamptzNow())
    note = Text(default="")
