"""Reports (Ctrl+6): the store's day on screen, its PDFs, and invoices found by number.

Choose the day (today by default) and the figures load in the background: completed sales,
revenue, refunds, and sales by tender, consultant and category, each as a table with a
bar chart under it. The day report and the day's Z
reports (every till closed that day) are saved as PDF.

Keys: F5 reload, Ctrl+I find an invoice or credit note by number (its preview: print,
save as PDF), Ctrl+Shift+D save the day report, Ctrl+Shift+Z save the Z reports.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.errors import DomainError
from app.services.report_docs import ReportDocuments
from domain.money import Money
from ui.charts import BarChart
from ui.keys import shortcut
from ui.ops import Lane, Runner, op
from ui.screens.invoice_preview import InvoicePreviewDialog, SavePath, ask_save_path

if TYPE_CHECKING:
    from app.bootstrap import Services
    from app.services.reports import DaySummary

Writer = Callable[[Path], object]  # writes a report to the path (on the I/O lane)


def _table(name: str, headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    table.verticalHeader().hide()
    return table


def _fill(table: QTableWidget, rows: list[list[str]]) -> None:
    table.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, text in enumerate(values):
            item = QTableWidgetItem(text)
            if c > 0:  # figures line up on the right
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(r, c, item)


def tender_label(tender: str) -> str:
    return tender.replace("_", " ").capitalize()


class ReportsScreen(QWidget):
    def __init__(
        self,
        services: Services,
        runner: Runner,
        *,
        ask_save: SavePath = ask_save_path,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("reports_screen")
        self._services = services
        self._runner = runner
        self.ask_save = ask_save
        self._seq = 0
        self.summary: DaySummary | None = None
        self.find_dialog: QWidget | None = None
        self.preview: InvoicePreviewDialog | None = None

        self.day = QDateEdit()
        self.day.setObjectName("report_day")
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy-MM-dd")
        today = QDate.currentDate()
        self.day.setDate(today)
        self.day.setMaximumDate(today)
        self.day.dateChanged.connect(lambda _d: self.refresh())
        today_button = QPushButton("&Today")
        today_button.clicked.connect(self.show_today)
        refresh = QPushButton("Reload (F5)")
        refresh.clicked.connect(self.refresh)
        self.find_button = QPushButton("Find &invoice… (Ctrl+I)")
        self.find_button.setObjectName("find_invoice_button")
        self.find_button.clicked.connect(self.find_invoice)
        self.day_pdf_button = QPushButton("Save &day report PDF… (Ctrl+Shift+D)")
        self.day_pdf_button.setObjectName("save_day_pdf")
        self.day_pdf_button.clicked.connect(self.save_day_pdf)
        self.z_pdf_button = QPushButton("Save &Z reports PDF… (Ctrl+Shift+Z)")
        self.z_pdf_button.setObjectName("save_z_pdf")
        self.z_pdf_button.clicked.connect(self.save_z_pdf)
        shortcut("F5", self, self.refresh)
        shortcut("Ctrl+I", self, self.find_invoice)
        shortcut("Ctrl+Shift+D", self, self.save_day_pdf)
        shortcut("Ctrl+Shift+Z", self, self.save_z_pdf)

        self.figures = QLabel("…")
        self.figures.setObjectName("day_figures")
        self.status = QLabel()
        self.status.setObjectName("reports_status")
        self.status.setWordWrap(True)
        self.tenders = _table("by_tender", ["Tender", "Amount"])
        self.consultants = _table("by_consultant", ["Consultant", "Sales", "Amount"])
        self.categories = _table("by_category", ["Category", "Items", "Amount"])
        self.tender_chart = BarChart("Takings by tender")
        self.tender_chart.setObjectName("tender_chart")
        self.tender_chart.empty_text = "No takings on this day."
        self.consultant_chart = BarChart("Sales by consultant")
        self.consultant_chart.setObjectName("consultant_chart")
        self.consultant_chart.empty_text = "No sales on this day."
        self.category_chart = BarChart("Sales by category")
        self.category_chart.setObjectName("category_chart")
        self.category_chart.empty_text = "No sales on this day."

        top = QHBoxLayout()
        top.addWidget(QLabel("<h2>Reports</h2>"))
        top.addSpacing(16)
        top.addWidget(QLabel("Day"))
        top.addWidget(self.day)
        top.addWidget(today_button)
        top.addWidget(refresh)
        top.addStretch(1)
        top.addWidget(self.find_button)
        # One column per breakdown: the table to read, under it the chart to look at.
        grid = QGridLayout()
        for column, (title, table, chart) in enumerate(
            (("By tender", self.tenders, self.tender_chart),
             ("By consultant", self.consultants, self.consultant_chart),
             ("By category", self.categories, self.category_chart))
        ):  # fmt: skip
            grid.addWidget(QLabel(f"<b>{title}</b>"), 0, column)
            grid.addWidget(table, 1, column)
            grid.addWidget(chart, 2, column)
            grid.setColumnStretch(column, 1)
        grid.setRowStretch(1, 2)
        grid.setRowStretch(2, 3)
        documents = QHBoxLayout()
        documents.addWidget(self.day_pdf_button)
        documents.addWidget(self.z_pdf_button)
        documents.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.figures)
        layout.addLayout(grid, 1)
        layout.addLayout(documents)
        layout.addWidget(self.status)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        """Coming to Reports shows the figures as they are now (other terminals sync in)."""
        super().showEvent(event)
        self.refresh()

    # -- figures ---------------------------------------------------------------------------
    @property
    def chosen_day(self) -> date:
        chosen = self.day.date()
        return date(chosen.year(), chosen.month(), chosen.day())

    def show_today(self) -> None:
        today = QDate.currentDate()
        self.day.setMaximumDate(today)  # the app may have run past midnight
        if self.day.date() == today:
            self.refresh()
        else:
            self.day.setDate(today)  # refreshes

    def refresh(self) -> None:
        """Load the chosen day's figures; a later request wins over an earlier one."""
        self._seq += 1
        seq, day, reports = self._seq, self.chosen_day, self._services.reports
        op(self._runner, lambda: reports.day_summary(day)).guard(lambda: seq == self._seq).success(
            self._show
        ).run()

    def _show(self, day: DaySummary) -> None:
        self.summary = day
        revenue = day.revenue
        average = Money.of(revenue.amount / day.orders, revenue.currency) if day.orders else None
        parts = [
            f"<b>{day.day.strftime('%A, %d %B %Y')}</b>: {day.orders} completed "
            f"sale{'s' if day.orders != 1 else ''}, revenue <b>{revenue.format()}</b>",
        ]
        if average is not None:
            parts.append(f"average sale {average.format()}")
        if day.refunded is not None:
            parts.append(f"{day.returns} return{'s' if day.returns != 1 else ''}, refunded "
                         f"{day.refunded.format()}")  # fmt: skip
        parts.append(f"changes waiting to sync: {day.outbox_waiting}")
        self.figures.setText(" · ".join(parts))
        _fill(self.tenders, [[tender_label(t), a.format()] for t, a in day.by_tender])
        _fill(self.consultants, [[n, str(c), a.format()] for n, c, a in day.by_consultant])
        _fill(self.categories, [[k, str(n), a.format()] for k, n, a in day.by_category])
        currency = revenue.currency
        self.tender_chart.set_bars(
            [(tender_label(t), float(a.amount), a.format()) for t, a in day.by_tender],
            title=f"Takings by tender ({currency})",
        )
        self.consultant_chart.set_bars(
            [(n, float(a.amount), a.format()) for n, _c, a in day.by_consultant],
            title=f"Sales by consultant ({currency})",
        )
        self.category_chart.set_bars(
            [(k, float(a.amount), a.format()) for k, _n, a in day.by_category],
            title=f"Sales by category ({currency})",
        )

    # -- documents -------------------------------------------------------------------------
    def save_day_pdf(self) -> None:
        day = self.chosen_day
        self._save(f"day-report-{day.isoformat()}.pdf", "Day report", self._day_pdf(day))

    def save_z_pdf(self) -> None:
        day = self.chosen_day
        self._save(f"z-reports-{day.isoformat()}.pdf", "Z reports", self._z_pdf(day))

    def _day_pdf(self, day: date) -> Writer:
        services = self._services
        return lambda path: ReportDocuments.from_services(services).day_pdf(day, path)

    def _z_pdf(self, day: date) -> Writer:
        services = self._services
        return lambda path: ReportDocuments.from_services(services).z_pdf(day, path)

    def _save(self, suggested: str, what: str, write: Writer) -> None:
        chosen = self.ask_save(self, suggested)
        if not chosen:
            return
        path = Path(chosen)
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        self.status.setText(f"Saving the {what.lower()}…")

        def failed(exc: BaseException) -> None:
            if isinstance(exc, DomainError):
                self.status.setText(f"{what} not saved: {exc.message}")
            elif isinstance(exc, OSError):
                self.status.setText(f"{what} not saved: {exc.strerror or exc} ({path}).")
            else:
                raise exc

        op(self._runner, lambda: write(path), lane=Lane.IO).success(
            lambda _result: self.status.setText(f"{what} saved to {path}.")
        ).failure(failed).with_progress(f"Saving the {what.lower()}…", parent=self).run()

    # -- invoices --------------------------------------------------------------------------
    def find_invoice(self) -> None:
        from ui.screens.invoice_find import FindInvoiceDialog

        dialog = FindInvoiceDialog(self._services, self._runner, parent=self)
        dialog.found.connect(self.open_invoice)
        self.find_dialog = dialog
        dialog.open()

    def open_invoice(self, number: str) -> None:
        """The preview of an invoice issued before: a copy."""
        dialog = InvoicePreviewDialog(
            self._services, self._runner, number=number, copy=True, ask_save=self.ask_save,
            parent=self,
        )  # fmt: skip
        self.preview = dialog
        dialog.open()
