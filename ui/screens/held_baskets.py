"""Baskets on hold at this terminal: pick one with Enter to continue it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from ui.ops import Runner, op

if TYPE_CHECKING:
    from app.bootstrap import Services
    from app.services.basket_views import HeldBasket


class HeldBasketsDialog(QDialog):
    chosen = Signal(object)  # order id

    def __init__(self, services: Services, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("held_baskets")
        self.setWindowTitle("Baskets on hold")
        self.resize(520, 320)
        self.list = QListWidget()
        self.list.setObjectName("held_list")
        self.list.itemActivated.connect(self._chosen)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Enter continues the basket; the one on screen is held."))
        layout.addWidget(self.list, 1)
        op(runner, services.sales.held).success(self._show).run()

    def _show(self, baskets: list[HeldBasket]) -> None:
        self.list.clear()
        for b in baskets:
            when = b.held_at.astimezone().strftime("%H:%M")
            item = QListWidgetItem(
                f"{when}  {b.number}  {b.customer_name} — {b.lines} item(s), {b.total.format()}"
            )
            item.setData(Qt.ItemDataRole.UserRole, b.order_id)
            self.list.addItem(item)
        if baskets:
            self.list.setCurrentRow(0)
            self.list.setFocus()
        else:
            self.list.addItem("No basket is on hold.")

    def _chosen(self, item: QListWidgetItem) -> None:
        order_id = item.data(Qt.ItemDataRole.UserRole)
        if order_id is not None:
            self.chosen.emit(order_id)
            self.accept()
