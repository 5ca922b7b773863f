"""After a sync: do this terminal's money figures agree with the centre's, day by day?

For each business day (UTC date) of the last :data:`DAYS` days and each money record —
completed orders, payments, till movements, invoices — the count and the amount sum of
this terminal's rows are compared on both sides. A mismatch sends that day's outbox rows
of that record again (the push is idempotent, so a re-push can only fill a gap); if the
figures still differ, the cycle fails with the details, which the status bar and the
sync panel show.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import Connection, Engine, text

from app.db.engine import READ_ONLY_OPTION
from app.db.types import utcnow

DAYS = 35

# entity name, table, date column, amount column, extra condition
CHECKS: tuple[tuple[str, str, str, str, str], ...] = (
    ("order", "orders", "completed_at", "total_minor", "status = 'completed'"),
    ("payment", "payments", "created_at", "amount_minor", "1 = 1"),
    ("till_movement", "till_movements", "created_at", "amount_minor", "1 = 1"),
    ("invoice", "invoices", "created_at", "total_minor", "1 = 1"),
)

Figures = dict[tuple[str, str], tuple[int, int]]  # (entity, day) -> (count, sum)


@dataclass
class SanityReport:
    local: Figures
    central: Figures
    mismatches: list[tuple[str, str, tuple[int, int], tuple[int, int]]] = field(
        default_factory=list
    )
    requeued: int = 0

    def describe(self) -> str:
        parts = [
            f"{entity} on {day}: here {mine[0]} for {mine[1] / 100:.2f}, "
            f"centre {theirs[0]} for {theirs[1] / 100:.2f}"
            for entity, day, mine, theirs in self.mismatches[:5]
        ]
        return (
            "The centre's figures differ from this terminal's after sending them again — "
            + "; ".join(parts)
            + ". Nothing was lost here; tell IT (sync panel shows the details)."
        )

    def requeue(self, local: Engine) -> int:
        total = 0
        with local.begin() as conn:
            for entity, day, _mine, _theirs in self.mismatches:
                done = conn.exec_driver_sql(
                    "UPDATE outbox SET sent_at = NULL WHERE entity = ? AND sent_at IS NOT NULL "
                    "AND substr(created_at, 1, 10) = ?",
                    (entity, day),
                )
                total += done.rowcount or 0
        return total


def _local_figures(local: Engine, terminal_id: str, since: str) -> Figures:
    out: Figures = {}
    # A deferred BEGIN: one consistent snapshot, no write lock (a sale never waits for it).
    with local.execution_options(**{READ_ONLY_OPTION: True}).connect() as conn:
        for entity, table, day_col, amount, cond in CHECKS:
            rows = conn.exec_driver_sql(
                f"SELECT substr({day_col}, 1, 10) AS d, count(*), coalesce(sum({amount}), 0) "
                f"FROM {table} WHERE terminal_id = ? AND {cond} AND {day_col} >= ? GROUP BY d",
                (terminal_id, since),
            ).all()
            out.update({(entity, d): (int(n), int(s)) for d, n, s in rows})
        conn.rollback()
    return out


def _central_figures(conn: Connection, store_id: str, terminal_id: str, since: str) -> Figures:
    out: Figures = {}
    for entity, table, day_col, amount, cond in CHECKS:
        rows = conn.execute(
            text(
                f"SELECT to_char({day_col} AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS d, count(*), "
                f"coalesce(sum({amount}), 0) FROM {table} WHERE store_id = :s AND "
                f"terminal_id = :t AND {cond} AND {day_col} >= CAST(:since AS timestamptz) "
                "GROUP BY d"
            ),
            {"s": store_id, "t": terminal_id, "since": since + "+00:00"},
        ).all()
        out.update({(entity, d): (int(n), int(s)) for d, n, s in rows})
    conn.rollback()
    return out


def check_sums(
    local: Engine,
    central: Callable[[], AbstractContextManager[Connection]],
    *,
    store_id: str,
    terminal_id: str,
    requeued: int = 0,
) -> SanityReport:
    since = (utcnow() - timedelta(days=DAYS)).strftime("%Y-%m-%d")
    mine = _local_figures(local, terminal_id, since)
    with central() as conn:
        theirs = _central_figures(conn, store_id, terminal_id, since)
    report = SanityReport(mine, theirs, requeued=requeued)
    for key in sorted(set(mine) | set(theirs)):
        a, b = mine.get(key, (0, 0)), theirs.get(key, (0, 0))
        if a != b:
            report.mismatches.append((key[0], key[1], a, b))
    return report
