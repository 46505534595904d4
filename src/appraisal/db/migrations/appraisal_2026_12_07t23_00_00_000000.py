"""The initial schema of appraisal: every table as src/appraisal/db/tables/ declares it, and
what a Piccolo table declaration cannot say (append-only triggers, multi-column indexes).

It replaces the 16 migrations of the development period, squashed before the first release. A
database made with those is not upgraded: `appraisal migrate` stops and says to rebuild it
(appraisal.db.migrate.OLD_MIGRATION_IDS).

Reading it: each `add_table` below is a frozen copy of one table class, grouped as the modules of
db/tables/ are (one per business area). Every table also has an `id` serial primary key, which
Piccolo adds. Arguments left out are Piccolo's defaults: a column is NOT NULL unless `null=True`;
Varchar is 255 characters and defaults to ""; Text defaults to ""; Integer and Float to 0;
Boolean to false; Date to today; Timestamptz to now. Foreign keys are written out in full because
Piccolo's defaults for them are surprising: nullable, ON DELETE CASCADE, ON UPDATE CASCADE.
`index=True` makes a one-column index named <table>_<column>; `unique=True` a unique constraint.

When a table changes later, change its class in db/tables/ and add a new migration with
`PICCOLO_CONF=appraisal.db.conf piccolo migrations new appraisal --auto`, then review it.
tests/services/test_schema.py checks that the migrated database matches the declarations.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import Column
from piccolo.columns.base import OnDelete
from piccolo.columns.column_types import (
    Boolean, Bytea, Date, Float, ForeignKey, Integer, Text, Timestamptz, Varchar,
)
from piccolo.columns.defaults.date import DateNow
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.engine.finder import engine_finder
from piccolo.table import Table

ID = "2026-12-07T23:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "initial schema"


# Foreign keys need a table class to point at; these stand-ins name the referenced tables (each
# has the `id` primary key that a foreign key refers to), so that the migration does not depend
# on the live classes in db/tables/, which will change after it.
class Section(Table, tablename="section"): ...
class Person(Table, tablename="person"): ...
class UserAccount(Table, tablename="user_account"): ...
class Commitment(Table, tablename="commitment"): ...
class CommitmentVersion(Table, tablename="commitment_version"): ...
class Matter(Table, tablename="matter"): ...
class AccountabilityForm(Table, tablename="accountability_form"): ...
class SupervisionItem(Table, tablename="supervision_item"): ...
class Target(Table, tablename="target"): ...
class IndicatorTemplate(Table, tablename="indicator_template"): ...
class Period(Table, tablename="appraisal_period"): ...
class Appraisee(Table, tablename="appraisee"): ...


def add_table(manager: MigrationManager, class_name: str, tablename: str, **columns: Column) -> None:
    """One table with its columns, as the generated `add_table` + `add_column` calls would say it."""
    manager.add_table(class_name=class_name, tablename=tablename)
    for name, column in columns.items():
        manager.add_column(
            table_class_name=class_name, tablename=tablename, column_name=name, db_column_name=name,
            column_class=type(column), params=column._meta.params,
        )


# ------------------------------------------------------------------------------------------------
# What the table classes cannot declare, in SQL for each engine. It runs after the tables are
# created, in the same transaction (see InitialSchema).
# ------------------------------------------------------------------------------------------------

# The audit log and a matter's timeline are append-only for everyone, including a person with
# database access through the application: the database itself refuses UPDATE and DELETE on them.
# (Tests empty the tables with TRUNCATE, which these row triggers do not see.)
SQLITE_APPEND_ONLY = [
    sql
    for table in ("audit_entry", "matter_event")
    for sql in (
        f"""CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
            BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END""",
        f"""CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
            BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END""",
    )
]
POSTGRES_APPEND_ONLY = [
    sql
    for table in ("audit_entry", "matter_event")
    for sql in (
        f"""CREATE FUNCTION {table}_append_only() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION '{table} is append-only'; END; $$ LANGUAGE plpgsql""",
        f"""CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION {table}_append_only()""",
    )
]

# Multi-column indexes (Piccolo declares one-column indexes only), each for a query measured with
# 10,000 staff and 1,000,000 matters (benchmarks/scale.py).
COMMON_INDEXES = [
    # Closing a quarter reads a unit's appraisees; the index serves a lookup by period alone too,
    # which is why appraisee.period has no index of its own.
    "CREATE INDEX appraisee_period_unit ON appraisee (period, unit)",
    # The leader's dashboard counts open and paused matters by light: it scans this range of the
    # index and never the table.
    "CREATE INDEX matter_status_section_due_yellow ON matter (status, section, due_on, yellow_on)",
]
# Closing a quarter counts each person's matters due in the quarter and lists the late ones with
# their ids, from the index alone. A SQLite index holds the row id; a PostgreSQL one must INCLUDE it
# (without it PostgreSQL visited a table page for each of a unit's 5,000 matters).
SQLITE_INDEXES = [
    "CREATE INDEX matter_owner_due_on_completed ON matter (owner, due_on, completed_at)",
]
POSTGRES_INDEXES = [
    "CREATE INDEX matter_owner_due_on_completed_id ON matter (owner, due_on, completed_at) INCLUDE (id)",
]


def extra_sql(engine_type: str) -> list[str]:
    if engine_type == "sqlite":
        return SQLITE_APPEND_ONLY + COMMON_INDEXES + SQLITE_INDEXES
    return POSTGRES_APPEND_ONLY + COMMON_INDEXES + POSTGRES_INDEXES


class InitialSchema(MigrationManager):
    """Piccolo runs a migration's raw SQL (`add_raw`) before it creates the migration's tables;
    the triggers and indexes above need the tables, so they run after, in one transaction."""

    async def run(self, backwards: bool = False) -> None:
        engine = engine_finder()
        async with engine.transaction():  # run() joins this transaction
            await super().run(backwards=backwards)
            if self.preview:
                return
            if not backwards:
                for sql in extra_sql(engine.engine_type):
                    await engine.run_ddl(sql)
            elif engine.engine_type != "sqlite":  # the triggers went with the tables
                for table in ("audit_entry", "matter_event"):
                    await engine.run_ddl(f"DROP FUNCTION {table}_append_only()")


async def forwards() -> MigrationManager:
    manager = InitialSchema(migration_id=ID, app_name="appraisal", description=DESCRIPTION)

    # --------------------------------------------------------------------------------------------
    # Org (tables/org.py). Organisation: sections, people and which sections each leader oversees.
    # --------------------------------------------------------------------------------------------

    # 科室: a section of the office.
    add_table(manager, "Section", "section",
        name=Varchar(length=50, unique=True),
        sort_order=Integer(),
        is_active=Boolean(default=True),
    )

    # A member of staff (人员), whether or not they have an account.
    add_table(manager, "Person", "person",
        name=Varchar(length=50, index=True),
        name_pinyin=Varchar(length=200, index=True),
        gender=Varchar(length=8),
        birth_date=Date(default=None, null=True),
        political_status=Varchar(length=32),
        post_rank=Varchar(length=64),
        duties=Varchar(length=500),
        section=ForeignKey(references=Section, on_delete=OnDelete.restrict, null=True, index=True),
        is_active=Boolean(default=True),
        created_at=Timestamptz(default=TimestamptzNow()),
    )

    # A section that a leader (分管领导) oversees.
    add_table(manager, "LeaderSection", "leader_section",
        leader=ForeignKey(references=Person, on_delete=OnDelete.cascade, null=True, index=True),
        section=ForeignKey(references=Section, on_delete=OnDelete.cascade, null=True, index=True),
    )

    # --------------------------------------------------------------------------------------------
    # Auth (tables/auth.py). Accounts, roles, server-side sessions and failed-login records.
    # --------------------------------------------------------------------------------------------

    # A login, linked to at most one person.
    add_table(manager, "UserAccount", "user_account",
        username=Varchar(length=64, unique=True),
        password_hash=Varchar(secret=True),
        person=ForeignKey(references=Person, on_delete=OnDelete.restrict, null=True, unique=True),
        is_active=Boolean(default=True),
        created_at=Timestamptz(default=TimestamptzNow()),
        password_changed_at=Timestamptz(default=TimestamptzNow()),
    )

    # One role (staff / chief / leader / admin) held by an account; several per account.
    add_table(manager, "RoleGrant", "role_grant",
        account=ForeignKey(references=UserAccount, on_delete=OnDelete.cascade, null=True, index=True),
        role=Varchar(length=16),
    )

    # A login session, kept in the database so that every server process sees it.
    add_table(manager, "WebSession", "web_session",
        key=Varchar(length=128, unique=True),
        data=Bytea(),
        expires_at=Timestamptz(default=None, null=True, index=True),
    )

    # A failed login attempt, counted for throttling per account and per address.
    add_table(manager, "LoginFailure", "login_failure",
        username=Varchar(length=64, index=True),
        address=Varchar(length=64, index=True),
        at=Timestamptz(default=TimestamptzNow(), index=True),
    )

    # --------------------------------------------------------------------------------------------
    # Audit (tables/audit.py). The append-only audit log.
    # --------------------------------------------------------------------------------------------

    # 审计日志: who changed which record when, with the old and new values (JSON text).
    # Append-only: see the triggers of SQLITE_APPEND_ONLY and POSTGRES_APPEND_ONLY above.
    add_table(manager, "AuditEntry", "audit_entry",
        at=Timestamptz(default=TimestamptzNow(), index=True),
        actor=ForeignKey(references=UserAccount, on_delete=OnDelete.restrict, null=True, index=True),
        actor_name=Varchar(length=64),
        action=Varchar(length=32, index=True),
        table_name=Varchar(length=64, index=True),
        record_id=Varchar(length=64, index=True),
        old_values=Text(),
        new_values=Text(),
        note=Text(),
    )

    # --------------------------------------------------------------------------------------------
    # Calendar (tables/calendar.py). The working calendar: years with holiday data, and the dates
    # that differ from Mon–Fri.
    # --------------------------------------------------------------------------------------------

    # A year the calendar has holiday data for (seeded or declared by an admin).
    add_table(manager, "CalendarYear", "calendar_year",
        year=Integer(unique=True),
        source=Varchar(length=32, default='chinese-calendar'),
    )

    # A public holiday (kind "holiday") or an official make-up working day (kind "workday").
    add_table(manager, "CalendarDay", "calendar_day",
        day=Date(default=DateNow(), unique=True),
        kind=Varchar(length=16),
        name=Varchar(length=50),
        source=Varchar(length=32, default='chinese-calendar'),
    )

    # --------------------------------------------------------------------------------------------
    # Commitments (tables/commitments.py). The service-commitment catalogue (服务承诺事项), versioned by
    # effective date.
    # --------------------------------------------------------------------------------------------

    # A public service item of a section.
    add_table(manager, "Commitment", "commitment",
        section=ForeignKey(references=Section, on_delete=OnDelete.restrict, null=True, index=True),
        name=Varchar(length=100),
        is_active=Boolean(default=True),
        created_at=Timestamptz(default=TimestamptzNow()),
    )

    # The promise of an item from a date on. A matter keeps the version it was registered under, so
    # a later change of limit never moves an existing deadline.
    add_table(manager, "CommitmentVersion", "commitment_version",
        commitment=ForeignKey(references=Commitment, on_delete=OnDelete.cascade, null=True, index=True),
        effective_from=Date(default=DateNow()),
        limit_kind=Varchar(length=16),
        limit_days=Integer(),
        standard=Text(),
        materials=Text(),
        complaint_channel=Varchar(length=200),
        created_at=Timestamptz(default=TimestamptzNow()),
    )

    # --------------------------------------------------------------------------------------------
    # Matters (tables/matters.py). 办件: matters under first-inquiry responsibility, their immutable
    # timeline and extensions.
    # --------------------------------------------------------------------------------------------

    # A matter registered by its first receiver (首问责任人), who owns it until a named handler accepts a
    # transfer.
    # Two more indexes of several columns, for closing a quarter and the dashboard: see above.
    add_table(manager, "Matter", "matter",
        channel=Varchar(length=16),
        requester=Varchar(length=100),
        requester_contact=Varchar(length=100),
        subject=Varchar(length=200),
        content=Text(),
        commitment_version=ForeignKey(references=CommitmentVersion, on_delete=OnDelete.restrict, null=True),
        limit_days=Integer(),
        first_receiver=ForeignKey(references=Person, on_delete=OnDelete.restrict, null=True, index=True),
        owner=ForeignKey(references=Person, on_delete=OnDelete.restrict, null=True, index=True),
        section=ForeignKey(references=Section, on_delete=OnDelete.restrict, null=True, index=True),
        pending_to=ForeignKey(references=Person, on_delete=OnDelete.restrict, null=True, index=True),
        pending_since=Date(default=None, null=True),
        pending_due_on=Date(default=None, null=True),
        status=Varchar(length=16, index=True),
        accepted_on=Date(default=DateNow()),
        due_on=Date(default=DateNow(), index=True),
        yellow_on=Date(default=DateNow(), index=True),
        paused_since=Timestamptz(default=None, null=True),
        paused_days=Integer(),
        extensions=Integer(),
        completed_at=Timestamptz(default=None, null=True),
        result=Text(),
        satisfaction=Varchar(length=16),
        created_at=Timestamptz(default=TimestamptzNow(), index=True),
    )

    # One step of a matter's timeline; database triggers refuse to change or delete it.
    add_table(manager, "MatterEvent", "matter_event",
        matter=ForeignKey(references=Matter, on_delete=OnDelete.restrict, null=True, index=True),
        at=Timestamptz(default=TimestamptzNow()),
        actor=ForeignKey(references=Person, on_delete=OnDelete.restrict, null=True),
        kind=Varchar(length=24, index=True),
        to_person=ForeignKey(references=Person, on_delete=OnDelete.restrict, null=True),
        due_on=Date(default=None, null=True),
        note=Text(),
    )

    # 延期申请: asked by the handler before the due date, decided by a leader.
    add_table(manager, "ExtensionRequest", "extension_request",
        matter=ForeignKey(references=Matter, on_delete=OnDelete.restrict, null=True, index=True),
        requested_by=ForeignKey(references=Person, on_delete=OnDelete.restrict, null=True),
        requested_at=Timestamptz(default=TimestamptzNow()),
        reason=Text(),
        new_due_on=Date(default=DateNow()),
        status=Varchar(length=16, default='pending', index=True),
        decided_by=ForeignKey(references=Person, on_delete=OnDelete.restrict, null=True),
        decided_at=Timestamptz(default=None, null=True),
        decision_note=Text(),
    )

    # --------------------------------------------------------------------------------------------
    # Inbox (tables/inbox.py). Notifications: warnings, transfers awaiting acceptance, chases and
    # decisions for a person.
    # --------------------------------------------------------------------------------------------

    # One message in a person's inbox. `key` makes the sweep idempotent: the same reminder for the
    # same matter and due date is written once however often the sweep runs.
    add_table(manager, "Notification", "notification",
        recipient=ForeignKey(references=Person, on_delete=OnDelete.cascade, null=True, index=True),
        key=Varchar(length=120, unique=True),
        # No index on kind, created_at or read_at: no query reads by them, and closing a quarter
        # writes a notification for each of 10,000 people (5-12 % faster without them).
        kind=Varchar(length=24),
        matter=ForeignKey(references=Matter, on_delete=OnDelete.cascade, null=True),
        title=Varchar(length=200),
        body=Text(),
        created_at=Timestamptz(default=TimestamptzNow()),
        read_at=Timestamptz(default=None, null=True),
    )

    # --------------------------------------------------------------------------------------------
    # Accountability (tables/accountability.py). 责任追究: the office's list of forms and the
    # accountability records.
    # --------------------------------------------------------------------------------------------

    # A form of accountability with its default score deduction; the office edits the list.
    add_table(manager, "AccountabilityForm", "accountability_form",
        code=Varchar(length=32, unique=True),
        name=Varchar(length=50),
        deduction=Float(),
        disqualifies=Boolean(),
        blocks_excellent=Boolean(),
        sort_order=Integer(),
        is_active=Boolean(default=True),
    )

    # 问责记录: proposed → decided (and notified) → appealed → final, or dismissed.
    add_table(manager, "AccountabilityRecord", "accountability_record",
        person=ForeignKey(references=Person, on_delete=OnDelete.restrict, null=True, index=True),
        section=ForeignKey(references=Section, on_delete=OnDelete.restrict, null=True, index=True),
        trigger=Varchar(length=16),
        matter=ForeignKey(references=Matter, on_delete=OnDelete.restrict, null=True, index=True),
        source_key=Varchar(length=100, default=None, null=True, unique=True),
        description=Text(),
        status=Varchar(length=16, index=True),
        proposed_by=ForeignKey(references=Person, on_delete=OnDelete.restrict, null=True),
        proposed_at=Timestamptz(default=TimestamptzNow()),
        form=ForeignKey(references=AccountabilityForm, on_delete=OnDelete.restrict, null=True),
        points=Float(),
        decision_reason=Text(),
        decided_by=ForeignKey(references=Person, on_delete=OnDelete.restrict, null=True),
        decided_on=Date(default=None, null=True, index=True),
        appeal_deadline=Date(default=None, null=True),
        appeal_reason=Text(),
        appealed_at=Timestamptz(default=None, null=True),
        appeal_result=Varchar(length=16),
        appeal_note=Text(),
        appeal_decided_by=ForeignKey(references=Person, on_delete=OnDelete.restrict, null=True),
    )

    # --------------------------------------------------------------------------------------------
    # Supervision (tables/supervision.py). 督查督办: supervised items, their sections and their progress
    # trail.
    # --------------------------------------------------------------------------------------------

    # A supervised item, numbered 督〔YYYY〕N号 (unique per year).
    add_table(manager, "SupervisionItem", "supervision_item",
        number=Varchar(length=32, unique=True),
        year=Integer(index=True),
        seq=Integer(),
        source=Varchar(length=16),
        title=Varchar(length=200),
        requirement=Text(),
        lead_section=ForeignKey(references=Section, on_delete=OnDelete.restrict, null=True, index=True),
        responsible_leader=ForeignKey(references=Person, on_delete=OnDelete.restrict, null=True),
        responsible_person=ForeignKey(references=Person, on_delete=OnDelete.restrict, null=True, index=True),
        started_on=Date(default=DateNow()),
        deadline=Date(default=DateNow(), index=True),
        yellow_on=Date(default=DateNow(), index=True),
        status=Varchar(length=16, index=True),
        completed_on=Date(default=None, null=True),
        created_at=Timestamptz(default=TimestamptzNow()),
    )

    # An assisting section (协办科室) of an item.
    add_table(manager, "SupervisionAssist", "supervision_assist",
        item=ForeignKey(references=SupervisionItem, on_delete=OnDelete.cascade, null=True, index=True),
        section=ForeignKey(references=Section, on_delete=OnDelete.restrict, null=True, index=True),
    )

    # One entry of an item's trail: progress, a 督办 notice, review decisions, completion.
    add_table(manager, "SupervisionReport", "supervision_report",
        item=ForeignKey(references=SupervisionItem, on_delete=OnDelete.restrict, null=True, index=True),
        at=Timestamptz(default=TimestamptzNow()),
        author=ForeignKey(references=Person, on_delete=OnDelete.restrict, null=True),
        kind=Varchar(length=16),
        note=Text(),
        deadline=Date(default=None, null=True),
    )

    # --------------------------------------------------------------------------------------------
    # Targets (tables/targets.py). 目标管理: the target tree (office → section → person) and its
    # progress reports.
    # --------------------------------------------------------------------------------------------

    # A target of one year at one level; `weight` is its share of the parent (siblings sum to 100).
    add_table(manager, "Target", "target",
        year=Integer(index=True),
        parent=ForeignKey(references='self', on_delete=OnDelete.restrict, null=True, index=True),
        level=Varchar(length=16),
        section=ForeignKey(references=Section, on_delete=OnDelete.restrict, null=True, index=True),
        owner=ForeignKey(references=Person, on_delete=OnDelete.restrict, null=True, index=True),
        title=Varchar(length=200),
        weight=Float(),
        indicator_kind=Varchar(length=16),
        target_value=Float(default=None, null=True),
        unit=Varchar(length=20),
        due_on=Date(default=None, null=True),
        quality=Text(),
        status=Varchar(length=16, default='active', index=True),
        completion=Float(default=None, null=True),
        sort_order=Integer(),
        created_at=Timestamptz(default=TimestamptzNow()),
    )

    # A progress report with its evidence note.
    add_table(manager, "TargetProgress", "target_progress",
        target=ForeignKey(references=Target, on_delete=OnDelete.restrict, null=True, index=True),
        at=Timestamptz(default=TimestamptzNow()),
        author=ForeignKey(references=Person, on_delete=OnDelete.restrict, null=True),
        completion=Float(),
        actual=Float(default=None, null=True),
        evidence=Text(),
    )

    # --------------------------------------------------------------------------------------------
    # Appraisal (tables/appraisal.py). 绩效考核: settings, indicator templates, periods, the people
    # appraised, score cells, bonuses, unit submissions and the commendation list.
    # --------------------------------------------------------------------------------------------

    # A named office setting as JSON (e.g. the appraisal policy); edits are audited.
    add_table(manager, "OfficeSetting", "office_setting",
        key=Varchar(length=64, unique=True),
        value=Text(),
    )

    # A version of the indicator template (德能勤绩廉 with sub-items) as JSON; a period keeps the version
    # it opened with.
    add_table(manager, "IndicatorTemplate", "indicator_template",
        version=Integer(unique=True),
        indicators=Text(),
        note=Varchar(length=200),
        created_at=Timestamptz(default=TimestamptzNow()),
    )

    # A quarter or a year of appraisal with its lifecycle.
    add_table(manager, "Period", "appraisal_period",
        code=Varchar(length=16, unique=True),
        kind=Varchar(length=8),
        year=Integer(index=True),
        quarter=Integer(),
        template=ForeignKey(references=IndicatorTemplate, on_delete=OnDelete.restrict, null=True),
        policy=Text(),
        status=Varchar(length=16, default='draft'),
        excellent_approval=Varchar(length=200),
        created_at=Timestamptz(default=TimestamptzNow()),
    )

    # One person appraised in one period, with what is frozen when their unit is submitted.
    add_table(manager, "Appraisee", "appraisee",
        # No index of its own: appraisee_period_unit (COMMON_INDEXES above) serves a lookup by period too.
        period=ForeignKey(references=Period, on_delete=OnDelete.restrict, null=True),
        person=ForeignKey(references=Person, on_delete=OnDelete.restrict, null=True, index=True),
        section=ForeignKey(references=Section, on_delete=OnDelete.restrict, null=True, index=True),
        pool=Varchar(length=8),
        unit=Varchar(length=24),
        self_summary=Text(),
        self_summary_at=Timestamptz(default=None, null=True),
        comment=Text(),
        grade_choice=Varchar(length=16),
        total=Float(default=None, null=True),
        grade=Varchar(length=16),
        breakdown=Text(),
        committee_opinion=Text(),
        remarks=Text(),
        notified_on=Date(default=None, null=True),
    )

    # One cell of the grid; `version` guards against stale writes from another tab or user.
    add_table(manager, "ScoreCell", "score_cell",
        appraisee=ForeignKey(references=Appraisee, on_delete=OnDelete.restrict, null=True, index=True),
        indicator=Varchar(length=16),
        value=Float(default=None, null=True),
        version=Integer(),
        updated_at=Timestamptz(default=None, null=True),
        updated_by=ForeignKey(references=Person, on_delete=OnDelete.restrict, null=True),
    )

    # A unit's scores submitted by its scorer (the quota is checked then).
    add_table(manager, "UnitSubmission", "unit_submission",
        period=ForeignKey(references=Period, on_delete=OnDelete.restrict, null=True, index=True),
        unit=Varchar(length=24),
        submitted_by=ForeignKey(references=Person, on_delete=OnDelete.restrict, null=True),
        submitted_at=Timestamptz(default=TimestamptzNow()),
    )

    # A bonus (加分): a commendation or 信息采用, counted in the period of its date, up to a cap.
    add_table(manager, "Bonus", "bonus",
        person=ForeignKey(references=Person, on_delete=OnDelete.restrict, null=True, index=True),
        awarded_on=Date(default=DateNow(), index=True),
        kind=Varchar(length=16),
        points=Float(),
        note=Varchar(length=200),
        is_void=Boolean(),
    )

    # 评优选先: the list a leader confirmed for a year.
    add_table(manager, "Commendation", "commendation",
        year=Integer(unique=True),
        people=Text(),
        confirmed_by=ForeignKey(references=Person, on_delete=OnDelete.restrict, null=True),
        confirmed_at=Timestamptz(default=TimestamptzNow()),
        note=Text(),
    )

    # --------------------------------------------------------------------------------------------
    # Reports (tables/reports.py). Report jobs: long renders (the commendation bundle) run in the
    # background; their state lives in the database so that any server process can report the
    # progress of any job.
    # --------------------------------------------------------------------------------------------

    # A background report: queued → running → done | failed, with `done` of `total` steps.
    add_table(manager, "ReportJob", "report_job",
        kind=Varchar(length=16),
        params=Text(),
        status=Varchar(length=16, default='queued', index=True),
        total=Integer(),
        done=Integer(),
        message=Varchar(length=200),
        file_name=Varchar(length=200),
        file_key=Varchar(length=80),
        error=Text(),
        requested_by=ForeignKey(references=Person, on_delete=OnDelete.restrict, null=True),
        created_at=Timestamptz(default=TimestamptzNow()),
        updated_at=Timestamptz(default=TimestamptzNow()),
        finished_at=Timestamptz(default=None, null=True),
    )

    return manager
