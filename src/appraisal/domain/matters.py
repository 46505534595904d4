"""办件: the codes a matter carries — where it came from, how satisfied the requester was, its
status, the steps of its timeline and its light on the lists — each with its one label."""

from __future__ import annotations

from enum import StrEnum

from appraisal.domain import deadlines
from appraisal.i18n import _

CHANNELS = {"visit": _("来访"), "call": _("来电"), "letter": _("来信"), "online": _("网上"),
            "document": _("来文"), "referral": _("交办")}
SATISFACTION = {"satisfied": _("满意"), "basically": _("基本满意"), "unsatisfied": _("不满意")}
OPEN, PAUSED, COMPLETED = "open", "paused", "completed"
STATUS_LABELS = {OPEN: _("办理中"), PAUSED: _("已中止"), COMPLETED: _("已办结")}


class EventKind(StrEnum):
    REGISTER = "register"
    TRANSFER = "transfer"
    ACCEPT = "accept"
    RETURN = "return"
    PAUSE = "pause"
    RESUME = "resume"
    EXTENSION_REQUEST = "extension_request"
    EXTENSION_DECISION = "extension_decision"
    COMPLETE = "complete"
    FOLLOW_UP = "follow_up"
    SHIRK = "shirk"


# The steps of a matter's timeline (matter_event.kind) as the pages and the audit log name them.
EVENT_LABELS = {
    EventKind.REGISTER: _("登记"), EventKind.TRANSFER: _("转办"), EventKind.ACCEPT: _("签收"), EventKind.RETURN: _("退回"),
    EventKind.PAUSE: _("中止"), EventKind.RESUME: _("恢复"), EventKind.EXTENSION_REQUEST: _("申请延期"),
    EventKind.EXTENSION_DECISION: _("延期审批"), EventKind.COMPLETE: _("办结"), EventKind.FOLLOW_UP: _("回访"),
    EventKind.SHIRK: _("推诿报告"),
}
# A matter's light on the lists (`light_of`): the deadline's light while it runs, else its status.
LIGHT_LABELS = {**deadlines.LIGHT_LABELS, PAUSED: STATUS_LABELS[PAUSED], "done": STATUS_LABELS[COMPLETED]}
