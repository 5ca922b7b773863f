"""Customers area driven like a consultant: search, 360, notes, edits, onboarding, scans.

Set STOREDESK_SCREENSHOTS=DIR to save a picture of the 360 screen as it is tested.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QRadioButton, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from app.bootstrap import Services
from app.db import models as m
from app.demo.seed import demo_iccid
from ui.errors import ErrorRouter
from ui.main_window import MainWindow
from ui.ops import Runner
from ui.screens.onboarding import OnboardingDialog

TYPING_MS = 15
EXPIRY = (date.today() + timedelta(days=800)).strftime("%y%m%d")


def _td3(surname: str, given: str, number: str, born: str, expiry: str) -> str:
    from domain.identifiers.mrz import check_digit

    line1 = f"P<UTO{surname}<<{given}".ljust(44, "<")
    body = (
        f"{number}{check_digit(number)}UTO{born}{check_digit(born)}F{expiry}{check_digit(expiry)}"
    )
    personal = "<" * 14
    body += personal + str(check_digit(personal))
    composite = body[0:10] + body[13:20] + body[21:43]
    return f"{line1}\n{body}{check_digit(composite)}"


@pytest.fixture
def window(qtbot: QtBot, demo_services: Services) -> Iterator[MainWindow]:
    runner = Runner(inline=True)
    win = MainWindow(demo_services, runner, ErrorRouter(quiet=True))
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.start()
    win.show()
    qtbot.waitExposed(win)
    edit = win.login.username.lineEdit()
    edit.clear()
    qtbot.keyClicks(edit, "anna")
    qtbot.keyClicks(win.login.pin, "1111")
    qtbot.keyClick(win.login.pin, Qt.Key.Key_Return)
    assert win.user is not None
    yield win
    win.close()
    runner.shutdown()


def _search(qtbot: QtBot, win: MainWindow, text: str) -> None:
    win.customers.search.clear()
    qtbot.keyClicks(win.customers.search, text, delay=TYPING_MS)
    qtbot.waitUntil(lambda: win.customers.status.text() != "", timeout=3000)


def _screenshot(win: MainWindow, name: str) -> None:
    folder = os.environ.get("STOREDESK_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        for _ in range(3):  # let pending layout requests run, as the event loop would
            QApplication.processEvents()
        win.grab().save(str(Path(folder) / name))


def _screenshot_widget(widget: QWidget, name: str) -> None:
    folder = os.environ.get("STOREDESK_SCREENSHOTS")
    if folder:
        QApplication.processEvents()
        widget.grab().save(str(Path(folder) / name))


def test_search_open_360_note_and_visit(
    qtbot: QtBot, window: MainWindow, demo_services: Services
) -> None:
    win = window
    _search(qtbot, win, "ivanova")
    assert win.customers.results.rowCount() > 0
    assert all("ivanova" in win.customers.results.item(r, 1).text().lower()
               or win.customers.results.item(r, 3).text().startswith("name")
               for r in range(win.customers.results.rowCount()))  # fmt: skip
    _search(qtbot, win, "C00000002")
    qtbot.keyClick(win.customers.search, Qt.Key.Key_Return)
    view = win.customers.view
    assert "C00000002" in view.header.text()
    assert view.subscriptions.rowCount() == 1
    assert view.subscriptions.item(0, 0).text() == "+4915100000002"
    assert view.insights.count() >= 1
    # the visit was logged and shows on the timeline
    timeline = [view.timeline.item(i).text() for i in range(view.timeline.count())]
    assert "[visit]" in timeline[0] and "Anna Consultant" in timeline[0]
    # F6 then type a note, Enter: it is on top of the timeline
    qtbot.keyClick(win.customers, Qt.Key.Key_F6)
    assert view.note.hasFocus() or QApplication.focusWidget() is view.note
    qtbot.keyClicks(view.note, "Wants roaming for Turkey", delay=TYPING_MS)
    qtbot.keyClick(view.note, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: "Wants roaming for Turkey" in view.timeline.item(0).text(), timeout=3000
    )
    assert view.note.text() == ""
    # filter the timeline to notes only
    view.timeline_filter.setCurrentIndex(5)
    assert all("[note]" in view.timeline.item(i).text() for i in range(view.timeline.count()))
    _screenshot(win, "customer_360.png")


def test_insight_jumps_to_its_record(
    qtbot: QtBot, window: MainWindow, demo_services: Services
) -> None:
    from datetime import UTC, datetime

    from app.db.uow import make_uow_factory

    win = window
    cid = demo_services.customers.search("C00000003")[0].id
    with make_uow_factory(demo_services.engine, store_id="S001", terminal_id="T01")() as uow:
        swap = m.Interaction(customer_id=cid, kind="sim_swap", summary="SIM swapped: lost",
                             occurred_at=datetime.now(UTC) - timedelta(hours=3))  # fmt: skip
        uow.session.add(swap)
        uow.commit()
        swap_id = swap.id
    _search(qtbot, win, "C00000003")
    qtbot.keyClick(win.customers.search, Qt.Key.Key_Return)
    view = win.customers.view
    assert "SIM swapped" in view.insights.item(0).text()  # an alert comes first
    _screenshot(win, "customer_360_insights.png")
    view.insights.setFocus()
    view.insights.setCurrentRow(0)
    qtbot.keyClick(view.insights, Qt.Key.Key_Return)
    assert view.tabs.tabText(view.tabs.currentIndex()).startswith("Timeline")
    assert view.timeline.currentItem().data(Qt.ItemDataRole.UserRole) == swap_id


def test_scanned_iccid_opens_the_owner(qtbot: QtBot, window: MainWindow) -> None:
    win = window
    win.customers.focus_search()
    win.on_scan(demo_iccid(900, 4))
    qtbot.waitUntil(lambda: "C00000004" in win.customers.view.header.text(), timeout=3000)


def test_change_phone_with_reason(qtbot: QtBot, window: MainWindow) -> None:
    win = window
    _search(qtbot, win, "C00000005")
    qtbot.keyClick(win.customers.search, Qt.Key.Key_Return)
    qtbot.keyClick(win.customers, Qt.Key.Key_F8)
    dialog = win.customers.edit_dialog
    qtbot.keyClicks(dialog.phone, "0151 1234 5678", delay=TYPING_MS)
    dialog.save()  # no reason yet
    assert dialog.isVisible() and "why" in dialog.errors.text("reason").lower()
    qtbot.keyClicks(dialog.reason, "new number", delay=TYPING_MS)
    dialog.save()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=3000)
    qtbot.waitUntil(lambda: "+49 1511 2345678" in win.customers.view.header.text(), timeout=3000)
    assert "new number" in win.customers.view.timeline.item(0).text()


def _fill_wizard(qtbot: QtBot, dialog: OnboardingDialog, mrz: str, phone: str) -> None:
    dialog.mrz.setPlainText(mrz)
    qtbot.mouseClick(dialog.read_zone, Qt.MouseButton.LeftButton)
    assert "correct" in dialog.mrz_result.text()
    qtbot.mouseClick(dialog.next, Qt.MouseButton.LeftButton)
    assert dialog.pages.currentIndex() == 1
    assert dialog.last_name.text() == "Kowalska"
    qtbot.keyClicks(dialog.phone, phone, delay=TYPING_MS)
    qtbot.keyClicks(dialog.email, "ewa@example.org", delay=TYPING_MS)
    qtbot.keyClicks(dialog.line1, "Lindenweg 3", delay=TYPING_MS)
    qtbot.keyClicks(dialog.postcode, "50667", delay=TYPING_MS)
    qtbot.keyClicks(dialog.city, "Bonn", delay=TYPING_MS)  # keyClicks types ASCII only
    qtbot.mouseClick(dialog.next, Qt.MouseButton.LeftButton)
    assert dialog.pages.currentIndex() == 2


def test_onboarding_wizard_end_to_end(
    qtbot: QtBot, window: MainWindow, demo_services: Services
) -> None:
    win = window
    with demo_services.engine.connect() as conn:
        before = conn.scalar(select(func.count()).select_from(m.Customer))
    qtbot.keyClick(win.customers, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = win.customers.onboarding_dialog
    assert dialog.isVisible()
    _fill_wizard(qtbot, dialog, _td3("KOWALSKA", "EWA", "AB1234567", "900517", EXPIRY),
                 "0151 98765432")  # fmt: skip
    # consents: nothing preselected, Next refuses until each is answered
    qtbot.mouseClick(dialog.next, Qt.MouseButton.LeftButton)
    assert dialog.pages.currentIndex() == 2 and "yes or no" in dialog.errors.text("consents")
    for purpose in ("marketing", "profiling", "third_parties"):
        button = dialog.findChild(QRadioButton, f"consent_{purpose}_no")
        assert button is not None
        button.click()
    dialog.findChild(QRadioButton, "consent_marketing_yes").click()
    with demo_services.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(m.Customer)) == before
    qtbot.mouseClick(dialog.next, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == 3, timeout=3000)
    assert dialog.confirm.isEnabled() and dialog.duplicates.count() == 0
    qtbot.mouseClick(dialog.confirm, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=3000)
    qtbot.waitUntil(lambda: "Ewa Kowalska" in win.customers.view.header.text(), timeout=3000)
    with demo_services.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(m.Customer)) == before + 1
    assert "marketing: <b>yes</b>" in win.customers.view.details.text()


def test_wizard_shows_bad_fields_and_duplicates(
    qtbot: QtBot, window: MainWindow, demo_services: Services
) -> None:
    win = window
    qtbot.keyClick(win.customers, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = win.customers.onboarding_dialog
    dialog.mrz.setPlainText("P<UTO####")
    qtbot.mouseClick(dialog.read_zone, Qt.MouseButton.LeftButton)
    assert dialog.errors.text("mrz")
    mrz = _td3("KOWALSKA", "EWA", "AB1234567", "900517", EXPIRY)
    _fill_wizard(qtbot, dialog, mrz, "+49 151 00000001")  # the demo customer C00000001's phone
    for purpose in ("marketing", "profiling", "third_parties"):
        dialog.consent_groups[next(p for p in dialog.consent_groups if p.value == purpose)].button(
            0
        ).click()
    qtbot.mouseClick(dialog.next, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == 3, timeout=3000)
    assert dialog.duplicates.count() == 1
    assert "C00000001" in dialog.duplicates.item(0).text()
    _screenshot_widget(dialog, "onboarding_duplicates.png")
    assert "Create anyway" in dialog.confirm.text()
    qtbot.mouseClick(dialog.open_duplicate, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "C00000001" in win.customers.view.header.text(), timeout=3000)
    # a bad e-mail: back on the customer page with the message under the field
    qtbot.mouseClick(win.customers.new_button, Qt.MouseButton.LeftButton)
    dialog = win.customers.onboarding_dialog
    _fill_wizard(qtbot, dialog, mrz, "0151 55554444")
    dialog.go_back()
    dialog.email.setText("ewa@@example")
    qtbot.mouseClick(dialog.next, Qt.MouseButton.LeftButton)
    assert dialog.pages.currentIndex() == 1 and dialog.errors.text("email")
    dialog.reject()


def test_wizard_reads_the_document_from_the_serial_reader(
    qtbot: QtBot, window: MainWindow, demo_services: Services
) -> None:
    import threading

    from app.device_manager import IdReaderConfig
    from devices.mrz_reader_sim import MrzReaderSimulator

    sim = MrzReaderSimulator()
    try:
        demo_services.devices._id_reader_config = IdReaderConfig("serial", sim.port)
        win = window
        qtbot.mouseClick(win.customers.new_button, Qt.MouseButton.LeftButton)
        dialog = win.customers.onboarding_dialog
        assert dialog.scan.isEnabled()
        zone = _td3("KOWALSKA", "EWA", "AB1234567", "900517", EXPIRY)
        threading.Timer(0.2, lambda: sim.present(zone)).start()
        qtbot.mouseClick(dialog.scan, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.doc_number.text() == "AB1234567", timeout=5000)
        assert dialog.mrz.toPlainText() == zone
        assert dialog.last_name.text() == "Kowalska"
        assert "correct" in dialog.mrz_result.text()
        dialog.reject()
    finally:
        sim.close()


def test_timeline_filter_and_older_entries_load_on_demand(
    qtbot: QtBot, window: MainWindow, demo_services: Services
) -> None:
    from sqlalchemy import insert

    from domain.ids import new_id

    cid = demo_services.customers.search("C00000007")[0].id
    now = datetime.now(UTC)
    rows = [
        {"id": new_id(), "store_id": "S001", "terminal_id": "T01", "version": 1,
         "created_at": now, "updated_at": now, "customer_id": cid,
         "kind": "note" if n % 50 == 0 else "visit", "summary": f"entry {n}",
         "occurred_at": now - timedelta(hours=n + 1), "user_id": None, "ref_kind": "",
         "ref_id": None}
        for n in range(700)
    ]  # fmt: skip
    with demo_services.engine.begin() as conn:
        conn.execute(insert(m.Interaction), rows)
    win = window
    _search(qtbot, win, "C00000007")
    qtbot.keyClick(win.customers.search, Qt.Key.Key_Return)
    view = win.customers.view
    assert view.timeline.count() == 300 and not view.more.isHidden()
    qtbot.mouseClick(view.more, Qt.MouseButton.LeftButton)
    assert view.timeline.count() == 600
    qtbot.mouseClick(view.more, Qt.MouseButton.LeftButton)
    assert view.timeline.count() > 700 and view.more.isHidden()
    view.timeline_filter.setCurrentIndex(5)  # notes: asked from the database
    assert view.timeline.count() >= 14 and view.more.isHidden()
    assert all("[note]" in view.timeline.item(i).text() for i in range(view.timeline.count()))


def test_sim_swap_from_the_360_then_the_fee_in_sell(
    qtbot: QtBot, window: MainWindow, demo_services: Services
) -> None:
    from sqlalchemy import update

    new_sim = demo_iccid(1, 41)
    cid = demo_services.customers.search("C00000008")[0].id
    with demo_services.engine.begin() as conn:
        conn.execute(
            update(m.IdentityDocument)
            .where(m.IdentityDocument.customer_id == cid)
            .values(expiry_date=date.today() + timedelta(days=400))
        )
    win = window
    _search(qtbot, win, "C00000008")
    qtbot.keyClick(win.customers.search, Qt.Key.Key_Return)
    assert win.customers.swap_button.isEnabled()
    qtbot.keyClick(win.customers, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    dialog = win.customers.swap_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.iccid.setFocus()
    qtbot.keyClicks(dialog.iccid, new_sim)  # the scanner's burst stays in the dialog's field
    assert dialog.iccid.text() == new_sim
    dialog.reason.setCurrentText("lost")
    dialog.confirm()  # not yet confirmed in person
    assert dialog.isVisible() and "in person" in dialog.errors.text("checked")
    dialog.checked.setChecked(True)
    dialog.confirm()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=3000)
    assert win.pages.currentWidget() is win.sell
    assert [line.sku for line in win.sell._basket.lines] == ["SVC-SWAP"]  # type: ignore[union-attr]
    view = win.customers.view
    assert view.subscriptions.item(0, 3).text() == new_sim
    assert "SIM swapped" in view.insights.item(0).text()
