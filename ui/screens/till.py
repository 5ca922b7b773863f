"""Till: the drawer's session — open with a float, cash in and out, no sale, X report, close.

The X report is always on screen and refreshed after every change and every sale.
**Ctrl+O** opens the till with a float counted by denomination, **Ctrl+Shift+I** /
**Ctrl+Shift+O** pay cash in or take it out with a reason, **Ctrl+Shift+N** opens the
drawer without a sale (the reason is logged), **Ctrl+Shift+C** closes with the count; a
difference asks for its reason and, above the store's limit, the manager's PIN.
**Ctrl+Shift+X** prints the X report (or the last Z report) on the receipt printer. Card
payments whose result was lost are listed here for the manager to decide.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
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

from app.errors import DeviceError, DomainError
from app.services.report_docs import ReportDocuments
from ui.approval import ApprovalDialog
from ui.keys import shortcut
from ui.ops import Lane, Runner, op
from ui.screens.till_dialogs import CountDialog, MovementDialog

if TYPE_CHECKING:
    from collections.abc import Callable

    from app.bootstrap import Services
    from app.services.auth import UserInfo
    from app.services.print_queue import PrintJob
    from app.services.tendering import IntentView
    from app.services.till import CloseResult, TillReport
    from domain.money import Money


def _deducted(amount: Money) -> str:
    """An amount the drawer lost, with a minus sign, except nothing (not "−0.00")."""
    return amount.format() if amount.is_zero() else f"−{amount.format()}"


def report_html(report: TillReport) -> str:
    e = report.expected
    rows = [
        f"<h3>{'X report' if report.status == 'open' else 'Z report'} — {report.number}</h3>",
        f"<p>Opened by {report.opened_by} at {report.opened_at.astimezone():%Y-%m-%d %H:%M}"
        + (f", closed at {report.closed_at.astimezone():%H:%M}" if report.closed_at else "")
        + "</p><table>",
        f"<tr><td>Opening float</td><td align=right>{e.opening_float.format()}</td></tr>",
        f"<tr><td>Cash sales</td><td align=right>{e.cash_sales.format()}</td></tr>",
        f"<tr><td>Cash refunds</td><td align=right>{_deducted(e.cash_refunds)}</td></tr>",
        f"<tr><td>Paid in</td><td align=right>{e.cash_in.format()}</td></tr>",
        f"<tr><td>Paid out</td><td align=right>{_deducted(e.cash_out)}</td></tr>",
        f"<tr><td><b>Cash expected</b></td><td align=right><b>{e.cash.format()}</b></td></tr>",
    ]
    if report.counted is not None and report.variance is not None:
        rows.append(f"<tr><td>Counted</td><td align=right>{report.counted.format()}</td></tr>")
        rows.append(f"<tr><td>Difference</td><td align=right>{report.variance.format()}</td></tr>")
    rows.append("</table><p>By tender:</p><ul>")
    rows += [
        f"<li>{t.tender.replace('_', ' ')}: {t.amount.format()} "
        f"({t.count} payment{'s' if t.count != 1 else ''})</li>"
        for t in report.tenders
    ]
    if report.card_terminal_total is not None:
        rows.append(f"<li>card terminal end of day: {report.card_terminal_total.format()}</li>")
    rows.append(
        f"</ul><p>Drawer opened {report.drawer_openings} "
        f"time{'s' if report.drawer_openings != 1 else ''} "
        f"({report.no_sale_openings} without a sale).</p>"
    )
    if report.variance_reason:
        rows.append(f"<p>Reason: {report.variance_reason}</p>")
    return "".join(rows)


class TillScreen(QWidget):
    changed = Signal()

    def __init__(self, services: Services, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self._runner = runner
        self._user: UserInfo | None = None
        self.dialog: QDialog | None = None
        self.state = QLabel()
        self.state.setObjectName("till_state")
        self.state.setStyleSheet("font-size: 14pt; font-weight: bold;")
        self.report = QLabel("…")
        self.report.setObjectName("till_report")
        self.report.setTextFormat(Qt.TextFormat.RichText)
        self.report.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.unclear = QListWidget()
        self.unclear.setObjectName("till_unclear")
        self.unclear_label = QLabel("Card payments to check (select, then decide):")
        self.printing = QLabel()
        self.printing.setObjectName("till_print_queue")
        self.print_again = QPushButton("Print waiting receipts (Ctrl+Shift+P)")
        self.print_again.setObjectName("till_print_again")
        self.print_again.clicked.connect(self.retry_printing)
        shortcut("Ctrl+Shift+P", self, self.retry_printing)
        self.status = QLabel()
        self.status.setObjectName("till_status")
        self.status.setWordWrap(True)

        buttons = QHBoxLayout()
        actions: list[tuple[str, str, str, Callable[[], None]]] = [
            ("till_open", "&Open till (Ctrl+O)", "Ctrl+O", self.open_till),
            ("till_cash_in", "Cash in (Ctrl+Shift+I)", "Ctrl+Shift+I", self.cash_in),
            ("till_cash_out", "Cash out (Ctrl+Shift+O)", "Ctrl+Shift+O", self.cash_out),
            ("till_no_sale", "No sale (Ctrl+Shift+N)", "Ctrl+Shift+N", self.no_sale),
            ("till_close", "&Close till (Ctrl+Shift+C)", "Ctrl+Shift+C", self.close_till),
            ("till_print_report", "Print report (Ctrl+Shift+X)", "Ctrl+Shift+X",
             self.print_report),
        ]  # fmt: skip
        self.buttons: dict[str, QPushButton] = {}
        for name, text, key, slot in actions:
            button = QPushButton(text)
            button.setObjectName(name)
            button.clicked.connect(slot)
            buttons.addWidget(button)
            self.buttons[name] = button
            shortcut(key, self, slot)
        decide = QHBoxLayout()
        self.charged_button = QPushButton("It was charged")
        self.charged_button.setObjectName("till_charged")
        self.charged_button.clicked.connect(lambda: self.decide(charged=True))
        self.not_charged_button = QPushButton("It was not charged")
        self.not_charged_button.setObjectName("till_not_charged")
        self.not_charged_button.clicked.connect(lambda: self.decide(charged=False))
        self.note = QLineEdit()
        self.note.setObjectName("till_check_note")
        self.note.setPlaceholderText("What the terminal's journal shows")
        decide.addWidget(self.note, 1)
        decide.addWidget(self.charged_button)
        decide.addWidget(self.not_charged_button)
        refresh = QPushButton("&Refresh (F5)")
        refresh.clicked.connect(self.refresh)
        shortcut(Qt.Key.Key_F5, self, self.refresh)

        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Till</h2>"))
        layout.addWidget(self.state)
        layout.addLayout(buttons)
        layout.addWidget(self.report, 1)
        layout.addWidget(self.unclear_label)
        layout.addWidget(self.unclear)
        layout.addLayout(decide)
        printing = QHBoxLayout()
        printing.addWidget(self.printing, 1)
        printing.addWidget(self.print_again)
        layout.addLayout(printing)
        layout.addWidget(self.status)
        layout.addWidget(refresh)

    def set_user(self, user: UserInfo | None) -> None:
        self._user = user

    # -- reading -------------------------------------------------------------------------
    def refresh(self) -> None:
        till, sales, queue = self._services.till, self._services.sales, self._services.print_queue

        def read() -> tuple[bool, TillReport | None, list[IntentView], list[PrintJob]]:
            is_open = till.is_open()
            try:
                report = till.x_report()
            except DomainError:
                report = None
            return is_open, report, sales.unresolved_intents(), queue.outstanding()

        op(self._runner, read).success(self._show).run()

    def _show(self, data: tuple[bool, TillReport | None, list[IntentView], list[PrintJob]]) -> None:
        is_open, report, unclear, waiting = data
        self.printing.setText(
            f"{len(waiting)} receipt{'s' if len(waiting) != 1 else ''} waiting to print: "
            + ", ".join(f"{job.reference} ({job.last_error})" for job in waiting[:3])
            if waiting
            else "Every receipt has printed."
        )
        self.print_again.setEnabled(bool(waiting))
        self.state.setText(
            f"Till open — {report.number}"
            if is_open and report
            else "Till closed: open it with a counted float before selling (Ctrl+O)."
        )
        self.report.setText(report_html(report) if report else "")
        self.buttons["till_open"].setEnabled(not is_open)
        for name in ("till_cash_in", "till_cash_out", "till_no_sale", "till_close"):
            self.buttons[name].setEnabled(is_open)
        self.unclear.clear()
        for view in unclear:
            item = QListWidgetItem(
                f"{view.order_number}  {view.amount.format()}  {view.status.replace('_', ' ')}"
                f"  {view.created_at.astimezone():%H:%M}  {view.message}"
            )
            item.setData(Qt.ItemDataRole.UserRole, view.id)
            self.unclear.addItem(item)
        visible = bool(unclear)
        for widget in (self.unclear, self.unclear_label, self.note, self.charged_button,
                       self.not_charged_button):  # fmt: skip
            widget.setVisible(visible)

    # -- actions -------------------------------------------------------------------------
    def _done(self, message: str) -> Callable[[object], None]:
        def done(_result: object) -> None:
            if self.dialog is not None:
                self.dialog.accept()
            self.status.setText(message)
            self.refresh()
            self.changed.emit()

        return done

    def open_till(self) -> None:
        user = self._user
        if user is None:
            return
        dialog = CountDialog("Open the till: count the float", closing=False, parent=self)
        till = self._services.till

        def submit(d: CountDialog) -> None:
            counts = d.counts()
            d.buttons.setEnabled(False)
            op(self._runner, lambda: till.open(counts, user=user)).success(
                self._done("The till is open.")
            ).failure(d.failed).run()

        dialog.submitted = submit
        self.dialog = dialog
        dialog.open()

    def cash_in(self) -> None:
        self._movement("Cash in", "in")

    def cash_out(self) -> None:
        self._movement("Cash out", "out")

    def no_sale(self) -> None:
        self._movement("Open the drawer without a sale", "no_sale")

    def _movement(self, title: str, kind: str) -> None:
        user = self._user
        if user is None:
            return
        dialog = MovementDialog(title, amount=kind != "no_sale", parent=self)
        till, devices = self._services.till, self._services.devices

        def submit(d: MovementDialog) -> None:
            amount, reason = d.amount.text(), d.reason.text()
            d.buttons.setEnabled(False)

            def run() -> object:
                if kind == "in":
                    return till.cash_in(amount, reason, user=user)
                if kind == "out":
                    return till.cash_out(amount, reason, user=user)
                till.no_sale(reason, user=user)
                return None

            def kick(_result: object) -> None:
                self._done(f"{title}: done.")(None)
                op(self._runner, devices.kick_drawer, lane=Lane.IO).failure(
                    self._device_failed
                ).run()

            op(self._runner, run).success(kick).failure(d.failed).run()

        dialog.submitted = submit
        self.dialog = dialog
        dialog.open()

    def _device_failed(self, exc: BaseException) -> None:
        if isinstance(exc, DeviceError):
            self.status.setText(f"The drawer did not open: {exc.message}")
        else:
            raise exc

    def close_till(self) -> None:
        user = self._user
        if user is None:
            return
        dialog = CountDialog("Close the till: count the drawer", closing=True, parent=self)
        till = self._services.till

        def submit(d: CountDialog, approver: object = None) -> None:
            counts, reason, card = d.counts(), d.reason.text(), d.card_total.text()
            d.buttons.setEnabled(False)

            def run() -> CloseResult:
                return till.close(
                    counts, user=user, reason=reason, card_terminal_total=card,
                    approved_by=approver,  # type: ignore[arg-type]
                )  # fmt: skip

            def failed(exc: BaseException) -> None:
                if (
                    isinstance(exc, DomainError)
                    and "manager's approval" in exc.message
                    and approver is None
                ):
                    d.buttons.setEnabled(True)
                    self._approve(d, exc.message, submit)
                    return
                d.failed(exc)

            def closed(result: CloseResult) -> None:
                note = " Handed on to the second line." if result.handed_on else ""
                self._done(f"The till is closed.{note}")(result)

            op(self._runner, run).success(closed).failure(failed).run()

        cards = self._services.cards

        def ask_terminal() -> None:
            dialog.ask_terminal.setEnabled(False)
            dialog.card_total.setPlaceholderText("The terminal is closing its day…")

            def got(total: Money) -> None:
                dialog.ask_terminal.setEnabled(True)
                dialog.card_total.setText(f"{total.amount:.2f}")

            def failed(exc: BaseException) -> None:
                dialog.ask_terminal.setEnabled(True)
                dialog.errors.show_message("card_total", getattr(exc, "message", str(exc)))

            op(self._runner, cards.end_of_day, lane=Lane.IO).success(got).failure(failed).run()

        dialog.ask_terminal.clicked.connect(ask_terminal)
        dialog.submitted = submit
        self.dialog = dialog
        dialog.open()

    def _approve(
        self,
        count: CountDialog,
        message: str,
        retry: Callable[[CountDialog, object], None],
    ) -> None:
        user = self._user
        assert user is not None
        approval = ApprovalDialog(
            self._services, self._runner, requested_by=user, action="till_variance",
            subject=self.state.text(), explanation=message, parent=count,
        )  # fmt: skip
        self.approval = approval

        def approved() -> None:
            if approval.record is not None:
                retry(count, approval.record.approved_by.id)

        approval.accepted.connect(approved)
        approval.open()

    def print_report(self) -> None:
        """The X report (open till) or the last Z report on the receipt printer."""
        services = self._services

        def run() -> PrintJob:
            return ReportDocuments.from_services(services).print_till_slip()

        def done(job: PrintJob) -> None:
            self.status.setText(
                f"Report {job.reference} printed."
                if job.printed
                else f"Report {job.reference} not printed: {job.last_error}. It waits below."
            )
            self.refresh()

        def failed(exc: BaseException) -> None:
            if isinstance(exc, DomainError):
                self.status.setText(exc.message)
            else:
                raise exc

        op(self._runner, run, lane=Lane.IO).success(done).failure(failed).run()

    def retry_printing(self) -> None:
        queue = self._services.print_queue

        def done(jobs: list[PrintJob]) -> None:
            failed = [job for job in jobs if not job.printed]
            self.status.setText(
                f"Still not printing: {failed[0].last_error}"
                if failed
                else f"Printed {len(jobs)} receipt{'s' if len(jobs) != 1 else ''}."
            )
            self.refresh()

        op(self._runner, queue.retry_all, lane=Lane.IO).success(done).run()

    def decide(self, *, charged: bool) -> None:
        user, item = self._user, self.unclear.currentItem()
        if user is None or item is None:
            self.status.setText("Select the card payment first.")
            return
        intent_id, note = item.data(Qt.ItemDataRole.UserRole), self.note.text()
        sales = self._services.sales

        def failed(exc: BaseException) -> None:
            if isinstance(exc, DomainError):
                self.status.setText(exc.message)
            else:
                raise exc

        op(
            self._runner,
            lambda: sales.check_intent(intent_id, charged=charged, note=note, user=user),
        ).success(self._done("Decided.")).failure(failed).run()
