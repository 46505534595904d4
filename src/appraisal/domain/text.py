"""Characters no text of the office has, wherever the text comes from (a form, JSON, a sheet).

NUL, which PostgreSQL cannot store in text at all (SQLite stores it, and the pages, spreadsheets
and PDFs then break on it), and the other C0 controls but tab, line feed and carriage return;
and the bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), which
make text show in another order than it is written ("Trojan Source"): a matter's subject or a
note that reads one way on a leader's page and says another.
"""

from __future__ import annotations

import re

from appraisal.i18n import _

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\u202a-\u202e\u2066-\u2069]")


def bad_character(text: str) -> str | None:
    """The first such character of `text` as U+XXXX, or None."""
    match = CONTROL.search(text)
    return f"U+{ord(match.group()):04X}" if match else None


def cell_problem(column: object, value: object) -> str | None:
    """Why a cell of an imported sheet cannot be taken, naming its column, or None."""
    char = bad_character("" if value is None else str(value))
    return None if char is None else _("{column}含有不可见的控制字符（{char}）").format(column=column, char=char)


SENTENCE_END = tuple("。！？!?.…；;")


def sentence(text: str) -> str:
    """`text` ending as a sentence: a 。 added unless it ends in one already (or in !, ?, …)."""
    text = text.strip()
    return text if not text or text.endswith(SENTENCE_END) else text + "。"
