"""Taking a delivery file into the store's stock, inside the caller's transaction.

The file's serials are checked against every SIM and device known here before anything
is written (a unit this store sent away may come back); then each row becomes a unit in
stock or a quantity added, each with its ``stock_moves`` row
(:mod:`app.services.stock_moves`). A transfer from another store is received once.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db import models as m
from app.services.stock_moves import move_quantity, move_unit
from domain.errors import RuleViolation, ValidationError
from domain.stock import Delivery, DeliveryItem, UnitStatus, describe_errors


def existing_unit(session: Session, serial: str) -> m.SimCard | m.DeviceUnit | None:
    """The SIM (ICCID) or device (IMEI, 15 digits) with this serial, of any store."""
    if len(serial) == 15:
        return session.scalars(
            select(m.DeviceUnit).where(m.DeviceUnit.imei == serial)
        ).one_or_none()
    return session.scalars(select(m.SimCard).where(m.SimCard.iccid == serial)).one_or_none()


def check_new_serials(session: Session, delivery: Delivery, store_id: str) -> None:
    """Refuse the whole file when a serial is already known here (every such row named)."""
    errors = []
    by_serial = {item.serial: item for item in delivery.items if item.serial}
    serials = list(by_serial)
    for start in range(0, len(serials), 500):
        chunk = serials[start : start + 500]
        found: list[tuple[str, str, str]] = [
            (s, st, store)
            for s, st, store in session.execute(
                select(m.SimCard.iccid, m.SimCard.status, m.SimCard.store_id).where(
                    m.SimCard.iccid.in_(chunk)
                )
            )
        ]
        found += [
            (s, st, store)
            for s, st, store in session.execute(
                select(m.DeviceUnit.imei, m.DeviceUnit.status, m.DeviceUnit.store_id).where(
                    m.DeviceUnit.imei.in_(chunk)
                )
            )
        ]
        for serial, status, store in found:
            if status == UnitStatus.TRANSFERRED.value:
                continue  # sent away earlier; it may come back
            where = "this store" if store == store_id else f"store {store}"
            line = by_serial[serial].line
            errors.append(
                f"line {line}: {serial} is already known ({status.replace('_', ' ')} at {where})"
            )
    if errors:
        errors.sort(key=lambda e: int(e.split(":")[0].removeprefix("line ")))
        raise ValidationError(describe_errors(errors), field="file")


def check_transfer_not_taken(session: Session, number: str) -> None:
    taken = session.scalar(
        select(func.count())
        .select_from(m.StockTransfer)
        .where(m.StockTransfer.number == number, m.StockTransfer.direction == "in")
    )
    if taken:
        raise RuleViolation(f"Transfer {number} has already been received.")


def take_in(
    session: Session,
    delivery: Delivery,
    ids: Mapping[str, uuid.UUID],
    *,
    store_id: str,
    kind: str,
    user_id: uuid.UUID,
    reference: str,
) -> tuple[int, int]:
    """Put every row of the delivery into stock; returns (units, quantity) taken in."""
    units = quantity = 0
    for item in delivery.items:
        offering_id = ids[item.sku]
        if item.kind == "quantity":
            move_quantity(
                session, offering_id=offering_id, store_id=store_id,
                delta=item.quantity, kind=kind, user_id=user_id, reference=reference,
            )  # fmt: skip
            quantity += item.quantity
            continue
        unit = existing_unit(session, item.serial)
        if unit is None:
            unit = (
                m.SimCard(iccid=item.serial, imsi=item.imsi or None)
                if item.kind == "sim"
                else m.DeviceUnit(imei=item.serial)
            )
            unit.offering_id = offering_id
            session.add(unit)
        else:  # a unit this store sent away comes back
            unit.store_id = store_id
        move_unit(
            session, unit, status=UnitStatus.IN_STOCK.value, kind=kind, quantity=1,
            user_id=user_id, reference=reference,
        )  # fmt: skip
        units += 1
    return units, quantity


def record_transfer_in(
    session: Session, delivery: Delivery, *, number: str, from_store: str, user_id: uuid.UUID
) -> None:
    """The receiving side's ``stock_transfers`` row of a transfer taken in."""
    session.add(
        m.StockTransfer(
            number=number,
            direction="in",
            other_store=from_store,
            items=[_item_json(i) for i in delivery.items],
            user_id=user_id,
        )
    )


def _item_json(item: DeliveryItem) -> dict[str, object]:
    if item.serial:
        return {"sku": item.sku, "serial": item.serial}
    return {"sku": item.sku, "quantity": item.quantity}
