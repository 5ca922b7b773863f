"""The catalog file's sections read into the domain model, one reader per section.

The document, its policies, offerings (with their prices and kind-specific details) and
promotions (with their selectors and conditions). Each reader takes a
:class:`app.catalog_fields.Reader` and the entry's JSON path, records every problem it finds
and returns what it could read (``None`` when the entry is not an object at all), so that one
pass reports everything wrong in a file.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from app.catalog_fields import MISSING, Fields, Reader
from app.catalog_json import Path, describe_value
from app.catalog_schema import (
    BUNDLE_KEYS,
    CATALOG_TYPE,
    CHARGE_PERIOD,
    CONDITION_KEYS,
    DEVICE_KEYS,
    DOCUMENT_KEYS,
    FORMAT_VERSION,
    KIND_OBJECTS,
    OFFERING_KEYS,
    OFFERING_TYPE,
    PLAN_KEYS,
    POLICY_KEYS,
    PRICE_KEYS,
    PROMOTION_KEYS,
    SELECTOR_KEYS,
    SERIAL_KINDS,
    SIM_KEYS,
    TOPUP_KEYS,
    CatalogDocument,
)
from domain.catalog import (
    BundleSpec,
    DeviceSpec,
    Lifecycle,
    Offering,
    OfferingKind,
    Payment,
    PlanSpec,
    Policies,
    Price,
    PriceType,
    SimForm,
    TopupSpec,
)
from domain.promotions import Charge, Condition, Promotion, Selector, Stacking, Target

T = TypeVar("T")
_CURRENCY = re.compile(r"[A-Z]{3}")


def read_document(r: Reader, data: Any) -> CatalogDocument | None:
    if not isinstance(data, dict):
        r.problem(
            (),
            f'the file must hold one JSON object {{"@type": "{CATALOG_TYPE}", ...}},'
            f" not {describe_value(data)}",
        )
        return None
    f = Fields(
        r, data, (), DOCUMENT_KEYS, ("@type", "formatVersion", "currency", "productOffering")
    )
    kind = f.text("@type", CATALOG_TYPE)
    if f.has("@type") and isinstance(f.get("@type"), str) and kind != CATALOG_TYPE:
        r.problem(f.at("@type"), f'must be "{CATALOG_TYPE}", not "{kind}"')
    version = f.optional_integer("formatVersion", nullable=False)
    if version is not None and version != FORMAT_VERSION:
        r.problem(
            f.at("formatVersion"),
            f"this StoreDesk reads formatVersion {FORMAT_VERSION}; the file has {version}",
        )
    currency = f.text("currency")
    if f.has("currency") and isinstance(f.get("currency"), str):
        if _CURRENCY.fullmatch(currency):
            r.currency = currency
        else:
            r.problem(
                f.at("currency"),
                f'"{currency}" is not an ISO 4217 currency code (three capitals, e.g. "EUR")',
            )
    policies = Policies()
    if f.has("policies"):
        policies = read_policies(r, f.get("policies"), f.at("policies"))
    offerings = _read_entries(r, f, "productOffering", "offering", read_offering)
    promotions = _read_entries(r, f, "promotion", "promotion", read_promotion)
    return CatalogDocument(
        currency=currency,
        policies=policies,
        offerings=tuple(offerings),
        promotions=tuple(promotions),
    )


def _read_entries(
    r: Reader, f: Fields, key: str, entry: str, read: Callable[[Reader, Any, Path], T | None]
) -> list[T]:
    """Every readable entry of the list ``key``, each remembered (as ``entry``) by its place."""
    found: list[T] = []
    for n, item in enumerate(f.items(key) or []):
        value = read(r, item, (key, n))
        if value is not None:
            found.append(value)
            r.entries[entry].append((key, n))
    return found


def read_policies(r: Reader, data: Any, path: Path) -> Policies:
    f = r.fields(data, path, POLICY_KEYS)
    default = Policies()
    if f is None:
        return default
    limits = dict(default.manual_discount_limits)
    raw = f.get("manualDiscountLimits")
    if raw is not MISSING:
        # The keys are role names, so any key is allowed; the defaults are replaced, not merged.
        roles = tuple(raw) if isinstance(raw, dict) else ()
        g = r.fields(raw, f.at("manualDiscountLimits"), roles)
        if g is not None:
            limits = {role: g.percent(role) for role in roles}
    return Policies(
        postpaid_min_age=f.integer("postpaidMinimumAge", default.postpaid_min_age),
        max_active_lines=f.integer("maxActiveLinesPerCustomer", default.max_active_lines),
        manual_discount_limits=limits,
    )


def read_offering(r: Reader, data: Any, path: Path) -> Offering | None:
    f = r.fields(
        data,
        path,
        OFFERING_KEYS,
        ("id", "name", "kind", "lifecycleStatus", "productOfferingPrice"),
        what="an offering",
    )
    if f is None:
        return None
    code = f.code("id")
    if code and code == code.strip():
        r.label(path, code)
    kind_type = f.text("@type", OFFERING_TYPE)
    if kind_type != OFFERING_TYPE:
        r.problem(f.at("@type"), f'must be "{OFFERING_TYPE}", not "{kind_type}"')
    kind = f.optional_enum("kind", OfferingKind, nullable=False)
    for key, owner in KIND_OBJECTS.items():
        if f.has(key) and kind is not None and kind is not owner:
            r.problem(f.at(key), f'"{key}" belongs to kind "{owner}" only, not "{kind}"')
    requires = f.texts("requires")
    raw_requires = f.get("requires")
    for n, requirement in enumerate(raw_requires if isinstance(raw_requires, list) else []):
        if requirement == "family:":
            r.problem((*f.at("requires"), n), 'name the family after "family:"')
    prices: list[Price] = []
    for n, item in enumerate(f.items("productOfferingPrice") or []):
        price = _read_price(r, item, (*f.at("productOfferingPrice"), n))
        if price is not None:
            prices.append(price)
    sim = f.obj("sim", SIM_KEYS, SIM_KEYS)
    return Offering(
        code=code,
        name=f.text("name"),
        kind=kind or OfferingKind.ACCESSORY,
        lifecycle=f.enum("lifecycleStatus", Lifecycle, Lifecycle.DRAFT),
        prices=tuple(prices),
        valid=f.validity(),
        family=f.text("family"),
        barcode=f.text("barcode"),
        description=f.text("description"),
        serial=f.choice("serial", SERIAL_KINDS),
        requires=requires,
        stores=f.text_set("stores"),
        channels=f.text_set("channels"),
        min_age=f.optional_integer("minimumAge", low=0, high=120),
        plan=_read_plan(f.obj("plan", PLAN_KEYS, ("payment", "dataMB", "minutes", "sms"))),
        device=_read_device(f.obj("device", DEVICE_KEYS, ("brand", "model"))),
        sim_form=sim.optional_enum("form", SimForm, nullable=False) if sim else None,
        topup=_read_topup(f.obj("topup", TOPUP_KEYS)),
        bundle=_read_bundle(f.obj("bundle", BUNDLE_KEYS, BUNDLE_KEYS)),
        fee_type=f.text("feeType"),
    )


def _read_price(r: Reader, data: Any, path: Path) -> Price | None:
    f = r.fields(data, path, PRICE_KEYS, ("priceType", "price", "taxRate"), what="a price")
    if f is None:
        return None
    price_type = f.optional_enum("priceType", PriceType, nullable=False)
    period = f.get("recurringChargePeriod")
    if price_type is PriceType.RECURRING and period is MISSING:
        r.problem(
            f.at("recurringChargePeriod"), f'missing: a recurring price is per "{CHARGE_PERIOD}"'
        )
    elif price_type is PriceType.RECURRING and period != CHARGE_PERIOD:
        r.problem(
            f.at("recurringChargePeriod"),
            f'must be "{CHARGE_PERIOD}" (the only recurring charge), not {describe_value(period)}',
        )
    elif price_type is PriceType.ONE_TIME and period is not MISSING:
        r.problem(f.at("recurringChargePeriod"), "only a recurring price has a charge period")
    amount = Decimal("0.00")
    money = f.obj("price", ("taxIncludedAmount",), ("taxIncludedAmount",))
    if money is not None:
        value = money.obj("taxIncludedAmount", ("value", "unit"), ("value",))
        if value is not None:
            amount = value.amount("value")
            unit = value.text("unit", r.currency)
            if r.currency and unit != r.currency and isinstance(value.get("unit"), str):
                r.problem(
                    value.at("unit"),
                    f"the price is in {unit}, but the catalog's currency is {r.currency}",
                )
    return Price(
        price_type=price_type or PriceType.ONE_TIME,
        amount=amount,
        vat_rate=f.percent("taxRate"),
        valid=f.validity(),
        commitment=f.optional_integer("commitmentMonths"),
    )


def _read_plan(f: Fields | None) -> PlanSpec | None:
    if f is None:
        return None
    return PlanSpec(
        payment=f.enum("payment", Payment, Payment.POSTPAID),
        data_mb=f.optional_integer("dataMB", low=0),
        minutes=f.optional_integer("minutes", low=0),
        sms=f.optional_integer("sms", low=0),
        roaming=f.boolean("roaming"),
        commitments=f.integers("commitments", (0,)),
    )


def _read_device(f: Fields | None) -> DeviceSpec | None:
    if f is None:
        return None
    return DeviceSpec(
        brand=f.text("brand"),
        model=f.text("model"),
        tacs=f.texts("tacs"),
        colour=f.text("colour"),
        capacity_gb=f.optional_integer("capacityGB", low=0),
        esim_capable=f.boolean("esimCapable"),
        instalments=f.integers("instalments"),
        min_upfront=f.amount("minUpfront"),
    )


def _read_topup(f: Fields | None) -> TopupSpec | None:
    if f is None:
        return None
    default = TopupSpec()
    return TopupSpec(
        fixed=f.optional_amount("fixed"),
        minimum=f.amount("minimum", default.minimum),
        maximum=f.amount("maximum", default.maximum),
    )


def _read_bundle(f: Fields | None) -> BundleSpec | None:
    if f is None:
        return None
    return BundleSpec(
        plan=f.code("plan"), device=f.code("device"), commitment=f.integer("commitment")
    )


def read_promotion(r: Reader, data: Any, path: Path) -> Promotion | None:
    f = r.fields(data, path, PROMOTION_KEYS, ("id", "name", "target", "charge"), what="a promotion")
    if f is None:
        return None
    code = f.code("id")
    if code and code == code.strip():
        r.label(path, code)
    applies = f.obj("appliesTo", SELECTOR_KEYS)
    conditions: list[Condition] = []
    for n, item in enumerate(f.items("conditions") or []):
        g = r.fields(
            item, (*f.at("conditions"), n), CONDITION_KEYS, ("selector",), what="a condition"
        )
        if g is None:
            continue
        conditions.append(
            Condition(
                selector=_read_selector(g.obj("selector", SELECTOR_KEYS)),
                min_count=g.integer("minCount", 1, low=1),
            )
        )
    default = Promotion(code="", name="", target=Target.LINE, charge=Charge.UPFRONT)
    return Promotion(
        code=code,
        name=f.text("name"),
        target=f.enum("target", Target, Target.LINE),
        charge=f.enum("charge", Charge, Charge.UPFRONT),
        percent=f.optional_percent("percent"),
        amount=f.optional_amount("amount"),
        applies_to=_read_selector(applies),
        conditions=tuple(conditions),
        nth=f.integer("nth", default.nth),
        priority=f.integer("priority", default.priority),
        stacking=f.enum("stacking", Stacking, default.stacking),
        valid=f.validity(),
        stores=f.text_set("stores"),
        lifecycle=f.enum("lifecycleStatus", Lifecycle, default.lifecycle),
    )


def _read_selector(f: Fields | None) -> Selector:
    if f is None:
        return Selector()
    return Selector(
        kinds=f.enum_set("kinds", OfferingKind),
        codes=f.text_set("codes"),
        families=f.text_set("families"),
        payment=f.optional_enum("payment", Payment),
        min_commitment=f.integer("minCommitment"),
    )
