"""Store stock: unit statuses, what may happen to a unit, and delivery files.

SIM cards (by ICCID) and devices (by IMEI) are counted one unit at a time; accessories by
quantity. A delivery file (stock receipt, or a transfer from another store) is a CSV with
a header row and these columns; a comma or a semicolon separates them::

    sku,serial,imsi,quantity
    SIM-STD,8949100000000000012,262011234567890,
    PHONE-A15,356938035643809,,
    CASE-A15,,,12

``serial`` is the ICCID of a SIM or the IMEI of a device, ``imsi`` goes with a SIM, and
``quantity`` with quantity goods. :func:`parse_delivery` checks every row against the
catalog (the SKU exists and is of the right kind, check digits, an IMEI's TAC names the
SKU's model, no serial twice) and reports every bad row by its line number at once, so
one file is taken entirely or not at all.
"""

from __future__ import annotations

import csv
import enum
import io
from collections.abc import Iterable
from dataclasses import dataclass

from domain.catalog import Catalog, Offering, OfferingKind
from domain.errors import RuleViolation, ValidationError
from domain.identifiers import parse_iccid, parse_imei, parse_imsi

MAX_QUANTITY = 100_000
MAX_REPORTED = 20  # bad rows listed in one message; the rest are counted


class UnitStatus(enum.StrEnum):
    IN_STOCK = "in_stock"
    RESERVED = "reserved"  # in a basket
    SOLD = "sold"
    ACTIVATED = "activated"
    RETURNED = "returned"  # taken back; inspected before it is sold again
    DAMAGED = "damaged"
    LOST = "lost"
    TRANSFERRED = "transferred"  # sent to another store
    RETIRED = "retired"  # a SIM replaced by a SIM swap


class AdjustmentReason(enum.StrEnum):
    """Why a manager changed stock by hand; each is one sentence on the movement."""

    DAMAGED = "damaged"
    LOST = "lost"
    FOUND = "found"
    BACK_TO_STOCK = "back_to_stock"  # a returned or damaged unit inspected and fit to sell
    COUNT = "count"  # a stock count found a different quantity

    @property
    def label(self) -> str:
        return {
            "damaged": "Damaged",
            "lost": "Lost or stolen",
            "found": "Found again",
            "back_to_stock": "Inspected, back to stock",
            "count": "Stock count correction",
        }[self.value]


# Which unit status each reason leads to, from which statuses it may be used.
ADJUSTMENTS: dict[AdjustmentReason, tuple[UnitStatus, frozenset[UnitStatus]]] = {
    AdjustmentReason.DAMAGED: (
        UnitStatus.DAMAGED,
        frozenset({UnitStatus.IN_STOCK, UnitStatus.RETURNED}),
    ),
    AdjustmentReason.LOST: (
        UnitStatus.LOST,
        frozenset({UnitStatus.IN_STOCK, UnitStatus.RETURNED, UnitStatus.DAMAGED}),
    ),
    AdjustmentReason.FOUND: (UnitStatus.IN_STOCK, frozenset({UnitStatus.LOST})),
    AdjustmentReason.BACK_TO_STOCK: (
        UnitStatus.IN_STOCK,
        frozenset({UnitStatus.RETURNED, UnitStatus.DAMAGED}),
    ),
}


def adjust_unit(status: UnitStatus, reason: AdjustmentReason, serial: str) -> UnitStatus:
    """The status a unit gets from a manual adjustment, or why it cannot have it."""
    if reason is AdjustmentReason.COUNT:
        raise RuleViolation("A count correction is for quantity goods; adjust units one by one.")
    target, allowed = ADJUSTMENTS[reason]
    if status not in allowed:
        raise RuleViolation(
            f"{serial} is {status.value.replace('_', ' ')}; "
            f"'{reason.label}' cannot be recorded for it."
        )
    return target


def can_transfer(status: UnitStatus) -> bool:
    return status in (UnitStatus.IN_STOCK, UnitStatus.RETURNED, UnitStatus.DAMAGED)


def is_low(on_hand: int, reorder_level: int) -> bool:
    return on_hand <= reorder_level


@dataclass(frozen=True)
class DeliveryItem:
    line: int
    sku: str
    kind: str  # "sim", "device" or "quantity"
    serial: str = ""
    imsi: str = ""
    quantity: int = 1


@dataclass(frozen=True)
class Delivery:
    items: tuple[DeliveryItem, ...]

    @property
    def serials(self) -> list[str]:
        return [item.serial for item in self.items if item.serial]

    def summary(self) -> str:
        sims = sum(1 for i in self.items if i.kind == "sim")
        devices = sum(1 for i in self.items if i.kind == "device")
        goods = sum(i.quantity for i in self.items if i.kind == "quantity")
        return f"{sims} SIM cards, {devices} devices, {goods} accessories"


COLUMNS = ("sku", "serial", "imsi", "quantity")


def parse_delivery(text: str, catalog: Catalog) -> Delivery:
    """Read and check a delivery file; raises ValidationError naming every bad row."""
    if not text.strip():
        raise ValidationError("The delivery file is empty.", field="file")
    first = text.lstrip("\ufeff").splitlines()[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader)]
    missing = [c for c in ("sku", "serial") if c not in header]
    if missing:
        raise ValidationError(
            "The first row must name the columns sku, serial, imsi, quantity "
            f"(missing: {', '.join(missing)}).",
            field="file",
        )
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise ValidationError(f"Unknown column {unknown[0]!r} in the first row.", field="file")
    items: list[DeliveryItem] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for row in reader:
        number = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            errors.append(f"line {number}: {len(row)} values for {len(header)} columns")
            continue
        cells = dict(zip(header, (c.strip() for c in row), strict=False))
        try:
            item = _item(number, cells, catalog)
        except (ValidationError, RuleViolation) as exc:
            errors.append(f"line {number}: {exc.message}")
            continue
        if item.serial:
            if item.serial in seen:
                errors.append(
                    f"line {number}: {item.serial} is already on line {seen[item.serial]}"
                )
                continue
            seen[item.serial] = number
        items.append(item)
    if errors:
        raise ValidationError(describe_errors(errors), field="file")
    if not items:
        raise ValidationError("The delivery file has no items.", field="file")
    return Delivery(tuple(items))


def describe_errors(errors: Iterable[str]) -> str:
    found = list(errors)
    shown = found[:MAX_REPORTED]
    more = len(found) - len(shown)
    tail = f"\n… and {more} more" if more else ""
    head = "1 row is wrong" if len(found) == 1 else f"{len(found)} rows are wrong"
    return f"{head}; nothing was received:\n" + "\n".join(shown) + tail


def _item(number: int, cells: dict[str, str], catalog: Catalog) -> DeliveryItem:
    sku = cells.get("sku", "")
    if not sku:
        raise ValidationError("the SKU is missing", field="sku")
    offering = catalog.get(sku)
    if offering is None:
        raise ValidationError(f"nothing in the catalog has the SKU {sku}", field="sku")
    serial, imsi, qty = cells.get("serial", ""), cells.get("imsi", ""), cells.get("quantity", "")
    if offering.serial == "iccid":
        iccid = str(parse_iccid(serial)) if serial else ""
        if not iccid:
            raise ValidationError(f"{sku} is a SIM card; give its ICCID", field="serial")
        if imsi:
            imsi = str(parse_imsi(imsi))
        elif offering.sim_form is None or offering.sim_form.value != "esim":
            raise ValidationError(f"SIM {iccid} needs its IMSI", field="imsi")
        _no_quantity(qty, sku)
        return DeliveryItem(number, sku, "sim", iccid, imsi)
    if offering.serial == "imei":
        if not serial:
            raise ValidationError(f"{sku} is a device; give its IMEI", field="serial")
        imei = parse_imei(serial)
        _check_model(offering, imei.tac, catalog, str(imei))
        _no_quantity(qty, sku)
        return DeliveryItem(number, sku, "device", str(imei))
    if offering.kind not in (OfferingKind.ACCESSORY, OfferingKind.DEVICE):
        raise ValidationError(f"{sku} ({offering.name}) is not goods the store stocks", field="sku")
    if serial:
        raise ValidationError(f"{sku} is counted by quantity; it has no serial", field="serial")
    return DeliveryItem(number, sku, "quantity", quantity=parse_quantity(qty))


def parse_quantity(text: str) -> int:
    if not text.strip().isdigit():
        raise ValidationError(
            f"the quantity {text.strip()!r} is not a whole number", field="quantity"
        )
    value = int(text)
    if not 1 <= value <= MAX_QUANTITY:
        raise ValidationError(f"a quantity is between 1 and {MAX_QUANTITY}", field="quantity")
    return value


def _no_quantity(qty: str, sku: str) -> None:
    if qty.strip() not in ("", "1"):
        raise ValidationError(f"{sku} is counted one by one; one row per unit", field="quantity")


def _check_model(offering: Offering, tac: str, catalog: Catalog, imei: str) -> None:
    """An IMEI's TAC must name the offering's model (a phone's box and its label agree)."""
    if offering.device is None or not offering.device.tacs:
        return  # the catalog knows no TACs for this model; nothing to compare
    if tac in offering.device.tacs:
        return
    other = catalog.model_for_tac(tac)
    found = f"a {other.name}" if other is not None else "a model the catalog does not know"
    raise ValidationError(f"IMEI {imei} is {found}, not {offering.name}", field="serial")


def check_model(offering: Offering, imei: str, catalog: Catalog) -> None:
    """Public form of the TAC check for a scanned IMEI against the line's model."""
    _check_model(offering, imei[:8], catalog, imei)
