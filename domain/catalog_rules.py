"""Whole-catalog checks: what makes a catalog unfit to load, said precisely.

``catalog_problems`` looks at offerings, promotions and policies together and returns
every problem as ``(where, message)``; ``where`` names the offering or promotion (and the
price) so a person can find it in the file. An empty list means the catalog may replace
the one in use.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from domain.catalog import (
    COMMITMENT_TERMS,
    INSTALMENT_TERMS,
    Offering,
    OfferingKind,
    Policies,
    PriceType,
)
from domain.promotions import Promotion, Selector

Where = str
CatalogProblem = tuple[Where, str]


def catalog_problems(
    offerings: Sequence[Offering], promotions: Sequence[Promotion], policies: Policies
) -> list[CatalogProblem]:
    problems: list[CatalogProblem] = []
    by_code: dict[str, Offering] = {}
    for offering in offerings:
        if offering.code in by_code:
            problems.append((f"offering {offering.code}", "this code is used twice"))
        by_code[offering.code] = offering
    families = {o.family for o in offerings if o.family}
    for offering in offerings:
        problems.extend(_offering_problems(offering, by_code, families))
    problems.extend(_shared_identifiers(offerings))
    problems.extend(_cycles(by_code))
    seen: set[str] = set()
    for promotion in promotions:
        if promotion.code in seen:
            problems.append((f"promotion {promotion.code}", "this code is used twice"))
        seen.add(promotion.code)
        problems.extend(_promotion_problems(promotion, list(by_code.values()), families))
    for role, limit in sorted(policies.manual_discount_limits.items()):
        if not Decimal(0) <= limit <= Decimal(100):
            problems.append(
                ("policies", f"the manual discount limit for {role} must be between 0 and 100")
            )
    if policies.max_active_lines < 1:
        problems.append(("policies", "the maximum of active lines must be at least 1"))
    if not 0 <= policies.postpaid_min_age <= 120:
        problems.append(("policies", "the postpaid minimum age must be between 0 and 120"))
    return problems


def _offering_problems(
    offering: Offering, by_code: dict[str, Offering], families: set[str]
) -> list[CatalogProblem]:
    where = f"offering {offering.code}"
    out: list[CatalogProblem] = []
    if not offering.name.strip():
        out.append((where, "the name is empty"))
    if offering.valid.start and offering.valid.end and offering.valid.start > offering.valid.end:
        out.append((where, "validFor ends before it starts"))
    if not offering.prices and offering.kind is not OfferingKind.BUNDLE:
        out.append((where, "has no price"))
    for n, price in enumerate(offering.prices):
        at = f"{where}, price {n + 1}"
        if price.amount < 0:
            out.append((at, "a price cannot be negative"))
        if not Decimal(0) <= price.vat_rate <= Decimal(100):
            out.append((at, "the VAT rate must be between 0 and 100"))
        if price.commitment is not None and price.commitment not in COMMITMENT_TERMS:
            out.append((at, f"commitment must be one of {_terms(COMMITMENT_TERMS)} months"))
        if price.valid.start and price.valid.end and price.valid.start > price.valid.end:
            out.append((at, "validFor ends before it starts"))
        for m, other in enumerate(offering.prices[:n]):
            if (
                other.price_type is price.price_type
                and other.commitment == price.commitment
                and other.valid.overlaps(price.valid)
            ):
                out.append(
                    (
                        at,
                        f"its validity overlaps price {m + 1} ({_kind(price.price_type)},"
                        f" {other.valid.describe()})",
                    )
                )
    out.extend(_kind_problems(offering, by_code, where))
    for requirement in offering.requires:
        if requirement.startswith("family:"):
            if requirement.removeprefix("family:") not in families:
                out.append((where, f"requires {requirement}, but no offering is in that family"))
        elif requirement not in by_code:
            out.append((where, f"requires {requirement}, which is not in the catalog"))
        elif requirement == offering.code:
            out.append((where, "requires itself"))
    return out


def _kind_problems(
    offering: Offering, by_code: dict[str, Offering], where: str
) -> list[CatalogProblem]:
    out: list[CatalogProblem] = []
    kind = offering.kind
    if kind is OfferingKind.PLAN:
        if offering.plan is None:
            out.append((where, "a plan needs its plan details (payment, allowances)"))
        elif any(t not in COMMITMENT_TERMS for t in offering.plan.commitments):
            out.append((where, f"commitment terms must be among {_terms(COMMITMENT_TERMS)}"))
        if not any(p.price_type is PriceType.RECURRING for p in offering.prices) and (
            offering.is_postpaid_plan
        ):
            out.append((where, "a postpaid plan needs a recurring (monthly) price"))
    if kind is OfferingKind.ADDON and not offering.requires:
        out.append((where, "an add-on must say which plan or plan family it requires"))
    if kind is OfferingKind.SIM and offering.sim_form is None:
        out.append((where, "a SIM must be physical or esim"))
    if kind is OfferingKind.DEVICE:
        spec = offering.device
        if spec is None:
            out.append((where, "a device needs brand and model"))
        else:
            for tac in spec.tacs:
                if len(tac) != 8 or not tac.isdigit():
                    out.append((where, f"TAC {tac!r} must be 8 digits"))
            if any(t not in INSTALMENT_TERMS for t in spec.instalments):
                out.append((where, f"instalments must be among {_terms(INSTALMENT_TERMS)}"))
            if spec.min_upfront < 0:
                out.append((where, "the minimum upfront cannot be negative"))
    if kind is OfferingKind.ACCESSORY and offering.barcode and not _ean_ok(offering.barcode):
        out.append((where, f"EAN {offering.barcode} has a wrong check digit or length"))
    if kind is OfferingKind.TOPUP:
        spec_t = offering.topup
        if spec_t is None:
            out.append((where, "a top-up needs a fixed amount or a minimum and maximum"))
        elif spec_t.fixed is None and not Decimal(0) < spec_t.minimum <= spec_t.maximum:
            out.append((where, "a free top-up needs 0 < minimum ≤ maximum"))
    if kind is OfferingKind.BUNDLE:
        spec_b = offering.bundle
        if spec_b is None:
            out.append((where, "a bundle names its plan, device and commitment"))
        else:
            plan, device = by_code.get(spec_b.plan), by_code.get(spec_b.device)
            if plan is None or plan.kind is not OfferingKind.PLAN:
                out.append((where, f"bundle plan {spec_b.plan} is not a plan in the catalog"))
            elif plan.plan and spec_b.commitment not in plan.plan.commitments:
                out.append(
                    (where, f"plan {spec_b.plan} is not offered with {spec_b.commitment} months")
                )
            if device is None or device.kind is not OfferingKind.DEVICE:
                out.append((where, f"bundle device {spec_b.device} is not a device in the catalog"))
    return out


def _shared_identifiers(offerings: Sequence[Offering]) -> list[CatalogProblem]:
    """A scanned barcode or IMEI must lead to exactly one offering."""
    out: list[CatalogProblem] = []
    codes = {o.code for o in offerings}
    barcodes: dict[str, str] = {}
    tacs: dict[str, str] = {}
    for offering in offerings:
        where = f"offering {offering.code}"
        if offering.barcode:
            if offering.barcode in barcodes:
                out.append(
                    (where, f"barcode {offering.barcode} is also {barcodes[offering.barcode]}'s")
                )
            elif offering.barcode in codes and offering.barcode != offering.code:
                out.append((where, f"barcode {offering.barcode} is another offering's code"))
            barcodes.setdefault(offering.barcode, offering.code)
        for tac in offering.device.tacs if offering.device else ():
            if tac in tacs:
                out.append((where, f"TAC {tac} is also {tacs[tac]}'s"))
            tacs.setdefault(tac, offering.code)
    return out


def _cycles(by_code: dict[str, Offering]) -> list[CatalogProblem]:
    """Offerings whose "requires" lead back to themselves (directly named codes only)."""
    graph = {
        code: [r for r in o.requires if r in by_code and r != code] for code, o in by_code.items()
    }
    out: list[CatalogProblem] = []
    state: dict[str, int] = {}  # 1 = on the path, 2 = done
    reported: set[frozenset[str]] = set()

    def visit(code: str, path: list[str]) -> None:
        state[code] = 1
        path.append(code)
        for nxt in graph[code]:
            if state.get(nxt) == 1:
                loop = [*path[path.index(nxt) :], nxt]
                key = frozenset(loop)
                if key not in reported:
                    reported.add(key)
                    out.append((f"offering {nxt}", "circular requires: " + " → ".join(loop)))
            elif nxt not in state:
                visit(nxt, path)
        path.pop()
        state[code] = 2

    for code in sorted(graph):
        if code not in state:
            visit(code, [])
    return out


def _promotion_problems(
    promotion: Promotion, offerings: list[Offering], families: set[str]
) -> list[CatalogProblem]:
    where = f"promotion {promotion.code}"
    out: list[CatalogProblem] = []
    if not promotion.name.strip():
        out.append((where, "the name (the reason shown to the customer) is empty"))
    if (promotion.percent is None) == (promotion.amount is None):
        out.append((where, "give either a percentage or an amount"))
    if promotion.percent is not None and not Decimal(0) < promotion.percent <= Decimal(100):
        out.append((where, "a percentage must be above 0 and at most 100"))
    if promotion.amount is not None and promotion.amount <= 0:
        out.append((where, "an amount must be above zero"))
    if promotion.nth < 1:
        out.append((where, "nth must be 1 or more"))
    v = promotion.valid
    if v.start and v.end and v.start > v.end:
        out.append((where, "validFor ends before it starts"))
    selectors = [promotion.applies_to] + [c.selector for c in promotion.conditions]
    for selector in selectors:
        out.extend(_selector_problems(selector, offerings, families, where))
    if promotion.amount is not None and promotion.target.value == "line":
        # An amount off a line must not exceed the price of any offering it can apply to.
        charge_type = (
            PriceType.RECURRING if promotion.charge.value == "monthly" else PriceType.ONE_TIME
        )
        for offering in offerings:
            if not promotion.applies_to.matches(offering, 24):
                continue
            for price in offering.prices:
                if price.price_type is charge_type and price.amount < promotion.amount:
                    out.append(
                        (
                            where,
                            f"{promotion.amount} off would make {offering.code}"
                            f" ({price.amount}) negative",
                        )
                    )
                    break
    return out


def _selector_problems(
    selector: Selector, offerings: list[Offering], families: set[str], where: str
) -> list[CatalogProblem]:
    out: list[CatalogProblem] = []
    codes = {o.code for o in offerings}
    for code in sorted(selector.codes - codes):
        out.append((where, f"refers to {code}, which is not in the catalog"))
    for family in sorted(selector.families - families):
        out.append((where, f"refers to family {family}, which no offering has"))
    if selector.min_commitment not in COMMITMENT_TERMS:
        out.append((where, f"minimum commitment must be one of {_terms(COMMITMENT_TERMS)}"))
    return out


def _ean_ok(code: str) -> bool:
    if not code.isdigit() or len(code) not in (8, 12, 13, 14):
        return False
    digits = [int(c) for c in code]
    body, check = digits[:-1], digits[-1]
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def _kind(price_type: PriceType) -> str:
    return "monthly" if price_type is PriceType.RECURRING else "one-time"


def _terms(terms: tuple[int, ...]) -> str:
    return "/".join(str(t) for t in terms)
