"""The store's phone numbers: import blocks, find a free one, reserve, assign, release.

A number is free when its status is ``available``, or ``reserved`` with
``reserved_until`` in the past (a basket left standing gives its number back without any
background job). The functions taking a ``session`` run inside the caller's transaction
(the sale service reserves and assigns in the same transaction as the basket change).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import Session

from app.db import models as m
from app.db.plain_rows import change_row, read_row
from app.db.uow import UnitOfWork
from domain.errors import ValidationError
from domain.identifiers.msisdn import parse_msisdn
from domain.numbers import RESERVATION, NumberTier, parse_pattern, tier_of

MAX_IMPORT = 100_000


@dataclass(frozen=True)
class NumberView:
    msisdn: str
    tier: str


def _free(now: datetime) -> object:
    return or_(
        m.PhoneNumber.status == "available",
        (m.PhoneNumber.status == "reserved") & (m.PhoneNumber.reserved_until < now),
    )


# Built once: a sale reads its numbers with it (reserve, assign, release).
_BY_MSISDN = select(m.PhoneNumber).where(m.PhoneNumber.msisdn == bindparam("msisdn"))


def _check_takeable(
    msisdn: str,
    status: str,
    reserved_order_id: uuid.UUID | None,
    reserved_until: datetime | None,
    order_id: uuid.UUID,
    now: datetime,
) -> None:
    """Refuse a number this order may not take: taken, or reserved for another sale."""
    mine = status == "reserved" and reserved_order_id == order_id
    expired = status == "reserved" and reserved_until is not None and (reserved_until < now)
    if not (status == "available" or mine or expired):
        state = "taken" if status == "assigned" else f"{status} for another sale"
        raise ValidationError(f"{msisdn} is {state}; choose another number.", field="msisdn")


def _not_ours(msisdn: str) -> ValidationError:
    return ValidationError(f"{msisdn} is not one of this store's numbers.", field="msisdn")


def reserve(session: Session, msisdn: str, order_id: uuid.UUID, now: datetime) -> m.PhoneNumber:
    row = session.scalars(_BY_MSISDN, {"msisdn": msisdn}).one_or_none()
    if row is None:
        raise _not_ours(msisdn)
    _check_takeable(msisdn, row.status, row.reserved_order_id, row.reserved_until, order_id, now)
    row.status = "reserved"
    row.reserved_order_id = order_id
    row.reserved_until = now + RESERVATION
    return row


def release(session: Session, msisdn: str, order_id: uuid.UUID) -> None:
    row = session.scalars(_BY_MSISDN, {"msisdn": msisdn}).one_or_none()
    if row is not None and row.status == "reserved" and row.reserved_order_id == order_id:
        row.status = "available"
        row.reserved_order_id = None
        row.reserved_until = None


def next_free(session: Session, now: datetime) -> str | None:
    """The first free standard number (golden numbers are only given when asked for)."""
    return session.scalar(
        select(m.PhoneNumber.msisdn)
        .where(_free(now), m.PhoneNumber.tier == NumberTier.STANDARD.value)  # type: ignore[arg-type]
        .order_by(m.PhoneNumber.msisdn)
        .limit(1)
    )


def assign(session: Session, msisdn: str, order_id: uuid.UUID, now: datetime) -> None:
    """The number goes to the sale completing now (a plain row: nothing else is read)."""
    row = read_row(session, m.PhoneNumber, "msisdn", msisdn)
    if row is None:
        raise _not_ours(msisdn)
    _check_takeable(
        msisdn, row["status"], row["reserved_order_id"], row["reserved_until"], order_id, now
    )
    change_row(
        session, m.PhoneNumber, row, status="assigned", reserved_order_id=order_id,
        reserved_until=None, assigned_at=now,
    )  # fmt: skip


class NumberService:
    def __init__(
        self, uow: Callable[..., UnitOfWork], *, clock: Callable[[], datetime] | None = None
    ) -> None:
        self._uow = uow
        self._clock = clock or (lambda: datetime.now(UTC))

    def search(
        self, pattern: str = "", *, tier: NumberTier | None = None, limit: int = 30
    ) -> list[NumberView]:
        like = parse_pattern(pattern)
        now = self._clock()
        query = select(m.PhoneNumber.msisdn, m.PhoneNumber.tier).where(_free(now))  # type: ignore[arg-type]
        if like.strip("%"):
            query = query.where(func.substr(m.PhoneNumber.msisdn, 2).like(like))
        if tier is not None:
            query = query.where(m.PhoneNumber.tier == tier.value)
        query = query.order_by(m.PhoneNumber.msisdn)
        with self._uow() as uow:
            rows = uow.session.execute(query.limit(max(1, min(limit, 200)))).all()
        return [NumberView(msisdn, tier_name) for msisdn, tier_name in rows]

    def import_block(self, numbers: Iterable[str]) -> int:
        """Add numbers to the store's pool, all or none; returns how many were new."""
        parsed: list[str] = []
        for n, text in enumerate(numbers, start=1):
            value = text.strip()
            if not value or value.startswith("#"):
                continue
            try:
                parsed.append(parse_msisdn(value).e164)
            except ValidationError as exc:
                raise ValidationError(f"line {n}: {exc.message}", field="file") from None
            if len(parsed) > MAX_IMPORT:
                raise ValidationError(f"At most {MAX_IMPORT:,} numbers per file.", field="file")
        unique = list(dict.fromkeys(parsed))
        with self._uow() as uow:
            session = uow.session
            known = set(session.scalars(select(m.PhoneNumber.msisdn)))
            new = [n for n in unique if n not in known]
            for msisdn in new:
                session.add(m.PhoneNumber(msisdn=msisdn, tier=tier_of(msisdn).value))
            uow.commit()
        return len(new)

    def counts(self) -> dict[str, int]:
        with self._uow() as uow:
            rows = uow.session.execute(
                select(m.PhoneNumber.status, func.count()).group_by(m.PhoneNumber.status)
            ).all()
        return {status: int(count) for status, count in rows}
