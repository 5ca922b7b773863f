"""Writing the catalog file format (:mod:`app.catalog_format` reads it).

:func:`dump_catalog` writes the canonical text: keys in a fixed order (the ``*_KEYS``
tuples of :mod:`app.catalog_schema`), optional fields left out, amounts as decimal strings;
``dump_catalog(parse_catalog(text)) == text`` for a file in canonical form, and
``offering_from_dict(offering_to_dict(o), currency=c) == o`` holds exactly.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from app.catalog_schema import (
    CATALOG_TYPE,
    CHARGE_PERIOD,
    FORMAT_VERSION,
    OFFERING_TYPE,
    CatalogDocument,
)
from domain.catalog import (
    ALWAYS,
    DeviceSpec,
    Lifecycle,
    Offering,
    PlanSpec,
    Policies,
    Price,
    PriceType,
    TopupSpec,
    Validity,
)
from domain.money import CENT
from domain.promotions import Condition, Promotion, Selector, Stacking


def dump_catalog(doc: CatalogDocument) -> str:
    """The canonical text of a catalog: two-space indents, fixed key order, a final newline."""
    data: dict[str, Any] = {
        "@type": CATALOG_TYPE,
        "formatVersion": FORMAT_VERSION,
        "currency": doc.currency,
        "policies": policies_to_dict(doc.policies),
        "productOffering": [offering_to_dict(o, currency=doc.currency) for o in doc.offerings],
        "promotion": [promotion_to_dict(p) for p in doc.promotions],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def policies_to_dict(policies: Policies) -> dict[str, Any]:
    return {
        "postpaidMinimumAge": policies.postpaid_min_age,
        "maxActiveLinesPerCustomer": policies.max_active_lines,
        "manualDiscountLimits": {
            role: _percent_text(limit)
            for role, limit in sorted(policies.manual_discount_limits.items())
        },
    }


def offering_to_dict(o: Offering, *, currency: str | None = None) -> dict[str, Any]:
    """The offering's entry in the file; prices carry ``currency`` as their unit when given.

    Only JSON types are used (lists, not tuples), so the entry compares equal to itself after
    a trip through a JSON database column. An amount that is not a whole number of cents
    cannot be written in the format and raises ValueError.
    """
    out: dict[str, Any] = {
        "@type": OFFERING_TYPE,
        "id": o.code,
        "name": o.name,
        "kind": o.kind.value,
        "lifecycleStatus": o.lifecycle.value,
    }
    _put(out, "validFor", _validity_to_dict(o.valid), o.valid != ALWAYS)
    _put(out, "family", o.family, bool(o.family))
    _put(out, "description", o.description, bool(o.description))
    _put(out, "barcode", o.barcode, bool(o.barcode))
    _put(out, "serial", o.serial, bool(o.serial))
    _put(out, "requires", list(o.requires), bool(o.requires))
    _put(out, "stores", sorted(o.stores), bool(o.stores))
    _put(out, "channels", sorted(o.channels), bool(o.channels))
    _put(out, "minimumAge", o.min_age, o.min_age is not None)
    _put(out, "feeType", o.fee_type, bool(o.fee_type))
    if o.plan is not None:
        out["plan"] = _plan_to_dict(o.plan)
    if o.device is not None:
        out["device"] = _device_to_dict(o.device)
    if o.sim_form is not None:
        out["sim"] = {"form": o.sim_form.value}
    if o.topup is not None:
        out["topup"] = _topup_to_dict(o.topup)
    if o.bundle is not None:
        out["bundle"] = {
            "plan": o.bundle.plan,
            "device": o.bundle.device,
            "commitment": o.bundle.commitment,
        }
    out["productOfferingPrice"] = [_price_to_dict(p, currency) for p in o.prices]
    return out


def promotion_to_dict(p: Promotion) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": p.code,
        "name": p.name,
        "target": p.target.value,
        "charge": p.charge.value,
    }
    if p.percent is not None:
        out["percent"] = _percent_text(p.percent)
    if p.amount is not None:
        out["amount"] = _money_text(p.amount)
    _put(out, "appliesTo", _selector_to_dict(p.applies_to), p.applies_to != Selector())
    conditions = [_condition_to_dict(c) for c in p.conditions]
    _put(out, "conditions", conditions, bool(conditions))
    _put(out, "nth", p.nth, p.nth != 1)
    _put(out, "priority", p.priority, p.priority != 0)
    _put(out, "stacking", p.stacking.value, p.stacking is not Stacking.STACKABLE)
    _put(out, "lifecycleStatus", p.lifecycle.value, p.lifecycle is not Lifecycle.LAUNCHED)
    _put(out, "validFor", _validity_to_dict(p.valid), p.valid != ALWAYS)
    _put(out, "stores", sorted(p.stores), bool(p.stores))
    return out


def _put(out: dict[str, Any], key: str, value: Any, wanted: bool) -> None:
    if wanted:
        out[key] = value


def _money_text(amount: Decimal) -> str:
    cents = amount.quantize(CENT)
    if cents != amount:
        raise ValueError(f"{amount} is not a whole number of cents")
    return f"{cents:f}"


def _percent_text(percent: Decimal) -> str:
    return f"{percent:f}"


def _validity_to_dict(valid: Validity) -> dict[str, Any]:
    return {
        "startDateTime": valid.start.isoformat() if valid.start else None,
        "endDateTime": valid.end.isoformat() if valid.end else None,
    }


def _price_to_dict(price: Price, currency: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"priceType": price.price_type.value}
    if price.price_type is PriceType.RECURRING:
        out["recurringChargePeriod"] = CHARGE_PERIOD
    amount: dict[str, Any] = {"value": _money_text(price.amount)}
    if currency is not None:
        amount["unit"] = currency
    out["price"] = {"taxIncludedAmount": amount}
    out["taxRate"] = _percent_text(price.vat_rate)
    _put(out, "commitmentMonths", price.commitment, price.commitment is not None)
    _put(out, "validFor", _validity_to_dict(price.valid), price.valid != ALWAYS)
    return out


def _plan_to_dict(plan: PlanSpec) -> dict[str, Any]:
    out: dict[str, Any] = {
        "payment": plan.payment.value,
        "dataMB": plan.data_mb,
        "minutes": plan.minutes,
        "sms": plan.sms,
    }
    _put(out, "roaming", plan.roaming, plan.roaming)
    _put(out, "commitments", list(plan.commitments), plan.commitments != (0,))
    return out


def _device_to_dict(device: DeviceSpec) -> dict[str, Any]:
    out: dict[str, Any] = {"brand": device.brand, "model": device.model}
    _put(out, "tacs", list(device.tacs), bool(device.tacs))
    _put(out, "colour", device.colour, bool(device.colour))
    _put(out, "capacityGB", device.capacity_gb, device.capacity_gb is not None)
    _put(out, "esimCapable", device.esim_capable, device.esim_capable)
    _put(out, "instalments", list(device.instalments), bool(device.instalments))
    _put(out, "minUpfront", _money_text(device.min_upfront), device.min_upfront != 0)
    return out


def _topup_to_dict(topup: TopupSpec) -> dict[str, Any]:
    default = TopupSpec()
    out: dict[str, Any] = {}
    free = topup.fixed is None
    if topup.fixed is not None:
        out["fixed"] = _money_text(topup.fixed)
    # A free amount always shows its range; a fixed one only a range that differs.
    _put(out, "minimum", _money_text(topup.minimum), free or topup.minimum != default.minimum)
    _put(out, "maximum", _money_text(topup.maximum), free or topup.maximum != default.maximum)
    return out


def _selector_to_dict(selector: Selector) -> dict[str, Any]:
    out: dict[str, Any] = {}
    _put(out, "kinds", sorted(k.value for k in selector.kinds), bool(selector.kinds))
    _put(out, "codes", sorted(selector.codes), bool(selector.codes))
    _put(out, "families", sorted(selector.families), bool(selector.families))
    if selector.payment is not None:
        out["payment"] = selector.payment.value
    _put(out, "minCommitment", selector.min_commitment, selector.min_commitment != 0)
    return out


def _condition_to_dict(condition: Condition) -> dict[str, Any]:
    out: dict[str, Any] = {"selector": _selector_to_dict(condition.selector)}
    _put(out, "minCount", condition.min_count, condition.min_count != 1)
    return out


__all__ = ["dump_catalog", "offering_to_dict", "policies_to_dict", "promotion_to_dict"]
