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
"""

from __future__ import annotations

import bisect
import contextlib
import difflib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, TypeVar

from domain.catalog import (
    ALWAYS,
    COMMITMENT_TERMS,
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
    Validity,
)
from domain.catalog_rules import catalog_problems
from domain.json_values import describe
from domain.money import CENT
from domain.promotions import Charge, Condition, Promotion, Selector, Stacking, Target

FORMAT_VERSION = 1
CATALOG_TYPE = "Catalog"
OFFERING_TYPE = "ProductOffering"
CHARGE_PERIOD = "month"  # the only recurring charge period
SERIAL_KINDS = ("iccid", "imei")

# The keys of each object, in the order dump_catalog writes them.
DOCUMENT_KEYS = ("@type", "formatVersion", "currency", "policies", "productOffering", "promotion")
POLICY_KEYS = ("postpaidMinimumAge", "maxActiveLinesPerCustomer", "manualDiscountLimits")
OFFERING_KEYS = (
    "@type",
    "id",
    "name",
    "kind",
    "lifecycleStatus",
    "validFor",
    "family",
    "description",
    "barcode",
    "serial",
    "requires",
    "stores",
    "channels",
    "minimumAge",
    "feeType",
    "plan",
    "device",
    "sim",
    "topup",
    "bundle",
    "productOfferingPrice",
)
VALIDITY_KEYS = ("startDateTime", "endDateTime")
PRICE_KEYS = (
    "priceType",
    "recurringChargePeriod",
    "price",
    "taxRate",
    "commitmentMonths",
    "validFor",
)
PLAN_KEYS = ("payment", "dataMB", "minutes", "sms", "roaming", "commitments")
DEVICE_KEYS = (
    "brand",
    "model",
    "tacs",
    "colour",
    "capacityGB",
    "esimCapable",
    "instalments",
    "minUpfront",
)
SIM_KEYS = ("form",)
TOPUP_KEYS = ("fixed", "minimum", "maximum")
BUNDLE_KEYS = ("plan", "device", "commitment")
PROMOTION_KEYS = (
    "id",
    "name",
    "target",
    "charge",
    "percent",
    "amount",
    "appliesTo",
    "conditions",
    "nth",
    "priority",
    "stacking",
    "lifecycleStatus",
    "validFor",
    "stores",
)
SELECTOR_KEYS = ("kinds", "codes", "families", "payment", "minCommitment")
CONDITION_KEYS = ("selector", "minCount")

# The kind-specific object each kind may carry.
KIND_OBJECTS: dict[str, OfferingKind] = {
    "plan": OfferingKind.PLAN,
    "device": OfferingKind.DEVICE,
    "sim": OfferingKind.SIM,
    "topup": OfferingKind.TOPUP,
    "bundle": OfferingKind.BUNDLE,
}

Segment = str | int
Path = tuple[Segment, ...]
E = TypeVar("E", bound=StrEnum)

_DECIMAL = re.compile(r"-?(\d+)(?:\.(\d+))?")
_CURRENCY = re.compile(r"[A-Z]{3}")
_PLAIN_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MISSING: Any = object()


# -- the document and its errors ------------------------------------------------------------


@dataclass(frozen=True)
class CatalogDocument:
    """A whole catalog file: what an import loads and an export writes."""

    currency: str
    policies: Policies
    offerings: tuple[Offering, ...]
    promotions: tuple[Promotion, ...]


class CatalogFormatError(Exception):
    """The catalog (or one entry) cannot be used; ``problems`` says where and what, each."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems: list[str] = list(problems)
        super().__init__(self._text())

    def _text(self) -> str:
        count = len(self.problems)
        head = "1 problem in the catalog:" if count == 1 else f"{count} problems in the catalog:"
        return "\n".join([head, *(f"  {problem}" for problem in self.problems)])

    def __str__(self) -> str:
        return self._text()


# -- reading --------------------------------------------------------------------------------


def parse_catalog(text: str) -> CatalogDocument:
    """Read a catalog file; every problem in it is reported together, or nothing is returned."""
    text = text.removeprefix("\ufeff")  # a byte-order mark some editors write
    try:
        data = json.loads(
            text,
            object_pairs_hook=_JsonObject.from_pairs,
            parse_float=Decimal,
            parse_constant=_Constant,
        )
    except json.JSONDecodeError as exc:
        raise CatalogFormatError(
            [f"line {exc.lineno}, column {exc.colno}: this is not valid JSON: {exc.msg}"]
        ) from None
    except RecursionError:
        raise CatalogFormatError(["the file is nested too deeply to be a catalog"]) from None
    reader = _Reader(currency="")
    reader.labels[()] = ""
    doc = _read_document(reader, data)
    problems = list(reader.problems)
    if doc is not None:
        problems.extend(_rule_problems(doc, reader))
    if problems:
        lines = _LineMap(text)
        located = sorted(
            ((lines.line_of(path), n, path, message) for n, (path, message) in enumerate(problems)),
            key=lambda p: (p[0] or 0, p[1]),
        )
        raise CatalogFormatError(
            [_located(line, reader.render(path), message) for line, _n, path, message in located]
        )
    assert doc is not None  # no problem means the document was read
    return doc


def offering_from_dict(data: dict[str, Any], *, currency: str, where: str = "offering") -> Offering:
    """One offering from its entry in the file; prices must be in ``currency``."""
    reader = _Reader(currency=currency)
    reader.labels[()] = where
    offering = _read_offering(reader, data, ())
    reader.raise_if_any()
    assert offering is not None
    return offering


def promotion_from_dict(
    data: dict[str, Any], *, currency: str, where: str = "promotion"
) -> Promotion:
    """One promotion from its entry in the file (``amount`` is in ``currency``)."""
    reader = _Reader(currency=currency)
    reader.labels[()] = where
    promotion = _read_promotion(reader, data, ())
    reader.raise_if_any()
    assert promotion is not None
    return promotion


def policies_from_dict(data: dict[str, Any], *, where: str = "policies") -> Policies:
    reader = _Reader(currency="")
    reader.labels[()] = where
    policies = _read_policies(reader, data, ())
    reader.raise_if_any()
    return policies


class _Constant:
    """NaN and Infinity: JSON's decoder accepts them, no field of a catalog does."""

    def __init__(self, name: str) -> None:
        self.name = name


class _JsonObject(dict[str, Any]):
    """A JSON object that remembers keys written twice (the decoder keeps only the last)."""

    duplicates: tuple[str, ...] = ()

    @classmethod
    def from_pairs(cls, pairs: list[tuple[str, Any]]) -> _JsonObject:
        obj = cls(pairs)
        if len(obj) != len(pairs):
            seen: set[str] = set()
            twice: list[str] = []
            for key, _value in pairs:
                if key in seen and key not in twice:
                    twice.append(key)
                seen.add(key)
            obj.duplicates = tuple(twice)
        return obj


def _describe(value: Any) -> str:
    """:func:`domain.json_values.describe`, and JSON's bare words (NaN …) by name."""
    return value.name if isinstance(value, _Constant) else describe(value)


class _Reader:
    """Collects problems as (path, message) while entries are read; never stops at the first."""

    def __init__(self, currency: str) -> None:
        self.currency = currency
        self.problems: list[tuple[Path, str]] = []
        self.labels: dict[Path, str] = {}  # how a path prefix is shown, e.g. with its code
        # The file path of each offering and promotion read (an entry that is not an object
        # is left out of the document, so its index there can differ from the file's).
        self.entries: dict[str, list[Path]] = {"offering": [], "promotion": []}

    def problem(self, path: Path, message: str) -> None:
        self.problems.append((path, message))

    def wrong(self, path: Path, expected: str, value: Any) -> None:
        self.problem(path, f"must be {expected}, not {_describe(value)}")

    def label(self, path: Path, code: str) -> None:
        self.labels[path] = f"{self.render(path)} ({code})"

    def render(self, path: Path) -> str:
        for n in range(len(path), -1, -1):
            if path[:n] in self.labels:
                out, rest = self.labels[path[:n]], path[n:]
                break
        else:  # pragma: no cover - the root always has a label
            out, rest = "", path
        for segment in rest:
            if isinstance(segment, int):
                out += f"[{segment}]"
            else:
                out += f".{segment}" if out else segment
        return out

    def fields(
        self,
        data: Any,
        path: Path,
        keys: Sequence[str],
        required: Sequence[str] = (),
        *,
        what: str = "an object",
    ) -> _Fields | None:
        if not isinstance(data, dict):
            self.wrong(path, f"{what} {{...}}", data)
            return None
        return _Fields(self, data, path, keys, required)

    def raise_if_any(self) -> None:
        if self.problems:
            raise CatalogFormatError(
                [_located(None, self.render(path), message) for path, message in self.problems]
            )


_MISSING_HINTS = {
    "taxRate": 'price without a VAT rate: give taxRate in percent, e.g. "19"',
    "name": "missing: every entry needs a name",
}


class _Fields:
    """One JSON object being read: typed getters that record a problem and return a default."""

    def __init__(
        self,
        reader: _Reader,
        data: Mapping[str, Any],
        path: Path,
        keys: Sequence[str],
        required: Sequence[str],
    ) -> None:
        self.r = reader
        self.data = data
        self.path = path
        for key in getattr(data, "duplicates", ()):
            reader.problem(self.at(key), "written twice in the same object")
        for key in data:
            if key not in keys:
                close = difflib.get_close_matches(key, keys, n=1)
                hint = f'did you mean "{close[0]}"?' if close else "allowed: " + ", ".join(keys)
                reader.problem(self.at(key), f'unknown key "{key}" ({hint})')
        for key in required:
            if key not in data:
                reader.problem(self.at(key), _MISSING_HINTS.get(key, "missing"))

    def at(self, key: Segment) -> Path:
        return (*self.path, key)

    def has(self, key: str) -> bool:
        return key in self.data

    def get(self, key: str) -> Any:
        return self.data.get(key, _MISSING)

    def text(self, key: str, default: str = "") -> str:
        value = self.get(key)
        if value is _MISSING:
            return default
        if isinstance(value, str):
            return value
        self.r.wrong(self.at(key), "a text in quotes", value)
        return default

    def code(self, key: str) -> str:
        value = self.text(key)
        if key in self.data and isinstance(self.data[key], str):
            if not value.strip():
                self.r.problem(self.at(key), "must not be empty")
            elif value != value.strip():
                self.r.problem(self.at(key), f'"{value}" has spaces at the start or end')
        return value

    def choice(self, key: str, allowed: Sequence[str], default: str = "") -> str:
        value = self.text(key, default)
        if key in self.data and isinstance(self.data[key], str) and value not in allowed:
            listed = ", ".join(f'"{a}"' for a in allowed)
            self.r.problem(self.at(key), f'unknown {key} "{value}" (allowed: {listed})')
            return default
        return value

    def enum(self, key: str, cls: type[E], default: E) -> E:
        found = self.optional_enum(key, cls, nullable=False)
        return default if found is None else found

    def optional_enum(self, key: str, cls: type[E], *, nullable: bool = True) -> E | None:
        value = self.get(key)
        if value is _MISSING or (value is None and nullable):
            return None
        allowed = ", ".join(member.value for member in cls)
        if not isinstance(value, str):
            self.r.wrong(self.at(key), f"one of {allowed}", value)
            return None
        try:
            return cls(value)
        except ValueError:
            self.r.problem(self.at(key), f'unknown {key} "{value}" (allowed: {allowed})')
            return None

    def boolean(self, key: str, default: bool = False) -> bool:
        value = self.get(key)
        if value is _MISSING:
            return default
        if isinstance(value, bool):
            return value
        self.r.wrong(self.at(key), "true or false", value)
        return default

    def integer(self, key: str, default: int = 0, *, low: int | None = None) -> int:
        found = self.optional_integer(key, nullable=False, low=low)
        return default if found is None else found

    def optional_integer(
        self, key: str, *, nullable: bool = True, low: int | None = None, high: int | None = None
    ) -> int | None:
        value = self.get(key)
        if value is _MISSING or (value is None and nullable):
            return None
        return _whole(self.r, self.at(key), value, low=low, high=high)

    def integers(self, key: str, default: tuple[int, ...] = ()) -> tuple[int, ...]:
        items = self.items(key)
        if items is None:
            return default
        found = [_whole(self.r, (*self.at(key), n), v) for n, v in enumerate(items)]
        return tuple(v for v in found if v is not None)

    def items(self, key: str) -> list[Any] | None:
        value = self.get(key)
        if value is _MISSING:
            return None
        if isinstance(value, list):
            return value
        self.r.wrong(self.at(key), "a list [...]", value)
        return None

    def texts(self, key: str) -> tuple[str, ...]:
        out: list[str] = []
        for n, value in enumerate(self.items(key) or []):
            at = (*self.at(key), n)
            if not isinstance(value, str):
                self.r.wrong(at, "a text in quotes", value)
            elif not value.strip():
                self.r.problem(at, "must not be empty")
            else:
                out.append(value)
        return tuple(out)

    def text_set(self, key: str) -> frozenset[str]:
        values = self.texts(key)
        for value in sorted({v for v in values if values.count(v) > 1}):
            self.r.problem(self.at(key), f'"{value}" is listed twice')
        return frozenset(values)

    def enum_set(self, key: str, cls: type[E]) -> frozenset[E]:
        allowed = ", ".join(member.value for member in cls)
        found: list[E] = []
        for n, value in enumerate(self.items(key) or []):
            at = (*self.at(key), n)
            if not isinstance(value, str):
                self.r.wrong(at, f"one of {allowed}", value)
                continue
            try:
                member = cls(value)
            except ValueError:
                self.r.problem(at, f'unknown {key} "{value}" (allowed: {allowed})')
                continue
            if member in found:
                self.r.problem(self.at(key), f'"{value}" is listed twice')
            found.append(member)
        return frozenset(found)

    def amount(self, key: str, default: Decimal = Decimal("0.00")) -> Decimal:
        found = self.optional_amount(key, nullable=False)
        return default if found is None else found

    def optional_amount(self, key: str, *, nullable: bool = True) -> Decimal | None:
        value = self.get(key)
        if value is _MISSING or (value is None and nullable):
            return None
        return _decimal(self.r, self.at(key), value, money=True)

    def percent(self, key: str, default: Decimal = Decimal(0)) -> Decimal:
        found = self.optional_percent(key, nullable=False)
        return default if found is None else found

    def optional_percent(self, key: str, *, nullable: bool = True) -> Decimal | None:
        value = self.get(key)
        if value is _MISSING or (value is None and nullable):
            return None
        return _decimal(self.r, self.at(key), value, money=False)

    def obj(self, key: str, keys: Sequence[str], required: Sequence[str] = ()) -> _Fields | None:
        if key not in self.data:
            return None
        return self.r.fields(self.data[key], self.at(key), keys, required)

    def validity(self, key: str = "validFor") -> Validity:
        f = self.obj(key, VALIDITY_KEYS)
        if f is None:
            return ALWAYS
        start, end = f.day("startDateTime"), f.day("endDateTime")
        return Validity(start, end)

    def day(self, key: str) -> date | None:
        value = self.get(key)
        if value is _MISSING or value is None:
            return None
        if not isinstance(value, str):
            self.r.wrong(self.at(key), 'a date in quotes, e.g. "2026-01-01"', value)
            return None
        try:
            if _PLAIN_DATE.fullmatch(value):
                return date.fromisoformat(value)
            if _PLAIN_DATE.match(value):
                return datetime.fromisoformat(value).date()
        except ValueError:
            pass
        self.r.problem(self.at(key), f'"{value}" is not a date (write YYYY-MM-DD)')
        return None


def _whole(
    reader: _Reader, path: Path, value: Any, *, low: int | None = None, high: int | None = None
) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        reader.wrong(path, "a whole number", value)
        return None
    if low is not None and value < low:
        reader.problem(path, f"must be at least {low}, not {value}")
        return None
    if high is not None and value > high:
        reader.problem(path, f"must be at most {high}, not {value}")
        return None
    return value


def _decimal(reader: _Reader, path: Path, value: Any, *, money: bool) -> Decimal | None:
    example = '"24.99"' if money else '"19"'
    what = "an amount" if money else "a percentage"
    if not isinstance(value, str):
        reader.wrong(path, f"{what} in quotes, e.g. {example}", value)
        return None
    match = _DECIMAL.fullmatch(value)
    if match is None:
        reader.problem(path, f'"{value}" is not {what} (write it like {example})')
        return None
    places = len(match.group(2) or "")
    if places > 2:
        kind = "amounts" if money else "percentages"
        reader.problem(path, f'"{value}" has {places} decimal places; {kind} have at most 2')
        return None
    try:
        number = Decimal(value)
        return number.quantize(CENT) if money else number
    except InvalidOperation:
        reader.problem(path, f'"{value}" is too large')
        return None


def _read_document(r: _Reader, data: Any) -> CatalogDocument | None:
    if not isinstance(data, dict):
        r.problem(
            (),
            f'the file must hold one JSON object {{"@type": "{CATALOG_TYPE}", ...}},'
            f" not {_describe(data)}",
        )
        return None
    f = _Fields(
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
        policies = _read_policies(r, f.get("policies"), f.at("policies"))
    offerings: list[Offering] = []
    for n, item in enumerate(f.items("productOffering") or []):
        offering = _read_offering(r, item, ("productOffering", n))
        if offering is not None:
            offerings.append(offering)
            r.entries["offering"].append(("productOffering", n))
    promotions: list[Promotion] = []
    for n, item in enumerate(f.items("promotion") or []):
        promotion = _read_promotion(r, item, ("promotion", n))
        if promotion is not None:
            promotions.append(promotion)
            r.entries["promotion"].append(("promotion", n))
    return CatalogDocument(
        currency=currency,
        policies=policies,
        offerings=tuple(offerings),
        promotions=tuple(promotions),
    )


def _read_policies(r: _Reader, data: Any, path: Path) -> Policies:
    f = r.fields(data, path, POLICY_KEYS)
    default = Policies()
    if f is None:
        return default
    limits = dict(default.manual_discount_limits)
    raw = f.get("manualDiscountLimits")
    if raw is not _MISSING:
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


def _read_offering(r: _Reader, data: Any, path: Path) -> Offering | None:
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


def _read_price(r: _Reader, data: Any, path: Path) -> Price | None:
    f = r.fields(data, path, PRICE_KEYS, ("priceType", "price", "taxRate"), what="a price")
    if f is None:
        return None
    price_type = f.optional_enum("priceType", PriceType, nullable=False)
    period = f.get("recurringChargePeriod")
    if price_type is PriceType.RECURRING and period is _MISSING:
        r.problem(
            f.at("recurringChargePeriod"), f'missing: a recurring price is per "{CHARGE_PERIOD}"'
        )
    elif price_type is PriceType.RECURRING and period != CHARGE_PERIOD:
        r.problem(
            f.at("recurringChargePeriod"),
            f'must be "{CHARGE_PERIOD}" (the only recurring charge), not {_describe(period)}',
        )
    elif price_type is PriceType.ONE_TIME and period is not _MISSING:
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


def _read_plan(f: _Fields | None) -> PlanSpec | None:
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


def _read_device(f: _Fields | None) -> DeviceSpec | None:
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


def _read_topup(f: _Fields | None) -> TopupSpec | None:
    if f is None:
        return None
    default = TopupSpec()
    return TopupSpec(
        fixed=f.optional_amount("fixed"),
        minimum=f.amount("minimum", default.minimum),
        maximum=f.amount("maximum", default.maximum),
    )


def _read_bundle(f: _Fields | None) -> BundleSpec | None:
    if f is None:
        return None
    return BundleSpec(
        plan=f.code("plan"), device=f.code("device"), commitment=f.integer("commitment")
    )


def _read_promotion(r: _Reader, data: Any, path: Path) -> Promotion | None:
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


def _read_selector(f: _Fields | None) -> Selector:
    if f is None:
        return Selector()
    return Selector(
        kinds=f.enum_set("kinds", OfferingKind),
        codes=f.text_set("codes"),
        families=f.text_set("families"),
        payment=f.optional_enum("payment", Payment),
        min_commitment=f.integer("minCommitment"),
    )


# -- the whole-catalog rules, located ---------------------------------------------------------

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


def _rule_problems(doc: CatalogDocument, reader: _Reader) -> list[tuple[Path, str]]:
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


# -- where in the text ------------------------------------------------------------------------

_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder(parse_float=Decimal, parse_constant=_Constant)


class _LineMap:
    """The line of every key and value in a JSON text that parsed, by path.

    The standard decoder does not say where objects are, so this walks the (valid) text once;
    it is only built when there is a problem to show.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines: dict[Path, int] = {}
        self._newlines = [i for i, c in enumerate(text) if c == "\n"]
        with contextlib.suppress(RecursionError, ValueError, IndexError):  # it parsed already
            self._value(self._skip(0), ())

    def _line(self, index: int) -> int:
        return bisect.bisect_left(self._newlines, index) + 1

    def _skip(self, index: int) -> int:
        match = _WS.match(self.text, index)
        return match.end() if match else index

    def _value(self, i: int, path: Path) -> int:
        self.lines.setdefault(path, self._line(i))
        text = self.text
        if text[i] == "{":
            i = self._skip(i + 1)
            if text[i] == "}":
                return i + 1
            while True:
                key_line = self._line(i)
                key, i = _DECODER.raw_decode(text, i)
                self.lines[(*path, key)] = key_line  # the last of a key written twice counts
                i = self._skip(i)  # at ":"
                i = self._skip(self._value(self._skip(i + 1), (*path, key)))
                if text[i] == ",":
                    i = self._skip(i + 1)
                    continue
                return i + 1
        if text[i] == "[":
            i = self._skip(i + 1)
            if text[i] == "]":
                return i + 1
            n = 0
            while True:
                i = self._skip(self._value(i, (*path, n)))
                if text[i] == ",":
                    i, n = self._skip(i + 1), n + 1
                    continue
                return i + 1
        _scalar, end = _DECODER.raw_decode(text, i)
        return int(end)

    def line_of(self, path: Path) -> int | None:
        for n in range(len(path), -1, -1):
            prefix = path[:n]
            if n == 2 and prefix[0] in ("productOffering", "promotion"):
                line = self.lines.get((*prefix, "id"))
                if line is not None:
                    return line
            if prefix in self.lines:
                return self.lines[prefix]
        return None


def _located(line: int | None, where: str, message: str) -> str:
    head = f"line {line}: " if line is not None else ""
    return f"{head}{where}: {message}" if where else f"{head}{message}"


__all__ = [
    "CatalogDocument",
    "CatalogFormatError",
    "offering_from_dict",
    "parse_catalog",
    "policies_from_dict",
    "promotion_from_dict",
]
