"""Invoices for completed sales and credit notes for their returns, numbered without gaps.

Issuing is ONE durable transaction: the number is taken from the terminal's series
(:func:`app.db.counters.next_number`, ``INV`` for invoices, ``CRN`` for credit notes) and
the document is stored with it, so a failure anywhere gives the number back and two
documents never share one, offline as online. Issuing twice returns the first document.

The stored row keeps the document as issued (:mod:`app.documents.invoice_codec`), and
:meth:`pdf` renders that again, so a copy says what the original said. The document's data,
amounts as the order has them, is built by :mod:`app.services.invoice_data`.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.changes import Changes
from app.db import models as m
from app.db.counters import next_number
from app.db.types import utcnow
from app.db.uow import UnitOfWork
from app.documents.invoice import InvoiceData, InvoiceKind, render_invoice
from app.documents.invoice_codec import decode_invoice, encode_invoice
from app.errors import NotFound
from app.services import customer_index
from app.services.auth import UserInfo
from app.services.invoice_data import credit_note_data, invoice_data, seller_of
from app.services.receipts import StoreInfo
from domain.errors import RuleViolation, ValidationError
from domain.money import Money
from domain.order import OrderStatus

__all__ = ["InvoiceService", "IssuedInvoice", "decode_invoice", "encode_invoice"]


@dataclass(frozen=True)
class IssuedInvoice:
    number: str
    kind: InvoiceKind
    order_id: uuid.UUID
    return_id: uuid.UUID | None
    issued_at: datetime
    total: Money
    data: InvoiceData
    new: bool  # False when the document had been issued before
    changes: Changes


class InvoiceService:
    def __init__(
        self,
        uow: Callable[..., UnitOfWork],
        *,
        store: StoreInfo,
        footer: tuple[str, ...] = (),
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._uow = uow
        self._store = store
        self._footer = footer
        self._clock = clock

    # -- issuing -------------------------------------------------------------------------
    def issue(self, order_id: uuid.UUID, *, user: UserInfo) -> IssuedInvoice:
        """The invoice of a completed order: issued now, or the one issued before."""
        try:
            with self._uow(durable=True) as uow:
                record = _invoice_of(uow.session, order_id)
                if record is not None:
                    return _issued(record, new=False)
                record = self._new_invoice(uow.session, order_id, user)
                result = _issued(record, new=True)
                uow.commit()
                return result
        except IntegrityError:
            # Another terminal issued it in the same moment (PostgreSQL): that one stands.
            with self._uow(read_only=True) as uow:
                record = _invoice_of(uow.session, order_id)
                if record is None:
                    raise
                return _issued(record, new=False)

    def issue_credit_note(self, return_id: uuid.UUID, *, user: UserInfo) -> IssuedInvoice:
        """The credit note of a completed return, naming the order's invoice (issued first
        if the customer never asked for one). Issuing twice returns the first."""
        with self._uow(durable=True) as uow:
            session = uow.session
            record = session.scalars(
                select(m.InvoiceRecord).where(m.InvoiceRecord.return_id == return_id)
            ).one_or_none()
            if record is not None:
                return _issued(record, new=False)
            ret = session.get(m.ReturnRecord, return_id)
            if ret is None:
                raise NotFound("This return does not exist.")
            if ret.status != "completed" or ret.completed_at is None:
                raise RuleViolation(
                    f"Return {ret.number} waits for approval; its credit note is issued "
                    "once the refund is approved."
                )
            invoice = _invoice_of(session, ret.order_id) or self._new_invoice(
                session, ret.order_id, user
            )
            number = ret.credit_note_number or next_number(
                session, kind="CRN", store_id=self._store.store_id,
                terminal_id=self._store.terminal_id,
            )  # fmt: skip
            ret.credit_note_number = number
            now = self._clock()
            seller = seller_of(self._store)
            data = credit_note_data(
                session, ret, invoice, number, now, seller=seller, footer=self._footer
            )
            record = self._store_record(session, data, ret.order_id, ret.customer_id, now, user)
            record.return_id = ret.id
            session.flush()
            result = _issued(record, new=True)
            uow.commit()
            return result

    # -- reading -------------------------------------------------------------------------
    def find(self, number: str) -> IssuedInvoice:
        """The invoice or credit note with this number, as typed or scanned (case and
        surrounding blanks do not matter). :class:`ValidationError` for an empty number,
        :class:`NotFound` when no document has it."""
        code = number.strip().upper()
        if not code:
            raise ValidationError("Type the invoice or credit note number.", field="number")
        with self._uow(read_only=True) as uow:
            record = uow.session.scalars(
                select(m.InvoiceRecord).where(m.InvoiceRecord.number == code)
            ).one_or_none()
            if record is None:
                raise NotFound(f"No invoice or credit note has the number {code}.")
            return _issued(record, new=False)

    def for_order(self, order_id: uuid.UUID) -> list[IssuedInvoice]:
        """The order's invoice and credit notes, in the order they were issued."""
        with self._uow(read_only=True) as uow:
            rows = uow.session.scalars(
                select(m.InvoiceRecord)
                .where(m.InvoiceRecord.order_id == order_id)
                .order_by(m.InvoiceRecord.issued_at, m.InvoiceRecord.number)
            ).all()
            return [_issued(row, new=False) for row in rows]

    def find_order(self, text: str) -> uuid.UUID:
        """The order an order or receipt number (typed or scanned) names."""
        code = text.strip().upper()
        if not code:
            raise ValidationError("Type the order or receipt number.", field="order")
        with self._uow(read_only=True) as uow:
            order_id = uow.session.scalars(
                select(m.Order.id).where(
                    or_(m.Order.receipt_number == code, m.Order.number == code)
                )
            ).first()
        if order_id is None:
            raise NotFound(f"No sale has the number {code}.")
        return order_id

    def invoice_of(self, order_id: uuid.UUID) -> IssuedInvoice | None:
        """The order's invoice (not its credit notes), or None if none was issued."""
        with self._uow(read_only=True) as uow:
            record = _invoice_of(uow.session, order_id)
            return None if record is None else _issued(record, new=False)

    def pdf(self, number: str, *, copy: bool = False) -> bytes:
        """The stored document rendered again as A4 PDF (run off the GUI thread).

        ``copy``: marked as a copy on every page — any rendering but the original one
        handed out when the document was issued (reprints, previews from the 360).
        """
        data = self.find(number).data
        buffer = io.BytesIO()
        render_invoice(data, buffer, copy=copy)
        return buffer.getvalue()

    # -- building ------------------------------------------------------------------------
    def _new_invoice(
        self, session: Session, order_id: uuid.UUID, user: UserInfo
    ) -> m.InvoiceRecord:
        order = session.get(m.Order, order_id)
        if order is None:
            raise NotFound("This sale does not exist.")
        if order.status != OrderStatus.COMPLETED.value or order.completed_at is None:
            raise RuleViolation(
                f"Sale {order.number} is {order.status}; only completed sales are invoiced."
            )
        number = next_number(
            session, kind="INV", store_id=self._store.store_id, terminal_id=self._store.terminal_id
        )
        now = self._clock()
        data = invoice_data(
            session, order, number, now, seller=seller_of(self._store), footer=self._footer
        )
        return self._store_record(session, data, order.id, order.customer_id, now, user)

    def _store_record(
        self,
        session: Session,
        data: InvoiceData,
        order_id: uuid.UUID,
        customer_id: uuid.UUID | None,
        now: datetime,
        user: UserInfo,
    ) -> m.InvoiceRecord:
        record = m.InvoiceRecord(
            number=data.number,
            kind=data.kind,
            order_id=order_id,
            customer_id=customer_id,
            issued_at=now,
            total_minor=data.totals.gross.minor,
            currency=data.currency,
            data=encode_invoice(data),
            user_id=user.id,
        )
        session.add(record)
        session.flush()
        if customer_id is not None:  # the customer is found by the document's number
            customer_index.refresh(session.connection(), customer_id)
        return record


# -- stored documents -----------------------------------------------------------------------


def _invoice_of(session: Session, order_id: uuid.UUID) -> m.InvoiceRecord | None:
    return session.scalars(
        select(m.InvoiceRecord).where(
            m.InvoiceRecord.order_id == order_id, m.InvoiceRecord.kind == "invoice"
        )
    ).one_or_none()


def _issued(record: m.InvoiceRecord, *, new: bool) -> IssuedInvoice:
    data = decode_invoice(record.data)
    return IssuedInvoice(
        number=record.number,
        kind=data.kind,
        order_id=record.order_id,
        return_id=record.return_id,
        issued_at=record.issued_at,
        total=Money.from_minor(record.total_minor, record.currency),
        data=data,
        new=new,
        changes=Changes(sync=new),
    )
