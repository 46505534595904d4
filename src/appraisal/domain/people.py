"""Rules about people's data: genders, name sort keys and pinyin account names."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable

from pypinyin import Style, lazy_pinyin

from appraisal.i18n import _

GENDERS = {"male": "男", "female": "女"}
GENDER_BY_LABEL = {label: code for code, label in GENDERS.items()}
# Besides letters (hanzi of every CJK block, rare ones like 𠮷 included) and combining marks:
# the separators of minority and foreign names (阿不都·热合曼, Anne-Marie) and spaces.
NAME_PUNCTUATION = set("·•・.-' ")


def name_problem(name: str) -> str | None:
    """Why `name` cannot be a person's name, or None. Emoji, symbols, digits and control
    characters are refused; every letter is accepted, however rare."""
    if not name.strip():
        return _("姓名不能为空")
    if len(name) > 50:
        return _("姓名超过 50 个字符")
    for char in name:
        if char in NAME_PUNCTUATION or unicodedata.category(char)[0] in "LM":
            continue
        shown = char if char.isprintable() and not char.isspace() else f"U+{ord(char):04X}"
        return _("姓名含有不能使用的字符“{c}”").format(c=shown)
    return None
POLITICAL_STATUSES = (
    "中共党员",
    "中共预备党员",
    "共青团员",
    "民革党员",
    "民盟盟员",
    "民建会员",
    "民进会员",
    "农工党党员",
    "致公党党员",
    "九三学社社员",
    "台盟盟员",
    "无党派人士",
    "群众",
)


def pinyin_key(name: str) -> str:
    """Sort key for a Chinese name: its tone-less pinyin syllables, then the name itself so that
    homophones keep a stable order."""
    return " ".join(lazy_pinyin(name, style=Style.NORMAL, errors="default")).lower() + " " + name


def pinyin_username(name: str, taken: Iterable[str]) -> str:
    """zhangwei, then zhangwei2, zhangwei3 … for the next people of the same name."""
    base = re.sub(r"[^a-z0-9]", "", "".join(lazy_pinyin(name, style=Style.NORMAL)).lower()) or "user"
    taken = set(taken)
    if base not in taken:
        return base
    n = 2
    while f"{base}{n}" in taken:
        n += 1
    return f"{base}{n}"


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def parse_date(value: object) -> dt.date | None:
    """A date as offices write it (2026-01-05, 2026/1/5, 2026.1.5, 2026年1月5日, 20260105, or a
    spreadsheet date cell); None when it is not a real date."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for pattern in _DATE_PATTERNS:
        if m := pattern.match(text):
            try:
                return dt.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                return None
    return None
