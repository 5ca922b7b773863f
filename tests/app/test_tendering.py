"""Split tenders, card intents and their recovery, pay-later — through the real services."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.bootstrap import Services, build
from app.db import models as m
from app.demo.seed import demo_iccid
from app.errors import AccessDenied
from app.services.auth import UserInfo
from app.services.returns import ReturnItem
from app.services.tendering import CardOutcome
from devices.errors import DeviceTimeout
from domain.card import CardSlip
from domain.errors import RuleViolation, ValidationError
from domain.payment_intent import IntentStatus
from domain.returns import Condition

ICCID = demo_iccid(1, 1)
FULL_PAN = "4111111111111111"
APPROVED = CardOutcome(
    IntentStatus.APPROVED,
    CardSlip(
        auth_code="A1B2C3",
        masked_pan=FULL_PAN,
        brand="VISA",
        terminal_id="52500001",
        trace="000123",
        receipt_no="0042",
    ),
    result_code="00",
    receipt_lines=("VISA", "Approved"),
)


def _basket(services: Services, user: UserInfo) -> uuid.UUID:
    """A prepaid plan and SIM for the first demo customer: 19.98 EUR."""
    customer = services.customers.search("C00000001")[0].id
    sales = services.sales
    basket = sales.start(customer_id=customer, user=user)
    sales.add_code(basket.order_id, "PLAN-PRE", user=user)
    return sales.add_code(basket.order_id, ICCID, user=user).order_id


def _order(services: Services, order_id: uuid.UUID) -> m.Order:
    with services.engine.connect() as conn:
        return conn.execute(select(m.Order).where(m.Order.id == order_id)).one()  # type: ignore[return-value]


def _sim(services: Services) -> str:
    with services.engine.connect() as conn:
        return conn.execute(select(m.SimCard.status).where(m.SimCard.iccid == ICCID)).scalar_one()


def test_cash_then_card_in_one_visit(demo_services: Services, anna: UserInfo) -> None:
    sales = demo_services.sales
    order_id = _basket(demo_services, anna)
    part = sales.tender_cash(order_id, "10", user=anna)
    assert part.sale is None and part.state.status == "awaiting_payment"
    assert part.state.remaining.format() == "9.98 EUR"
    assert _sim(demo_services) == "reserved"  # nothing is sold until the total is covered
    with pytest.raises(RuleViolation, match="awaiting_payment"):
        sales.add_code(order_id, "ACC-CASE", user=anna)  # lines are fixed once paying starts

    request = sales.begin_card(order_id, user=anna)
    assert request.amount.format() == "9.98 EUR" and request.reference.endswith("-S1")
    done = sales.finish_card(request.intent_id, APPROVED, user=anna)
    assert done.sale is not None and done.state.status == "completed"
    assert done.state.remaining.amount == 0
    assert [(t.tender, t.amount.format()) for t in done.state.tenders] == [
        ("cash", "10.00 EUR"), ("card", "9.98 EUR"),
    ]  # fmt: skip
    assert done.state.tenders[1].detail == "VISA 411111******1111 auth A1B2C3"
    assert _sim(demo_services) == "sold"
    with demo_services.engine.connect() as conn:
        payments = conn.execute(select(m.Payment).order_by(m.Payment.created_at)).all()
        assert all(p.session_id is not None for p in payments)
        assert payments[1].details["masked_pan"] == "411111******1111"
        intent = conn.execute(select(m.PaymentIntent)).one()
        assert intent.status == "approved" and intent.receipt_lines == ["VISA", "Approved"]
    # The full card number is nowhere in the database file.
    demo_services.engine.dispose()
    blob = b"".join(path.read_bytes() for path in demo_services.paths.data_dir.glob("*.sqlite3*"))
    assert b"411111******1111" in blob and FULL_PAN.encode() not in blob


def test_a_declined_card_leaves_the_basket_as_it_was(
    demo_services: Services, anna: UserInfo
) -> None:
    sales = demo_services.sales
    order_id = _basket(demo_services, anna)
    request = sales.begin_card(order_id, user=anna)
    assert _order(demo_services, order_id).status == "submitted"
    with pytest.raises(RuleViolation, match="still unclear"):
        sales.begin_card(order_id, user=anna)  # never two card payments at once
    declined = CardOutcome(IntentStatus.DECLINED, result_code="05", message="Declined by the bank")
    result = sales.finish_card(request.intent_id, declined, user=anna)
    assert result.sale is None and result.state.status == "draft"
    assert result.state.paid.amount == 0
    sales.add_code(order_id, "ACC-CASE", user=anna)  # editable again
    with pytest.raises(RuleViolation, match="cannot become"):
        sales.finish_card(request.intent_id, APPROVED, user=anna)  # no late approval
    with demo_services.engine.connect() as conn:
        assert conn.execute(select(m.Payment)).all() == []


def test_a_partial_card_approval_is_kept(demo_services: Services, anna: UserInfo) -> None:
    sales = demo_services.sales
    order_id = _basket(demo_services, anna)
    with pytest.raises(ValidationError, match=r"Only 19\.98 EUR is due"):
        sales.begin_card(order_id, "25", user=anna)
    request = sales.begin_card(order_id, "15", user=anna)
    result = sales.finish_card(request.intent_id, APPROVED, user=anna)
    assert result.state.status == "awaiting_payment" and result.state.remaining.format() == (
        "4.98 EUR"
    )
    cash = sales.tender_cash(order_id, "5", user=anna)
    assert (
        cash.sale is not None and cash.change is not None and cash.change.format() == ("0.02 EUR")
    )


def test_no_sale_without_an_open_till(demo_services: Services, anna: UserInfo) -> None:
    order_id = _basket(demo_services, anna)
    with demo_services.engine.begin() as conn:
        conn.execute(update(m.TillSession).values(status="closed"))
    for pay in (
        lambda: demo_services.sales.pay_cash(order_id, "20", user=anna),
        lambda: demo_services.sales.tender_cash(order_id, "5", user=anna),
        lambda: demo_services.sales.begin_card(order_id, user=anna),
    ):
        with pytest.raises(RuleViolation, match="Open the till first"):
            pay()
    assert _order(demo_services, order_id).status == "draft"
    assert _sim(demo_services) == "reserved"


def test_a_crash_between_asking_and_answering_is_recovered(
    demo_services: Services, anna: UserInfo, maria: UserInfo
) -> None:
    order_id = _basket(demo_services, anna)
    demo_services.sales.begin_card(order_id, user=anna)
    # The program dies here. The next start builds everything anew from the same files.
    settings, paths = demo_services.settings, demo_services.paths
    demo_services.close()
    again = build(settings, paths)
    try:
        pending = again.sales.unresolved_intents()
        assert [p.status for p in pending] == ["pending"]
        left = again.sales.recover_intents(lambda: APPROVED, user=anna)
        assert left == []
        assert _order(again, order_id).status == "completed"
    finally:
        again.close()


def test_a_terminal_that_cannot_tell_goes_to_the_manager(
    demo_services: Services, anna: UserInfo, maria: UserInfo
) -> None:
    sales = demo_services.sales
    order_id = _basket(demo_services, anna)
    sales.begin_card(order_id, user=anna)

    def silent() -> CardOutcome | None:
        raise DeviceTimeout("Card terminal", "no answer within 5 s")

    left = sales.recover_intents(silent, user=anna)
    assert [i.status for i in left] == ["needs_check"]
    assert "no answer" in left[0].message
    assert _order(demo_services, order_id).status == "submitted"  # not paid, not released
    assert any(h.kind == "card_check" for h in demo_services.handoffs.waiting())
    with pytest.raises(RuleViolation, match="still unclear"):
        sales.begin_card(order_id, user=anna)
    with pytest.raises(AccessDenied, match="manager"):
        sales.check_intent(left[0].id, charged=True, note="journal shows it", user=anna)
    with pytest.raises(ValidationError, match="journal"):
        sales.check_intent(left[0].id, charged=True, note=" ", user=maria)
    result = sales.check_intent(
        left[0].id, charged=False, note="not in the terminal's journal", user=maria
    )
    assert result.state.status == "draft" and sales.unresolved_intents() == []
    request = sales.begin_card(order_id, user=anna)  # the customer pays again, once
    assert sales.finish_card(request.intent_id, APPROVED, user=anna).sale is not None


def test_recovery_only_matches_the_same_amount(demo_services: Services, anna: UserInfo) -> None:
    order_id = _basket(demo_services, anna)
    demo_services.sales.begin_card(order_id, "10", user=anna)
    other = CardOutcome(IntentStatus.APPROVED, CardSlip(auth_code="X"), amount_minor=500)
    left = demo_services.sales.recover_intents(lambda: other, user=anna)
    assert [i.status for i in left] == ["needs_check"]
    assert "another amount" in left[0].message


def test_pay_later_needs_an_account_that_allows_it(demo_services: Services, anna: UserInfo) -> None:
    order_id = _basket(demo_services, anna)
    with pytest.raises(RuleViolation, match="no postpaid account"):
        demo_services.sales.tender_account(order_id, user=anna)
    with Session(demo_services.engine) as session, session.begin():
        customer = session.scalar(select(m.Order.customer_id).where(m.Order.id == order_id))
        session.add(
            m.BillingAccount(
                customer_id=customer, account_no="BA-T-1", name="Postpaid", pay_later=True,
                store_id="S001", terminal_id="T01", version=1,
            )
        )  # fmt: skip
    anonymous = demo_services.sales.start(customer_id=None, user=anna)
    demo_services.sales.add_code(anonymous.order_id, "ACC-CASE", user=anna)
    with pytest.raises(RuleViolation, match="registered customer"):
        demo_services.sales.tender_account(anonymous.order_id, user=anna)
    result = demo_services.sales.tender_account(order_id, user=anna)
    assert result.sale is not None
    assert [t.tender for t in result.state.tenders] == ["account"]


def test_a_credit_note_pays_later_sales_until_it_is_used_up(
    demo_services: Services, anna: UserInfo, maria: UserInfo
) -> None:
    sales, returns = demo_services.sales, demo_services.returns
    basket = sales.start(customer_id=None, user=anna)
    sales.add_code(basket.order_id, "ACC-CASE", user=anna)  # 14.99
    sold = sales.pay_cash(basket.order_id, "15", user=anna)
    line = returns.find(sold.receipt_number).lines[0].line_id
    note = returns.create_return(
        sold.order_id, [ReturnItem(line, 1, Condition.UNOPENED)], reason="gift",
        user=anna, store_credit=True,
    )  # fmt: skip
    assert note.tender == "credit_note" and note.credit_note_number
    with demo_services.engine.connect() as conn:  # no money left the drawer
        assert conn.execute(select(m.Payment).where(m.Payment.amount_minor < 0)).all() == []

    first = sales.start(customer_id=None, user=anna)
    sales.add_code(first.order_id, "ACC-GLASS", user=anna)  # 9.99
    with pytest.raises(ValidationError, match="not a credit note"):
        sales.tender_credit_note(first.order_id, "CRN-NOPE", user=anna)
    paid = sales.tender_credit_note(first.order_id, note.credit_note_number.lower(), user=anna)
    assert paid.sale is not None  # 9.99 of the 14.99 spent; 5.00 left on the note

    second = sales.start(customer_id=None, user=anna)
    sales.add_code(second.order_id, "ACC-CHG", user=anna)  # 24.99
    part = sales.tender_credit_note(second.order_id, note.credit_note_number, user=anna)
    assert part.sale is None and part.state.remaining.format() == "19.99 EUR"
    assert part.state.tenders[0].detail == note.credit_note_number
    with pytest.raises(RuleViolation, match="used up"):
        sales.tender_credit_note(second.order_id, note.credit_note_number, user=anna)
    assert sales.tender_cash(second.order_id, "20", user=anna).sale is not None


@pytest.mark.parametrize(
    ("pay", "text", "message"),
    [
        ("cash", "0", "Enter the cash"),
        ("cash", "-5", "Enter the cash"),
        ("cash", "abc", "not an amount"),
        ("cash", "1.234", "two decimal places"),
        ("card", "0", "above zero"),
        ("card", "-1", "above zero"),
        ("card", "x1", "not an amount"),
    ],
)
def test_bad_amounts_change_nothing(
    demo_services: Services, anna: UserInfo, pay: str, text: str, message: str
) -> None:
    order_id = _basket(demo_services, anna)
    sales = demo_services.sales
    tender = sales.tender_cash if pay == "cash" else sales.begin_card
    with pytest.raises(ValidationError, match=message):
        tender(order_id, text, user=anna)
    assert _order(demo_services, order_id).status == "draft"
    with demo_services.engine.connect() as conn:
        assert conn.execute(select(m.Payment)).all() == []
        assert conn.execute(select(m.PaymentIntent)).all() == []
