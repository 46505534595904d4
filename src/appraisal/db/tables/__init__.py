"""All tables, one module per business area."""

from appraisal.db.tables.appraisal import (
    Appraisee, Bonus, Commendation, IndicatorTemplate, OfficeSetting, Period, ScoreCell, UnitSubmission,
)
from appraisal.db.tables.targets import Target, TargetProgress
from appraisal.db.tables.accountability import AccountabilityForm, AccountabilityRecord
from appraisal.db.tables.audit import AuditEntry
from appraisal.db.tables.commitments import Commitment, CommitmentVersion
from appraisal.db.tables.matters import ExtensionRequest, Matter, MatterEvent
from appraisal.db.tables.inbox import Notification
from appraisal.db.tables.supervision import SupervisionAssist, SupervisionItem, SupervisionReport
from appraisal.db.tables.calendar import CalendarDay, CalendarYear
from appraisal.db.tables.auth import LoginFailure, RoleGrant, UserAccount, WebSession
from appraisal.db.tables.org import LeaderSection, Person, Section
from appraisal.db.tables.reports import ReportJob

ALL_TABLES = (
    Section,
    Person,
    LeaderSection,
    UserAccount,
    RoleGrant,
    WebSession,
    LoginFailure,
    AuditEntry,
    CalendarYear,
    CalendarDay,
    Commitment,
    CommitmentVersion,
    Matter,
    MatterEvent,
    ExtensionRequest,
    Notification,
    AccountabilityForm,
    AccountabilityRecord,
    SupervisionItem,
    SupervisionAssist,
    SupervisionReport,
    Target,
    TargetProgress,
    OfficeSetting,
    IndicatorTemplate,
    Period,
    Appraisee,
    ScoreCell,
    UnitSubmission,
    Bonus,
    Commendation,
    ReportJob,
)

__all__ = [
    "ReportJob",
    "UnitSubmission",
    "TargetProgress",
    "Target",
    "ScoreCell",
    "Period",
    "OfficeSetting",
    "IndicatorTemplate",
    "Commendation",
    "Bonus",
    "Appraisee",
    "ALL_TABLES",
    "AccountabilityForm",
    "AccountabilityRecord",
    "AuditEntry",
    "CalendarDay",
    "CalendarYear",
    "Commitment",
    "CommitmentVersion",
    "ExtensionRequest",
    "Matter",
    "MatterEvent",
    "Notification",
    "LeaderSection",
    "LoginFailure",
    "Person",
    "RoleGrant",
    "Section",
    "SupervisionAssist",
    "SupervisionItem",
    "SupervisionReport",
    "UserAccount",
    "WebSession",
]
