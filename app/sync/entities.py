"""Which business tables sync in which direction, and how conflicts are settled, per entity.

Every business table is a :class:`~app.db.base.SyncRow` (UUIDv7 id, store, terminal,
version). The rules, one place for all of them (docs/ARCHITECTURE.md "Sync" repeats them):

- **Centre-owned** (catalog, promotions, policies, users): written only at the centre,
  pulled by every store, read-only for store roles (row-level security and grants). Local
  changes to them (a PIN lock-out counter) are never pushed; a pulled row replaces the
  local one whatever its version — the centre wins.
- **Append-only money records** (payments, till movements, invoices, order events, stock
  moves): pushed once with ``ON CONFLICT DO NOTHING``; the centre refuses any UPDATE or
  DELETE of them (a trigger), so a completed sale's money can only be added to.
- **Store-owned** (orders, lines, returns, till sessions, stock units, hand-ons …): pushed
  as idempotent upserts keyed by id; a row is replaced only by a *higher* version, so a
  retried or re-ordered push never goes backwards. Completed orders are immutable at the
  centre (a trigger refuses changes to their money columns).
- **Customer records** (customer, contact media, addresses, …): pushed like store-owned
  rows but merged *field-wise*, last writer wins by the local time of the change, with the
  losing value kept in ``sync_conflicts`` (see :mod:`app.sync.push`); pulled by every
  terminal of the store, so the customer a colleague onboarded is at every counter.
- Numbers (MSISDN blocks) are created centrally and reserved/assigned by the store: both
  directions, higher version wins. Stock transfers sent *to* this store are pulled.
- **Cases** belong to the store that opened them and are pulled by it and by every store
  (a back office is a store too) that works the case's ``assignee_group``
  (``sync_store_groups``). The case row merges field-wise like a customer record, but by
  *parts* that change together (the workflow state, the assignment, the priority, each
  field value; see :mod:`app.sync.case_merge`); a part both sides changed is a conflict
  that also becomes a history entry on the case. History, comments and attachments are
  append-only rows with their own ids, so both sides' entries survive. Case types and
  calendars come with the cases that use them.

Rows whose ``store_id`` is :data:`CENTRE_STORE` are shared reference data for all stores.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from functools import cache

from sqlalchemy import Table

from app.db import models as _models  # noqa: F401 - registers every mapped table
from app.db.base import Base, SyncRow

CENTRE_STORE = "HQ"


class Rule(enum.Enum):
    CENTRE_OWNED = "centre-owned"
    APPEND_ONLY = "append-only"
    STORE_OWNED = "store-owned"
    FIELD_MERGE = "field-wise last writer wins"


CENTRE_OWNED = frozenset({"offering", "promotion", "catalog_policies", "user"})
MONEY_RECORDS = frozenset({"payment", "till_movement", "invoice", "order_event", "stock_move"})
# A case's history: added to, never changed (both sides of a concurrent edit keep theirs).
CASE_HISTORY = frozenset({"case_event", "case_comment", "case_attachment"})
APPEND_ONLY = MONEY_RECORDS | CASE_HISTORY
FIELD_MERGE = frozenset(
    {"customer", "contact_medium", "address", "consent", "contact_person", "billing_account"}
    | {"case"}
)
# Definitions a case needs wherever it is worked (pulled with the cases that use them).
CASE_DEFINITIONS = frozenset({"case_type", "case_calendar"})
CASES = frozenset({"case"}) | CASE_HISTORY | CASE_DEFINITIONS
# What a terminal pulls besides the centre-owned tables (row-level security narrows each
# to this store's rows, the shared ones, or — for transfers — the ones sent to it).
PULLED = (
    CENTRE_OWNED
    | FIELD_MERGE
    | {
        "phone_number",
        "stock_transfer",
        "identity_document",
        "customer_change",
        "subscription",
        "interaction",
    }
    | CASES
)
# A customer of another store, found by exact number at this store's counter, is shared with
# it: these come down with the customer (rows that name another store's staff — identity
# checks, consents, change history — stay at the customer's own store).
SHARED_WITH_CUSTOMER = (
    "customer",
    "billing_account",
    "contact_medium",
    "address",
    "contact_person",
    "subscription",
    "interaction",
)
# Money columns of a completed order that the centre never lets change.
ORDER_MONEY_COLUMNS = ("status", "total_minor", "monthly_minor", "number", "receipt_number")


@dataclass(frozen=True)
class Entity:
    name: str
    table: Table
    rule: Rule
    pulled: bool

    @property
    def columns(self) -> list[str]:
        return [c.name for c in self.table.columns]


def _rule(name: str) -> Rule:
    if name in CENTRE_OWNED:
        return Rule.CENTRE_OWNED
    if name in APPEND_ONLY:
        return Rule.APPEND_ONLY
    if name in FIELD_MERGE:
        return Rule.FIELD_MERGE
    return Rule.STORE_OWNED


@cache
def entities() -> tuple[Entity, ...]:
    """Every synced entity, parents before children (the order pushes and pulls apply in)."""
    by_table: dict[str, str] = {}
    for mapper in Base.registry.mappers:
        cls = mapper.class_
        if issubclass(cls, SyncRow):
            by_table[cls.__tablename__] = cls.__entity__  # type: ignore[attr-defined]
    return tuple(
        Entity(by_table[t.name], t, _rule(by_table[t.name]), by_table[t.name] in PULLED)
        for t in Base.metadata.sorted_tables
        if t.name in by_table
    )


@cache
def by_name() -> dict[str, Entity]:
    return {e.name: e for e in entities()}
