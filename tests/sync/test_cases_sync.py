"""Cases between a store's counter and the back office, through a real central PostgreSQL.

S001's counter opens cases; the back office BO1 is a store that works the group
``second_line`` (and, in one test, ``hr``); S002 works no group. Each side works the case
with the real services, syncs, and reads the other's changes in the case's detail.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import select

from app.cli import run_command
from app.db import models as m
from app.db.uow import make_uow_factory
from app.services.case_views import CaseDetail, CaseLinks
from app.services.handoffs import hand_on
from app.sync.central_cases import add_group, groups_of
from domain.cases.case import EventKind
from domain.cases.definitions import Priority
from tests.customer_drafts import draft
from tests.sync.terminals import Central, Terminal, assert_converged

pytestmark = pytest.mark.postgres

HR = Path(__file__).resolve().parents[2] / "docs" / "examples" / "hr_request.json"


def _connect(central: Central, store: str) -> psycopg.Connection:
    return psycopg.connect(
        central.store_url(store), password=central.passwords[store], autocommit=True
    )


def _complaint(t: Terminal, *, with_customer: bool = True) -> uuid.UUID:
    anna = t.login("anna", "1111")
    links = CaseLinks()
    if with_customer:
        links = CaseLinks(customer_id=t.services.onboarding.create(draft(t.services), user=anna))
    done = t.services.cases.create(
        "complaint",
        summary="No signal at home since Monday",
        values={"subject": "network", "description": "No signal in the flat, 4G and 5G"},
        links=links,
        user=anna,
    )
    return done.detail.card.id


def _detail(t: Terminal, case_id: uuid.UUID, user: str = "maria", pin: str = "3333") -> CaseDetail:
    return t.services.cases.detail(case_id, user=t.login(user, pin))


def _texts(detail: CaseDetail) -> list[str]:
    return [h.text for h in detail.history]


def _events(t: Terminal, case_id: uuid.UUID) -> list[tuple[str, str]]:
    with t.services.engine.connect() as conn:
        rows = conn.execute(
            select(m.CaseEventRecord.id, m.CaseEventRecord.kind).where(
                m.CaseEventRecord.case_id == case_id
            )
        ).all()
    return sorted((str(i), k) for i, k in rows)


def _central_events(central: Central, case_id: uuid.UUID) -> list[tuple[str, str]]:
    with _connect(central, "S001") as conn:
        rows = conn.execute("SELECT id, kind FROM case_events WHERE case_id = %s", (case_id,))
        return sorted((str(i), k) for i, k in rows)


@pytest.fixture
def counter_and_back_office(
    central: Central, terminal: Callable[..., Terminal]
) -> tuple[Terminal, Terminal, uuid.UUID]:
    """A complaint opened at S001's counter, pulled by BO1 (which works second_line)."""
    add_group(central.admin, "BO1", "second_line")
    s1, bo = terminal("S001"), terminal("BO1")
    case_id = _complaint(s1)
    s1.cycle()
    bo.cycle()
    return s1, bo, case_id


def test_a_case_opened_at_the_counter_reaches_the_back_office_of_its_group(
    central: Central, counter_and_back_office: tuple[Terminal, Terminal, uuid.UUID]
) -> None:
    s1, bo, case_id = counter_and_back_office
    boris = bo.login("boris", "2222")
    board = bo.services.cases.board(user=boris)
    assert [c.id for c in board.cards] == [case_id]
    detail = _detail(bo, case_id, "boris", "2222")
    assert detail.card.status_label == "New"
    assert _texts(detail) == ["Someone at S001-T01 opened the case (New)."]
    (customer,) = [link for link in detail.links if link.kind.value == "customer"]
    assert customer.label.endswith("(not on this terminal)")  # S001's customer stays there
    assert [s.target for s in detail.steps if s.allowed] == ["investigating", "waiting_customer"]
    for t in (s1, bo):
        t.cycle()  # BO1 installed its own case types when it first read a case
        assert_converged(central, t)


def test_a_store_not_working_the_group_never_sees_the_case(
    central: Central,
    terminal: Callable[..., Terminal],
    counter_and_back_office: tuple[Terminal, Terminal, uuid.UUID],
) -> None:
    _, _, case_id = counter_and_back_office
    s2 = terminal("S002")
    s2.cycle()
    with s2.services.engine.connect() as conn:
        assert conn.execute(select(m.CaseRecord.id)).all() == []
        assert conn.execute(select(m.CaseEventRecord.id)).all() == []
        assert conn.execute(select(m.CaseTypeRecord.store_id).distinct()).scalars().all() in (
            [],
            ["S002"],
        )
    with _connect(central, "S002") as conn:
        assert conn.execute("SELECT count(*) FROM cases").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM case_events").fetchone() == (0,)
        types = conn.execute("SELECT count(*) FROM case_types WHERE store_id = 'S001'")
        assert types.fetchone() == (0,)
        done = conn.execute("UPDATE cases SET summary = 'mine now' WHERE id = %s", (case_id,))
        assert done.rowcount == 0
        assert conn.execute("DELETE FROM cases WHERE id = %s", (case_id,)).rowcount == 0
    with _connect(central, "BO1") as conn:
        assert conn.execute("SELECT count(*) FROM cases").fetchone() == (1,)
        assert conn.execute("DELETE FROM cases WHERE id = %s", (case_id,)).rowcount == 0
        with pytest.raises(psycopg.errors.IntegrityConstraintViolation, match="another store"):
            conn.execute("UPDATE cases SET store_id = 'BO1' WHERE id = %s", (case_id,))
        assert conn.execute("UPDATE case_events SET note = 'rewritten'").rowcount == 0
    # Not even the case's own store rewrites its history.
    with (
        _connect(central, "S001") as conn,
        pytest.raises(psycopg.errors.IntegrityConstraintViolation, match="case history"),
    ):
        conn.execute("UPDATE case_events SET note = 'rewritten'")
    assert central.scalar("SELECT summary FROM cases") == "No signal at home since Monday"


def test_the_back_office_works_the_case_and_the_store_sees_status_and_history(
    central: Central, counter_and_back_office: tuple[Terminal, Terminal, uuid.UUID]
) -> None:
    s1, bo, case_id = counter_and_back_office
    boris = bo.login("boris", "2222")
    bo.services.cases.transition(case_id, "investigating", note="Cell 4711 is down", user=boris)
    bo.services.cases.comment(case_id, "Network operations have a ticket", user=boris)
    bo.cycle()
    s1.cycle()
    detail = _detail(s1, case_id)
    assert detail.card.status == "investigating"
    assert _texts(detail)[1:] == [
        "Someone at BO1-T01 moved it from New to Investigating. Cell 4711 is down",
        "Someone at BO1-T01 commented: Network operations have a ticket",
    ]
    assert [(c.user_name, c.body) for c in detail.comments] == [
        ("Someone at BO1-T01", "Network operations have a ticket")
    ]
    assert detail.responded_at is not None  # the back office's answer is the first response
    # The customer's timeline at the counter shows the back office's step, once.
    s1.cycle()
    customer = detail.card.customer_id
    assert customer is not None
    steps = [
        e.summary
        for e in s1.services.customers.timeline(customer, kinds=("case",))
        if "Investigating" in e.summary
    ]
    assert len(steps) == 1 and "New → Investigating (Cell 4711 is down)" in steps[0]
    for t in (s1, bo):
        assert_converged(central, t)


def test_concurrent_offline_changes_become_a_visible_conflict_and_lose_no_history(
    central: Central, counter_and_back_office: tuple[Terminal, Terminal, uuid.UUID]
) -> None:
    s1, bo, case_id = counter_and_back_office
    maria = s1.login("maria", "3333")
    boris = bo.login("boris", "2222")
    # Both offline: the store's manager starts investigating, then the back office (later)
    # asks the customer.
    s1.services.cases.transition(case_id, "investigating", user=maria)
    bo.services.cases.transition(case_id, "waiting_customer", note="Which address?", user=boris)
    s1.cycle()
    bo.cycle()  # arrives second, changed later: its status wins
    s1.cycle()
    expected = (
        "Changed at the same time at BO1-T01 and S001-T01: status kept Waiting for the "
        "customer, Investigating lost."
    )
    for t in (s1, bo):
        detail = _detail(t, case_id)
        assert detail.card.status == "waiting_customer", t.store
        texts = _texts(detail)
        assert texts.count(expected) == 1, (t.store, texts)
        assert any("from New to Investigating" in x for x in texts), t.store
        assert any("from New to Waiting for the customer" in x for x in texts), t.store
        assert [h.kind for h in detail.history].count(EventKind.CONFLICT) == 1
        # Derived columns follow the status that won: waiting pauses the SLA.
        assert detail.paused_since is not None and detail.card.due_at is None, t.store
    lost = central.scalar(
        "SELECT lost_value ->> 'status' FROM sync_conflicts WHERE entity = 'case' "
        "AND field = 'status'"
    )
    assert lost == "investigating"
    assert central.scalar("SELECT due_at IS NULL AND is_open FROM cases") is True
    # Every history entry is everywhere exactly once, and stays so however often they sync.
    everywhere = _central_events(central, case_id)
    assert sorted(k for _, k in everywhere) == ["conflict", "opened", "transition", "transition"]
    for _ in range(2):
        s1.cycle()
        bo.cycle()
    assert _central_events(central, case_id) == everywhere
    for t in (s1, bo):
        assert _events(t, case_id) == everywhere, t.store
        assert_converged(central, t)


def test_different_parts_changed_on_each_side_are_both_kept(
    central: Central, counter_and_back_office: tuple[Terminal, Terminal, uuid.UUID]
) -> None:
    s1, bo, case_id = counter_and_back_office
    anna = s1.login("anna", "1111")
    boris = bo.login("boris", "2222")
    s1.services.cases.update_fields(case_id, {"desired_outcome": "A week's credit"}, user=anna)
    bo.services.cases.set_priority(case_id, Priority.HIGH, user=boris)
    bo.services.cases.update_fields(case_id, {"goodwill": "5.00"}, user=boris)
    bo.cycle()
    s1.cycle()
    bo.cycle()
    for t in (s1, bo):
        detail = _detail(t, case_id)
        values = {f.name: f.value for f in detail.fields}
        assert values["desired_outcome"] == "A week's credit", t.store
        assert "5.00" in values["goodwill"], t.store
        assert detail.card.priority is Priority.HIGH, t.store
        assert EventKind.CONFLICT not in [h.kind for h in detail.history]
    assert central.scalar("SELECT count(*) FROM sync_conflicts") == 0
    assert central.scalar("SELECT priority_rank FROM cases") == Priority.HIGH.rank


def test_a_case_of_a_type_the_back_office_lacks_arrives_with_its_type_and_calendar(
    central: Central, terminal: Callable[..., Terminal]
) -> None:
    s1, bo = terminal("S001"), terminal("BO1")
    maria = s1.login("maria", "3333")
    s1.services.cases.import_types(HR.read_text(encoding="utf-8"), source="hr_request.json")
    done = s1.services.cases.create(
        "hr_request",
        summary="Leave in March",
        values={"request_kind": "leave", "details": "Two weeks from 2 March"},
        user=maria,
    )
    case_id = done.detail.card.id
    s1.cycle()
    bo.cycle()
    with bo.services.engine.connect() as conn:
        assert conn.execute(select(m.CaseRecord.id)).all() == []  # BO1 does not work hr yet
    assert add_group(central.admin, "BO1", "hr") == 1  # the open case is brought forward
    bo.cycle()
    bo_maria = bo.login("maria", "3333")
    assert "hr_request" not in [t.code for t in bo.services.cases.list_types()]  # not current
    bo.services.cases.transition(case_id, "in_progress", user=bo_maria)
    with bo.services.engine.connect() as conn:
        stores = conn.execute(
            select(m.CaseCalendarRecord.store_id).where(m.CaseCalendarRecord.name == "hr_office")
        ).scalars()
        assert list(stores) == ["S001"]
    bo.cycle()
    s1.cycle()
    assert _detail(s1, case_id).card.status == "in_progress"
    for t in (s1, bo):
        assert_converged(central, t)


def test_work_on_a_case_that_left_the_back_office_meanwhile_is_kept_visibly(
    central: Central, counter_and_back_office: tuple[Terminal, Terminal, uuid.UUID]
) -> None:
    s1, bo, case_id = counter_and_back_office
    boris = bo.login("boris", "2222")
    maria = s1.login("maria", "3333")
    bo.services.cases.comment(case_id, "Calling the customer back", user=boris)
    bo.services.cases.set_priority(case_id, Priority.URGENT, user=boris)
    s1.services.cases.assign(case_id, group="store_management", user=maria)
    s1.cycle()
    bo.cycle()  # the case is no longer BO1's to change: nothing stops, nothing is lost
    assert bo.waiting() == 0
    s1.cycle()
    detail = _detail(s1, case_id)
    assert detail.card.priority is Priority.NORMAL
    assert [c.body for c in detail.comments] == ["Calling the customer back"]
    assert (
        "Changes made at BO1-T01 could not be applied (The case had left the queues BO1 "
        "works): priority Urgent lost."
    ) in _texts(detail)
    lost = central.scalar("SELECT lost_value #>> '{}' FROM sync_conflicts WHERE field = 'priority'")
    assert lost == "urgent"


def test_it_says_which_groups_a_store_works_from_the_command_line(central: Central) -> None:
    def run(*argv: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        code = run_command(["central", *argv, "--url", central.url], out=out, err=err)
        return code, out.getvalue(), err.getvalue()

    code, out, _ = run("add-group", "--store", "BO1", "--group", "second_line")
    assert code == 0 and "store BO1 works group second_line" in out
    assert run("add-group", "--store", "BO1", "--group", "second_line")[0] == 0  # again: same
    assert run("add-group", "--store", "BO1", "--group", "hr")[0] == 0
    assert groups_of(central.admin, "BO1") == ["hr", "second_line"]
    code, _, err = run("add-group", "--store", "S404", "--group", "hr")
    assert code == 1 and "not registered" in err
    code, _, err = run("add-group", "--store", "BO1", "--group", "two words")
    assert code == 1 and "not valid" in err
    code, out, _ = run("remove-group", "--store", "BO1", "--group", "hr")
    assert code == 0 and "no longer works" in out
    assert groups_of(central.admin, "BO1") == ["second_line"]


def test_a_hand_on_closed_at_the_back_office_is_done_at_the_counter(
    central: Central, terminal: Callable[..., Terminal]
) -> None:
    add_group(central.admin, "BO1", "second_line")
    s1, bo = terminal("S001"), terminal("BO1")
    anna = s1.login("anna", "1111")
    uow = make_uow_factory(s1.services.engine, store_id="S001", terminal_id="T01")
    with uow() as work:
        handoff = hand_on(
            work.session, kind="port_in", summary="Port-in of +491701234567 from Donor",
            user_id=anna.id,
        )  # fmt: skip
        handoff_id, case_id = handoff.id, handoff.case_id
        work.commit()
    assert case_id is not None
    s1.cycle()
    bo.cycle()
    boris = bo.login("boris", "2222")
    bo.services.cases.transition(
        case_id, "failed", values={"failure_reason": "porting code wrong"}, user=boris
    )
    bo.cycle()
    with s1.services.engine.connect() as conn:
        waiting = conn.execute(select(m.Handoff.status).where(m.Handoff.id == handoff_id))
        assert waiting.scalar_one() == "waiting"
    s1.cycle()
    with s1.services.engine.connect() as conn:
        done = conn.execute(select(m.Handoff.status).where(m.Handoff.id == handoff_id))
        assert done.scalar_one() == "done"
    assert not any(h.id == handoff_id for h in s1.services.handoffs.waiting())
