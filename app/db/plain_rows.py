"""Business rows written as plain values at commit, without a mapped object.

A sale writes a dozen rows nobody reads back in its transaction (payment, order events,
timeline entries, stock move, drawer opening …) and changes a few it read only to change
them (the SIM sold, the number assigned). Building a mapped object for each, adding it to
the session and telling the session afterwards that it is stored costs several times what
writing the row costs. :func:`add_row` queues a new row's values instead, and
:func:`change_row` a change to a row :func:`read_row` read;
:func:`app.db.row_writes.write_pending` writes them with the session's plain pending
objects — same defaults, same store and terminal, same version check, same outbox rows —
in one statement per table.

Whenever the session itself has to flush (an explicit ``flush()``, autoflush before a
query, a savepoint, or a commit that the plain writer leaves to the ORM) the queued rows
are first turned into mapped objects (:class:`StoreSession`), so a query sees them as it
would see pending objects and the ORM writes them in the right order. A rollback, of the
transaction or of a savepoint, forgets what was queued since.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import Select, bindparam, event, inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.orm.util import identity_key

from app.db import prepared
from app.db.base import SyncRow
from domain.ids import new_id

_QUEUE = "plain_new"
_CHANGES = "plain_changes"
_KEYS: dict[type[SyncRow], tuple[str, ...]] = {}
_READS: dict[tuple[type[SyncRow], str], Select[Any]] = {}

Queued = tuple[type[SyncRow], dict[str, Any]]
# A queued change: the model, the row as read (every column) and the new values.
Change = tuple[type[SyncRow], dict[str, Any], dict[str, Any]]


def _keys(model: type[SyncRow]) -> tuple[str, ...]:
    keys = _KEYS.get(model)
    if keys is None:
        keys = _KEYS[model] = tuple(a.key for a in inspect(model).column_attrs)
    return keys


def _check_keys(model: type[SyncRow], values: dict[str, Any]) -> None:
    unknown = values.keys() - set(_keys(model))
    if unknown:
        raise TypeError(f"{model.__name__} has no column {sorted(unknown)[0]!r}")


def read_row(
    session: Session, model: type[SyncRow], column: str, value: Any
) -> dict[str, Any] | None:
    """The first ``model`` row whose ``column`` equals ``value``, every column by attribute
    name; None if there is none. A row the session holds as an object is given as the
    object has it (its unflushed changes included)."""
    statement = _READS.get((model, column))
    if statement is None:
        mapper = inspect(model)
        statement = _READS[(model, column)] = select(
            *(mapper.columns[key] for key in _keys(model))
        ).where(mapper.columns[column] == bindparam("value"))
    found = prepared.first(session.connection(), statement, {"value": value})
    if found is None:
        return None
    values = dict(zip(_keys(model), found, strict=True))
    held = session.identity_map.get(identity_key(model, (values["id"],)))
    if held is not None:
        values = {key: getattr(held, key) for key in _keys(model)}
    return values


def change_row(session: Session, model: type[SyncRow], row: dict[str, Any], **changes: Any) -> None:
    """Queue a change to ``row`` (as :func:`read_row` gave it); written at commit with the
    version check (a row someone else changed meanwhile fails the transaction)."""
    _check_keys(model, changes)
    held = session.identity_map.get(identity_key(model, (row["id"],)))
    if held is not None:  # the session holds it as an object: the object takes the change
        for key, value in changes.items():
            setattr(held, key, value)
        return
    session.info.setdefault(_CHANGES, []).append((model, row, changes))


def add_row(session: Session, model: type[SyncRow], /, **values: Any) -> uuid.UUID:
    """Queue a new ``model`` row with these column values; returns its id.

    Values are given by attribute name, as to the model's constructor; a name the model
    does not have is refused at once (a typo must not become a silently missing value).
    """
    _check_keys(model, values)
    if values.get("id") is None:
        values["id"] = new_id()
    session.info.setdefault(_QUEUE, []).append((model, values))
    row_id: uuid.UUID = values["id"]
    return row_id


def pending(session: Session, model: type[SyncRow]) -> Iterator[dict[str, Any]]:
    """The queued rows of ``model`` (values by attribute name), oldest first."""
    for queued_model, values in session.info.get(_QUEUE, ()):
        if queued_model is model:
            yield values


def queued(session: Session) -> list[Queued]:
    """Everything queued, oldest first (still queued)."""
    rows: list[Queued] = session.info.get(_QUEUE, [])
    return rows


def has_queued(session: Session) -> bool:
    return bool(session.info.get(_QUEUE) or session.info.get(_CHANGES))


def take(session: Session) -> list[Queued]:
    """Remove and return the queued new rows (the caller writes them now)."""
    queued: list[Queued] = session.info.pop(_QUEUE, [])
    return queued


def take_changes(session: Session) -> list[Change]:
    """Remove and return the queued changes (the caller writes them now)."""
    changes: list[Change] = session.info.pop(_CHANGES, [])
    return changes


def materialize(session: Session) -> None:
    """Turn what is queued into pending and changed mapped objects, for the ORM's flush."""
    rows: Iterable[Queued] = take(session)
    for model, values in rows:
        session.add(model(**values))
    with session.no_autoflush:
        for model, row, changes in take_changes(session):
            held = session.get(model, row["id"])
            if held is None or held.version != row["version"]:
                raise StaleDataError(
                    f"{model.__tablename__} row {row['id']} was changed or deleted "  # type: ignore[attr-defined]
                    "by someone else in the meantime"
                )
            for key, value in changes.items():
                setattr(held, key, value)


class StoreSession(Session):
    """A session whose every flush (explicit, autoflush, savepoint, commit) first adds the
    queued rows as mapped objects — a flush of a session holding nothing else would
    otherwise see nothing to do."""

    def flush(self, objects: Any = None) -> None:
        if has_queued(self):
            materialize(self)
        super().flush(objects)


@event.listens_for(StoreSession, "after_soft_rollback")
def _forget_queued(session: Session, _previous: Any) -> None:
    # Anything still queued was added inside the transaction or savepoint rolled back:
    # queued rows never outlive a flush, and every savepoint begins with one.
    take(session)
    take_changes(session)
