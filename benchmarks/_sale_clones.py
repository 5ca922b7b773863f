"""Clone one real sale N times: its outbox rows and its local rows, fresh ids and numbers.

:func:`learn` reads the outbox rows a sale completed through the real services has just
written (order and its versions, lines, events, payment, till movement, stock moves, and
the updated stock levels). :class:`Cloner` then writes copies of that sale in bulk:

- rows the sale *created* get a fresh UUIDv7 (``domain.ids.new_id``) per copy, everywhere
  they appear (ids, foreign keys inside other payloads);
- numbers drawn from the terminal's counters (``ORD-…``, ``RCP-…``) get the next values,
  and the counters are moved on;
- rows the sale *updated* (a stock level) get, per copy, the sale's change once more
  (``on_hand`` one lower, ``version`` one higher), so the outbox holds what N real sales
  would have left in it;
- the local business tables get the same rows (the final state), so local and central
  counts and sums can be compared afterwards.

The payloads are produced by substituting into the real payload text, so what is pushed is
byte for byte what real sales push, apart from the ids and numbers.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from app.sync.entities import by_name
from domain.ids import new_id

OutboxRow = tuple[str, str, str, int, str, str]  # entity, entity_id (hex), op, version, payload, at


@dataclass
class SaleTemplate:
    rows: list[OutboxRow]
    created: list[str]  # ids (dashed) of the rows the sale created, first appearance order
    updated: dict[str, dict[str, int]]  # id (dashed) -> per-sale change of its int columns
    numbers: dict[str, tuple[str, int]]  # "ORD-B001-T01-000001" -> ("ORD-B001-T01", 1)
    entity_of: dict[str, str] = field(default_factory=dict)  # id (dashed) -> entity

    @property
    def per_sale(self) -> int:
        return len(self.rows)


def learn(local: Engine) -> SaleTemplate:
    """The unsent outbox rows (one completed sale) as a template for copies."""
    with local.connect() as conn:
        rows: list[OutboxRow] = [
            (e, str(i), o, int(v), p, str(c))
            for e, i, o, v, p, c in conn.exec_driver_sql(
                "SELECT entity, entity_id, operation, version, payload, created_at FROM outbox "
                "WHERE sent_at IS NULL ORDER BY seq"
            )
        ]
        first_seq = conn.exec_driver_sql(
            "SELECT min(seq) FROM outbox WHERE sent_at IS NULL"
        ).scalar_one()
        series = [str(s) for (s,) in conn.exec_driver_sql("SELECT series FROM counters")]
        created: list[str] = []
        updated: dict[str, dict[str, int]] = {}
        entity_of: dict[str, str] = {}
        last: dict[str, dict[str, Any]] = {}
        for entity, entity_id, _op, version, payload, _at in rows:
            key = str(uuid.UUID(entity_id))
            entity_of[key] = entity
            last[key] = json.loads(payload)
            if key in created or key in updated:
                continue
            if version == 1:
                created.append(key)
            else:
                updated[key] = {}
        for key in updated:
            (before,) = conn.exec_driver_sql(
                "SELECT payload FROM outbox WHERE entity_id = ? AND seq < ? "
                "ORDER BY seq DESC LIMIT 1",
                (uuid.UUID(key).hex, first_seq),
            ).one()
            old = json.loads(before)
            updated[key] = {
                c: v - old[c]
                for c, v in last[key].items()
                if type(v) is int and type(old.get(c)) is int and v != old[c]
            }
        conn.rollback()
    pattern = re.compile("|".join(rf"{re.escape(s)}-(\d+)" for s in series) or "(?!)")
    numbers: dict[str, tuple[str, int]] = {}
    for row in rows:
        for match in pattern.finditer(row[4]):
            text = match.group(0)
            prefix, digits = text.rsplit("-", 1)
            numbers[text] = (prefix, int(digits))
    return SaleTemplate(rows, created, updated, numbers, entity_of)


class Cloner:
    """Writes copies of a sale into a terminal's SQLite database (outbox and local tables)."""

    def __init__(self, local: Engine, template: SaleTemplate) -> None:
        self.local = local
        self.t = template
        self.done = 0  # copies written so far
        tokens = sorted([*template.created, *template.numbers], key=len, reverse=True)
        self._split = re.compile("(" + "|".join(re.escape(t) for t in tokens) + ")")
        self._parts = [self._split.split(row[4]) for row in template.rows]
        self._columns: dict[str, list[str]] = {}
        self._local_rows = self._read_local_rows()

    def _read_local_rows(self) -> list[tuple[str, tuple[Any, ...], list[tuple[int, str | None]]]]:
        """The created rows as the local tables hold them: (table, values, what to replace).

        What to replace: (column index, the created id it holds) for ids and foreign keys,
        (column index, None) for a text that contains a number.
        """
        by_hex = {uuid.UUID(k).hex: k for k in self.t.created}
        out = []
        with self.local.connect() as conn:
            for key in self.t.created:
                table = by_name()[self.t.entity_of[key]].table.name
                cursor = conn.exec_driver_sql(
                    f"SELECT * FROM {table} WHERE id = ?", (uuid.UUID(key).hex,)
                )
                self._columns[table] = [d[0] for d in cursor.cursor.description]  # type: ignore[union-attr]
                row = tuple(cursor.one())
                slots: list[tuple[int, str | None]] = []
                for index, value in enumerate(row):
                    if isinstance(value, str) and value in by_hex:
                        slots.append((index, by_hex[value]))
                    elif isinstance(value, str) and any(t in value for t in self.t.numbers):
                        slots.append((index, None))
                out.append((table, row, slots))
            conn.rollback()
        return out

    def write(self, copies: int) -> None:
        """Append ``copies`` more sales, in one local transaction."""
        outbox: list[tuple[Any, ...]] = []
        local: dict[str, list[tuple[Any, ...]]] = {}
        for _ in range(copies):
            self.done += 1
            k = self.done
            values: dict[str, str] = {old: str(new_id()) for old in self.t.created}
            for text, (prefix, n) in self.t.numbers.items():
                values[text] = f"{prefix}-{n + k:0{len(text) - len(prefix) - 1}d}"
            for row, parts in zip(self.t.rows, self._parts, strict=True):
                entity, entity_id, op, version, payload, at = row
                key = str(uuid.UUID(entity_id))
                if key in self.t.updated:
                    data = json.loads(payload)
                    for column, change in self.t.updated[key].items():
                        data[column] += change * k
                    text_ = json.dumps(data)
                    new_version = int(data["version"])
                    new_hex = entity_id
                else:
                    text_ = "".join(
                        values[p] if i % 2 else p for i, p in enumerate(parts)
                    )  # fmt: skip
                    new_version = version
                    new_hex = uuid.UUID(values[key]).hex
                outbox.append((entity, new_hex, op, new_version, text_, at))
            for table, row_values, slots in self._local_rows:
                copy = list(row_values)
                for index, token in slots:
                    copy[index] = self._local_value(row_values[index], token, values)
                local.setdefault(table, []).append(tuple(copy))
        with self.local.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO outbox (entity, entity_id, operation, version, payload, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                outbox,
            )
            for table, rows in local.items():
                cols = self._columns[table]
                conn.exec_driver_sql(
                    f"INSERT INTO {table} ({', '.join(cols)}) "
                    f"VALUES ({', '.join('?' for _ in cols)})",
                    rows,
                )

    def _local_value(self, value: str, token: str | None, values: dict[str, str]) -> str:
        if token is not None:  # a created row's id, stored as 32 hex digits
            return uuid.UUID(values[token]).hex
        for old in self.t.numbers:  # a number, or a text that contains one
            value = value.replace(old, values[old])
        return value

    def finish(self) -> None:
        """Move the updated rows (stock levels) and the counters on by the copies written."""
        n = self.done
        with self.local.begin() as conn:
            for key, changes in self.t.updated.items():
                table = by_name()[self.t.entity_of[key]].table.name
                if changes:
                    sets = ", ".join(f"{c} = {c} + ?" for c in changes)
                    conn.exec_driver_sql(
                        f"UPDATE {table} SET {sets} WHERE id = ?",
                        (*(v * n for v in changes.values()), uuid.UUID(key).hex),
                    )
            for prefix, start in dict(self.t.numbers.values()).items():
                conn.exec_driver_sql(
                    "UPDATE counters SET next_value = max(next_value, ?) WHERE series = ?",
                    (start + n + 1, prefix),
                )
