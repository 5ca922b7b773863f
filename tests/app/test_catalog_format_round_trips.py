"""The catalog file format read and written: canonical round trips and exact entries."""

from __future__ import annotations

import dataclasses
import json
import string
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from catalog_format_cases import DEMO_DOC, DEMO_TEXT, SMALL, edit
from hypothesis import given, settings
from hypothesis import strategies as st

from app.catalog_dump import dump_catalog, offering_to_dict, policies_to_dict, promotion_to_dict
from app.catalog_format import (
    offering_from_dict,
    parse_catalog,
    policies_from_dict,
    promotion_from_dict,
)
from domain.catalog import (
    BundleSpec,
    DeviceSpec,
    Lifecycle,
    Offering,
    OfferingKind,
    Payment,
    PlanSpec,
    Price,
    PriceType,
    SimForm,
    TopupSpec,
    Validity,
)
from domain.catalog_rules import catalog_problems
from domain.promotions import Charge, Condition, Promotion, Selector, Stacking, Target


def exponents(value: Any) -> list[int]:
    """The exponent of every Decimal inside ``value``, in a fixed order."""
    if isinstance(value, Decimal):
        return [int(value.as_tuple().exponent)]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [e for f in dataclasses.fields(value) for e in exponents(getattr(value, f.name))]
    if isinstance(value, tuple | list):
        return [e for item in value for e in exponents(item)]
    if isinstance(value, dict):
        return [e for key in sorted(value) for e in exponents(value[key])]
    return []


# -- the demo catalog ---------------------------------------------------------------------------


def test_the_demo_catalog_is_in_canonical_form_byte_for_byte() -> None:
    assert dump_catalog(DEMO_DOC) == DEMO_TEXT
    assert DEMO_TEXT.endswith("}\n") and "\\u" not in DEMO_TEXT  # readable, not escaped


def test_the_demo_catalog_passes_every_catalog_rule() -> None:
    assert catalog_problems(DEMO_DOC.offerings, DEMO_DOC.promotions, DEMO_DOC.policies) == []
    codes = {o.code for o in DEMO_DOC.offerings}
    assert {
        "PLAN-S", "PLAN-M", "PLAN-L", "PLAN-PRE", "ADD-ROAM", "ADD-DATA", "SIM-STD", "SIM-ESIM",
        "DEV-A15", "DEV-IP15", "ACC-CASE", "ACC-CHG", "ACC-GLASS", "SVC-SWAP", "TOPUP-15",
    } <= codes  # fmt: skip
    assert [p.code for p in DEMO_DOC.promotions] == ["DEV20", "SECOND50", "FREESIM", "ACC10"]
    assert DEMO_DOC.currency == "EUR"


def test_the_demo_prices_are_read_exactly() -> None:
    by_code = {o.code: o for o in DEMO_DOC.offerings}
    day = date(2026, 11, 23)
    medium = by_code["PLAN-M"]
    monthly = medium.price(PriceType.RECURRING, day, 0)
    term = medium.price(PriceType.RECURRING, day, 24)
    assert monthly is not None and repr(monthly.amount) == "Decimal('29.99')"
    assert term is not None and term.amount == Decimal("24.99") and term.commitment == 24
    assert repr(monthly.vat_rate) == "Decimal('19')"
    topup = by_code["TOPUP-15"].price(PriceType.ONE_TIME, day)
    assert topup is not None and topup.vat_rate == 0
    assert by_code["ACC-CHG"].barcode == "4006381333948"
    iphone = by_code["DEV-IP15"].device
    assert iphone is not None and iphone.tacs == ("35407115", "35407116")
    assert repr(iphone.min_upfront) == "Decimal('49.00')" and iphone.esim_capable
    assert by_code["PLAN-XL"].lifecycle is Lifecycle.DRAFT
    assert by_code["PLAN-XL"].valid == Validity(date(2027, 1, 1), None)
    assert by_code["PLAN-CLASSIC"].lifecycle is Lifecycle.RETIRED
    assert DEMO_DOC.policies.manual_discount_limit("consultant") == Decimal(10)


@pytest.mark.parametrize("offering", DEMO_DOC.offerings, ids=lambda o: o.code)
def test_every_demo_offering_round_trips_through_its_entry(offering: Offering) -> None:
    entry = offering_to_dict(offering)
    assert json.loads(json.dumps(entry)) == entry  # only JSON types: a database column keeps it
    back = offering_from_dict(entry, currency="EUR")
    assert back == offering
    assert exponents(back) == exponents(offering)
    assert (
        offering_from_dict(offering_to_dict(offering, currency="EUR"), currency="EUR") == offering
    )


@pytest.mark.parametrize("promotion", DEMO_DOC.promotions, ids=lambda p: p.code)
def test_every_demo_promotion_round_trips_through_its_entry(promotion: Promotion) -> None:
    entry = promotion_to_dict(promotion)
    assert json.loads(json.dumps(entry)) == entry
    back = promotion_from_dict(entry, currency="EUR")
    assert back == promotion and exponents(back) == exponents(promotion)


def test_policies_round_trip() -> None:
    entry = policies_to_dict(DEMO_DOC.policies)
    assert entry == {
        "postpaidMinimumAge": 18,
        "maxActiveLinesPerCustomer": 5,
        "manualDiscountLimits": {"consultant": "10", "manager": "100"},
    }
    assert policies_from_dict(entry) == DEMO_DOC.policies


def test_a_small_catalog_is_read_and_written_canonically() -> None:
    doc = parse_catalog(SMALL)
    assert [o.code for o in doc.offerings] == ["PLAN-A", "ADD-A", "ACC-A"]
    canonical = dump_catalog(doc)
    assert canonical != SMALL
    assert dump_catalog(parse_catalog(canonical)) == canonical
    assert parse_catalog(canonical) == doc
    promotion = json.loads(canonical)["promotion"][0]
    assert list(promotion) == ["id", "name", "target", "charge", "amount", "appliesTo"]


def test_amounts_are_kept_in_cents_and_percentages_as_written() -> None:
    text = edit(SMALL, '"value": "10.00"', '"value": "10.5"')
    text = edit(text, '"taxRate": "19", "validFor"', '"taxRate": "7.70", "validFor"')
    price = parse_catalog(text).offerings[0].prices[0]
    assert repr(price.amount) == "Decimal('10.50')"
    assert repr(price.vat_rate) == "Decimal('7.70')"


def test_a_full_iso_datetime_counts_by_its_date() -> None:
    text = edit(SMALL, '"startDateTime": "2026-01-01"', '"startDateTime": "2026-01-01T00:00:00Z"')
    assert parse_catalog(text).offerings[0].prices[0].valid.start == date(2026, 1, 1)


def test_the_example_in_the_format_description_is_valid_and_canonical() -> None:
    described = (Path(__file__).resolve().parents[2] / "docs" / "CATALOG_FORMAT.md").read_text(
        encoding="utf-8"
    )
    example = described.split("## A complete example", 1)[1].split("```json\n", 1)[1]
    example = example.split("```", 1)[0]
    doc = parse_catalog(example)
    assert dump_catalog(doc) == example
    assert {o.kind for o in doc.offerings} >= {OfferingKind.PLAN, OfferingKind.DEVICE}


# -- property: any offering survives its entry --------------------------------------------------

codes = st.text(alphabet=string.ascii_uppercase + string.digits + "-_", min_size=1, max_size=10)
texts = st.text(max_size=12)
amounts = st.integers(-(10**9), 10**9).map(lambda cents: Decimal(cents).scaleb(-2))
percents = st.builds(
    lambda n, places: Decimal(n).scaleb(-places), st.integers(0, 10_000), st.integers(0, 2)
)
validities = st.builds(Validity, st.none() | st.dates(), st.none() | st.dates())
counts = st.none() | st.integers(0, 100_000)
terms = st.lists(st.integers(0, 48), max_size=3).map(tuple)
prices = st.builds(
    Price,
    price_type=st.sampled_from(PriceType),
    amount=amounts,
    vat_rate=percents,
    valid=validities,
    commitment=st.none() | st.integers(0, 48),
)
plans = st.builds(
    PlanSpec,
    payment=st.sampled_from(Payment),
    data_mb=counts,
    minutes=counts,
    sms=counts,
    roaming=st.booleans(),
    commitments=terms,
)
devices = st.builds(
    DeviceSpec,
    brand=texts,
    model=texts,
    tacs=st.lists(st.text(string.digits, min_size=1, max_size=8), max_size=3).map(tuple),
    colour=texts,
    capacity_gb=st.none() | st.integers(0, 4096),
    esim_capable=st.booleans(),
    instalments=terms,
    min_upfront=amounts,
)
topups = st.builds(TopupSpec, fixed=st.none() | amounts, minimum=amounts, maximum=amounts)
bundles = st.builds(BundleSpec, plan=codes, device=codes, commitment=st.integers(0, 48))
requirements = codes | codes.map(lambda c: f"family:{c}")


@st.composite
def offerings(draw: st.DrawFn) -> Offering:
    kind = draw(st.sampled_from(OfferingKind))
    specific: dict[str, Any] = {}
    if kind is OfferingKind.PLAN:
        specific["plan"] = draw(st.none() | plans)
    elif kind is OfferingKind.DEVICE:
        specific["device"] = draw(st.none() | devices)
    elif kind is OfferingKind.SIM:
        specific["sim_form"] = draw(st.none() | st.sampled_from(SimForm))
    elif kind is OfferingKind.TOPUP:
        specific["topup"] = draw(st.none() | topups)
    elif kind is OfferingKind.BUNDLE:
        specific["bundle"] = draw(st.none() | bundles)
    return Offering(
        code=draw(codes),
        name=draw(texts),
        kind=kind,
        lifecycle=draw(st.sampled_from(Lifecycle)),
        prices=tuple(draw(st.lists(prices, max_size=3))),
        valid=draw(validities),
        family=draw(texts),
        barcode=draw(st.text(string.digits, max_size=14)),
        description=draw(texts),
        serial=draw(st.sampled_from(["", "iccid", "imei"])),
        requires=tuple(draw(st.lists(requirements, max_size=3))),
        stores=draw(st.frozensets(codes, max_size=3)),
        channels=draw(st.frozensets(codes, max_size=2)),
        min_age=draw(st.none() | st.integers(0, 120)),
        fee_type=draw(texts),
        **specific,
    )


selectors = st.builds(
    Selector,
    kinds=st.frozensets(st.sampled_from(OfferingKind), max_size=3),
    codes=st.frozensets(codes, max_size=2),
    families=st.frozensets(codes, max_size=2),
    payment=st.none() | st.sampled_from(Payment),
    min_commitment=st.integers(0, 48),
)
promotions = st.builds(
    Promotion,
    code=codes,
    name=texts,
    target=st.sampled_from(Target),
    charge=st.sampled_from(Charge),
    percent=st.none() | percents,
    amount=st.none() | amounts,
    applies_to=selectors,
    conditions=st.lists(
        st.builds(Condition, selector=selectors, min_count=st.integers(1, 5)), max_size=2
    ).map(tuple),
    nth=st.integers(1, 4),
    priority=st.integers(-100, 100),
    stacking=st.sampled_from(Stacking),
    valid=validities,
    stores=st.frozensets(codes, max_size=2),
    lifecycle=st.sampled_from(Lifecycle),
)


@settings(max_examples=300, deadline=None)
@given(offerings())
def test_any_offering_survives_its_entry_exactly(offering: Offering) -> None:
    stored = json.loads(json.dumps(offering_to_dict(offering)))  # as a JSON column keeps it
    back = offering_from_dict(stored, currency="EUR")
    assert back == offering
    assert exponents(back) == exponents(offering)


@settings(max_examples=200, deadline=None)
@given(promotions)
def test_any_promotion_survives_its_entry_exactly(promotion: Promotion) -> None:
    stored = json.loads(json.dumps(promotion_to_dict(promotion)))
    back = promotion_from_dict(stored, currency="EUR")
    assert back == promotion
    assert exponents(back) == exponents(promotion)
