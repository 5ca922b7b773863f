"""The main window: login first, then the work areas. It composes screens and holds no logic.

The window can be shown before the services exist (start-up shows it first and builds the
database stack in the background): the login screen takes user and PIN at once and logs in
as soon as :meth:`MainWindow.attach` hands over the services.

Areas (Ctrl+1 … Ctrl+8): Customers, Sell, Catalog, Cases, Till, Reports, Stock,
Settings/Devices.
F2 jumps to customer search, F3 to the sell code field, Ctrl+L locks (switch user). The
window locks itself after ``ui.idle_lock_minutes`` without keyboard or mouse input.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLineEdit,
    QMainWindow,
    QStackedWidget,
    QWidget,
)

from ui.area_list import AreaList
from ui.errors import ErrorRouter
from ui.keys import shortcut
from ui.login import LoginScreen
from ui.ops import Lane, Runner, op
from ui.scanner import WedgeScanner
from ui.statusbar import StatusBar

if TYPE_CHECKING:
    import uuid

    from app.bootstrap import Services
    from app.services.auth import UserInfo
    from app.settings import Settings
    from ui.screens.cases import CasesScreen
    from ui.screens.catalog import CatalogScreen
    from ui.screens.customers import CustomersScreen
    from ui.screens.reports import ReportsScreen
    from ui.screens.sell import SellScreen
    from ui.screens.settings import SettingsScreen
    from ui.screens.stock_screen import StockScreen
    from ui.screens.till import TillScreen

AREAS = (
    "Customers", "Sell", "Catalog", "Cases", "Till", "Reports", "Stock", "Settings / Devices",
)  # fmt: skip


class MainWindow(QMainWindow):
    def __init__(
        self,
        services: Services | None,
        runner: Runner,
        errors: ErrorRouter | None = None,
        *,
        settings: Settings | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        settings = settings or (services.settings if services else None)
        if settings is None:
            raise ValueError("MainWindow needs services or settings")
        self.setWindowTitle(f"StoreDesk — {settings.store.name}")
        self.resize(1200, 760)
        self.services: Services | None = None
        self.runner = runner
        self.errors = errors or ErrorRouter(self)
        self.user: UserInfo | None = None
        self.customers: CustomersScreen
        self.sell: SellScreen
        self.catalog: CatalogScreen
        self.cases: CasesScreen
        self.till: TillScreen
        self.reports: ReportsScreen
        self.stock: StockScreen
        self.settings_screen: SettingsScreen

        self.login = LoginScreen(settings, runner)
        self.login.logged_in.connect(self._logged_in)
        self.nav = AreaList()
        self.nav.setObjectName("nav")
        self.nav.setFixedWidth(240)
        self.pages = QStackedWidget()
        self.nav.currentRowChanged.connect(self.show_area)
        work = QWidget()
        row = QHBoxLayout(work)
        row.addWidget(self.nav)
        row.addWidget(self.pages, 1)
        self.root = QStackedWidget()
        self.root.addWidget(self.login)
        self.root.addWidget(work)
        self.setCentralWidget(self.root)
        self.status = StatusBar(settings, runner)
        self.setStatusBar(self.status)

        for index in range(len(AREAS)):
            shortcut(f"Ctrl+{index + 1}", self, partial(self.go, index))
        shortcut("F2", self, self._search_customers)
        shortcut("Ctrl+L", self, self.lock)
        shortcut("Ctrl+Shift+Y", self, self.open_sync_panel)
        self.status.sync_panel_requested.connect(self.open_sync_panel)
        self.sync_panel: QDialog | None = None

        self.scanner = WedgeScanner(
            max_interval_ms=settings.scanner.wedge_max_interval_ms,
            min_length=settings.scanner.wedge_min_length,
            parent=self,
        )
        self.scanner.scanned.connect(self.on_scan)
        minutes = settings.ui.idle_lock_minutes
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.setInterval(max(minutes, 1) * 60_000)
        self._idle.timeout.connect(self.lock)
        self._idle_enabled = minutes > 0
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.scanner)
            app.installEventFilter(self)
        if services is not None:
            self.attach(services)

    # -- services arrive -----------------------------------------------------------------
    def attach(self, services: Services) -> None:
        """Build the work areas on the services; the login screen starts accepting logins."""
        # The screens are imported here, not at the top: the login window must show
        # before they (and the Qt enums they touch) are loaded.
        from ui.screens.cases import CasesScreen
        from ui.screens.catalog import CatalogScreen
        from ui.screens.customers import CustomersScreen
        from ui.screens.reports import ReportsScreen
        from ui.screens.sell import SellScreen
        from ui.screens.settings import SettingsScreen
        from ui.screens.stock_screen import StockScreen
        from ui.screens.till import TillScreen

        self.services = services
        runner = self.runner
        self.customers = CustomersScreen(services, runner)
        self.sell = SellScreen(services, runner)
        self.catalog = CatalogScreen(services, runner)
        self.cases = CasesScreen(services, runner)
        self.till = TillScreen(services, runner)
        self.reports = ReportsScreen(services, runner)
        self.stock = StockScreen(services, runner)
        self.settings_screen = SettingsScreen(services, runner)
        self.customers.sell_requested.connect(self._sell_to)
        self.customers.basket_opened.connect(self._open_basket)
        self.sell.sale_completed.connect(self._sale_completed)
        self.sell.print_queue_changed.connect(self.till.refresh)
        self.catalog.add_requested.connect(self._add_from_catalog)
        self.catalog.compare_chosen.connect(self._plan_chosen)
        self.settings_screen.sync_panel_requested.connect(self.open_sync_panel)
        self.customers.case_actions.new_case_requested.connect(self._new_case)
        self.customers.case_actions.case_opened.connect(self._open_case)
        self.cases.customer_requested.connect(self._show_customer)
        self.cases.changed.connect(self.customers.reload)
        screens = (
            self.customers, self.sell, self.catalog, self.cases, self.till, self.reports,
            self.stock, self.settings_screen,
        )  # fmt: skip
        for index, (name, screen) in enumerate(zip(AREAS, screens, strict=True)):
            self.nav.add_area(name, f"Ctrl+{index + 1}")
            self.pages.addWidget(screen)
        self.status.attach(services)
        self.login.attach(services)

    def open_sync_panel(self) -> None:
        """The sync panel (status bar click, Ctrl+Shift+Y): queue, history, Sync now."""
        if self.services is None:
            return
        from ui.screens.sync_panel import SyncPanel

        self.sync_panel = SyncPanel(self.services, self.runner, self)
        self.sync_panel.open()

    # -- session -------------------------------------------------------------------------
    def start(self) -> None:
        self.login.reset()

    def _logged_in(self, user: UserInfo) -> None:
        self.user = user
        self.sell.set_user(user)
        self.customers.set_user(user)
        self.status.set_user(user)
        self.root.setCurrentIndex(1)
        self.sell.load_catalog()
        self.catalog.load()
        self.till.set_user(user)
        self.till.refresh()
        self.reports.refresh()
        self.stock.set_user(user)
        self.stock.refresh()
        self.cases.set_user(user)
        self.cases.refresh()
        assert self.services is not None
        # Plan and add-on changes booked for a day that has come take effect now.
        op(self.runner, self.services.plan_changes.apply_due).run()
        # A card payment the last session lost track of is settled with the terminal now.
        cards = self.services.cards
        op(self.runner, lambda: cards.recover(user=user), lane=Lane.IO).success(
            self._card_recovery
        ).failure(self._card_recovery_failed).run()
        self.go(0)
        self._search_customers()
        if self._idle_enabled:
            self._idle.start()

    def _card_recovery(self, unclear: int) -> None:
        if unclear:
            self.till.status.setText(
                f"{unclear} card payment{'s' if unclear != 1 else ''} could not be settled "
                "with the terminal: the manager decides below."
            )
        self.till.refresh()

    def _card_recovery_failed(self, exc: BaseException) -> None:
        self.till.status.setText(f"Card payments could not be checked: {exc}")

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
        elif self.pages.currentWidget() is self.catalog:
            self.catalog.focus_filter()
        elif self.pages.currentWidget() is self.cases:
            self.cases.refresh()  # hand-ons from other areas, SLA states as of now
            self.cases.focus_cases()

    def _search_customers(self) -> None:
        if self.user is None:
            return
        self.go(0)
        self.customers.focus_search()

    def _sale_completed(self, _result: object) -> None:
        self.till.refresh()
        self.reports.refresh()
        self.stock.refresh()
        self.cases.refresh()
        self.catalog.load()  # stock counts changed

    def _new_case(self, context: dict[str, object]) -> None:
        """A case from the 360 (its dialog, then the case, open over the current area)."""
        self.cases.new_case(**context)

    def _open_case(self, case_id: uuid.UUID) -> None:
        self.cases.open_case(case_id)

    def _show_customer(self, customer_id: uuid.UUID) -> None:
        """A case's customer (F9 in the case): their 360 in the Customers area."""
        self.go(0)
        self.customers.open_customer(customer_id)

    def _add_from_catalog(self, code: str) -> None:
        self.go(1)
        self.sell.handle_scan(code)

    def _plan_chosen(self, plan: str, commitment: int, device: str, instalments: int) -> None:
        self.go(1)
        self.sell.add_plan_choice(plan, commitment, device, instalments)

    def _sell_to(self, customer_id: uuid.UUID, name: str) -> None:
        self.sell.start_for(customer_id, name)
        self.go(1)

    def _open_basket(self, order_id: uuid.UUID) -> None:
        self.sell.open_basket(order_id)
        self.go(1)

    def on_scan(self, code: str) -> None:
        """A scanner burst: undo what it typed into a line edit, then let the screen act.

        In a dialog (a SIM swap's new ICCID, say) the scan stays where it was typed.
        """
        if self.user is None or QApplication.activeModalWidget() is not None:
            return
        focused = QApplication.focusWidget()
        if isinstance(focused, QLineEdit) and focused.text().endswith(code):
            focused.setText(focused.text()[: -len(code)])
        if self.pages.currentWidget() is self.customers:
            self.customers.scan(code)
        elif self.pages.currentWidget() is self.stock:
            self.stock.scan(code)
        else:
            self.go(1)
            self.sell.handle_scan(code)

    # -- Qt ------------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if (
            self._idle_enabled
            and self.user is not None
            and event.type() in (QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress)
        ):
            self._idle.start()
        return False

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self.scanner)
            app.removeEventFilter(self)
        super().closeEvent(event)
