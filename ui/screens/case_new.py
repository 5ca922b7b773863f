"""Open a case from where the consultant is (Customer 360, an order, a device, the till).

The context (customer, order, subscription, device, payment) is filled in and linked; the
consultant picks the type, writes what it is about and fills the type's fields (required
ones are starred). Ctrl+Return opens it; the case then opens in its own window.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import DomainError
from app.services.case_views import CaseLinks
from domain.cases.definitions import Priority
from ui.forms import error_label
from ui.keys import shortcut
from ui.ops import Runner, op
from ui.screens.case_fields import CaseFieldsForm

if TYPE_CHECKING:
    from app.bootstrap import Services
    from app.services.auth import UserInfo
    from app.services.case_views import CaseTypeView, CaseUpdate


class NewCaseDialog(QDialog):
    created = Signal(object)  # CaseUpdate

    def __init__(
        self,
        services: Services,
        runner: Runner,
        user: UserInfo,
        *,
        links: CaseLinks | None = None,
        context: dict[str, str] | None = None,
        type_code: str = "",
        summary: str = "",
        values: dict[str, str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """``context``: labels of the linked records by reference kind ("customer": "Anna
        Schmidt (C00000005)", "order": "ORD-…"), shown in the reference fields; ``values``:
        fields filled in already (the IMEI of the device the case is about …)."""
        super().__init__(parent)
        self.setObjectName("new_case")
        self.setWindowTitle("New case for the second line")
        self.resize(620, 560)
        self._services = services
        self._runner = runner
        self._user = user
        self._links = links or CaseLinks()
        self._context = context or {}
        self._wanted = type_code
        self._values = values or {}
        self._types: list[CaseTypeView] = []

        self.type = QComboBox()
        self.type.setObjectName("case_type")
        self.type.currentIndexChanged.connect(lambda _i: self._type_chosen())
        self.description = QLabel()
        self.description.setWordWrap(True)
        self.summary = QLineEdit(summary)
        self.summary.setObjectName("case_summary")
        self.summary.setMaxLength(500)
        self.summary.setPlaceholderText("What is it about, in one line")
        self.priority = QComboBox()
        self.priority.setObjectName("case_priority")
        for p in Priority:
            self.priority.addItem(p.value, p)
        self.group = QComboBox()
        self.group.setObjectName("case_group")
        self.fields = CaseFieldsForm()
        self.message = error_label()
        self.message.setObjectName("new_case_message")
        self.create_button = QPushButton("&Open the case (Ctrl+Return)")
        self.create_button.setObjectName("create_case")
        self.create_button.setDefault(True)
        self.create_button.clicked.connect(self.open_case)
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.reject)
        shortcut("Ctrl+Return", self, self.open_case)

        links_text = " · ".join(self._context.values()) or "Not linked to a customer or order."
        form = QFormLayout()
        form.addRow("Type", self.type)
        form.addRow("", self.description)
        form.addRow("About", QLabel(links_text))
        form.addRow("Summary *", self.summary)
        form.addRow("Priority", self.priority)
        form.addRow("Queue", self.group)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.create_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("<b>Details</b>"))
        layout.addWidget(self.fields, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

        cases = services.cases
        op(runner, lambda: (cases.list_types(), cases.groups())).success(self._loaded).run()

    def _loaded(self, found: tuple[list[CaseTypeView], list[str]]) -> None:
        self._types, groups = found
        for g in groups:
            self.group.addItem(g.replace("_", " "), g)
        self.type.blockSignals(True)
        for t in self._types:
            self.type.addItem(t.title, t.code)
        self.type.blockSignals(False)
        self.type.setCurrentIndex(max(self.type.findData(self._wanted), 0))
        self._type_chosen()
        self.summary.setFocus()

    def _type_chosen(self) -> None:
        code = self.type.currentData()
        chosen = next((t for t in self._types if t.code == code), None)
        if chosen is None:
            return
        self.description.setText(chosen.description)
        self.priority.setCurrentIndex(self.priority.findData(chosen.default_priority))
        if self.group.findData(chosen.default_group) < 0:
            self.group.addItem(chosen.default_group.replace("_", " "), chosen.default_group)
        self.group.setCurrentIndex(self.group.findData(chosen.default_group))
        references = {
            f.name: self._context[f.to.value]
            for f in chosen.fields
            if f.to is not None and f.to.value in self._context
        }
        self.fields.show_fields(chosen.fields, self._values, references=references)

    def open_case(self) -> None:
        code = str(self.type.currentData() or "")
        if not code:
            return
        summary, values = self.summary.text().strip(), self.fields.values()
        priority, group = Priority(self.priority.currentData()), str(self.group.currentData() or "")
        cases, user, links = self._services.cases, self._user, self._links

        def run() -> CaseUpdate:
            return cases.create(
                code, summary=summary, user=user, values=values, links=links,
                priority=priority, group=group,
            )  # fmt: skip

        self.create_button.setEnabled(False)
        op(self._runner, run).success(self._created).failure(self._failed).run()

    def _created(self, update: CaseUpdate) -> None:
        self.created.emit(update)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.create_button.setEnabled(True)
        if not isinstance(exc, DomainError):
            raise exc
        self.message.setText(exc.message)
        self.message.show()
        field = getattr(exc, "field", "")
        if field == "summary":
            self.summary.setFocus()
        elif field:
            self.fields.focus(field)
