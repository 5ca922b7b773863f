"""The catalog file format's problems: each one located, several reported together."""

from __future__ import annotations

import pytest
from catalog_format_cases import DEMO_DOC, DEMO_TEXT, SMALL, edit

from app.catalog_dump import offering_to_dict
from app.catalog_format import (
    CatalogDocument,
    CatalogFormatError,
    offering_from_dict,
    parse_catalog,
)


def line_of(text: str, needle: str) -> int:
    assert text.count(needle) == 1, f"{needle!r} must occur exactly once"
    return text[: text.index(needle)].count("\n") + 1


def problems_of(text: str) -> list[str]:
    with pytest.raises(CatalogFormatError) as info:
        parse_catalog(text)
    assert str(info.value).splitlines()[1:] == [f"  {p}" for p in info.value.problems]
    return info.value.problems


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
