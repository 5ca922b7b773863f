"""Till sessions through the real services: float, cash in and out, drawer, X report, close."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.bootstrap import Services
from app.db import models as m
from app.demo.seed import demo_iccid
from app.errors import AccessDenied
from app.services.auth import UserInfo
from app.services.returns import ReturnItem
from domain.errors import RuleViolation, ValidationError
from domain.returns import Condition

EXACT_250 = {"50": "1", "20": "5", "10": "5", "5": "6", "2": "5", "1": "10"}  # 250.00


def _sell_for_cash(
    services: Services, user: UserInfo, sim: int = 1, customer_no: str = "C00000001"
) -> None:
    """A prepaid line (19.98) paid with 20.00 cash and 0.02 change."""
    sales = services.sales
    customer = services.customers.search(customer_no)[0].id
    basket = sales.start(customer_id=customer, user=user)
    sales.add_code(basket.order_id, "PLAN-PRE", user=user)
    sales.add_code(basket.order_id, demo_iccid(1, sim), user=user)
    sales.pay_cash(basket.order_id, "20", user=user)


def test_the_x_report_adds_up_the_drawer(
    demo_services: Services, anna: UserInfo, maria: UserInfo
) -> None:
    till = demo_services.till
    assert till.is_open()
    _sell_for_cash(demo_services, anna)
    till.cash_in("30", "change from the bank", user=anna)
    with pytest.raises(AccessDenied, match="manager"):
        till.cash_out("10", "lunch", user=anna)
    report = till.cash_out("50.5", "safe drop", user=maria)
    till.drawer_opened("no sale: customer needed change", user=anna)
    report = till.x_report()
    e = report.expected
    figures = (e.opening_float, e.cash_sales, e.cash_in, e.cash_out)
    assert [f.format() for f in figures] == ["200.00 EUR", "19.98 EUR", "30.00 EUR", "50.50 EUR"]
    assert e.cash.format() == "199.48 EUR"
    assert [(t.tender, t.count, t.amount.format()) for t in report.tenders] == [
        ("cash", 1, "19.98 EUR")
    ]
    # The cash sale, cash in, cash out and the "no sale" opened the drawer.
    assert report.no_sale_openings == 1 and report.drawer_openings == 4
    drawer = [(r, w) for k, _a, r, w in report.movements if k == "drawer"]
    assert drawer[0] == ("cash sale", "Anna Consultant")
    cash_out = [(a.format(), r, w) for k, a, r, w in report.movements if k == "cash_out"]
    assert cash_out == [("50.50 EUR", "safe drop", "Maria Manager")]


@pytest.mark.parametrize(
    ("amount", "reason", "message"),
    [("", "x", "Enter an amount"), ("-5", "x", "above zero"), ("abc", "x", "not an amount"),
     ("5", " ", "reason"), ("5", "x" * 201, "under 200")],
)  # fmt: skip
def test_bad_cash_movements_change_nothing(
    demo_services: Services, anna: UserInfo, amount: str, reason: str, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        demo_services.till.cash_in(amount, reason, user=anna)
    assert demo_services.till.x_report().expected.cash_in.amount == 0


def test_more_cash_out_than_the_drawer_holds_is_refused(
    demo_services: Services, maria: UserInfo
) -> None:
    with pytest.raises(RuleViolation, match=r"Only 200\.00 EUR should be in the drawer"):
        demo_services.till.cash_out("200.01", "safe drop", user=maria)


def test_close_exact_then_no_sale_until_opened_again(
    demo_services: Services, anna: UserInfo, maria: UserInfo
) -> None:
    till = demo_services.till
    till.cash_in("50", "float top-up", user=anna)
    closed = till.close(EXACT_250, user=anna)  # the consultant counts and closes
    assert not closed.handed_on and closed.report.variance is not None
    assert closed.report.variance.amount == 0 and closed.report.status == "closed"
    assert not till.is_open()
    with pytest.raises(RuleViolation, match="Open the till first"):
        _sell_for_cash(demo_services, anna)
    with pytest.raises(RuleViolation, match="Open the till first"):
        till.cash_in("5", "x", user=anna)
    with pytest.raises(ValidationError, match="not a note or coin"):
        till.open({"7": "1"}, user=anna)
    report = till.open({"20": "5", "0.5": "4"}, user=anna)
    assert report.expected.opening_float.format() == "102.00 EUR"
    with pytest.raises(RuleViolation, match="already open"):
        till.open({"20": "1"}, user=anna)
    _sell_for_cash(demo_services, anna, sim=2, customer_no="C00000002")  # selling works again


def test_a_variance_needs_a_reason_and_a_big_one_the_manager(
    demo_services: Services, anna: UserInfo, maria: UserInfo
) -> None:
    till = demo_services.till
    short = {"20": "5", "10": "5", "5": "6", "2": "5", "1": "7"}  # 197.00: 3.00 missing
    with pytest.raises(ValidationError, match=r"-3\.00 EUR: give the reason"):
        till.close(short, user=anna)
    assert till.is_open()
    way_short = {"20": "5", "10": "5"}  # 150.00: 50.00 missing
    with pytest.raises(RuleViolation, match="needs the manager's approval"):
        till.close(way_short, user=anna, reason="unknown")
    with pytest.raises(RuleViolation, match="not from a manager"):
        till.close(way_short, user=anna, reason="unknown", approved_by=anna.id)
    assert till.is_open()
    closed = till.close(way_short, user=anna, reason="unknown", approved_by=maria.id)
    assert closed.handed_on and closed.report.variance is not None
    assert closed.report.variance.format() == "-50.00 EUR"
    cases = [h for h in demo_services.handoffs.waiting() if h.kind == "cash_variance"]
    assert len(cases) == 1 and "-50.00 EUR" in cases[0].summary
    till.open({"20": "5"}, user=maria)
    # A manager closing the till answers for a big difference themselves.
    assert till.close({"20": "1"}, user=maria, reason="safe drop not booked").handed_on


def test_the_terminal_card_total_is_compared(demo_services: Services, maria: UserInfo) -> None:
    till = demo_services.till
    exact = {"20": "5", "10": "5", "5": "6", "2": "5", "1": "10"}
    with pytest.raises(ValidationError, match=r"card total differs by 12\.00 EUR"):
        till.close(exact, user=maria, card_terminal_total="12")
    closed = till.close(exact, user=maria, card_terminal_total="12", reason="refund on terminal")
    assert closed.handed_on and closed.report.card_terminal_total is not None
    assert till.x_report().card_terminal_total == closed.report.card_terminal_total


def test_one_open_session_per_till_even_behind_the_service(demo_services: Services) -> None:
    with Session(demo_services.engine) as session:
        first = session.scalars(select(m.TillSession)).one()
        session.add(
            m.TillSession(
                number="TIL-X", till_id=first.till_id, status="open", currency="EUR",
                float_minor=0, float_count={}, opened_by=first.opened_by,
                store_id=first.store_id, terminal_id=first.terminal_id, version=1,
            )
        )  # fmt: skip
        with pytest.raises(IntegrityError, match="UNIQUE"):
            session.flush()
        session.rollback()
    with demo_services.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(m.TillSession)) == 1


def test_a_cash_refund_leaves_the_drawer_and_needs_an_open_till(
    demo_services: Services, anna: UserInfo, maria: UserInfo
) -> None:
    sales, returns, till = demo_services.sales, demo_services.returns, demo_services.till
    basket = sales.start(customer_id=None, user=anna)
    sales.add_code(basket.order_id, "ACC-CASE", user=anna)
    sale = sales.pay_cash(basket.order_id, "20", user=anna)
    order = returns.find(sale.receipt_number)
    item = ReturnItem(order.lines[0].line_id, 1, Condition.UNOPENED)
    till.close({"20": "5"}, user=maria, reason="end of day, cash to the safe")
    with pytest.raises(RuleViolation, match="Open the till first"):
        returns.create_return(sale.order_id, [item], reason="wrong colour", user=anna)
    till.open({"20": "5"}, user=anna)
    returns.create_return(sale.order_id, [item], reason="wrong colour", user=anna)
    report = till.x_report()
    assert report.expected.cash_refunds.format() == "14.99 EUR"
    assert report.expected.cash.format() == "85.01 EUR"
    assert [r for k, _a, r, _w in report.movements if k == "drawer"][-1] == "cash refund"
