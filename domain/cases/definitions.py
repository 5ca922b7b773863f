"""Case types as data: fields, workflow, priority, SLA and the group that works them.

These are the values :mod:`domain.cases.parsing` builds from a definition file; nothing here
knows about files, the database or any particular department. A refund, a repair and an HR
request differ only in the data they are built from.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import timedelta

from domain.cases.calendar import BusinessCalendar
from domain.users import Role


class FieldType(enum.StrEnum):
    TEXT = "text"
    NUMBER = "number"
    MONEY = "money"
    DATE = "date"
    CHOICE = "choice"
    REFERENCE = "reference"


class RefKind(enum.StrEnum):
    """What a reference field points at. The first five are also a case's context links."""

    CUSTOMER = "customer"
    ORDER = "order"
    SUBSCRIPTION = "subscription"
    DEVICE = "device"
    PAYMENT = "payment"
    RETURN = "return"
    TILL_SESSION = "till_session"
    PORT_IN_REQUEST = "port_in_request"
    PAYMENT_INTENT = "payment_intent"
    CASE = "case"


CONTEXT_LINKS = (
    RefKind.CUSTOMER,
    RefKind.ORDER,
    RefKind.SUBSCRIPTION,
    RefKind.DEVICE,
    RefKind.PAYMENT,
)


class Priority(enum.StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"

    @property
    def rank(self) -> int:
        """0 for urgent … 3 for low: sorts the most pressing first."""
        return (Priority.URGENT, Priority.HIGH, Priority.NORMAL, Priority.LOW).index(self)

    @property
    def label(self) -> str:
        return self.value.capitalize()


ROLE_LABELS = {
    Role.CONSULTANT: "consultant",
    Role.SECOND_LINE: "second line",
    Role.MANAGER: "manager",
    Role.IT_ADMIN: "IT admin",
}


@dataclass(frozen=True)
class FieldDef:
    """One field of a case type. ``required`` means: needed when the case is opened."""

    name: str
    label: str
    type: FieldType
    required: bool = False
    choices: tuple[str, ...] = ()
    to: RefKind | None = None  # reference fields only
    case_type: str = ""  # reference to a case: the type it must be
    max_length: int = 500  # text fields
    help: str = ""


@dataclass(frozen=True)
class StatusDef:
    name: str
    label: str
    pauses_sla: bool = False  # the case waits for the customer; SLA time stands still
    terminal: bool = False  # the case is finished (resolved, rejected, cancelled …)
    resolved: bool = False  # a terminal status in which the request was done


@dataclass(frozen=True)
class TransitionDef:
    source: str
    target: str
    roles: frozenset[Role]
    required_fields: tuple[str, ...] = ()
    label: str = ""  # the button, e.g. "Approve and refund"
    action: str = ""  # what the application does on it, e.g. "refund" (see app.services)

    @property
    def roles_text(self) -> str:
        return ", ".join(ROLE_LABELS[r] for r in Role if r in self.roles)


@dataclass(frozen=True)
class ReopenDef:
    """Reopening a finished case: the status it goes back to and who may do it."""

    to: str
    roles: frozenset[Role]


@dataclass(frozen=True)
class Workflow:
    statuses: tuple[StatusDef, ...]
    initial: str
    transitions: tuple[TransitionDef, ...]
    reopen: ReopenDef | None = None

    def status(self, name: str) -> StatusDef | None:
        return next((s for s in self.statuses if s.name == name), None)

    def label(self, name: str) -> str:
        found = self.status(name)
        return found.label if found else name

    def is_terminal(self, name: str) -> bool:
        found = self.status(name)
        return bool(found and found.terminal)

    def pauses(self, name: str) -> bool:
        found = self.status(name)
        return bool(found and found.pauses_sla)

    def transition(self, source: str, target: str) -> TransitionDef | None:
        return next((t for t in self.transitions if (t.source, t.target) == (source, target)), None)

    def transitions_from(self, source: str) -> tuple[TransitionDef, ...]:
        return tuple(t for t in self.transitions if t.source == source)

    @property
    def status_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.statuses)


@dataclass(frozen=True)
class SlaDef:
    calendar: str  # the name of a BusinessCalendar (e.g. "store", "back_office")
    first_response: timedelta
    resolution: timedelta
    warn_before: timedelta = timedelta(hours=2)  # "near breach" this long before it is due


@dataclass(frozen=True)
class CaseType:
    code: str
    version: int
    title: str
    fields: tuple[FieldDef, ...]
    workflow: Workflow
    sla: SlaDef
    default_group: str
    default_priority: Priority = Priority.NORMAL
    department: str = ""
    description: str = ""

    def field(self, name: str) -> FieldDef | None:
        return next((f for f in self.fields if f.name == name), None)

    def reference_field(self, kind: RefKind) -> FieldDef | None:
        """The first reference field to ``kind`` (where a context link is copied)."""
        return next((f for f in self.fields if f.to is kind), None)


@dataclass(frozen=True)
class CaseTypeSet:
    """What one definition file holds: calendars and case types."""

    calendars: tuple[BusinessCalendar, ...]
    types: tuple[CaseType, ...]
