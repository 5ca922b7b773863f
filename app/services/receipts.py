"""Receipts for completed orders: the data, the layout, and the text shown as preview."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from app.db import models as m
from app.db.uow import UnitOfWork
from app.documents.receipt import ReceiptData, ReceiptItem, build_receipt, receipt_text
from app.errors import NotFound
from app.services.tendering import describe_card
from devices.printer.base import ReceiptDoc
from domain.money import Money, sum_money


@dataclass(frozen=True)
class StoreInfo:
    store_id: str
    terminal_id: str
    name: str
    address: str
    tax_id: str
    currency: str


@dataclass(frozen=True)
class Receipt:
    doc: ReceiptDoc
    text: str
    cash: bool


def return_policy(template: str, window_days: int) -> tuple[str, ...]:
    """The receipt's return-policy footer from ``[returns] receipt_note`` and the window.

    ``{days}`` in the template is the window; an empty template gives no footer, and so
    does a window of 0 days (the store takes nothing back, so a promise would be wrong).
    """
    text = template.strip()
    if not text or window_days <= 0:
        return ()
    return (text.format(days=window_days),)


class ReceiptService:
    def __init__(
        self,
        uow: Callable[..., UnitOfWork],
        *,
        store: StoreInfo,
        columns: int,
        footer: tuple[str, ...] = (),
    ) -> None:
        self._uow = uow
        self._store = store
        self._columns = columns
        self._footer = footer

    def for_order(self, order_id: uuid.UUID, *, copy: bool = False) -> Receipt:
        with self._uow() as uow:
            session = uow.session
            order = session.get(m.Order, order_id)
            if order is None or order.receipt_number is None or order.completed_at is None:
                raise NotFound("This order has no receipt yet.")
            cur = order.currency
            cashier = session.get(m.User, order.created_by)
            payments = list(
                session.scalars(
                    select(m.Payment)
                    .where(m.Payment.order_id == order_id, m.Payment.amount_minor > 0,
                           m.Payment.status == "approved")
                    .order_by(m.Payment.created_at)
                )
            )  # fmt: skip
            items = tuple(
                ReceiptItem(
                    description=line.description,
                    quantity=line.quantity,
                    unit_price=line.unit_price(cur),
                    total=line.total(cur),
                    serial=line.serial or "",
                    monthly_fee=line.monthly_fee(cur),
                )
                for line in order.lines
            )
            by_rate: dict[Decimal, list[Money]] = {}
            for item, line in zip(items, order.lines, strict=True):
                by_rate.setdefault(Decimal(line.vat_rate_bp) / 100, []).append(item.total)
            vat = tuple(
                (rate, *sum_money(amounts, cur).split_tax(rate))
                for rate, amounts in sorted(by_rate.items())
            )
            total = Money.from_minor(order.total_minor, cur)
            tendered = sum_money([Money.from_minor(p.amount_minor, cur) for p in payments], cur)
            # The cash tender that settled the rest carries what was given and the change.
            cash = [p for p in payments if p.tender == "cash"][-1:]
            data = ReceiptData(
                store_name=self._store.name,
                store_address=self._store.address,
                tax_id=self._store.tax_id,
                terminal_id=f"{order.store_id}/{order.terminal_id}",
                cashier=cashier.display_name if cashier else "",
                when=order.completed_at,
                receipt_number=order.receipt_number,
                order_number=order.number,
                items=items,
                vat=vat,
                total=total,
                tenders=tuple(
                    (_tender_label(p), Money.from_minor(p.amount_minor, cur)) for p in payments
                ),
                given=Money.from_minor(cash[0].given_minor, cur)
                if cash and cash[0].given_minor is not None
                else None,
                change=Money.from_minor(cash[0].change_minor, cur)
                if cash and cash[0].change_minor is not None
                else None,
                rounding=tendered - total if payments else None,
                footer=self._footer,
            )
        doc = build_receipt(data, columns=self._columns, copy=copy)
        return Receipt(doc=doc, text=receipt_text(doc, columns=self._columns), cash=bool(cash))


def _tender_label(payment: m.Payment) -> str:
    """ "cash", or "card VISA 411111******1111 auth 123456" with the terminal's slip data."""
    if payment.tender == "card" and payment.details:
        return f"card {describe_card(payment.details)}".strip()
    return payment.tender.replace("_", " ")
