"""The catalog file format's names (version, ``@type`` values, keys), document and error.

The format version, the ``@type`` values, the keys of each object in the order
:func:`app.catalog_dump.dump_catalog` writes them, the kind-specific object of each kind;
:class:`CatalogDocument` (a whole file) and :class:`CatalogFormatError` (its problems, each
located). :mod:`app.catalog_format` is where the rest of the application imports them from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from domain.catalog import Offering, OfferingKind, Policies
from domain.promotions import Promotion

FORMAT_VERSION = 1
CATALOG_TYPE = "Catalog"
OFFERING_TYPE = "ProductOffering"
CHARGE_PERIOD = "month"  # the only recurring charge period
SERIAL_KINDS = ("iccid", "imei")

# The keys of each object, in the order dump_catalog writes them.
DOCUMENT_KEYS = ("@type", "formatVersion", "currency", "policies", "productOffering", "promotion")
POLICY_KEYS = ("postpaidMinimumAge", "maxActiveLinesPerCustomer", "manualDiscountLimits")
OFFERING_KEYS = (
    "@type",
    "id",
    "name",
    "kind",
    "lifecycleStatus",
    "validFor",
    "family",
    "description",
    "barcode",
    "serial",
    "requires",
    "stores",
    "channels",
    "minimumAge",
    "feeType",
    "plan",
    "device",
    "sim",
    "topup",
    "bundle",
    "productOfferingPrice",
)
VALIDITY_KEYS = ("startDateTime", "endDateTime")
PRICE_KEYS = (
    "priceType",
    "recurringChargePeriod",
    "price",
    "taxRate",
    "commitmentMonths",
    "validFor",
)
PLAN_KEYS = ("payment", "dataMB", "minutes", "sms", "roaming", "commitments")
DEVICE_KEYS = (
    "brand",
    "model",
    "tacs",
    "colour",
    "capacityGB",
    "esimCapable",
    "instalments",
    "minUpfront",
)
SIM_KEYS = ("form",)
TOPUP_KEYS = ("fixed", "minimum", "maximum")
BUNDLE_KEYS = ("plan", "device", "commitment")
PROMOTION_KEYS = (
    "id",
    "name",
    "target",
    "charge",
    "percent",
    "amount",
    "appliesTo",
    "conditions",
    "nth",
    "priority",
    "stacking",
    "lifecycleStatus",
    "validFor",
    "stores",
)
SELECTOR_KEYS = ("kinds", "codes", "families", "payment", "minCommitment")
CONDITION_KEYS = ("selector", "minCount")

# The kind-specific object each kind may carry.
KIND_OBJECTS: dict[str, OfferingKind] = {
    "plan": OfferingKind.PLAN,
    "device": OfferingKind.DEVICE,
    "sim": OfferingKind.SIM,
    "topup": OfferingKind.TOPUP,
    "bundle": OfferingKind.BUNDLE,
}


@dataclass(frozen=True)
class CatalogDocument:
    """A whole catalog file: what an import loads and an export writes."""

    currency: str
    policies: Policies
    offerings: tuple[Offering, ...]
    promotions: tuple[Promotion, ...]


class CatalogFormatError(Exception):
    """The catalog (or one entry) cannot be used; ``problems`` says where and what, each."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems: list[str] = list(problems)
        super().__init__(self._text())

    def _text(self) -> str:
        count = len(self.problems)
        head = "1 problem in the catalog:" if count == 1 else f"{count} problems in the catalog:"
        return "\n".join([head, *(f"  {problem}" for problem in self.problems)])

    def __str__(self) -> str:
        return self._text()
