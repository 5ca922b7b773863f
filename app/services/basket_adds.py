"""Adding to the basket: a scanned or typed code (an ICCID or IMEI from this store's stock,
a SKU or EAN, a bundle's plan and device), and a scanned IMEI for a device line waiting
for it. A unit taken into a basket is reserved; a quantity good is checked against stock.

Part of :class:`~app.services.sales.SaleService` (mixed in, over
:class:`~app.services.basket_hooks.BasketHooks`).
"""

from __future__ import annotations

import uuid
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import models as m
from app.services.auth import UserInfo
from app.services.basket_hooks import BasketHooks
from app.services.basket_rows import find_line, to_domain
from app.services.basket_views import BasketView
from app.services.stock_moves import check_quantity
from domain.catalog import Offering, OfferingKind
from domain.errors import RuleViolation, ValidationError
from domain.identifiers import parse_iccid, parse_imei
from domain.ids import new_id
from domain.stock import check_model

_Unit = TypeVar("_Unit", m.SimCard, m.DeviceUnit)


class SaleAdds(BasketHooks):
    def add_code(self, order_id: uuid.UUID, code: str, *, user: UserInfo) -> BasketView:
        """Add what a scanned or typed code names: an ICCID or IMEI from stock, a SKU/EAN.

        A bundle adds its plan and its device; the device line then waits for its IMEI,
        and a scanned IMEI of that model fills it.
        """
        self._catalog.snapshot()  # read before the write lock is taken
        code = code.strip().replace(" ", "")
        if not code:
            raise ValidationError("Scan or type a code.", field="code")
        with self._uow() as uow:
            session = uow.session
            row = self._order_row(session, order_id)
            order = to_domain(row)
            if not order.can_edit():
                raise RuleViolation(f"Order {order.number} is {order.status.value}.")
            if code.isdigit() and code.startswith("89") and len(code) >= 18:
                self._add_sim(session, row, code)
            elif code.isdigit() and len(code) == 15:
                self._add_device_unit(session, row, code)
            else:
                offering = self._offering_by_code(code)
                if offering.serial == "iccid":
                    raise ValidationError(
                        f"Scan the SIM card's ICCID to sell {offering.name}.", field="code"
                    )
                if offering.bundle is not None:
                    spec = offering.bundle
                    self._append(session, row, self._catalog_offering(spec.plan), spec.commitment)
                    self._append(session, row, self._catalog_offering(spec.device), spec.commitment)
                else:
                    self._append(session, row, offering, self._plan_commitment(row))
            view = self._reprice_and_view(session, row)
            uow.commit()
            return view

    def fill_serial(
        self, order_id: uuid.UUID, line_id: uuid.UUID, code: str, *, user: UserInfo
    ) -> BasketView:
        """Give a device line waiting for its IMEI the scanned unit, which must be that model."""
        snap = self._catalog.snapshot()  # read before the write lock is taken
        imei = str(parse_imei(code.strip().replace(" ", "")))
        with self._uow() as uow:
            session = uow.session
            row = self._order_row(session, order_id)
            self._check_can_change(row)
            line = find_line(row, line_id)
            offering = self._catalog_offering(line.sku)
            if offering.serial != "imei" or line.serial:
                raise ValidationError(
                    f"{line.description} does not wait for an IMEI.", field="code"
                )
            check_model(offering, imei, snap.catalog)
            unit = session.scalars(
                select(m.DeviceUnit).where(m.DeviceUnit.imei == imei)
            ).one_or_none()
            if (
                unit is not None
                and unit.store_id == self._store_id
                and unit.offering_id != line.offering_id
            ):
                stocked = session.get(m.Offering, unit.offering_id)
                name = stocked.name if stocked is not None else "another model"
                raise ValidationError(
                    f"Phone {imei} is a {name} in stock, not {line.description}.", field="code"
                )
            self._reserve(unit, f"Phone {imei}")
            line.serial = imei
            view = self._reprice_and_view(session, row)
            uow.commit()
            return view

    def _plan_commitment(self, row: m.Order) -> int:
        """New devices take the term of the plan already in the basket."""
        for line in row.lines:
            if self._catalog_offering(line.sku).kind is OfferingKind.PLAN:
                return line.commitment
        return 0

    def _append(
        self,
        session: Session,
        row: m.Order,
        offering: Offering,
        commitment: int,
        *,
        serial: str = "",
    ) -> m.OrderLine:
        ids = self._catalog.snapshot().ids
        kind = offering.kind
        if offering.kind is OfferingKind.ACCESSORY and not serial:
            in_basket = sum(x.quantity for x in row.lines if x.sku == offering.code)
            check_quantity(
                session, ids[offering.code], offering.name, in_basket + 1, self._store_id
            )
            for existing in row.lines:
                if existing.sku == offering.code and existing.manual_discount is None:
                    existing.quantity += 1
                    return existing
        line = m.OrderLine(
            id=new_id(),
            order=row,
            position=max((x.position for x in row.lines), default=-1) + 1,
            offering_id=ids[offering.code],
            sku=offering.code,
            description=offering.name,
            quantity=1,
            unit_price_minor=0,
            vat_rate_bp=0,
            serial=serial or None,
            commitment=commitment if kind in (OfferingKind.PLAN, OfferingKind.DEVICE) else 0,
            instalments=0,
            discount_minor=0,
            financed_minor=0,
            instalment_minor=0,
            monthly_discount_minor=0,
            discounts=[],
        )
        session.add(line)
        return line

    def _add_sim(self, session: Session, row: m.Order, code: str) -> None:
        iccid = str(parse_iccid(code))
        sim = session.scalars(select(m.SimCard).where(m.SimCard.iccid == iccid)).one_or_none()
        sim = self._reserve(sim, f"SIM {iccid}")
        offering_row = session.get(m.Offering, sim.offering_id)
        assert offering_row is not None  # foreign key
        self._append(session, row, self._catalog_offering(offering_row.sku), 0, serial=iccid)

    def _add_device_unit(self, session: Session, row: m.Order, code: str) -> None:
        imei = str(parse_imei(code))
        unit = session.scalars(select(m.DeviceUnit).where(m.DeviceUnit.imei == imei)).one_or_none()
        unit = self._reserve(unit, f"Phone {imei}")
        offering_row = session.get(m.Offering, unit.offering_id)
        assert offering_row is not None  # foreign key
        for line in row.lines:  # a bundle's device line waiting for its IMEI
            if line.sku == offering_row.sku and not line.serial:
                line.serial = imei
                return
        offering = self._catalog_offering(offering_row.sku)
        self._append(session, row, offering, self._plan_commitment(row), serial=imei)

    def _reserve(self, unit: _Unit | None, what: str) -> _Unit:
        """The scanned unit, reserved for this basket: it must be this store's and in stock."""
        if unit is None or unit.store_id != self._store_id:
            raise ValidationError(f"{what} is not in this store's stock.", field="code")
        if unit.status != "in_stock":
            raise ValidationError(f"{what} is {unit.status.replace('_', ' ')}.", field="code")
        unit.status = "reserved"
        return unit
