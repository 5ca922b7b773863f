"""The print queue: a document is saved before it is printed, and kept until it is.

The sale is committed first; its receipt then goes through :meth:`PrintQueue.submit`, which
writes the job (the :class:`ReceiptDoc` as JSON) in its own durable transaction and only then
talks to the printer. A printer that is off, out of paper or hung therefore leaves a job
marked ``failed`` with the printer's message, never a rolled-back sale, and the job survives
a restart of the program. Jobs are printed again with :meth:`~PrintQueue.retry` /
:meth:`~PrintQueue.retry_all`; a job the counter no longer wants is skipped.

A timeout may mean the receipt came out after all (the printer took it, its answer was
late): :meth:`~PrintQueue.mark_printed` records that without printing it twice.
:meth:`~PrintQueue.reprint` prints another copy of a job, marked COPY.

Threading: methods block on the printer; call them from a background lane, never the GUI
thread. One job prints at a time per queue, so two retries of the same job print it once.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal, Protocol

from sqlalchemy import select

from app.db.print_records import PrintJobRecord
from app.db.types import utcnow
from app.db.uow import UnitOfWork
from app.errors import NotFound
from devices.errors import DeviceError
from devices.printer.base import ReceiptDoc, ReceiptLine

log = logging.getLogger(__name__)
Status = Literal["pending", "printed", "failed", "skipped"]
OUTSTANDING = ("pending", "failed")
COPY_BANNER = "COPY"
DOC_FORMAT = 1


class DocumentPrinter(Protocol):
    """What the queue prints with (the app's :class:`~app.device_manager.DeviceManager`)."""

    def print_receipt(self, doc: ReceiptDoc) -> None: ...


@dataclass(frozen=True)
class PrintJob:
    id: uuid.UUID
    kind: str  # receipt, slip, report …
    reference: str  # the receipt number, or what else identifies the document
    copy: bool
    status: Status
    attempts: int
    last_error: str
    created_at: datetime
    printed_at: datetime | None

    @property
    def printed(self) -> bool:
        return self.status == "printed"


class PrintQueue:
    def __init__(self, uow: Callable[..., UnitOfWork], printer: DocumentPrinter) -> None:
        self._uow = uow
        self._printer = printer
        self._printing = threading.Lock()

    # -- adding and printing ---------------------------------------------------------------
    def enqueue(
        self, kind: str, reference: str, doc: ReceiptDoc, *, copy: bool = False
    ) -> PrintJob:
        """Save a job (committed, durable) without printing it. A copy gets the COPY banner."""
        if copy and not doc.copy_banner:
            doc = replace(doc, copy_banner=COPY_BANNER)
        row = PrintJobRecord(
            kind=kind[:16], reference=reference[:64], document=doc_to_json(doc), copy=copy,
            status="pending", attempts=0, last_error="",
        )  # fmt: skip
        with self._uow(durable=True) as uow:
            uow.session.add(row)
            uow.commit()
        return _job(row)

    def submit(self, kind: str, reference: str, doc: ReceiptDoc, *, copy: bool = False) -> PrintJob:
        """Save the job, then print it. Never raises for a printer problem: the returned
        job says ``failed`` and why, and stays in the queue."""
        return self.print_job(self.enqueue(kind, reference, doc, copy=copy).id)

    def print_job(self, job_id: uuid.UUID) -> PrintJob:
        """Print a saved job now (again, if it failed); a printed or skipped one is left be."""
        with self._printing:
            row = self._load(job_id)
            if row.status not in OUTSTANDING:
                return _job(row)
            try:
                doc = doc_from_json(row.document)
            except ValueError as exc:
                return self._record(job_id, error=f"the saved document is unreadable: {exc}")
            try:
                self._printer.print_receipt(doc)
            except DeviceError as exc:
                log.warning("print job %s (%s) failed: %s", row.reference, row.kind, exc)
                return self._record(job_id, error=str(exc))
            except Exception as exc:
                self._record(job_id, error=f"unexpected error: {exc}")
                raise
            return self._record(job_id, error=None)

    retry = print_job

    def retry_all(self) -> list[PrintJob]:
        """Print every outstanding job, oldest first; stops at the first failure, since the
        rest would only wait for the same broken printer one by one."""
        done: list[PrintJob] = []
        for job in self.outstanding():
            result = self.print_job(job.id)
            done.append(result)
            if result.status == "failed":
                break
        return done

    def reprint(self, job_id: uuid.UUID) -> PrintJob:
        """Print another copy of a job's document, as a new job marked COPY."""
        row = self._load(job_id)
        try:
            doc = doc_from_json(row.document)
        except ValueError as exc:
            raise NotFound(f"The saved document cannot be read again ({exc}).") from exc
        return self.submit(row.kind, row.reference, doc, copy=True)

    # -- the counter's decisions -----------------------------------------------------------
    def mark_printed(self, job_id: uuid.UUID) -> PrintJob:
        """The document did come out (say, after a timeout): record it without printing."""
        with self._uow() as uow:
            row = self._row(uow, job_id)
            row.status, row.printed_at, row.last_error = "printed", utcnow(), ""
            uow.commit()
            return _job(row)

    def skip(self, job_id: uuid.UUID) -> PrintJob:
        """Leave an outstanding job unprinted (the customer has gone); it stays on record."""
        with self._uow() as uow:
            row = self._row(uow, job_id)
            if row.status in OUTSTANDING:
                row.status = "skipped"
                uow.commit()
            return _job(row)

    # -- reading ---------------------------------------------------------------------------
    def outstanding(self) -> list[PrintJob]:
        """Jobs still to print (pending or failed, with the last error), oldest first."""
        with self._uow(read_only=True) as uow:
            rows = uow.session.scalars(
                select(PrintJobRecord)
                .where(PrintJobRecord.status.in_(OUTSTANDING))
                .order_by(PrintJobRecord.created_at, PrintJobRecord.id)
            )
            return [_job(row) for row in rows]

    def for_reference(self, reference: str) -> list[PrintJob]:
        """Every job for one document (the original and its copies), oldest first."""
        with self._uow(read_only=True) as uow:
            rows = uow.session.scalars(
                select(PrintJobRecord)
                .where(PrintJobRecord.reference == reference)
                .order_by(PrintJobRecord.created_at, PrintJobRecord.id)
            )
            return [_job(row) for row in rows]

    def get(self, job_id: uuid.UUID) -> PrintJob:
        return _job(self._load(job_id))

    # -- rows ------------------------------------------------------------------------------
    def _load(self, job_id: uuid.UUID) -> PrintJobRecord:
        """The row, detached with its values (leaving a read-only unit of work rolls back,
        which would expire a row still in the session)."""
        with self._uow(read_only=True) as uow:
            row = self._row(uow, job_id)
            uow.session.expunge(row)
            return row

    @staticmethod
    def _row(uow: UnitOfWork, job_id: uuid.UUID) -> PrintJobRecord:
        row = uow.session.get(PrintJobRecord, job_id)
        if row is None:
            raise NotFound("There is no such print job.")
        return row

    def _record(self, job_id: uuid.UUID, *, error: str | None) -> PrintJob:
        with self._uow(durable=True) as uow:
            row = self._row(uow, job_id)
            row.attempts += 1
            if error is None:
                row.status, row.printed_at, row.last_error = "printed", utcnow(), ""
            else:
                row.status, row.last_error = "failed", error[:500]
            uow.commit()
            return _job(row)


def _job(row: PrintJobRecord) -> PrintJob:
    return PrintJob(
        id=row.id, kind=row.kind, reference=row.reference, copy=row.copy,
        status=row.status,  # type: ignore[arg-type]  # only Status values are written
        attempts=row.attempts, last_error=row.last_error, created_at=row.created_at,
        printed_at=row.printed_at,
    )  # fmt: skip


def doc_to_json(doc: ReceiptDoc) -> dict[str, Any]:
    """The document as plain JSON, versioned so a newer layout can still read old jobs."""
    return {
        "format": DOC_FORMAT,
        "lines": [
            {"text": x.text, "align": x.align, "bold": x.bold, "double": x.double}
            for x in doc.lines
        ],
        "barcode": doc.barcode,
        "cut": doc.cut,
        "copy_banner": doc.copy_banner,
    }


def doc_from_json(data: Any) -> ReceiptDoc:
    """The document back from :func:`doc_to_json`; ValueError if it is not one."""
    if not isinstance(data, dict) or data.get("format") != DOC_FORMAT:
        raise ValueError("not a receipt document of a known format")
    lines = data.get("lines")
    if not isinstance(lines, list):
        raise ValueError("no lines")
    out: list[ReceiptLine] = []
    for item in lines:
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise ValueError("a line without text")
        align = item.get("align", "left")
        if align not in ("left", "center", "right"):
            raise ValueError(f"unknown alignment {align!r}")
        out.append(
            ReceiptLine(
                item["text"], align=align, bold=item.get("bold") is True,
                double=item.get("double") is True,
            )
        )  # fmt: skip
    barcode, banner = data.get("barcode"), data.get("copy_banner")
    if barcode is not None and not isinstance(barcode, str):
        raise ValueError("a barcode that is not text")
    if banner is not None and not isinstance(banner, str):
        raise ValueError("a copy banner that is not text")
    return ReceiptDoc(
        lines=tuple(out), barcode=barcode, cut=data.get("cut") is not False, copy_banner=banner
    )
