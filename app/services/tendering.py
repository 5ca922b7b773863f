"""Tendering: split payments in any order, card payments through intents, pay-later.

Mixed into :class:`~app.services.sales.SaleService`. A basket is paid by one or more
tenders — cash (with change and the cash rounding rule on what cash settles last), card
through the terminal, exchange credit, or the postpaid customer's account. The first
tender submits the basket (its lines are then fixed); while approved tenders cover only
part of the total the order is *awaiting payment* and keeps what was approved; the tender
that covers the rest completes the sale in the same transaction as its payment.

A card payment is two transactions around the terminal. :meth:`begin_card` commits a
*pending* :class:`~app.db.models.PaymentIntent` before the terminal is asked;
:meth:`finish_card` records its answer. If the program dies in between,
:meth:`recover_intents` (at the next start) resolves the pending intent from the
terminal's last transaction or marks it *needs check* and hands it to the manager. An
order with an unresolved intent takes no other card payment until it is resolved, so a
customer is never charged twice, and a sale is never completed without an approval.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.changes import Changes
from app.db import models as m
from app.db.uow import UnitOfWork
from app.errors import AccessDenied, NotFound
from app.services.auth import UserInfo
from app.services.basket_rows import to_domain
from app.services.basket_views import SaleResult
from app.services.catalog import CatalogService
from app.services.handoffs import hand_on
from app.services.till import log_drawer, open_session, paid_minor
from devices.errors import DeviceError
from domain.card import CardSlip
from domain.errors import RuleViolation, ValidationError
from domain.money import Money, parse_amount, round_money
from domain.order import Order, OrderStatus
from domain.payment_intent import UNRESOLVED, IntentKind, IntentStatus, check_transition
from domain.tender import TenderKind, settle_cash
from domain.users import Permission


@dataclass(frozen=True)
class TenderLine:
    tender: str
    amount: Money
    detail: str = ""  # "VISA 411111******1111, auth 123456"


@dataclass(frozen=True)
class PaymentState:
    order_id: uuid.UUID
    number: str
    status: str
    total: Money
    paid: Money
    remaining: Money
    tenders: tuple[TenderLine, ...]
    unresolved_card: bool  # a card payment is pending or needs checking


@dataclass(frozen=True)
class TenderResult:
    """After a tender: the sale if it completed, else what is still due."""

    state: PaymentState
    sale: SaleResult | None = None
    change: Money | None = None


@dataclass(frozen=True)
class CardRequest:
    """What to send to the terminal for an intent committed as pending."""

    intent_id: uuid.UUID
    reference: str
    amount: Money
    kind: IntentKind


@dataclass(frozen=True)
class CardOutcome:
    """The terminal's answer, reduced to what StoreDesk may keep (no full card number)."""

    status: IntentStatus  # approved, declined or aborted
    slip: CardSlip = field(default_factory=CardSlip)
    result_code: str = ""
    message: str = ""
    receipt_lines: tuple[str, ...] = ()
    amount_minor: int | None = None  # what the terminal approved, if it says


@dataclass(frozen=True)
class IntentView:
    id: uuid.UUID
    order_number: str
    kind: str
    status: str
    amount: Money
    reference: str
    created_at: datetime
    message: str


def credit_note_used(session: Session, number: str) -> int:
    """How much of a credit note earlier sales have spent (vouchers name it in details)."""
    spent = session.scalars(
        select(m.Payment).where(
            m.Payment.tender == TenderKind.VOUCHER.value, m.Payment.status == "approved"
        )
    ).all()
    return sum(p.amount_minor for p in spent if (p.details or {}).get("credit_note") == number)


def describe_card(details: dict[str, str] | None) -> str:
    if not details:
        return ""
    slip = CardSlip.from_dict(details)
    parts = [p for p in (slip.brand, slip.masked_pan) if p]
    if slip.auth_code:
        parts.append(f"auth {slip.auth_code}")
    return " ".join(parts)


class SaleTendering:
    _uow: Callable[..., UnitOfWork]
    _store_id: str
    _terminal_id: str
    _currency: str
    _cash_rounding: Decimal
    _catalog: CatalogService
    _clock: Callable[[], datetime]
    pay_later_allowed: bool = True

    # Provided by SaleService.
    def _order_row(self, session: Session, order_id: uuid.UUID) -> m.Order:
        raise NotImplementedError

    def _start_payment(
        self, session: Session, row: m.Order, user: UserInfo, now: datetime
    ) -> Order:
        raise NotImplementedError

    def _complete(
        self, session: Session, row: m.Order, order: Order, user: UserInfo, now: datetime
    ) -> str:
        raise NotImplementedError

    # -- reading -------------------------------------------------------------------------
    def payment_state(self, order_id: uuid.UUID) -> PaymentState:
        with self._uow(read_only=True) as uow:
            row = self._order_row(uow.session, order_id)
            return self._state(uow.session, row)

    def unresolved_intents(self) -> list[IntentView]:
        """Card payments of this terminal that are pending or need the manager's check."""
        with self._uow(read_only=True) as uow:
            rows = uow.session.execute(
                select(m.PaymentIntent, m.Order.number)
                .join(m.Order, m.Order.id == m.PaymentIntent.order_id)
                .where(
                    m.PaymentIntent.status.in_([s.value for s in UNRESOLVED]),
                    m.PaymentIntent.terminal_id == self._terminal_id,
                )
                .order_by(m.PaymentIntent.created_at)
            ).all()
            return [
                IntentView(
                    id=intent.id, order_number=number, kind=intent.kind, status=intent.status,
                    amount=Money.from_minor(intent.amount_minor, intent.currency),
                    reference=intent.reference, created_at=intent.created_at,
                    message=intent.message,
                )
                for intent, number in rows
            ]  # fmt: skip

    # -- cash and account ----------------------------------------------------------------
    def tender_cash(self, order_id: uuid.UUID, given_text: str, *, user: UserInfo) -> TenderResult:
        """Cash: all that is due (change given back) or part of it (the rest by another tender)."""
        given = Money(parse_amount(given_text, field="cash_given"), self._currency)
        if given.amount <= 0:
            raise ValidationError("Enter the cash the customer gave.", field="cash_given")
        self._catalog.snapshot()  # read before the write lock is taken
        with self._uow(durable=True) as uow:
            session = uow.session
            session.autoflush = False
            row = self._order_row(session, order_id)
            till = open_session(session, self._store_id, self._terminal_id)
            now = self._clock()
            order = self._start_payment(session, row, user, now)
            remaining = self._remaining(session, row, order)
            rounded_due = Money(round_money(remaining.amount, self._cash_rounding), self._currency)
            if given < rounded_due:  # part of what is due; the rest comes by another tender
                self._add_payment(
                    session, row, TenderKind.CASH, given.minor, user, till,
                    given_minor=given.minor, change_minor=0,
                )  # fmt: skip
                self._await(session, row, order, user, now)
                log_drawer(session, till, "cash sale", user.id, reference=row.number)
                state = self._state(session, row)
                uow.commit()
                return TenderResult(state=state)
            cash = settle_cash(remaining, given, rounding=self._cash_rounding)
            self._add_payment(
                session, row, TenderKind.CASH, cash.due.minor, user, till,
                given_minor=cash.given.minor, change_minor=cash.change.minor,
            )  # fmt: skip
            sale = self._finish(session, row, order, user, now, paid=cash.due, given=cash.given,
                                change=cash.change)  # fmt: skip
            log_drawer(session, till, "cash sale", user.id, reference=sale.receipt_number)
            uow.commit()
            return TenderResult(state=self.payment_state_after(sale), sale=sale, change=cash.change)

    def tender_account(self, order_id: uuid.UUID, *, user: UserInfo) -> TenderResult:
        """Put what is due on the postpaid customer's account (pay later), where allowed."""
        self._catalog.snapshot()  # read before the write lock is taken
        with self._uow(durable=True) as uow:
            session = uow.session
            session.autoflush = False
            row = self._order_row(session, order_id)
            till = open_session(session, self._store_id, self._terminal_id)
            if not self.pay_later_allowed:
                raise RuleViolation("Paying later on the account is switched off in this store.")
            if row.customer_id is None:
                raise RuleViolation("Pay later needs a registered customer with an account.")
            account = session.scalars(
                select(m.BillingAccount).where(
                    m.BillingAccount.customer_id == row.customer_id,
                    m.BillingAccount.status == "active",
                    m.BillingAccount.pay_later.is_(True),
                )
            ).first()
            if account is None:
                raise RuleViolation(
                    "This customer has no postpaid account that allows paying later."
                )
            now = self._clock()
            order = self._start_payment(session, row, user, now)
            remaining = self._remaining(session, row, order)
            if remaining.minor <= 0:
                raise RuleViolation("Nothing is left to pay.")
            self._add_payment(
                session, row, TenderKind.ACCOUNT, remaining.minor, user, till,
                details={"account_no": account.account_no},
            )  # fmt: skip
            sale = self._finish(session, row, order, user, now, paid=remaining)
            uow.commit()
            return TenderResult(state=self.payment_state_after(sale), sale=sale)

    def tender_credit_note(
        self, order_id: uuid.UUID, number_text: str, *, user: UserInfo
    ) -> TenderResult:
        """Spend a credit note from an earlier return (store credit) on what is due."""
        number = number_text.strip().upper()
        if not number:
            raise ValidationError("Type or scan the credit note number.", field="amount")
        self._catalog.snapshot()  # read before the write lock is taken
        with self._uow(durable=True) as uow:
            session = uow.session
            session.autoflush = False
            row = self._order_row(session, order_id)
            till = open_session(session, self._store_id, self._terminal_id)
            note = session.scalars(
                select(m.ReturnRecord).where(
                    m.ReturnRecord.credit_note_number == number,
                    m.ReturnRecord.tender == "credit_note",
                    m.ReturnRecord.status == "completed",
                )
            ).first()
            if note is None:
                raise ValidationError(
                    f"{number} is not a credit note that can be spent here.", field="amount"
                )
            if note.currency != row.currency:
                raise ValidationError(
                    f"Credit note {number} is in {note.currency}.", field="amount"
                )
            balance = note.refund_minor - credit_note_used(session, number)
            if balance <= 0:
                raise RuleViolation(f"Credit note {number} has been used up.")
            now = self._clock()
            order = self._start_payment(session, row, user, now)
            remaining = self._remaining(session, row, order)
            if remaining.minor <= 0:
                raise RuleViolation("Nothing is left to pay.")
            used = min(balance, remaining.minor)
            self._add_payment(
                session, row, TenderKind.VOUCHER, used, user, till,
                details={"credit_note": number},
            )  # fmt: skip
            if used < remaining.minor:
                self._await(session, row, order, user, now)
                state = self._state(session, row)
                uow.commit()
                return TenderResult(state=state)
            sale = self._finish(session, row, order, user, now, paid=remaining)
            uow.commit()
            return TenderResult(state=self.payment_state_after(sale), sale=sale)

    # -- card ----------------------------------------------------------------------------
    def begin_card(
        self, order_id: uuid.UUID, amount_text: str = "", *, user: UserInfo
    ) -> CardRequest:
        """Commit a pending card intent for ``amount_text`` (empty: all that is due)."""
        self._catalog.snapshot()  # read before the write lock is taken
        with self._uow(durable=True) as uow:
            session = uow.session
            session.autoflush = False
            row = self._order_row(session, order_id)
            till = open_session(session, self._store_id, self._terminal_id)
            self._no_unresolved(session, row)
            now = self._clock()
            order = self._start_payment(session, row, user, now)
            remaining = self._remaining(session, row, order)
            if remaining.minor <= 0:
                raise RuleViolation("Nothing is left to pay.")
            amount = remaining
            if amount_text.strip():
                amount = Money(parse_amount(amount_text, field="amount"), self._currency)
                if amount.amount <= 0:
                    raise ValidationError("Enter an amount above zero.", field="amount")
                if amount > remaining:
                    raise ValidationError(
                        f"Only {remaining.format()} is due; the card cannot pay more.",
                        field="amount",
                    )
            self._record_status(session, row, order, user)
            intent = self._new_intent(session, row, IntentKind.SALE, amount, user, till)
            uow.commit()
            return CardRequest(intent.id, intent.reference, amount, IntentKind.SALE)

    def finish_card(
        self, intent_id: uuid.UUID, outcome: CardOutcome, *, user: UserInfo
    ) -> TenderResult:
        """Record the terminal's answer; an approval that covers the rest completes the sale."""
        self._catalog.snapshot()  # read before the write lock is taken
        with self._uow(durable=True) as uow:
            session = uow.session
            session.autoflush = False
            intent = session.get(m.PaymentIntent, intent_id)
            if intent is None:
                raise NotFound("This card payment no longer exists.")
            row = self._order_row(session, intent.order_id)
            result = self._resolve(session, row, intent, outcome, user)
            uow.commit()
            return result

    def pending_card_refunds(self, order_id: uuid.UUID) -> list[uuid.UUID]:
        """Refunds of this order waiting to go back to the card (from returns)."""
        with self._uow(read_only=True) as uow:
            return list(
                uow.session.scalars(
                    select(m.Payment.id).where(
                        m.Payment.order_id == order_id,
                        m.Payment.tender == TenderKind.CARD.value,
                        m.Payment.status == "refund_pending",
                    )
                )
            )

    def begin_refund(self, payment_id: uuid.UUID, *, user: UserInfo) -> CardRequest:
        """Commit a pending refund intent for a card refund the terminal is to pay back."""
        with self._uow(durable=True) as uow:
            session = uow.session
            payment = session.get(m.Payment, payment_id)
            if payment is None or payment.status != "refund_pending":
                raise RuleViolation("This refund is not waiting for the card terminal.")
            row = self._order_row(session, payment.order_id)
            self._no_unresolved(session, row)
            till = open_session(session, self._store_id, self._terminal_id)
            amount = Money.from_minor(-payment.amount_minor, payment.currency)
            intent = self._new_intent(session, row, IntentKind.REFUND, amount, user, till)
            payment.intent_id = intent.id
            payment.session_id = till.id
            uow.commit()
            return CardRequest(intent.id, intent.reference, amount, IntentKind.REFUND)

    def recover_intents(
        self, last_result: Callable[[], CardOutcome | None], *, user: UserInfo
    ) -> list[IntentView]:
        """At start: settle pending intents from the terminal's last transaction.

        Only the newest pending intent can be the terminal's last transaction; it is
        resolved from it when the amounts agree. Every other pending intent — and the
        newest too when the terminal cannot tell — becomes *needs check* and is handed to
        the manager. Returns what still needs checking.
        """
        pending = [i for i in self.unresolved_intents() if i.status == IntentStatus.PENDING]
        if pending:
            newest = pending[-1]
            try:
                last = last_result()
            except DeviceError as exc:  # a terminal that cannot tell
                last = None
                note = f"The terminal could not tell: {exc}"
            else:
                note = "The terminal has no record of it."
            for view in pending:
                outcome = last if view is newest else None
                if outcome is not None and outcome.amount_minor not in (None, view.amount.minor):
                    outcome, note = None, "The terminal's last transaction has another amount."
                self._catalog.snapshot()  # read before the write lock is taken
                with self._uow(durable=True) as uow:
                    session = uow.session
                    intent = session.get(m.PaymentIntent, view.id)
                    if intent is None or intent.status != IntentStatus.PENDING:
                        continue
                    row = self._order_row(session, intent.order_id)
                    if outcome is not None:
                        self._resolve(session, row, intent, outcome, user)
                    else:
                        self._needs_check(session, row, intent, note, user)
                    uow.commit()
        return self.unresolved_intents()

    def mark_unclear(self, intent_id: uuid.UUID, note: str, *, user: UserInfo) -> None:
        """The terminal's answer was lost (cable, timeout): the manager checks the journal."""
        with self._uow(durable=True) as uow:
            session = uow.session
            intent = session.get(m.PaymentIntent, intent_id)
            if intent is None:
                raise NotFound("This card payment no longer exists.")
            row = self._order_row(session, intent.order_id)
            self._needs_check(session, row, intent, note, user)
            uow.commit()

    def check_intent(
        self, intent_id: uuid.UUID, *, charged: bool, auth_code: str = "", note: str,
        user: UserInfo,
    ) -> TenderResult:  # fmt: skip
        """The manager's decision on an unclear card payment, after looking at the terminal."""
        if not user.can(Permission.APPROVE):
            raise AccessDenied("Only a manager may decide an unclear card payment.")
        if not note.strip():
            raise ValidationError("Say what the terminal's journal shows.", field="note")
        outcome = CardOutcome(
            status=IntentStatus.APPROVED if charged else IntentStatus.ABORTED,
            slip=CardSlip(auth_code=auth_code),
            message=f"Checked by {user.display_name}: {note.strip()}",
        )
        self._catalog.snapshot()  # read before the write lock is taken
        with self._uow(durable=True) as uow:
            session = uow.session
            intent = session.get(m.PaymentIntent, intent_id)
            if intent is None:
                raise NotFound("This card payment no longer exists.")
            if intent.status != IntentStatus.NEEDS_CHECK:
                raise RuleViolation("Only a card payment marked for checking can be decided.")
            row = self._order_row(session, intent.order_id)
            result = self._resolve(session, row, intent, outcome, user, manual=True)
            uow.commit()
            return result

    # -- helpers -------------------------------------------------------------------------
    def payment_state_after(self, sale: SaleResult) -> PaymentState:
        with self._uow(read_only=True) as uow:
            return self._state(uow.session, self._order_row(uow.session, sale.order_id))

    def _resolve(
        self, session: Session, row: m.Order, intent: m.PaymentIntent, outcome: CardOutcome,
        user: UserInfo, *, manual: bool = False,
    ) -> TenderResult:  # fmt: skip
        target = outcome.status
        if intent.status == IntentStatus.NEEDS_CHECK and target is not IntentStatus.APPROVED:
            target = IntentStatus.NOT_CHARGED
        check_transition(intent.status, target)
        now = self._clock()
        intent.status = target.value
        intent.slip = outcome.slip.as_dict()
        intent.result_code = outcome.result_code[:8]
        intent.message = outcome.message[:300]
        intent.receipt_lines = list(outcome.receipt_lines)[:200]
        intent.resolved_by = user.id
        intent.resolved_at = now
        if intent.kind == IntentKind.REFUND.value:
            return self._resolve_refund(session, row, intent, target, outcome)
        order = to_domain(row)
        if target is not IntentStatus.APPROVED:
            if not paid_minor(session, row) and order.can_reopen():
                order.reopen(user_id=user.id, at=now)  # nothing approved: editable again
                self._record_status(session, row, order, user)
            return TenderResult(state=self._state(session, row))
        amount = outcome.amount_minor if outcome.amount_minor is not None else intent.amount_minor
        if amount <= 0 or amount > intent.amount_minor:
            raise ValidationError("The terminal approved an amount that was not asked for.")
        till = session.get(m.TillSession, intent.session_id) if intent.session_id else None
        self._add_payment(
            session, row, TenderKind.CARD, amount, user, till, intent_id=intent.id,
            details=outcome.slip.as_dict(),
        )  # fmt: skip
        if order.status in (OrderStatus.COMPLETED, OrderStatus.CANCELLED):
            # Resolved after the order ended another way (a manual check): the money is
            # kept as a payment; the refund is the manager's next step.
            return TenderResult(state=self._state(session, row))
        remaining = self._remaining(session, row, order)
        if remaining.minor > 0:
            self._await(session, row, order, user, now)
            return TenderResult(state=self._state(session, row))
        paid = Money.from_minor(amount, self._currency)
        sale = self._finish(session, row, order, user, now, paid=paid)
        return TenderResult(state=self._state(session, row), sale=sale)

    def _resolve_refund(
        self, session: Session, row: m.Order, intent: m.PaymentIntent, target: IntentStatus,
        outcome: CardOutcome,
    ) -> TenderResult:  # fmt: skip
        payment = session.scalars(select(m.Payment).where(m.Payment.intent_id == intent.id)).one()
        if target is IntentStatus.APPROVED:
            payment.status = "refunded"  # the money is back on the card
            payment.details = outcome.slip.as_dict()
        else:
            payment.intent_id = None  # still waiting: a new attempt gets a new intent
        return TenderResult(state=self._state(session, row))

    def _needs_check(
        self, session: Session, row: m.Order, intent: m.PaymentIntent, note: str, user: UserInfo
    ) -> None:
        check_transition(intent.status, IntentStatus.NEEDS_CHECK)
        intent.status = IntentStatus.NEEDS_CHECK.value
        intent.message = note[:300]
        amount = Money.from_minor(intent.amount_minor, intent.currency)
        hand_on(
            session, kind="card_check",
            summary=f"Card payment {intent.reference} of {amount.format()} for order "
            f"{row.number} is unclear: {note}",
            customer_id=row.customer_id, order_id=row.id, ref_kind="payment_intent",
            ref_id=intent.id, user_id=user.id, now=self._clock(),
        )  # fmt: skip

    def _new_intent(
        self, session: Session, row: m.Order, kind: IntentKind, amount: Money, user: UserInfo,
        till: m.TillSession | None, *, original: uuid.UUID | None = None,
    ) -> m.PaymentIntent:  # fmt: skip
        count = session.scalar(
            select(func.count()).select_from(m.PaymentIntent).where(
                m.PaymentIntent.order_id == row.id
            )
        )  # fmt: skip
        intent = m.PaymentIntent(
            order_id=row.id, kind=kind.value, status=IntentStatus.PENDING.value,
            amount_minor=amount.minor, currency=amount.currency,
            reference=f"{row.number}-{kind.value[0].upper()}{int(count or 0) + 1}",
            session_id=till.id if till else None, original_id=original, slip={},
            receipt_lines=[], user_id=user.id,
        )  # fmt: skip
        session.add(intent)
        session.flush()
        return intent

    def _no_unresolved(self, session: Session, row: m.Order) -> None:
        unresolved = session.scalar(
            select(func.count()).select_from(m.PaymentIntent).where(
                m.PaymentIntent.order_id == row.id,
                m.PaymentIntent.status.in_([s.value for s in UNRESOLVED]),
            )
        )  # fmt: skip
        if unresolved:
            raise RuleViolation(
                "A card payment of this order is still unclear: the manager checks it first."
            )

    def _add_payment(
        self, session: Session, row: m.Order, tender: TenderKind, amount_minor: int,
        user: UserInfo, till: m.TillSession | None, *, given_minor: int | None = None,
        change_minor: int | None = None, intent_id: uuid.UUID | None = None,
        details: dict[str, str] | None = None,
    ) -> None:  # fmt: skip
        session.add(
            m.Payment(
                order_id=row.id, tender=tender.value, status="approved",
                amount_minor=amount_minor, given_minor=given_minor, change_minor=change_minor,
                currency=row.currency, user_id=user.id, session_id=till.id if till else None,
                intent_id=intent_id, details=details,
            )
        )  # fmt: skip

    def _remaining(self, session: Session, row: m.Order, order: Order) -> Money:
        return Money.from_minor(max(order.total.minor - paid_minor(session, row), 0), row.currency)

    def _await(
        self, session: Session, row: m.Order, order: Order, user: UserInfo, now: datetime
    ) -> None:
        if order.status is OrderStatus.SUBMITTED:
            order.await_payment(
                Money.from_minor(paid_minor(session, row), row.currency), user_id=user.id, at=now
            )
        self._record_status(session, row, order, user)

    def _record_status(self, session: Session, row: m.Order, order: Order, user: UserInfo) -> None:
        for transition in order.history:
            session.add(
                m.OrderEvent(
                    order_id=row.id, status=transition.status.value,
                    user_id=transition.user_id, occurred_at=transition.at,
                )
            )  # fmt: skip
        order.history.clear()
        row.status = order.status.value

    def _finish(
        self, session: Session, row: m.Order, order: Order, user: UserInfo, now: datetime,
        *, paid: Money, given: Money | None = None, change: Money | None = None,
    ) -> SaleResult:  # fmt: skip
        receipt = self._complete(session, row, order, user, now)
        return SaleResult(
            order_id=row.id, number=row.number, receipt_number=receipt, total=order.total,
            paid=paid, given=given or paid, change=change or Money.zero(row.currency),
            changes=Changes(basket=True, stock=True, till=True, customer=True, sync=True),
        )  # fmt: skip

    def _state(self, session: Session, row: m.Order) -> PaymentState:
        session.flush()
        payments = session.scalars(
            select(m.Payment)
            .where(m.Payment.order_id == row.id, m.Payment.status == "approved",
                   m.Payment.amount_minor > 0)
            .order_by(m.Payment.created_at)
        ).all()  # fmt: skip
        total = to_domain(row).total
        paid = sum(p.amount_minor for p in payments)
        unresolved = session.scalar(
            select(func.count()).select_from(m.PaymentIntent).where(
                m.PaymentIntent.order_id == row.id,
                m.PaymentIntent.status.in_([s.value for s in UNRESOLVED]),
            )
        )  # fmt: skip
        return PaymentState(
            order_id=row.id, number=row.number, status=row.status, total=total,
            paid=Money.from_minor(paid, row.currency),
            remaining=Money.from_minor(
                0 if row.status == OrderStatus.COMPLETED.value else max(total.minor - paid, 0),
                row.currency,
            ),
            tenders=tuple(
                TenderLine(p.tender, Money.from_minor(p.amount_minor, p.currency),
                           describe_card(p.details) if p.tender == "card"
                           else (p.details or {}).get("credit_note", ""))
                for p in payments
            ),
            unresolved_card=bool(unresolved),
        )  # fmt: skip
