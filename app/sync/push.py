"""Push: drain the local outbox to the centre in batches, exactly once in effect.

One batch is the oldest unsent outbox rows (``seq`` order). For each entity the last row
per id wins (the outbox holds full rows, so the newest one carries every change). In ONE
central transaction the batch is written table by table, parents first:

- store-owned rows: ``INSERT … SELECT … FROM json_populate_recordset(…) ON CONFLICT (id)
  DO UPDATE … WHERE central.version < incoming.version`` — replaying a batch, or an older
  version arriving late, changes nothing;
- append-only money rows: ``ON CONFLICT DO NOTHING`` (the centre also refuses updates);
- customer records: merged field by field, last writer wins by the local time of each
  field's change; the losing value goes to ``sync_conflicts`` (see :func:`_merge_fields`);
- cases: merged the same way by parts, a conflict also written on the case as a history
  entry (see :mod:`app.sync.case_merge`);
- deletions: ``DELETE`` by id, children first (the centre writes the tombstone).

plus the journal row (store, terminal, last outbox seq: the acknowledgement). Only after
that transaction has committed are the rows marked sent locally. A crash, kill or lost
connection anywhere before the local mark leaves them unsent, and the retry has the same
effect as the first try: never a duplicate, never a loss. Centre-owned rows (catalog,
users) are never pushed: they are marked sent as skipped.

:meth:`Pusher.push_all` overlaps the terminal's side with the centre's: while one batch's
central transaction runs, a helper thread reads the next batch from the outbox and marks
the previous batch sent (after that batch's commit). Batches still commit at the centre one
at a time and in outbox order; the terminal's reads take no write lock, so a sale is never
kept waiting by them.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, text

from app.db.engine import READ_ONLY_OPTION
from app.db.types import utcnow
from app.sync.case_derive import deriver
from app.sync.case_merge import merge_cases
from app.sync.entities import Entity, Rule, by_name, entities


@dataclass
class OutboxItem:
    seq: int
    entity: str
    entity_id: str
    operation: str
    created_at: str
    payload: str


@dataclass
class Batch:
    first_seq: int
    last_seq: int
    rows: int
    # entity -> id -> the outbox items for it in this batch, oldest first
    items: dict[str, dict[str, list[OutboxItem]]] = field(default_factory=dict)
    skipped: int = 0


@dataclass(frozen=True)
class PushReport:
    batches: int = 0
    rows: int = 0
    skipped: int = 0
    conflicts: int = 0


class Pusher:
    def __init__(
        self,
        local: Engine,
        central: Callable[[], AbstractContextManager[Connection]],
        *,
        store_id: str,
        terminal_id: str,
        batch_size: int = 2000,
    ) -> None:
        self._local = local
        self._central = central
        self.store_id = store_id
        self.terminal_id = terminal_id
        self.batch_size = batch_size
        # Reads of the outbox: a deferred BEGIN, no write lock (never waits for a sale).
        self._reader = local.execution_options(**{READ_ONLY_OPTION: True})

    # -- local side ----------------------------------------------------------------------
    def waiting(self) -> int:
        with self._reader.connect() as conn:
            return int(
                conn.exec_driver_sql("SELECT count(*) FROM outbox WHERE sent_at IS NULL").scalar()
                or 0
            )

    def read_batch(self, *, after: int = 0) -> Batch | None:
        """The oldest unsent rows with ``seq`` above ``after`` (a batch not yet marked)."""
        with self._reader.connect() as conn:
            # The driver's own cursor: one SELECT is its own read transaction, and plain
            # tuples instead of result rows make reading a batch about twice as cheap.
            rows = conn.connection.driver_connection.execute(  # type: ignore[union-attr]
                "SELECT seq, entity, entity_id, operation, created_at, payload FROM outbox "
                "WHERE sent_at IS NULL AND seq > ? ORDER BY seq LIMIT ?",
                (after, self.batch_size),
            ).fetchall()
        if not rows:
            return None
        batch = Batch(first_seq=rows[0][0], last_seq=rows[-1][0], rows=len(rows))
        known = by_name()
        for seq, entity, entity_id, operation, created_at, payload in rows:
            spec = known.get(entity)
            if spec is None or spec.rule is Rule.CENTRE_OWNED:
                batch.skipped += 1
                continue
            item = OutboxItem(seq, entity, str(entity_id), operation, str(created_at), payload)
            batch.items.setdefault(entity, {}).setdefault(item.entity_id, []).append(item)
        return batch

    def mark_sent(self, batch: Batch) -> None:
        with self._local.begin() as conn:
            conn.exec_driver_sql(
                "UPDATE outbox SET sent_at = ? WHERE seq BETWEEN ? AND ? AND sent_at IS NULL",
                (utcnow().replace(tzinfo=None).isoformat(sep=" "), batch.first_seq, batch.last_seq),
            )

    def previous_payload(self, entity_id: str, before_seq: int) -> dict[str, Any] | None:
        with self._reader.connect() as conn:
            row = conn.exec_driver_sql(
                "SELECT payload FROM outbox WHERE entity_id = ? AND seq < ? "
                "ORDER BY seq DESC LIMIT 1",
                (entity_id, before_seq),
            ).first()
            conn.rollback()
        return json.loads(row[0]) if row else None

    # -- one batch -----------------------------------------------------------------------
    def push_batch(self) -> PushReport:
        batch = self.read_batch()
        if batch is None:
            return PushReport()
        report = self._send(batch)
        self.mark_sent(batch)
        return report

    def _send(self, batch: Batch) -> PushReport:
        """Write one batch at the centre in one transaction; returns once it has committed."""
        with self._central() as conn, conn.begin():
            # The journal records the batch; a batch sent again (its local mark was lost,
            # or the sanity check asked for it) is written again — every write below is
            # idempotent, so the journal never needs to short-cut it.
            conn.execute(
                text(
                    "INSERT INTO sync_journal "
                    "(store_id, terminal_id, last_seq, first_seq, rows, client_time) "
                    "VALUES (:s, :t, :last, :first, :rows, :now) "
                    "ON CONFLICT (store_id, terminal_id, last_seq) DO UPDATE SET "
                    "first_seq = EXCLUDED.first_seq, rows = EXCLUDED.rows, "
                    "client_time = EXCLUDED.client_time, received_at = now()"
                ),
                {
                    "s": self.store_id,
                    "t": self.terminal_id,
                    "last": batch.last_seq,
                    "first": batch.first_seq,
                    "rows": batch.rows,
                    "now": utcnow(),
                },
            )
            conflicts = self._write(conn, batch)
            conn.execute(
                text(
                    "UPDATE sync_terminals SET last_seen_at = now() "
                    "WHERE store_id = :s AND terminal_id = :t"
                ),
                {"s": self.store_id, "t": self.terminal_id},
            )
        return PushReport(1, batch.rows - batch.skipped, batch.skipped, conflicts)

    def push_all(self, *, should_stop: Callable[[], bool] = lambda: False) -> PushReport:
        """Push batch after batch until the outbox is drained (or ``should_stop()``).

        A helper thread reads batch n+1 while batch n is written at the centre, and marks
        batch n sent after its commit while batch n+1 is written. Any failure — at the
        centre or in marking — ends the push with that error; the failed batch and every
        later one are still unsent here, and are sent again next time.
        """
        total = PushReport()
        batch = self.read_batch()
        if batch is None:
            return total
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-outbox") as helper:
            marking: Future[None] | None = None
            while batch is not None and not should_stop():
                following = helper.submit(self.read_batch, after=batch.last_seq)
                one = self._send(batch)
                if marking is not None:
                    marking.result()  # the previous batch's mark; a failure stops here
                marking = helper.submit(self.mark_sent, batch)
                total = PushReport(
                    total.batches + 1,
                    total.rows + one.rows,
                    total.skipped + one.skipped,
                    total.conflicts + one.conflicts,
                )
                batch = following.result()
            if marking is not None:
                marking.result()
        return total

    def _write(self, conn: Connection, batch: Batch) -> int:
        order = [e for e in entities() if e.name in batch.items]
        for spec in reversed(order):
            gone = [
                items[-1].entity_id
                for items in batch.items[spec.name].values()
                if items[-1].operation == "delete"
            ]
            if gone and spec.rule is not Rule.APPEND_ONLY:
                conn.execute(
                    text(f"DELETE FROM {spec.table.name} WHERE id = ANY(CAST(:ids AS uuid[]))"),
                    {"ids": [str(uuid.UUID(i)) for i in gone]},
                )
        conflicts = 0
        for spec in order:
            written = batch.items[spec.name].values()
            latest = [items for items in written if items[-1].operation != "delete"]
            if not latest:
                continue
            if spec.name == "case":  # merged by parts, conflicts shown on the case
                conflicts += merge_cases(
                    conn, spec, [_changes(self, items) for items in latest],
                    store_id=self.store_id, terminal_id=self.terminal_id,
                    derive=deriver(self._reader),
                )  # fmt: skip
            elif spec.rule is Rule.FIELD_MERGE:
                conflicts += _merge_fields(self, conn, spec, latest)
            else:
                _upsert(conn, spec, [items[-1].payload for items in latest])
        return conflicts


def _upsert(conn: Connection, spec: Entity, payloads: list[str]) -> None:
    table = spec.table.name
    cols = ", ".join(spec.columns)
    if spec.rule is Rule.APPEND_ONLY:
        conflict = "ON CONFLICT (id) DO NOTHING"
    else:
        sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in spec.columns if c != "id")
        conflict = f"ON CONFLICT (id) DO UPDATE SET {sets} WHERE {table}.version < EXCLUDED.version"
    conn.execute(
        text(
            f"INSERT INTO {table} ({cols}) SELECT {cols} FROM "
            f"json_populate_recordset(NULL::{table}, CAST(:rows AS json)) {conflict}"
        ),
        {"rows": "[" + ",".join(payloads) + "]"},
    )


def _changes(
    pusher: Pusher, items: list[OutboxItem]
) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
    """The newest row, each changed column's value before this batch, and when it changed.

    "When" is the local time of the outbox row that changed the column last.
    """
    previous = pusher.previous_payload(items[0].entity_id, items[0].seq)
    first = previous or {}
    clock: dict[str, str] = {}
    before: dict[str, Any] = {}
    current: dict[str, Any] = {}
    for item in items:
        current = json.loads(item.payload)
        for column, value in current.items():
            if previous is None or previous.get(column) != value:
                clock[column] = _iso(item.created_at)
                before.setdefault(column, first.get(column))
        previous = current
    for housekeeping in ("id", "version", "updated_at", "created_at", "store_id", "terminal_id"):
        clock.pop(housekeeping, None)
    return current, before, clock


def _iso(stamp: str) -> str:
    parsed = datetime.fromisoformat(stamp)
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).isoformat()


def _merge_fields(
    pusher: Pusher, conn: Connection, spec: Entity, latest: list[list[OutboxItem]]
) -> int:
    """Field-wise last writer wins; returns how many concurrent edits lost."""
    table = spec.table.name
    cols = ", ".join(spec.columns)
    existing = {
        row.id: dict(row.j)
        for row in conn.execute(
            text(
                f"SELECT id, row_to_json(t)::jsonb AS j FROM {table} t "
                "WHERE id = ANY(CAST(:ids AS uuid[])) FOR UPDATE"
            ),
            {"ids": [str(uuid.UUID(items[0].entity_id)) for items in latest]},
        )
    }
    conflicts = 0
    for items in latest:
        row, before, clock = _changes(pusher, items)
        central = existing.get(uuid.UUID(items[0].entity_id))
        if central is None:
            conn.execute(
                text(
                    f"INSERT INTO {table} ({cols}, field_clock) SELECT {cols}, "
                    f"CAST(:clock AS jsonb) FROM json_populate_record(NULL::{table}, "
                    "CAST(:row AS json)) ON CONFLICT (id) DO NOTHING"
                ),
                {"row": json.dumps(row), "clock": json.dumps(clock)},
            )
            continue
        merged, merged_clock, lost = resolve_fields(central, row, before, clock)
        for column, kept, lost_value, kept_at, lost_at in lost:
            conn.execute(
                text(
                    "INSERT INTO sync_conflicts (entity, entity_id, store_id, terminal_id, "
                    "field, kept_value, lost_value, kept_changed_at, lost_changed_at) "
                    "VALUES (:e, :i, :s, :t, :f, CAST(:k AS jsonb), CAST(:l AS jsonb), :ka, :la)"
                ),
                {
                    "e": spec.name,
                    "i": row["id"],
                    "s": central["store_id"],
                    "t": pusher.terminal_id,
                    "f": column,
                    "k": json.dumps(kept),
                    "l": json.dumps(lost_value),
                    "ka": kept_at,
                    "la": lost_at,
                },
            )
        conflicts += len(lost)
        differs = any(merged.get(c) != central.get(c) for c in clock) or any(
            merged.get(c) != row.get(c) for c in clock
        )
        if not differs and merged_clock == central.get("field_clock"):
            continue
        merged["version"] = max(int(central["version"]), int(row["version"])) + 1
        sets = ", ".join(f"{c} = r.{c}" for c in spec.columns if c != "id")
        conn.execute(
            text(
                f"UPDATE {table} t SET {sets}, field_clock = CAST(:clock AS jsonb) "
                f"FROM json_populate_record(NULL::{table}, CAST(:row AS json)) r "
                "WHERE t.id = r.id"
            ),
            {"row": json.dumps(merged), "clock": json.dumps(merged_clock)},
        )
    return conflicts


Lost = tuple[str, Any, Any, "str | None", "str | None"]


def resolve_fields(
    central: dict[str, Any],
    row: dict[str, Any],
    before: dict[str, Any],
    clock: dict[str, str],
) -> tuple[dict[str, Any], dict[str, str], list[Lost]]:
    """Merge one incoming row into the central one, column by column.

    A column the terminal changed replaces the centre's unless the centre's value changed
    later (by the clocks). A replaced value that the terminal had never seen, or an
    incoming value that loses, is a concurrent edit: it is returned as (column, kept,
    lost, kept_at, lost_at) for ``sync_conflicts``. Columns the terminal did not change
    keep the centre's value.
    """
    central_clock: dict[str, str] = dict(central.get("field_clock") or {})
    merged = {c: central.get(c, row[c]) for c in row}
    merged["id"] = row["id"]
    lost: list[Lost] = []
    for column, changed_at in clock.items():
        theirs = central_clock.get(column)
        ours_value, their_value = row.get(column), central.get(column)
        if ours_value == their_value:
            central_clock[column] = max(changed_at, theirs) if theirs else changed_at
            continue
        if theirs is None or _at(changed_at) >= _at(theirs):
            if before.get(column) != their_value:
                lost.append((column, ours_value, their_value, changed_at, theirs))
            merged[column] = ours_value
            central_clock[column] = changed_at
        else:
            lost.append((column, their_value, ours_value, theirs, changed_at))
    return merged, central_clock, lost


def _at(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp)
