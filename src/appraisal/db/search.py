"""Text search for the lists that grow: a case-insensitive substring over some columns."""

from __future__ import annotations

from typing import Any

from appraisal.db.transaction import is_sqlite


def contains_any(text: str | None, *columns: Any) -> Any | None:
    """A where-clause matching rows where any of `columns` contains `text`, or None when there
    is nothing to search for. LIKE's wildcards typed in the text are dropped, not obeyed."""
    text = (text or "").strip()[:100]
    if not text:
        return None
    pattern = "%" + text.replace("\\", "").replace("%", "").replace("_", "") + "%"
    # SQLite's LIKE already ignores ASCII case; PostgreSQL needs ILIKE.
    match = (lambda column: column.like(pattern)) if is_sqlite() else (lambda column: column.ilike(pattern))
    clause = match(columns[0])
    for column in columns[1:]:
        clause = clause | match(column)
    return clause
