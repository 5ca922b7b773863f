"""The catalog: offerings, their prices, and the rules that say what may be sold.

Prices are tax-inclusive Decimals with a VAT rate in percent on every price. A price is
either one-time (paid now) or recurring (monthly) and may apply only with a commitment
term (a device is cheaper with a 24-month plan; a plan's fee differs by term). Only a
launched offering inside its validity window is sellable; a retired one still has a name
and prices so existing subscriptions can show it.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from domain.errors import RuleViolation


class OfferingKind(enum.StrEnum):
    PLAN = "plan"
    ADDON = "addon"
    SIM = "sim"
    DEVICE = "device"
    ACCESSORY = "accessory"
    SERVICE_FEE = "service_fee"
    TOPUP = "topup"
    BUNDLE = "bundle"


class Lifecycle(enum.StrEnum):
    DRAFT = "draft"
    LAUNCHED = "launched"
    RETIRED = "retired"


class PriceType(enum.StrEnum):
    ONE_TIME = "oneTime"
    RECURRING = "recurring"


class Payment(enum.StrEnum):
    PREPAID = "prepaid"
    POSTPAID = "postpaid"


class SimForm(enum.StrEnum):
    PHYSICAL = "physical"
    ESIM = "esim"


COMMITMENT_TERMS = (0, 12, 24)
INSTALMENT_TERMS = (12, 24)


@dataclass(frozen=True, order=True)
class Validity:
    """A closed date range; ``None`` on either end means open."""

    start: date | None = None
    end: date | None = None

    def contains(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)

    def overlaps(self, other: Validity) -> bool:
        starts_in_time = self.start is None or other.end is None or self.start <= other.end
        ends_in_time = self.end is None or other.start is None or other.start <= self.end
        return starts_in_time and ends_in_time

    def describe(self) -> str:
        start = self.start.isoformat() if self.start else "the beginning"
        end = self.end.isoformat() if self.end else "no end"
        return f"{start} to {end}"


ALWAYS = Validity()


@dataclass(frozen=True)
class Price:
    """One price of an offering. ``commitment`` None applies to any term."""

    price_type: PriceType
    amount: Decimal
    vat_rate: Decimal
    valid: Validity = ALWAYS
    commitment: int | None = None

    def applies(self, day: date, commitment: int) -> bool:
        return self.valid.contains(day) and self.commitment in (None, commitment)


@dataclass(frozen=True)
class PlanSpec:
    payment: Payment
    data_mb: int | None  # None = unlimited
    minutes: int | None  # None = unlimited
    sms: int | None  # None = unlimited
    roaming: bool = False
    commitments: tuple[int, ...] = (0,)


@dataclass(frozen=True)
class DeviceSpec:
    brand: str
    model: str
    tacs: tuple[str, ...] = ()
    colour: str = ""
    capacity_gb: int | None = None
    esim_capable: bool = False
    instalments: tuple[int, ...] = ()  # allowed instalment terms, e.g. (12, 24)
    min_upfront: Decimal = Decimal("0.00")


@dataclass(frozen=True)
class TopupSpec:
    fixed: Decimal | None = None  # None = the customer chooses within [minimum, maximum]
    minimum: Decimal = Decimal("5.00")
    maximum: Decimal = Decimal("200.00")


@dataclass(frozen=True)
class BundleSpec:
    plan: str
    device: str
    commitment: int


@dataclass(frozen=True)
class Offering:
    code: str
    name: str
    kind: OfferingKind
    lifecycle: Lifecycle
    prices: tuple[Price, ...]
    valid: Validity = ALWAYS
    family: str = ""
    barcode: str = ""  # EAN for accessories and anything else with a printed barcode
    description: str = ""
    serial: str = ""  # "iccid", "imei" or "" for quantity-tracked goods
    requires: tuple[str, ...] = ()  # offering codes or "family:<name>"
    stores: frozenset[str] = frozenset()  # empty: every store
    channels: frozenset[str] = frozenset()  # empty: every channel
    min_age: int | None = None
    plan: PlanSpec | None = None
    device: DeviceSpec | None = None
    sim_form: SimForm | None = None
    topup: TopupSpec | None = None
    bundle: BundleSpec | None = None
    fee_type: str = ""  # service fees: sim_swap, number_change, delivery, ...

    def sellable_on(self, day: date) -> bool:
        return self.lifecycle is Lifecycle.LAUNCHED and self.valid.contains(day)

    def available_in(self, store: str, channel: str) -> bool:
        return (not self.stores or store in self.stores) and (
            not self.channels or channel in self.channels
        )

    def price(self, price_type: PriceType, day: date, commitment: int = 0) -> Price | None:
        """The price of this type that applies on ``day`` with ``commitment`` months.

        A price made for that exact term wins over a price for any term.
        """
        found = [
            p for p in self.prices if p.price_type is price_type and p.applies(day, commitment)
        ]
        found.sort(key=lambda p: p.commitment is None)
        return found[0] if found else None

    def matches_requirement(self, requirement: str) -> bool:
        if requirement.startswith("family:"):
            return bool(self.family) and self.family == requirement.removeprefix("family:")
        return self.code == requirement

    @property
    def is_postpaid_plan(self) -> bool:
        return self.plan is not None and self.plan.payment is Payment.POSTPAID


@dataclass(frozen=True)
class Policies:
    """Catalog-wide rules that are data, not code."""

    postpaid_min_age: int = 18
    max_active_lines: int = 5
    # Largest manual discount (percent of the line) each role may give without approval.
    manual_discount_limits: Mapping[str, Decimal] = field(
        default_factory=lambda: {"consultant": Decimal(10), "manager": Decimal(100)}
    )

    def manual_discount_limit(self, role: str) -> Decimal:
        return self.manual_discount_limits.get(role, Decimal(0))


class Catalog:
    """Offerings by code, with the lookups the engine and the screens need."""

    def __init__(self, offerings: Iterable[Offering], policies: Policies | None = None) -> None:
        self.offerings: dict[str, Offering] = {}
        for offering in offerings:
            if offering.code in self.offerings:
                raise RuleViolation(f"Offering code {offering.code} appears twice.")
            self.offerings[offering.code] = offering
        self.policies = policies or Policies()
        self._by_barcode = {o.barcode: o for o in self.offerings.values() if o.barcode}

    def __len__(self) -> int:
        return len(self.offerings)

    def get(self, code: str) -> Offering | None:
        return self.offerings.get(code)

    def require(self, code: str) -> Offering:
        offering = self.offerings.get(code)
        if offering is None:
            raise RuleViolation(f"Nothing in the catalog has the code {code}.")
        return offering

    def by_barcode(self, barcode: str) -> Offering | None:
        return self._by_barcode.get(barcode)

    def model_for_tac(self, tac: str) -> Offering | None:
        """The device offering an IMEI's first eight digits (TAC) identify."""
        for offering in self.offerings.values():
            if offering.device is not None and tac in offering.device.tacs:
                return offering
        return None
