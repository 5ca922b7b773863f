"""Cases (Ctrl+4): the queues of the second line — a board by status and a list, by due time.

Filters: type, priority, SLA state (overdue, due soon, on time, paused), queue (group),
who has it (anyone, nobody yet, me, a person), store, text (number or summary), a customer,
and finished cases too. Keys: Ctrl+B switches board and list; Ctrl+M shows my cases;
Ctrl+N opens a new case; Ctrl+F goes to the text filter; F5 reloads; Enter opens the case
in focus (Left/Right move between the board's columns). The case window's F9 opens the
linked customer's 360.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.services.case_views import CaseFilter
from domain.cases.definitions import Priority
from domain.cases.sla import SlaState
from ui.keys import shortcut
from ui.ops import Runner, op
from ui.screens.case_board import CaseBoardView, CaseListView
from ui.screens.case_detail import CaseDetailDialog
from ui.screens.case_new import NewCaseDialog

if TYPE_CHECKING:
    from app.bootstrap import Services
    from app.services.auth import UserInfo
    from app.services.case_views import Assignable, CaseBoard, CaseTypeView

SLA_CHOICES = (
    ("Any due time", ()),
    ("Overdue", (SlaState.BREACHED,)),
    ("Overdue or due soon", (SlaState.BREACHED, SlaState.NEAR)),
    ("Due soon", (SlaState.NEAR,)),
    ("On time", (SlaState.OK,)),
    ("Waiting for the customer", (SlaState.PAUSED,)),
)
ANYONE, NOBODY, ME = "anyone", "nobody", "me"


class CasesScreen(QWidget):
    customer_requested = Signal(object)  # customer id: show their 360
    changed = Signal()  # a case was opened or changed here (the 360 shows open cases)

    def __init__(self, services: Services, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self._runner = runner
        self._user: UserInfo | None = None
        self._customer: tuple[uuid.UUID, str] | None = None
        self._types: dict[str, CaseTypeView] = {}
        self.board_data: CaseBoard | None = None
        self.detail_dialog: CaseDetailDialog | None = None
        self.new_dialog: NewCaseDialog | None = None

        self.type = QComboBox()
        self.type.setObjectName("filter_type")
        self.type.addItem("All types", "")
        self.priority = QComboBox()
        self.priority.setObjectName("filter_priority")
        self.priority.addItem("Any priority", None)
        for p in reversed(Priority):
            self.priority.addItem(p.value, p)
        self.sla = QComboBox()
        self.sla.setObjectName("filter_sla")
        for label, states in SLA_CHOICES:
            self.sla.addItem(label, states)
        self.group = QComboBox()
        self.group.setObjectName("filter_group")
        self.group.addItem("All queues", "")
        self.assignee = QComboBox()
        self.assignee.setObjectName("filter_assignee")
        self.assignee.addItem("Anyone", ANYONE)
        self.assignee.addItem("Nobody yet", NOBODY)
        self.assignee.addItem("Me", ME)
        self.store = QLineEdit()
        self.store.setObjectName("filter_store")
        self.store.setPlaceholderText("Store")
        self.store.setMaximumWidth(70)
        self.text = QLineEdit()
        self.text.setObjectName("filter_text")
        self.text.setPlaceholderText("Number or words of the summary (Ctrl+F)")
        self.closed = QCheckBox("Finished too")
        self.closed.setObjectName("filter_closed")
        self.customer_label = QLabel()
        self.customer_label.setObjectName("filter_customer")
        self.clear_customer = QPushButton("All customers")
        self.clear_customer.clicked.connect(lambda: self.show_customer(None))
        for combo in (self.type, self.priority, self.sla, self.group, self.assignee):
            combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.closed.toggled.connect(lambda _on: self.refresh())
        self._typing = QTimer(self)
        self._typing.setSingleShot(True)
        self._typing.setInterval(250)
        self._typing.timeout.connect(self.refresh)
        self.text.textEdited.connect(lambda _t: self._typing.start())
        self.store.textEdited.connect(lambda _t: self._typing.start())

        self.count = QLabel()
        self.count.setObjectName("case_count")
        self.view_button = QPushButton("&List (Ctrl+B)")
        self.view_button.setObjectName("switch_view")
        self.view_button.clicked.connect(self.switch_view)
        mine = QPushButton("&My cases (Ctrl+M)")
        mine.clicked.connect(self.my_cases)
        new = QPushButton("&New case… (Ctrl+N)")
        new.setObjectName("new_case_button")
        new.clicked.connect(lambda: self.new_case())
        refresh = QPushButton("Re&fresh (F5)")
        refresh.clicked.connect(self.refresh)
        self.board = CaseBoardView()
        self.list = CaseListView()
        self.board.opened.connect(self.open_case)
        self.list.opened.connect(self.open_case)
        self.views = QStackedWidget()
        self.views.addWidget(self.board)
        self.views.addWidget(self.list)

        shortcut("F5", self, self.refresh)
        shortcut("Ctrl+B", self, self.switch_view)
        shortcut("Ctrl+M", self, self.my_cases)
        shortcut("Ctrl+N", self, self.new_case)
        shortcut("Ctrl+F", self, self.text.setFocus)

        filters = QHBoxLayout()
        for widget in (self.type, self.priority, self.sla, self.group, self.assignee, self.store):
            filters.addWidget(widget)
        filters.addWidget(self.text, 1)
        filters.addWidget(self.closed)
        actions = QHBoxLayout()
        actions.addWidget(self.count, 1)
        actions.addWidget(self.customer_label)
        actions.addWidget(self.clear_customer)
        actions.addWidget(self.view_button)
        actions.addWidget(mine)
        actions.addWidget(new)
        actions.addWidget(refresh)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Cases</h2>"))
        layout.addLayout(filters)
        layout.addLayout(actions)
        layout.addWidget(self.views, 1)
        self.show_customer(None, refresh=False)

    # -- set-up ----------------------------------------------------------------------------
    def set_user(self, user: UserInfo) -> None:
        self._user = user
        if self.type.count() == 1:
            cases = self._services.cases
            op(
                self._runner, lambda: (cases.list_types(), cases.groups(), cases.assignable())
            ).success(self._fill_filters).run()

    def _fill_filters(self, found: tuple[list[CaseTypeView], list[str], list[Assignable]]) -> None:
        types, groups, people = found
        self._types = {t.code: t for t in types}
        for combo in (self.type, self.group, self.assignee):
            combo.blockSignals(True)
        for t in types:
            self.type.addItem(t.title, t.code)
        for g in groups:
            self.group.addItem(g.replace("_", " "), g)
        for p in people:
            self.assignee.addItem(p.name, str(p.id))
        for combo in (self.type, self.group, self.assignee):
            combo.blockSignals(False)

    # -- filters ---------------------------------------------------------------------------
    def current_filter(self) -> CaseFilter:
        who = self.assignee.currentData()
        priority = self.priority.currentData()
        return CaseFilter(
            types=(self.type.currentData(),) if self.type.currentData() else (),
            priorities=(Priority(priority),) if priority else (),
            sla=tuple(SlaState(s) for s in self.sla.currentData() or ()),
            store_id=self.store.text().strip().upper(),
            group=str(self.group.currentData() or ""),
            assignee_id=uuid.UUID(who) if who not in (ANYONE, NOBODY, ME, None) else None,
            unassigned=who == NOBODY,
            mine=who == ME,
            customer_id=self._customer[0] if self._customer else None,
            text=self.text.text().strip(),
            include_closed=self.closed.isChecked(),
        )

    def refresh(self) -> None:
        if self._user is None:
            return
        flt, user, cases = self.current_filter(), self._user, self._services.cases
        op(self._runner, lambda: cases.board(flt, user=user)).success(self._show).run()

    def _show(self, board: CaseBoard) -> None:
        self.board_data = board
        chosen = self._types.get(str(self.type.currentData() or ""))
        workflow = [
            (s.name, s.label)
            for s in (chosen.statuses if chosen else ())
            if not s.terminal or self.closed.isChecked()
        ]
        self.board.show_board(board, workflow)
        self.list.show_board(board)
        shown = len(board.cards)
        more = f" (the first {shown} shown)" if board.total > shown else ""
        overdue = sum(1 for c in board.cards if c.sla is SlaState.BREACHED)
        self.count.setText(
            (f"{board.total} case{'s' if board.total != 1 else ''}{more}" if board.total
             else "No case matches.")
            + (f" · {overdue} overdue" if overdue else "")
        )  # fmt: skip

    def my_cases(self) -> None:
        self.assignee.setCurrentIndex(self.assignee.findData(ME))

    def show_customer(
        self, customer: tuple[uuid.UUID, str] | None, *, refresh: bool = True
    ) -> None:
        """Only this customer's cases (from their 360), or everyone's again (None)."""
        self._customer = customer
        self.customer_label.setText(f"Customer: {customer[1]}" if customer else "")
        self.customer_label.setVisible(customer is not None)
        self.clear_customer.setVisible(customer is not None)
        if refresh:
            self.refresh()

    def switch_view(self) -> None:
        board = self.views.currentWidget() is self.board
        self.views.setCurrentWidget(self.list if board else self.board)
        self.view_button.setText("&Board (Ctrl+B)" if board else "&List (Ctrl+B)")
        self.focus_cases()

    def focus_cases(self) -> None:
        if self.views.currentWidget() is self.list:
            self.list.setFocus()
        else:
            self.board.focus_column(0)

    # -- opening ---------------------------------------------------------------------------
    def open_case(self, case_id: uuid.UUID) -> CaseDetailDialog | None:
        if self._user is None:
            return None
        if self.detail_dialog is not None:  # one case window at a time: the last one goes
            self.detail_dialog.close()
            self.detail_dialog.deleteLater()
        dialog = CaseDetailDialog(self._services, self._runner, case_id, self._user, self)
        dialog.changed.connect(self._case_changed)
        dialog.customer_requested.connect(self._customer_requested)
        self.detail_dialog = dialog
        dialog.open()
        return dialog

    def _case_changed(self, _detail: object) -> None:
        self.refresh()
        self.changed.emit()

    def _customer_requested(self, customer_id: uuid.UUID) -> None:
        if self.detail_dialog is not None:
            self.detail_dialog.accept()
        self.customer_requested.emit(customer_id)

    def new_case(self, **context: object) -> NewCaseDialog | None:
        """The new-case dialog; ``context``: what :class:`NewCaseDialog` takes (links …)."""
        if self._user is None:
            return None
        if self.new_dialog is not None:
            self.new_dialog.deleteLater()
        dialog = NewCaseDialog(self._services, self._runner, self._user, parent=self, **context)  # type: ignore[arg-type]
        dialog.created.connect(lambda update: self._created(update.detail.card.id))
        self.new_dialog = dialog
        dialog.open()
        return dialog

    def _created(self, case_id: uuid.UUID) -> None:
        self.refresh()
        self.changed.emit()
        self.open_case(case_id)
