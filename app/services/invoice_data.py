"""The data of an invoice or credit note, built from the stored sale or return.

The amounts are the order's own: line totals as the sale recorded them and VAT per rate
computed the receipt's way (the gross per rate split once), so invoice, receipt and till
agree to the cent. Nothing here writes; :mod:`app.services.invoices` numbers and stores
what these functions build.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import models as m
from app.documents.invoice import (
    Buyer,
    CreditReference,
    InstalmentPlan,
    InvoiceData,
    InvoiceLine,
    Payment,
    Seller,
    Totals,
    VatRow,
)
from app.services.customers import display_name
from app.services.receipts import StoreInfo
from domain.card import CardSlip
from domain.errors import RuleViolation
from domain.money import Money, sum_money

WALK_IN = "Walk-in customer"


def invoice_data(
    session: Session,
    order: m.Order,
    number: str,
    now: datetime,
    *,
    seller: Seller,
    footer: tuple[str, ...],
) -> InvoiceData:
    """The invoice of a completed order, as it is issued ``now`` under ``number``."""
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
        seller=seller,
        buyer=_buyer(session, order.customer_id),
        lines=lines,
        vat=vat,
        totals=totals,
        payments=tuple(_payment(p, cur) for p in payments),
        instalments=plans,
        notes=(*notes, *commitments),
        footer=footer,
    )


def credit_note_data(
    session: Session,
    ret: m.ReturnRecord,
    invoice: m.InvoiceRecord,
    number: str,
    now: datetime,
    *,
    seller: Seller,
    footer: tuple[str, ...],
) -> InvoiceData:
    """The credit note of a completed return, naming the order's ``invoice``."""
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
        lines.append(_line(sold, cur, quantity=row.quantity, total=total, discount=listed - total))
    vat, totals = _vat_and_totals(lines, cur)
    return InvoiceData(
        kind="credit_note",
        number=number,
        issue_date=_local_date(now),
        supply_date=_local_date(ret.completed_at),
        seller=seller,
        buyer=_buyer(session, ret.customer_id),
        lines=tuple(lines),
        vat=vat,
        totals=totals,
        payments=(_refund(session, ret, order),),
        credit=CreditReference(invoice.number, _local_date(invoice.issued_at), ret.reason),
        notes=(f"Return {ret.number} of sale {order.number}.",),
        footer=footer,
    )


def seller_of(store: StoreInfo) -> Seller:
    """The store as the seller a document names."""
    address = tuple(part.strip() for part in store.address.replace("\n", ",").split(","))
    return Seller(
        name=store.name,
        address=tuple(part for part in address if part),
        tax_id=store.tax_id,
        company_id="",
        store=f"{store.store_id}/{store.terminal_id}",
    )


# -- pieces of a document -------------------------------------------------------------------


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
