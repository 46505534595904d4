"""办件 use cases: register, transfer, accept, return, pause, resume, extend, complete, follow up;
the lists, a matter's page and the dashboard.

The reading side (coded values, timeline events, visibility, lists, dashboard) is in
matter_records.py, the steps that change a matter in matter_steps.py; callers import both
through this module.
"""

from appraisal.services.matter_records import (  # noqa: F401
    CHANNELS, COMPLETED, EVENT_LABELS, LIGHT_LABELS, MATTER_COLUMNS, OPEN, PAUSED, SATISFACTION, STATUS_LABELS,
    EventKind, MatterQuery,
    count_matters, dashboard, get_matter, light_of, list_matters, matter_number,
)
from appraisal.services.matter_steps import (  # noqa: F401
    Registration, accept, complete, decide_extension, follow_up, may_follow_up, may_handle, pause, register,
    report_shirk, request_extension, resume, return_transfer, transfer,
)
