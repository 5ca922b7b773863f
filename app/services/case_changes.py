"""One change to a stored case, run as one unit of work.

Every :class:`~app.services.cases.CaseService` command except opening passes a
:data:`Change` to :func:`run_change`, which loads the case row and the type version it
follows, refuses it with :class:`~app.services.case_views.CaseChanged` if someone else
changed it since the screen read it (``expected_version``, or a commit at the same
moment), lets the change apply to the domain case, saves the case and its events and
commits; an error anywhere changes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.changes import Changes
from app.db import models as m
from app.db.uow import UnitOfWork
from app.services import case_types
from app.services.case_rows import load, load_row, save
from app.services.case_types import TypeCache
from app.services.case_views import CaseChanged
from app.services.return_settlement import SettledRefund
from domain.cases.calendar import BusinessCalendar
from domain.cases.case import Case
from domain.cases.definitions import CaseType

# Change = (session, row, case, calendar, now) → the refund it paid, if any.
Change = Callable[[Session, m.CaseRecord, Case, BusinessCalendar, datetime], SettledRefund | None]


def run_change(
    uow: Callable[..., UnitOfWork],
    cache: TypeCache,
    case_id: uuid.UUID,
    expected_version: int | None,
    change: Change,
    *,
    now: datetime,
) -> tuple[Changes, SettledRefund | None]:
    """Apply ``change`` to the case in one durable unit of work; returns what changed and
    the refund the change paid, if any."""
    try:
        with uow(durable=True) as work:
            session = work.session
            row, case_type = load_row(session, cache, case_id)
            if expected_version is not None and row.version != expected_version:
                raise CaseChanged(
                    f"Case {row.number} was changed by someone else since you opened it "
                    f"(version {row.version}, you saw {expected_version}). Nothing was "
                    "changed: reload it and try again."
                )
            calendar = case_calendar(session, case_type, row.store_id)
            case = load(row, case_type)
            refund = change(session, row, case, calendar, now)
            row.updated_at = now  # every change (a comment too) is a new version
            save(session, row, case, calendar)
            customer = row.customer_id is not None
            work.commit()
    except StaleDataError:
        raise CaseChanged(
            "Someone else changed this case at the same moment. Nothing was changed: "
            "reload it and try again."
        ) from None
    changes = Changes(
        cases=True, customer=customer or refund is not None, till=refund is not None,
        sync=True,
    )  # fmt: skip
    return changes, refund


def case_calendar(
    session: Session, case_type: CaseType, store_id: str | None = None
) -> BusinessCalendar:
    """The type's calendar as the case's store keeps it (a case of another store worked
    here counts that store's hours)."""
    return case_types.calendar(session, case_type.sla.calendar, store_id=store_id)
