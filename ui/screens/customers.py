"""Customers: one search box with results as you type, and the Customer 360 of the one opened.

Keys: F2 search, Down into the results, Enter opens (and logs the visit), Ctrl+N new
customer (onboarding wizard), F6 note, F8 change contact details, F4 sell to this customer.
A scanned ICCID or IMEI (or any identifier that matches exactly one customer) opens its
owner at once.
"""

from __future__ import annotations

import contextlib
import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.errors import DomainError
from app.phones import display_phone
from app.services.customer_profile import TIMELINE_PAGE
from ui.keys import shortcut
from ui.ops import Lane, Runner, op
from ui.screens.customer360 import Customer360
from ui.screens.customer_cases import CustomerCaseActions
from ui.screens.customer_orders import OrderActions

if TYPE_CHECKING:
    from app.bootstrap import Services
    from app.services.auth import UserInfo
    from app.services.customer_profile import EventView, Profile, SubscriptionView
    from app.services.customers import CustomerSummary
    from app.services.sim_swaps import SwapResult

SEARCH_DELAY_MS = 150


class CustomersScreen(QWidget):
    sell_requested = Signal(object, str)  # customer id, display name
    basket_opened = Signal(object)  # an order id to continue in Sell (e.g. a swap fee)

    def __init__(self, services: Services, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("customers_screen")
        self._services = services
        self._runner = runner
        self._user: UserInfo | None = None
        self._query_seq = 0
        self._jump_on_exact = False
        self._results: list[CustomerSummary] = []
        self._profile: Profile | None = None

        self.search = QLineEdit()
        self.search.setObjectName("customer_search")
        self.search.setPlaceholderText(
            "Name, phone, customer no., ID document, ICCID, IMEI, order or invoice no.…  (F2)"
        )
        self.search.setClearButtonEnabled(True)
        self.search.setMaxLength(100)
        self.search.textChanged.connect(self._schedule_search)
        self.search.returnPressed.connect(self.open_selected)
        self.results = QTableWidget(0, 4)
        self.results.setObjectName("customer_results")
        self.results.setHorizontalHeaderLabels(["Customer", "Name", "Phone", "Found by"])
        header = self.results.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.results.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.results.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.results.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.results.verticalHeader().hide()
        self.results.itemActivated.connect(lambda _item: self.open_selected())
        self.status = QLabel()
        self.status.setObjectName("search_status")
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.run_search)
        self.new_button = QPushButton("&New customer… (Ctrl+N)")
        self.new_button.setObjectName("new_customer")
        self.new_button.clicked.connect(self.new_customer)
        # A customer of another store, by exact number, phone or ID number (online only).
        self.elsewhere_button = QPushButton("Find at &other stores (F7)")
        self.elsewhere_button.setObjectName("find_elsewhere")
        self.elsewhere_button.setVisible(services.sync.enabled)
        self.elsewhere_button.setEnabled(False)
        self.elsewhere_button.clicked.connect(self.find_elsewhere)
        shortcut(Qt.Key.Key_F7, self, self.find_elsewhere)

        self.view = Customer360()
        self.profile_title = self.view.header
        self.timeline = self.view.timeline
        self.view.note_submitted.connect(self._save_note)
        self.view.timeline_requested.connect(self._load_timeline)
        self.order_actions = OrderActions(services, runner, self.view.orders)
        self.view.order_actions_bar.addWidget(self.order_actions)
        self.order_actions.changed.connect(self.reload)
        self.order_actions.basket_opened.connect(self.basket_opened)
        self.case_actions = CustomerCaseActions(self.view, self)
        self.sell_button = QPushButton("&Sell to this customer (F4)")
        self.sell_button.setObjectName("sell_to_customer")
        self.edit_button = QPushButton("Change &details… (F8)")
        self.edit_button.setObjectName("edit_contact")
        self.note_button = QPushButton("Note (F6)")
        self.note_button.setObjectName("add_note")
        self.swap_button = QPushButton("SIM s&wap… (Ctrl+W)")
        self.swap_button.setObjectName("sim_swap_button")
        self.swap_button.clicked.connect(self.sim_swap)
        shortcut("Ctrl+W", self, self.sim_swap)
        self.swap_dialog: object | None = None
        self.plan_button = QPushButton("&Plan / add-ons… (Ctrl+P)")
        self.plan_button.setObjectName("plan_change_button")
        self.plan_button.clicked.connect(self.change_plan)
        shortcut("Ctrl+P", self, self.change_plan)
        self.plan_dialog: object | None = None
        self._action_buttons = (
            self.sell_button, self.edit_button, self.note_button, self.swap_button,
            self.plan_button,
        )  # fmt: skip
        for button in self._action_buttons:
            button.setEnabled(False)
        self.sell_button.clicked.connect(self._sell)
        self.edit_button.clicked.connect(self.edit_contact)
        self.note_button.clicked.connect(self.view.start_note)
        shortcut(Qt.Key.Key_F4, self, self._sell)
        shortcut(Qt.Key.Key_F6, self, self._note)
        shortcut(Qt.Key.Key_F8, self, self.edit_contact)
        shortcut("Ctrl+N", self, self.new_customer)
        shortcut(Qt.Key.Key_Down, self.search, self._focus_results)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(self.search)
        left_layout.addWidget(self.results)
        left_layout.addWidget(self.status)
        left_layout.addWidget(self.new_button)
        left_layout.addWidget(self.elsewhere_button)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(self.view, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.note_button)
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.swap_button)
        buttons.addWidget(self.plan_button)
        buttons.addWidget(self.case_actions.button)
        buttons.addStretch(1)
        buttons.addWidget(self.sell_button)
        right_layout.addLayout(buttons)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([460, 640])
        QVBoxLayout(self).addWidget(splitter)

    def set_user(self, user: UserInfo | None) -> None:
        self._user = user
        self.order_actions.set_user(user)

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    # --- search --------------------------------------------------------------------------

    def _schedule_search(self) -> None:
        self._timer.start()

    def scan(self, code: str) -> None:
        """A scanner burst into this screen: search it, and open the owner if there is one."""
        self._jump_on_exact = True
        self.search.blockSignals(True)
        self.search.setText(code)
        self.search.blockSignals(False)
        self.run_search()

    def run_search(self) -> None:
        self._timer.stop()
        self._query_seq += 1
        seq = self._query_seq
        text = self.search.text()
        op(self._runner, lambda: self._services.customers.search(text)).guard(
            lambda: seq == self._query_seq  # a newer keystroke wins; late results are dropped
        ).success(self._show_results).run()

    def _show_results(self, results: list[CustomerSummary]) -> None:
        self._results = results
        self.results.setRowCount(len(results))
        for row, item in enumerate(results):
            phone = display_phone(item.phone) if item.phone else ""
            for col, text in enumerate((item.customer_no, item.name, phone, item.matched_on)):
                self.results.setItem(row, col, QTableWidgetItem(text))
        if results:
            self.results.selectRow(0)
        query = self.search.text().strip()
        self.status.setText(
            "" if len(query) < 2 else f"{len(results)} found" if results else "No customer found"
        )
        self.elsewhere_button.setEnabled(not results and len(query) >= 6)
        jump, self._jump_on_exact = self._jump_on_exact, False
        exact = [r for r in results if r.exact]
        if jump and len(exact) == 1:
            self.open_customer(exact[0].id)

    def find_elsewhere(self) -> None:
        """Ask the centre for the customer at another store; they come down, then show."""
        query = self.search.text().strip()
        if not self._services.sync.enabled or len(query) < 6:
            return
        services = self._services

        def fetch() -> list[uuid.UUID]:
            variants = [query]
            with contextlib.suppress(DomainError):  # else the number or document as typed
                variants.append(services.onboarding.phone(query))
            return services.sync.find_customer(variants)

        def done(found: list[uuid.UUID]) -> None:
            if found:
                self.run_search()
                self.status.setText("Fetched from another store")
            else:
                self.status.setText("Not found at other stores either")

        self.status.setText("Asking the other stores…")
        op(self._runner, fetch, lane=Lane.IO).success(done).failure(
            lambda exc: self.status.setText(str(exc))
        ).run()

    def _focus_results(self) -> None:
        if self._results:
            self.results.setFocus()

    def open_selected(self) -> None:
        if self._timer.isActive():  # Enter pressed before the pending search ran
            self.run_search()
        rows = self.results.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self._results):
            return
        self.open_customer(self._results[rows[0].row()].id)

    # --- profile -------------------------------------------------------------------------

    def open_customer(self, customer_id: uuid.UUID) -> None:
        """Open from search or a scan: the visit is logged on the customer's timeline."""
        user = self._user
        if user is None:
            load = lambda: self._services.customers.profile(customer_id)  # noqa: E731
        else:
            load = lambda: self._services.customers.open_from_search(customer_id, user=user)  # noqa: E731
        op(self._runner, load).success(self._show_profile).run()

    def reload(self) -> None:
        if self._profile is None:
            return
        customer_id, user = self._profile.id, self._user
        op(self._runner, lambda: self._services.customers.profile(customer_id, user=user)).success(
            self._show_profile
        ).run()

    def _show_profile(self, profile: Profile) -> None:
        self._profile = profile
        self.view.show_profile(profile)
        self.order_actions.set_orders(profile.orders)
        for button in (self.sell_button, self.edit_button, self.note_button):
            button.setEnabled(True)
        self.case_actions.set_enabled(True)
        has_line = any(sub.status == "active" for sub in profile.subscriptions)
        self.swap_button.setEnabled(has_line)
        self.plan_button.setEnabled(has_line)
        self.sell_button.setFocus()

    def _load_timeline(self, kinds: tuple[str, ...], before: object) -> None:
        if self._profile is None:
            return
        customer_id = self._profile.id
        older = before if isinstance(before, datetime) else None
        page = TIMELINE_PAGE

        def shown(events: list[EventView]) -> None:
            if older is None:
                self.view.show_timeline(events, complete=len(events) < page)
            else:
                self.view.add_timeline(events, complete=len(events) < page)

        op(
            self._runner,
            lambda: self._services.customers.timeline(
                customer_id, kinds=kinds, before=older, limit=page
            ),
        ).success(shown).run()

    def _note(self) -> None:
        if self._profile is not None:
            self.view.start_note()

    def _save_note(self, text: str) -> None:
        if self._profile is None or self._user is None:
            return
        customer_id, user = self._profile.id, self._user

        def failed(exc: BaseException) -> None:
            if isinstance(exc, DomainError):
                self.view.note_failed(exc.message)
            else:
                raise exc

        def saved(_: None) -> None:
            self.view.note_saved()
            self.reload()

        op(
            self._runner, lambda: self._services.customers.add_note(customer_id, text, user=user)
        ).success(saved).failure(failed).run()

    def edit_contact(self) -> None:
        if self._profile is None or self._user is None:
            return
        from ui.screens.contact_edit import ContactEditDialog

        dialog = ContactEditDialog(
            self._services, self._runner, customer_id=self._profile.id, user=self._user,
            parent=self,
        )  # fmt: skip
        dialog.saved.connect(self.reload)
        dialog.open()
        self.edit_dialog = dialog

    def _chosen_line(self, ask: str) -> SubscriptionView | None:
        """The selected active line, or the only active one; else ``ask`` for a selection."""
        profile = self._profile
        if profile is None or self._user is None:
            return None
        active = [s for s in profile.subscriptions if s.status == "active"]
        rows = self.view.subscriptions.selectionModel().selectedRows()
        chosen = profile.subscriptions[rows[0].row()] if rows else None
        if chosen is None or chosen.status != "active":
            chosen = active[0] if len(active) == 1 else None
        if chosen is None:
            self.view.tabs.setCurrentIndex(0)
            self.view.subscriptions.setFocus()
            self.status.setText(ask)
        return chosen

    def change_plan(self) -> None:
        """Plan change or add-ons for the selected line (or the only active one)."""
        chosen, user = self._chosen_line("Select the line to change."), self._user
        if chosen is None or user is None:
            return
        from ui.screens.plan_change import PlanChangeDialog

        dialog = PlanChangeDialog(
            self._services, self._runner, subscription_id=chosen.id, user=user, parent=self
        )
        dialog.changed.connect(lambda _result: self.reload())
        dialog.open()
        self.plan_dialog = dialog

    def sim_swap(self) -> None:
        """SIM swap for the selected line (or the only active one)."""
        profile, user = self._profile, self._user
        chosen = self._chosen_line("Select the line whose SIM is swapped.")
        if profile is None or chosen is None or user is None:
            return
        from ui.screens.sim_swap import SimSwapDialog

        dialog = SimSwapDialog(
            self._services, self._runner, customer_id=profile.id, subscription_id=chosen.id,
            line_text=f"{chosen.msisdn} — {chosen.plan_name} (SIM {chosen.iccid or 'none'})",
            user=user, parent=self,
        )  # fmt: skip
        dialog.swapped.connect(self._swapped)
        dialog.open()
        self.swap_dialog = dialog

    def _swapped(self, result: SwapResult) -> None:
        self.reload()
        if result.fee_order_id is not None:
            self.basket_opened.emit(result.fee_order_id)

    def new_customer(self) -> None:
        if self._user is None:
            return
        from ui.screens.onboarding import OnboardingDialog

        dialog = OnboardingDialog(self._services, self._runner, user=self._user, parent=self)
        dialog.created.connect(self.open_customer)
        dialog.open_existing.connect(self.open_customer)
        dialog.open()
        self.onboarding_dialog = dialog

    def _sell(self) -> None:
        if self._profile is not None:
            self.sell_requested.emit(self._profile.id, self._profile.name)
