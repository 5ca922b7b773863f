"""A case and its lifecycle: open, transition by the workflow, reopen, assign, comment.

:class:`Case` holds what the rules need (its type, status, field values, SLA clock and
assignment) and records every change as a :class:`CaseEvent` in :attr:`Case.events`, which
the application stores as the case's history. Guards say why not instead of raising:
``verdict = case.can_transition("refunded", role=role)`` is falsy with ``verdict.reason``
(and ``verdict.field`` for a missing field) when the move is not allowed; the mutating
methods raise :class:`~domain.errors.RuleViolation` or
:class:`~domain.errors.ValidationError` with the same sentence and change nothing.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from domain.cases.calendar import BusinessCalendar
from domain.cases.definitions import ROLE_LABELS, CaseType, Priority, TransitionDef
from domain.cases.sla import SlaClock
from domain.cases.values import FieldValue, Values, display, parse_values
from domain.errors import RuleViolation, ValidationError
from domain.users import Role

MAX_NOTE = 2000


class EventKind(enum.StrEnum):
    OPENED = "opened"
    TRANSITION = "transition"
    REOPENED = "reopened"
    ASSIGNED = "assigned"
    COMMENT = "comment"
    ATTACHMENT = "attachment"
    FIELDS = "fields"
    PRIORITY = "priority"
    # Written by the sync when two terminals changed the same part of the case at once:
    # ``changes`` holds, per part, the value kept ("new") and the value lost ("old").
    CONFLICT = "conflict"


@dataclass(frozen=True)
class Change:
    """One value that changed, as text for the history (``old`` empty: it was not set)."""

    name: str
    old: str
    new: str


@dataclass(frozen=True)
class CaseEvent:
    kind: EventKind
    at: datetime
    user_id: uuid.UUID | None
    from_status: str = ""
    to_status: str = ""
    note: str = ""
    changes: tuple[Change, ...] = ()


@dataclass(frozen=True)
class Verdict:
    """Allowed when ``reason`` is empty; ``field`` names the value that is missing or wrong."""

    reason: str = ""
    field: str = ""

    def __bool__(self) -> bool:
        return not self.reason


ALLOWED = Verdict()


@dataclass
class Case:
    type: CaseType
    status: str
    values: Values
    priority: Priority
    sla: SlaClock
    assignee_group: str
    assignee_user: uuid.UUID | None = None
    opened_by: uuid.UUID | None = None
    events: list[CaseEvent] = field(default_factory=list)

    # -- opening ---------------------------------------------------------------------------
    @classmethod
    def open(
        cls,
        case_type: CaseType,
        *,
        values: Mapping[str, object],
        user_id: uuid.UUID,
        at: datetime,
        priority: Priority | None = None,
        group: str = "",
        note: str = "",
        require_fields: bool = True,
    ) -> Case:
        """A new case in the workflow's initial status.

        ``require_fields=False`` is for cases the system opens from a hand-on inside another
        transaction (a sale must never fail because a type gained a required field).
        """
        parsed = {k: v for k, v in parse_values(case_type, values).items() if v is not None}
        if require_fields:
            for f in case_type.fields:
                if f.required and f.name not in parsed:
                    raise ValidationError(f'Fill in "{f.label}".', field=f.name)
        sla = SlaClock.start(case_type.sla, at)
        initial = case_type.workflow.initial
        if case_type.workflow.pauses(initial):
            sla = sla.pause(at)
        case = cls(
            type=case_type,
            status=initial,
            values=parsed,
            priority=priority or case_type.default_priority,
            sla=sla,
            assignee_group=group or case_type.default_group,
            opened_by=user_id,
        )
        case.events.append(
            CaseEvent(
                EventKind.OPENED, at, user_id, to_status=initial, note=_note(note),
                changes=tuple(Change(k, "", display(case_type.field(k), v))
                              for k, v in parsed.items()),
            )
        )  # fmt: skip
        return case

    @property
    def is_finished(self) -> bool:
        return self.type.workflow.is_terminal(self.status)

    @property
    def status_label(self) -> str:
        return self.type.workflow.label(self.status)

    # -- transitions -----------------------------------------------------------------------
    def next_steps(self, role: Role) -> list[tuple[TransitionDef, Verdict]]:
        """Every transition out of the current status, with whether ``role`` may make it
        now (required fields are checked against the values the case already has)."""
        return [
            (tr, self.can_transition(tr.target, role=role))
            for tr in self.type.workflow.transitions_from(self.status)
        ]

    def can_transition(
        self, target: str, *, role: Role, values: Mapping[str, object] | None = None
    ) -> Verdict:
        workflow, title = self.type.workflow, self.type.title
        if self.is_finished:
            return Verdict(f"This {title} case is {self.status_label.lower()}; reopen it first.")
        if workflow.status(target) is None:
            known = ", ".join(s.label for s in workflow.statuses)
            return Verdict(f'A {title} case has no status "{target}" (statuses: {known}).')
        tr = workflow.transition(self.status, target)
        if tr is None:
            options = [workflow.label(t.target) for t in workflow.transitions_from(self.status)]
            return Verdict(
                f"A {title} case cannot go from {self.status_label} to "
                f"{workflow.label(target)}; from {self.status_label} it can go to "
                f"{', '.join(options) or 'nothing'}."
            )
        if role not in tr.roles:
            return Verdict(
                f"A {ROLE_LABELS[role]} may not move a {title} case from {self.status_label} "
                f"to {workflow.label(target)}; only: {tr.roles_text}."
            )
        try:
            merged = self._merged(values or {})
        except ValidationError as exc:
            return Verdict(exc.message, exc.field)
        for name in tr.required_fields:
            if name not in merged:
                f = self.type.field(name)
                label = f.label if f else name
                return Verdict(f'Fill in "{label}" to move to {workflow.label(target)}.', name)
        return ALLOWED

    def transition(
        self,
        target: str,
        *,
        role: Role,
        user_id: uuid.UUID,
        at: datetime,
        calendar: BusinessCalendar,
        values: Mapping[str, object] | None = None,
        note: str = "",
    ) -> TransitionDef:
        """Move to ``target`` (setting ``values`` on the way); returns the transition made."""
        note = _note(note)
        verdict = self.can_transition(target, role=role, values=values)
        if not verdict:
            if verdict.field:
                raise ValidationError(verdict.reason, field=verdict.field)
            raise RuleViolation(verdict.reason)
        tr = self.type.workflow.transition(self.status, target)
        assert tr is not None
        changes = self._apply(values or {})
        source = self.status
        self.status = target
        self._respond(user_id, at)
        workflow = self.type.workflow
        if workflow.is_terminal(target):
            self.sla = self.sla.respond(at).stop(at, calendar)
        elif workflow.pauses(target):
            self.sla = self.sla.pause(at)
        else:
            self.sla = self.sla.resume(at, calendar)
        self.events.append(
            CaseEvent(EventKind.TRANSITION, at, user_id, source, target, note, changes)
        )
        return tr

    # -- reopening -------------------------------------------------------------------------
    def can_reopen(self, role: Role) -> Verdict:
        reopen, title = self.type.workflow.reopen, self.type.title
        if not self.is_finished:
            return Verdict(
                f"This {title} case is {self.status_label.lower()}; only a finished case "
                "can be reopened."
            )
        if reopen is None:
            return Verdict(f"{title} cases cannot be reopened; open a new case instead.")
        if role not in reopen.roles:
            return Verdict(
                f"A {ROLE_LABELS[role]} may not reopen a {title} case; only: "
                f"{', '.join(ROLE_LABELS[r] for r in Role if r in reopen.roles)}."
            )
        return ALLOWED

    def reopen(self, *, reason: str, role: Role, user_id: uuid.UUID, at: datetime) -> None:
        reason = " ".join(reason.split())
        if not reason:
            raise ValidationError("Say why the case is reopened.", field="reason")
        if len(reason) > 500:
            raise ValidationError("Keep the reason under 500 characters.", field="reason")
        verdict = self.can_reopen(role)
        if not verdict:
            raise RuleViolation(verdict.reason)
        reopen = self.type.workflow.reopen
        assert reopen is not None
        source, self.status = self.status, reopen.to
        self.sla = self.sla.restart(at)
        if self.type.workflow.pauses(reopen.to):
            self.sla = self.sla.pause(at)
        self.events.append(CaseEvent(EventKind.REOPENED, at, user_id, source, reopen.to, reason))

    # -- everything else -------------------------------------------------------------------
    def assign(
        self,
        *,
        group: str,
        user: uuid.UUID | None,
        user_label: str,
        old_user_label: str,
        by: uuid.UUID,
        at: datetime,
    ) -> bool:
        """Give the case to a group and optionally a person; False if nothing changed."""
        group = group or self.assignee_group
        if (group, user) == (self.assignee_group, self.assignee_user):
            return False
        changes = []
        if group != self.assignee_group:
            changes.append(Change("group", self.assignee_group, group))
        if user != self.assignee_user:
            changes.append(Change("assignee", old_user_label, user_label))
        self.assignee_group, self.assignee_user = group, user
        self._respond(by, at)
        self.events.append(CaseEvent(EventKind.ASSIGNED, at, by, changes=tuple(changes)))
        return True

    def comment(self, text: str, *, by: uuid.UUID, at: datetime) -> str:
        text = text.strip()
        if not text:
            raise ValidationError("Write the comment first.", field="comment")
        if len(text) > MAX_NOTE:
            raise ValidationError(
                f"Keep a comment under {MAX_NOTE} characters (split it).", field="comment"
            )
        self._respond(by, at)
        self.events.append(CaseEvent(EventKind.COMMENT, at, by, note=_excerpt(text)))
        return text

    def attached(self, name: str, *, by: uuid.UUID, at: datetime) -> None:
        self.events.append(CaseEvent(EventKind.ATTACHMENT, at, by, note=name))

    def update(self, values: Mapping[str, object], *, by: uuid.UUID, at: datetime) -> bool:
        """Change field values without a transition; False if nothing changed."""
        if self.is_finished:
            raise RuleViolation(
                f"This {self.type.title} case is {self.status_label.lower()}; reopen it to "
                "change it."
            )
        changes = self._apply(values)
        if not changes:
            return False
        self.events.append(CaseEvent(EventKind.FIELDS, at, by, changes=changes))
        return True

    def set_priority(self, priority: Priority, *, by: uuid.UUID, at: datetime) -> bool:
        if priority is self.priority:
            return False
        change = Change("priority", self.priority.label, priority.label)
        self.priority = priority
        self.events.append(CaseEvent(EventKind.PRIORITY, at, by, changes=(change,)))
        return True

    # -- helpers ---------------------------------------------------------------------------
    def _respond(self, user_id: uuid.UUID, at: datetime) -> None:
        """Anything done by someone other than who opened it is the first response."""
        if user_id != self.opened_by:
            self.sla = self.sla.respond(at)

    def _merged(self, raw: Mapping[str, object]) -> Values:
        merged = dict(self.values)
        for name, value in parse_values(self.type, raw).items():
            if value is None:
                merged.pop(name, None)
            else:
                merged[name] = value
        return merged

    def _apply(self, raw: Mapping[str, object]) -> tuple[Change, ...]:
        merged = self._merged(raw)
        changes = []
        for f in self.type.fields:
            old: FieldValue | None = self.values.get(f.name)
            new: FieldValue | None = merged.get(f.name)
            if old != new:
                changes.append(
                    Change(
                        f.name,
                        "" if old is None else display(f, old),
                        "" if new is None else display(f, new),
                    )
                )
        self.values = merged
        return tuple(changes)


def _note(text: str) -> str:
    text = text.strip()
    if len(text) > MAX_NOTE:
        raise ValidationError(f"Keep the note under {MAX_NOTE} characters.", field="note")
    return text


def _excerpt(text: str) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= 200 else one_line[:199] + "…"
