"""Hand-ons become cases: the case system's side of :func:`app.services.handoffs.hand_on`.

:func:`open_for_handoff` runs inside the transaction of the business change that handed
work on (a return above the refund limit, a port-in, a till variance, an unclear card
payment), so the case exists exactly when the change does. The hand-on's details fill the
case type's fields where a field of that name exists (``X_minor`` amounts fill the money
field ``X``) and its record (``ref_kind``/``ref_id``) fills the reference field of that
kind; a value a field does not take is left out rather than failing the sale, and so are
fields the type requires (the second line fills them in).

Hand-ons written before the case system existed are turned into cases on first use
(:func:`adopt_waiting`).
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import models as m
from app.services import case_types
from app.services.case_rows import open_case
from app.services.case_views import CaseLinks
from domain.cases.definitions import CaseType, FieldType
from domain.cases.parsing import CaseTypeError
from domain.cases.values import parse_value
from domain.errors import DomainError, ValidationError

log = logging.getLogger(__name__)

# Hand-on kind → the case type it opens.
HANDOFF_TYPES = {
    "port_in": "port_in_follow_up",
    "refund": "refund",
    "replacement": "equipment_replacement",
    "kyc_review": "kyc_review",
    "cash_variance": "cash_variance",
    "card_check": "card_payment_check",
    "plan_change": "plan_change_review",
}


def open_for_handoff(session: Session, handoff: m.Handoff) -> m.CaseRecord | None:
    """Open the hand-on's case in the caller's transaction; None (and the hand-on stays
    waiting, as before the case system) if no case type is installed for its kind."""
    try:
        with session.begin_nested():
            case_types.ensure_seeded(session)
    except CaseTypeError as exc:  # a shipped upgrade open cases refuse: use what is there
        log.warning("shipped case types not installed: %s", exc)
    code = HANDOFF_TYPES.get(handoff.kind, handoff.kind)
    row = session.scalars(
        select(m.CaseTypeRecord).where(m.CaseTypeRecord.code == code, m.CaseTypeRecord.current)
    ).first()
    if row is None:
        log.warning("no case type %r installed; hand-on %s waits without a case", code, handoff.id)
        return None
    # The case row is written after the hand-on has been flushed: the unit of work's hook
    # stamps it with this terminal's store and terminal, which number the case.
    session.flush()
    try:
        # A savepoint: whatever the case system refuses, the business change that handed
        # the work on (a sale, a till close) goes through and the hand-on waits as before.
        with session.begin_nested():
            case_type = case_types.TypeCache().get(row)
            calendar = case_types.calendar(session, case_type.sla.calendar)
            return open_case(
                session,
                case_type=case_type,
                calendar=calendar,
                values=handoff_values(case_type, handoff.details or {}),
                links=CaseLinks(customer_id=handoff.customer_id, order_id=handoff.order_id),
                summary=handoff.summary or case_type.title,
                user_id=handoff.user_id,
                store_id=handoff.store_id,
                terminal_id=handoff.terminal_id,
                now=handoff.occurred_at,
                ref_kind=handoff.ref_kind,
                ref_id=handoff.ref_id,
                require_fields=False,
                on_timeline=False,  # hand_on writes the customer's timeline entry itself
                case_id=handoff.case_id,
            )
    except (DomainError, CaseTypeError, ValueError) as exc:  # ValueError: CalendarError
        log.warning("hand-on %s waits without a case: %s", handoff.id, exc)
        return None


def handoff_values(case_type: CaseType, details: dict[str, Any]) -> dict[str, object]:
    """The details that fit a field of the type, typed; anything else is left out."""
    out: dict[str, object] = {}
    for key, raw in details.items():
        name, value = key, raw
        if key.endswith("_minor") and isinstance(raw, int) and not isinstance(raw, bool):
            name, value = key.removesuffix("_minor"), Decimal(raw) / 100
        f = case_type.field(name)
        if f is None or f.type is FieldType.REFERENCE or isinstance(value, bool | dict | list):
            continue
        try:
            parsed = parse_value(f, value)
        except ValidationError:
            log.info("hand-on detail %s=%r does not fit %s.%s", key, raw, case_type.code, name)
            continue
        if parsed is not None:
            out[name] = parsed
    return out


def adopt_waiting(session: Session) -> int:
    """Open a case for every hand-on still waiting without one; returns how many."""
    rows = session.scalars(
        select(m.Handoff)
        .where(m.Handoff.status == "waiting", m.Handoff.case_id.is_(None))
        .order_by(m.Handoff.occurred_at)
    ).all()
    adopted = 0
    for handoff in rows:
        case = open_for_handoff(session, handoff)
        if case is not None:
            handoff.case_id = case.id
            adopted += 1
    return adopted
