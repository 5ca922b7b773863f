"""Invoices as stored: :class:`InvoiceData` to JSON-safe primitives and back.

The invoice row keeps the document exactly as issued, so a copy printed years later says
what the original said (:meth:`app.services.invoices.InvoiceService.pdf`). Amounts are
decimal strings in the document's one currency, dates ISO strings; ``format`` numbers the
layout of the stored form.
"""

from __future__ import annotations

from dataclasses import fields as dataclass_fields
from dataclasses import is_dataclass
from datetime import date
from decimal import Decimal
from types import UnionType
from typing import Any, Union, get_args, get_origin, get_type_hints

from app.documents.invoice import InvoiceData
from domain.money import Money


def encode_invoice(data: InvoiceData) -> dict[str, Any]:
    """``data`` as JSON-safe primitives; :func:`decode_invoice` gives it back unchanged.

    Amounts are decimal strings in the document's one currency, dates ISO strings.
    """
    plain = _plain(data)
    assert isinstance(plain, dict)
    return {"format": 1, "currency": data.currency, **plain}


def decode_invoice(raw: dict[str, Any]) -> InvoiceData:
    """The document :func:`encode_invoice` stored; ValueError if it no longer adds up."""
    fields = {key: value for key, value in raw.items() if key not in ("format", "currency")}
    data = _build(InvoiceData, fields, str(raw["currency"]))
    assert isinstance(data, InvoiceData)
    return data


def _plain(value: object) -> object:
    if isinstance(value, Money):
        return str(value.amount)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclass_fields(value)}
    return value


def _build(hint: Any, raw: Any, currency: str) -> Any:
    """The value of type ``hint`` that :func:`_plain` turned into ``raw``."""
    if raw is None:
        return None
    origin = get_origin(hint)
    if origin in (Union, UnionType):
        (inner,) = [arg for arg in get_args(hint) if arg is not type(None)]
        return _build(inner, raw, currency)
    if origin is tuple:
        return tuple(_build(get_args(hint)[0], item, currency) for item in raw)
    if hint is Money:
        return Money(Decimal(raw), currency)
    if hint is Decimal:
        return Decimal(raw)
    if hint is date:
        return date.fromisoformat(raw)
    if isinstance(hint, type) and is_dataclass(hint):
        hints = get_type_hints(hint)
        return hint(**{key: _build(hints[key], value, currency) for key, value in raw.items()})
    return raw
