"""The central PostgreSQL database: the terminals' schema plus what only the centre has.

:func:`init_central` runs the same Alembic migrations as every terminal, then (idempotently,
so it also upgrades) adds the centre's own parts:

- ``sync_stores`` / ``sync_terminals``: the registry of stores (each with its own login role)
  and their terminals;
- ``change_seq`` on every synced table: the writing transaction's id (``pg_current_xact_id``),
  set by a trigger on every insert and update, which is what terminals pull by (see
  :mod:`app.sync.pull` for why a transaction id and not a plain sequence);
- ``sync_tombstones``: one row per deleted business row, pulled like any change;
- ``sync_journal``: one row per accepted push batch (store, terminal, last outbox seq, when):
  the acknowledgement and the centre's history of what each terminal sent;
- ``sync_conflicts``: the losing values of field-wise merges (customer records);
- ``field_clock`` on field-merged tables: when each column last changed, by the terminal's
  clock;
- ``sync_customer_access`` and ``sync_share_customer(q)``: a store fetches a customer of
  another store by exact customer number, phone or document number, and from then on
  reads (and may correct the contact details of) that customer;
- triggers that refuse any change to money records and case history (append-only) and
  to the money columns of a completed order;
- ``sync_store_groups``: the queues (case groups) each store works, and the policies that
  let it read and work the cases in them (:mod:`app.sync.central_cases`);
- **row-level security**: every store role is a member of ``storedesk_store``; policies let
  it read and write only rows whose ``store_id`` is its own store, read the shared reference
  rows (``store_id = 'HQ'``) and stock transfers sent to it, and write no reference data.

:func:`add_store` creates the store's login role with a generated password (returned once,
never stored by StoreDesk); :func:`add_terminal` registers a terminal of a store.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, text

from app.db.migrate import head_revision, upgrade
from app.sync.central_cases import GROUPS_DDL, case_policies
from app.sync.entities import (
    CASE_HISTORY,
    CASES,
    CENTRE_STORE,
    ORDER_MONEY_COLUMNS,
    SHARED_WITH_CUSTOMER,
    Rule,
    entities,
)

# Bump when the DDL below changes; terminals refuse a centre with another version.
# 3: cases are pulled by the stores working their group, merged by parts (field_writer).
CENTRAL_VERSION = 3
STORE_GROUP = "storedesk_store"
_ID = re.compile(r"^[A-Za-z0-9_-]{1,16}$")


class CentralProblem(Exception):
    """The central database cannot be set up or used as asked; the message says why."""


@dataclass(frozen=True)
class StoreRole:
    store_id: str
    role: str
    password: str


def role_name(store_id: str) -> str:
    return "storedesk_store_" + store_id.lower().replace("-", "_")


def check_id(value: str, what: str) -> str:
    if not _ID.fullmatch(value):
        raise CentralProblem(
            f"{what} {value!r} is not valid: use 1 to 16 letters, digits, '-' or '_'."
        )
    return value


_BASE_DDL = f"""
CREATE TABLE IF NOT EXISTS sync_meta (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE IF NOT EXISTS sync_stores (
    store_id varchar(16) PRIMARY KEY,
    name text NOT NULL DEFAULT '',
    role_name text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS sync_terminals (
    store_id varchar(16) NOT NULL REFERENCES sync_stores (store_id),
    terminal_id varchar(16) NOT NULL,
    registered_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz,
    PRIMARY KEY (store_id, terminal_id)
);
CREATE TABLE IF NOT EXISTS sync_journal (
    store_id varchar(16) NOT NULL,
    terminal_id varchar(16) NOT NULL,
    last_seq bigint NOT NULL,
    first_seq bigint NOT NULL,
    rows integer NOT NULL,
    client_time timestamptz,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (store_id, terminal_id, last_seq)
);
CREATE TABLE IF NOT EXISTS sync_tombstones (
    entity text NOT NULL,
    entity_id uuid NOT NULL,
    store_id varchar(16) NOT NULL,
    change_seq bigint NOT NULL DEFAULT (pg_current_xact_id()::text::bigint),
    deleted_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (entity, entity_id)
);
CREATE INDEX IF NOT EXISTS ix_sync_tombstones_change_seq ON sync_tombstones (change_seq);
CREATE TABLE IF NOT EXISTS sync_conflicts (
    id bigserial PRIMARY KEY,
    entity text NOT NULL,
    entity_id uuid NOT NULL,
    store_id varchar(16) NOT NULL,
    terminal_id varchar(16) NOT NULL,
    field text NOT NULL,
    kept_value jsonb,
    lost_value jsonb,
    kept_changed_at timestamptz,
    lost_changed_at timestamptz,
    recorded_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS sync_customer_access (
    store_id varchar(16) NOT NULL,
    customer_id uuid NOT NULL,
    granted_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (store_id, customer_id)
);

CREATE OR REPLACE FUNCTION sync_current_store() RETURNS text
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
    AS $$ SELECT store_id::text FROM sync_stores WHERE role_name = session_user $$;

CREATE OR REPLACE FUNCTION sync_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.change_seq := pg_current_xact_id()::text::bigint;
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION sync_tombstone() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    INSERT INTO sync_tombstones (entity, entity_id, store_id)
    VALUES (TG_ARGV[0], OLD.id, OLD.store_id)
    ON CONFLICT (entity, entity_id) DO UPDATE
        SET change_seq = EXCLUDED.change_seq, deleted_at = now(), store_id = EXCLUDED.store_id;
    RETURN OLD;
END $$;

CREATE OR REPLACE FUNCTION sync_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% % is %: it can be added but never changed or deleted',
        TG_ARGV[0], OLD.id, coalesce(TG_ARGV[1], 'a money record')
        USING ERRCODE = 'integrity_constraint_violation';
END $$;

CREATE OR REPLACE FUNCTION sync_completed_order() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'completed' AND ({
    " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in ORDER_MONEY_COLUMNS)
}) THEN
        RAISE EXCEPTION 'order % is completed: its money can no longer change', OLD.number
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION sync_shared_customers() RETURNS SETOF uuid
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
    AS $$ SELECT customer_id FROM sync_customer_access WHERE store_id = sync_current_store() $$;

CREATE OR REPLACE FUNCTION sync_share_customer(q text) RETURNS SETOF uuid
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    -- Exact customer number, phone (E.164) or ID document number only: a store can fetch
    -- the customer standing at its counter, never browse another store's customers.
    IF length(coalesce(q, '')) < 6 THEN
        RETURN;
    END IF;
    RETURN QUERY
    INSERT INTO sync_customer_access (store_id, customer_id)
    SELECT sync_current_store(), c.id FROM customers c
    WHERE (c.customer_no = q OR c.phone = q OR c.doc_number = q)
      AND c.store_id <> sync_current_store()
    LIMIT 5
    ON CONFLICT (store_id, customer_id) DO UPDATE SET granted_at = now()
    RETURNING customer_id;
END $$;
REVOKE ALL ON FUNCTION sync_share_customer(text) FROM PUBLIC;

DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{STORE_GROUP}') THEN
        CREATE ROLE {STORE_GROUP} NOLOGIN;
    END IF;
END $$;
GRANT USAGE ON SCHEMA public TO {STORE_GROUP};
GRANT SELECT ON alembic_version, sync_meta TO {STORE_GROUP};
GRANT SELECT ON sync_stores TO {STORE_GROUP};
GRANT SELECT, UPDATE ON sync_terminals TO {STORE_GROUP};
GRANT SELECT, INSERT, UPDATE ON sync_journal TO {STORE_GROUP};
GRANT SELECT, INSERT ON sync_conflicts TO {STORE_GROUP};
GRANT USAGE ON SEQUENCE sync_conflicts_id_seq TO {STORE_GROUP};
GRANT SELECT ON sync_tombstones TO {STORE_GROUP};
GRANT EXECUTE ON FUNCTION sync_share_customer(text) TO {STORE_GROUP};
"""


def _own(column: str = "store_id") -> str:
    # A sub-select is evaluated once per statement (an InitPlan), not once per row.
    return f"{column} = (SELECT sync_current_store())"


def _policy(conn: Connection, table: str, name: str, body: str) -> None:
    conn.execute(text(f"DROP POLICY IF EXISTS {name} ON {table}"))
    conn.execute(text(f"CREATE POLICY {name} ON {table} {body}"))


def _rls_for_sync_tables(conn: Connection) -> None:
    for table in ("sync_stores", "sync_terminals", "sync_journal", "sync_conflicts"):
        conn.execute(text(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY"))
        _policy(
            conn, table, "own_store",
            f"TO {STORE_GROUP} USING ({_own()}) WITH CHECK ({_own()})",
        )  # fmt: skip
    conn.execute(text("ALTER TABLE sync_tombstones ENABLE ROW LEVEL SECURITY"))
    _policy(
        conn, "sync_tombstones", "own_or_shared",
        f"FOR SELECT TO {STORE_GROUP} "
        f"USING (store_id IN ('{CENTRE_STORE}', (SELECT sync_current_store())))",
    )  # fmt: skip


def _business_table(conn: Connection, name: str, table: str, rule: Rule) -> None:
    conn.execute(
        text(
            f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS change_seq bigint NOT NULL "
            "DEFAULT (pg_current_xact_id()::text::bigint)"
        )
    )
    # A pull pages by (change_seq, id): with both in the index each page is a range scan
    # that stops at the page size, instead of sorting every row above the watermark
    # again for every page (a 50,000-row catalog change paid that 25 times).
    conn.execute(text(f"DROP INDEX IF EXISTS ix_{table}_change_seq"))
    conn.execute(
        text(f"CREATE INDEX IF NOT EXISTS ix_{table}_change_seq_id ON {table} (change_seq, id)")
    )
    conn.execute(text(f"DROP TRIGGER IF EXISTS sync_touch ON {table}"))
    conn.execute(
        text(
            f"CREATE TRIGGER sync_touch BEFORE UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION sync_touch()"
        )
    )
    conn.execute(text(f"DROP TRIGGER IF EXISTS sync_tombstone ON {table}"))
    conn.execute(
        text(
            f"CREATE TRIGGER sync_tombstone AFTER DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION sync_tombstone('{name}')"
        )
    )
    conn.execute(text(f"DROP TRIGGER IF EXISTS sync_append_only ON {table}"))
    if rule is Rule.APPEND_ONLY:
        what = "case history" if name in CASE_HISTORY else "a money record"
        conn.execute(
            text(
                f"CREATE TRIGGER sync_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION sync_append_only('{name}', '{what}')"
            )
        )
    if rule is Rule.FIELD_MERGE:
        conn.execute(
            text(
                f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS field_clock jsonb "
                "NOT NULL DEFAULT '{}'::jsonb"
            )
        )
        # Who ("S001-T01") made the change each column holds: named in case conflicts.
        conn.execute(
            text(
                f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS field_writer jsonb "
                "NOT NULL DEFAULT '{}'::jsonb"
            )
        )
    conn.execute(text(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY"))
    if rule is Rule.CENTRE_OWNED:
        conn.execute(text(f"GRANT SELECT ON {table} TO {STORE_GROUP}"))
        conn.execute(text(f"REVOKE INSERT, UPDATE, DELETE ON {table} FROM {STORE_GROUP}"))
        _policy(
            conn, table, "reference_rows",
            f"FOR SELECT TO {STORE_GROUP} "
            f"USING (store_id IN ('{CENTRE_STORE}', (SELECT sync_current_store())))",
        )  # fmt: skip
        return
    conn.execute(text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {STORE_GROUP}"))
    _policy(conn, table, "store_rows", f"TO {STORE_GROUP} USING ({_own()}) WITH CHECK ({_own()})")
    if name in CASES:
        case_policies(conn, name, table, STORE_GROUP)
    if name in SHARED_WITH_CUSTOMER:
        key = "id" if name == "customer" else "customer_id"
        shared = f"{key} IN (SELECT sync_shared_customers())"
        _policy(conn, table, "shared_customer", f"FOR SELECT TO {STORE_GROUP} USING ({shared})")
        if rule is Rule.FIELD_MERGE:  # the visiting store may correct contact details
            _policy(
                conn, table, "shared_customer_edit",
                f"FOR UPDATE TO {STORE_GROUP} USING ({shared}) WITH CHECK ({shared})",
            )  # fmt: skip
        if name != "customer":  # what other stores added to this store's customers
            _policy(
                conn, table, "own_customer_rows",
                f"FOR SELECT TO {STORE_GROUP} USING (customer_id IN "
                "(SELECT id FROM customers WHERE store_id = (SELECT sync_current_store())))",
            )  # fmt: skip
    if name == "stock_transfer":
        _policy(
            conn, table, "incoming_transfers",
            f"FOR SELECT TO {STORE_GROUP} "
            "USING (direction = 'out' AND other_store = (SELECT sync_current_store()))",
        )  # fmt: skip


def init_central(engine: Engine) -> tuple[str, int]:
    """Create or upgrade the central schema; returns (schema revision, central version)."""
    if engine.dialect.name != "postgresql":
        raise CentralProblem("The central database must be PostgreSQL (postgresql://…).")
    upgrade(engine, backup=False)
    with engine.begin() as conn:
        # One initialiser at a time (two IT people, or a retry while the first still runs).
        conn.execute(text("SELECT pg_advisory_xact_lock(7419)"))
        for statement in _split(_BASE_DDL):
            conn.execute(text(statement))
        _rls_for_sync_tables(conn)
        for statement in _split(GROUPS_DDL):
            conn.execute(text(statement))
        for entity in entities():
            _business_table(conn, entity.name, entity.table.name, entity.rule)
        # A terminal counts the accessories it sold from its own level row: at the centre
        # the store's quantity is the sum over its terminals, one row per terminal.
        conn.execute(
            text("ALTER TABLE stock_levels DROP CONSTRAINT IF EXISTS uq_stock_levels_store_id")
        )
        conn.execute(
            text(
                "CREATE UNIQUE INDEX IF NOT EXISTS uq_stock_levels_terminal "
                "ON stock_levels (store_id, terminal_id, offering_id)"
            )
        )
        conn.execute(text("DROP TRIGGER IF EXISTS sync_completed_order ON orders"))
        conn.execute(
            text(
                "CREATE TRIGGER sync_completed_order BEFORE UPDATE ON orders "
                "FOR EACH ROW EXECUTE FUNCTION sync_completed_order()"
            )
        )
        conn.execute(
            text(
                "INSERT INTO sync_meta (key, value) VALUES ('central_version', :v) "
                "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value"
            ),
            {"v": str(CENTRAL_VERSION)},
        )
    return head_revision(), CENTRAL_VERSION


def _split(script: str) -> list[str]:
    """Statements of the DDL script; ``$$`` bodies keep their semicolons."""
    out: list[str] = []
    current: list[str] = []
    in_body = False
    for line in script.splitlines():
        current.append(line)
        in_body ^= line.count("$$") % 2 == 1
        if not in_body and line.rstrip().endswith(";"):
            out.append("\n".join(current).strip())
            current = []
    rest = "\n".join(current).strip()
    if rest:
        out.append(rest)
    return [s for s in out if s]


def add_store(
    engine: Engine, store_id: str, *, name: str = "", password: str | None = None
) -> StoreRole:
    """Register a store and create (or re-key) its login role; the password is returned once."""
    check_id(store_id, "Store id")
    if store_id == CENTRE_STORE:
        raise CentralProblem(f"{CENTRE_STORE!r} is the centre's own id for shared data.")
    role = role_name(store_id)
    secret = password or secrets.token_urlsafe(24)
    with engine.begin() as conn:
        _require_initialised(conn)
        exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role})
        verb = "ALTER" if exists.first() else "CREATE"
        quoted = conn.execute(text("SELECT quote_literal(:p)"), {"p": secret}).scalar_one()
        conn.execute(text(f"{verb} ROLE {role} LOGIN PASSWORD {quoted}"))
        conn.execute(text(f"GRANT {STORE_GROUP} TO {role}"))
        conn.execute(
            text(
                "INSERT INTO sync_stores (store_id, name, role_name) VALUES (:s, :n, :r) "
                "ON CONFLICT (store_id) DO UPDATE SET name = EXCLUDED.name"
            ),
            {"s": store_id, "n": name, "r": role},
        )
    return StoreRole(store_id, role, secret)


def add_terminal(engine: Engine, store_id: str, terminal_id: str) -> None:
    check_id(terminal_id, "Terminal id")
    with engine.begin() as conn:
        _require_initialised(conn)
        require_store(conn, store_id)
        conn.execute(
            text(
                "INSERT INTO sync_terminals (store_id, terminal_id) VALUES (:s, :t) "
                "ON CONFLICT DO NOTHING"
            ),
            {"s": store_id, "t": terminal_id},
        )


def require_store(conn: Connection, store_id: str) -> None:
    """:class:`CentralProblem` unless ``store_id`` is registered (``central add-store``)."""
    known = conn.execute(
        text("SELECT 1 FROM sync_stores WHERE store_id = :s"), {"s": store_id}
    ).first()
    if not known:
        raise CentralProblem(
            f"Store {store_id!r} is not registered; run `storedesk central add-store` first."
        )


def _require_initialised(conn: Connection) -> None:
    found = conn.execute(text("SELECT to_regclass('sync_stores')")).scalar()
    if found is None:
        raise CentralProblem(
            "This database has no central schema yet; run `storedesk central init` first."
        )
