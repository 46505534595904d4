"""All tables, one module per business area."""

from appraisal.db.tables.audit import AuditEntry
from appraisal.db.tables.auth import LoginFailure, RoleGrant, UserAccount, WebSession
from appraisal.db.tables.org import LeaderSection, Person, Section

ALL_TABLES = (
    Section,
    Person,
    LeaderSection,
    UserAccount,
    RoleGrant,
    WebSession,
    LoginFailure,
    AuditEntry,
)

__all__ = [
    "ALL_TABLES",
    "AuditEntry",
    "LeaderSection",
    "LoginFailure",
    "Person",
    "RoleGrant",
    "Section",
    "UserAccount",
    "WebSession",
]
