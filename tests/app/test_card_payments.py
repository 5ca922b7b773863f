"""Card payments end to end: intent, the ZVT driver over a pseudo-terminal, the simulator.

The terminal is :class:`devices.zvt.simulator.TerminalSimulator` on a real pty, spoken to
by :class:`devices.zvt.terminal.ZvtTerminal` — the same bytes a real terminal exchanges.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from app.bootstrap import Services
from app.card_terminal import ZvtCardTerminal
from app.db import models as m
from app.demo.seed import demo_iccid
from app.services.auth import UserInfo
from app.services.card_payments import CardPayments
from app.services.returns import ReturnItem
from devices.zvt.simulator import TerminalSimulator
from devices.zvt.terminal import Timeouts, ZvtTerminal
from domain.payment_intent import IntentStatus
from domain.returns import Condition


@pytest.fixture
def simulator() -> Iterator[TerminalSimulator]:
    sim = TerminalSimulator().start()
    yield sim
    sim.stop()


@pytest.fixture
def cards(demo_services: Services, simulator: TerminalSimulator) -> Iterator[CardPayments]:
    short = Timeouts(ack=0.5, answer=1.5, idle=1.5, total=10.0, byte=0.5)
    terminal = ZvtCardTerminal(ZvtTerminal(simulator.port or "", timeouts=short))
    yield CardPayments(demo_services.sales, lambda: terminal)
    terminal.close()


def _basket(services: Services, user: UserInfo) -> uuid.UUID:
    customer = services.customers.search("C00000001")[0].id
    basket = services.sales.start(customer_id=customer, user=user)
    services.sales.add_code(basket.order_id, "PLAN-PRE", user=user)
    return services.sales.add_code(basket.order_id, demo_iccid(1, 1), user=user).order_id


def _intent(services: Services) -> m.PaymentIntent:
    with services.engine.connect() as conn:
        return conn.execute(select(m.PaymentIntent)).one()  # type: ignore[return-value]


def test_an_approved_card_completes_the_sale_with_the_slip(
    demo_services: Services, anna: UserInfo, cards: CardPayments
) -> None:
    order_id = _basket(demo_services, anna)
    texts: list[str] = []
    result = cards.pay(order_id, "", user=anna, on_status=texts.append)
    assert result.status is IntentStatus.APPROVED and result.tender.sale is not None
    assert result.tender.state.status == "completed"
    assert "Insert card" in texts and any("PIN" in t for t in texts)
    intent = _intent(demo_services)
    assert intent.status == "approved" and intent.amount_minor == 1998
    assert intent.slip["masked_pan"] == "476173******0010"
    assert intent.slip["terminal_id"] == "52000123" and intent.slip["receipt_no"]
    assert intent.receipt_lines  # the terminal's own receipt text was captured
    receipt = demo_services.receipts.for_order(order_id)
    assert "476173******0010" in receipt.text


def test_a_declined_card_keeps_the_basket(
    demo_services: Services, anna: UserInfo, cards: CardPayments, simulator: TerminalSimulator
) -> None:
    order_id = _basket(demo_services, anna)
    simulator.queue("decline:0x05")
    result = cards.pay(order_id, "", user=anna)
    assert result.status is IntentStatus.DECLINED and result.tender.sale is None
    assert result.message.startswith("Declined")
    assert result.tender.state.status == "draft" and result.tender.state.paid.amount == 0
    simulator.queue("abort")
    result = cards.pay(order_id, "", user=anna)
    assert result.status is IntentStatus.ABORTED and result.tender.state.status == "draft"
    result = cards.pay(order_id, "", user=anna)  # the customer tries again: approved
    assert result.status is IntentStatus.APPROVED and result.tender.sale is not None


def test_a_line_cut_mid_payment_is_never_guessed(
    demo_services: Services, anna: UserInfo, cards: CardPayments, simulator: TerminalSimulator
) -> None:
    order_id = _basket(demo_services, anna)
    simulator.queue("disconnect")
    result = cards.pay(order_id, "", user=anna)
    assert result.status is IntentStatus.NEEDS_CHECK
    assert "Do not charge again" in result.message
    assert result.tender.state.unresolved_card and result.tender.sale is None
    assert _intent(demo_services).status == "needs_check"
    assert any(h.kind == "card_check" for h in demo_services.handoffs.waiting())


def test_an_unreachable_terminal_charges_nothing(demo_services: Services, anna: UserInfo) -> None:
    order_id = _basket(demo_services, anna)
    terminal = ZvtCardTerminal(ZvtTerminal("/dev/storedesk-no-such-port"))
    try:
        result = CardPayments(demo_services.sales, lambda: terminal).pay(order_id, "", user=anna)
    finally:
        terminal.close()
    assert result.status is IntentStatus.ABORTED and "Not charged" in result.message
    assert result.tender.state.status == "draft"


def test_the_demo_terminal_is_the_simulator(demo_services: Services, anna: UserInfo) -> None:
    order_id = _basket(demo_services, anna)
    result = demo_services.cards.pay(order_id, "10", user=anna)
    assert result.status is IntentStatus.APPROVED
    assert result.tender.state.remaining.format() == "9.98 EUR"
    simulator = demo_services.devices.card_simulator
    assert simulator is not None and simulator.bookings[-1].amount_minor == 1000


def test_a_returned_card_sale_is_refunded_through_the_terminal(
    demo_services: Services, anna: UserInfo, cards: CardPayments, simulator: TerminalSimulator
) -> None:
    sales = demo_services.sales
    basket = sales.start(customer_id=None, user=anna)
    sales.add_code(basket.order_id, "ACC-CASE", user=anna)
    assert cards.pay(basket.order_id, "", user=anna).tender.sale is not None
    order = demo_services.returns.find(
        demo_services.receipts.for_order(basket.order_id).doc.barcode
    )
    item = ReturnItem(order.lines[0].line_id, 1, Condition.UNOPENED)
    result = demo_services.returns.create_return(
        basket.order_id, [item], reason="wrong colour", user=anna
    )
    assert result.tender == "card"
    assert sales.pending_card_refunds(basket.order_id)
    simulator.queue("decline:0x05")
    first = cards.refund_to_card(basket.order_id, user=anna)
    assert [r.status for r in first] == [IntentStatus.DECLINED]
    assert sales.pending_card_refunds(basket.order_id)  # still waiting: try again
    done = cards.refund_to_card(basket.order_id, user=anna)
    assert [r.status for r in done] == [IntentStatus.APPROVED]
    assert done[0].message.startswith("Refunded to the card")
    assert sales.pending_card_refunds(basket.order_id) == []
    assert [b.kind for b in simulator.bookings] == ["payment", "refund"]
    assert simulator.bookings[-1].amount_minor == 1499
    with demo_services.engine.connect() as conn:
        refund = conn.execute(select(m.Payment).where(m.Payment.amount_minor < 0)).one()
    assert refund.status == "refunded" and refund.details["masked_pan"] == "476173******0010"


def test_cancelling_a_part_paid_order_gives_every_tender_back(
    demo_services: Services, anna: UserInfo, cards: CardPayments, simulator: TerminalSimulator
) -> None:
    sales = demo_services.sales
    basket = sales.start(customer_id=None, user=anna)
    sales.add_code(basket.order_id, "ACC-CASE", user=anna)  # 14.99
    sales.tender_cash(basket.order_id, "5", user=anna)
    assert cards.pay(basket.order_id, "4", user=anna).status is IntentStatus.APPROVED
    assert sales.payment_state(basket.order_id).remaining.format() == "5.99 EUR"
    sales.cancel(basket.order_id, user=anna)
    voided = cards.refund_to_card(basket.order_id, user=anna)
    assert [(r.status, r.message) for r in voided] == [
        (IntentStatus.APPROVED, "Voided on the card")
    ]
    # Voided on the terminal by its receipt number (a reversal), not refunded.
    assert [(b.kind, b.amount_minor) for b in simulator.bookings] == [
        ("payment", 400), ("reversal", 400),
    ]  # fmt: skip
    assert simulator.bookings[0].reversed
    with demo_services.engine.connect() as conn:
        back = conn.execute(
            select(m.Payment.tender, m.Payment.status, m.Payment.amount_minor)
            .where(m.Payment.amount_minor < 0)
            .order_by(m.Payment.tender)
        ).all()
        status = conn.execute(select(m.Order.status)).scalar_one()
    assert [tuple(r) for r in back] == [("card", "refunded", -400), ("cash", "refunded", -500)]
    assert status == "cancelled"
    report = demo_services.till.x_report()
    assert report.expected.cash_refunds.format() == "5.00 EUR"  # the drawer paid it back
    assert report.expected.cash.format() == "200.00 EUR"


def test_a_void_the_terminal_refuses_becomes_a_refund(
    demo_services: Services, anna: UserInfo, cards: CardPayments, simulator: TerminalSimulator
) -> None:
    sales = demo_services.sales
    basket = sales.start(customer_id=None, user=anna)
    sales.add_code(basket.order_id, "ACC-CASE", user=anna)
    assert cards.pay(basket.order_id, "4", user=anna).status is IntentStatus.APPROVED
    sales.cancel(basket.order_id, user=anna)
    simulator.queue("decline:0x05")
    first = cards.refund_to_card(basket.order_id, user=anna)
    assert [r.status for r in first] == [IntentStatus.DECLINED]
    second = cards.refund_to_card(basket.order_id, user=anna)
    assert [(r.status, r.message) for r in second] == [
        (IntentStatus.APPROVED, "Refunded to the card")
    ]
    assert [b.kind for b in simulator.bookings] == ["payment", "refund"]
    with demo_services.engine.connect() as conn:
        kinds = conn.execute(select(m.PaymentIntent.kind).order_by(m.PaymentIntent.created_at))
        assert [k for (k,) in kinds] == ["sale", "reversal", "refund"]
