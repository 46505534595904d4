"""Roster import from .xlsx or .csv: all rows or none, with every bad row reported."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass

import anyio

from openpyxl import load_workbook

from appraisal.db.tables import Person, Section, UserAccount
from appraisal.db.transaction import atomic
from appraisal.domain.people import pinyin_key
from appraisal.domain.roster import MAX_ROWS, RosterFormatError, validate_roster
from appraisal.errors import InvalidInput
from appraisal.i18n import _
from appraisal.scopes import Principal, Role, require_role
from appraisal.services import accounts, audit

MAX_FILE_BYTES = 5 * 1024 * 1024
# An .xlsx is a zip: 5 MB of it can hold gigabytes of sheet (a "zip bomb", or a sheet whose
# formatting reaches row 1,048,576), and reading a million rows took 28 s and 290 MB here. A
# roster or a target tree of 5,000 rows is a few MB unpacked.
MAX_UNPACKED_BYTES = 20 * 1024 * 1024
MAX_COLUMNS = 64


@dataclass
class ImportResult:
    rows: int = 0
    created_people: int = 0
    created_accounts: int = 0


def _unreadable_xlsx() -> InvalidInput:
    return InvalidInput(_("无法读取该 Excel 文件，请确认是 .xlsx 格式"), code="bad_file")


def _blank(row: list[object]) -> bool:
    return all(v is None or str(v).strip() == "" for v in row)


def _rows_up_to(rows: Iterable[Iterable[object]], max_rows: int) -> list[list[object]]:
    """The header and up to `max_rows` rows after it, blank ones included (so that row numbers
    stay the sheet's), trailing blank rows dropped. One non-blank row beyond the limit is kept,
    so that the caller can say the file has too many."""
    kept: list[list[object]] = []
    last = 0  # the number of rows up to the last non-blank one
    for row in rows:
        row = list(row)
        if len(kept) <= max_rows:
            kept.append(row)
            if not _blank(row):
                last = len(kept)
        elif not _blank(row):
            kept = kept[:last] + [row]
            return kept
    return kept[:last]


def read_rows(filename: str, content: bytes, max_rows: int = MAX_ROWS) -> list[list[object]]:
    """The cells of the first sheet of an .xlsx, or of a .csv in UTF-8 or GBK: the header and up
    to `max_rows` rows (one more when there are more). Blocking work: call it in a thread."""
    if len(content) > MAX_FILE_BYTES:
        raise InvalidInput(_("文件超过 5 MB，请拆分后导入"), code="file_too_large")
    name = filename.lower()
    if name.endswith(".xlsx"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                unpacked = sum(info.file_size for info in archive.infolist())
        except (zipfile.BadZipFile, OSError) as exc:
            raise _unreadable_xlsx() from exc
        if unpacked > MAX_UNPACKED_BYTES:
            raise InvalidInput(_("该 Excel 文件解压后超过 {n} MB，请删除空行和多余格式，或拆分后导入").format(
                n=MAX_UNPACKED_BYTES // (1024 * 1024)), code="file_too_large")
        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
            raise _unreadable_xlsx() from exc
        try:
            sheet = workbook.worksheets[0]
            return _rows_up_to(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), max_rows)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:  # a part that does not unpack
            raise _unreadable_xlsx() from exc
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
        try:
            return _rows_up_to(csv.reader(io.StringIO(text)), max_rows)
        except csv.Error as exc:
            raise InvalidInput(_("无法读取该 CSV 文件：{e}").format(e=exc), code="bad_file") from exc
    raise InvalidInput(_("只支持 .xlsx 或 .csv 文件"), code="bad_file_type")


async def import_roster(actor: Principal, filename: str, content: bytes, *, password: str, dry_run: bool = False) -> ImportResult:
    """Validate every row; when all are good (and not a dry run), create the people and
    accounts in one transaction. Any bad row: InvalidInput listing every error, nothing stored."""
    require_role(actor, Role.ADMIN)
    rows = await anyio.to_thread.run_sync(read_rows, filename, content)
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
    password_hash = await accounts.hashed(password)
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
