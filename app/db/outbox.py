"""Outbox rows: one per business row a transaction inserted, updated or deleted.

Written in the same transaction as the rows themselves (by the unit of work's flush hook,
or by :mod:`app.db.row_writes` when it writes the rows), which is what makes the later
push exactly-once. The payload is the row as stored, as JSON-safe primitives.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, inspect
from sqlalchemy.orm import Mapper, Session

from app.db import prepared
from app.db.base import SyncRow
from app.db.models import OutboxRow
from app.db.types import utcnow


def write_outbox(
    session: Session, queued: list[tuple[type[SyncRow], dict[str, Any]]] | None = None
) -> None:
    """One outbox row per new, changed and deleted business row the session holds, and
    per ``queued`` row written with them (:mod:`app.db.plain_rows`, values complete)."""
    rows: list[dict[str, Any]] = []
    now = utcnow()
    for obj, operation in (
        *((o, "upsert") for o in session.new),
        *((o, "upsert") for o in session.dirty if session.is_modified(o)),
        *((o, "delete") for o in session.deleted),
    ):
        if not isinstance(obj, SyncRow):
            continue
        rows.append(
            {
                "entity": type(obj).__entity__,
                "entity_id": obj.id,
                "operation": operation,
                "version": obj.version,
                "payload": row_payload(obj),
                "created_at": now,
                "sent_at": None,
            }
        )
    for model, values in queued or ():
        rows.append(
            {
                "entity": model.__entity__,
                "entity_id": values["id"],
                "operation": "upsert",
                "version": values["version"],
                "payload": {key: _jsonable(values[key]) for key in _model_keys(model)},
                "created_at": now,
                "sent_at": None,
            }
        )
    if rows:
        prepared.run(session.connection(), "outbox", lambda: insert(OutboxRow), rows)


_KEYS: dict[Mapper[Any], tuple[str, ...]] = {}


def _column_keys(mapper: Mapper[Any]) -> tuple[str, ...]:
    keys = _KEYS.get(mapper)
    if keys is None:
        keys = _KEYS[mapper] = tuple(attr.key for attr in mapper.column_attrs)
    return keys


_MODEL_KEYS: dict[type[SyncRow], tuple[str, ...]] = {}


def _model_keys(model: type[SyncRow]) -> tuple[str, ...]:
    keys = _MODEL_KEYS.get(model)
    if keys is None:
        keys = _MODEL_KEYS[model] = _column_keys(inspect(model))
    return keys


def row_payload(obj: SyncRow) -> dict[str, Any]:
    """Column values as JSON-safe primitives (UUIDs, dates and Decimals as strings)."""
    state = inspect(obj)
    loaded = state.dict
    payload: dict[str, Any] = {}
    for key in _column_keys(state.mapper):
        if key in loaded:
            value = loaded[key]
        elif state.pending or state.key is None or key not in state.expired_attributes:
            value = None  # never set on a new row: stored as NULL
        else:
            value = getattr(obj, key)
        payload[key] = _jsonable(value)
    return payload


_PLAIN = frozenset({str, int, bool, float, type(None)})
# The stored types that are not JSON: by exact type, so most values take one lookup.
_CONVERT: dict[type, Any] = {
    uuid.UUID: str,
    Decimal: str,
    datetime: datetime.isoformat,
    date: date.isoformat,
}


def _jsonable(value: Any) -> Any:
    if type(value) in _PLAIN:  # most columns: no conversion, and no isinstance chain
        return value
    convert = _CONVERT.get(type(value))
    if convert is not None:
        return convert(value)
    if isinstance(value, uuid.UUID | Decimal):  # a subclass
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value
