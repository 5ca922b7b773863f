"""A customer of store S001 walks into store S002: fetched on demand, by exact number only."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.db import models as m
from app.errors import SyncError
from tests.customer_drafts import draft
from tests.sync.terminals import Central, Terminal

pytestmark = pytest.mark.postgres


def test_a_customer_of_another_store_is_fetched_by_number_and_stays_in_step(
    central: Central, terminal: Callable[..., Terminal]
) -> None:
    home, away = terminal("S001"), terminal("S002")
    anna = home.login("anna", "1111")
    cid = home.services.onboarding.create(draft(home.services), user=anna)
    home.cycle()
    number = home.services.customers.profile(cid).customer_no
    assert away.services.customers.search(number) == []

    assert away.services.sync.find_customer(["Muster"]) == []  # no browsing by name
    assert away.services.sync.find_customer([number]) == [cid]
    found = away.services.customers.search(number)
    assert [c.id for c in found] == [cid]  # in the local search index now
    with away.services.engine.connect() as conn:
        media = (
            conn.execute(select(m.ContactMedium.value).where(m.ContactMedium.customer_id == cid))
            .scalars()
            .all()
        )
    assert "erika@example.org" in media

    # The visiting store corrects the e-mail; the home store gets it with its next pull.
    boris = away.login("anna", "1111")
    away.services.customers.change_contact(
        cid, field="email", value="erika@away.example", reason="customer asked", user=boris
    )
    away.cycle()
    away.cycle()  # a normal pull with another store's customer in it is no error
    home.cycle()
    assert home.services.customers.profile(cid).email == "erika@away.example"


def test_finding_customers_needs_a_provisioned_online_terminal(
    central: Central, terminal: Callable[..., Terminal]
) -> None:
    t = terminal("S001")
    t.services.sync.stop()
    t.services.sync.enabled = False
    with pytest.raises(SyncError, match="not provisioned"):
        t.services.sync.find_customer(["C0000001"])


def test_the_consultant_fetches_a_customer_of_another_store_from_the_search(
    qtbot: QtBot, central: Central, terminal: Callable[..., Terminal]
) -> None:
    from PySide6.QtCore import Qt

    from ui.errors import ErrorRouter
    from ui.main_window import MainWindow
    from ui.ops import Runner

    home, away = terminal("S001"), terminal("S002")
    cid = home.services.onboarding.create(draft(home.services), user=home.login("anna", "1111"))
    home.cycle()
    runner = Runner(inline=True)
    win = MainWindow(away.services, runner, ErrorRouter(quiet=True))
    qtbot.addWidget(win)
    win.start()
    win.show()
    qtbot.keyClicks(win.login.username.lineEdit(), "anna")
    qtbot.keyClicks(win.login.pin, "1111")
    qtbot.keyClick(win.login.pin, Qt.Key.Key_Return)
    screen = win.customers
    assert screen.elsewhere_button.isVisible()
    qtbot.keyClicks(screen.search, "+49 151 23456789")
    qtbot.waitUntil(lambda: screen.status.text() == "No customer found", timeout=3000)
    assert screen.elsewhere_button.isEnabled()
    qtbot.keyClick(screen.search, Qt.Key.Key_F7)
    qtbot.waitUntil(lambda: screen.results.rowCount() == 1, timeout=5000)
    assert screen._results[0].id == cid
    win.close()
    runner.shutdown()
