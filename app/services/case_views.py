"""What :class:`app.services.cases.CaseService` takes and gives: plain frozen values.

The UI codes against these; none of them holds a session or an ORM row.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from app.changes import Changes
from domain.cases.case import Change, EventKind
from domain.cases.definitions import FieldType, Priority, RefKind
from domain.cases.sla import SlaState
from domain.errors import RuleViolation

if TYPE_CHECKING:  # imported lazily: returns → hand_on → cases would otherwise go round
    from app.services.return_settlement import SettledRefund


class CaseChanged(RuleViolation):
    """Someone else changed the case since it was read; nothing was changed. Reload it."""


# -- commands in -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseLinks:
    """The context a case is opened in; each link also fills the type's reference field of
    that kind (and a filled reference field sets the link)."""

    customer_id: uuid.UUID | None = None
    order_id: uuid.UUID | None = None
    subscription_id: uuid.UUID | None = None
    device_id: uuid.UUID | None = None
    payment_id: uuid.UUID | None = None

    def get(self, kind: RefKind) -> uuid.UUID | None:
        value: uuid.UUID | None = getattr(self, f"{kind.value}_id", None)
        return value


@dataclass(frozen=True)
class CaseFilter:
    """The board's and the list's filters; every one left empty means "any"."""

    types: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    priorities: tuple[Priority, ...] = ()
    sla: tuple[SlaState, ...] = ()  # ok, near, breached, paused (stopped: finished cases)
    store_id: str = ""
    group: str = ""
    assignee_id: uuid.UUID | None = None
    unassigned: bool = False  # nobody in the group has taken it yet
    mine: bool = False  # assigned to the user asking
    customer_id: uuid.UUID | None = None
    text: str = ""  # part of the number or the summary
    include_closed: bool = False
    limit: int = 200


# -- types -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    type: FieldType
    required: bool  # when the case is opened
    choices: tuple[str, ...]
    to: RefKind | None
    max_length: int
    help: str


@dataclass(frozen=True)
class StatusSpec:
    name: str
    label: str
    pauses_sla: bool
    terminal: bool
    resolved: bool


@dataclass(frozen=True)
class CaseTypeView:
    code: str
    version: int
    title: str
    department: str
    description: str
    default_priority: Priority
    default_group: str
    calendar: str
    first_response: timedelta  # of business time
    resolution: timedelta
    fields: tuple[FieldSpec, ...]
    statuses: tuple[StatusSpec, ...]
    source: str  # "shipped" or the file it was imported from


# -- board -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseCard:
    id: uuid.UUID
    number: str
    type_code: str
    type_title: str
    summary: str
    status: str
    status_label: str
    is_open: bool
    priority: Priority
    store_id: str
    customer_id: uuid.UUID | None
    customer_name: str
    assignee_group: str
    assignee_id: uuid.UUID | None
    assignee_name: str
    opened_at: datetime
    due_at: datetime | None  # the deadline that matters now; None when paused or finished
    sla: SlaState  # at the time of the query
    version: int  # pass back as expected_version


@dataclass(frozen=True)
class BoardColumn:
    status: str
    label: str
    count: int


@dataclass(frozen=True)
class CaseBoard:
    cards: tuple[CaseCard, ...]  # sorted by due time (paused and finished last)
    total: int  # matching cases, beyond the limit too
    columns: tuple[BoardColumn, ...]  # statuses in workflow order, with counts
    as_of: datetime  # the "now" SLA states were worked out for


# -- detail ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldView:
    name: str
    label: str
    type: FieldType
    value: str  # as shown; "" when not filled in
    required: bool
    choices: tuple[str, ...]
    to: RefKind | None


@dataclass(frozen=True)
class LinkView:
    kind: RefKind
    id: uuid.UUID
    label: str  # "Anna Schmidt (C00000005)", "ORD-S001-T01-000042" …


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    kind: EventKind
    user_name: str
    text: str  # one sentence: "Boris Second Line moved it from New to In review."
    from_status: str
    to_status: str
    note: str
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class CommentView:
    id: uuid.UUID
    at: datetime
    user_name: str
    body: str


@dataclass(frozen=True)
class AttachmentView:
    id: uuid.UUID
    file_name: str
    media_type: str
    size_bytes: int
    at: datetime
    user_name: str


@dataclass(frozen=True)
class StepView:
    """A transition out of the current status, for the user who asked."""

    target: str
    label: str  # the button
    status_label: str  # where it goes
    allowed: bool
    reason: str  # why not, when not allowed (role, or a field still to fill in)
    required_fields: tuple[str, ...]
    action: str  # "refund": approving it pays the money back
    # The role may take it; only fields are still empty (filled in with the step, it goes).
    role_allows: bool = False


@dataclass(frozen=True)
class CaseDetail:
    card: CaseCard
    type: CaseTypeView
    fields: tuple[FieldView, ...]
    links: tuple[LinkView, ...]
    history: tuple[HistoryEntry, ...]  # oldest first
    comments: tuple[CommentView, ...]
    attachments: tuple[AttachmentView, ...]
    steps: tuple[StepView, ...]
    can_reopen: bool
    reopen_reason: str  # why not, when it cannot be reopened by this user
    opened_by_name: str
    response_due_at: datetime
    resolution_due_at: datetime
    responded_at: datetime | None
    paused_since: datetime | None
    closed_at: datetime | None


@dataclass(frozen=True)
class CaseUpdate:
    """What a change did: the case as it is now, what to refresh, and a refund it paid."""

    detail: CaseDetail
    changes: Changes
    refund: SettledRefund | None = None


@dataclass(frozen=True)
class AttachmentFile:
    file_name: str
    media_type: str
    content: bytes


@dataclass(frozen=True)
class Assignable:
    id: uuid.UUID
    name: str
    role: str
