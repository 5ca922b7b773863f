import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import RuleViolation, ValidationError
from domain.money import Money
from domain.order import TRANSITIONS, Order, OrderLine, OrderStatus

USER = uuid.uuid4()
NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def line(price: str = "10.00", *, serial: str = "", vat: str = "19", qty: int = 1) -> OrderLine:
    return OrderLine(
        offering_id=uuid.uuid4(),
        sku="X",
        description="Item",
        quantity=qty,
        unit_price=Money.of(price),
        vat_rate=Decimal(vat),
        serial=serial,
    )


def test_happy_path_records_who_and_when() -> None:
    order = Order(number="ORD-1", currency="EUR")
    order.add_line(line("9.99"))
    assert order.can_submit()
    order.submit(user_id=USER, at=NOW)
    assert not order.can_edit()
    assert order.can_mark_paid(Money.of("9.99"))
    assert not order.can_mark_paid(Money.of("9.98"))
    order.mark_paid(Money.of("9.99"), user_id=USER, at=NOW)
    order.complete(user_id=USER, at=NOW)
    assert order.status is OrderStatus.COMPLETED
    assert [t.status for t in order.history] == [
        OrderStatus.SUBMITTED,
        OrderStatus.PAID,
        OrderStatus.COMPLETED,
    ]
    assert all(t.user_id == USER and t.at == NOW for t in order.history)


def test_empty_basket_cannot_be_submitted() -> None:
    order = Order(number="ORD-1", currency="EUR")
    assert not order.can_submit()
    with pytest.raises(RuleViolation, match="empty"):
        order.submit(user_id=USER, at=NOW)


def test_underpayment_is_refused_with_the_amount_due() -> None:
    order = Order(number="ORD-1", currency="EUR")
    order.add_line(line("10.00"))
    order.submit(user_id=USER, at=NOW)
    with pytest.raises(RuleViolation, match=r"0\.01 EUR is still due"):
        order.mark_paid(Money.of("9.99"), user_id=USER, at=NOW)


def test_a_partly_paid_order_waits_for_the_rest() -> None:
    order = Order(number="ORD-1", currency="EUR")
    order.add_line(line("50.00"))
    order.submit(user_id=USER, at=NOW)
    assert not order.can_await_payment(Money.of("0"))
    assert not order.can_await_payment(Money.of("50.00"))
    assert order.can_await_payment(Money.of("20.00"))
    with pytest.raises(RuleViolation, match="part of its total"):
        order.await_payment(Money.of("50.00"), user_id=USER, at=NOW)
    order.await_payment(Money.of("20.00"), user_id=USER, at=NOW)
    assert order.status is OrderStatus.AWAITING_PAYMENT
    assert not order.can_edit()
    assert not order.can_mark_paid(Money.of("49.99"))
    with pytest.raises(RuleViolation, match=r"30\.00 EUR is still due"):
        order.mark_paid(Money.of("20.00"), user_id=USER, at=NOW)
    order.mark_paid(Money.of("50.00"), user_id=USER, at=NOW)
    order.complete(user_id=USER, at=NOW)
    assert [t.status for t in order.history] == [
        OrderStatus.SUBMITTED,
        OrderStatus.AWAITING_PAYMENT,
        OrderStatus.PAID,
        OrderStatus.COMPLETED,
    ]


def test_every_state_is_reachable_from_draft() -> None:
    seen, todo = {OrderStatus.DRAFT}, [OrderStatus.DRAFT]
    while todo:
        for nxt in TRANSITIONS[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    assert seen == set(OrderStatus)


@pytest.mark.parametrize(
    "final", [OrderStatus.COMPLETED, OrderStatus.CANCELLED, OrderStatus.FAILED]
)
def test_final_states_have_no_way_out(final: OrderStatus) -> None:
    assert TRANSITIONS[final] == frozenset()


def test_completed_order_cannot_be_changed_or_cancelled() -> None:
    order = Order(number="ORD-1", currency="EUR")
    order.add_line(line())
    order.submit(user_id=USER, at=NOW)
    order.mark_paid(order.total, user_id=USER, at=NOW)
    order.complete(user_id=USER, at=NOW)
    assert not order.can_cancel()
    with pytest.raises(RuleViolation, match="completed"):
        order.add_line(line())
    with pytest.raises(RuleViolation, match="can't become cancelled"):
        order.cancel(user_id=USER, at=NOW)


def test_same_serial_twice_is_refused() -> None:
    order = Order(number="ORD-1", currency="EUR")
    order.add_line(line(serial="8949100000000000018"))
    with pytest.raises(ValidationError, match="already in this basket"):
        order.add_line(line(serial="8949100000000000018"))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"qty": 0}, "at least 1"), ({"price": "-1"}, "negative"), ({"vat": "101"}, "VAT")],
)
def test_bad_lines_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        line(**kwargs)  # type: ignore[arg-type]


prices = st.decimals(min_value=Decimal("0"), max_value=Decimal("5000"), places=2)


@given(
    st.lists(st.tuples(prices, st.sampled_from(["0", "7", "19"]), st.integers(1, 5)), max_size=8)
)
def test_total_is_sum_of_lines_and_vat_split_adds_up(
    items: list[tuple[Decimal, str, int]],
) -> None:
    order = Order(number="ORD-1", currency="EUR")
    for price, vat, qty in items:
        order.add_line(line(str(price), vat=vat, qty=qty))
    assert order.total.amount == sum((p * q for p, _, q in items), Decimal(0))
    split = order.vat_breakdown()
    assert (
        sum((net.amount + tax.amount for net, tax in split.values()), Decimal(0))
        == order.total.amount
    )
