"""The store's stock: receiving deliveries, transfers, adjustments, levels and warnings.

Each public method is one transaction and writes its ``stock_moves``; a delivery file
is taken whole or not at all. Adjustments and transfers out need the ``stock_adjust``
permission (managers); any consultant may receive a delivery.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db import models as m
from app.db.counters import next_number
from app.db.uow import UnitOfWork
from app.errors import AccessDenied, NotFound
from app.services.auth import UserInfo
from app.services.catalog import CatalogService
from app.services.stock_moves import level, move_quantity, move_unit
from app.services.stock_receipts import (
    check_new_serials,
    check_transfer_not_taken,
    existing_unit,
    record_transfer_in,
    take_in,
)
from domain.catalog import Offering, OfferingKind
from domain.errors import RuleViolation, ValidationError
from domain.stock import (
    AdjustmentReason,
    UnitStatus,
    adjust_unit,
    can_transfer,
    is_low,
    parse_delivery,
    parse_quantity,
)
from domain.users import Permission

STOCKED_KINDS = (OfferingKind.SIM, OfferingKind.DEVICE, OfferingKind.ACCESSORY)
STORE_CODE_MAX = 16


@dataclass(frozen=True)
class StockLine:
    """One offering's stock, as the stock screen lists it."""

    sku: str
    name: str
    kind: str
    counted: str  # "unit" or "quantity"
    in_stock: int
    reserved: int
    returned: int
    damaged: int
    reorder_level: int
    low: bool


@dataclass(frozen=True)
class UnitView:
    serial: str
    sku: str
    status: str
    imsi: str


@dataclass(frozen=True)
class MoveView:
    at: datetime
    kind: str
    sku: str
    serial: str
    quantity: int
    status: str
    reason: str
    reference: str


@dataclass(frozen=True)
class ReceiptResult:
    reference: str
    summary: str
    units: int
    quantity: int


@dataclass(frozen=True)
class TransferResult:
    number: str
    to_store: str
    file_text: str  # the delivery file the receiving store imports
    units: int
    quantity: int


class StockService:
    def __init__(
        self,
        uow: Callable[..., UnitOfWork],
        *,
        catalog: CatalogService,
        store_id: str,
        terminal_id: str,
        low_stock_level: int,
    ) -> None:
        self._uow = uow
        self._catalog = catalog
        self._store_id = store_id
        self._terminal_id = terminal_id
        self._low = low_stock_level

    # -- receiving -----------------------------------------------------------------------
    def receive(
        self, text: str, *, reference: str, user: UserInfo, from_store: str = ""
    ) -> ReceiptResult:
        """Take in a delivery file (or a transfer from ``from_store``): all rows or none."""
        reference = reference.strip()
        if not reference:
            raise ValidationError(
                "Give the delivery note or transfer number printed on the paperwork.",
                field="reference",
            )
        if len(reference) > 64:
            raise ValidationError("A reference has at most 64 characters.", field="reference")
        snap = self._catalog.snapshot()
        delivery = parse_delivery(text, snap.catalog)
        kind = "transfer_in" if from_store else "receipt"
        with self._uow() as uow:
            session = uow.session
            check_new_serials(session, delivery, self._store_id)
            if from_store:
                check_transfer_not_taken(session, reference)
            units, quantity = take_in(
                session, delivery, snap.ids, store_id=self._store_id, kind=kind,
                user_id=user.id, reference=reference,
            )  # fmt: skip
            if from_store:
                record_transfer_in(
                    session, delivery, number=reference, from_store=from_store, user_id=user.id
                )
            uow.commit()
        return ReceiptResult(reference, delivery.summary(), units, quantity)

    # -- transfers out -------------------------------------------------------------------
    def transfer_out(
        self,
        *,
        to_store: str,
        serials: list[str],
        quantities: dict[str, str | int],
        note: str,
        user: UserInfo,
    ) -> TransferResult:
        """Send units and quantities to another store; returns the file it receives them by."""
        self._require(user, "send stock to another store")
        to_store = to_store.strip().upper()
        if not to_store or len(to_store) > STORE_CODE_MAX or not to_store.isalnum():
            raise ValidationError("Give the receiving store's code, e.g. S002.", field="store")
        if to_store == self._store_id:
            raise ValidationError("A store cannot send stock to itself.", field="store")
        wanted = {sku: parse_quantity(str(q)) for sku, q in quantities.items() if str(q).strip()}
        clean = [s.strip() for s in serials if s.strip()]
        if not clean and not wanted:
            raise ValidationError("Choose what to send.", field="items")
        if len(set(clean)) != len(clean):
            raise ValidationError("A serial is listed twice.", field="items")
        snap = self._catalog.snapshot()
        with self._uow() as uow:
            session = uow.session
            number = next_number(
                session, kind="TRF", store_id=self._store_id, terminal_id=self._terminal_id
            )
            rows = ["sku,serial,imsi,quantity"]
            items: list[dict[str, object]] = []
            for serial in clean:
                unit = self._own_unit(session, serial)
                if not can_transfer(UnitStatus(unit.status)):
                    raise RuleViolation(
                        f"{serial} is {unit.status.replace('_', ' ')}; it cannot be sent."
                    )
                sku = self._sku(session, unit.offering_id)
                imsi = unit.imsi if isinstance(unit, m.SimCard) else None
                move_unit(
                    session, unit, status=UnitStatus.TRANSFERRED.value, kind="transfer_out",
                    quantity=-1, user_id=user.id, reference=number, reason=f"to {to_store}",
                )  # fmt: skip
                rows.append(f"{sku},{serial},{imsi or ''},")
                items.append({"sku": sku, "serial": serial})
            for sku, qty in wanted.items():
                offering = self._stocked(sku, snap.catalog.get(sku))
                if offering.serial:
                    raise ValidationError(
                        f"{offering.name} is sent by serial, not by quantity.", field="items"
                    )
                if level(session, snap.ids[sku], self._store_id) is None:
                    raise RuleViolation(f"{offering.name} is not in this store's stock.")
                move_quantity(
                    session, offering_id=snap.ids[sku], store_id=self._store_id, delta=-qty,
                    kind="transfer_out", user_id=user.id, reference=number,
                    reason=f"to {to_store}",
                )  # fmt: skip
                rows.append(f"{sku},,,{qty}")
                items.append({"sku": sku, "quantity": qty})
            session.add(
                m.StockTransfer(
                    number=number,
                    direction="out",
                    other_store=to_store,
                    items=items,
                    note=note.strip()[:300],
                    user_id=user.id,
                )
            )
            uow.commit()
        return TransferResult(
            number=number,
            to_store=to_store,
            file_text="\n".join(rows) + "\n",
            units=len(clean),
            quantity=sum(wanted.values()),
        )

    # -- adjustments ---------------------------------------------------------------------
    def adjust_unit(
        self, serial: str, reason: AdjustmentReason, *, note: str, user: UserInfo
    ) -> UnitView:
        self._require(user, "adjust stock")
        note = self._note(note)
        with self._uow() as uow:
            session = uow.session
            unit = self._own_unit(session, serial.strip())
            target = adjust_unit(UnitStatus(unit.status), reason, serial.strip())
            # A lost unit leaves the store's count; one found again comes back into it.
            into = -1 if target is UnitStatus.LOST else int(unit.status == UnitStatus.LOST)
            move_unit(
                session, unit, status=target.value, kind="adjustment", quantity=into,
                user_id=user.id, reason=f"{reason.label}: {note}",
            )  # fmt: skip
            view = self._unit_view(session, unit)
            uow.commit()
            return view

    def count(self, sku: str, counted: str | int, *, note: str, user: UserInfo) -> StockLine:
        """Set a quantity good's level to what a stock count found (the difference is moved)."""
        self._require(user, "correct a stock count")
        note = self._note(note)
        text = str(counted).strip()
        if not text.isdigit():
            raise ValidationError("The count is a whole number, 0 or more.", field="count")
        snap = self._catalog.snapshot()
        offering = self._stocked(sku, snap.catalog.get(sku))
        if offering.serial:
            raise RuleViolation(f"{offering.name} is counted by serial; adjust units one by one.")
        with self._uow() as uow:
            session = uow.session
            row = level(session, snap.ids[sku], self._store_id)
            delta = int(text) - (row.on_hand if row is not None else 0)
            if delta:
                move_quantity(
                    session, offering_id=snap.ids[sku], store_id=self._store_id, delta=delta,
                    kind="adjustment", user_id=user.id,
                    reason=f"{AdjustmentReason.COUNT.label}: {note}",
                )  # fmt: skip
            uow.commit()
        return self.line(sku)

    def set_reorder_level(self, sku: str, value: str, *, user: UserInfo) -> StockLine:
        """When to warn for one item; an empty value goes back to the store's default."""
        self._require(user, "change a reorder level")
        snap = self._catalog.snapshot()
        self._stocked(sku, snap.catalog.get(sku))
        text = value.strip()
        if text and (not text.isdigit() or int(text) > 10_000):
            raise ValidationError("A reorder level is a whole number up to 10000.", field="level")
        with self._uow() as uow:
            session = uow.session
            row = level(session, snap.ids[sku], self._store_id)
            if row is None:
                row = m.StockLevel(offering_id=snap.ids[sku], on_hand=0)
                session.add(row)
            row.reorder_level = int(text) if text else None
            uow.commit()
        return self.line(sku)

    # -- reading -------------------------------------------------------------------------
    def levels(self) -> list[StockLine]:
        snap = self._catalog.snapshot()
        with self._uow(read_only=True) as uow:
            session = uow.session
            by_status: dict[tuple[uuid.UUID, str], int] = {}
            for table in (m.SimCard, m.DeviceUnit):
                for offering_id, status, n in session.execute(
                    select(table.offering_id, table.status, func.count())
                    .where(table.store_id == self._store_id)
                    .group_by(table.offering_id, table.status)
                ):
                    by_status[(offering_id, status)] = n
            quantities = {
                offering_id: (on_hand, reorder)
                for offering_id, on_hand, reorder in session.execute(
                    select(
                        m.StockLevel.offering_id, m.StockLevel.on_hand, m.StockLevel.reorder_level
                    ).where(m.StockLevel.store_id == self._store_id)
                )
            }
        out = []
        for offering in snap.catalog.offerings.values():
            if offering.kind not in STOCKED_KINDS:
                continue
            oid = snap.ids[offering.code]
            on_hand, own_level = quantities.get(oid, (0, None))
            reorder = own_level if own_level is not None else self._low
            if offering.serial:
                counts = {s: by_status.get((oid, s.value), 0) for s in UnitStatus}
                in_stock = counts[UnitStatus.IN_STOCK]
                line = StockLine(
                    offering.code, offering.name, offering.kind.value, "unit", in_stock,
                    counts[UnitStatus.RESERVED], counts[UnitStatus.RETURNED],
                    counts[UnitStatus.DAMAGED], reorder, is_low(in_stock, reorder),
                )  # fmt: skip
            else:
                line = StockLine(
                    offering.code, offering.name, offering.kind.value, "quantity", on_hand,
                    0, 0, 0, reorder, is_low(on_hand, reorder),
                )  # fmt: skip
            out.append(line)
        return out

    def line(self, sku: str) -> StockLine:
        for entry in self.levels():
            if entry.sku == sku:
                return entry
        raise ValidationError(f"{sku} is not goods the store stocks.", field="sku")

    def low_stock(self) -> list[StockLine]:
        return [line for line in self.levels() if line.low]

    def units(self, sku: str, *, limit: int = 500) -> list[UnitView]:
        snap = self._catalog.snapshot()
        offering = self._stocked(sku, snap.catalog.get(sku))
        oid = snap.ids[sku]
        with self._uow(read_only=True) as uow:
            rows: list[m.SimCard | m.DeviceUnit] = []
            if offering.serial == "iccid":
                rows += uow.session.scalars(
                    select(m.SimCard)
                    .where(m.SimCard.offering_id == oid, m.SimCard.store_id == self._store_id)
                    .order_by(m.SimCard.created_at)
                    .limit(limit)
                )
            else:
                rows += uow.session.scalars(
                    select(m.DeviceUnit)
                    .where(m.DeviceUnit.offering_id == oid, m.DeviceUnit.store_id == self._store_id)
                    .order_by(m.DeviceUnit.created_at)
                    .limit(limit)
                )
            return [self._unit_view(uow.session, row) for row in rows]

    def find_unit(self, serial: str) -> UnitView:
        """The unit of this store with that ICCID or IMEI, whatever its status."""
        code = serial.strip()
        with self._uow(read_only=True) as uow:
            rows: list[m.SimCard | m.DeviceUnit] = [
                *uow.session.scalars(select(m.DeviceUnit).where(m.DeviceUnit.imei == code)),
                *uow.session.scalars(select(m.SimCard).where(m.SimCard.iccid == code)),
            ]
            if not rows:
                raise NotFound(f"{code} is not a SIM or device of any store known here.")
            unit = rows[0]
            if unit.store_id != self._store_id:
                raise NotFound(f"{code} belongs to another store's stock, not this one.")
            return self._unit_view(uow.session, unit)

    def moves(self, *, limit: int = 200) -> list[MoveView]:
        with self._uow(read_only=True) as uow:
            rows = uow.session.execute(
                select(m.StockMove, m.Offering.sku)
                .join(m.Offering, m.Offering.id == m.StockMove.offering_id)
                .where(m.StockMove.store_id == self._store_id)
                .order_by(m.StockMove.created_at.desc(), m.StockMove.id.desc())
                .limit(limit)
            )
            out = []
            for move, sku in rows:
                out.append(
                    MoveView(
                        at=move.created_at,
                        kind=move.kind,
                        sku=sku,
                        serial=move.serial or "",
                        quantity=move.quantity,
                        status=move.status,
                        reason=move.reason,
                        reference=move.reference,
                    )
                )
            return out

    # -- helpers -------------------------------------------------------------------------
    def _require(self, user: UserInfo, action: str) -> None:
        if not user.can(Permission.STOCK_ADJUST):
            raise AccessDenied(f"Only a manager may {action}.")

    def _note(self, note: str) -> str:
        note = note.strip()
        if not note:
            raise ValidationError("Say what happened, in a few words.", field="note")
        if len(note) > 200:
            raise ValidationError("Keep the note under 200 characters.", field="note")
        return note

    def _stocked(self, sku: str, offering: Offering | None) -> Offering:
        if offering is None or offering.kind not in STOCKED_KINDS:
            raise ValidationError(f"{sku} is not goods the store stocks.", field="sku")
        return offering

    def _own_unit(self, session: Session, serial: str) -> m.SimCard | m.DeviceUnit:
        unit = existing_unit(session, serial)
        if unit is None or unit.store_id != self._store_id:
            raise ValidationError(f"{serial} is not in this store's stock.", field="serial")
        return unit

    def _sku(self, session: Session, offering_id: uuid.UUID) -> str:
        row = session.get(m.Offering, offering_id)
        assert row is not None  # foreign key
        return row.sku

    def _unit_view(self, session: Session, unit: m.SimCard | m.DeviceUnit) -> UnitView:
        if isinstance(unit, m.SimCard):
            return UnitView(
                unit.iccid, self._sku(session, unit.offering_id), unit.status, unit.imsi or ""
            )
        return UnitView(unit.imei, self._sku(session, unit.offering_id), unit.status, "")
