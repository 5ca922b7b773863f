"""Pick the phone number for a new line: type a pattern, see free numbers, Enter takes one.

Patterns: digits appear anywhere ("777"), or ``?`` for one digit and ``*`` for any
(``*1234``). Gold and silver numbers carry the catalog's fee, shown in the list. The
chosen number is reserved for this basket for 30 minutes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import DomainError, ValidationError
from app.phones import display_phone
from domain.numbers import NumberTier
from ui.forms import FieldErrors, error_label
from ui.keys import shortcut
from ui.ops import Runner, op

if TYPE_CHECKING:
    import uuid

    from app.bootstrap import Services
    from app.services.auth import UserInfo
    from app.services.numbers import NumberView
    from app.services.sales import BasketView

TIER_LABELS = {"standard": "", "silver": "silver number (fee)", "gold": "gold number (fee)"}


class NumberPickerDialog(QDialog):
    chosen = Signal(object)  # BasketView

    def __init__(
        self,
        services: Services,
        runner: Runner,
        *,
        order_id: uuid.UUID,
        line_id: uuid.UUID,
        user: UserInfo,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("number_picker")
        self.setWindowTitle("Choose the number")
        self.resize(420, 480)
        self._services = services
        self._runner = runner
        self._order_id = order_id
        self._line_id = line_id
        self._user = user
        self._seq = 0
        self.pattern = QLineEdit()
        self.pattern.setObjectName("number_pattern")
        self.pattern.setPlaceholderText("Digits, ? or *  (e.g. 777 or *1234)")
        self.tier = QComboBox()
        self.tier.setObjectName("number_tier")
        self.tier.addItem("All numbers", None)
        for tier in NumberTier:
            self.tier.addItem(tier.value.capitalize(), tier)
        self.list = QListWidget()
        self.list.setObjectName("numbers")
        self.list.itemActivated.connect(lambda _i: self.choose())
        self.general = error_label()
        self.errors = FieldErrors(self.general)
        pattern_error = error_label()
        self.errors.bind("pattern", pattern_error, self.pattern)
        self.errors.bind("msisdn", self.general, self.list)
        take = QPushButton("&Take this number")
        take.setObjectName("take_number")
        take.clicked.connect(self.choose)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(150)
        self._timer.timeout.connect(self.refresh)
        self.pattern.textChanged.connect(lambda _t: self._timer.start())
        self.tier.currentIndexChanged.connect(lambda _i: self.refresh())
        shortcut(Qt.Key.Key_Down, self.pattern, self.list.setFocus)
        row = QHBoxLayout()
        row.addWidget(self.pattern, 1)
        row.addWidget(self.tier)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Free numbers of this store"))
        layout.addLayout(row)
        layout.addWidget(pattern_error)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.general)
        layout.addWidget(take)
        self.refresh()

    def refresh(self) -> None:
        self._timer.stop()
        self._seq += 1
        seq = self._seq
        pattern, tier = self.pattern.text(), self.tier.currentData()
        self.errors.clear()

        def failed(exc: BaseException) -> None:
            if isinstance(exc, ValidationError):
                self.errors.show(exc)
            else:
                raise exc

        op(self._runner, lambda: self._services.numbers.search(pattern, tier=tier)).guard(
            lambda: seq == self._seq
        ).success(self._show).failure(failed).run()

    def _show(self, numbers: list[NumberView]) -> None:
        self.list.clear()
        for number in numbers:
            label = TIER_LABELS.get(number.tier, "")
            item = QListWidgetItem(
                display_phone(number.msisdn) + (f"   — {label}" if label else "")
            )
            item.setData(Qt.ItemDataRole.UserRole, number.msisdn)
            self.list.addItem(item)
        if numbers:
            self.list.setCurrentRow(0)
        else:
            self.list.addItem("No free number matches.")

    def choose(self) -> None:
        item = self.list.currentItem()
        msisdn = item.data(Qt.ItemDataRole.UserRole) if item else None
        if not msisdn:
            return
        order_id, line_id, user = self._order_id, self._line_id, self._user

        def done(view: BasketView) -> None:
            self.chosen.emit(view)
            self.accept()

        def failed(exc: BaseException) -> None:
            if isinstance(exc, ValidationError):
                self.errors.show_message("msisdn", exc.message)
                self.refresh()
            elif isinstance(exc, DomainError):
                self.errors.show_message("", exc.message)
            else:
                raise exc

        op(
            self._runner,
            lambda: self._services.sales.choose_number(order_id, line_id, msisdn, user=user),
        ).success(done).failure(failed).run()


class TopupNumberDialog(QDialog):
    """The prepaid number a top-up is for, typed or read out by the customer."""

    chosen = Signal(object)  # BasketView

    def __init__(
        self,
        services: Services,
        runner: Runner,
        *,
        order_id: uuid.UUID,
        line_id: uuid.UUID,
        user: UserInfo,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("topup_number")
        self.setWindowTitle("Number to top up")
        self._services, self._runner = services, runner
        self._order_id, self._line_id, self._user = order_id, line_id, user
        self.number = QLineEdit()
        self.number.setObjectName("topup_msisdn")
        self.number.setPlaceholderText("+49 151 … or 0151 …")
        self.number.returnPressed.connect(self.confirm)
        self.general = error_label()
        self.errors = FieldErrors(self.general)
        number_error = error_label()
        self.errors.bind("msisdn", number_error, self.number)
        ok = QPushButton("&Top up this number")
        ok.setObjectName("topup_ok")
        ok.clicked.connect(self.confirm)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Prepaid number"))
        layout.addWidget(self.number)
        layout.addWidget(number_error)
        layout.addWidget(self.general)
        layout.addWidget(ok)

    def confirm(self) -> None:
        self.errors.clear()
        text, order_id, line_id, user = (
            self.number.text(),
            self._order_id,
            self._line_id,
            self._user,
        )

        def done(view: BasketView) -> None:
            self.chosen.emit(view)
            self.accept()

        def failed(exc: BaseException) -> None:
            if isinstance(exc, ValidationError):
                self.errors.show_message("msisdn", exc.message)
            elif isinstance(exc, DomainError):
                self.errors.show_message("", exc.message)
            else:
                raise exc

        op(
            self._runner,
            lambda: self._services.sales.set_topup_number(order_id, line_id, text, user=user),
        ).success(done).failure(failed).run()
