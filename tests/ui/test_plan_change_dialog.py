"""Plan change and add-ons from the Customer 360, driven by keyboard like a consultant."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date

import pytest
from logged_in_window import logged_in
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select, update

from app.bootstrap import Services
from app.db import models as m
from ui.main_window import MainWindow
from ui.screens.plan_change import PlanChangeDialog


@pytest.fixture
def window(qtbot: QtBot, demo_services: Services) -> Iterator[MainWindow]:
    win = logged_in(qtbot, demo_services, "anna", "1111")
    yield win
    win.close()


def _open_line(qtbot: QtBot, win: MainWindow, services: Services) -> str:
    """Open customer C00000003's 360 with one line on Smart M under commitment."""
    cid = services.customers.search("C00000003")[0].id
    with services.engine.begin() as conn:
        plan_m = conn.execute(select(m.Offering.id).where(m.Offering.sku == "PLAN-M")).scalar_one()
        conn.execute(
            update(m.Subscription)
            .where(m.Subscription.customer_id == cid)
            .values(
                plan_offering_id=plan_m, plan_name="Smart M 30 GB", addons=[],
                commitment_end=date(2099, 1, 31),
            )
        )  # fmt: skip
    win.customers.search.clear()
    qtbot.keyClicks(win.customers.search, "C00000003")
    qtbot.waitUntil(lambda: win.customers.status.text() != "", timeout=3000)
    qtbot.keyClick(win.customers.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: win.customers.plan_button.isEnabled(), timeout=3000)
    return str(cid)


def _dialog(qtbot: QtBot, win: MainWindow) -> PlanChangeDialog:
    qtbot.keyClick(win.customers, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    dialog = win.customers.plan_dialog
    assert isinstance(dialog, PlanChangeDialog) and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.plans.count() > 0, timeout=3000)
    return dialog


def _select(widget, prefix: str) -> None:  # type: ignore[no-untyped-def]
    for row in range(widget.count()):
        if widget.item(row).text().startswith(prefix):
            widget.setCurrentRow(row)
            return
    raise AssertionError(f"no row starts with {prefix!r}")


def test_upgrade_now_and_the_360_shows_it(
    qtbot: QtBot, window: MainWindow, demo_services: Services
) -> None:
    win = window
    _open_line(qtbot, win, demo_services)
    dialog = _dialog(qtbot, win)
    assert "Smart M 30 GB" in dialog.line.text() and "2099-01-31" in dialog.line.text()
    # A cheaper plan is listed with the reason it cannot be chosen now.
    small = next(
        dialog.plans.item(r).text() for r in range(dialog.plans.count())
        if dialog.plans.item(r).text().startswith("Smart S")
    )  # fmt: skip
    assert "commitment runs until 2099-01-31" in small
    _select(dialog.plans, "Smart S")
    qtbot.mouseClick(dialog.change_button, Qt.MouseButton.LeftButton)
    assert "commitment runs until" in dialog.message.text()
    _select(dialog.plans, "Smart L")
    assert dialog.commitment.count() >= 1
    qtbot.mouseClick(dialog.change_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Smart L" in dialog.done_label.text(), timeout=3000)
    qtbot.waitUntil(lambda: "Smart L Unlimited (" in dialog.line.text(), timeout=3000)
    dialog.close()
    view = win.customers.view
    qtbot.waitUntil(
        lambda: view.subscriptions.item(0, 1).text() == "Smart L Unlimited", timeout=3000
    )
    assert any("Plan changed" in view.insights.item(r).text() for r in range(view.insights.count()))


def test_add_on_now_then_removal_scheduled_and_cancelled(
    qtbot: QtBot, window: MainWindow, demo_services: Services
) -> None:
    win = window
    _open_line(qtbot, win, demo_services)
    dialog = _dialog(qtbot, win)
    _select(dialog.addons, "Roaming World")
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "add-ons: Roaming World 5 GB" in dialog.line.text(), timeout=3000)
    _select(dialog.addons, "Roaming World")
    dialog.next_month.setChecked(True)
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.scheduled.count() == 1, timeout=3000)
    assert dialog.done_label.text().startswith("Scheduled: Add-on Roaming World 5 GB removed")
    assert "add-ons: Roaming World 5 GB" in dialog.line.text()  # still there this month
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.scheduled.count() == 0, timeout=3000)
    assert dialog.done_label.text().startswith("Cancelled:")
    with demo_services.engine.connect() as conn:
        statuses = set(conn.execute(select(m.SubscriptionChange.status)).scalars())
    assert statuses == {"applied", "cancelled"}


def test_a_refused_change_is_handed_on_to_the_second_line(
    qtbot: QtBot, window: MainWindow, demo_services: Services
) -> None:
    win = window
    cid = _open_line(qtbot, win, demo_services)
    dialog = _dialog(qtbot, win)
    assert not dialog.hand_on_button.isEnabled()  # nothing refused yet
    # Choosing a plan the rules refuse is not yet a refusal: first the change is tried.
    _select(dialog.plans, "Smart S")
    assert not dialog.hand_on_button.isEnabled()
    qtbot.mouseClick(dialog.change_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.hand_on_button.isEnabled, timeout=3000)
    assert "commitment runs until 2099-01-31" in dialog.message.text()
    # Picking another plan forgets the refusal; choosing the refused one again brings it back.
    _select(dialog.plans, "Smart L")
    assert not dialog.hand_on_button.isEnabled()
    _select(dialog.plans, "Smart S")
    qtbot.mouseClick(dialog.change_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.hand_on_button.isEnabled, timeout=3000)
    assert dialog.hand_on_button.shortcut().toString() == "Alt+H"
    qtbot.mouseClick(dialog.hand_on_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: dialog.done_label.text().startswith("Handed on to the second line"), timeout=3000
    )
    assert "Smart M 30 GB → Smart S 10 GB (now)" in dialog.done_label.text()
    assert not dialog.hand_on_button.isEnabled()  # handed on once
    with demo_services.engine.connect() as conn:
        handoffs = conn.execute(
            select(m.Handoff.kind, m.Handoff.ref_kind, m.Handoff.summary).where(
                m.Handoff.customer_id == uuid.UUID(cid), m.Handoff.kind == "plan_change"
            )
        ).all()
        plan = conn.execute(
            select(m.Subscription.plan_name).where(m.Subscription.customer_id == uuid.UUID(cid))
        ).scalar_one()
    assert len(handoffs) == 1
    assert handoffs[0].ref_kind == "subscription"
    assert "commitment runs until 2099-01-31" in handoffs[0].summary
    assert plan == "Smart M 30 GB"  # the line itself is unchanged
