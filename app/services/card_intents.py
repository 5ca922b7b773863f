"""Card payments as intents: committed before the terminal is asked, resolved after.

Mixed into :class:`~app.services.sales.SaleService` on top of
:class:`~app.services.tendering.SaleTendering`. :meth:`begin_card` commits a *pending*
:class:`~app.db.models.PaymentIntent` before a byte goes to the terminal; :meth:`finish_card`
records the answer (an approval is a ``payments`` row with the slip, and completes the sale
when it covers the rest). If the program dies in between, :meth:`recover_intents` (at the
next start) resolves the pending intent from the terminal's last transaction or marks it
*needs check* and hands it to the manager, who decides with :meth:`check_intent`. An order
with an unresolved intent takes no other card payment, so a customer is never charged twice
and a sale is never completed without an approval. Card refunds (returns, voids) go the
same way with ``kind = refund`` (:meth:`begin_refund`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db import models as m
from app.errors import AccessDenied, NotFound
from app.services.auth import UserInfo
from app.services.basket_rows import to_domain
from app.services.handoffs import hand_on
from app.services.order_paid import paid_minor
from app.services.tendering import (
    CardOutcome,
    CardRequest,
    IntentView,
    SaleTendering,
    TenderResult,
)
from app.services.till_session import open_session_id
from devices.errors import DeviceError
from domain.card import CardSlip
from domain.errors import RuleViolation, ValidationError
from domain.money import Money, parse_amount
from domain.order import OrderStatus
from domain.payment_intent import UNRESOLVED, IntentKind, IntentStatus, check_transition
from domain.tender import TenderKind
from domain.users import Permission


class SaleCardIntents(SaleTendering):
    # -- reading -----------------------------------------------------------------------
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

    # -- card ----------------------------------------------------------------------------
    def begin_card(
        self, order_id: uuid.UUID, amount_text: str = "", *, user: UserInfo
    ) -> CardRequest:
        """Commit a pending card intent for ``amount_text`` (empty: all that is due)."""
        with self._tendering(order_id) as (uow, session, row, till):
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
            till = open_session_id(session, self._store_id, self._terminal_id)
            amount = Money.from_minor(-payment.amount_minor, payment.currency)
            reverses = (payment.details or {}).get("reverses", "")
            kind = IntentKind.REVERSAL if reverses else IntentKind.REFUND
            intent = self._new_intent(session, row, kind, amount, user, till)
            payment.intent_id = intent.id
            payment.session_id = till
            uow.commit()
            return CardRequest(intent.id, intent.reference, amount, kind, reverses)

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
        if intent.kind in (IntentKind.REFUND.value, IntentKind.REVERSAL.value):
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
        self._add_payment(
            session, row, TenderKind.CARD, amount, user, intent.session_id, intent_id=intent.id,
            details=outcome.slip.as_dict(),
        )  # fmt: skip
        if order.status in (OrderStatus.COMPLETED, OrderStatus.CANCELLED):
            # Resolved after the order ended another way (a manual check): the money is
            # kept as a payment; the refund is the manager's next step.
            return TenderResult(state=self._state(session, row))
        return self._settle(
            session, row, order, user, now, paid=Money.from_minor(amount, self._currency)
        )

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
            if intent.kind == IntentKind.REVERSAL.value:
                # The terminal would not void it (its day closed, say): refund it instead.
                payment.details = None
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
        till: uuid.UUID | None, *, original: uuid.UUID | None = None,
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
            session_id=till, original_id=original, slip={},
            receipt_lines=[], user_id=user.id,
        )  # fmt: skip
        session.add(intent)
        session.flush()
        return intent
