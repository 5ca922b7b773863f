"""Customer records edited at two terminals while offline: merged field by field.

The later change of a field wins (by the terminals' clocks); the value that lost is kept in
``sync_conflicts``; fields changed at only one terminal are all kept; and both terminals
end up with the centre's merged record.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from sqlalchemy import select

from app.db import models as m
from app.services.auth import UserInfo
from tests.customer_drafts import draft
from tests.sync.terminals import Central, Terminal

pytestmark = pytest.mark.postgres


def _customer(t: Terminal, customer_id: object) -> m.Customer:
    with t.services.engine.connect() as conn:
        return conn.execute(select(m.Customer).where(m.Customer.id == customer_id)).one()  # type: ignore[return-value]


def _shared_customer(
    terminal: Callable[..., Terminal],
) -> tuple[Terminal, Terminal, UserInfo, UserInfo, uuid.UUID]:
    """Two terminals of one store that both have the customer T01 onboarded."""
    t1, t2 = terminal("S001", "T01"), terminal("S001", "T02")
    anna1, anna2 = t1.login("anna", "1111"), t2.login("anna", "1111")
    cid = t1.services.onboarding.create(draft(t1.services), user=anna1)
    t1.cycle()
    t2.cycle()
    return t1, t2, anna1, anna2, cid


def test_edits_of_different_fields_at_two_terminals_are_both_kept(
    central: Central, terminal: Callable[..., Terminal]
) -> None:
    t1, t2, anna1, anna2, cid = _shared_customer(terminal)
    assert t2.services.customers.search("Mustermann")[0].id == cid  # pulled and indexed

    customers1, customers2 = t1.services.customers, t2.services.customers
    customers1.change_contact(cid, field="email", value="erika@new.example", reason="new mail",
                              user=anna1)  # fmt: skip
    customers2.change_contact(cid, field="phone", value="+49 151 99988877", reason="new phone",
                              user=anna2)  # fmt: skip
    t1.cycle()
    t2.cycle()
    t1.cycle()
    for t in (t1, t2):
        row = _customer(t, cid)
        assert (row.email, row.phone) == ("erika@new.example", "+4915199988877"), t.terminal_id
    assert central.scalar("SELECT count(*) FROM sync_conflicts") == 0
    assert central.scalar("SELECT email FROM customers") == "erika@new.example"
    assert central.scalar("SELECT phone FROM customers") == "+4915199988877"


def test_the_same_field_at_two_terminals_the_later_wins_and_the_loser_is_kept(
    central: Central, terminal: Callable[..., Terminal]
) -> None:
    t1, t2, anna1, anna2, cid = _shared_customer(terminal)
    t1.services.customers.change_contact(
        cid, field="email", value="first@example.org", reason="customer asked", user=anna1
    )
    t2.services.customers.change_contact(
        cid, field="email", value="second@example.org", reason="customer asked", user=anna2
    )  # the later change, made without seeing the first
    t2.cycle()  # the later edit reaches the centre first
    t1.cycle()  # the earlier one arrives late and loses
    t2.cycle()
    for t in (t1, t2):
        assert _customer(t, cid).email == "second@example.org", t.terminal_id
    lost = central.scalar(
        "SELECT lost_value #>> '{}' FROM sync_conflicts WHERE entity = 'customer' "
        "AND field = 'email'"
    )
    assert lost == "first@example.org"
