"""A card payment from start to end: intent, terminal, answer — off the GUI thread.

:meth:`CardPayments.pay` commits the pending intent, asks the terminal (its driver runs
on the terminal's own I/O thread with deadlines; the intermediate texts — "Insert card",
"Enter PIN" — reach ``on_status`` as they come), and records the answer. When the
terminal could not be reached at all (or refused before the card was asked for),
nothing was charged and the intent is *aborted*. When the answer is lost once the
command reached the terminal (:class:`~devices.zvt.errors.TransactionInDoubt`), the
terminal is asked for its last transaction; if that does not settle it, the intent is
left for the manager (*needs check*) — never guessed either way.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from app.services.auth import UserInfo
from app.services.sales import SaleService
from app.services.tendering import CardOutcome, TenderResult
from devices.errors import DeviceError
from devices.zvt.errors import TransactionInDoubt
from domain.money import Money
from domain.payment_intent import IntentKind, IntentStatus


class CardTerminal(Protocol):
    """What StoreDesk asks of a card terminal (the ZVT driver, or its simulator)."""

    def authorize(
        self, amount_minor: int, *, reference: str, on_status: Callable[[str], None]
    ) -> CardOutcome: ...

    def refund(
        self, amount_minor: int, *, reference: str, on_status: Callable[[str], None]
    ) -> CardOutcome: ...

    def reverse(
        self, receipt_no: str, *, reference: str, on_status: Callable[[str], None]
    ) -> CardOutcome: ...

    def last_result(self) -> CardOutcome | None: ...

    def end_of_day(self) -> int: ...

    def abort(self) -> None: ...


@dataclass(frozen=True)
class CardPaymentResult:
    tender: TenderResult
    status: IntentStatus
    message: str  # for the consultant: "Approved", "Declined: card expired" …


class CardPayments:
    def __init__(self, sales: SaleService, terminal: Callable[[], CardTerminal]) -> None:
        self._sales = sales
        self._terminal = terminal

    def pay(
        self,
        order_id: uuid.UUID,
        amount_text: str,
        *,
        user: UserInfo,
        on_status: Callable[[str], None] = lambda _text: None,
    ) -> CardPaymentResult:
        """Blocks until the terminal answers: call it from a background thread."""
        request = self._sales.begin_card(order_id, amount_text, user=user)
        on_status(f"Card payment of {request.amount.format()}: follow the terminal.")
        try:
            terminal = self._terminal()
            outcome = terminal.authorize(
                request.amount.minor, reference=request.reference, on_status=on_status
            )
        except TransactionInDoubt as exc:
            last = self._ask_last(request.amount.minor)
            if last is not None:
                outcome = last
            else:
                note = f"The terminal's answer was lost ({exc.message})."
                self._sales.mark_unclear(request.intent_id, note, user=user)
                return CardPaymentResult(
                    self._tender_state(order_id),
                    IntentStatus.NEEDS_CHECK,
                    note + " Do not charge again: the manager checks the terminal's journal.",
                )
        except DeviceError as exc:  # it never reached the terminal: nothing was charged
            outcome = CardOutcome(IntentStatus.ABORTED, message=f"Not charged: {exc.message}")
        result = self._sales.finish_card(request.intent_id, outcome, user=user)
        message = {
            IntentStatus.APPROVED: "Approved",
            IntentStatus.DECLINED: "Declined",
            IntentStatus.ABORTED: "Cancelled",
        }.get(outcome.status, outcome.status.value)
        if outcome.message:
            message = f"{message}: {outcome.message}"
        return CardPaymentResult(result, outcome.status, message)

    def refund_to_card(
        self,
        order_id: uuid.UUID,
        *,
        user: UserInfo,
        on_status: Callable[[str], None] = lambda _text: None,
    ) -> list[CardPaymentResult]:
        """Pay back every card refund of this order waiting for the terminal (returns)."""
        results = []
        for payment_id in self._sales.pending_card_refunds(order_id):
            request = self._sales.begin_refund(payment_id, user=user)
            on_status(f"Refund of {request.amount.format()} to the card: follow the terminal.")
            try:
                terminal = self._terminal()
                if request.kind is IntentKind.REVERSAL:
                    outcome = terminal.reverse(
                        request.reverses, reference=request.reference, on_status=on_status
                    )
                else:
                    outcome = terminal.refund(
                        request.amount.minor, reference=request.reference, on_status=on_status
                    )
            except TransactionInDoubt as exc:
                note = f"The terminal's answer to the refund was lost ({exc.message})."
                self._sales.mark_unclear(request.intent_id, note, user=user)
                results.append(
                    CardPaymentResult(
                        self._tender_state(order_id), IntentStatus.NEEDS_CHECK,
                        note + " The manager checks the terminal's journal.",
                    )
                )  # fmt: skip
                continue
            except DeviceError as exc:
                outcome = CardOutcome(IntentStatus.ABORTED, message=f"Not refunded: {exc.message}")
            tender = self._sales.finish_card(request.intent_id, outcome, user=user)
            if outcome.status is not IntentStatus.APPROVED:
                word = "Refund not done"
            elif request.kind is IntentKind.REVERSAL:
                word = "Voided on the card"
            else:
                word = "Refunded to the card"
            results.append(
                CardPaymentResult(
                    tender, outcome.status, f"{word}: {outcome.message}" if outcome.message
                    else word,
                )
            )  # fmt: skip
        return results

    def end_of_day(self) -> Money:
        """The terminal's end-of-day closing: its card total since the last one."""
        return Money.from_minor(self._terminal().end_of_day(), self._sales.currency)

    def abort(self) -> None:
        """Ask the terminal to stop the transaction in progress (the customer walked off)."""
        self._terminal().abort()

    def recover(self, *, user: UserInfo) -> int:
        """At start: settle pending intents; returns how many still need the manager."""
        if not self._sales.unresolved_intents():
            return 0

        def last() -> CardOutcome | None:
            return self._terminal().last_result()

        return len(self._sales.recover_intents(last, user=user))

    def _ask_last(self, amount_minor: int) -> CardOutcome | None:
        try:
            last = self._terminal().last_result()
        except DeviceError:
            return None
        if last is None or last.amount_minor != amount_minor:
            return None
        return last

    def _tender_state(self, order_id: uuid.UUID) -> TenderResult:
        return TenderResult(state=self._sales.payment_state(order_id))
