"""A case's field values: read from what a person typed, checked against the type, stored.

Values in the program are typed (``str``, ``Decimal``, ``date``, ``uuid.UUID``); stored
values are JSON text (:func:`to_json` / :func:`from_json`): amounts with two decimals,
dates ISO, references as UUID text. An empty value means "not filled in".
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation

from domain.cases.definitions import CaseType, FieldDef, FieldType
from domain.errors import ValidationError
from domain.money import CENT, parse_amount

FieldValue = str | Decimal | date | uuid.UUID
Values = dict[str, FieldValue]


def parse_values(case_type: CaseType, raw: Mapping[str, object]) -> dict[str, FieldValue | None]:
    """Typed values for the fields named in ``raw``; ``None`` for a field being emptied.

    Raises :class:`ValidationError` (``field`` = the field's name) for the first value that
    does not fit, in the type's field order, or for a field the type does not have.
    """
    for name in raw:
        if case_type.field(name) is None:
            known = ", ".join(f.name for f in case_type.fields) or "none"
            raise ValidationError(
                f'{case_type.title} has no field "{name}" (its fields: {known}).', field=name
            )
    out: dict[str, FieldValue | None] = {}
    for f in case_type.fields:
        if f.name in raw:
            out[f.name] = parse_value(f, raw[f.name])
    return out


def parse_value(f: FieldDef, value: object) -> FieldValue | None:
    """One field's value from typed text or an already typed value."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if f.type is FieldType.TEXT:
        text = " ".join(str(value).split()) if "\n" not in str(value) else str(value).strip()
        if len(text) > f.max_length:
            raise ValidationError(
                f"{f.label}: at most {f.max_length} characters, not {len(text)}.", field=f.name
            )
        return text
    if f.type is FieldType.NUMBER:
        return _number(f, value)
    if f.type is FieldType.MONEY:
        if isinstance(value, Decimal):
            value = str(value)
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            raise ValidationError(f"{f.label}: enter an amount such as 12.50.", field=f.name)
        amount = parse_amount(value, field=f.name)
        return amount.quantize(CENT)
    if f.type is FieldType.DATE:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            raise ValidationError(
                f"{f.label}: {str(value).strip()!r} is not a date (YYYY-MM-DD).", field=f.name
            ) from None
    if f.type is FieldType.CHOICE:
        text = str(value).strip()
        if text not in f.choices:
            raise ValidationError(
                f"{f.label}: {text!r} is not one of the choices ({', '.join(f.choices)}).",
                field=f.name,
            )
        return text
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value).strip())
    except ValueError:
        raise ValidationError(
            f"{f.label}: {str(value).strip()!r} does not identify a {f.to or 'record'}.",
            field=f.name,
        ) from None


def _number(f: FieldDef, value: object) -> Decimal:
    if isinstance(value, bool):
        raise ValidationError(f"{f.label}: enter a number.", field=f.name)
    text = str(value).strip().replace(",", ".").replace(" ", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValidationError(f"{f.label}: {text!r} is not a number.", field=f.name) from None
    if not number.is_finite() or abs(number) >= Decimal(10) ** 12:
        raise ValidationError(f"{f.label}: {text!r} is not a usable number.", field=f.name)
    return number


def missing(values: Mapping[str, object], names: tuple[str, ...]) -> list[str]:
    """The names among ``names`` whose value is empty."""
    return [n for n in names if values.get(n) in (None, "")]


def to_json(values: Mapping[str, FieldValue]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in values.items():
        if isinstance(value, Decimal):
            out[name] = format(value, "f")
        elif isinstance(value, date):
            out[name] = value.isoformat()
        elif isinstance(value, uuid.UUID):
            out[name] = str(value)
        else:
            out[name] = value
    return out


def from_json(case_type: CaseType, stored: Mapping[str, object]) -> Values:
    """Stored values, typed by the type's fields; a value a newer version cannot read is
    kept as its text (so nothing is ever dropped)."""
    out: Values = {}
    for name, raw in stored.items():
        f = case_type.field(name)
        try:
            value = parse_value(f, raw) if f is not None else None
        except ValidationError:
            value = None
        if value is not None:
            out[name] = value
        elif raw not in (None, ""):
            out[name] = str(raw)
    return out


def display(f: FieldDef | None, value: FieldValue) -> str:
    """A value as the board and the detail show it."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def invalid_values(case_type: CaseType, stored: Mapping[str, object]) -> list[str]:
    """Why ``stored`` values would not fit ``case_type`` (a new version of a type must keep
    the values of open cases readable): one sentence per field."""
    problems = []
    for name, raw in stored.items():
        f = case_type.field(name)
        if f is None:
            problems.append(f'field "{name}" is no longer defined')
            continue
        try:
            parse_value(f, raw)
        except ValidationError as exc:
            problems.append(exc.message)
    return problems
