"""Invoices for completed sales and credit notes for their returns, numbered without gaps.

Issuing is ONE durable transaction: the number is taken from the terminal's series
(:func:`app.db.counters.next_number`, ``INV`` for invoices, ``CRN`` for credit notes) and
the document is stored with it, so a failure anywhere gives the number back and two
documents never share one, offline as online. Issuing twice returns the first document.

The stored row keeps the document as issued (:mod:`app.documents.invoice_codec`), and
:meth:`pdf` renders that again, so a copy says what the original said. The amounts are the order's
own: line totals as the sale recorded them and VAT per rate computed the receipt's way
(the gross per rate split once), so invoice, receipt and till agree to the cent.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.changes import Changes
from app.db import models as m
from app.db.counters import next_number
from app.db.types import utcnow
from app.db.uow import UnitOfWork
from app.documents.invoice import (
    Buyer,
    CreditReference,
    InstalmentPlan,
    InvoiceData,
    InvoiceKind,
    InvoiceLine,
    Payment,
    Seller,
    Totals,
    VatRow,
    render_invoice,
)
from app.documents.invoice_codec import decode_invoice, encode_invoice
from app.errors import NotFound
from app.services import customer_index
from app.services.auth import UserInfo
from app.services.customers import display_name
from app.services.receipts import StoreInfo
from domain.card import CardSlip
from domain.errors import RuleViolation, ValidationError
from domain.money import Money, sum_money
from domain.order import OrderStatus

__all__ = ["InvoiceService", "IssuedInvoice", "decode_invoice", "encode_invoice"]

WALK_IN = "Walk-in customer"


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
            data = self._credit_note_data(session, ret, invoice, number, now)
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
        data = self._invoice_data(session, order, number, now)
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

    def _invoice_data(
        self, session: Session, order: m.Order, number: str, now: datetime
    ) -> InvoiceData:
        cur = order.currency
        assert order.completed_at is not None
        lines = tuple(_invoice_line(line, cur) for line in order.lines)
        vat, totals = _vat_and_totals(lines, cur)
        if totals.gross.minor != order.total_minor:
            raise RuleViolation(
                f"The lines of sale {order.number} add up to {totals.gross.format()}, its total "
                f"is {Money.from_minor(order.total_minor, cur).format()}; no invoice was issued."
            )
        payments = session.scalars(
            select(m.Payment)
            .where(m.Payment.order_id == order.id, m.Payment.amount_minor > 0,
                   m.Payment.status == "approved")
            .order_by(m.Payment.created_at)
        ).all()  # fmt: skip
        notes = [f"Sale {order.number}, receipt {order.receipt_number}."]
        paid = sum_money([Money.from_minor(p.amount_minor, cur) for p in payments], cur)
        if payments and paid != totals.gross and any(p.tender == "cash" for p in payments):
            notes.append(f"Cash rounding: {(paid - totals.gross).format()}.")
        plans, commitments = _instalments(order.lines, cur)
        return InvoiceData(
            kind="invoice",
            number=number,
            issue_date=_local_date(now),
            supply_date=_local_date(order.completed_at),
            seller=self._seller(),
            buyer=_buyer(session, order.customer_id),
            lines=lines,
            vat=vat,
            totals=totals,
            payments=tuple(_payment(p, cur) for p in payments),
            instalments=plans,
            notes=(*notes, *commitments),
            footer=self._footer,
        )

    def _credit_note_data(
        self,
        session: Session,
        ret: m.ReturnRecord,
        invoice: m.InvoiceRecord,
        number: str,
        now: datetime,
    ) -> InvoiceData:
        assert ret.completed_at is not None
        cur = ret.currency
        order = session.get(m.Order, ret.order_id)
        assert order is not None
        returned = session.scalars(
            select(m.ReturnLine).where(m.ReturnLine.return_id == ret.id).order_by(m.ReturnLine.id)
        ).all()
        lines = []
        for row in returned:
            sold = session.get(m.OrderLine, row.order_line_id)
            assert sold is not None
            total = Money.from_minor(row.amount_minor, cur)
            listed = sold.unit_price(cur) * row.quantity
            lines.append(
                _line(sold, cur, quantity=row.quantity, total=total, discount=listed - total)
            )
        vat, totals = _vat_and_totals(lines, cur)
        return InvoiceData(
            kind="credit_note",
            number=number,
            issue_date=_local_date(now),
            supply_date=_local_date(ret.completed_at),
            seller=self._seller(),
            buyer=_buyer(session, ret.customer_id),
            lines=tuple(lines),
            vat=vat,
            totals=totals,
            payments=(_refund(session, ret, order),),
            credit=CreditReference(invoice.number, _local_date(invoice.issued_at), ret.reason),
            notes=(f"Return {ret.number} of sale {order.number}.",),
            footer=self._footer,
        )

    def _seller(self) -> Seller:
        store = self._store
        address = tuple(part.strip() for part in store.address.replace("\n", ",").split(","))
        return Seller(
            name=store.name,
            address=tuple(part for part in address if part),
            tax_id=store.tax_id,
            company_id="",
            store=f"{store.store_id}/{store.terminal_id}",
        )


# -- pieces of a document -------------------------------------------------------------------


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


def _local_date(when: datetime) -> date:
    return when.astimezone().date()


def _invoice_line(line: m.OrderLine, cur: str) -> InvoiceLine:
    description = line.description
    if line.financed_minor > 0:
        financed = Money.from_minor(line.financed_minor, cur)
        description += f" (due now; {financed.format()} on instalments, see below)"
    return _line(
        line,
        cur,
        quantity=line.quantity,
        total=line.total(cur),
        discount=Money.from_minor(line.discount_minor, cur),
        description=description,
    )


def _line(
    line: m.OrderLine,
    cur: str,
    *,
    quantity: int,
    total: Money,
    discount: Money,
    description: str = "",
) -> InvoiceLine:
    rate = Decimal(line.vat_rate_bp) / 100
    unit_gross = line.unit_price(cur)
    unit_net, _ = unit_gross.split_tax(rate)
    reasons = [
        str(d.get("reason", ""))
        for d in line.discounts or []
        if d.get("charge", "upfront") == "upfront" and d.get("reason")
    ]
    off = discount if discount.amount > 0 else None
    return InvoiceLine(
        description=description or line.description,
        quantity=quantity,
        unit_net=unit_net,
        unit_gross=unit_gross,
        vat_rate=rate,
        total=total,
        serial=line.serial or "",
        discount=off,
        discount_reason="; ".join(reasons) if off is not None else "",
    )


def _vat_and_totals(lines: Iterable[InvoiceLine], cur: str) -> tuple[tuple[VatRow, ...], Totals]:
    """VAT per rate as the receipt has it: the gross per rate, split once."""
    lines = list(lines)
    by_rate: dict[Decimal, list[Money]] = {}
    for line in lines:
        by_rate.setdefault(line.vat_rate, []).append(line.total)
    rows = []
    for rate, amounts in sorted(by_rate.items()):
        gross = sum_money(amounts, cur)
        net, tax = gross.split_tax(rate)
        rows.append(VatRow(rate=rate, net=net, tax=tax, gross=gross))
    discounts = [line.discount for line in lines if line.discount is not None]
    totals = Totals(
        net=sum_money([r.net for r in rows], cur),
        tax=sum_money([r.tax for r in rows], cur),
        gross=sum_money([r.gross for r in rows], cur),
        discount=sum_money(discounts, cur) if discounts else None,
    )
    return tuple(rows), totals


def _instalments(
    lines: Iterable[m.OrderLine], cur: str
) -> tuple[tuple[InstalmentPlan, ...], tuple[str, ...]]:
    """Devices on instalments with the plan that carries the commitment; commitments of
    plans sold without a device on instalments become notes."""
    lines = list(lines)
    plans = [line for line in lines if line.monthly_fee_minor is not None and line.commitment]
    financed = [line for line in lines if line.instalments and line.financed_minor > 0]
    result = []
    for i, line in enumerate(financed):
        plan = plans[i] if i < len(plans) else None
        upfront = line.total(cur)
        result.append(
            InstalmentPlan(
                item=line.description,
                count=line.instalments,
                instalment=Money.from_minor(line.instalment_minor, cur),
                commitment_months=line.commitment or (plan.commitment if plan else 0),
                upfront=None if upfront.is_zero() else upfront,
                plan=plan.description if plan else "",
                monthly_fee=_monthly(plan, cur) if plan else None,
            )
        )
    notes = tuple(
        f"{plan.description}: {plan.commitment}-month commitment, monthly fee "
        f"{_monthly(plan, cur).format()}."
        for plan in plans[len(financed) :]
    )
    return tuple(result), notes


def _monthly(plan: m.OrderLine, cur: str) -> Money:
    return Money.from_minor((plan.monthly_fee_minor or 0) - plan.monthly_discount_minor, cur)


def _buyer(session: Session, customer_id: uuid.UUID | None) -> Buyer:
    customer = session.get(m.Customer, customer_id) if customer_id else None
    if customer is None:
        return Buyer(name=WALK_IN, address=(), customer_number="")
    addresses = session.scalars(
        select(m.PostalAddress)
        .where(m.PostalAddress.customer_id == customer.id)
        .order_by(m.PostalAddress.created_at)
    ).all()
    chosen = next(
        (a for a in addresses if a.kind == "billing"), addresses[0] if addresses else None
    )
    address: tuple[str, ...] = ()
    if chosen is not None:
        parts = (chosen.line1, chosen.line2, f"{chosen.postcode} {chosen.city}", chosen.country)
        address = tuple(p.strip() for p in parts if p.strip())
    return Buyer(
        name=display_name(customer) or customer.customer_no,
        address=address,
        customer_number=customer.customer_no,
        company_id=customer.company_reg_no if customer.kind == "business" else "",
    )


def _payment(payment: m.Payment, cur: str) -> Payment:
    amount = Money.from_minor(payment.amount_minor, cur)
    details = payment.details or {}
    if payment.tender == "card" and details:
        slip = CardSlip.from_dict(details)
        card = " ".join(p for p in (slip.brand, slip.masked_pan) if p)
        return Payment("card", amount, card=card, auth_code=slip.auth_code)
    if payment.tender == "credit_note":
        return Payment("credit note", amount, card=details.get("credit_note", ""))
    if payment.tender == "pay_later" and details.get("account_no"):
        return Payment("pay later", amount, card=f"billing account {details['account_no']}")
    return Payment(payment.tender.replace("_", " "), amount)


def _refund(session: Session, ret: m.ReturnRecord, order: m.Order) -> Payment:
    amount = Money.from_minor(ret.refund_minor, ret.currency)
    if ret.tender == "exchange" and ret.exchange_order_id is not None:
        new = session.get(m.Order, ret.exchange_order_id)
        return Payment("exchange", amount, card=f"credit towards sale {new.number}" if new else "")
    if ret.tender == "credit_note":
        return Payment("store credit", amount, card=f"voucher {ret.credit_note_number}")
    if ret.tender == "card":
        card = session.scalars(
            select(m.Payment).where(
                m.Payment.order_id == order.id, m.Payment.tender == "card",
                m.Payment.amount_minor > 0, m.Payment.status == "approved",
            )
        ).first()  # fmt: skip
        if card is not None and card.details:
            slip = CardSlip.from_dict(card.details)
            return Payment(
                "card", amount, card=" ".join(p for p in (slip.brand, slip.masked_pan) if p)
            )
    return Payment(ret.tender.replace("_", " "), amount)
