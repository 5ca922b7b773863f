"""Cases: work handed on to the second line (or any department), with workflows as data.

- :mod:`.definitions`: case types — fields, workflow, priority, SLA, default group.
- :mod:`.parsing`: reading and checking definition files (every problem located), with
  :mod:`.reading` (shapes), :mod:`.workflow_reader` and :mod:`.type_reader` (the entries).
- :mod:`.calendar`: business hours and working-time arithmetic.
- :mod:`.sla`: a case's SLA clock, paused while the customer is waited for.
- :mod:`.values`: field values typed, checked and stored.
- :mod:`.case`: the case itself, its guards (``can_transition``) and its history events.
- :mod:`.attachments`: which files may be attached (content, not name, decides).
"""

from domain.cases.calendar import BusinessCalendar, CalendarError
from domain.cases.case import Case, CaseEvent, Change, EventKind, Verdict
from domain.cases.definitions import (
    CaseType,
    CaseTypeSet,
    FieldDef,
    FieldType,
    Priority,
    RefKind,
    StatusDef,
    TransitionDef,
    Workflow,
)
from domain.cases.parsing import CaseTypeError, parse_definitions, parse_json
from domain.cases.sla import SlaClock, SlaState, sla_state

__all__ = [
    "BusinessCalendar",
    "CalendarError",
    "Case",
    "CaseEvent",
    "CaseType",
    "CaseTypeError",
    "CaseTypeSet",
    "Change",
    "EventKind",
    "FieldDef",
    "FieldType",
    "Priority",
    "RefKind",
    "SlaClock",
    "SlaState",
    "StatusDef",
    "TransitionDef",
    "Verdict",
    "Workflow",
    "parse_definitions",
    "parse_json",
    "sla_state",
]
