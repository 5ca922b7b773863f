"""A scanned IMEI fills the selected phone line only when it is that model, from this store."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from app.bootstrap import Services
from app.db import models as m
from app.demo.seed import demo_imei
from app.services.auth import UserInfo
from domain.errors import ValidationError

A15 = demo_imei("35328115", 4)
IP15 = demo_imei("35407115", 4)


def _bundle(services: Services, anna: UserInfo):  # type: ignore[no-untyped-def]
    cid = services.customers.search("C00000011")[0].id
    basket = services.sales.start(customer_id=cid, user=anna)
    basket = services.sales.add_code(basket.order_id, "BUNDLE-A15-S24", user=anna)
    device = next(line for line in basket.lines if line.needs_serial == "imei")
    return basket.order_id, device.id


@pytest.mark.parametrize(
    ("imei", "message"),
    [
        (IP15, r"is a .*, not Galaxy A15|is a .*iPhone.*, not"),
        ("353281150000000", "check digit"),
        (demo_imei("35328115", 999), "not in this store's stock"),
    ],
)
def test_the_wrong_unit_is_refused(
    demo_services: Services, anna: UserInfo, imei: str, message: str
) -> None:
    order_id, line_id = _bundle(demo_services, anna)
    with pytest.raises(ValidationError, match=message):
        demo_services.sales.fill_serial(order_id, line_id, imei, user=anna)
    line = next(x for x in demo_services.sales.basket(order_id).lines if x.id == line_id)
    assert line.serial == ""
    with demo_services.engine.connect() as conn:
        status = conn.scalar(select(m.DeviceUnit.status).where(m.DeviceUnit.imei == IP15))
    assert status == "in_stock"


def test_a_unit_stocked_under_another_model_is_refused(
    demo_services: Services, anna: UserInfo
) -> None:
    with demo_services.engine.begin() as conn:
        px8 = conn.execute(select(m.Offering.id).where(m.Offering.sku == "DEV-PX8")).scalar_one()
        conn.execute(update(m.DeviceUnit).where(m.DeviceUnit.imei == A15).values(offering_id=px8))
    order_id, line_id = _bundle(demo_services, anna)
    with pytest.raises(ValidationError, match="in stock, not"):
        demo_services.sales.fill_serial(order_id, line_id, A15, user=anna)


def test_the_right_unit_fills_the_line(demo_services: Services, anna: UserInfo) -> None:
    order_id, line_id = _bundle(demo_services, anna)
    basket = demo_services.sales.fill_serial(order_id, line_id, A15, user=anna)
    line = next(x for x in basket.lines if x.id == line_id)
    assert line.serial == A15 and line.needs_serial == ""
    with pytest.raises(ValidationError, match="does not wait for an IMEI"):
        demo_services.sales.fill_serial(order_id, line_id, A15, user=anna)
    with demo_services.engine.connect() as conn:
        status = conn.scalar(select(m.DeviceUnit.status).where(m.DeviceUnit.imei == A15))
    assert status == "reserved"
