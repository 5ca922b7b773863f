"""The card terminal as the payment service sees it: the ZVT driver's answers as outcomes.

:class:`ZvtCardTerminal` wraps :class:`devices.zvt.terminal.ZvtTerminal` and turns its
results into :class:`~app.services.tendering.CardOutcome` — the card number reduced again
to BIN + last four by :func:`domain.card.mask_pan`, whatever the terminal sent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from app.services.tendering import CardOutcome
from devices.zvt.results import Aborted, Approved, Declined, PaymentResult
from devices.zvt.terminal import ZvtTerminal
from domain.card import CardSlip
from domain.payment_intent import IntentStatus


def _number(value: int | None, width: int) -> str:
    return "" if value is None else f"{value:0{width}d}"


def to_outcome(result: PaymentResult) -> CardOutcome:
    if isinstance(result, Approved):
        slip = CardSlip(
            auth_code=result.auth_code or "",
            masked_pan=result.masked_pan or "",
            brand=result.brand or "",
            terminal_id=result.terminal_id or "",
            trace=_number(result.trace_no, 6),
            receipt_no=_number(result.receipt_no, 4),
        )
        return CardOutcome(
            IntentStatus.APPROVED, slip, result_code="00", message="",
            receipt_lines=result.receipt_lines, amount_minor=result.amount_minor,
        )  # fmt: skip
    if isinstance(result, Declined):
        slip = CardSlip(
            terminal_id=result.terminal_id or "",
            trace=_number(result.trace_no, 6),
            receipt_no=_number(result.receipt_no, 4),
        )
        return CardOutcome(
            IntentStatus.DECLINED, slip, result_code=f"{result.result_code:02X}",
            message=result.message, receipt_lines=result.receipt_lines,
            amount_minor=result.amount_minor,
        )  # fmt: skip
    assert isinstance(result, Aborted)
    return CardOutcome(
        IntentStatus.ABORTED, result_code=f"{result.result_code:02X}", message=result.message,
        receipt_lines=result.receipt_lines,
    )  # fmt: skip


class ZvtCardTerminal:
    """:class:`~app.services.card_payments.CardTerminal` over a ZVT terminal."""

    def __init__(self, driver: ZvtTerminal) -> None:
        self.driver = driver

    def authorize(
        self, amount_minor: int, *, reference: str, on_status: Callable[[str], None]
    ) -> CardOutcome:
        # ZVT carries no free reference in an authorization; the intent's reference is
        # matched to the terminal's receipt and trace numbers kept on the slip.
        return to_outcome(self.driver.authorize(amount_minor, on_status=on_status))

    def refund(
        self, amount_minor: int, *, reference: str, on_status: Callable[[str], None]
    ) -> CardOutcome:
        return to_outcome(self.driver.refund(amount_minor, on_status=on_status))

    def reverse(
        self, receipt_no: str, *, reference: str, on_status: Callable[[str], None]
    ) -> CardOutcome:
        """Void a payment of the terminal's open day by its receipt number (ZVT 06 30)."""
        outcome = to_outcome(self.driver.reverse(int(receipt_no), on_status=on_status))
        return replace(outcome, amount_minor=None)  # the terminal answers the voided amount

    def last_result(self) -> CardOutcome | None:
        result = self.driver.last_result()
        return None if result is None else to_outcome(result)

    def end_of_day(self) -> int:
        """Close the terminal's batch; its card total in minor units (for the till close)."""
        return self.driver.end_of_day().total_minor

    def abort(self) -> None:
        self.driver.abort()

    def close(self) -> None:
        self.driver.close()
