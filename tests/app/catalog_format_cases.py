"""Shared by the catalog format tests: the demo catalog, a small catalog, and editing it."""

from __future__ import annotations

from pathlib import Path

import resources
from app.catalog_format import parse_catalog

DEMO = Path(resources.__file__).resolve().parent / "catalog" / "demo.json"
DEMO_TEXT = DEMO.read_text(encoding="utf-8")
DEMO_DOC = parse_catalog(DEMO_TEXT)

# A small catalog whose line numbers the problem tests refer to.
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
