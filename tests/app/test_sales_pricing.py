"""The basket priced by the engine: promotions with reasons, terms, eligibility, discounts."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.bootstrap import Services
from app.db import models as m
from app.demo.seed import demo_iccid, demo_imei
from app.services.auth import UserInfo
from app.services.sales import ApprovalRequired, BasketView
from domain.errors import RuleViolation, ValidationError

IPHONE_TAC = "35407115"
STD_SIM = demo_iccid(1, 1)
ESIM = demo_iccid(1, 5)  # every fifth demo SIM is an eSIM


def _customer(services: Services) -> uuid.UUID:
    return services.customers.search("C00000001")[0].id


def _codes(basket: BasketView) -> list[str]:
    return [d.code for line in basket.lines for d in line.discounts]


def _payments(services: Services) -> int:
    with services.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(m.Payment)).scalar_one())


def test_free_sim_with_a_postpaid_plan_shows_its_reason(
    demo_services: Services, anna: UserInfo
) -> None:
    sales = demo_services.sales
    basket = sales.start(customer_id=_customer(demo_services), user=anna)
    basket = sales.add_code(basket.order_id, "PLAN-M", user=anna)
    basket = sales.add_code(basket.order_id, STD_SIM, user=anna)
    sim = basket.lines[1]
    assert sim.unit_price.format() == "9.99 EUR" and sim.total.format() == "0.00 EUR"
    assert [d.code for d in sim.discounts] == ["FREESIM"]
    assert sim.discounts[0].reason  # a sentence the customer can read
    assert basket.total.format() == "0.00 EUR"
    assert basket.monthly_total.format() == "29.99 EUR"
    assert not basket.problems
    with demo_services.engine.connect() as conn:
        stored = conn.execute(select(m.OrderLine).where(m.OrderLine.id == sim.id)).one()
    assert stored.discount_minor == 999 and stored.discounts[0]["code"] == "FREESIM"


def test_a_walk_in_cannot_pay_for_a_postpaid_plan(demo_services: Services, anna: UserInfo) -> None:
    sales = demo_services.sales
    basket = sales.start(customer_id=None, user=anna)
    basket = sales.add_code(basket.order_id, "PLAN-M", user=anna)
    assert any("age" in message for message in basket.messages)
    with pytest.raises(RuleViolation, match="cannot be paid yet"):
        sales.pay_cash(basket.order_id, "100", user=anna)
    assert _payments(demo_services) == 0


def test_phone_with_a_24_month_plan_gets_the_term_price_and_the_promotion(
    demo_services: Services, anna: UserInfo
) -> None:
    sales = demo_services.sales
    basket = sales.start(customer_id=_customer(demo_services), user=anna)
    basket = sales.add_code(basket.order_id, "PLAN-M", user=anna)
    basket = sales.set_terms(basket.order_id, basket.lines[0].id, user=anna, commitment=24)
    basket = sales.add_code(basket.order_id, demo_imei(IPHONE_TAC, 1), user=anna)
    phone = basket.lines[1]
    assert phone.commitment == 24 and phone.serial == demo_imei(IPHONE_TAC, 1)
    assert phone.unit_price.amount == Decimal("699.00")
    assert "DEV20" in [d.code for d in phone.discounts]
    assert phone.total.amount == Decimal("559.20")
    assert basket.monthly_total.amount == Decimal("24.99")

    basket = sales.set_terms(basket.order_id, phone.id, user=anna, instalments=24)
    phone = basket.lines[1]
    assert phone.total.amount == Decimal("49.00")  # the minimum upfront
    assert phone.instalment is not None and phone.instalment.amount == Decimal("21.26")
    assert basket.monthly_total.amount == Decimal("24.99") + Decimal("21.26")

    # Dropping the plan's term puts the phone back to its full price, without DEV20.
    basket = sales.set_terms(basket.order_id, basket.lines[0].id, user=anna, commitment=0)
    assert "DEV20" not in _codes(basket)
    assert basket.lines[1].commitment == 0


def test_a_bundle_waits_for_its_phone_to_be_scanned(
    demo_services: Services, anna: UserInfo
) -> None:
    sales = demo_services.sales
    basket = sales.start(customer_id=_customer(demo_services), user=anna)
    basket = sales.add_code(basket.order_id, "BUNDLE-IP15-M24", user=anna)
    assert [line.sku for line in basket.lines] == ["PLAN-M", "DEV-IP15"]
    assert [line.commitment for line in basket.lines] == [24, 24]
    assert basket.lines[1].needs_serial == "imei"
    with pytest.raises(RuleViolation, match="IMEI"):
        sales.pay_cash(basket.order_id, "1000", user=anna)
    basket = sales.add_code(basket.order_id, demo_imei(IPHONE_TAC, 2), user=anna)
    assert len(basket.lines) == 2 and basket.lines[1].serial == demo_imei(IPHONE_TAC, 2)
    assert basket.total.amount == Decimal("559.20")
    with pytest.raises(RuleViolation, match="Scan a SIM card for Smart M"):
        sales.pay_cash(basket.order_id, "600", user=anna)
    basket = sales.add_code(basket.order_id, demo_iccid(1, 3), user=anna)
    result = sales.pay_cash(basket.order_id, "600", user=anna)
    assert result.total == basket.total
    with demo_services.engine.connect() as conn:
        status = conn.execute(
            select(m.DeviceUnit.status).where(m.DeviceUnit.imei == demo_imei(IPHONE_TAC, 2))
        ).scalar_one()
    assert status == "sold"


def test_a_phone_not_in_stock_is_refused(demo_services: Services, anna: UserInfo) -> None:
    sales = demo_services.sales
    basket = sales.start(customer_id=None, user=anna)
    with pytest.raises(ValidationError, match="not in this store's stock"):
        sales.add_code(basket.order_id, demo_imei(IPHONE_TAC, 99), user=anna)


def test_manual_discount_within_and_above_the_role_limit(
    demo_services: Services, anna: UserInfo, maria: UserInfo
) -> None:
    sales = demo_services.sales
    basket = sales.start(customer_id=None, user=anna)
    basket = sales.add_code(basket.order_id, "ACC-CHG", user=anna)
    line = basket.lines[0]
    basket = sales.set_manual_discount(
        basket.order_id, line.id, user=anna, reason="Display unit", percent="10"
    )
    assert basket.total.amount == Decimal("22.49")  # 24.99 − 2.50
    assert basket.lines[0].discounts[0].reason == "Display unit"

    with pytest.raises(ApprovalRequired, match="needs a manager"):
        sales.set_manual_discount(
            basket.order_id, line.id, user=anna, reason="Damaged box", percent="50"
        )
    assert sales.basket(basket.order_id).total.amount == Decimal("22.49")  # unchanged

    basket = sales.set_manual_discount(
        basket.order_id,
        line.id,
        user=anna,
        reason="Damaged box",
        percent="50",
        approved_by=maria.id,
    )
    assert basket.total.amount == Decimal("12.49")  # 24.99 − 12.50
    # A manager's own limit covers it without a second approval.
    basket = sales.set_manual_discount(
        basket.order_id, line.id, user=maria, reason="Damaged box", amount="20"
    )
    assert basket.total.amount == Decimal("4.99")


def test_esim_needs_a_capable_phone_or_the_consultants_confirmation(
    demo_services: Services, anna: UserInfo
) -> None:
    sales = demo_services.sales
    basket = sales.start(customer_id=_customer(demo_services), user=anna)
    basket = sales.add_code(basket.order_id, "PLAN-S", user=anna)
    basket = sales.add_code(basket.order_id, ESIM, user=anna)
    assert any("eSIM" in message for message in basket.messages)
    basket = sales.set_esim_device_confirmed(basket.order_id, True, user=anna)
    assert not basket.problems


def test_an_add_on_needs_its_plan(demo_services: Services, anna: UserInfo) -> None:
    sales = demo_services.sales
    basket = sales.start(customer_id=None, user=anna)  # no line of theirs to add it to
    basket = sales.add_code(basket.order_id, "ADD-ROAM", user=anna)
    assert any(m.startswith("Roaming World 5 GB needs") for m in basket.messages)
    basket = sales.add_code(basket.order_id, "PLAN-L", user=anna)
    # The add-on is satisfied; what remains is the plan's age check for a walk-in.
    assert basket.messages == ["Smart L Unlimited needs a customer whose age is checked."]


def test_second_line_half_price(demo_services: Services, anna: UserInfo) -> None:
    sales = demo_services.sales
    basket = sales.start(customer_id=_customer(demo_services), user=anna)
    basket = sales.add_code(basket.order_id, "PLAN-L", user=anna)
    basket = sales.add_code(basket.order_id, "PLAN-S", user=anna)
    small = basket.lines[1]
    assert [d.code for d in small.discounts] == ["SECOND50"]
    assert small.discounts[0].monthly
    assert basket.monthly_total.amount == Decimal("39.99") + Decimal("7.49")  # 14.99 − 7.50
