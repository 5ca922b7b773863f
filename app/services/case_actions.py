"""What a transition's ``action`` does besides moving the case (see ``ACTIONS`` in
:mod:`app.services.case_types`, which the definition files are checked against).

- ``refund``: pay out the waiting return the case is about, through
  :func:`app.services.return_settlement.settle_waiting_return` (money is only ever added
  as new payments by the payments code, never edited here).

Actions run in the transition's unit of work after the domain has allowed the move: an
action that fails (the till is closed, the return was already paid) rolls the whole
transition back, so the case never says "refunded" without the refund.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from app.db import models as m
from app.services.return_settlement import SettledRefund, settle_waiting_return
from domain.cases.case import Case
from domain.cases.definitions import RefKind
from domain.errors import RuleViolation


def run_action(
    action: str,
    session: Session,
    row: m.CaseRecord,
    case: Case,
    *,
    user_id: uuid.UUID,
    store_id: str,
    terminal_id: str,
    now: datetime,
) -> SettledRefund | None:
    """Carry out ``action`` (empty: nothing to do); returns the refund it paid, if any."""
    if not action:
        return None
    if action == "refund":
        return_id = returned(row, case)
        return settle_waiting_return(
            session, return_id, approved_by=user_id, store_id=store_id,
            terminal_id=terminal_id, now=now,
        )  # fmt: skip
    raise RuleViolation(f"This StoreDesk cannot carry out the action {action!r}; update it.")


def returned(row: m.CaseRecord, case: Case) -> uuid.UUID:
    """The return a refund case is about: the hand-on's record, else its return field."""
    if row.ref_kind == RefKind.RETURN.value and row.ref_id is not None:
        return row.ref_id
    f = case.type.reference_field(RefKind.RETURN)
    value = case.values.get(f.name) if f is not None else None
    if isinstance(value, uuid.UUID):
        return value
    raise RuleViolation("This refund case names no return to pay out: fill in the return first.")
