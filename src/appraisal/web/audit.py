"""The audit log page (admin): every entry in the office's words."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from litestar import Request, get
from litestar.params import FromQuery
from litestar.response import Template

from appraisal.domain.accountability import TRIGGERS
from appraisal.domain.appraisal import GRADE_LABELS, POOL_LABELS, STATUS_LABELS as PERIOD_STATUS_LABELS
from appraisal.domain.calendar import DAY_KIND_LABELS, LOCAL_TZ
from appraisal.domain.commitments import LIMIT_KIND_LABELS
from appraisal.domain.people import GENDERS, pinyin_key
from appraisal.domain.targets import INDICATOR_LABELS, LEVEL_LABELS, STATUS_LABELS as TARGET_STATUS_LABELS
from appraisal.i18n import _
from appraisal.scopes import ROLE_LABELS
from appraisal.security import admin_only
from appraisal.services import accountability, audit, calendar, matters, report_jobs, supervision
from appraisal.web.common import Pager, local_time, page, pager_for

# The audited tables, steps and actors without an account, as the appraisal office names them.
TABLE_LABELS = {
    "accountability_form": _("问责方式"), "accountability_record": _("责任追究"), "appraisal_period": _("考核期"),
    "appraisee": _("考核对象"), "bonus": _("加分"), "calendar_day": _("工作日历"), "calendar_year": _("工作日历年度"),
    "commendation": _("评优选先"), "commitment": _("服务承诺"), "commitment_version": _("服务承诺版本"),
    "extension_request": _("延期申请"), "indicator_template": _("考核指标"), "leader_section": _("分管科室"),
    "matter": _("办件"), "matter_event": _("办件记录"), "office_setting": _("考核设置"), "person": _("人员"),
    "report_job": _("报表任务"), "role_grant": _("角色"), "score_cell": _("评分"), "section": _("科室"),
    "supervision_assist": _("协办科室"), "supervision_item": _("督办事项"), "supervision_report": _("督办进展"),
    "target": _("目标"), "target_progress": _("目标进展"), "unit_submission": _("评分提交"), "user_account": _("账号"),
}
# Each audited field by its name on the forms (the column's name is shown beside it on hover).
FIELD_LABELS = {
    "accepted_on": _("受理日期"), "account": _("账号"), "actor": _("操作人"), "actual": _("实际完成"),
    "appeal_deadline": _("申诉期限"), "appeal_decided_by": _("申诉决定人"), "appeal_note": _("申诉处理意见"),
    "appeal_reason": _("申诉理由"), "appeal_result": _("申诉结果"), "appealed_at": _("申诉时间"),
    "appraisee": _("考核对象"), "at": _("时间"), "author": _("填报人"), "awarded_on": _("奖励日期"),
    "birth_date": _("出生日期"), "blocks_excellent": _("影响评优"), "breakdown": _("得分明细"), "channel": _("来源"),
    "code": _("代码"), "comment": _("评语"), "commitment": _("服务承诺"), "commitment_version": _("承诺版本"),
    "committee_opinion": _("考核委员会意见"), "complaint_channel": _("投诉渠道"), "completed_at": _("办结时间"),
    "completed_on": _("完成日期"), "completion": _("完成度"), "confirmed_at": _("确认时间"), "confirmed_by": _("确认人"),
    "content": _("内容"), "created_at": _("建立时间"), "day": _("日期"), "deadline": _("期限"),
    "decided_at": _("决定时间"), "decided_by": _("决定人"), "decided_on": _("决定日期"), "decision_note": _("审批意见"),
    "decision_reason": _("决定理由"), "deduction": _("扣分"), "description": _("情况说明"),
    "disqualifies": _("取消评优资格"), "done": _("已完成"), "due_on": _("办结期限"), "duties": _("从事或分管的工作"),
    "effective_from": _("生效日期"), "error": _("错误"), "evidence": _("佐证"), "excellent_approval": _("优秀比例审批"),
    "extensions": _("延期次数"), "file_key": _("文件标识"), "file_name": _("文件名"), "finished_at": _("完成时间"),
    "first_receiver": _("首问责任人"), "form": _("追究形式"), "gender": _("性别"), "grade": _("等次"), "grade_choice": _("等次选择"), "id": _("记录号"), "indicator": _("指标"),
    "indicator_kind": _("指标类型"), "indicators": _("指标"), "is_active": _("启用"), "is_void": _("作废"),
    "item": _("督办事项"), "key": _("标识"), "kind": _("类型"), "lead_section": _("牵头科室"), "leader": _("领导"),
    "level": _("层级"), "limit_days": _("时限（工作日）"), "limit_kind": _("时限类型"), "materials": _("所需材料"),
    "matter": _("办件"), "message": _("进度说明"), "name": _("名称"), "name_pinyin": _("拼音"), "new_due_on": _("申请延至"), "note": _("说明"),
    "notified_on": _("通知日期"), "number": _("文号"), "owner": _("责任人"), "params": _("参数"), "parent": _("上级目标"),
    "password_changed_at": _("密码修改时间"), "password_hash": _("密码"), "paused_days": _("中止天数"),
    "paused_since": _("中止起始"), "pending_due_on": _("签收期限"), "pending_since": _("转办时间"),
    "pending_to": _("待签收人"), "people": _("人员"), "period": _("考核期"), "person": _("人员"), "points": _("分值"),
    "policy": _("考核规则"), "political_status": _("政治面貌"), "pool": _("考核类别"), "post_rank": _("职务职级"),
    "proposed_at": _("提出时间"), "proposed_by": _("提出人"), "quality": _("质量要求"), "quarter": _("季度"),
    "reason": _("理由"), "remarks": _("备注"), "requested_at": _("申请时间"), "requested_by": _("申请人"),
    "requester": _("来件人"), "requester_contact": _("联系方式"), "requirement": _("要求"),
    "responsible_leader": _("责任领导"), "responsible_person": _("责任人"), "result": _("办理结果"), "role": _("角色"),
    "roles": _("角色"), "satisfaction": _("满意度"), "section": _("科室"), "sections": _("分管科室"),
    "self_summary": _("个人总结"), "self_summary_at": _("总结时间"), "seq": _("序号"), "sort_order": _("排序号"),
    "source": _("来源"), "source_key": _("来源标识"), "standard": _("办理标准"), "started_on": _("开始日期"),
    "status": _("状态"), "subject": _("事由"), "submitted_at": _("提交时间"), "submitted_by": _("提交人"),
    "target": _("目标"), "target_value": _("目标值"), "template": _("指标模板"), "title": _("标题"),
    "to_person": _("转办给"), "total": _("总分"), "trigger": _("触发原因"), "unit": _("考核单元"),
    "updated_at": _("修改时间"), "updated_by": _("修改人"), "username": _("用户名"), "value": _("分值"),
    "version": _("版本"), "weight": _("权重"), "year": _("年度"), "yellow_on": _("预警日期"),
}
# Coded values as the pages name them, by "table.field" (a list, such as an account's roles, item by item).
CODED_VALUES = {
    "accountability_record.status": accountability.STATUS_LABELS, "accountability_record.trigger": TRIGGERS,
    "accountability_record.appeal_result": accountability.APPEAL_RESULTS,
    "appraisal_period.status": PERIOD_STATUS_LABELS, "appraisee.grade": GRADE_LABELS,
    "appraisee.grade_choice": GRADE_LABELS, "appraisee.pool": POOL_LABELS, "calendar_day.kind": DAY_KIND_LABELS,
    "calendar_year.source": calendar.SOURCES, "commitment_version.limit_kind": LIMIT_KIND_LABELS,
    "matter.channel": matters.CHANNELS, "matter.satisfaction": matters.SATISFACTION, "matter.status": matters.STATUS_LABELS,
    "matter_event.kind": matters.EVENT_LABELS, "person.gender": GENDERS,
    "report_job.status": report_jobs.STATUS_LABELS, "role_grant.roles": {r.value: label for r, label in ROLE_LABELS.items()},
    "supervision_item.source": supervision.SOURCES, "supervision_item.status": supervision.STATUS_LABELS,
    "supervision_report.kind": supervision.REPORT_KINDS, "target.indicator_kind": INDICATOR_LABELS, "target.level": LEVEL_LABELS,
    "target.status": TARGET_STATUS_LABELS,
}
# The filter offers them in pinyin order, as the office's lists are ordered.
TABLE_CHOICES = sorted(TABLE_LABELS.items(), key=lambda item: pinyin_key(item[1]))
ACTION_LABELS, SYSTEM_ACTORS = audit.ACTION_LABELS, audit.SYSTEM_ACTORS


AUDIT_VALUE_CHARS = 200


def audit_value(value: Any, labels: dict[Any, str] | None = None) -> str:
    """One audited value as people read it: empty and yes/no in words, a code or a record's id by
    its name in `labels` (a list item by item), a time in Asia/Shanghai, Chinese characters as
    they are (not \\u escapes), and a long text cut short with its length."""
    if value is None or value == "":
        return _("（空）")
    if isinstance(value, bool):  # before the labels: True would match an id 1
        return _("是") if value else _("否")
    if isinstance(value, float):
        return f"{value:g}"  # 1 point, not 1.0
    if labels:
        items = value if isinstance(value, list) else [value]
        if items and all(isinstance(v, (str, int)) and not isinstance(v, bool) and v in labels for v in items):
            return "、".join(labels[v] for v in items)
    if isinstance(value, str) and len(value) >= 25 and value[10:11] == "T":  # a stored time, UTC
        try:
            return local_time(dt.datetime.fromisoformat(value), "%Y-%m-%d %H:%M:%S")
        except ValueError:
            pass
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    if len(text) > AUDIT_VALUE_CHARS:
        return _("{start}…（共 {n} 字）").format(start=text[:AUDIT_VALUE_CHARS], n=len(text))
    return text


# The page of a record, by its table: the record itself, or (a step, a report, a score) the
# record it belongs to, named by one of its fields. Tables without a page of their own are not linked.
PAGES = {
    "matter": "/matters/{}", "person": "/admin/people/{}", "appraisee": "/appraisal/people/{}",
    "appraisal_period": "/appraisal/{}", "supervision_item": "/supervision/{}",
    "accountability_record": "/accountability/{}", "report_job": "/reports/jobs/{}", "section": "/admin/sections",
    "commitment": "/admin/commitments", "commitment_version": "/admin/commitments", "target": "/targets",
    "target_progress": "/targets", "calendar_year": "/calendar?year={}", "indicator_template": "/admin/appraisal",
    "office_setting": "/admin/appraisal",
}
BELONGS_TO = {
    "matter_event": ("matter", "matter"), "extension_request": ("matter", "matter"),
    "supervision_report": ("item", "supervision_item"), "supervision_assist": ("item", "supervision_item"),
    "score_cell": ("appraisee", "appraisee"), "user_account": ("person", "person"),
    "bonus": ("person", "person"), "leader_section": ("leader", "person"),
}
# Fields of use to the assessor only (keys, hashes, stored parameters): kept under 技术详情.
TECHNICAL_FIELDS = {"file_key", "source_key", "params", "name_pinyin", "password_hash", "breakdown", "policy", "error"}


def page_of(table: str, record_id: Any) -> str | None:
    """The address of a record's page, where it has one."""
    pattern = PAGES.get(table)
    if pattern is None or (record_id in (None, "") and "{}" in pattern):
        return None
    return pattern.format(record_id)


def _shown(table: str, name: str, value: Any, names: dict[str, dict[int, str]]) -> tuple[str, str | None]:
    """One field's value as the pages would show it (another record by its name, a code by its
    label, the rest as `audit_value` reads it) and the page of the record it names, if any."""
    key = f"{table}.{name}"
    referred = audit.REFERENCES.get(key)
    if referred is None and key in _ID_FIELDS:
        referred = _ID_FIELDS[key]
    labels = names.get(referred._meta.tablename) if referred is not None else CODED_VALUES.get(key)
    link = page_of(referred._meta.tablename, value) if referred is not None and isinstance(value, int) else None
    if key in _ID_FIELDS and isinstance(value, int) and not isinstance(value, bool):
        return _("第 {n} 号").format(n=value), link  # a record without a name: by its number
    return audit_value(value, labels), link


# Fields naming a record that has no name to show (an appraisee, a version of a service
# promise): its number, linked to its page all the same.
_ID_FIELDS = {f"{t._meta.tablename}.{c._meta.name}": c._foreign_key_meta.resolved_references
              for t in audit.TABLES_BY_NAME.values() for c in t._meta.foreign_key_columns
              if f"{t._meta.tablename}.{c._meta.name}" not in audit.REFERENCES}


def _changes(e: dict, names: dict[str, dict[int, str]]) -> tuple[list[dict], dict[str, tuple[Any, Any]]]:
    """An entry's fields as before → after rows under the forms' names, and apart from them the
    technical fields (raw values) for the assessor."""
    old, new = e["old_values"] or {}, e["new_values"] or {}
    rows, technical = [], {}
    for name in sorted(set(old) | set(new)):
        if name in TECHNICAL_FIELDS or (name == "id" and e["action"] != "delete"):
            technical[name] = (old.get(name), new.get(name))
            continue
        if e["action"] != "update" and (old.get(name) if e["action"] == "delete" else new.get(name)) in (None, ""):
            continue  # an empty field of a record created or deleted says nothing
        before = _shown(e["table_name"], name, old[name], names) if name in old else None
        after = _shown(e["table_name"], name, new[name], names) if name in new else None
        raw = [v for side, v in ((before, old.get(name)), (after, new.get(name))) if side is not None]
        if any(isinstance(v, dict) or (isinstance(v, list) and shown[0].startswith("["))
               for v, shown in zip(raw, [s for s in (before, after) if s is not None])):
            technical[name] = (old.get(name), new.get(name))  # a stored structure: not for reading here
            continue
        rows.append({"name": name, "label": FIELD_LABELS.get(name, name), "before": before, "after": after})
    return rows, technical


def _record(e: dict, own_names: dict[str, dict[int, str]], names: dict[str, dict[int, str]]) -> dict:
    """What an entry is about: its kind, its name (or number) and its page."""
    table, record_id = e["table_name"], str(e["record_id"])
    kind = TABLE_LABELS.get(table, table)
    number = int(record_id) if record_id.isdigit() else None
    name = own_names.get(table, {}).get(number) if number is not None else None
    link = page_of(table, number) if number is not None else None
    if table == "calendar_day":
        day = (e["new_values"] or e["old_values"] or {}).get("day") or ""
        link = f"/calendar?year={day[:4]}&month={int(day[5:7])}" if len(day) >= 7 else "/calendar"
        name = day or None
    elif table in BELONGS_TO:
        field, parent = BELONGS_TO[table]
        parent_id = (e["new_values"] or e["old_values"] or {}).get(field)
        if isinstance(parent_id, int):
            link = page_of(parent, parent_id)
            parent_name = names.get(parent, {}).get(parent_id)
            name = name or (f"{TABLE_LABELS.get(parent, parent)} {parent_name}" if parent_name else None)
    label = name or (_("{kind}第 {n} 号").format(kind=kind, n=record_id) if record_id else kind)
    return {"kind": kind, "label": label, "link": link}


async def _with_fields(entries: list[dict]) -> list[dict]:
    """Each entry with its record (name, page), its changes and its technical details."""
    names = await audit.referenced_names(entries)
    own_names = await audit.record_names(entries)
    for e in entries:
        e["changes"], e["technical"] = _changes(e, names)
        e["record"] = _record(e, own_names, names)
        e["technical_json"] = {k: json.dumps(v, ensure_ascii=False, sort_keys=True) for k, v in e["technical"].items()}
    return entries


def _local_day(text: str, end: bool = False) -> dt.datetime | None:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return None
    if end:
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(), tzinfo=LOCAL_TZ)


@get("/admin/audit", guards=[admin_only], include_in_schema=False)
async def audit_page(
    request: Request, table: FromQuery[str] = "", actor: FromQuery[str] = "", record_id: FromQuery[str] = "",
    action: FromQuery[str] = "", since: FromQuery[str] = "", until: FromQuery[str] = "",
) -> Template:
    offset, limit = pager_for(request)
    filters = audit.AuditFilter(
        table_name=table[:64] or None, record_id=record_id[:64] or None, actor_name=actor[:64] or None,
        action=action[:32] or None, since=_local_day(since), until=_local_day(until, end=True),
    )
    rows, total = await audit.search(filters, offset=offset, limit=limit, with_person_id=True)
    context = dict(entries=await _with_fields(rows), pager=Pager(request, total), table=table, actor=actor,
                   record_id=record_id, action=action, since=since, until=until, tables=TABLE_LABELS,
                   table_choices=TABLE_CHOICES, actions=ACTION_LABELS, system_actors=SYSTEM_ACTORS)
    # htmx swaps just the result table when a filter changes.
    name = "admin/audit_rows.html" if request.headers.get("hx-request") else "admin/audit.html"
    return page(request, name, **context)
