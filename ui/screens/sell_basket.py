"""What is done to the whole basket in Sell: void it (a manager approves when the user may
not; a part payment by card goes back to the card), hold it (F7), recall a held one
(Shift+F7; the basket on screen is held too), and take goods back (Ctrl+R), where an
exchange continues in this basket.

Part of :class:`~ui.screens.sell.SellScreen` (mixed in); what it shares with the other parts
is declared in :mod:`ui.screens.sell_parts`.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, cast

from PySide6.QtWidgets import QWidget

from domain.users import Permission
from ui.approval import ApprovalDialog
from ui.ops import Lane, op
from ui.screens.sell_parts import SellParts

if TYPE_CHECKING:
    from app.services.auth import UserInfo
    from app.services.card_payments import CardPaymentResult
    from app.services.sales import BasketView


class SellBasketActions(SellParts):
    _pending_customer: tuple[uuid.UUID | None, str]
    approval_dialog: ApprovalDialog | None
    return_dialog: object
    recall_dialog: object

    def void(self) -> None:
        basket, user = self._basket, self._require_user()
        if basket is None:
            return
        if basket.lines and not user.can(Permission.VOID):
            dialog = ApprovalDialog(
                self._services,
                self._runner,
                requested_by=user,
                action="void_basket",
                subject=basket.number,
                explanation=f"Voiding {basket.number} ({basket.total.format()}) needs a manager.",
                parent=cast(QWidget, self),
            )
            self.approval_dialog = dialog
            dialog.accepted.connect(lambda: self._cancel(basket, user))
            dialog.open()
            return
        self._cancel(basket, user)

    def _cancel(self, basket: BasketView, user: UserInfo) -> None:
        order_id, cards = basket.order_id, self._services.cards

        def cancelled(_changes: object) -> None:
            self._reset()
            # A part payment by card goes back to the card through the terminal.
            op(
                self._runner, lambda: cards.refund_to_card(order_id, user=user), lane=Lane.IO
            ).success(self._card_refunds_done).failure(self._failed).run()

        op(self._runner, lambda: self._services.sales.cancel(order_id, user=user)).success(
            cancelled
        ).failure(self._failed).run()

    def _card_refunds_done(self, results: list[CardPaymentResult]) -> None:
        if results:
            self.errors.show_message("", "; ".join(r.message for r in results))

    def hold(self) -> None:
        """Put this basket aside (its items stay reserved) and start afresh."""
        basket, user = self._basket, self._require_user()
        if basket is None or not basket.lines:
            return
        op(self._runner, lambda: self._services.sales.hold(basket.order_id, user=user)).success(
            lambda _none: self._reset()
        ).failure(self._failed).run()

    def return_goods(self) -> None:
        """Take goods back from an earlier sale; an exchange continues here in Sell."""
        from ui.screens.returns import ReturnDialog

        basket = self._basket
        customer_id = basket.customer_id if basket is not None else self._pending_customer[0]
        dialog = ReturnDialog(
            self._services, self._runner, user=self._require_user(), customer_id=customer_id,
            parent=cast(QWidget, self),
        )  # fmt: skip
        dialog.exchange_started.connect(self.open_basket)
        self.return_dialog = dialog
        dialog.open()

    def recall(self) -> None:
        from ui.screens.held_baskets import HeldBasketsDialog

        dialog = HeldBasketsDialog(self._services, self._runner, parent=cast(QWidget, self))
        dialog.chosen.connect(self._recall)
        self.recall_dialog = dialog
        dialog.open()

    def _recall(self, order_id: uuid.UUID) -> None:
        user = self._require_user()
        current = self._basket
        sales = self._services.sales

        def run() -> BasketView:
            if current is not None and current.lines and current.order_id != order_id:
                sales.hold(current.order_id, user=user)  # the basket on screen is kept too
            return sales.recall(order_id, user=user)

        op(self._runner, run).success(self._added).failure(self._failed).run()
