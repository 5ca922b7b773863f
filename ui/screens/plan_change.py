"""Change a line's plan or add-ons, now or from next month (Customer 360, Ctrl+P).

Plans the rules do not allow are listed greyed with the reason (for example a cheaper
plan while the commitment runs), so the consultant can explain it. When the rules refuse
a change, "Hand on to the second line" passes exactly that change on to the second line,
who can decide otherwise. Changes booked for next month are listed and can be cancelled
until they take effect.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import DomainError, RuleViolation
from domain.plan_change import Effective
from ui.forms import error_label
from ui.ops import Runner, op

if TYPE_CHECKING:
    import uuid

    from app.bootstrap import Services
    from app.services.auth import UserInfo
    from app.services.plan_change_views import ChangeResult, HandOnResult, LineOptions


class PlanChangeDialog(QDialog):
    changed = Signal(object)  # ChangeResult (or None after a cancellation or a hand-on)

    def __init__(
        self,
        services: Services,
        runner: Runner,
        *,
        subscription_id: uuid.UUID,
        user: UserInfo,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("plan_change")
        self.setWindowTitle("Change plan or add-ons")
        self.resize(640, 560)
        self._services = services
        self._runner = runner
        self._sub = subscription_id
        self._user = user
        self._options: LineOptions | None = None
        # The change the rules last refused (plan, effective, commitment): what a hand-on
        # passes on. Cleared as soon as the consultant picks something else.
        self._refused: tuple[str, Effective, int] | None = None

        self.line = QLabel("…")
        self.line.setObjectName("line_summary")
        self.line.setWordWrap(True)
        self.plans = QListWidget()
        self.plans.setObjectName("plans")
        self.plans.currentItemChanged.connect(self._plan_selected)
        self.commitment = QComboBox()
        self.commitment.setObjectName("commitment")
        self.now = QRadioButton("&Now")
        self.now.setObjectName("effective_now")
        self.next_month = QRadioButton("From &next month")
        self.next_month.setObjectName("effective_next_month")
        self.now.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.now)
        group.addButton(self.next_month)
        group.buttonToggled.connect(lambda *_: self._forget_refusal())
        self.change_button = QPushButton("&Change plan")
        self.change_button.setObjectName("change_plan")
        self.change_button.clicked.connect(self.change_plan)
        self.hand_on_button = QPushButton("&Hand on to the second line")
        self.hand_on_button.setObjectName("hand_on")
        self.hand_on_button.setToolTip(
            "Pass the change the rules refused on to the second line, who can decide otherwise"
        )
        self.hand_on_button.setEnabled(False)
        self.hand_on_button.clicked.connect(self.hand_on)
        self.addons = QListWidget()
        self.addons.setObjectName("addons")
        self.add_button = QPushButton("&Add add-on")
        self.add_button.setObjectName("add_addon")
        self.add_button.clicked.connect(lambda: self.change_addon(add=True))
        self.remove_button = QPushButton("&Remove add-on")
        self.remove_button.setObjectName("remove_addon")
        self.remove_button.clicked.connect(lambda: self.change_addon(add=False))
        self.scheduled = QListWidget()
        self.scheduled.setObjectName("scheduled")
        self.scheduled.setMaximumHeight(80)
        self.cancel_button = QPushButton("Cancel scheduled change")
        self.cancel_button.setObjectName("cancel_scheduled")
        self.cancel_button.clicked.connect(self.cancel_scheduled)
        self.message = error_label()
        self.message.setObjectName("plan_change_error")
        self.done_label = QLabel()
        self.done_label.setObjectName("plan_change_done")

        when = QHBoxLayout()
        when.addWidget(self.now)
        when.addWidget(self.next_month)
        when.addStretch(1)
        plan_row = QHBoxLayout()
        plan_row.addWidget(QLabel("Commitment"))
        plan_row.addWidget(self.commitment)
        plan_row.addStretch(1)
        plan_row.addWidget(self.change_button)
        plan_row.addWidget(self.hand_on_button)
        addon_row = QHBoxLayout()
        addon_row.addStretch(1)
        addon_row.addWidget(self.add_button)
        addon_row.addWidget(self.remove_button)
        form = QFormLayout()
        form.addRow("Takes effect", when)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.line)
        layout.addLayout(form)
        layout.addWidget(QLabel("<b>Plans</b>"))
        layout.addWidget(self.plans)
        layout.addLayout(plan_row)
        layout.addWidget(QLabel("<b>Add-ons</b>"))
        layout.addWidget(self.addons)
        layout.addLayout(addon_row)
        layout.addWidget(QLabel("<b>Scheduled</b>"))
        layout.addWidget(self.scheduled)
        layout.addWidget(self.cancel_button)
        layout.addWidget(self.message)
        layout.addWidget(self.done_label)
        layout.addWidget(close)
        self.reload()

    # -- loading -------------------------------------------------------------------------
    def reload(self) -> None:
        sub = self._sub
        op(self._runner, lambda: self._services.plan_changes.options(sub)).success(
            self._show
        ).failure(self._failed).run()

    def _show(self, options: LineOptions) -> None:
        self._options = options
        end = options.commitment_end.isoformat() if options.commitment_end else "none"
        addons = ", ".join(options.addons) or "none"
        self.line.setText(
            f"<b>{options.msisdn}</b> — {options.plan_name} ({options.monthly:.2f} a month, "
            f"{options.payment_type}); commitment until: {end}; add-ons: {addons}"
        )
        current = self.plans.currentItem()
        keep = current.data(Qt.ItemDataRole.UserRole) if current is not None else None
        self.plans.clear()
        for plan in options.plans:
            text = f"{plan.name} — {plan.monthly:.2f} a month"
            if not plan.allowed:
                text += f"   ({plan.why_not})"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, plan.code)
            item.setToolTip(plan.why_not or "Allowed now")
            if not plan.allowed:
                item.setForeground(QColor("gray"))
            self.plans.addItem(item)
            if plan.code == keep:
                self.plans.setCurrentItem(item)
        self.addons.clear()
        for addon in options.addon_options:
            state = "active" if addon.active else ("available" if addon.fits else "does not fit")
            item = QListWidgetItem(f"{addon.name} — {addon.monthly:.2f} a month ({state})")
            item.setData(Qt.ItemDataRole.UserRole, addon.code)
            self.addons.addItem(item)
        self.scheduled.clear()
        for change_id, text in options.scheduled:
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, change_id)
            self.scheduled.addItem(item)
        self.cancel_button.setEnabled(bool(options.scheduled))

    def _plan_selected(self, item: QListWidgetItem | None, _old: object = None) -> None:
        self._forget_refusal()
        self.commitment.clear()
        if item is None or self._options is None:
            return
        code = item.data(Qt.ItemDataRole.UserRole)
        plan = next((p for p in self._options.plans if p.code == code), None)
        for term in plan.commitments if plan is not None else ():
            self.commitment.addItem(f"{term} months" if term else "No commitment", term)

    # -- actions -------------------------------------------------------------------------
    def _effective(self) -> Effective:
        return Effective.NOW if self.now.isChecked() else Effective.NEXT_MONTH

    def change_plan(self) -> None:
        item = self.plans.currentItem()
        if item is None:
            self._say("Choose the new plan.")
            return
        code = item.data(Qt.ItemDataRole.UserRole)
        term = self.commitment.currentData()
        sub, user, effective = self._sub, self._user, self._effective()

        def run() -> ChangeResult:
            return self._services.plan_changes.change_plan(
                sub, code, effective=effective, commitment=int(term or 0), user=user
            )

        def refused(exc: BaseException) -> None:
            self._failed(exc)
            if isinstance(exc, RuleViolation):
                self._refused = (code, effective, int(term or 0))
                self.hand_on_button.setEnabled(True)

        op(self._runner, run).success(self._changed).failure(refused).run()

    def hand_on(self) -> None:
        """Hand the change the rules refused on to the second line (one transaction)."""
        if self._refused is None:
            return
        (code, effective, term), sub, user = self._refused, self._sub, self._user

        def run() -> HandOnResult:
            return self._services.plan_changes.hand_on_refused(
                sub, code, effective=effective, commitment=term, user=user
            )

        def done(result: HandOnResult) -> None:
            self._forget_refusal()
            self.message.hide()
            self.done_label.setText(f"Handed on to the second line: {result.summary}")
            self.changed.emit(None)

        def failed(exc: BaseException) -> None:
            self.hand_on_button.setEnabled(self._refused is not None)  # it may be tried again
            self._failed(exc)

        self.hand_on_button.setEnabled(False)  # one hand-on per refusal, even on a double click
        op(self._runner, run).success(done).failure(failed).run()

    def _forget_refusal(self) -> None:
        self._refused = None
        self.hand_on_button.setEnabled(False)

    def change_addon(self, *, add: bool) -> None:
        item = self.addons.currentItem()
        if item is None:
            self._say("Choose the add-on.")
            return
        code = item.data(Qt.ItemDataRole.UserRole)
        sub, user, effective = self._sub, self._user, self._effective()
        service = self._services.plan_changes
        call = service.add_addon if add else service.remove_addon

        def run() -> ChangeResult:
            return call(sub, code, effective=effective, user=user)

        op(self._runner, run).success(self._changed).failure(self._failed).run()

    def cancel_scheduled(self) -> None:
        item = self.scheduled.currentItem() or self.scheduled.item(0)
        if item is None:
            return
        change_id, user = item.data(Qt.ItemDataRole.UserRole), self._user

        def run() -> None:
            self._services.plan_changes.cancel_scheduled(change_id, user=user)

        def done(_: None) -> None:
            self.done_label.setText(f"Cancelled: {item.text()}")
            self.changed.emit(None)
            self.reload()

        op(self._runner, run).success(done).failure(self._failed).run()

    def _changed(self, result: ChangeResult) -> None:
        self.message.hide()
        text = result.description if result.applied else f"Scheduled: {result.description}"
        if result.dropped_addons:
            text += f". Ended with the plan: {', '.join(result.dropped_addons)}"
        self.done_label.setText(text)
        self.changed.emit(result)
        self.reload()

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()

    def _failed(self, exc: BaseException) -> None:
        if not isinstance(exc, DomainError):
            raise exc
        self._say(exc.message)
