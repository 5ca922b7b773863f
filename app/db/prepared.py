"""Statements compiled once and run as the driver's SQL.

``connection.execute(statement, params)`` builds an execution context around the
statement's compiled form, looks the form up by a cache key it computes from the
statement, and converts every parameter and result value through it each time: for the
dozen small writes and reads of a sale that is most of their cost. Compiled once per
dialect, a statement keeps its SQL text, parameter order, the columns' bind processors
(UUIDs, timestamps, JSON) and, for reads, the result columns' processors; the converted
parameters go to ``exec_driver_sql``, which still goes through the engine's cursor events
and turns driver errors into SQLAlchemy's.

- :func:`run`: an INSERT or UPDATE built by a factory, cached under a key, for many rows.
- :func:`rows`, :func:`first`, :func:`scalar`: a module-level SELECT (or ``UPDATE …
  RETURNING``) with its parameters by name; values a statement was built with (``status
  == "open"``) are kept. Statements with expanding ``IN`` parameters are refused.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.engine.cursor import CursorResult
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.sql.elements import ClauseElement

from app.db.types import UtcDateTime


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
    processors = _bind_processors(binds, names, dialect)
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


@dataclass(frozen=True)
class _Read:
    statement: ClauseElement  # held, so that the id it is cached under is never reused
    sql: str
    names: tuple[str, ...]
    processors: tuple[Callable[[Any], Any] | None, ...]
    built_with: dict[str, Any]  # values the statement was built with, by bind name
    positional: bool
    results: tuple[Callable[[Any], Any] | None, ...] | None  # per column; None: none converts


_READS: dict[tuple[int, str], _Read] = {}
_MAX_READS = 512  # compiled reads kept; far more than the app's module-level statements


def rows(
    conn: Connection, statement: ClauseElement, params: dict[str, Any]
) -> list[tuple[Any, ...]]:
    """Every row ``statement`` gives for ``params``, its values converted as
    ``conn.execute`` converts them (a UUID column gives a :class:`uuid.UUID`); none for a
    statement that returns no rows."""
    read = _READS.get((id(statement), conn.dialect.name))
    if read is None:
        if len(_READS) >= _MAX_READS:  # statements built per call do not belong here
            _READS.clear()
        read = _READS[(id(statement), conn.dialect.name)] = _compile_read(statement, conn.dialect)
    try:
        values = [params[name] if name in params else read.built_with[name] for name in read.names]
    except KeyError as missing:
        raise TypeError(f"the statement needs a value for {missing.args[0]!r}") from None
    converted = [v if p is None else p(v) for v, p in zip(values, read.processors, strict=True)]
    parameters: Any = (
        tuple(converted) if read.positional else dict(zip(read.names, converted, strict=True))
    )
    result = conn.exec_driver_sql(read.sql, parameters)
    if not result.returns_rows:  # an UPDATE without RETURNING
        return []
    found = result.fetchall()
    if read.results is None:
        return [tuple(row) for row in found]
    return [
        tuple(v if p is None else p(v) for v, p in zip(row, read.results, strict=True))
        for row in found
    ]


def first(
    conn: Connection, statement: ClauseElement, params: dict[str, Any]
) -> tuple[Any, ...] | None:
    """The first of :func:`rows`, or None."""
    found = rows(conn, statement, params)
    return found[0] if found else None


def scalar(conn: Connection, statement: ClauseElement, params: dict[str, Any]) -> Any:
    """The first column of :func:`first`, or None."""
    found = rows(conn, statement, params)
    return found[0][0] if found else None


def _compile_read(statement: ClauseElement, dialect: Dialect) -> _Read:
    compiled = cast(SQLCompiler, statement.compile(dialect=dialect))
    binds = compiled.binds
    if any(bind.expanding for bind in binds.values()):
        raise ValueError("statements with expanding IN parameters are not prepared")
    positional = compiled.positiontup is not None
    names = tuple(compiled.positiontup or ()) if positional else tuple(binds)
    processors = _bind_processors(binds, names, dialect)
    built_with = {
        name: bind.effective_value
        for name, bind in binds.items()
        if bind.value is not None or bind.callable is not None
    }
    results = tuple(
        column.type.dialect_impl(dialect).result_processor(dialect, None)
        for column in compiled._result_columns or ()
    )
    return _Read(
        statement=statement,
        sql=compiled.string,
        names=names,
        processors=processors,
        built_with=built_with,
        positional=positional,
        results=results if any(results) else None,
    )


def _bind_processors(
    binds: dict[str, Any], names: tuple[str, ...], dialect: Dialect
) -> tuple[Callable[[Any], Any] | None, ...]:
    """Each parameter's conversion; timestamps' remembered (a sale's rows share a few)."""
    processors = []
    for name in names:
        process = binds[name].type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None and isinstance(binds[name].type, UtcDateTime):
            process = _remembering(process)
        processors.append(process)
    return tuple(processors)


def _remembering(process: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``process`` remembering its last few results: converting a timestamp (to UTC, then
    to SQLite's text) costs more than looking it up, and one transaction's rows carry the
    same few (created, updated, occurred). Equal timestamps convert alike, whatever their
    zone, since the conversion goes to UTC first."""
    remembered: dict[Any, Any] = {}

    def convert(value: Any) -> Any:
        found = remembered.get(value, _NOT_FOUND)
        if found is _NOT_FOUND:
            if len(remembered) >= _REMEMBERED:
                remembered.clear()
            found = remembered[value] = process(value)
        return found

    return convert


_NOT_FOUND = object()
_REMEMBERED = 32
