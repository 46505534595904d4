"""A backup taken while the office works restores every table, row for row, into an empty
database; a restore never lands on a database that already has data."""

import pytest

from appraisal.db import backup
from appraisal.db.tables import ALL_TABLES
from conftest import reset_database


async def snapshot() -> dict[str, list[dict]]:
    return {t._meta.tablename: await t.select().order_by(t._meta.primary_key).run() for t in ALL_TABLES}


async def test_a_backup_restores_every_table_row_for_row(office, tmp_path):
    from appraisal.demo.appraisal import load_demo_appraisal

    await load_demo_appraisal()  # periods, scores, targets, audit entries: every kind of column
    before = await snapshot()
    counts = await backup.backup(tmp_path / "office.backup")
    assert counts["person"] == 40 and counts["score_cell"] > 0 and counts["audit_entry"] > 0

    await reset_database()
    assert (await snapshot())["person"] == []
    restored = await backup.restore(tmp_path / "office.backup")
    assert restored["person"] == 40
    after = await snapshot()
    for table, rows in before.items():
        assert after[table] == rows, f"{table} differs after the round trip"

    with pytest.raises(backup.BackupError, match="already has data"):
        await backup.restore(tmp_path / "office.backup")


async def test_a_file_that_is_not_a_backup_is_refused(db, tmp_path):
    bogus = tmp_path / "notes.txt"
    bogus.write_text("not a backup")
    with pytest.raises(backup.BackupError):
        await backup.restore(bogus)
    with pytest.raises(backup.BackupError, match="no such file"):
        await backup.restore(tmp_path / "missing.backup")
