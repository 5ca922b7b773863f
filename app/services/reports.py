"""Day figures for the reports screen and the day report: sales and takings per tender,
consultant and category (the catalog's kind of offering: plans, devices, SIMs …)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from app.db import models as m
from app.db.uow import UnitOfWork
from domain.calendar import local_day_bounds
from domain.money import Money


@dataclass(frozen=True)
class DaySummary:
    day: date
    orders: int
    revenue: Money
    by_tender: tuple[tuple[str, Money], ...]
    by_consultant: tuple[tuple[str, int, Money], ...]
    outbox_waiting: int
    # category (offering kind), items sold, amount due now; adds up to ``revenue``
    by_category: tuple[tuple[str, int, Money], ...] = ()
    returns: int = 0  # returns completed that day
    refunded: Money | None = None  # what they gave back (None: no return)


CATEGORY_LABELS = {
    "plan": "Plans", "addon": "Add-ons", "sim": "SIM cards", "device": "Devices",
    "accessory": "Accessories", "service_fee": "Service fees", "topup": "Top-ups",
    "bundle": "Bundles",
}  # fmt: skip


def category_label(kind: str) -> str:
    """The report's name for an offering kind: "device" → "Devices"."""
    return CATEGORY_LABELS.get(kind, kind.replace("_", " ").capitalize())


class ReportService:
    def __init__(self, uow: Callable[..., UnitOfWork], *, currency: str) -> None:
        self._uow = uow
        self._currency = currency

    def day_summary(self, day: date | None = None) -> DaySummary:
        """Completed sales of ``day`` (the terminal's local calendar day)."""
        day = day or datetime.now().astimezone().date()
        start, end = local_day_bounds(day)
        cur = self._currency
        with self._uow() as uow:
            s = uow.session
            completed = (
                m.Order.status == "completed",
                m.Order.completed_at >= start,
                m.Order.completed_at < end,
            )
            orders, revenue = s.execute(
                select(func.count(), func.coalesce(func.sum(m.Order.total_minor), 0)).where(
                    *completed
                )
            ).one()
            tenders = s.execute(
                select(m.Payment.tender, func.sum(m.Payment.amount_minor))
                .join(m.Order, m.Order.id == m.Payment.order_id)
                .where(*completed, m.Payment.status == "approved")
                .group_by(m.Payment.tender)
                .order_by(m.Payment.tender)
            ).all()
            people = s.execute(
                select(m.User.display_name, func.count(), func.sum(m.Order.total_minor))
                .join(m.User, m.User.id == m.Order.created_by)
                .where(*completed)
                .group_by(m.User.display_name)
                .order_by(m.User.display_name)
            ).all()
            line_total = (
                m.OrderLine.unit_price_minor * m.OrderLine.quantity
                - m.OrderLine.discount_minor
                - m.OrderLine.financed_minor
            )
            kinds = s.execute(
                select(m.Offering.kind, func.sum(m.OrderLine.quantity), func.sum(line_total))
                .join(m.Order, m.Order.id == m.OrderLine.order_id)
                .join(m.Offering, m.Offering.id == m.OrderLine.offering_id)
                .where(*completed)
                .group_by(m.Offering.kind)
                .order_by(func.sum(line_total).desc(), m.Offering.kind)
            ).all()
            returns, refunded = s.execute(
                select(func.count(), func.coalesce(func.sum(m.ReturnRecord.refund_minor), 0)).where(
                    m.ReturnRecord.status == "completed",
                    m.ReturnRecord.completed_at >= start,
                    m.ReturnRecord.completed_at < end,
                )
            ).one()
            waiting = s.scalar(
                select(func.count()).select_from(m.OutboxRow).where(m.OutboxRow.sent_at.is_(None))
            )
        return DaySummary(
            day=day,
            orders=int(orders),
            revenue=Money.from_minor(int(revenue), cur),
            by_tender=tuple((t, Money.from_minor(int(a), cur)) for t, a in tenders),
            by_consultant=tuple((n, int(c), Money.from_minor(int(a), cur)) for n, c, a in people),
            outbox_waiting=int(waiting or 0),
            by_category=tuple(
                (category_label(k), int(q), Money.from_minor(int(a), cur)) for k, q, a in kinds
            ),
            returns=int(returns),
            refunded=Money.from_minor(int(refunded), cur) if returns else None,
        )

    def outbox_waiting(self) -> int:
        with self._uow() as uow:
            count = uow.session.scalar(
                select(func.count()).select_from(m.OutboxRow).where(m.OutboxRow.sent_at.is_(None))
            )
            return int(count or 0)
