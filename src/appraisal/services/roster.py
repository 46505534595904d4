"""Roster import from .xlsx or .csv: all rows or none, with every bad row reported."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass

from openpyxl import load_workbook

from appraisal.db.tables import Person, Section, UserAccount
from appraisal.db.transaction import atomic
from appraisal.domain.people import pinyin_key
from appraisal.domain.roster import RosterFormatError, validate_roster
from appraisal.errors import InvalidInput
from appraisal.i18n import _
from appraisal.scopes import Principal, Role, require_role
from appraisal.services import accounts, audit

MAX_FILE_BYTES = 5 * 1024 * 1024


@dataclass
class ImportResult:
    rows: int = 0
    created_people: int = 0
    created_accounts: int = 0


def read_rows(filename: str, content: bytes) -> list[list[object]]:
    """The cells of the first sheet of an .xlsx, or of a .csv in UTF-8 or GBK."""
    if len(content) > MAX_FILE_BYTES:
        raise InvalidInput(_("文件超过 5 MB，请拆分后导入"), code="file_too_large")
    name = filename.lower()
    if name.endswith(".xlsx"):
        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
            raise InvalidInput(_("无法读取该 Excel 文件，请确认是 .xlsx 格式"), code="bad_file") from exc
        try:
            sheet = workbook.worksheets[0]
            return [list(row) for row in sheet.iter_rows(values_only=True)]
        finally:
            workbook.close()
    if name.endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:  # pragma: no cover - gb18030 decodes any byte string
            raise InvalidInput(_("无法识别 CSV 文件的编码"), code="bad_file")
        return [list(row) for row in csv.reader(io.StringIO(text))]
    raise InvalidInput(_("只支持 .xlsx 或 .csv 文件"), code="bad_file_type")


async def import_roster(actor: Principal, filename: str, content: bytes, *, password: str, dry_run: bool = False) -> ImportResult:
    """Validate every row; when all are good (and not a dry run), create the people and
    accounts in one transaction. Any bad row: InvalidInput listing every error, nothing stored."""
    require_role(actor, Role.ADMIN)
    rows = read_rows(filename, content)
    sections = {r["name"]: r["id"] for r in await Section.select(Section.id, Section.name).where(Section.is_active == True).run()}  # noqa: E712
    usernames = await UserAccount.select(UserAccount.username).output(as_list=True).run()
    try:
        good, errors = validate_roster(rows, sections.keys(), usernames)
    except RosterFormatError as exc:
        raise InvalidInput(str(exc), code="bad_roster") from exc
    if errors:
        raise InvalidInput(
            _("名册中有 {n} 处错误，未导入任何人员，请修改后重新导入").format(n=len(errors)),
            code="roster_rows_invalid",
            detail={"errors": [str(e) for e in errors]},
        )
    if not good:
        raise InvalidInput(_("文件中没有可导入的人员"), code="empty_roster")
    result = ImportResult(rows=len(good))
    if dry_run:
        return result
    accounts.check_password_policy(password)
    password_hash = accounts.hash_password(password)
    async with atomic():
        for row in good:
            person = await audit.insert(
                actor,
                Person(
                    name=row.name,
                    name_pinyin=pinyin_key(row.name),
                    gender=row.gender,
                    birth_date=row.birth_date,
                    political_status=row.political_status,
                    post_rank=row.post_rank,
                    section=sections[row.section_name],
                ),
                note=f"roster import {filename} row {row.row}",
            )
            result.created_people += 1
            if row.username:
                await accounts.create_account(
                    actor, row.username, None, [Role(r) for r in row.roles], person.id, password_hash=password_hash
                )
                result.created_accounts += 1
    return result
