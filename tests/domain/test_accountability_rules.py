"""What final accountability records mean for appraisal."""

import datetime as dt

from appraisal.domain.accountability import FinalRecord, effects


def record(i, code="reminder_talk", points=1.0, **flags):
    return FinalRecord(i, dt.date(2026, 3, i), code, code, points, **flags)


def test_no_record_no_effect():
    e = effects([])
    assert e.deduction == 0 and e.eligible_for_excellent and e.eligible_for_commendation and not e.reasons


def test_any_final_record_bars_excellent_and_commendation():
    e = effects([record(1)])
    assert e.deduction == 1 and not e.eligible_for_excellent and not e.eligible_for_commendation
    assert not e.flag_heavier_form


def test_two_records_flag_a_heavier_form_and_two_warnings_propose_incompetent():
    e = effects([record(1, "efficiency_warning", 4), record(2, "efficiency_warning", 4)])
    assert e.flag_heavier_form and e.propose_incompetent and e.deduction == 8
    assert any("不称职" in r for r in e.reasons)


def test_admonishment_is_named_among_the_reasons():
    e = effects([record(1, "admonishment", 5, blocks_excellent=True)])
    assert any("诫勉" in r for r in e.reasons)
