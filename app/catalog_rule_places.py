"""Whole-catalog rule problems located in the file: which entry and field each one is about.

:func:`domain.catalog_rules.catalog_problems` names an offering, price or promotion by its
code and says what is wrong in words; :func:`rule_problems` turns each into the JSON path of
the entry (and, where the message tells, the field) it concerns, so the problem is shown at
its line like any other. Entries with problems of their own are left out: their values are
guesses.
"""

from __future__ import annotations

import re

from app.catalog_fields import Reader
from app.catalog_json import Path
from app.catalog_schema import CatalogDocument
from domain.catalog import COMMITMENT_TERMS
from domain.catalog_rules import catalog_problems
from domain.promotions import Promotion, Selector

_RULE_WHERE = re.compile(r"(?P<what>offering|promotion) (?P<code>.*?)(?:, price (?P<n>\d+))?")
# Which field a rule's message is about, so the line can point at it.
_OFFERING_FIELDS: tuple[tuple[str, Path], ...] = (
    (r"^this code is used twice", ("id",)),
    (r"^the name is empty", ("name",)),
    (r"^validFor ends", ("validFor",)),
    (r"^has no price|^a postpaid plan needs a recurring", ("productOfferingPrice",)),
    (r"^a plan needs", ("plan",)),
    (r"^commitment terms must be", ("plan", "commitments")),
    (r"^an add-on must say|^(circular )?requires", ("requires",)),
    (r"^a SIM must be", ("sim",)),
    (r"^a device needs", ("device",)),
    (r"^TAC ", ("device", "tacs")),
    (r"^instalments must be", ("device", "instalments")),
    (r"^the minimum upfront", ("device", "minUpfront")),
    (r"^EAN ", ("barcode",)),
    (r"top-up needs|^a free top-up", ("topup",)),
    (r"^a bundle names", ("bundle",)),
    (r"^bundle plan", ("bundle", "plan")),
    (r"^bundle device", ("bundle", "device")),
    (r"^plan \S+ is not offered with", ("bundle", "commitment")),
)
_PRICE_FIELDS: tuple[tuple[str, Path], ...] = (
    (r"^a price cannot be negative", ("price", "taxIncludedAmount", "value")),
    (r"^the VAT rate", ("taxRate",)),
    (r"^commitment must be", ("commitmentMonths",)),
    (r"^validFor ends|^its validity overlaps", ("validFor",)),
)
_PROMOTION_FIELDS: tuple[tuple[str, Path], ...] = (
    (r"^this code is used twice", ("id",)),
    (r"^the name", ("name",)),
    (r"^a percentage must be", ("percent",)),
    (r"^an amount must be| off would make ", ("amount",)),
    (r"^nth must", ("nth",)),
    (r"^validFor ends", ("validFor",)),
)
_POLICY_FIELDS: tuple[tuple[str, Path], ...] = (
    (r"maximum of active lines", ("maxActiveLinesPerCustomer",)),
    (r"postpaid minimum age", ("postpaidMinimumAge",)),
)


def _field_for(message: str, table: tuple[tuple[str, Path], ...]) -> Path:
    for pattern, field in table:
        if re.search(pattern, message):
            return field
    return ()


def _selector_field(promotion: Promotion, message: str) -> Path:
    """Which selector of a promotion a rule's message is about (the first that fits)."""
    selectors: list[tuple[Path, Selector]] = [(("appliesTo",), promotion.applies_to)]
    selectors += [
        (("conditions", n, "selector"), c.selector) for n, c in enumerate(promotion.conditions)
    ]
    refers = re.match(r"refers to (family )?(.+), which", message)
    for at, selector in selectors:
        if refers and refers[1] and refers[2] in selector.families:
            return (*at, "families")
        if refers and not refers[1] and refers[2] in selector.codes:
            return (*at, "codes")
        if (
            message.startswith("minimum commitment")
            and selector.min_commitment not in COMMITMENT_TERMS
        ):
            return (*at, "minCommitment")
    return ()


def rule_problems(doc: CatalogDocument, reader: Reader) -> list[tuple[Path, str]]:
    """``catalog_problems`` for the parts that were read cleanly, as (path, message)."""
    positions: dict[str, dict[str, list[int]]] = {"offering": {}, "promotion": {}}
    for n, offering in enumerate(doc.offerings):
        positions["offering"].setdefault(offering.code, []).append(n)
    for n, promotion in enumerate(doc.promotions):
        positions["promotion"].setdefault(promotion.code, []).append(n)
    broken = {path[:2] for path, _ in reader.problems if len(path) >= 2}
    broken_policies = any(path[:1] == ("policies",) for path, _ in reader.problems)
    twice: dict[tuple[str, str], int] = {}
    out: list[tuple[Path, str]] = []
    for where, message in catalog_problems(doc.offerings, doc.promotions, doc.policies):
        path: Path | None = None
        match = _RULE_WHERE.fullmatch(where)
        if match is not None and match["code"] in positions[match["what"]]:
            what, code = match["what"], match["code"]
            indexes = positions[what][code]
            index = indexes[0]
            if message.startswith("this code is used twice"):
                seen = twice.get((what, code), 0) + 1
                twice[(what, code)] = seen
                index = indexes[min(seen, len(indexes) - 1)]
            entry = reader.entries[what][index]  # its path in the file
            if entry in broken:
                continue  # its own problems are reported already; its values are guesses
            if what == "offering" and match["n"]:
                price = int(match["n"]) - 1
                path = (*entry, "productOfferingPrice", price, *_field_for(message, _PRICE_FIELDS))
                message = re.sub(
                    r"overlaps price (\d+)",
                    lambda m: f"overlaps productOfferingPrice[{int(m[1]) - 1}]",
                    message,
                )
            elif what == "offering":
                path = (*entry, *_field_for(message, _OFFERING_FIELDS))
            else:
                promotion = doc.promotions[index]
                field = _field_for(message, _PROMOTION_FIELDS) or _selector_field(
                    promotion, message
                )
                path = (*entry, *field)
        elif where == "policies":
            if broken_policies:
                continue
            role = re.search(r"discount limit for (.+?) must", message)
            path = (
                ("policies", "manualDiscountLimits", role[1])
                if role
                else ("policies", *_field_for(message, _POLICY_FIELDS))
            )
        if path is None:
            out.append(((), f"{where}: {message}"))
        else:
            out.append((path, message))
    return out
