"""Reports as documents: fetch the figures, lay them out as PDF or as a till slip.

:class:`SessionReports` reads any till session of this store, not only the current one, and
computes its figures exactly as the till does at its close (it is a :class:`TillService`),
so a Z report printed next week says what the close said. :class:`ReportDocuments` is what
the CLI and the screens call; rendering is done by :mod:`app.documents.report_pdf` and
:mod:`app.documents.report_slip`, which never touch the database.

Every method reads only; PDFs are written to the given path or stream. Nothing found raises
:class:`~domain.errors.RuleViolation` with a message for the person who asked.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from sqlalchemy import select

from app.db import models as m
from app.db.uow import UnitOfWork, make_uow_factory
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


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """The terminal's local calendar ``day`` as a UTC half-open range [start, end)."""
    start = datetime.combine(day, time.min).astimezone()
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)


class SessionReports(TillService):
    """Till reports of sessions chosen by number or by the day they closed."""

    def report_of(self, number: str) -> TillReport:
        with self._uow(read_only=True) as uow:
            row = uow.session.scalars(
                select(m.TillSession).where(
                    m.TillSession.store_id == self._store_id,
                    m.TillSession.number == number.strip(),
                )
            ).first()
            if row is None:
                raise RuleViolation(f"There is no till session {number.strip()!r} in this store.")
            return self._report(uow.session, row)

    def closed_on(self, day: date) -> list[TillReport]:
        """Z reports of the sessions closed on ``day`` (local time), oldest close first."""
        start, end = local_day_bounds(day)
        with self._uow(read_only=True) as uow:
            rows = uow.session.scalars(
                select(m.TillSession)
                .where(
                    m.TillSession.store_id == self._store_id,
                    m.TillSession.status == "closed",
                    m.TillSession.closed_at >= start,
                    m.TillSession.closed_at < end,
                )
                .order_by(m.TillSession.closed_at)
            ).all()
            return [self._report(uow.session, row) for row in rows]


class ReportDocuments:
    def __init__(
        self,
        sessions: SessionReports,
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
    def for_uow(
        cls,
        uow: Callable[..., UnitOfWork],
        *,
        store_id: str,
        till_id: str,
        currency: str,
        store_name: str,
        print_queue: PrintQueue | None = None,
        columns: int = 48,
    ) -> ReportDocuments:
        # The threshold only matters when closing, which these sessions never do.
        sessions = SessionReports(
            uow,
            store_id=store_id,
            till_id=till_id,
            currency=currency,
            variance_threshold=Decimal(0),
        )
        reports = ReportService(uow, currency=currency)
        return cls(
            sessions, reports, store_name=store_name, print_queue=print_queue, columns=columns
        )

    @classmethod
    def from_services(cls, services: Services) -> ReportDocuments:
        store = services.store
        uow = make_uow_factory(
            services.engine, store_id=store.store_id, terminal_id=store.terminal_id
        )
        return cls.for_uow(
            uow,
            store_id=store.store_id,
            till_id=store.terminal_id,
            currency=store.currency,
            store_name=store.name,
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
