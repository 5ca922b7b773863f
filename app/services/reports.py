"""Day figures for the till and reports screens: sales and takings per tender and consultant."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select

from app.db import models as m
from app.db.uow import UnitOfWork
from domain.money import Money


@dataclass(frozen=True)
class DaySummary:
    day: date
    orders: int
    revenue: Money
    by_tender: tuple[tuple[str, Money], ...]
    by_consultant: tuple[tuple[str, int, Money], ...]
    outbox_waiting: int


class ReportService:
    def __init__(self, uow: Callable[..., UnitOfWork], *, currency: str) -> None:
        self._uow = uow
        self._currency = currency

    def day_summary(self, day: date | None = None) -> DaySummary:
        """Completed sales of ``day`` (the terminal's local calendar day)."""
        day = day or datetime.now().astimezone().date()
        local_start = datetime.combine(day, time.min).astimezone()
        start, end = local_start.astimezone(UTC), (local_start + timedelta(days=1)).astimezone(UTC)
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
        )

    def outbox_waiting(self) -> int:
        with self._uow() as uow:
            count = uow.session.scalar(
                select(func.count()).select_from(m.OutboxRow).where(m.OutboxRow.sent_at.is_(None))
            )
            return int(count or 0)
