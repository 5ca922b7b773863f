"""What stops a sync, and the sentence that says why: the queue stays, selling goes on."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import text

from app.db.types import utcnow
from app.errors import SyncError
from app.sync.engine import CentralLink, SyncEngine, make_central_engine
from tests.sync.terminals import Central, Terminal

pytestmark = pytest.mark.postgres


def _engine(t: Terminal, url: str, password: str, **link: object) -> SyncEngine:
    central = make_central_engine(url, password, timeout_s=3)
    return SyncEngine(
        t.services.engine,
        CentralLink(central, store_id=t.store, **link),  # type: ignore[arg-type]
        store_id=t.store,
        terminal_id=t.terminal_id,
    )


@pytest.fixture
def selling(terminal: Callable[..., Terminal]) -> Terminal:
    t = terminal("S001")
    t.open_till()
    t.receive("sku,serial,imsi,quantity\nACC-CASE,,,10\n", "DN-BAD")
    t.sell_case()
    return t


def _fails(engine: SyncEngine, t: Terminal, pattern: str, *, pushed: bool = False) -> None:
    waiting = t.waiting()
    with pytest.raises(SyncError, match=pattern):
        engine.cycle()
    # The local queue is intact (a pull that fails comes after a push that worked).
    assert t.waiting() == (0 if pushed else waiting)
    waiting = t.waiting()
    t.sell_case()  # and selling goes on
    assert t.waiting() > waiting


def test_an_unreachable_centre(central: Central, selling: Terminal) -> None:
    url = central.store_url("S001", port=1)
    _fails(_engine(selling, url, "x"), selling, "cannot be reached")


def test_wrong_credentials(central: Central, selling: Terminal) -> None:
    # The test server trusts local logins, so a wrong user name stands for bad credentials.
    url = central.store_url("S001").replace("storedesk_store_s001", "storedesk_store_nobody")
    _fails(_engine(selling, url, "wrong"), selling, "refused this store's login")


def test_the_login_of_another_store(central: Central, selling: Terminal) -> None:
    url = central.store_url("S002")
    _fails(_engine(selling, url, central.passwords["S002"]), selling, "belongs to store S002")


def test_a_login_that_is_no_store_role(central: Central, selling: Terminal) -> None:
    _fails(_engine(selling, central.url, ""), selling, "not a registered store role")


def test_a_clock_that_is_wrong(central: Central, selling: Terminal) -> None:
    engine = _engine(
        selling, central.store_url("S001"), central.passwords["S001"],
        clock=lambda: utcnow() + timedelta(hours=2),
    )  # fmt: skip
    _fails(engine, selling, "clock is 120 minutes ahead")


def test_a_central_schema_older_or_newer(central: Central, selling: Terminal) -> None:
    with central.admin.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099_future'"))
    _fails(selling.sync, selling, "Update StoreDesk on this terminal")
    with central.admin.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0001_initial'"))
    _fails(selling.sync, selling, "storedesk central init")


def test_a_store_role_without_rights(central: Central, selling: Terminal) -> None:
    with central.admin.begin() as conn:
        conn.execute(text("REVOKE INSERT, UPDATE ON payments FROM storedesk_store"))
    _fails(selling.sync, selling, "not allowed")
    with central.admin.begin() as conn:
        conn.execute(text("GRANT INSERT, UPDATE ON payments TO storedesk_store"))
    selling.cycle()
    assert selling.waiting() == 0


def test_a_row_for_another_store_is_refused(central: Central, selling: Terminal) -> None:
    # A misconfigured policy lets store S001 see every store's users.
    with central.admin.begin() as conn:
        conn.execute(text("CREATE POLICY leak ON users FOR SELECT TO storedesk_store USING (true)"))
        conn.execute(text("UPDATE users SET display_name = display_name || ' ' WHERE true"))
    _fails(selling.sync, selling, "of store 'S002' to store 'S001'", pushed=True)
    with selling.services.engine.connect() as local:
        stores = {r[0] for r in local.execute(text("SELECT DISTINCT store_id FROM users"))}
    assert stores == {"S001"}  # nothing of that page was applied


def test_a_row_that_does_not_fit_local_data_is_refused(central: Central, selling: Terminal) -> None:
    # This terminal held a number (from before it was provisioned) that the centre now
    # assigns to the store under another id.
    from app.sync.central_data import assign_numbers
    from domain.ids import new_id

    with selling.services.engine.begin() as local:
        local.execute(
            text(
                "INSERT INTO phone_numbers (id, store_id, terminal_id, created_at, updated_at, "
                "version, msisdn, status, tier) VALUES (:id, 'S001', 'T01', "
                "'2026-01-01 00:00:00', '2026-01-01 00:00:00', 1, '+4915209999999', "
                "'available', 'standard')"
            ),
            {"id": new_id().hex},
        )
    assign_numbers(central.admin, store_id="S001", msisdns=["+4915209999999"])
    before = selling.sync.puller.watermark("phone_number")
    _fails(selling.sync, selling, "do not fit this terminal's data", pushed=True)
    assert selling.sync.puller.watermark("phone_number") == before
