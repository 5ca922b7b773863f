"""Pull: bring the centre's changes for this store down, incrementally, by change sequence.

Every central row carries ``change_seq``, the id of the transaction that last wrote it. A
plain sequence would not do: a transaction that drew number 10 may commit after one that
drew 11, and a puller that already moved its watermark past 11 would never see 10. With
transaction ids the rule is exact: every transaction older than the snapshot's ``xmin``
has finished, so after reading everything visible from ``watermark`` on, the new watermark
is ``xmin`` once everything visible is read (``min(last row read, xmin)`` between pages).
Rows at or above it may come again next time; applying them is idempotent (a row only
replaces a lower local version).

One pull reads every table in one REPEATABLE READ snapshot, parents before children, so a
row never arrives before the row it refers to; each page is applied, with its watermark, in
one local transaction. Deletions come as tombstones, applied last, children first.
Row-level security decides what this store can see; a row that is not for this store
anyway (a malformed row) stops the pull with a precise message and changes nothing.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Connection,
    Engine,
    MetaData,
    Row,
    Select,
    Table,
    Text,
    cast,
    column,
    delete,
    select,
    text,
)
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError, StatementError

from app.db.types import utcnow
from app.sync import case_pull
from app.sync.entities import (
    CASES,
    CENTRE_STORE,
    SHARED_WITH_CUSTOMER,
    Entity,
    Rule,
    by_name,
    entities,
)

TOMBSTONES = "_tombstones"


class PullProblem(Exception):
    """The centre sent something this terminal cannot apply; nothing of that page changed."""


@dataclass
class PullReport:
    rows: int = 0
    deleted: int = 0
    changed: set[str] = field(default_factory=set)
    changed_customers: set[uuid.UUID] = field(default_factory=set)
    # History rows of cases written at another store (the timeline here gets them).
    remote_case_events: set[uuid.UUID] = field(default_factory=set)


class Puller:
    def __init__(
        self,
        local: Engine,
        central: Callable[[], AbstractContextManager[Connection]],
        *,
        store_id: str,
        page_size: int = 2000,
    ) -> None:
        self._local = local
        self._central = central
        self.store_id = store_id
        self.page_size = page_size
        self._shared: set[uuid.UUID] = set()
        self._groups: set[str] = set()  # the case groups this store works

    def watermark(self, name: str) -> int:
        with self._local.connect() as conn:
            value = conn.exec_driver_sql(
                "SELECT change_seq FROM sync_watermarks WHERE entity = ?", (name,)
            ).scalar()
            conn.rollback()
        return int(value or 0)

    def pull(self, *, should_stop: Callable[[], bool] = lambda: False) -> PullReport:
        report = PullReport()
        with self._central() as raw:
            conn = raw.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                self._shared = self._load_shared(conn)
                self._groups = case_pull.load_groups(conn)
                xmin = int(
                    conn.execute(
                        text("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
                    ).scalar_one()
                )
                for spec in entities():
                    if spec.pulled and not should_stop():
                        self._pull_entity(conn, spec, xmin, report)
                if not should_stop():
                    self._pull_tombstones(conn, xmin, report)
        return report

    def _pull_entity(self, conn: Connection, spec: Entity, xmin: int, report: PullReport) -> None:
        table = spec.table
        seq = column("change_seq", BigInteger)
        start = self.watermark(spec.name)
        query = select(*_readable(table), seq).where(seq >= start).order_by(seq, table.c.id)
        pages = self._pages(conn, spec, query)
        page: Sequence[Row[Any]] = next(pages, [])
        for following in pages:
            self._apply_page(conn, spec, page, min(int(page[-1].change_seq), xmin), report)
            page = following
        # Everything visible from the watermark on is read: whatever comes later belongs
        # to a transaction at or above xmin.
        self._apply_page(conn, spec, page, max(start, xmin), report)

    def _apply_page(
        self, conn: Connection, spec: Entity, rows: Sequence[Any], mark: int, report: PullReport
    ) -> None:
        """Apply one page; a case of another store new here brings its family (case_pull)."""
        news = case_pull.news(self._local, spec, rows, self.store_id)
        self._apply(spec, rows, mark, report)
        case_pull.fetch_family(
            conn, self._local, news,
            read=lambda s: select(*_readable(s.table)),
            apply=lambda s, found: self._apply(s, found, None, report),
        )  # fmt: skip

    def _pages(self, conn: Connection, spec: Entity, query: Select[Any]) -> Iterator[Any]:
        """The rows of ``query`` page by page, from one server-side cursor.

        The rows are found and sorted once, however many pages there are (a LIMIT query
        per page sorted everything above the watermark again for every page whenever the
        planner's statistics lagged behind a big catalog publish).
        """
        try:
            result = conn.execute(query, execution_options={"stream_results": True})
            yield from result.partitions(self.page_size)
        except StatementError as exc:
            raise PullProblem(
                f"A {spec.name} row from the centre cannot be read ({_first_line(exc)})."
            ) from exc

    def _check(
        self, spec: Entity, row: Row[Any], customers: set[uuid.UUID], cases: set[uuid.UUID]
    ) -> None:
        store = row.store_id
        ok = store in (self.store_id, CENTRE_STORE) and (
            store == self.store_id or spec.rule is Rule.CENTRE_OWNED
        )
        if spec.name == "stock_transfer" and row.other_store == self.store_id:
            ok = True
        if spec.name in SHARED_WITH_CUSTOMER:
            ok = ok or _customer_of(spec, row) in customers
        if spec.name in CASES and not ok:
            ok = case_pull.allowed(spec, row, groups=self._groups, cases=cases)
        if not ok:
            raise PullProblem(
                f"The centre sent {spec.name} {row.id} of store {store!r} to store "
                f"{self.store_id!r}; it was not applied. Ask IT to check the central "
                "row-level security (storedesk central init)."
            )
        if row.version is None or row.id is None:
            raise PullProblem(f"The centre sent a {spec.name} row without id or version.")

    def _apply(
        self, spec: Entity, rows: Sequence[Any], mark: int | None, report: PullReport
    ) -> None:
        table = spec.table
        names = spec.columns
        values = []
        customers = self._customers_here(spec, rows)
        cases = case_pull.cases_here(self._local, spec, rows)
        for row in rows:
            self._check(spec, row, customers, cases)
            values.append(dict(zip(names, row[: len(names)], strict=True)))
        case_pull.localise(spec, values, self.store_id)
        with self._local.begin() as local:
            if values:
                written = _as_written(table)
                stmt = sqlite_insert(written)
                update = {n: stmt.excluded[n] for n in names if n != "id"}
                where = None if spec.rule is Rule.CENTRE_OWNED else (
                    stmt.excluded.version > written.c.version
                )  # fmt: skip
                newer = values
                if spec.rule is Rule.FIELD_MERGE:  # which rows will really replace ours
                    ids = [v["id"] for v in values]
                    have = {
                        r[0]: r[1]
                        for r in local.execute(
                            select(table.c.id, table.c.version).where(table.c.id.in_(ids))
                        )
                    }
                    newer = [v for v in values if v["version"] > have.get(v["id"], -1)]
                try:
                    local.execute(
                        stmt.on_conflict_do_update(index_elements=["id"], set_=update, where=where),
                        values,
                    )
                except (IntegrityError, StatementError) as exc:
                    raise PullProblem(
                        f"{len(values)} {spec.name} row(s) from the centre do not fit this "
                        f"terminal's data ({_first_line(exc)}); none were applied."
                    ) from exc
                report.rows += len(values)
                report.changed.add(spec.name)
                if spec.name == "customer":
                    report.changed_customers.update(v["id"] for v in values)
                elif "customer_id" in names:
                    report.changed_customers.update(
                        v["customer_id"] for v in values if v["customer_id"] is not None
                    )
                if spec.name == "case_event":
                    report.remote_case_events.update(
                        v["id"] for v in values if v["store_id"] != self.store_id
                    )
                if newer and spec.rule is Rule.FIELD_MERGE:
                    _baseline(local, spec.name, newer)
            if mark is not None:
                _set_watermark(local, spec.name, mark)

    def _customers_here(self, spec: Entity, rows: Sequence[Any]) -> set[uuid.UUID]:
        """Of the customers these rows belong to: those shared with or owned by this store."""
        if spec.name not in SHARED_WITH_CUSTOMER or not rows:
            return set()
        wanted = {_customer_of(spec, r) for r in rows} - {None}
        allowed = set(self._shared) & wanted
        if spec.name != "customer":
            with self._local.connect() as conn:
                table = by_name()["customer"].table
                found = conn.execute(
                    select(table.c.id).where(
                        table.c.id.in_(wanted), table.c.store_id == self.store_id
                    )
                ).scalars()
                allowed |= set(found)
        return allowed

    def fetch_customers(self, ids: Sequence[uuid.UUID]) -> PullReport:
        """Bring down customers just shared with this store, whatever the watermarks say."""
        report = PullReport()
        if not ids:
            return report
        with self._central() as raw:
            conn = raw.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                self._shared = self._load_shared(conn)
                for spec in entities():
                    if spec.name not in SHARED_WITH_CUSTOMER:
                        continue
                    key = spec.table.c.id if spec.name == "customer" else spec.table.c.customer_id
                    rows = conn.execute(select(*_readable(spec.table)).where(key.in_(ids))).all()
                    self._apply(spec, rows, None, report)
        return report

    @staticmethod
    def _load_shared(conn: Connection) -> set[uuid.UUID]:
        return set(conn.execute(text("SELECT sync_shared_customers()")).scalars())

    def _pull_tombstones(self, conn: Connection, xmin: int, report: PullReport) -> None:
        start = self.watermark(TOMBSTONES)
        rows = conn.execute(
            text(
                "SELECT entity, entity_id, change_seq FROM sync_tombstones "
                "WHERE change_seq >= :start ORDER BY change_seq"
            ),
            {"start": start},
        ).all()
        known = by_name()
        order = {e.name: i for i, e in enumerate(entities())}
        wanted = sorted(
            (r for r in rows if r.entity in known and known[r.entity].pulled),
            key=lambda r: -order[r.entity],
        )
        with self._local.begin() as local:
            for row in wanted:
                table = known[row.entity].table
                savepoint = local.begin_nested()
                try:
                    done = local.execute(delete(table).where(table.c.id == row.entity_id))
                    savepoint.commit()
                    report.deleted += done.rowcount or 0
                    if done.rowcount:
                        report.changed.add(row.entity)
                except IntegrityError:
                    # Still referred to by this terminal's own records (an order line of a
                    # since-deleted offering): keep it, it is history here.
                    savepoint.rollback()
            _set_watermark(local, TOMBSTONES, max(start, xmin))  # all of them were read


def _readable(table: Table) -> list[Any]:
    """The columns a pull reads: JSON columns as the centre's text (see :func:`_as_written`)."""
    return [cast(c, Text).label(c.name) if isinstance(c.type, JSON) else c for c in table.columns]


@cache
def _as_written(table: Table) -> Table:
    """``table`` as a pull writes it: JSON columns take the centre's JSON text as it is.

    Decoding every JSON value only to encode it again for SQLite was a third of the cost
    of pulling a big catalog.
    """
    return Table(
        table.name,
        MetaData(),
        *(
            Column(c.name, Text if isinstance(c.type, JSON) else c.type, primary_key=c.primary_key)
            for c in table.columns
        ),
    )


def _customer_of(spec: Entity, row: Any) -> uuid.UUID | None:
    found: uuid.UUID | None = row.id if spec.name == "customer" else row.customer_id
    return found


def _baseline(local: Connection, entity: str, values: list[dict[str, Any]]) -> None:
    """Keep the pulled state of a field-merged row as an already-sent outbox row.

    The next local edit of the row is compared with it, so the push knows which fields
    this terminal changed (and which it merely had from the centre).
    """
    now = utcnow().replace(tzinfo=None).isoformat(sep=" ")
    texts = [c.name for c in by_name()[entity].table.columns if isinstance(c.type, JSON)]
    if texts:  # read as text (see _readable): the baseline holds them as the ORM does
        values = [{**v, **{c: json.loads(v[c]) if v[c] else v[c] for c in texts}} for v in values]
    local.exec_driver_sql(
        "INSERT INTO outbox (entity, entity_id, operation, version, payload, created_at, "
        "sent_at) VALUES (?, ?, 'pulled', ?, ?, ?, ?)",
        [(entity, v["id"].hex, v["version"], json.dumps(_jsonable(v)), now, now) for v in values],
    )


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    return {k: _plain(v) for k, v in row.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _set_watermark(local: Connection, name: str, value: int) -> None:
    local.exec_driver_sql(
        "INSERT INTO sync_watermarks (entity, change_seq, updated_at) VALUES (?, ?, ?) "
        "ON CONFLICT (entity) DO UPDATE SET change_seq = excluded.change_seq, "
        "updated_at = excluded.updated_at",
        (name, value, utcnow().replace(tzinfo=None).isoformat(sep=" ")),
    )


def _first_line(exc: Exception) -> str:
    orig = getattr(exc, "orig", None)
    return str(orig or exc).splitlines()[0]
