"""Stock movements written inside someone else's transaction: a sale, a return, a receipt.

Every change of a unit's status or of a quantity level goes through here, so the
``stock_moves`` journal always explains what the store holds.
"""

from __future__ import annotations

import uuid

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from app.db import models as m
from app.db import prepared
from app.db.plain_rows import add_row, change_row, read_row
from domain.errors import RuleViolation


def level(session: Session, offering_id: uuid.UUID, store_id: str) -> m.StockLevel | None:
    return session.scalars(
        select(m.StockLevel).where(
            m.StockLevel.offering_id == offering_id, m.StockLevel.store_id == store_id
        )
    ).one_or_none()


def check_quantity(
    session: Session, offering_id: uuid.UUID, name: str, wanted: int, store_id: str
) -> None:
    """Refuse a quantity the store does not hold (a miscount shows up at the counter)."""
    row = level(session, offering_id, store_id)
    on_hand = row.on_hand if row is not None else 0
    if row is None:
        raise RuleViolation(f"{name} is not in this store's stock.")
    if wanted > on_hand:
        held = "none" if on_hand <= 0 else f"only {on_hand}"
        raise RuleViolation(f"{name}: {held} in stock; the basket asks for {wanted}.")


def move_quantity(
    session: Session,
    *,
    offering_id: uuid.UUID,
    store_id: str,
    delta: int,
    kind: str,
    user_id: uuid.UUID,
    reason: str = "",
    reference: str = "",
    order_id: uuid.UUID | None = None,
) -> m.StockLevel:
    row = level(session, offering_id, store_id)
    if row is None:
        row = m.StockLevel(offering_id=offering_id, on_hand=0, store_id=store_id)
        session.add(row)
    if row.on_hand + delta < 0:
        raise RuleViolation(f"Only {row.on_hand} in stock; {-delta} cannot go out.")
    row.on_hand += delta
    add_row(
        session, m.StockMove, kind=kind, offering_id=offering_id, quantity=delta,
        reason=reason, reference=reference, order_id=order_id, user_id=user_id,
    )  # fmt: skip
    return row


def move_unit(
    session: Session,
    unit: m.SimCard | m.DeviceUnit,
    *,
    status: str,
    kind: str,
    user_id: uuid.UUID,
    quantity: int = 0,
    reason: str = "",
    reference: str = "",
    order_id: uuid.UUID | None = None,
) -> None:
    """Give a unit its new status; ``quantity`` is +1 into the store, -1 out, 0 within."""
    unit.status = status
    serial = unit.iccid if isinstance(unit, m.SimCard) else unit.imei
    add_row(
        session, m.StockMove, kind=kind, offering_id=unit.offering_id, serial=serial,
        quantity=quantity, status=status, reason=reason, reference=reference,
        order_id=order_id, user_id=user_id,
    )  # fmt: skip


def _sell_unit(
    session: Session, serial: str, *, user_id: uuid.UUID, reference: str, order_id: uuid.UUID
) -> None:
    """:func:`move_unit` for a unit a sale sells, read and changed as a plain row (a sale
    reads nothing else of it)."""
    model: type[m.SimCard] | type[m.DeviceUnit] = m.SimCard
    unit = None
    if len(serial) == 15:
        model, unit = m.DeviceUnit, read_row(session, m.DeviceUnit, "imei", serial)
    if unit is None:
        model, unit = m.SimCard, read_row(session, m.SimCard, "iccid", serial)
    if unit is None:
        raise RuleViolation(f"{serial} is not in this store's stock.")
    change_row(session, model, unit, status="sold")
    add_row(
        session, m.StockMove, kind="sale", offering_id=unit["offering_id"], serial=serial,
        quantity=-1, status="sold", reason="", reference=reference, order_id=order_id,
        user_id=user_id,
    )  # fmt: skip


# Whether this store counts an offering by quantity (accessories; not plans): one
# prepared read per offering sold without a serial (a basket holds a few).
_COUNTED = select(m.StockLevel.offering_id).where(
    m.StockLevel.store_id == bindparam("store_id"),
    m.StockLevel.offering_id == bindparam("offering_id"),
)


def record_sale(session: Session, order: m.Order, *, store_id: str, user_id: uuid.UUID) -> None:
    """The goods of a completed order leave the store: units sold, quantities taken off."""
    by_quantity = {line.offering_id for line in order.lines if not line.serial}
    conn = session.connection()
    counted = {
        offering_id
        for offering_id in by_quantity
        if prepared.first(conn, _COUNTED, {"store_id": store_id, "offering_id": offering_id})
    }
    for line in order.lines:
        if line.serial:
            _sell_unit(
                session, line.serial, user_id=user_id, reference=order.number,
                order_id=order.id,
            )  # fmt: skip
        elif line.offering_id in counted:
            move_quantity(
                session, offering_id=line.offering_id, store_id=store_id, delta=-line.quantity,
                kind="sale", user_id=user_id, reference=order.number, order_id=order.id,
            )  # fmt: skip


_DEVICE_BY_IMEI = select(m.DeviceUnit).where(m.DeviceUnit.imei == bindparam("serial"))
_SIM_BY_ICCID = select(m.SimCard).where(m.SimCard.iccid == bindparam("serial"))


def unit_by_serial(session: Session, serial: str) -> m.SimCard | m.DeviceUnit:
    if len(serial) == 15:
        unit = session.scalars(_DEVICE_BY_IMEI, {"serial": serial}).first()
        if unit is not None:
            return unit
    return session.scalars(_SIM_BY_ICCID, {"serial": serial}).one()
