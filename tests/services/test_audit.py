"""What an audit entry keeps of the values it records: readable JSON, keys in order, Chinese as
written, and values the encoder could not write still kept rather than lost with the change."""

import datetime as dt
import json

from appraisal.db.tables import AuditEntry
from appraisal.services import audit


async def _latest() -> dict:
    return await AuditEntry.select(AuditEntry.old_values, AuditEntry.new_values).order_by(
        AuditEntry.id, ascending=False).first().run()


async def test_an_entry_keeps_its_values_as_readable_json_with_sorted_keys(db):
    await audit.record(None, "update", "person", 1, old={"post_rank": "一级主任科员", "at": dt.date(2026, 11, 2)},
                       new={"post_rank": "四级调研员", "at": dt.date(2026, 12, 2)})
    entry = await _latest()
    assert entry["old_values"] == '{"at":"2026-11-02","post_rank":"一级主任科员"}'
    assert json.loads(entry["new_values"]) == {"at": "2026-12-02", "post_rank": "四级调研员"}


async def test_nested_keys_that_are_not_text_are_still_recorded(db):
    await audit.record(None, "update", "leader_section", 7, old={"sections": {3: "第三科"}}, new={"sections": {}})
    entry = await _latest()
    assert json.loads(entry["old_values"]) == {"sections": {"3": "第三科"}}
    assert json.loads(entry["new_values"]) == {"sections": {}}


async def test_entries_written_together_each_keep_their_own_record_and_values(db):
    from appraisal.scopes import Principal, Role

    chief = Principal(user_id=None, username="chief", roles=frozenset({Role.CHIEF}))
    await audit.record_many(chief, "update", "appraisee", [
        (11, {"total": None, "grade": ""}, {"total": 82.0, "grade": "fairly_good"}),
        (12, {"total": None, "grade": ""}, {"total": 91.5, "grade": "good"}),
    ], note="提交评分")
    entries = await AuditEntry.select(AuditEntry.actor_name, AuditEntry.action, AuditEntry.table_name,
                                      AuditEntry.record_id, AuditEntry.new_values, AuditEntry.note, AuditEntry.at
                                      ).order_by(AuditEntry.id).run()
    assert [(e["record_id"], json.loads(e["new_values"])) for e in entries] == [
        ("11", {"grade": "fairly_good", "total": 82.0}), ("12", {"grade": "good", "total": 91.5})]
    assert {(e["actor_name"], e["action"], e["table_name"], e["note"]) for e in entries} == {
        ("chief", "update", "appraisee", "提交评分")}
    assert entries[0]["at"] == entries[1]["at"] and entries[0]["at"].tzinfo is not None
