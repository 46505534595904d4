"""Roster import rules (人员名册导入): which columns, what a valid row is, and the error of each
bad row, named the way the person sees it in their spreadsheet (row numbers count the header as
row 1)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from appraisal.domain.calendar import today_local
from appraisal.domain.people import GENDER_BY_LABEL, name_problem, parse_date
from appraisal.domain.text import cell_problem
from appraisal.i18n import _
from appraisal.scopes import ROLE_LABELS

REQUIRED_COLUMNS = ("姓名", "性别", "科室")
OPTIONAL_COLUMNS = ("出生日期", "政治面貌", "职务职级", "用户名", "角色")
# A role is typed by its label (科员, 科长, 领导, 管理员), as the pages name it.
ROLE_BY_LABEL = {label: role.value for role, label in ROLE_LABELS.items()}
MAX_ROWS = 5000


@dataclass(frozen=True)
class RosterRow:
    row: int
    name: str
    gender: str
    section_name: str
    birth_date: dt.date | None
    political_status: str
    post_rank: str
    username: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class RowError:
    row: int
    message: str

    def __str__(self) -> str:
        return _("第 {row} 行：{message}").format(row=self.row, message=self.message)


class RosterFormatError(ValueError):
    """The file as a whole cannot be read as a roster (no header, missing columns, too big)."""


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def column_index(header: Sequence[object]) -> dict[str, int]:
    names = [_cell(h) for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        raise RosterFormatError(_("缺少必填列：{columns}").format(columns="、".join(missing)))
    return {name: i for i, name in enumerate(names) if name in REQUIRED_COLUMNS + OPTIONAL_COLUMNS}


def validate_roster(
    rows: Sequence[Sequence[object]],
    known_sections: Iterable[str],
    taken_usernames: Iterable[str],
) -> tuple[list[RosterRow], list[RowError]]:
    """`rows[0]` is the header. Returns the valid rows and every error; blank rows are skipped."""
    if not rows:
        raise RosterFormatError(_("文件是空的"))
    if len(rows) - 1 > MAX_ROWS:
        raise RosterFormatError(_("一次最多导入 {n} 行").format(n=MAX_ROWS))
    index = column_index(rows[0])
    sections = set(known_sections)
    taken = set(taken_usernames)
    seen_usernames: dict[str, int] = {}
    good: list[RosterRow] = []
    errors: list[RowError] = []

    for number, raw in enumerate(rows[1:], start=2):
        def get(column: str) -> object:
            i = index.get(column)
            return raw[i] if i is not None and i < len(raw) else None

        if all(_cell(v) == "" for v in raw):
            continue
        row_errors: list[str] = []
        row_errors += [problem for column, i in index.items()
                       if i < len(raw) and (problem := cell_problem(column, _cell(raw[i]))) is not None]
        name = _cell(get("姓名"))
        if (problem := name_problem(name)) is not None:
            row_errors.append(problem)
        gender_label = _cell(get("性别"))
        gender = GENDER_BY_LABEL.get(gender_label)
        if gender is None:
            row_errors.append(_("性别“{v}”应为“男”或“女”").format(v=gender_label))
        section_name = _cell(get("科室"))
        if section_name not in sections:
            row_errors.append(_("科室“{v}”不存在").format(v=section_name))
        birth_raw = get("出生日期")
        birth_date = None
        if _cell(birth_raw):
            birth_date = parse_date(birth_raw)
            if birth_date is None:
                row_errors.append(_("出生日期“{v}”不是有效日期").format(v=_cell(birth_raw)))
            elif not dt.date(1900, 1, 1) <= birth_date <= today_local():
                row_errors.append(_("出生日期“{v}”不合理").format(v=_cell(birth_raw)))
        political_status = _cell(get("政治面貌"))
        post_rank = _cell(get("职务职级"))
        if len(political_status) > 32:
            row_errors.append(_("政治面貌超过 32 个字符"))
        if len(post_rank) > 64:
            row_errors.append(_("职务职级超过 64 个字符"))
        username = _cell(get("用户名"))
        if username:
            if len(username) > 64:
                row_errors.append(_("用户名超过 64 个字符"))
            elif username in taken:
                row_errors.append(_("用户名“{v}”已被使用").format(v=username))
            elif username in seen_usernames:
                row_errors.append(
                    _("用户名“{v}”与第 {row} 行重复").format(v=username, row=seen_usernames[username])
                )
            else:
                seen_usernames[username] = number
        roles: list[str] = []
        for label in _cell(get("角色")).replace("，", ",").replace("、", ",").split(","):
            label = label.strip()
            if not label:
                continue
            if label not in ROLE_BY_LABEL:
                row_errors.append(_("角色“{v}”应为 科员、科长、领导 或 管理员").format(v=label))
            else:
                roles.append(ROLE_BY_LABEL[label])
        if roles and not username:
            row_errors.append(_("填写了角色但没有用户名"))

        if row_errors:
            errors.extend(RowError(number, message) for message in row_errors)
        else:
            good.append(
                RosterRow(
                    row=number,
                    name=name,
                    gender=gender or "",
                    section_name=section_name,
                    birth_date=birth_date,
                    political_status=political_status,
                    post_rank=post_rank,
                    username=username,
                    roles=tuple(dict.fromkeys(roles or (["staff"] if username else []))),
                )
            )
    return good, errors
