"""The pricing engine: one pure function from a basket to a priced basket.

``price_basket(items, catalog, promotions, customer, day=..., store=...)`` returns every
line's amount now and per month, each discount with its reason, VAT per rate, the totals,
and the eligibility problems that must be solved before payment. Same input, same output:
promotions are applied in their own fixed order (:mod:`domain.promotions`), never in the
order they were stored. The value types are in :mod:`domain.pricing_types`, the
eligibility rules in :mod:`domain.eligibility`.

Rounding, exactly (all amounts are tax-inclusive, in cents):

1. A line's list amount is the catalog price times the quantity (exact).
2. A percentage discount is ``remaining × percent / 100`` rounded half away from zero to
   the cent; an amount discount on a line is the amount times the quantity. Every discount
   is capped at what is left of the line, so no line, and no total, is ever negative.
3. A basket-level amount is shared over the matching lines in proportion to what is left
   of each, in whole cents; the cents left over go one each to the lines with the largest
   remainders (first line first on a tie). A basket-level percentage works line by line.
4. Manual discounts come last, on what promotions left.
5. A device on instalments: the discounted price splits into the part paid now (at least
   the device's minimum upfront) and ``n`` monthly instalments of ``financed / n`` rounded
   half away from zero; the last instalment takes the difference of a few cents. (Where
   that would leave a negative last instalment — a few cents spread over many months —
   the instalment is rounded down instead.)
6. VAT per rate is computed once per rate on the sum of that rate's amounts:
   ``net = gross × 100 / (100 + rate)`` rounded half away from zero, ``VAT = gross − net``;
   so the VAT lines add up to the total to the cent.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from domain.catalog import Catalog, Offering, Policies, PriceType
from domain.eligibility import check_eligibility
from domain.errors import ValidationError
from domain.money import CENT, round_money
from domain.pricing_types import (
    ZERO,
    AppliedDiscount,
    BasketItem,
    CustomerFacts,
    PricedBasket,
    PricedLine,
    Problem,
    VatLine,
)
from domain.promotions import Charge, Promotion, Selector, Stacking, Target

MANUAL = "MANUAL"


# -- the engine -----------------------------------------------------------------------------


@dataclass
class _Work:
    """A line while it is being priced."""

    item: BasketItem
    offering: Offering
    position: int
    vat_rate: Decimal
    monthly_vat_rate: Decimal
    unit_price: Decimal
    unit_monthly: Decimal
    left: dict[Charge, Decimal]
    exclusive: set[Charge] = field(default_factory=set)
    touched: set[Charge] = field(default_factory=set)
    discounts: list[AppliedDiscount] = field(default_factory=list)

    def take(self, charge: Charge, code: str, reason: str, wanted: Decimal) -> Decimal:
        # Same rule as round_money (half away from zero, to the cent), without its checks.
        amount = min(wanted.quantize(CENT, rounding=ROUND_HALF_UP), self.left[charge])
        if amount <= 0:
            return ZERO
        self.left[charge] -= amount
        self.touched.add(charge)
        self.discounts.append(AppliedDiscount(self.item.line_id, code, reason, charge, amount))
        return amount


def price_basket(
    items: Sequence[BasketItem],
    catalog: Catalog,
    promotions: Iterable[Promotion] = (),
    customer: CustomerFacts | None = None,
    *,
    day: date,
    store: str,
    channel: str = "store",
) -> PricedBasket:
    customer = customer or CustomerFacts()
    problems: list[Problem] = []
    work: list[_Work] = []
    for position, item in enumerate(items):
        offering = catalog.get(item.code)
        if offering is None:
            problems.append(Problem(item.line_id, f"{item.code} is not in the catalog."))
            continue
        work.append(_start_line(item, offering, position, day, problems))
    problems.extend(check_eligibility(work_offerings(work), catalog, customer, day, store, channel))

    active = sorted((p for p in promotions if p.active(day, store)), key=lambda p: p.order_key)
    matcher = _Matcher(work)
    for promotion in active:
        _apply(promotion, matcher)
    for line in work:
        manual = line.item.manual
        if manual is not None:
            base = line.left[manual.charge]
            wanted = (
                base * manual.percent / 100
                if manual.percent is not None
                else (manual.amount or ZERO) * line.item.quantity
            )
            line.take(manual.charge, MANUAL, manual.reason, wanted)

    priced = tuple(_finish(line, problems) for line in work)
    return PricedBasket(
        lines=priced,
        due_now=sum((p.upfront for p in priced), ZERO),
        monthly=sum((p.monthly_now for p in priced), ZERO),
        vat_now=vat_by_rate((p.upfront, p.vat_rate) for p in priced),
        vat_monthly=vat_by_rate(
            [(p.monthly, p.monthly_vat_rate) for p in priced]
            + [(p.instalment, p.vat_rate) for p in priced if p.instalments]
        ),
        problems=tuple(problems),
        discounts=tuple(d for p in priced for d in p.discounts),
    )


def work_offerings(work: Sequence[_Work]) -> list[tuple[BasketItem, Offering]]:
    return [(w.item, w.offering) for w in work]


def _start_line(
    item: BasketItem, offering: Offering, position: int, day: date, problems: list[Problem]
) -> _Work:
    one_time = offering.price(PriceType.ONE_TIME, day, item.commitment)
    recurring = offering.price(PriceType.RECURRING, day, item.commitment)
    if one_time is None and recurring is None:
        problems.append(
            Problem(item.line_id, f"{offering.name} has no price valid on {day.isoformat()}.")
        )
    unit_price = one_time.amount if one_time else ZERO
    if offering.topup is not None and offering.topup.fixed is None:
        spec = offering.topup
        if item.amount is None:
            problems.append(Problem(item.line_id, f"Enter the amount of the {offering.name}."))
        elif not spec.minimum <= item.amount <= spec.maximum:
            problems.append(
                Problem(
                    item.line_id,
                    f"A top-up must be between {spec.minimum} and {spec.maximum}.",
                )
            )
        else:
            unit_price = item.amount
    unit_monthly = recurring.amount if recurring else ZERO
    vat = one_time.vat_rate if one_time else (recurring.vat_rate if recurring else ZERO)
    monthly_vat = recurring.vat_rate if recurring else vat
    return _Work(
        item=item,
        offering=offering,
        position=position,
        vat_rate=vat,
        monthly_vat_rate=monthly_vat,
        unit_price=unit_price,
        unit_monthly=unit_monthly,
        left={
            Charge.UPFRONT: unit_price * item.quantity,
            Charge.MONTHLY: unit_monthly * item.quantity,
        },
    )


class _Matcher:
    """Which lines each selector matches, worked out once per pricing call."""

    def __init__(self, work: Sequence[_Work]) -> None:
        self._work = work
        self._lines: dict[Selector, list[_Work]] = {}
        self._counts: dict[Selector, int] = {}

    def lines(self, selector: Selector) -> list[_Work]:
        found = self._lines.get(selector)
        if found is None:
            found = [w for w in self._work if selector.matches(w.offering, w.item.commitment)]
            self._lines[selector] = found
        return found

    def count(self, selector: Selector) -> int:
        found = self._counts.get(selector)
        if found is None:
            found = sum(w.item.quantity for w in self.lines(selector))
            self._counts[selector] = found
        return found


def _conditions_hold(promotion: Promotion, matcher: _Matcher) -> bool:
    return all(matcher.count(c.selector) >= c.min_count for c in promotion.conditions)


def _may_take(line: _Work, promotion: Promotion) -> bool:
    charge = promotion.charge
    if charge in line.exclusive or line.left[charge] <= 0:
        return False
    return not (promotion.stacking is Stacking.EXCLUSIVE and charge in line.touched)


def _apply(promotion: Promotion, matcher: _Matcher) -> None:
    if not _conditions_hold(promotion, matcher):
        return
    matching = [w for w in matcher.lines(promotion.applies_to) if _may_take(w, promotion)]
    charge = promotion.charge
    if promotion.nth > 1:
        # The dearest lines pay in full; every one from the nth on gets the discount.
        matching.sort(key=lambda w: (-w.left[charge], w.position))
        matching = sorted(matching[promotion.nth - 1 :], key=lambda w: w.position)
    if not matching:
        return
    reason = promotion.name
    if promotion.target is Target.BASKET and promotion.amount is not None:
        shares = share_amount(promotion.amount, [w.left[charge] for w in matching])
        for line, share in zip(matching, shares, strict=True):
            line.take(charge, promotion.code, reason, share)
    else:
        for line in matching:
            if promotion.percent is not None:
                wanted = line.left[charge] * promotion.percent / 100
            else:
                wanted = (promotion.amount or ZERO) * line.item.quantity
            line.take(charge, promotion.code, reason, wanted)
    if promotion.stacking is Stacking.EXCLUSIVE:
        for line in matching:
            line.exclusive.add(charge)


def share_amount(amount: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Split ``amount`` (capped at the sum of weights) in whole cents, largest remainder."""
    total = sum(weights, ZERO)
    amount = min(round_money(amount), total)
    if total <= 0 or amount <= 0:
        return [ZERO for _ in weights]
    exact = [amount * w / total for w in weights]
    shares = [e.quantize(CENT, rounding=ROUND_DOWN) for e in exact]
    left = int((amount - sum(shares, ZERO)) / CENT)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in order[:left]:
        shares[i] += CENT
    return shares


def _finish(line: _Work, problems: list[Problem]) -> PricedLine:
    item, offering = line.item, line.offering
    list_upfront = line.unit_price * item.quantity
    list_monthly = line.unit_monthly * item.quantity
    price = line.left[Charge.UPFRONT]
    upfront, instalment, last = price, ZERO, ZERO
    if item.instalments:
        spec = offering.device
        if spec is None or item.instalments not in spec.instalments:
            problems.append(
                Problem(
                    item.line_id,
                    f"{offering.name} cannot be paid in {item.instalments} instalments.",
                )
            )
        else:
            chosen = spec.min_upfront if item.upfront is None else item.upfront
            if chosen < spec.min_upfront:
                problems.append(
                    Problem(
                        item.line_id,
                        f"{offering.name} needs at least {spec.min_upfront} paid now.",
                    )
                )
            upfront = min(max(round_money(chosen), spec.min_upfront), price)
            financed = price - upfront
            instalment = round_money(financed / item.instalments)
            last = financed - instalment * (item.instalments - 1)
            if last < 0:  # tiny amounts: round down so the last instalment is not negative
                instalment = (financed / item.instalments).quantize(CENT, rounding=ROUND_DOWN)
                last = financed - instalment * (item.instalments - 1)
    return PricedLine(
        line_id=item.line_id,
        code=offering.code,
        name=offering.name,
        kind=offering.kind,
        quantity=item.quantity,
        commitment=item.commitment,
        vat_rate=line.vat_rate,
        monthly_vat_rate=line.monthly_vat_rate,
        unit_price=line.unit_price,
        list_upfront=list_upfront,
        upfront_discount=list_upfront - price,
        price=price,
        upfront=upfront,
        unit_monthly=line.unit_monthly,
        list_monthly=list_monthly,
        monthly_discount=list_monthly - line.left[Charge.MONTHLY],
        monthly=line.left[Charge.MONTHLY],
        instalments=item.instalments if instalment or last else 0,
        instalment=instalment,
        last_instalment=last,
        discounts=tuple(line.discounts),
    )


def vat_by_rate(amounts: Iterable[tuple[Decimal, Decimal]]) -> tuple[VatLine, ...]:
    by_rate: dict[Decimal, Decimal] = {}
    for gross, rate in amounts:
        by_rate[rate] = by_rate.get(rate, ZERO) + gross
    lines = []
    for rate in sorted(by_rate):
        gross = by_rate[rate]
        net = round_money(gross * 100 / (100 + rate))
        lines.append(VatLine(rate=rate, gross=gross, net=net, vat=gross - net))
    return tuple(lines)


# -- manual discounts and bundles ---------------------------------------------------------


def manual_share(line: PricedLine) -> Decimal:
    """The manual discount on a line as a percentage of its list amount (for role limits)."""
    manual = sum((d.amount for d in line.discounts if d.code == MANUAL), ZERO)
    base = line.list_upfront + line.list_monthly
    if manual <= 0:
        return ZERO
    if base <= 0:
        return Decimal(100)
    return manual * 100 / base


def needs_approval(line: PricedLine, role: str, policies: Policies) -> bool:
    """Above the role's limit; the limit in cents is rounded like any discount (10 % of
    24.99 is 2.50, which is within a 10 % limit)."""
    manual = sum((d.amount for d in line.discounts if d.code == MANUAL), ZERO)
    base = line.list_upfront + line.list_monthly
    return manual > round_money(base * policies.manual_discount_limit(role) / 100)


def expand_bundle(catalog: Catalog, code: str, line_ids: tuple[str, str]) -> list[BasketItem]:
    """A bundle becomes its plan and device lines, both with the bundle's commitment."""
    bundle = catalog.require(code)
    if bundle.bundle is None:
        raise ValidationError(f"{bundle.name} is not a bundle.", field="code")
    spec = bundle.bundle
    return [
        BasketItem(line_ids[0], spec.plan, commitment=spec.commitment),
        BasketItem(line_ids[1], spec.device, commitment=spec.commitment),
    ]


def with_commitment(items: Sequence[BasketItem], commitment: int) -> list[BasketItem]:
    return [replace(i, commitment=commitment) for i in items]
