"""Cases from the Customer 360: "New case…" (Ctrl+Shift+N) and opening a case from its tab.

The new case is linked to the customer and to what is selected in the tab in front: a
device (an equipment replacement, its IMEI filled in), an order, a line (subscription) or
a payment. Enter or a double click on the Cases tab opens that case.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QListWidgetItem, QPushButton, QTableWidget

from app.services.case_views import CaseLinks
from ui.keys import shortcut

if TYPE_CHECKING:
    from app.services.customer_profile import Profile
    from ui.screens.customer360 import Customer360


class CustomerCaseActions(QObject):
    new_case_requested = Signal(dict)  # what NewCaseDialog takes: links, context, type …
    case_opened = Signal(object)  # case id

    def __init__(self, view: Customer360, shortcut_parent: Any) -> None:
        super().__init__(view)
        self._view = view
        self.button = QPushButton("New &case… (Ctrl+Shift+N)")
        self.button.setObjectName("new_case_for_customer")
        self.button.setToolTip(
            "Hand something on to the second line: linked to this customer and to the "
            "device, order, line or payment selected"
        )
        self.button.setEnabled(False)
        self.button.clicked.connect(self.request)
        shortcut("Ctrl+Shift+N", shortcut_parent, self.request)
        view.cases.itemActivated.connect(self._activated)

    def _activated(self, item: QListWidgetItem) -> None:
        case_id = item.data(Qt.ItemDataRole.UserRole)
        if case_id is not None:
            self.case_opened.emit(case_id)

    def request(self) -> None:
        profile = self._view.profile
        if profile is None or not self.button.isEnabled():
            return
        self.new_case_requested.emit(self.context(profile))

    def context(self, profile: Profile) -> dict[str, object]:
        """Links, their labels and a fitting type from the selection in the tab in front."""
        view = self._view
        links: dict[str, object] = {"customer_id": profile.id}
        labels = {"customer": f"{profile.name} ({profile.customer_no})"}
        extra: dict[str, object] = {}
        tab = view.tabs.currentWidget()
        if tab is view.devices and (row := _row(view.devices)) is not None:
            device = profile.devices[row]
            links.update(device_id=device.unit_id, order_id=device.order_id)
            labels["device"] = f"{device.model} (IMEI {device.imei})"
            labels["order"] = device.order_number
            extra = {
                "type_code": "equipment_replacement",
                "values": {"imei": device.imei},
                "summary": f"{device.model} (IMEI {device.imei}): ",
            }
        elif view.orders.isVisible() and (row := _row(view.orders)) is not None:
            order = profile.orders[row]
            links["order_id"] = order.id
            labels["order"] = order.number
        elif tab is view.subscriptions and (row := _row(view.subscriptions)) is not None:
            line = profile.subscriptions[row]
            links["subscription_id"] = line.id
            labels["subscription"] = f"{line.msisdn} ({line.plan_name})"
        elif tab is view.payments and (row := _row(view.payments)) is not None:
            payment = profile.payments[row]
            links["payment_id"] = payment.id
            labels["payment"] = f"{payment.tender} {payment.amount} ({payment.order_number})"
        return {"links": CaseLinks(**links), "context": labels, **extra}  # type: ignore[arg-type]

    def set_enabled(self, enabled: bool) -> None:
        self.button.setEnabled(enabled)


def _row(table: QTableWidget) -> int | None:
    rows = table.selectionModel().selectedRows()
    return rows[0].row() if rows else None
