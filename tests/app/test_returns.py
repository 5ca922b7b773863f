"""Returns and exchanges through the real services and database."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.bootstrap import Services
from app.db import models as m
from app.demo.seed import ACCESSORY_STOCK, demo_iccid, demo_imei
from app.errors import NotFound
from app.services.auth import UserInfo
from app.services.basket_views import ApprovalRequired
from app.services.returns import ReturnItem, ReturnService
from domain.errors import RuleViolation, ValidationError
from domain.returns import Condition, ReturnPolicy

A15 = demo_imei("35328115", 3)
IP15 = demo_imei("35407115", 3)


def _sale(services: Services, user: UserInfo, *codes: str, customer: str = "C00000004") -> str:
    """Sell ``codes`` for cash to the customer; returns the receipt number."""
    cid = services.customers.search(customer)[0].id
    basket = services.sales.start(customer_id=cid, user=user)
    for code in codes:
        services.sales.add_code(basket.order_id, code, user=user)
    return services.sales.pay_cash(basket.order_id, "2000", user=user).receipt_number


def _line(order, sku: str) -> uuid.UUID:  # type: ignore[no-untyped-def]
    return next(line.line_id for line in order.lines if line.sku == sku)


def _unit_status(services: Services, imei: str) -> str:
    with services.engine.connect() as conn:
        return conn.execute(
            select(m.DeviceUnit.status).where(m.DeviceUnit.imei == imei)
        ).scalar_one()


def _payments(services: Services, order_id: uuid.UUID) -> list[tuple[str, str, int]]:
    with services.engine.connect() as conn:
        rows = conn.execute(
            select(m.Payment.tender, m.Payment.status, m.Payment.amount_minor)
            .where(m.Payment.order_id == order_id)
            .order_by(m.Payment.created_at)
        ).all()
    return [(t, s, a) for t, s, a in rows]


def test_return_part_of_a_sale_for_cash(demo_services: Services, anna: UserInfo) -> None:
    receipt = _sale(demo_services, anna, A15, "ACC-CASE", "ACC-CASE")
    returns = demo_services.returns
    order = returns.find(receipt.lower())  # typed in lower case
    assert order.receipt_number == receipt and order.window_open
    case = next(line for line in order.lines if line.sku == "ACC-CASE")
    assert (case.sold, case.returned, case.why_not) == (2, 0, "")
    paid = case.paid.minor  # the two cases, after the demo's promotion
    result = returns.create_return(
        order.order_id,
        [ReturnItem(_line(order, "DEV-A15"), 1, Condition.OPENED)],
        reason="changed her mind",
        user=anna,
    )
    assert result.status == "completed" and result.tender == "cash"
    assert result.refund.format() == "199.00 EUR"
    assert result.credit_note_number and result.credit_note_number.startswith("CRN-")
    assert _unit_status(demo_services, A15) == "returned"
    assert _payments(demo_services, order.order_id)[-1] == ("cash", "refunded", -19900)
    first = returns.create_return(
        order.order_id, [ReturnItem(_line(order, "ACC-CASE"), 1, Condition.UNOPENED)],
        reason="one is enough", user=anna,
    )  # fmt: skip
    assert first.refund.minor == paid // 2
    assert demo_services.stock.line("ACC-CASE").in_stock == ACCESSORY_STOCK - 1
    # The last case carries the remainder: both together give back exactly what was paid.
    order = returns.find(receipt)
    assert next(line.returned for line in order.lines if line.sku == "ACC-CASE") == 1
    second = returns.create_return(
        order.order_id, [ReturnItem(_line(order, "ACC-CASE"), 1, Condition.UNOPENED)],
        reason="second one", user=anna,
    )  # fmt: skip
    assert first.refund.minor + second.refund.minor == paid
    with pytest.raises(RuleViolation, match="already been returned"):
        returns.create_return(
            order.order_id, [ReturnItem(_line(order, "ACC-CASE"), 1, Condition.UNOPENED)],
            reason="again", user=anna,
        )  # fmt: skip
    timeline = demo_services.customers.profile(order.customer_id).timeline  # type: ignore[arg-type]
    assert timeline[0].kind == "return" and "refunded (cash)" in timeline[0].summary
    assert demo_services.customers.search(result.number) == []  # returns are not customers
    assert demo_services.customers.search(receipt)[0].id == order.customer_id


def test_a_line_and_its_sim_are_not_returned_at_the_counter(
    demo_services: Services, anna: UserInfo
) -> None:
    receipt = _sale(demo_services, anna, "PLAN-S", demo_iccid(1, 51))
    order = demo_services.returns.find(receipt)
    plan = next(line for line in order.lines if line.sku == "PLAN-S")
    assert plan.why_not == "a line is cancelled through the second line"
    sim = next(line for line in order.lines if line.kind == "sim")
    assert "in use on a line" in sim.why_not
    with pytest.raises(RuleViolation, match="cannot be returned: a line is cancelled"):
        demo_services.returns.create_return(
            order.order_id, [ReturnItem(plan.line_id, 1, Condition.UNOPENED)],
            reason="x", user=anna,
        )  # fmt: skip


def test_the_window_and_the_opened_device_rule(demo_services: Services, anna: UserInfo) -> None:
    receipt = _sale(demo_services, anna, A15)
    order = demo_services.returns.find(receipt)

    def service(days_later: int, **policy: object) -> ReturnService:
        return ReturnService(
            demo_services.sales._uow,
            catalog=demo_services.catalog,
            policy=ReturnPolicy(**policy),  # type: ignore[arg-type]
            store_id="S001", terminal_id="T01", currency="EUR",
            clock=lambda: datetime.now(UTC) + timedelta(days=days_later),
        )  # fmt: skip

    item = [ReturnItem(_line(order, "DEV-A15"), 1, Condition.OPENED)]
    late = service(15)
    assert not late.find(receipt).window_open
    with pytest.raises(RuleViolation, match="return window of 14 days ended on"):
        late.create_return(order.order_id, item, reason="late", user=anna)
    strict = service(1, opened_devices=False)
    with pytest.raises(RuleViolation, match="opened devices only when they are faulty"):
        strict.create_return(order.order_id, item, reason="opened", user=anna)
    faulty = [ReturnItem(_line(order, "DEV-A15"), 1, Condition.FAULTY)]
    assert strict.create_return(order.order_id, faulty, reason="no signal", user=anna).refund
    assert _unit_status(demo_services, A15) == "damaged"


def test_a_large_refund_needs_a_manager_or_goes_to_the_second_line(
    demo_services: Services, anna: UserInfo, maria: UserInfo
) -> None:
    receipt = _sale(demo_services, anna, IP15)
    returns = demo_services.returns
    order = returns.find(receipt)
    items = [ReturnItem(_line(order, "DEV-IP15"), 1, Condition.UNOPENED)]
    returns_before = _count(demo_services, m.ReturnRecord)
    with pytest.raises(ApprovalRequired, match=r"above 200\.00 EUR needs a manager"):
        returns.create_return(order.order_id, items, reason="too big", user=anna)
    assert _count(demo_services, m.ReturnRecord) == returns_before
    assert _unit_status(demo_services, IP15) == "sold"
    with pytest.raises(RuleViolation, match="not from a manager"):
        returns.create_return(
            order.order_id, items, reason="too big", user=anna, approved_by=anna.id
        )
    held = returns.create_return(
        order.order_id, items, reason="too big", user=anna, hand_on_above_limit=True
    )
    assert held.status == "awaiting_approval" and held.credit_note_number is None
    assert _unit_status(demo_services, IP15) == "returned"  # the phone stays in the store
    assert [p for p in _payments(demo_services, order.order_id) if p[2] < 0] == []
    waiting = demo_services.handoffs.waiting()
    assert waiting[-1].kind == "refund" and "899.00 EUR" in waiting[-1].summary


def test_a_manager_approves_or_refunds_directly(
    demo_services: Services, anna: UserInfo, maria: UserInfo
) -> None:
    for user, approved in ((anna, maria.id), (maria, None)):
        receipt = _sale(demo_services, anna, IP15 if user is anna else demo_imei("35407115", 4))
        order = demo_services.returns.find(receipt)
        result = demo_services.returns.create_return(
            order.order_id, [ReturnItem(order.lines[0].line_id, 1, Condition.UNOPENED)],
            reason="wrong colour", user=user, approved_by=approved,
        )  # fmt: skip
        assert result.status == "completed" and result.refund.format() == "899.00 EUR"


def test_an_exchange_pays_for_the_new_sale(demo_services: Services, anna: UserInfo) -> None:
    receipt = _sale(demo_services, anna, "ACC-CHG")  # 24.99
    returns, sales = demo_services.returns, demo_services.sales
    order = returns.find(receipt)
    result = returns.create_return(
        order.order_id, [ReturnItem(order.lines[0].line_id, 1, Condition.FAULTY)],
        reason="does not charge", user=anna, exchange=True,
    )  # fmt: skip
    assert result.exchange_order_id is not None and result.tender == "exchange"
    assert _payments(demo_services, order.order_id)[-1][1] == "approved"  # no cash refund
    basket = sales.add_code(result.exchange_order_id, "ACC-GLASS", user=anna)  # 9.99
    assert basket.credit is not None and basket.credit.format() == "24.99 EUR"
    assert basket.due_now.format() == "0.00 EUR"
    sale = sales.pay_cash(basket.order_id, "0", user=anna)
    assert sale.change.format() == "0.00 EUR"
    assert sorted(_payments(demo_services, basket.order_id)) == [
        ("cash", "refunded", -1500), ("credit_note", "approved", 999),
    ]  # fmt: skip
    # The faulty charger was written off, not put back on the shelf.
    assert demo_services.stock.line("ACC-CHG").in_stock == ACCESSORY_STOCK - 1


def test_a_cancelled_exchange_basket_refunds_the_credit(
    demo_services: Services, anna: UserInfo
) -> None:
    receipt = _sale(demo_services, anna, "ACC-GLASS")
    returns, sales = demo_services.returns, demo_services.sales
    order = returns.find(receipt)
    result = returns.create_return(
        order.order_id, [ReturnItem(order.lines[0].line_id, 1, Condition.UNOPENED)],
        reason="wrong size", user=anna, exchange=True,
    )  # fmt: skip
    assert result.exchange_order_id is not None
    sales.cancel(result.exchange_order_id, user=anna)
    assert _payments(demo_services, order.order_id)[-1] == ("cash", "refunded", -999)
    with demo_services.engine.connect() as conn:
        ret = conn.execute(
            select(m.ReturnRecord).where(m.ReturnRecord.id == result.return_id)
        ).one()
    assert ret.exchange_order_id is None and ret.tender == "cash"


@pytest.mark.parametrize(
    ("reason", "items", "error", "message"),
    [
        ("", "one", ValidationError, "Say why"),
        ("x" * 301, "one", ValidationError, "under 300"),
        ("ok", "none", ValidationError, "Choose what comes back"),
        ("ok", "twice", ValidationError, "listed twice"),
        ("ok", "zero", ValidationError, "at least one unit"),
        ("ok", "three", RuleViolation, "Only 2 of this line"),
        ("ok", "stranger", NotFound, "not part of the sale"),
    ],
)
def test_bad_returns_change_nothing(
    demo_services: Services,
    anna: UserInfo,
    reason: str,
    items: str,
    error: type[Exception],
    message: str,
) -> None:
    receipt = _sale(demo_services, anna, "ACC-CASE", "ACC-CASE")
    order = demo_services.returns.find(receipt)
    line = order.lines[0].line_id
    chosen = {
        "one": [ReturnItem(line, 1, Condition.UNOPENED)],
        "none": [],
        "twice": [ReturnItem(line, 1, Condition.UNOPENED)] * 2,
        "zero": [ReturnItem(line, 0, Condition.UNOPENED)],
        "three": [ReturnItem(line, 3, Condition.UNOPENED)],
        "stranger": [ReturnItem(uuid.uuid4(), 1, Condition.UNOPENED)],
    }[items]
    moves = _count(demo_services, m.StockMove)
    with pytest.raises(error, match=message):
        demo_services.returns.create_return(order.order_id, chosen, reason=reason, user=anna)
    assert _count(demo_services, m.ReturnRecord) == 0
    assert _count(demo_services, m.StockMove) == moves
    assert len(_payments(demo_services, order.order_id)) == 1


def test_unknown_receipts_are_named(demo_services: Services) -> None:
    with pytest.raises(NotFound, match="No sale has the number RCP-NOPE"):
        demo_services.returns.find("rcp-nope")
    with pytest.raises(ValidationError, match="Scan the receipt"):
        demo_services.returns.find("  ")


def _count(services: Services, model: type) -> int:
    with services.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(model)).scalar_one())


def test_policy_defaults_come_from_settings(demo_services: Services) -> None:
    policy = demo_services.returns._policy
    assert policy == ReturnPolicy(14, True, Decimal("200.00"))
