"""The centre's side of cases: which groups each store works, and who may see which case.

A case belongs to the store that opened it (``store_id``) and waits in a queue, its
``assignee_group`` (``second_line``, ``back_office`` …, from the case type). IT says which
stores work which queues (``storedesk central add-group --store BO1 --group second_line``;
a back office is just another store id): ``sync_store_groups``. Row-level security then
lets a store role

- read and update the cases of its own store and the cases in one of its groups (never
  delete another store's case, never move a case to another store: a trigger refuses it);
  an update by a working store may hand the case to any group — the check is on the case
  as it was, by :func:`sync_case_worked`;
- read the history, comments and attachments of every case it can read (it adds its own
  under its own store id, so both sides' entries are kept);
- read the case types and calendars those cases follow, so a case of type X version N is
  understood wherever it is worked.

A store that starts working a group receives that group's open cases at its next pull
(:func:`add_group` touches them so that they are above every watermark); finished cases
of the group arrive if they are reopened.
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine, text

from app.sync.entities import CASE_HISTORY

GROUPS_DDL = """
CREATE TABLE IF NOT EXISTS sync_store_groups (
    store_id varchar(16) NOT NULL REFERENCES sync_stores (store_id),
    group_name varchar(40) NOT NULL,
    added_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (store_id, group_name)
);
ALTER TABLE sync_store_groups ENABLE ROW LEVEL SECURITY;

CREATE OR REPLACE FUNCTION sync_current_groups() RETURNS SETOF text
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
    AS $$ SELECT group_name::text FROM sync_store_groups
          WHERE store_id = sync_current_store() $$;

CREATE OR REPLACE FUNCTION sync_case_worked(case_id uuid, case_store text) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
    AS $$ SELECT EXISTS (
        SELECT 1 FROM cases c
        WHERE c.id = case_id AND c.store_id = case_store
          AND c.assignee_group IN (SELECT sync_current_groups())) $$;

CREATE OR REPLACE FUNCTION sync_case_stays() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.store_id IS DISTINCT FROM OLD.store_id THEN
        RAISE EXCEPTION 'case % belongs to store %: it cannot move to another store',
            OLD.number, OLD.store_id USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$;
"""


class GroupProblem(Exception):
    """A group cannot be added or removed as asked; the message says why."""


def case_policies(conn: Connection, name: str, table: str, store_group: str) -> None:
    """The policies a case table has besides the plain own-store one (see the module doc)."""
    mine = "assignee_group IN (SELECT sync_current_groups())"

    def policy(policy_name: str, command: str, body: str) -> None:
        conn.execute(text(f"DROP POLICY IF EXISTS {policy_name} ON {table}"))
        conn.execute(
            text(f"CREATE POLICY {policy_name} ON {table} FOR {command} TO {store_group} {body}")
        )

    if name == "case":
        policy("group_cases_read", "SELECT", f"USING ({mine})")
        policy(
            "group_cases_work", "UPDATE",
            f"USING ({mine}) WITH CHECK (sync_case_worked(id, store_id))",
        )  # fmt: skip
        conn.execute(text("DROP TRIGGER IF EXISTS sync_case_stays ON cases"))
        conn.execute(
            text(
                "CREATE TRIGGER sync_case_stays BEFORE UPDATE ON cases "
                "FOR EACH ROW EXECUTE FUNCTION sync_case_stays()"
            )
        )
    elif name in CASE_HISTORY:
        # A sub-select on cases is itself confined by the cases' policies.
        policy("history_of_visible_cases", "SELECT", "USING (case_id IN (SELECT id FROM cases))")
    elif name == "case_type":
        policy(
            "types_of_visible_cases",
            "SELECT",
            "USING (EXISTS (SELECT 1 FROM cases c WHERE c.store_id = "
            "case_types.store_id AND c.type_code = case_types.code "
            "AND c.type_version = case_types.type_version))",
        )
    elif name == "case_calendar":
        policy(
            "calendars_of_visible_types",
            "SELECT",
            "USING (EXISTS (SELECT 1 FROM case_types t WHERE t.store_id = "
            "case_calendars.store_id AND t.definition -> 'sla' ->> 'calendar' = "
            "case_calendars.name))",
        )


def add_group(engine: Engine, store_id: str, group: str) -> int:
    """Let ``store_id`` work the queue ``group``; returns how many open cases it gains."""
    group = _check_group(group)
    with engine.begin() as conn:
        _require_store(conn, store_id)
        conn.execute(
            text(
                "INSERT INTO sync_store_groups (store_id, group_name) VALUES (:s, :g) "
                "ON CONFLICT DO NOTHING"
            ),
            {"s": store_id, "g": group},
        )
        # Older cases of the group are below the store's watermarks: writing them again
        # (no change but their change_seq) brings them down at the next pull.
        touched = conn.execute(
            text(
                "UPDATE cases SET change_seq = pg_current_xact_id()::text::bigint "
                "WHERE assignee_group = :g AND is_open AND store_id <> :s"
            ),
            {"g": group, "s": store_id},
        )
        return touched.rowcount or 0


def remove_group(engine: Engine, store_id: str, group: str) -> bool:
    """Stop ``store_id`` working ``group``; False if it did not. Cases it has stay on its
    terminals as last seen; their further changes no longer reach it."""
    with engine.begin() as conn:
        _require_store(conn, store_id)
        done = conn.execute(
            text("DELETE FROM sync_store_groups WHERE store_id = :s AND group_name = :g"),
            {"s": store_id, "g": group},
        )
        return bool(done.rowcount)


def groups_of(engine: Engine, store_id: str) -> list[str]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                text(
                    "SELECT group_name FROM sync_store_groups WHERE store_id = :s "
                    "ORDER BY group_name"
                ),
                {"s": store_id},
            ).scalars()
        )


def _check_group(group: str) -> str:
    group = group.strip()
    if not group or len(group) > 40 or not all(c.isalnum() or c in "_-" for c in group):
        raise GroupProblem(
            f"Group {group!r} is not valid: use 1 to 40 letters, digits, '-' or '_' "
            "(as in the case types' default_group, e.g. second_line)."
        )
    return group


def _require_store(conn: Connection, store_id: str) -> None:
    if conn.execute(text("SELECT to_regclass('sync_store_groups')")).scalar() is None:
        raise GroupProblem(
            "This central database has no store groups yet; run `storedesk central init`."
        )
    # central_schema builds on this module (GROUPS_DDL, case_policies): imported here.
    from app.sync.central_schema import require_store

    require_store(conn, store_id)
