"""Reports as documents: fetch the figures, lay them out as PDF or as a till slip.

The figures come from the till (:meth:`TillService.report_of` and
:meth:`TillService.closed_on` read any session of this store, not only the current one,
computed exactly as the close computed them, so a Z report printed next week says what the
close said) and from :class:`ReportService` (the day). :class:`ReportDocuments` is what the
CLI and the screens call; rendering is done by :mod:`app.documents.report_pdf` and
:mod:`app.documents.report_slip`, which never touch the database.

Every method reads only; PDFs are written to the given path or stream. Nothing found raises
:class:`~domain.errors.RuleViolation` with a message for the person who asked.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from app.documents.report_pdf import render_day_summary, render_till_reports
from app.documents.report_slip import build_till_slip
from app.services.print_queue import PrintJob, PrintQueue
from app.services.reports import DaySummary, ReportService
from app.services.till import TillReport, TillService
from devices.printer.base import ReceiptDoc
from domain.errors import RuleViolation

if TYPE_CHECKING:
    from app.bootstrap import Services

Target = str | Path | BinaryIO


class ReportDocuments:
    def __init__(
        self,
        sessions: TillService,
        reports: ReportService,
        *,
        store_name: str,
        print_queue: PrintQueue | None = None,
        columns: int = 48,
    ) -> None:
        self._sessions = sessions
        self._reports = reports
        self._store_name = store_name
        self._print_queue = print_queue
        self._columns = columns

    @classmethod
    def from_services(cls, services: Services) -> ReportDocuments:
        return cls(
            services.till,
            services.reports,
            store_name=services.store.name,
            print_queue=services.print_queue,
            columns=services.devices.printer_columns,
        )

    # -- figures ---------------------------------------------------------------------------
    def till_report(self, session_number: str | None = None) -> TillReport:
        """The session ``session_number``, or this till's current one (X while it is open)."""
        if session_number:
            return self._sessions.report_of(session_number)
        return self._sessions.x_report()

    def z_reports(self, day: date) -> list[TillReport]:
        reports = self._sessions.closed_on(day)
        if not reports:
            raise RuleViolation(f"No till session was closed on {day.isoformat()}.")
        return reports

    def day_summary(self, day: date) -> DaySummary:
        return self._reports.day_summary(day)

    # -- documents -------------------------------------------------------------------------
    def till_pdf(self, session_number: str | None, out: Target) -> TillReport:
        """The X (open) or Z (closed) report of one session as a PDF."""
        report = self.till_report(session_number)
        render_till_reports([report], store_name=self._store_name, path_or_stream=out)
        return report

    def z_pdf(self, day: date, out: Target) -> list[TillReport]:
        """The Z reports of every session closed on ``day``, one after the other."""
        reports = self.z_reports(day)
        render_till_reports(reports, store_name=self._store_name, path_or_stream=out)
        return reports

    def day_pdf(self, day: date, out: Target) -> DaySummary:
        summary = self.day_summary(day)
        render_day_summary(summary, store_name=self._store_name, path_or_stream=out)
        return summary

    def till_slip(self, session_number: str | None = None) -> ReceiptDoc:
        report = self.till_report(session_number)
        return build_till_slip(report, store_name=self._store_name, columns=self._columns)

    def print_till_slip(self, session_number: str | None = None) -> PrintJob:
        """Queue and print the slip; a printer problem leaves the job queued, never raises."""
        if self._print_queue is None:
            raise RuleViolation("No receipt printer is set up for reports.")
        report = self.till_report(session_number)
        slip = build_till_slip(report, store_name=self._store_name, columns=self._columns)
        return self._print_queue.submit("till_report", report.number, slip)
