"""The catalog file format: canonical round trips, exact entries, and located problems."""

from __future__ import annotations

import dataclasses
import json
import string
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import resources
from app.catalog_dump import dump_catalog, offering_to_dict, policies_to_dict, promotion_to_dict
from app.catalog_format import (
    CatalogDocument,
    CatalogFormatError,
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

DEMO = Path(resources.__file__).resolve().parent / "catalog" / "demo.json"
DEMO_TEXT = DEMO.read_text(encoding="utf-8")
DEMO_DOC = parse_catalog(DEMO_TEXT)

# A small catalog whose line numbers the tests below refer to.
SMALL = """{
  "@type": "Catalog",
  "formatVersion": 1,
  "currency": "EUR",
  "productOffering": [
    {
      "id": "PLAN-A",
      "name": "Plan A",
      "kind": "plan",
      "lifecycleStatus": "launched",
      "family": "basic",
      "plan": {"payment": "postpaid", "dataMB": 1024, "minutes": null, "sms": null},
      "productOfferingPrice": [
        {"priceType": "recurring", "recurringChargePeriod": "month",
         "price": {"taxIncludedAmount": {"value": "10.00", "unit": "EUR"}},
         "taxRate": "19", "validFor": {"startDateTime": "2026-01-01"}}
      ]
    },
    {
      "id": "ADD-A",
      "name": "Add-on A",
      "kind": "addon",
      "lifecycleStatus": "launched",
      "requires": ["family:basic"],
      "productOfferingPrice": [
        {"priceType": "recurring", "recurringChargePeriod": "month",
         "price": {"taxIncludedAmount": {"value": "2.50", "unit": "EUR"}}, "taxRate": "19"}
      ]
    },
    {
      "id": "ACC-A",
      "name": "Case",
      "kind": "accessory",
      "lifecycleStatus": "launched",
      "barcode": "4006381333931",
      "productOfferingPrice": [
        {"priceType": "oneTime",
         "price": {"taxIncludedAmount": {"value": "5.00", "unit": "EUR"}}, "taxRate": "19"}
      ]
    }
  ],
  "promotion": [
    {"id": "CASE1", "name": "1.00 off the case", "target": "line", "charge": "upfront",
     "amount": "1.00", "appliesTo": {"codes": ["ACC-A"]}}
  ]
}
"""


def edit(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r} must occur exactly once"
    return text.replace(old, new)


def line_of(text: str, needle: str) -> int:
    assert text.count(needle) == 1, f"{needle!r} must occur exactly once"
    return text[: text.index(needle)].count("\n") + 1


def problems_of(text: str) -> list[str]:
    with pytest.raises(CatalogFormatError) as info:
        parse_catalog(text)
    assert str(info.value).splitlines()[1:] == [f"  {p}" for p in info.value.problems]
    return info.value.problems


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


# -- problems, each located -----------------------------------------------------------------


def test_the_small_catalog_is_valid() -> None:
    assert len(parse_catalog(SMALL).offerings) == 3


def test_malformed_json_gives_line_and_column() -> None:
    text = edit(SMALL, '"name": "Plan A",', '"name": "Plan A"')
    assert problems_of(text) == [
        "line 9, column 7: this is not valid JSON: Expecting ',' delimiter"
    ]


def test_an_unknown_key_is_an_error_not_dropped() -> None:
    text = edit(SMALL, '"family": "basic"', '"famliy": "basic"')
    assert line_of(text, "famliy") == 11
    assert problems_of(text) == [
        'line 11: productOffering[0] (PLAN-A).famliy: unknown key "famliy"'
        ' (did you mean "family"?)',
        # What follows from it is said too: the add-on now names a family nobody is in.
        "line 24: productOffering[1] (ADD-A).requires: requires family:basic,"
        " but no offering is in that family",
    ]


def test_a_missing_name() -> None:
    text = edit(SMALL, '      "name": "Add-on A",\n', "")
    assert problems_of(text) == [
        "line 20: productOffering[1] (ADD-A).name: missing: every entry needs a name"
    ]


def test_an_unknown_kind() -> None:
    text = edit(SMALL, '"kind": "accessory"', '"kind": "phone"')
    [problem] = problems_of(text)
    assert problem.startswith('line 33: productOffering[2] (ACC-A).kind: unknown kind "phone"')
    assert "plan, addon, sim, device, accessory, service_fee, topup, bundle" in problem


def test_a_price_without_a_vat_rate() -> None:
    text = edit(SMALL, '"value": "2.50", "unit": "EUR"}}, "taxRate": "19"}', '"value": "2.50"}}}')
    [problem] = problems_of(text)
    assert problem.startswith(
        "line 26: productOffering[1] (ADD-A).productOfferingPrice[0].taxRate:"
        " price without a VAT rate"
    )


def test_a_price_in_another_currency() -> None:
    text = edit(SMALL, '"value": "5.00", "unit": "EUR"', '"value": "5.00", "unit": "USD"')
    assert problems_of(text) == [
        "line 38: productOffering[2] (ACC-A).productOfferingPrice[0].price.taxIncludedAmount.unit:"
        " the price is in USD, but the catalog's currency is EUR"
    ]


def test_an_amount_with_three_decimals() -> None:
    text = edit(SMALL, '"value": "10.00"', '"value": "10.005"')
    assert problems_of(text) == [
        "line 15: productOffering[0] (PLAN-A).productOfferingPrice[0].price.taxIncludedAmount"
        '.value: "10.005" has 3 decimal places; amounts have at most 2'
    ]


def test_an_amount_written_as_a_number() -> None:
    text = edit(SMALL, '"amount": "1.00"', '"amount": 1.00')
    assert problems_of(text) == [
        'line 44: promotion[0] (CASE1).amount: must be an amount in quotes, e.g. "24.99",'
        " not the number 1.00"
    ]


def test_a_bad_date() -> None:
    text = edit(SMALL, '"startDateTime": "2026-01-01"', '"startDateTime": "2026-02-30"')
    assert problems_of(text) == [
        "line 16: productOffering[0] (PLAN-A).productOfferingPrice[0].validFor.startDateTime:"
        ' "2026-02-30" is not a date (write YYYY-MM-DD)'
    ]


def test_overlapping_price_validity() -> None:
    second = (
        ',\n        {"priceType": "recurring", "recurringChargePeriod": "month",'
        '\n         "price": {"taxIncludedAmount": {"value": "9.00"}}, "taxRate": "19",'
        '\n         "validFor": {"startDateTime": "2026-06-01", "endDateTime": "2026-08-31"}}'
    )
    text = edit(SMALL, '"2026-01-01"}}\n', '"2026-01-01"}}' + second + "\n")
    assert line_of(text, '"value": "9.00"') == 18
    assert problems_of(text) == [
        "line 19: productOffering[0] (PLAN-A).productOfferingPrice[1].validFor:"
        " its validity overlaps productOfferingPrice[0] (monthly, 2026-01-01 to no end)"
    ]


def test_circular_requires() -> None:
    text = edit(SMALL, '"requires": ["family:basic"]', '"requires": ["PLAN-A"]')
    text = edit(text, '"family": "basic",', '"family": "basic",\n      "requires": ["ADD-A"],')
    assert problems_of(text) == [
        "line 25: productOffering[1] (ADD-A).requires: circular requires: ADD-A → PLAN-A → ADD-A"
    ]


def test_a_promotion_that_would_make_a_price_negative() -> None:
    text = edit(SMALL, '"amount": "1.00"', '"amount": "6.00"')
    assert problems_of(text) == [
        "line 44: promotion[0] (CASE1).amount: 6.00 off would make ACC-A (5.00) negative"
    ]


def test_several_problems_are_reported_together_in_file_order() -> None:
    text = edit(SMALL, '"formatVersion": 1', '"formatVersion": 2')
    text = edit(text, '"value": "10.00"', '"value": "10.005"')
    text = edit(text, '"kind": "addon"', '"kind": "addon", "colour": "red"')
    text = edit(text, '"amount": "1.00"', '"amount": "6.00"')
    text = edit(text, '"barcode": "4006381333931"', '"barcode": "4006381333932"')
    problems = problems_of(text)
    assert [p.split(":")[0] for p in problems] == [
        "line 3",
        "line 15",
        "line 22",
        "line 35",
        "line 44",
    ]
    assert "reads formatVersion 1; the file has 2" in problems[0]
    assert "3 decimal places" in problems[1]
    assert 'unknown key "colour"' in problems[2]
    assert "EAN 4006381333932 has a wrong check digit" in problems[3]
    assert "6.00 off would make ACC-A (5.00) negative" in problems[4]


def test_rules_are_not_checked_on_an_entry_that_could_not_be_read() -> None:
    # The broken price would otherwise also look like a plan without a monthly price.
    text = edit(SMALL, '"priceType": "recurring", "recurringChargePeriod": "month",\n         '
                '"price": {"taxIncludedAmount": {"value": "10.00"',
                '"priceType": "monthly", "recurringChargePeriod": "month",\n         '
                '"price": {"taxIncludedAmount": {"value": "10.00"')  # fmt: skip
    [problem] = problems_of(text)
    assert problem.startswith(
        "line 14: productOffering[0] (PLAN-A).productOfferingPrice[0].priceType: unknown"
        ' priceType "monthly" (allowed: oneTime, recurring)'
    )


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('"@type": "Catalog"', '"@type": "Catalogue"', 'line 2: @type: must be "Catalog"'),
        ('"currency": "EUR",', '"currency": "euro",', 'line 4: currency: "euro" is not an ISO'),
        (
            '"family": "basic",',
            '"family": "basic", "family": "other",',
            "line 11: productOffering[0] (PLAN-A).family: written twice",
        ),
        (
            '"barcode": "4006381333931",',
            '"barcode": "4006381333931", "plan": {},',
            'line 35: productOffering[2] (ACC-A).plan: "plan" belongs to kind "plan" only',
        ),
        (
            '"dataMB": 1024',
            '"dataMB": "1 GB"',
            "line 12: productOffering[0] (PLAN-A).plan.dataMB:"
            ' must be a whole number, not the text "1 GB"',
        ),
        (
            '"priceType": "oneTime",',
            '"priceType": "oneTime", "recurringChargePeriod": "month",',
            "line 37: productOffering[2] (ACC-A).productOfferingPrice[0].recurringChargePeriod:"
            " only a recurring price",
        ),
        (
            '"codes": ["ACC-A"]',
            '"codes": ["ACC-B"]',
            "line 44: promotion[0] (CASE1).appliesTo.codes: refers to ACC-B, which is not in the"
            " catalog",
        ),
        (
            '"id": "CASE1"',
            '"id": " CASE1"',
            'line 43: promotion[0].id: " CASE1" has spaces at the start or end',
        ),
    ],
)
def test_other_format_problems(old: str, new: str, expected: str) -> None:
    problems = problems_of(edit(SMALL, old, new))
    assert any(p.startswith(expected) for p in problems), problems


def test_not_a_catalog_at_all() -> None:
    assert problems_of("[]") == [
        'line 1: the file must hold one JSON object {"@type": "Catalog", ...}, not a list'
    ]
    assert problems_of("") == ["line 1, column 1: this is not valid JSON: Expecting value"]


def test_an_entry_from_the_database_names_the_field() -> None:
    entry = offering_to_dict(DEMO_DOC.offerings[0])
    del entry["productOfferingPrice"][0]["taxRate"]
    entry["colour"] = "red"
    with pytest.raises(CatalogFormatError) as info:
        offering_from_dict(entry, currency="EUR")
    assert info.value.problems == [
        'offering (PLAN-S).colour: unknown key "colour" (allowed: '
        + ", ".join(
            ["@type", "id", "name", "kind", "lifecycleStatus", "validFor", "family",
             "description", "barcode", "serial", "requires", "stores", "channels", "minimumAge",
             "feeType", "plan", "device", "sim", "topup", "bundle", "productOfferingPrice"]
        )
        + ")",
        "offering (PLAN-S).productOfferingPrice[0].taxRate: price without a VAT rate: give"
        ' taxRate in percent, e.g. "19"',
    ]  # fmt: skip
    entry = offering_to_dict(DEMO_DOC.offerings[0], currency="EUR")
    with pytest.raises(CatalogFormatError, match="the price is in EUR, but the catalog's currency"):
        offering_from_dict(entry, currency="CHF")


def test_a_document_is_a_plain_value() -> None:
    again = CatalogDocument(
        currency=DEMO_DOC.currency,
        policies=DEMO_DOC.policies,
        offerings=DEMO_DOC.offerings,
        promotions=DEMO_DOC.promotions,
    )
    assert again == DEMO_DOC == parse_catalog(DEMO_TEXT)


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
