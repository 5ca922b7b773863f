"""How Sell shows the basket: the lines table (each line's discounts in rows under it),
the totals and problems below it, which buttons are on, and which basket line the
selected row belongs to.

Part of :class:`~ui.screens.sell.SellScreen` (mixed in); the screen's widgets it uses are
declared below for type checkers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
)

from ui.screens.sell_parts import SellParts

if TYPE_CHECKING:
    from app.services.sales import BasketLineView

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class SellTable(SellParts):
    _row_lines: list[int | None]  # table row → index in basket.lines
    customer: QLabel
    lines: QTableWidget
    commitment: QComboBox
    instalments: QComboBox
    discount_button: QPushButton
    number_button: QPushButton
    esim_confirmed: QCheckBox
    problems: QLabel
    total: QLabel
    pay_cash_button: QPushButton
    void_button: QPushButton
    hold_button: QPushButton

    def _render(self) -> None:
        basket = self._basket
        lines = basket.lines if basket else ()
        rows: list[tuple[int | None, tuple[str, ...]]] = []
        for index, line in enumerate(lines):
            monthly = line.monthly_fee.format() if line.monthly_fee else ""
            if line.instalment is not None:
                extra = f"{line.instalment.format()} × {line.instalments}"
                monthly = f"{monthly} + {extra}" if monthly else extra
            terms = []
            if line.commitment:
                terms.append(f"{line.commitment} months")
            if line.instalments:
                terms.append(f"{line.instalments} instalments")
            serial = line.serial or (
                f"scan {line.needs_serial.upper()}" if line.needs_serial else ""
            )
            if line.kind == "plan" and line.port_in:
                temp = f"{line.msisdn}, then " if line.msisdn else ""
                serial = f"{temp}port-in {line.port_in}"
            elif line.kind == "plan":
                serial = line.msisdn or "number: next free (Ctrl+M) or port in (Ctrl+I)"
            elif line.kind == "topup":
                serial = line.msisdn or "number to top up: Ctrl+M"
            name = (
                line.description if line.quantity == 1 else f"{line.quantity} × {line.description}"
            )
            rows.append((index, (name, serial, ", ".join(terms), line.total.format(), monthly)))
            for d in line.discounts:
                now, per_month = (
                    ("", f"−{d.amount.format()}") if d.monthly else (f"−{d.amount.format()}", "")
                )
                rows.append((None, (f"    {d.reason}", "", "", now, per_month)))
        self._row_lines = [line_index for line_index, _ in rows]
        self.lines.setRowCount(len(rows))
        italic = QFont()
        italic.setItalic(True)
        for row, (line_index, cells) in enumerate(rows):
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col >= 3:
                    item.setTextAlignment(RIGHT)
                if line_index is None:
                    item.setFont(italic)
                    item.setForeground(Qt.GlobalColor.darkGreen)
                self.lines.setItem(row, col, item)
        if basket:
            self.customer.setText(f"{basket.customer_name} · {basket.number}")
            monthly_total = basket.monthly_total
            extra = "" if monthly_total.is_zero() else f"   then {monthly_total.format()} / month"
            saved = basket.discount_total
            you_save = (
                f"   (you save {saved.format()})"
                if saved is not None and not saved.is_zero()
                else ""
            )
            credit = ""
            if basket.credit is not None:
                credit = (
                    f"<br>Credit from return: −{basket.credit.format()} · "
                    f"<b>To pay: {basket.due_now.format()}</b>"
                )
            self.total.setText(
                f"<b>Total now: {basket.total.format()}</b>{extra}{you_save}{credit}"
            )
            self.problems.setText("\n".join(f"⚠ {m}" for m in basket.messages))
            self.problems.setVisible(bool(basket.problems))
            self.esim_confirmed.setChecked(basket.esim_device_confirmed)
        else:
            self.total.setText("<b>Total now: 0.00</b>")
            self.problems.hide()
            self.esim_confirmed.setChecked(False)
        self.pay_cash_button.setEnabled(bool(lines) and not (basket and basket.problems))
        self.void_button.setEnabled(basket is not None)
        self.hold_button.setEnabled(bool(lines))
        self._selection_changed()

    def selected_line(self) -> BasketLineView | None:
        basket = self._basket
        rows = self.lines.selectionModel().selectedRows() if basket else []
        if basket is None or not rows:
            return None
        row = rows[0].row()
        # A discount row belongs to the line above it.
        while row >= 0 and self._row_lines[row] is None:
            row -= 1
        index = self._row_lines[row] if row >= 0 else None
        return None if index is None else basket.lines[index]

    def select_line(self, line_index: int) -> None:
        if line_index in self._row_lines:
            self.lines.clearSelection()
            self.lines.selectRow(self._row_lines.index(line_index))

    def _selection_changed(self) -> None:
        line = self.selected_line()
        kind = line.kind if line else ""
        self.commitment.setEnabled(kind in ("plan", "device"))
        self.instalments.setEnabled(kind == "device")
        self.discount_button.setEnabled(line is not None)
        self.number_button.setEnabled(kind in ("plan", "topup"))
        if line is not None:
            self.commitment.setCurrentIndex(max(0, self.commitment.findData(line.commitment)))
            self.instalments.setCurrentIndex(max(0, self.instalments.findData(line.instalments)))
