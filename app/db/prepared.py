"""INSERT and UPDATE statements compiled once and run as the driver's SQL.

``connection.execute(insert(table), rows)`` builds an execution context around the
statement's compiled form and converts every parameter through it each time: for the
dozen small writes of a sale that is most of their cost. :func:`run` compiles a statement
once per dialect, keeps its SQL text, parameter order and the columns' bind processors
(UUIDs, timestamps, JSON), and hands converted rows to ``exec_driver_sql`` — which still
goes through the engine's cursor events and turns driver errors into SQLAlchemy's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.engine.cursor import CursorResult
from sqlalchemy.sql.dml import UpdateBase


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]  # bind names in the order the SQL takes them
    processors: tuple[Callable[[Any], Any] | None, ...]
    positional: bool


_COMPILED: dict[tuple[Any, str], _Compiled] = {}


def run(
    conn: Connection,
    key: Any,
    make: Callable[[], UpdateBase],
    rows: Sequence[dict[str, Any]],
) -> CursorResult[Any]:
    """Run the statement ``make()`` builds (cached under ``key``) for each of ``rows``.

    Every row gives a value for every bind parameter of the statement, by name.
    """
    dialect = conn.dialect
    compiled = _COMPILED.get((key, dialect.name))
    if compiled is None:
        compiled = _COMPILED[(key, dialect.name)] = _compile(make(), dialect, rows[0])
    converted = [_convert(compiled, row) for row in rows]
    parameters: Any = converted if len(converted) > 1 else converted[0]
    return conn.exec_driver_sql(compiled.sql, parameters)


def _compile(statement: UpdateBase, dialect: Dialect, sample: dict[str, Any]) -> _Compiled:
    compiled = statement.compile(dialect=dialect, column_keys=list(sample))
    binds = compiled.binds  # bind name → BindParameter, with its column's type
    positional = compiled.positiontup is not None
    names = tuple(compiled.positiontup or ()) if positional else tuple(binds)
    processors = tuple(
        binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
    )
    return _Compiled(
        sql=compiled.string,
        names=names,
        processors=processors,
        positional=positional,
    )


def _convert(compiled: _Compiled, row: dict[str, Any]) -> Any:
    values = [
        row[name] if process is None else process(row[name])
        for name, process in zip(compiled.names, compiled.processors, strict=True)
    ]
    if compiled.positional:
        return tuple(values)
    return dict(zip(compiled.names, values, strict=True))
