"""The main window: login first, then the work areas. It composes screens and holds no logic.

Areas (Ctrl+1 … Ctrl+6): Customers, Sell, Cases, Till, Reports, Settings/Devices.
F2 jumps to customer search, F3 to the sell code field, Ctrl+L locks (switch user). The
window locks itself after ``ui.idle_lock_minutes`` without keyboard or mouse input.
"""

from __future__ import annotations

import uuid
from functools import partial

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QMainWindow,
    QStackedWidget,
    QWidget,
)

from app.bootstrap import Services
from app.services.auth import UserInfo
from ui.errors import ErrorRouter
from ui.keys import shortcut
from ui.login import LoginScreen
from ui.ops import Runner
from ui.scanner import WedgeScanner
from ui.screens.cases import CasesScreen
from ui.screens.customers import CustomersScreen
from ui.screens.day import DayFiguresScreen
from ui.screens.sell import SellScreen
from ui.screens.settings import SettingsScreen
from ui.statusbar import StatusBar

AREAS = ("Customers", "Sell", "Cases", "Till", "Reports", "Settings / Devices")


class MainWindow(QMainWindow):
    def __init__(
        self,
        services: Services,
        runner: Runner,
        errors: ErrorRouter | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"StoreDesk — {services.store.name}")
        self.resize(1200, 760)
        self.services = services
        self.runner = runner
        self.errors = errors or ErrorRouter(self)
        self.user: UserInfo | None = None

        self.login = LoginScreen(services, runner)
        self.login.logged_in.connect(self._logged_in)
        self.customers = CustomersScreen(services, runner)
        self.sell = SellScreen(services, runner)
        self.cases = CasesScreen()
        self.till = DayFiguresScreen(services, runner, title="Till — today")
        self.reports = DayFiguresScreen(services, runner, title="Reports — daily summary")
        self.settings_screen = SettingsScreen(services, runner)
        self.customers.sell_requested.connect(self._sell_to)
        self.sell.sale_completed.connect(self._sale_completed)

        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setFixedWidth(240)
        self.pages = QStackedWidget()
        screens = (
            self.customers, self.sell, self.cases, self.till, self.reports, self.settings_screen
        )  # fmt: skip
        for index, (name, screen) in enumerate(zip(AREAS, screens, strict=True)):
            self.nav.addItem(f"{name}\tCtrl+{index + 1}")
            self.pages.addWidget(screen)
        self.nav.currentRowChanged.connect(self.show_area)
        work = QWidget()
        row = QHBoxLayout(work)
        row.addWidget(self.nav)
        row.addWidget(self.pages, 1)
        self.root = QStackedWidget()
        self.root.addWidget(self.login)
        self.root.addWidget(work)
        self.setCentralWidget(self.root)
        self.status = StatusBar(services, runner)
        self.setStatusBar(self.status)

        for index in range(len(AREAS)):
            shortcut(f"Ctrl+{index + 1}", self, partial(self.go, index))
        shortcut(Qt.Key.Key_F2, self, self._search_customers)
        shortcut("Ctrl+L", self, self.lock)

        scanner_cfg = services.settings.scanner
        self.scanner = WedgeScanner(
            max_interval_ms=scanner_cfg.wedge_max_interval_ms,
            min_length=scanner_cfg.wedge_min_length,
            parent=self,
        )
        self.scanner.scanned.connect(self.on_scan)
        minutes = services.settings.ui.idle_lock_minutes
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.setInterval(max(minutes, 1) * 60_000)
        self._idle.timeout.connect(self.lock)
        self._idle_enabled = minutes > 0
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.scanner)
            app.installEventFilter(self)

    # -- session -------------------------------------------------------------------------
    def start(self) -> None:
        self.login.load_users()
        self.status.start()
        self.login.reset()

    def _logged_in(self, user: UserInfo) -> None:
        self.user = user
        self.sell.set_user(user)
        self.status.set_user(user)
        self.root.setCurrentIndex(1)
        self.sell.load_catalog()
        self.till.refresh()
        self.reports.refresh()
        self.go(0)
        self._search_customers()
        if self._idle_enabled:
            self._idle.start()

    def lock(self) -> None:
        """Back to the login screen; an open basket stays as it is for the next login."""
        self.user = None
        self.status.set_user(None)
        self.root.setCurrentIndex(0)
        self._idle.stop()
        self.login.reset()

    # -- navigation ----------------------------------------------------------------------
    def go(self, index: int) -> None:
        if self.user is None:
            return
        self.nav.setCurrentRow(index)

    def show_area(self, index: int) -> None:
        self.pages.setCurrentIndex(index)
        if self.pages.currentWidget() is self.sell:
            self.sell.focus_code()

    def _search_customers(self) -> None:
        self.go(0)
        self.customers.focus_search()

    def _sale_completed(self, _result: object) -> None:
        self.till.refresh()
        self.reports.refresh()

    def _sell_to(self, customer_id: uuid.UUID, name: str) -> None:
        self.sell.start_for(customer_id, name)
        self.go(1)

    def on_scan(self, code: str) -> None:
        """A scanner burst: undo what it typed into a line edit, then let the screen act."""
        if self.user is None:
            return
        focused = QApplication.focusWidget()
        if isinstance(focused, QLineEdit) and focused.text().endswith(code):
            focused.setText(focused.text()[: -len(code)])
        if self.pages.currentWidget() is self.customers:
            self.customers.search.setText(code)
            self.customers.run_search()
        else:
            self.go(1)
            self.sell.handle_scan(code)

    # -- Qt ------------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if (
            self._idle_enabled
            and self.user is not None
            and event.type()
            in (
                QEvent.Type.KeyPress,
                QEvent.Type.MouseButtonPress,
            )
        ):
            self._idle.start()
        return False

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self.scanner)
            app.removeEventFilter(self)
        super().closeEvent(event)
