"""After each sync the day's counts and sums are compared; a gap is filled by a re-push,
and a difference a re-push cannot mend stops the sync with the details."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import text

from app.errors import SyncError
from tests.sync.terminals import Central, Terminal, assert_converged

pytestmark = pytest.mark.postgres


@pytest.fixture
def synced(central: Central, terminal: Callable[..., Terminal]) -> Terminal:
    t = terminal("S001")
    t.open_till()
    t.receive("sku,serial,imsi,quantity\nACC-CASE,,,10\n", "DN-SANITY")
    for _ in range(3):
        t.sell_case()
    t.cycle()
    return t


def test_a_payment_lost_at_the_centre_is_sent_again(central: Central, synced: Terminal) -> None:
    with central.admin.begin() as conn:  # e.g. a restore from an older backup
        conn.execute(text("ALTER TABLE payments DISABLE TRIGGER sync_append_only"))
        conn.execute(
            text("DELETE FROM payments WHERE id = (SELECT id FROM payments ORDER BY id LIMIT 1)")
        )
        conn.execute(text("ALTER TABLE payments ENABLE TRIGGER sync_append_only"))
    assert central.scalar("SELECT count(*) FROM payments") == 2
    report = synced.cycle()
    assert report.sanity is not None and report.sanity.requeued > 0
    assert not report.sanity.mismatches
    assert central.scalar("SELECT count(*) FROM payments") == 3
    assert_converged(central, synced)


def test_a_difference_a_resend_cannot_mend_is_reported(central: Central, synced: Terminal) -> None:
    with central.admin.begin() as conn:  # a row this terminal never wrote
        conn.execute(
            text(
                "INSERT INTO payments SELECT (json_populate_record(NULL::payments, "
                "(row_to_json(p)::jsonb || jsonb_build_object('id', gen_random_uuid()))::json)).* "
                "FROM payments p LIMIT 1"
            )
        )
    with pytest.raises(SyncError, match=r"payment on .*: here 3 for .* centre 4"):
        synced.cycle()
    history = synced.services.sync.history()
    assert history[0].ok is False and "centre 4" in history[0].error
