"""The sale through the real services on a real SQLite file."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.bootstrap import Services
from app.db import models as m
from app.demo.seed import demo_iccid
from app.errors import NotFound
from app.services.auth import UserInfo
from domain.errors import RuleViolation, ValidationError

ICCID = demo_iccid(1, 1)


def _sim_status(services: Services, iccid: str) -> str:
    with services.engine.connect() as conn:
        return conn.execute(select(m.SimCard.status).where(m.SimCard.iccid == iccid)).scalar_one()


def _count(services: Services, model: type) -> int:
    with services.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(model)).scalar_one())


def _customer_id(services: Services):  # type: ignore[no-untyped-def]
    return services.customers.search("C00000001")[0].id


def test_plan_and_sim_paid_in_cash(demo_services: Services, anna: UserInfo) -> None:
    sales = demo_services.sales
    basket = sales.start(customer_id=_customer_id(demo_services), user=anna)
    basket = sales.add_code(basket.order_id, "PLAN-PRE", user=anna)
    basket = sales.add_code(basket.order_id, ICCID, user=anna)
    assert [line.sku for line in basket.lines] == ["PLAN-PRE", "SIM-STD"]
    assert basket.total.format() == "19.98 EUR"
    assert basket.monthly_total.format() == "0.00 EUR"
    assert _sim_status(demo_services, ICCID) == "reserved"

    result = sales.pay_cash(basket.order_id, "20", user=anna)
    assert result.change.format() == "0.02 EUR"
    assert _sim_status(demo_services, ICCID) == "sold"
    with demo_services.engine.connect() as conn:
        order = conn.execute(select(m.Order).where(m.Order.id == result.order_id)).one()
        assert order.status == "completed" and order.receipt_number == result.receipt_number
        payment = conn.execute(select(m.Payment)).one()
        assert (payment.tender, payment.amount_minor, payment.change_minor) == ("cash", 1998, 2)
        events = conn.execute(
            select(m.OrderEvent.status).order_by(m.OrderEvent.occurred_at)
        ).scalars()
        assert set(events) == {"submitted", "paid", "completed"}
        entities = set(conn.execute(select(m.OutboxRow.entity)).scalars())
    assert {"order", "order_line", "payment", "order_event", "interaction", "sim_card"} <= entities
    profile = demo_services.customers.profile(_customer_id(demo_services))
    assert "Prepaid Start" in profile.timeline[0].summary

    receipt = demo_services.receipts.for_order(result.order_id)
    assert "Prepaid Start" in receipt.text and ICCID in receipt.text
    assert "TOTAL" in receipt.text and "0.02 EUR" in receipt.text
    assert receipt.cash and receipt.doc.barcode == result.receipt_number
    assert all(len(line) <= 48 for line in receipt.text.splitlines())


def test_underpayment_changes_nothing(demo_services: Services, anna: UserInfo) -> None:
    sales = demo_services.sales
    basket = sales.start(customer_id=None, user=anna)
    basket = sales.add_code(basket.order_id, ICCID, user=anna)
    with pytest.raises(ValidationError, match="more is needed") as info:
        sales.pay_cash(basket.order_id, "5", user=anna)
    assert info.value.field == "cash_given"
    with pytest.raises(ValidationError, match="not an amount"):
        sales.pay_cash(basket.order_id, "five", user=anna)
    assert sales.basket(basket.order_id).status == "draft"
    assert _count(demo_services, m.Payment) == 0
    assert _sim_status(demo_services, ICCID) == "reserved"


def test_a_crash_while_paying_leaves_no_half_sale(
    demo_services: Services, anna: UserInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    sales = demo_services.sales
    basket = sales.start(customer_id=None, user=anna)
    basket = sales.add_code(basket.order_id, ICCID, user=anna)
    outbox_before = _count(demo_services, m.OutboxRow)

    def boom(*_a: object, **_k: object) -> str:
        raise OSError("disk unplugged")

    monkeypatch.setattr("app.services.sale_completion.next_number", boom)
    with pytest.raises(OSError, match="disk unplugged"):
        sales.pay_cash(basket.order_id, "10", user=anna)
    assert sales.basket(basket.order_id).status == "draft"
    assert _count(demo_services, m.Payment) == 0
    assert _count(demo_services, m.OrderEvent) == 0
    assert _count(demo_services, m.OutboxRow) == outbox_before
    assert _sim_status(demo_services, ICCID) == "reserved"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("NOPE-1", "Nothing in the catalog has the code NOPE-1"),
        ("SIM-STD", "Scan the SIM card's ICCID"),
        ("8949100000000000019", "check digit"),
        (demo_iccid(1, 9999), "not in this store's stock"),
        ("   ", "Scan or type a code"),
    ],
)
def test_bad_codes_are_refused_with_a_reason(
    demo_services: Services, anna: UserInfo, code: str, message: str
) -> None:
    basket = demo_services.sales.start(customer_id=None, user=anna)
    with pytest.raises(ValidationError, match=message):
        demo_services.sales.add_code(basket.order_id, code, user=anna)
    assert demo_services.sales.basket(basket.order_id).lines == ()


def test_a_sim_cannot_be_in_two_baskets(demo_services: Services, anna: UserInfo) -> None:
    first = demo_services.sales.start(customer_id=None, user=anna)
    demo_services.sales.add_code(first.order_id, ICCID, user=anna)
    second = demo_services.sales.start(customer_id=None, user=anna)
    with pytest.raises(ValidationError, match="reserved"):
        demo_services.sales.add_code(second.order_id, ICCID, user=anna)


def test_remove_and_cancel_release_the_sim(demo_services: Services, anna: UserInfo) -> None:
    sales = demo_services.sales
    basket = sales.add_code(sales.start(customer_id=None, user=anna).order_id, ICCID, user=anna)
    basket = sales.remove_line(basket.order_id, basket.lines[0].id, user=anna)
    assert basket.lines == () and _sim_status(demo_services, ICCID) == "in_stock"
    basket = sales.add_code(basket.order_id, ICCID, user=anna)
    sales.cancel(basket.order_id, user=anna)
    assert _sim_status(demo_services, ICCID) == "in_stock"
    with pytest.raises(RuleViolation, match="cancelled"):
        sales.add_code(basket.order_id, "ACC-CASE", user=anna)


def test_order_numbers_are_per_store_and_terminal_and_never_reused(
    demo_services: Services, anna: UserInfo
) -> None:
    numbers = [demo_services.sales.start(customer_id=None, user=anna).number for _ in range(3)]
    assert numbers == ["ORD-S001-T01-000001", "ORD-S001-T01-000002", "ORD-S001-T01-000003"]


def test_barcode_adds_an_accessory_and_empty_basket_cannot_be_paid(
    demo_services: Services, anna: UserInfo
) -> None:
    basket = demo_services.sales.start(customer_id=None, user=anna)
    with pytest.raises(RuleViolation, match="empty"):
        demo_services.sales.pay_cash(basket.order_id, "10", user=anna)
    basket = demo_services.sales.add_code(basket.order_id, "4006381333931", user=anna)
    assert basket.lines[0].sku == "ACC-CASE"


def test_unknown_basket(demo_services: Services, anna: UserInfo) -> None:
    import uuid

    with pytest.raises(NotFound):
        demo_services.sales.add_code(uuid.uuid4(), "ACC-CASE", user=anna)


def test_hold_and_recall_a_basket(demo_services: Services, anna: UserInfo) -> None:
    sales = demo_services.sales
    cid = _customer_id(demo_services)
    basket = sales.start(customer_id=cid, user=anna)
    with pytest.raises(RuleViolation, match="nothing to hold"):
        sales.hold(basket.order_id, user=anna)
    basket = sales.add_code(basket.order_id, ICCID, user=anna)
    sales.hold(basket.order_id, user=anna)
    held = sales.held()
    assert [h.order_id for h in held] == [basket.order_id]
    assert held[0].lines == 1 and held[0].customer_name == basket.customer_name
    assert _sim_status(demo_services, ICCID) == "reserved"  # still kept for this customer
    walk_in = sales.start(customer_id=None, user=anna)  # serve someone else meanwhile
    assert walk_in.order_id != basket.order_id
    recalled = sales.recall(basket.order_id, user=anna)
    assert recalled.lines[0].serial == ICCID and sales.held() == []


def test_one_open_basket_per_customer_on_a_terminal(
    demo_services: Services, anna: UserInfo
) -> None:
    sales = demo_services.sales
    cid = _customer_id(demo_services)
    first = sales.add_code(sales.start(customer_id=cid, user=anna).order_id, ICCID, user=anna)
    sales.hold(first.order_id, user=anna)
    again = sales.start(customer_id=cid, user=anna)
    assert again.order_id == first.order_id and len(again.lines) == 1
    assert sales.held() == []  # taken up again, no longer on hold
    sales.cancel(first.order_id, user=anna)
    fresh = sales.start(customer_id=cid, user=anna)
    assert fresh.order_id != first.order_id and fresh.lines == ()
