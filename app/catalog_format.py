"""The catalog file: StoreDesk's JSON catalog format, read with every problem located.

The format is documented for catalog authors in ``docs/CATALOG_FORMAT.md``; its names follow
TM Forum TMF620 (``productOffering``, ``productOfferingPrice``, ``lifecycleStatus``,
``validFor``, ``taxIncludedAmount``) where that helps. Money and percentages are decimals
written as JSON strings (``"24.99"``), so no value ever passes through a binary float.

- :func:`parse_catalog` reads a whole file and checks everything before anything is used:
  JSON syntax, the shape and type of every field, unknown keys (a typo is an error, never
  silently dropped), amounts, dates, currencies, and then the whole-catalog rules of
  :func:`domain.catalog_rules.catalog_problems`. It raises :class:`CatalogFormatError` with
  all problems at once, each saying where (line, path such as
  ``productOffering[3] (PLAN-M).productOfferingPrice[0].taxRate``) and what is wrong.
- :func:`app.catalog_dump.dump_catalog` writes the canonical text: keys in a fixed order,
  optional fields left out when they hold their default, offerings and promotions in the
  order given; ``dump_catalog(parse_catalog(text)) == text`` for a file in canonical form.
- ``*_from_dict`` here and ``*_to_dict`` in :mod:`app.catalog_dump` convert one offering,
  promotion or the policies to and from their entry in the file; the database keeps each
  offering's entry as it is, and ``offering_from_dict(offering_to_dict(o), currency=c) == o``
  holds exactly (amounts are always kept with two decimal places; percentages exactly as
  written).

This module is the one to import; the reading is done by :mod:`app.catalog_schema` (the
format's names, the document and error types), :mod:`app.catalog_json` (lines and paths in
the JSON text), :mod:`app.catalog_fields` (reading fields with every problem recorded),
:mod:`app.catalog_sections` (one reader per section) and :mod:`app.catalog_rule_places`
(the whole-catalog rules' problems, located).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from app.catalog_fields import Reader
from app.catalog_json import Constant, JsonObject, LineMap, located
from app.catalog_rule_places import rule_problems
from app.catalog_schema import CatalogDocument, CatalogFormatError
from app.catalog_sections import read_document, read_offering, read_policies, read_promotion
from domain.catalog import Offering, Policies
from domain.promotions import Promotion


def parse_catalog(text: str) -> CatalogDocument:
    """Read a catalog file; every problem in it is reported together, or nothing is returned."""
    text = text.removeprefix("\ufeff")  # a byte-order mark some editors write
    try:
        data = json.loads(
            text,
            object_pairs_hook=JsonObject.from_pairs,
            parse_float=Decimal,
            parse_constant=Constant,
        )
    except json.JSONDecodeError as exc:
        raise CatalogFormatError(
            [f"line {exc.lineno}, column {exc.colno}: this is not valid JSON: {exc.msg}"]
        ) from None
    except RecursionError:
        raise CatalogFormatError(["the file is nested too deeply to be a catalog"]) from None
    reader = Reader(currency="")
    reader.labels[()] = ""
    doc = read_document(reader, data)
    problems = list(reader.problems)
    if doc is not None:
        problems.extend(rule_problems(doc, reader))
    if problems:
        lines = LineMap(text)
        ordered = sorted(
            ((lines.line_of(path), n, path, message) for n, (path, message) in enumerate(problems)),
            key=lambda p: (p[0] or 0, p[1]),
        )
        raise CatalogFormatError(
            [located(line, reader.render(path), message) for line, _n, path, message in ordered]
        )
    assert doc is not None  # no problem means the document was read
    return doc


def offering_from_dict(data: dict[str, Any], *, currency: str, where: str = "offering") -> Offering:
    """One offering from its entry in the file; prices must be in ``currency``."""
    reader = Reader(currency=currency)
    reader.labels[()] = where
    offering = read_offering(reader, data, ())
    reader.raise_if_any()
    assert offering is not None
    return offering


def promotion_from_dict(
    data: dict[str, Any], *, currency: str, where: str = "promotion"
) -> Promotion:
    """One promotion from its entry in the file (``amount`` is in ``currency``)."""
    reader = Reader(currency=currency)
    reader.labels[()] = where
    promotion = read_promotion(reader, data, ())
    reader.raise_if_any()
    assert promotion is not None
    return promotion


def policies_from_dict(data: dict[str, Any], *, where: str = "policies") -> Policies:
    reader = Reader(currency="")
    reader.labels[()] = where
    policies = read_policies(reader, data, ())
    reader.raise_if_any()
    return policies


__all__ = [
    "CatalogDocument",
    "CatalogFormatError",
    "offering_from_dict",
    "parse_catalog",
    "policies_from_dict",
    "promotion_from_dict",
]
