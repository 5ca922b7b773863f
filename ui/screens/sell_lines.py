"""What the consultant does to the selected basket line in Sell: its commitment and
instalments, the eSIM-device confirmation, a manual discount (Ctrl+D), its number (Ctrl+M)
and a port-in (Ctrl+I). Each result is shown with the same line still selected.

Part of :class:`~ui.screens.sell.SellScreen` (mixed in); what it shares with the other parts
is declared in :mod:`ui.screens.sell_parts`.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, cast

from PySide6.QtWidgets import QComboBox, QWidget

from ui.ops import op
from ui.screens.sell_parts import SellParts

if TYPE_CHECKING:
    from app.services.sales import BasketView


class SellLineActions(SellParts):
    commitment: QComboBox
    instalments: QComboBox
    discount_dialog: object
    number_dialog: object
    port_dialog: object

    def _shown_with(self, basket: BasketView, position: int) -> None:
        raise NotImplementedError

    def _commitment_chosen(self) -> None:
        self._set_terms(commitment=int(self.commitment.currentData()))

    def _instalments_chosen(self) -> None:
        self._set_terms(instalments=int(self.instalments.currentData()))

    def _set_terms(self, *, commitment: int | None = None, instalments: int | None = None) -> None:
        basket, line, user = self._basket, self.selected_line(), self._require_user()
        if basket is None or line is None:
            return
        sales = self._services.sales
        position = basket.lines.index(line)
        op(
            self._runner,
            lambda: sales.set_terms(
                basket.order_id, line.id, user=user, commitment=commitment, instalments=instalments
            ),
        ).success(lambda view: self._shown_with(view, position)).failure(self._failed).run()

    def _esim_toggled(self, checked: bool) -> None:
        basket, user = self._basket, self._require_user()
        if basket is None:
            return
        sales = self._services.sales
        op(
            self._runner,
            lambda: sales.set_esim_device_confirmed(basket.order_id, checked, user=user),
        ).success(self._added).failure(self._failed).run()

    def discount_selected(self) -> None:
        from ui.screens.discount import DiscountDialog

        basket, line, user = self._basket, self.selected_line(), self._require_user()
        if basket is None or line is None:
            self.errors.show_message("code", "Select the line to discount.")
            return
        dialog = DiscountDialog(
            self._services,
            self._runner,
            basket=basket,
            line=line,
            user=user,
            parent=cast(QWidget, self),
        )
        self.discount_dialog = dialog
        position = basket.lines.index(line)
        dialog.applied.connect(lambda view: self._shown_with(view, position))
        dialog.open()

    def choose_number(self) -> None:
        from ui.screens.number_picker import NumberPickerDialog, TopupNumberDialog

        basket, line, user = self._basket, self.selected_line(), self._require_user()
        if basket is None or line is None or line.kind not in ("plan", "topup"):
            self.errors.show_message(
                "code", "Select the plan line that gets a number, or the top-up line."
            )
            return
        picker = NumberPickerDialog if line.kind == "plan" else TopupNumberDialog
        dialog = picker(
            self._services, self._runner, order_id=basket.order_id, line_id=line.id, user=user,
            parent=cast(QWidget, self),
        )  # fmt: skip
        self.number_dialog = dialog
        position = basket.lines.index(line)
        dialog.chosen.connect(lambda view: self._shown_with(view, position))
        dialog.open()

    def port_in(self) -> None:
        from ui.screens.port_in import PortInDialog

        basket, line, user = self._basket, self.selected_line(), self._require_user()
        if basket is None or line is None or line.kind != "plan":
            self.errors.show_message("code", "Select the plan line the customer's number comes to.")
            return
        dialog = PortInDialog(
            self._services, self._runner, order_id=basket.order_id, line_id=line.id, user=user,
            today=date.today(), parent=cast(QWidget, self),
        )  # fmt: skip
        self.port_dialog = dialog
        position = basket.lines.index(line)
        dialog.ported.connect(lambda view: self._shown_with(view, position))
        dialog.open()
