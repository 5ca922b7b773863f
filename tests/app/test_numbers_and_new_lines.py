"""Numbers from the store's blocks, reserved in the basket, and new lines on completion."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from customer_drafts import staff
from sqlalchemy import func, select, update

from app.bootstrap import Services
from app.db import models as m
from app.demo.seed import demo_iccid
from app.services.auth import UserInfo
from app.services.numbers import NumberService
from domain.calendar import add_months
from domain.errors import RuleViolation, ValidationError
from domain.numbers import NumberTier, parse_pattern, tier_of

GOLD = "+4915203000000"


@pytest.fixture
def anna(demo_services: Services) -> UserInfo:
    return staff(demo_services)


def _numbers(services: Services) -> NumberService:
    from app.db.uow import make_uow_factory

    return NumberService(make_uow_factory(services.engine, store_id="S001", terminal_id="T01"))


def _status(services: Services, msisdn: str) -> str:
    with services.engine.connect() as conn:
        return str(conn.scalar(select(m.PhoneNumber.status).where(m.PhoneNumber.msisdn == msisdn)))


def _plan_basket(
    services: Services, anna: UserInfo, *, sim: int = 11, customer_no: str = "C00000001"
) -> tuple[uuid.UUID, uuid.UUID]:
    customer = services.customers.search(customer_no)[0].id
    basket = services.sales.start(customer_id=customer, user=anna)
    basket = services.sales.add_code(basket.order_id, "PLAN-PRE", user=anna)
    basket = services.sales.add_code(basket.order_id, demo_iccid(1, sim), user=anna)
    return basket.order_id, basket.lines[0].id


def test_tiers_and_patterns() -> None:
    assert tier_of("+4915201237777") is NumberTier.GOLD
    assert tier_of("+4915201123456") is NumberTier.GOLD
    assert tier_of("+4915201234777") is NumberTier.SILVER
    assert tier_of("+4915209871221") is NumberTier.SILVER
    assert tier_of("+4915209876501") is NumberTier.STANDARD
    assert parse_pattern("777") == "%777%"
    assert parse_pattern("+49 152 *77") == "49152%77"
    for bad in ("12a", "7" * 17, "1%2"):
        with pytest.raises(ValidationError):
            parse_pattern(bad)


def test_search_finds_free_numbers_by_pattern_and_tier(demo_services: Services) -> None:
    numbers = _numbers(demo_services)
    assert [n.msisdn for n in numbers.search("3000000")] == [GOLD]
    assert all(n.msisdn.endswith("99") for n in numbers.search("*99"))
    silver = numbers.search("", tier=NumberTier.SILVER)
    assert silver and all(n.tier == "silver" for n in silver)


def test_choosing_a_number_reserves_it_and_a_golden_one_costs_its_fee(
    demo_services: Services, anna: UserInfo
) -> None:
    sales = demo_services.sales
    order_id, plan = _plan_basket(demo_services, anna)
    basket = sales.choose_number(order_id, plan, GOLD, user=anna)
    assert basket.lines[0].msisdn == GOLD
    fee = [line for line in basket.lines if line.sku == "NUM-GOLD"]
    assert len(fee) == 1 and fee[0].total.amount == 49
    assert _status(demo_services, GOLD) == "reserved"
    other, other_plan = _plan_basket(demo_services, anna, sim=12, customer_no="C00000002")
    with pytest.raises(ValidationError, match="reserved for another sale"):
        sales.choose_number(other, other_plan, GOLD, user=anna)
    # changing the number gives the gold one back and drops its fee
    basket = sales.choose_number(order_id, plan, "+4915203000001", user=anna)
    assert [line.sku for line in basket.lines] == ["PLAN-PRE", "SIM-STD"]
    assert _status(demo_services, GOLD) == "available"
    sales.cancel(order_id, user=anna)
    assert _status(demo_services, "+4915203000001") == "available"


def test_an_expired_reservation_frees_the_number(demo_services: Services, anna: UserInfo) -> None:
    sales = demo_services.sales
    order_id, plan = _plan_basket(demo_services, anna)
    sales.choose_number(order_id, plan, "+4915203000005", user=anna)
    with demo_services.engine.begin() as conn:
        conn.execute(
            update(m.PhoneNumber)
            .where(m.PhoneNumber.msisdn == "+4915203000005")
            .values(reserved_until=datetime.now(UTC) - timedelta(minutes=1))
        )
    assert "+4915203000005" in [n.msisdn for n in _numbers(demo_services).search("3000005")]
    other, other_plan = _plan_basket(demo_services, anna, sim=12, customer_no="C00000002")
    sales.choose_number(other, other_plan, "+4915203000005", user=anna)


def test_bad_number_choices_change_nothing(demo_services: Services, anna: UserInfo) -> None:
    sales = demo_services.sales
    order_id, plan = _plan_basket(demo_services, anna)
    sim_line = sales.basket(order_id).lines[1].id
    with pytest.raises(ValidationError, match="not one of this store's numbers"):
        sales.choose_number(order_id, plan, "+4917099999999", user=anna)
    with pytest.raises(ValidationError, match="plan line"):
        sales.choose_number(order_id, sim_line, "+4915203000007", user=anna)
    assert _status(demo_services, "+4915203000007") == "available"
    assert sales.basket(order_id).lines[0].msisdn == ""


def test_completing_creates_the_line_with_number_sim_and_commitment(
    demo_services: Services, anna: UserInfo
) -> None:
    sales = demo_services.sales
    customer = demo_services.customers.search("C00000001")[0].id
    basket = sales.start(customer_id=customer, user=anna)
    basket = sales.add_code(basket.order_id, "PLAN-M", user=anna)
    basket = sales.add_code(basket.order_id, "ADD-ROAM", user=anna)
    basket = sales.add_code(basket.order_id, demo_iccid(1, 13), user=anna)
    basket = sales.set_terms(basket.order_id, basket.lines[0].id, commitment=24, user=anna)
    basket = sales.choose_number(basket.order_id, basket.lines[0].id, "+4915203000010", user=anna)
    sales.pay_cash(basket.order_id, "100", user=anna)
    profile = demo_services.customers.profile(customer)
    new = next(s for s in profile.subscriptions if s.msisdn == "+4915203000010")
    assert new.iccid == demo_iccid(1, 13) and new.plan_name.startswith("Smart M")
    assert new.addons and new.payment_type == "postpaid"
    assert new.commitment_end == add_months(date.today(), 24)
    assert _status(demo_services, "+4915203000010") == "assigned"
    assert any(e.kind == "new_line" and "+4915203000010" in e.summary for e in profile.timeline)
    assert demo_services.customers.search("+49 1520 3000010")[0].id == customer
    with demo_services.engine.connect() as conn:
        activation = conn.scalar(
            select(m.Subscription.activation_status).where(
                m.Subscription.msisdn == "+4915203000010"
            )
        )
        accounts = conn.scalar(
            select(func.count())
            .select_from(m.BillingAccount)
            .where(m.BillingAccount.customer_id == customer)
        )
    assert activation == "requested" and accounts == 1


def test_a_line_without_a_chosen_number_gets_the_next_free_one(
    demo_services: Services, anna: UserInfo
) -> None:
    order_id, _plan = _plan_basket(demo_services, anna)
    demo_services.sales.pay_cash(order_id, "20", user=anna)
    assert _status(demo_services, "+4915203000001") == "assigned"  # …000000 is gold


def test_walk_in_customers_cannot_get_a_new_line(demo_services: Services, anna: UserInfo) -> None:
    sales = demo_services.sales
    basket = sales.start(customer_id=None, user=anna)
    basket = sales.add_code(basket.order_id, "PLAN-PRE", user=anna)
    basket = sales.add_code(basket.order_id, demo_iccid(1, 14), user=anna)
    with pytest.raises(RuleViolation, match="registered customer"):
        sales.pay_cash(basket.order_id, "20", user=anna)
    assert sales.basket(basket.order_id).status == "draft"


def test_a_failure_while_creating_the_line_leaves_nothing(
    demo_services: Services, anna: UserInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    order_id, plan = _plan_basket(demo_services, anna)
    demo_services.sales.choose_number(order_id, plan, "+4915203000020", user=anna)
    with demo_services.engine.connect() as conn:
        subs_before = conn.scalar(select(func.count()).select_from(m.Subscription))
        outbox_before = conn.scalar(select(func.count()).select_from(m.OutboxRow))

    def broken(*_args: object, **_kwargs: object) -> None:
        raise OSError("power cut")

    monkeypatch.setattr("app.services.numbers.assign", broken)
    with pytest.raises(OSError, match="power cut"):
        demo_services.sales.pay_cash(order_id, "20", user=anna)
    assert demo_services.sales.basket(order_id).status == "draft"
    assert _status(demo_services, "+4915203000020") == "reserved"
    with demo_services.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(m.Subscription)) == subs_before
        assert conn.scalar(select(func.count()).select_from(m.Payment)) == 0
        assert conn.scalar(select(func.count()).select_from(m.OutboxRow)) == outbox_before


def test_importing_a_block_is_all_or_nothing(demo_services: Services) -> None:
    numbers = _numbers(demo_services)
    assert numbers.import_block(["+4915209000001", "# comment", "", "0049 1520 9000002",
                                 "+4915209000001"]) == 2  # fmt: skip
    assert numbers.import_block(["+4915209000001"]) == 0
    before = numbers.counts()
    with pytest.raises(ValidationError, match="line 2"):
        numbers.import_block(["+4915209000003", "12"])
    assert numbers.counts() == before


def _prepaid_line(services: Services, anna: UserInfo) -> str:
    order_id, plan = _plan_basket(services, anna, sim=16)
    services.sales.choose_number(order_id, plan, "+4915203000030", user=anna)
    services.sales.pay_cash(order_id, "20", user=anna)
    return "+4915203000030"


def test_top_up_an_existing_prepaid_number(demo_services: Services, anna: UserInfo) -> None:
    number = _prepaid_line(demo_services, anna)
    sales = demo_services.sales
    basket = sales.start(customer_id=None, user=anna)  # a walk-in may top up any number
    basket = sales.add_code(basket.order_id, "TOPUP-15", user=anna)
    with pytest.raises(RuleViolation, match="prepaid number"):
        sales.pay_cash(basket.order_id, "20", user=anna)
    line = basket.lines[0].id
    basket = sales.set_topup_number(basket.order_id, line, "0152 03000030", user=anna)
    assert basket.lines[0].msisdn == number
    sales.pay_cash(basket.order_id, "20", user=anna)
    owner = demo_services.customers.search("C00000001")[0].id
    entry = demo_services.customers.profile(owner).timeline[0]
    assert entry.kind == "topup" and "15.00 EUR on +4915203000030" in entry.summary


@pytest.mark.parametrize(
    ("typed", "message"),
    [("+4915100000001", "postpaid line"), ("+4917099999999", "not an active line"),
     ("12", "check the digits")],
)  # fmt: skip
def test_top_up_refuses_numbers_it_cannot_credit(
    demo_services: Services, anna: UserInfo, typed: str, message: str
) -> None:
    sales = demo_services.sales
    basket = sales.add_code(sales.start(customer_id=None, user=anna).order_id, "TOPUP-15",
                            user=anna)  # fmt: skip
    with pytest.raises(ValidationError, match=message) as caught:
        sales.set_topup_number(basket.order_id, basket.lines[0].id, typed, user=anna)
    assert caught.value.field == "msisdn"
    assert sales.basket(basket.order_id).lines[0].msisdn == ""
