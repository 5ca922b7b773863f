"""Port-in on a new line: checked in the basket, requested and handed on at payment."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from customer_drafts import staff
from sqlalchemy import func, select

from app.bootstrap import Services
from app.db import models as m
from app.demo.seed import demo_iccid
from app.services.auth import UserInfo
from domain.errors import ValidationError
from domain.porting import next_working_day, validate_port_in

PORTED = "+491761234567"
TODAY = date.today()


@pytest.fixture
def anna(demo_services: Services) -> UserInfo:
    return staff(demo_services)


def _basket(services: Services, anna: UserInfo, sim: int = 21) -> tuple[uuid.UUID, uuid.UUID]:
    customer = services.customers.search("C00000002")[0].id
    basket = services.sales.start(customer_id=customer, user=anna)
    basket = services.sales.add_code(basket.order_id, "PLAN-PRE", user=anna)
    basket = services.sales.add_code(basket.order_id, demo_iccid(1, sim), user=anna)
    return basket.order_id, basket.lines[0].id


def _port(services: Services, anna: UserInfo, order_id: uuid.UUID, line_id: uuid.UUID, **kw):  # type: ignore[no-untyped-def]
    args = {
        "donor": "Vodafone",
        "msisdn": "0176 1234567",
        "porting_code": "ab-12cd",
        "requested": next_working_day(TODAY).isoformat(),
        "temporary": False,
    }
    args.update(kw)
    return services.sales.set_port_in(order_id, line_id, user=anna, **args)  # type: ignore[arg-type]


def _count(services: Services, model: type) -> int:
    with services.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(model)).scalar_one())


def test_a_line_on_the_ported_number_awaits_the_port(
    demo_services: Services, anna: UserInfo
) -> None:
    order_id, line_id = _basket(demo_services, anna)
    view = _port(demo_services, anna, order_id, line_id)
    line = view.lines[0]
    assert line.msisdn == ""
    assert line.port_in.startswith(f"{PORTED} from Vodafone on ")
    free_before = _count(demo_services, m.PhoneNumber)
    demo_services.sales.pay_cash(order_id, "100", user=anna)
    with demo_services.engine.connect() as conn:
        sub = conn.execute(select(m.Subscription).where(m.Subscription.msisdn == PORTED)).one()
        assert sub.activation_status == "awaiting_port_in"
        request = conn.execute(select(m.PortInRequest)).one()
        assert (request.msisdn, request.donor_operator, request.porting_code) == (
            PORTED, "Vodafone", "AB12CD",
        )  # fmt: skip
        assert request.status == "pending" and request.temporary_msisdn is None
        assert request.subscription_id == sub.id and request.order_id == order_id
        handoff = conn.execute(select(m.Handoff)).one()
        assert handoff.kind == "port_in" and handoff.ref_id == request.id
        assert handoff.status == "waiting" and handoff.order_id == order_id
        numbers_used = conn.scalar(
            select(func.count())
            .select_from(m.PhoneNumber)
            .where(m.PhoneNumber.status != "available")
        )
    assert numbers_used == 0  # no number of ours was taken
    assert _count(demo_services, m.PhoneNumber) == free_before
    waiting = demo_services.handoffs.waiting()
    assert [h.title for h in waiting] == ["Port-in follow-up"]
    profile = demo_services.customers.profile(sub.customer_id, user=anna)
    assert profile.cases_available
    assert [c.title.split(":")[0] for c in profile.cases] == ["Port-in follow-up"]


def test_a_temporary_number_comes_from_the_store_block(
    demo_services: Services, anna: UserInfo
) -> None:
    order_id, line_id = _basket(demo_services, anna)
    _port(demo_services, anna, order_id, line_id, temporary=True)
    demo_services.sales.pay_cash(order_id, "100", user=anna)
    with demo_services.engine.connect() as conn:
        request = conn.execute(select(m.PortInRequest)).one()
        sub = conn.execute(
            select(m.Subscription).where(m.Subscription.id == request.subscription_id)
        ).one()
        assert sub.msisdn == request.temporary_msisdn and sub.msisdn != PORTED
        assert sub.activation_status == "requested"
        status = conn.scalar(select(m.PhoneNumber.status).where(m.PhoneNumber.msisdn == sub.msisdn))
    assert status == "assigned"


def test_choosing_to_port_gives_back_a_reserved_number(
    demo_services: Services, anna: UserInfo
) -> None:
    order_id, line_id = _basket(demo_services, anna)
    demo_services.sales.choose_number(order_id, line_id, "+4915203000001", user=anna)
    view = _port(demo_services, anna, order_id, line_id)
    assert view.lines[0].msisdn == ""
    with demo_services.engine.connect() as conn:
        status = conn.scalar(
            select(m.PhoneNumber.status).where(m.PhoneNumber.msisdn == "+4915203000001")
        )
    assert status == "available"


@pytest.mark.parametrize(
    ("kw", "field", "message"),
    [
        ({"donor": " "}, "donor", "Choose the operator"),
        ({"msisdn": "12"}, "port_msisdn", "."),
        ({"msisdn": "+4915203000005"}, "port_msisdn", "already one of our numbers"),
        ({"porting_code": "a!"}, "porting_code", "4 to 16 letters and digits"),
        ({"requested": "soon"}, "requested", "YYYY-MM-DD"),
        ({"requested": TODAY.isoformat()}, "requested", "earliest porting date"),
        (
            {"requested": next_working_day(TODAY + timedelta(days=200)).isoformat()},
            "requested",
            "120 days",
        ),
    ],
)
def test_bad_port_in_details_are_refused(
    demo_services: Services, anna: UserInfo, kw: dict[str, object], field: str, message: str
) -> None:
    order_id, line_id = _basket(demo_services, anna)
    with pytest.raises(ValidationError, match=message) as info:
        _port(demo_services, anna, order_id, line_id, **kw)
    assert info.value.field == field
    assert demo_services.sales.basket(order_id).lines[0].port_in == ""


def test_the_same_number_cannot_be_ported_twice(demo_services: Services, anna: UserInfo) -> None:
    order_id, line_id = _basket(demo_services, anna)
    _port(demo_services, anna, order_id, line_id)
    demo_services.sales.pay_cash(order_id, "100", user=anna)
    order_id, line_id = _basket(demo_services, anna, sim=22)
    with pytest.raises(ValidationError, match="already one of our numbers"):
        _port(demo_services, anna, order_id, line_id)


def test_weekends_are_not_porting_days() -> None:
    saturday = date(2026, 11, 28)
    assert next_working_day(date(2026, 11, 27)) == date(2026, 11, 30)
    with pytest.raises(ValidationError, match="working days"):
        validate_port_in(
            donor="Telekom", msisdn=PORTED, porting_code="ABCD", requested=saturday.isoformat(),
            temporary=False, today=date(2026, 11, 23),
        )  # fmt: skip
