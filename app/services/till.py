"""The till: open with a counted float, cash in and out, drawer openings, X report, close.

One session per till (the terminal) may be open — a partial unique index makes a second
one impossible even from two windows. Every sale's tender and every cash refund is tied
to the open session (``payments.session_id``), which is what the X report and the close
add up. Closing compares the counted cash with what should be there; a variance needs a
reason, and above ``[till] variance_approval_above`` the manager's approval (their PIN
on the consultant's screen, or their own close) and a hand-on to the second line (a
cash-variance case).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db import models as m
from app.db.counters import next_number
from app.db.types import utcnow
from app.db.uow import UnitOfWork
from app.errors import AccessDenied
from app.services.auth import UserInfo
from app.services.handoffs import hand_on
from app.services.till_session import current_session, log_drawer, open_session
from domain.calendar import local_day_bounds
from domain.errors import RuleViolation, ValidationError
from domain.money import Money
from domain.till import (
    Expected,
    MovementKind,
    assess_close,
    check_close,
    count_total,
    parse_cash_amount,
    parse_count,
)
from domain.users import Permission, Role, has_permission


@dataclass(frozen=True)
class TenderTotal:
    tender: str
    count: int
    amount: Money


@dataclass(frozen=True)
class TillReport:
    """An X report (any time) or the figures of a close (Z)."""

    number: str
    status: str
    opened_by: str
    opened_at: datetime
    closed_at: datetime | None
    expected: Expected
    tenders: tuple[TenderTotal, ...]
    movements: tuple[tuple[str, Money, str, str], ...]  # kind, amount, reason, who
    drawer_openings: int
    no_sale_openings: int
    counted: Money | None = None
    variance: Money | None = None
    variance_reason: str = ""
    card_terminal_total: Money | None = None

    @property
    def card_total(self) -> Money:
        return next(
            (t.amount for t in self.tenders if t.tender == "card"),
            Money.zero(self.expected.cash.currency),
        )


@dataclass(frozen=True)
class CloseResult:
    report: TillReport
    handed_on: bool


class TillService:
    def __init__(
        self,
        uow: Callable[..., UnitOfWork],
        *,
        store_id: str,
        till_id: str,
        currency: str,
        variance_threshold: Decimal,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._uow = uow
        self._store_id = store_id
        self._till_id = till_id
        self._currency = currency
        self._threshold = Money(variance_threshold, currency)
        self._clock = clock

    # -- reading -------------------------------------------------------------------------
    def is_open(self) -> bool:
        with self._uow(read_only=True) as uow:
            return current_session(uow.session, self._store_id, self._till_id) is not None

    def x_report(self) -> TillReport:
        """The open session's figures so far (or the last closed one's)."""
        with self._uow(read_only=True) as uow:
            row = current_session(uow.session, self._store_id, self._till_id)
            if row is None:
                row = uow.session.scalars(
                    select(m.TillSession)
                    .where(m.TillSession.store_id == self._store_id,
                           m.TillSession.till_id == self._till_id)
                    .order_by(m.TillSession.opened_at.desc())
                    .limit(1)
                ).first()  # fmt: skip
            if row is None:
                raise RuleViolation("This till has never been opened.")
            return self._report(uow.session, row)

    def report_of(self, number: str) -> TillReport:
        """Any till session of this store by its number: an X report while it is open, the
        figures of its close (Z) after, computed exactly as the close computed them."""
        with self._uow(read_only=True) as uow:
            row = uow.session.scalars(
                select(m.TillSession).where(
                    m.TillSession.store_id == self._store_id,
                    m.TillSession.number == number.strip(),
                )
            ).first()
            if row is None:
                raise RuleViolation(f"There is no till session {number.strip()!r} in this store.")
            return self._report(uow.session, row)

    def closed_on(self, day: date) -> list[TillReport]:
        """The Z reports of this store's sessions closed on ``day`` (local time), every till,
        oldest close first; empty if none was closed that day."""
        start, end = local_day_bounds(day)
        with self._uow(read_only=True) as uow:
            rows = uow.session.scalars(
                select(m.TillSession)
                .where(
                    m.TillSession.store_id == self._store_id,
                    m.TillSession.status == "closed",
                    m.TillSession.closed_at >= start,
                    m.TillSession.closed_at < end,
                )
                .order_by(m.TillSession.closed_at)
            ).all()
            return [self._report(uow.session, row) for row in rows]

    # -- opening and cash ----------------------------------------------------------------
    def open(self, counts: Mapping[str, str], *, user: UserInfo) -> TillReport:
        count = parse_count(counts, self._currency)
        opening = count_total(count, self._currency)
        with self._uow(durable=True) as uow:
            session = uow.session
            if current_session(session, self._store_id, self._till_id) is not None:
                raise RuleViolation("This till is already open; close it before opening again.")
            number = next_number(
                session, kind="TIL", store_id=self._store_id, terminal_id=self._till_id
            )
            row = m.TillSession(
                number=number, till_id=self._till_id, status="open", currency=self._currency,
                float_minor=opening.minor, float_count=count, opened_by=user.id,
                opened_at=self._clock(),
            )  # fmt: skip
            session.add(row)
            session.flush()
            self._drawer(session, row, "opening float", user)
            report = self._report(session, row)
            uow.commit()
            return report

    def cash_in(self, amount_text: str, reason: str, *, user: UserInfo) -> TillReport:
        return self._move(MovementKind.CASH_IN, amount_text, reason, user)

    def cash_out(self, amount_text: str, reason: str, *, user: UserInfo) -> TillReport:
        if not user.can(Permission.CASH_OUT):
            raise AccessDenied("Only a manager may take cash out of the till.")
        return self._move(MovementKind.CASH_OUT, amount_text, reason, user)

    def drawer_opened(self, reason: str, *, user: UserInfo, reference: str = "") -> None:
        """Log an opening of the drawer: a cash sale, a refund, or "no sale" with its reason."""
        reason = _reason(reason)
        with self._uow() as uow:
            row = open_session(uow.session, self._store_id, self._till_id)
            self._drawer(uow.session, row, reason, user, reference=reference)
            uow.commit()

    def no_sale(self, reason: str, *, user: UserInfo) -> None:
        """The drawer opened without a sale (change for a customer …): the reason is kept."""
        self.drawer_opened(f"no sale: {_reason(reason)}", user=user)

    # -- closing -------------------------------------------------------------------------
    def close(
        self,
        counts: Mapping[str, str],
        *,
        user: UserInfo,
        reason: str = "",
        card_terminal_total: str = "",
        approved_by: uuid.UUID | None = None,
    ) -> CloseResult:
        """Count, compare, close. ``card_terminal_total``: the terminal's end-of-day total."""
        if not user.can(Permission.SELL):
            raise AccessDenied("Only staff who sell may count and close the till.")
        count = parse_count(counts, self._currency)
        counted = count_total(count, self._currency)
        terminal_total = (
            parse_cash_amount(card_terminal_total, self._currency, field="card_total")
            if card_terminal_total.strip() not in ("", "0", "0.00")
            else None
        )
        with self._uow(durable=True) as uow:
            session = uow.session
            row = open_session(session, self._store_id, self._till_id)
            if session.scalar(
                select(func.count()).select_from(m.PaymentIntent).where(
                    m.PaymentIntent.session_id == row.id,
                    m.PaymentIntent.status.in_(("pending", "needs_check")),
                )
            ):  # fmt: skip
                raise RuleViolation(
                    "A card payment of this session is still unclear: check it first."
                )
            report = self._report(session, row)
            closing = assess_close(report.expected.cash, counted, threshold=self._threshold)
            approver = self._approver(session, approved_by) if approved_by else None
            if approver is None and closing.needs_manager and user.can(Permission.APPROVE):
                approver = user.id  # a manager closing the till answers for it themselves
            check_close(closing, reason=reason, manager_approved=approver is not None)
            card_gap = terminal_total - report.card_total if terminal_total is not None else None
            if card_gap is not None and card_gap.amount != 0 and not reason.strip():
                raise ValidationError(
                    f"The terminal's card total differs by {card_gap.format()}: give the reason.",
                    field="reason",
                )
            now = self._clock()
            row.status = "closed"
            row.closed_by = user.id
            row.closed_at = now
            row.closing_count = count
            row.expected_minor = closing.expected.minor
            row.counted_minor = counted.minor
            row.variance_minor = closing.variance.minor
            row.variance_reason = reason.strip()[:500]
            row.approved_by = approver
            row.totals = {
                "tenders": {t.tender: t.amount.minor for t in report.tenders},
                "card_terminal": None if terminal_total is None else terminal_total.minor,
            }
            handed_on = closing.needs_manager or (card_gap is not None and card_gap.amount != 0)
            if handed_on:
                hand_on(
                    session, kind="cash_variance",
                    summary=f"Till {row.number}: counted {counted.format()}, expected "
                    f"{closing.expected.format()} ({closing.variance.format()})"
                    + (f"; card total differs by {card_gap.format()}" if card_gap else ""),
                    customer_id=None, order_id=None, ref_kind="till_session", ref_id=row.id,
                    details={"reason": reason.strip(), "variance_minor": closing.variance.minor},
                    user_id=user.id, now=now,
                )  # fmt: skip
            self._drawer(session, row, "closing count", user)
            session.flush()
            final = self._report(session, row, terminal_total=terminal_total)
            uow.commit()
            return CloseResult(final, handed_on)

    # -- helpers -------------------------------------------------------------------------
    def _move(
        self, kind: MovementKind, amount_text: str, reason: str, user: UserInfo
    ) -> TillReport:
        amount = parse_cash_amount(amount_text, self._currency)
        reason = _reason(reason)
        with self._uow(durable=True) as uow:
            session = uow.session
            row = open_session(session, self._store_id, self._till_id)
            if kind is MovementKind.CASH_OUT:
                available = self._report(session, row).expected.cash
                if amount.amount > available.amount:
                    raise RuleViolation(
                        f"Only {available.format()} should be in the drawer; "
                        f"{amount.format()} cannot be taken out."
                    )
            session.add(
                m.TillMovement(
                    session_id=row.id, kind=kind.value, amount_minor=amount.minor,
                    reason=reason, user_id=user.id, occurred_at=self._clock(),
                )
            )  # fmt: skip
            self._drawer(session, row, kind.value.replace("_", " "), user)
            session.flush()
            report = self._report(session, row)
            uow.commit()
            return report

    def _drawer(
        self, session: Session, row: m.TillSession, reason: str, user: UserInfo,
        *, reference: str = "",
    ) -> None:  # fmt: skip
        log_drawer(session, row.id, reason, user.id, reference=reference)

    def _approver(self, session: Session, approved_by: uuid.UUID) -> uuid.UUID:
        manager = session.get(m.User, approved_by)
        if manager is None or not has_permission(Role(manager.role), Permission.APPROVE):
            raise RuleViolation("The approval is not from a manager.")
        return manager.id

    def _report(
        self, session: Session, row: m.TillSession, *, terminal_total: Money | None = None
    ) -> TillReport:
        session.flush()
        cur = row.currency

        def money(minor: int) -> Money:
            return Money.from_minor(minor, cur)

        tenders = session.execute(
            select(m.Payment.tender, func.count(), func.sum(m.Payment.amount_minor))
            .where(m.Payment.session_id == row.id, m.Payment.amount_minor > 0,
                   m.Payment.status == "approved")
            .group_by(m.Payment.tender)
            .order_by(m.Payment.tender)
        ).all()  # fmt: skip
        refunds = session.scalar(
            select(func.coalesce(func.sum(m.Payment.amount_minor), 0)).where(
                m.Payment.session_id == row.id, m.Payment.tender == "cash",
                m.Payment.amount_minor < 0,
            )
        )  # fmt: skip
        # Columns, not ORM objects: a busy day has thousands of drawer openings.
        moves = session.execute(
            select(
                m.TillMovement.kind, m.TillMovement.amount_minor, m.TillMovement.reason,
                m.User.display_name,
            )
            .join(m.User, m.User.id == m.TillMovement.user_id)
            .where(m.TillMovement.session_id == row.id)
            .order_by(m.TillMovement.occurred_at, m.TillMovement.created_at)
        ).all()  # fmt: skip
        sums = {kind.value: 0 for kind in MovementKind}
        openings = no_sale = 0
        zero = money(0)
        listed: list[tuple[str, Money, str, str]] = []
        for kind, amount, reason, who in moves:
            sums[kind] += amount
            if kind == MovementKind.DRAWER.value:
                openings += 1
                no_sale += reason.startswith("no sale")
            listed.append((kind, money(amount) if amount else zero, reason, who))
        cash_sales = next((int(total) for tender, _n, total in tenders if tender == "cash"), 0)
        expected = Expected(
            opening_float=money(row.float_minor),
            cash_sales=money(cash_sales),
            cash_refunds=money(-int(refunds or 0)),
            cash_in=money(sums[MovementKind.CASH_IN.value]),
            cash_out=money(sums[MovementKind.CASH_OUT.value]),
        )
        opener = session.get(m.User, row.opened_by)
        stored_terminal = (row.totals or {}).get("card_terminal")
        if terminal_total is None and stored_terminal is not None:
            terminal_total = money(int(stored_terminal))
        return TillReport(
            number=row.number,
            status=row.status,
            opened_by=opener.display_name if opener else "",
            opened_at=row.opened_at,
            closed_at=row.closed_at,
            expected=expected,
            tenders=tuple(TenderTotal(t, int(n), money(int(a))) for t, n, a in tenders),
            movements=tuple(listed),
            drawer_openings=openings,
            no_sale_openings=no_sale,
            counted=None if row.counted_minor is None else money(row.counted_minor),
            variance=None if row.variance_minor is None else money(row.variance_minor),
            variance_reason=row.variance_reason,
            card_terminal_total=terminal_total,
        )


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError("Give the reason, in a few words.", field="reason")
    if len(reason) > 200:
        raise ValidationError("Keep the reason under 200 characters.", field="reason")
    return reason
