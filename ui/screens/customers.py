"""Customers: one search box with results as you type, and the selected customer's profile."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.keys import shortcut
from ui.ops import Runner, op

if TYPE_CHECKING:
    from app.bootstrap import Services
    from app.services.customer_profile import Profile as CustomerProfile
    from app.services.customers import CustomerSummary

SEARCH_DELAY_MS = 150


class CustomersScreen(QWidget):
    sell_requested = Signal(object, str)  # customer id, display name

    def __init__(self, services: Services, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("customers_screen")
        self._services = services
        self._runner = runner
        self._query_seq = 0
        self._results: list[CustomerSummary] = []
        self._profile: CustomerProfile | None = None

        self.search = QLineEdit()
        self.search.setObjectName("customer_search")
        self.search.setPlaceholderText("Name, phone, customer no., ID document, ICCID…  (F2)")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._schedule_search)
        self.search.returnPressed.connect(self.open_selected)
        self.results = QTableWidget(0, 4)
        self.results.setObjectName("customer_results")
        self.results.setHorizontalHeaderLabels(["Customer", "Name", "Phone", "Found by"])
        self.results.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.results.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.results.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.results.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.results.itemActivated.connect(lambda _item: self.open_selected())
        self.status = QLabel()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.run_search)

        self.profile_title = QLabel("Select a customer")
        self.profile_title.setObjectName("profile_title")
        self.profile_title.setTextFormat(Qt.TextFormat.RichText)
        self.subscriptions = QListWidget()
        self.timeline = QListWidget()
        self.timeline.setObjectName("timeline")
        self.sell_button = QPushButton("&Sell to this customer (F4)")
        self.sell_button.setObjectName("sell_to_customer")
        self.sell_button.setEnabled(False)
        self.sell_button.clicked.connect(self._sell)
        shortcut(Qt.Key.Key_F4, self, self._sell)
        shortcut(Qt.Key.Key_Down, self.search, self._focus_results)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(self.search)
        left_layout.addWidget(self.results)
        left_layout.addWidget(self.status)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(self.profile_title)
        right_layout.addWidget(QLabel("Subscriptions"))
        right_layout.addWidget(self.subscriptions)
        right_layout.addWidget(QLabel("Timeline"))
        right_layout.addWidget(self.timeline, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.sell_button)
        right_layout.addLayout(buttons)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        QVBoxLayout(self).addWidget(splitter)

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def _schedule_search(self) -> None:
        self._timer.start()

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
            for col, text in enumerate((item.customer_no, item.name, item.phone, item.matched_on)):
                self.results.setItem(row, col, QTableWidgetItem(text))
        if results:
            self.results.selectRow(0)
        query = self.search.text().strip()
        self.status.setText(
            "" if len(query) < 2 else f"{len(results)} found" if results else "No customer found"
        )

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

    def open_customer(self, customer_id: uuid.UUID) -> None:
        op(self._runner, lambda: self._services.customers.profile(customer_id)).success(
            self._show_profile
        ).run()

    def _show_profile(self, profile: CustomerProfile) -> None:
        self._profile = profile
        born = profile.birth_date.isoformat() if profile.birth_date else "—"
        self.profile_title.setText(
            f"<h3>{profile.name}</h3>{profile.customer_no} · {profile.phone or 'no phone'}"
            f" · born {born}<br>{profile.email}"
        )
        self.subscriptions.clear()
        for sub in profile.subscriptions:
            self.subscriptions.addItem(f"{sub.msisdn}  {sub.plan_name}  ({sub.status})")
        self.timeline.clear()
        for event in profile.timeline:
            when = event.occurred_at.astimezone().strftime("%Y-%m-%d %H:%M")
            self.timeline.addItem(f"{when}  {event.summary}")
        self.sell_button.setEnabled(True)
        self.sell_button.setFocus()

    def _sell(self) -> None:
        if self._profile is not None:
            self.sell_requested.emit(self._profile.id, self._profile.name)
