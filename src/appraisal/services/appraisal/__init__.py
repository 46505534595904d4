"""绩效考核 use cases, one room each:

- `periods`: the policy and the indicator template; periods and their lifecycle.
- `breakdown`: the numbers (frozen, or live from the cells and the formula's sources).
- `scoring`: a unit's grid and its writes (a score cell, a grade choice), stale-write protected.
- `closing`: submitting a unit (checks, quota, the freeze) and the end of a period's scoring.
- `results`: who sees which numbers; one appraisal, one's own, a period's results, grade counts.
- `registration`: the self-summary and the annual registration form's entries.
- `bonuses`: 表彰奖励 and 信息采用.

Callers use `from appraisal.services import appraisal` and `appraisal.<name>`: the public names
of the rooms are here. Each write validates, writes and audits in one transaction.
"""

from appraisal.services.appraisal.bonuses import BONUS_KINDS, add_bonus, list_bonuses
from appraisal.services.appraisal.breakdown import (
    APPRAISEE_COLUMNS, FORMULA_ON_THE_LOOP, annual_numbers, numbers_and_cells, numbers_of, submitted_units,
)
from appraisal.services.appraisal.closing import submit_unit
from appraisal.services.appraisal.periods import (
    LEADERS, LEADERS_UNIT, PERIOD_COLUMNS, POLICY_KEY, STAFF, PeriodLocked, QuotaExceeded, StaleWrite, advance,
    create_period, current_template, get_period, get_policy, list_periods, reopen, save_template,
    set_excellent_approval, set_policy, unit_of,
)
from appraisal.services.appraisal.registration import record_registration, save_summary
from appraisal.services.appraisal.results import (
    HIDDEN_NUMBERS, appraisal_detail, appraisee_row, grade_summary, may_record_registration, my_appraisals,
    own_results_hidden, period_results, require_visible_row, shown_to,
)
from appraisal.services.appraisal.scoring import (
    CELL_FIELDS, grid, save_cell, set_grade, unit_label, unit_of_appraisee, units,
)

__all__ = [
    "APPRAISEE_COLUMNS", "BONUS_KINDS", "CELL_FIELDS", "FORMULA_ON_THE_LOOP", "HIDDEN_NUMBERS", "LEADERS",
    "LEADERS_UNIT", "PERIOD_COLUMNS", "POLICY_KEY", "STAFF", "PeriodLocked", "QuotaExceeded", "StaleWrite",
    "add_bonus", "advance", "annual_numbers", "appraisal_detail", "appraisee_row", "create_period",
    "current_template", "get_period", "get_policy", "grade_summary", "grid", "list_bonuses", "list_periods",
    "may_record_registration", "my_appraisals", "numbers_and_cells", "numbers_of", "own_results_hidden",
    "period_results", "record_registration", "reopen", "require_visible_row", "save_cell", "save_summary",
    "save_template", "set_excellent_approval", "set_grade", "set_policy", "shown_to", "submit_unit",
    "submitted_units", "unit_label", "unit_of", "unit_of_appraisee", "units",
]
