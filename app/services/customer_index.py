"""The customer search index: one SQLite FTS5 row per customer, written in the caller's
transaction so it is never out of step with the rows it describes.

Columns of ``customer_search``:

- ``customer_id`` (not indexed): the customer's UUID as 32 hex digits.
- ``names``: the customer's names, their Latin transliteration when that differs, and
  the names of a business's contact persons. The ``unicode61`` tokenizer folds case and
  diacritics, so "müller" matches "Müller" and "Muller".
- ``skeletons``: :func:`domain.names.skeleton` of the same names, for spelling variants.
- ``ids``: every identifier that leads to the customer, upper-cased with separators
  removed (:func:`identifier_token`): customer number, phones, MSISDNs, ICCIDs, IMEIs of
  phones bought, identity document numbers, order and receipt numbers, invoice and
  credit note numbers.

The table exists only in SQLite (the central PostgreSQL has no use for it).
:func:`refresh` rebuilds one customer's row; :func:`add_identifiers` adds identifiers to it
(a completed sale); :func:`rebuild_all` the whole table (run by the migration that creates
it and by ``storedesk db reindex``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text

from app.db import prepared
from domain.names import latin, skeleton
from domain.text import search_key

TABLE = "customer_search"
CREATE = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5("
    "customer_id UNINDEXED, names, skeletons, ids, "
    "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4')"
)
VOCAB = f"{TABLE}_vocab"
CREATE_VOCAB = f"CREATE VIRTUAL TABLE IF NOT EXISTS {VOCAB} USING fts5vocab({TABLE}, 'col')"


@dataclass(frozen=True)
class SearchDoc:
    customer_id: uuid.UUID
    names: str
    skeletons: str
    ids: str

    def params(self) -> dict[str, str]:
        return {
            "cid": self.customer_id.hex,
            "names": self.names,
            "skeletons": self.skeletons,
            "ids": self.ids,
        }


def identifier_token(value: str) -> str:
    """``"+49 151-0000 0001"`` → ``"4915100000001"``; ``"l01x00t47"`` → ``"L01X00T47"``."""
    return "".join(ch for ch in value.upper() if ch.isascii() and ch.isalnum())


def build_doc(
    customer_id: uuid.UUID, names: Iterable[str], identifiers: Iterable[str]
) -> SearchDoc:
    name_words: list[str] = []
    for name in names:
        key = search_key(name)
        if key:
            name_words.append(key)
            translit = latin(name)
            if translit and translit != key:
                name_words.append(translit)
    joined = " ".join(name_words)
    tokens = dict.fromkeys(t for t in (identifier_token(i) for i in identifiers) if t)
    return SearchDoc(customer_id, joined, skeleton(joined), " ".join(tokens))


def has_index(conn: Connection) -> bool:
    return conn.dialect.name == "sqlite"


def create(conn: Connection) -> None:
    conn.exec_driver_sql(CREATE)
    conn.exec_driver_sql(CREATE_VOCAB)


_INSERT = text(
    f"INSERT INTO {TABLE} (customer_id, names, skeletons, ids) "
    "VALUES (:cid, :names, :skeletons, :ids)"
)


def insert_docs(conn: Connection, docs: Iterable[SearchDoc]) -> None:
    rows = [doc.params() for doc in docs]
    if rows:
        conn.execute(_INSERT, rows)


def _names_and_ids(conn: Connection, customer_ids: list[str]) -> Iterator[SearchDoc]:
    """Docs for the given customers (hex ids), read straight from the tables."""
    marks = ", ".join(f":c{i}" for i in range(len(customer_ids)))
    params: dict[str, Any] = {f"c{i}": cid for i, cid in enumerate(customer_ids)}
    names: dict[str, list[str]] = {cid: [] for cid in customer_ids}
    ids: dict[str, list[str]] = {cid: [] for cid in customer_ids}
    for cid, first, last, company, number, phone, doc in conn.execute(
        text(
            "SELECT id, first_name, last_name, company_name, customer_no, phone, doc_number "
            f"FROM customers WHERE id IN ({marks})"
        ),
        params,
    ):
        names[cid] += [first, last, company]
        ids[cid] += [number, phone or "", doc or ""]
    queries = (
        (names, "SELECT customer_id, first_name || ' ' || last_name FROM contact_persons"),
        (ids, "SELECT customer_id, value FROM contact_media WHERE kind = 'phone'"),
        (ids, "SELECT customer_id, number FROM identity_documents"),
        (ids, "SELECT customer_id, msisdn FROM subscriptions"),
        (ids, "SELECT customer_id, iccid FROM subscriptions WHERE iccid IS NOT NULL"),
        (ids, "SELECT customer_id, number FROM orders"),
        (ids, "SELECT customer_id, receipt_number FROM orders WHERE receipt_number IS NOT NULL"),
        (ids, "SELECT customer_id, number FROM invoices"),
        (
            ids,
            "SELECT o.customer_id, l.serial FROM order_lines l JOIN orders o "
            "ON o.id = l.order_id WHERE l.serial IS NOT NULL AND o.status = 'completed'",
        ),
    )
    # A migration rebuilds the index at an older schema (0007), before later tables exist.
    found = conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'"))
    tables = set(found.scalars())
    for target, sql in queries:
        if sql.split(" FROM ", 1)[1].split()[0] not in tables:
            continue
        where = " AND " if " WHERE " in sql else " WHERE "
        column = "o.customer_id" if sql.startswith("SELECT o.") else "customer_id"
        for cid, value in conn.execute(text(f"{sql}{where}{column} IN ({marks})"), params):
            if value:
                target[cid].append(value)
    for cid in customer_ids:
        yield build_doc(uuid.UUID(cid), names[cid], ids[cid])


def refresh(conn: Connection, customer_id: uuid.UUID) -> None:
    """Rewrite one customer's row from the tables; call inside the changing transaction."""
    if not has_index(conn):
        return
    number = conn.execute(
        text("SELECT customer_no FROM customers WHERE id = :cid"), {"cid": customer_id.hex}
    ).scalar()
    if number is not None:
        # The customer number is always in the row, and FTS finds it without a scan.
        conn.execute(
            text(
                f"DELETE FROM {TABLE} WHERE rowid IN (SELECT rowid FROM {TABLE} "
                f"WHERE {TABLE} MATCH :match) AND customer_id = :cid"
            ),
            {"match": f'ids : "{identifier_token(number)}"', "cid": customer_id.hex},
        )
    insert_docs(conn, _names_and_ids(conn, [customer_id.hex]))


_ROW = text(f"SELECT rowid, ids FROM {TABLE} WHERE {TABLE} MATCH :match AND customer_id = :cid")
_SET_IDS = text(f"UPDATE {TABLE} SET ids = :ids WHERE rowid = :rowid")


def add_identifiers(
    conn: Connection, customer_id: uuid.UUID, customer_no: str, identifiers: Iterable[str]
) -> bool:
    """Add identifiers to one customer's row, leaving the rest of the row as it is.

    For changes that only add identifiers and touch no name (a completed sale: its order
    and receipt numbers, the new lines' numbers and SIMs, the serials sold): one read and
    at most one write instead of :func:`refresh`'s eleven reads and a rewrite. Nothing is
    written when the row already holds every identifier. Returns False, writing nothing,
    when the customer has no single row to add to; the caller then calls :func:`refresh`
    (after flushing, since that reads the tables).
    """
    if not has_index(conn):
        return True
    rows = prepared.rows(
        conn, _ROW, {"match": f'ids : "{identifier_token(customer_no)}"', "cid": customer_id.hex}
    )
    if len(rows) != 1:
        return False
    rowid, held_text = rows[0]
    held = held_text.split()
    known = set(held)
    new = [t for t in dict.fromkeys(map(identifier_token, identifiers)) if t and t not in known]
    if new:
        prepared.rows(conn, _SET_IDS, {"ids": " ".join([*held, *new]), "rowid": rowid})
    return True


def rebuild_all(conn: Connection, *, chunk: int = 500) -> int:
    """Empty the index and fill it again from the tables; returns the number of customers."""
    if not has_index(conn):
        return 0
    create(conn)
    conn.exec_driver_sql(f"DELETE FROM {TABLE}")
    all_ids = [row[0] for row in conn.execute(text("SELECT id FROM customers ORDER BY rowid"))]
    for start in range(0, len(all_ids), chunk):
        insert_docs(conn, _names_and_ids(conn, all_ids[start : start + chunk]))
    conn.exec_driver_sql(f"INSERT INTO {TABLE}({TABLE}) VALUES ('optimize')")
    return len(all_ids)
