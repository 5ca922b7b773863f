"""Numbers on basket lines: a new line's number (reserved, golden fee) and a top-up's number.

Part of :class:`~app.services.sales.SaleService` (mixed in); it uses the service's unit of
work, catalog, clock and basket helpers, declared once in `basket_hooks.py`.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import models as m
from app.phones import normalise_phone
from app.services import numbers
from app.services.auth import UserInfo
from app.services.basket_hooks import BasketHooks
from app.services.basket_views import BasketView
from domain.catalog import OfferingKind
from domain.errors import ValidationError
from domain.numbers import FEE_TYPES, NumberTier


class SaleNumbers(BasketHooks):
    def choose_number(
        self, order_id: uuid.UUID, line_id: uuid.UUID, msisdn: str, *, user: UserInfo
    ) -> BasketView:
        """Reserve ``msisdn`` for the plan line; a golden number adds its catalog fee."""
        self._catalog.snapshot()  # read before the write lock is taken
        with self._uow() as uow:
            session = uow.session
            row = self._order_row(session, order_id)
            self._check_can_change(row)
            line = next((x for x in row.lines if x.id == line_id), None)
            if line is None or self._offering_by_code(line.sku).kind is not OfferingKind.PLAN:
                raise ValidationError("Choose a plan line for the number.", field="msisdn")
            now = self._clock()
            number = numbers.reserve(session, msisdn, row.id, now)
            if line.msisdn and line.msisdn != msisdn:
                self._drop_number(session, row, line)
            line.msisdn = msisdn
            fee_type = FEE_TYPES.get(NumberTier(number.tier))
            if fee_type:
                fee = next(
                    (o for o in self._catalog.snapshot().catalog.offerings.values()
                     if o.kind is OfferingKind.SERVICE_FEE and o.fee_type == fee_type),
                    None,
                )  # fmt: skip
                if fee is None:
                    raise ValidationError(
                        f"The catalog has no price for {number.tier} numbers.", field="msisdn"
                    )
                fee_line = self._append(session, row, fee, 0)
                fee_line.msisdn = msisdn
                fee_line.description = f"{fee.name} {msisdn}"
            view = self._reprice_and_view(session, row)
            uow.commit()
            return view

    def set_topup_number(
        self, order_id: uuid.UUID, line_id: uuid.UUID, number: str, *, user: UserInfo
    ) -> BasketView:
        """The prepaid number a top-up line is for: one of the operator's active prepaid lines."""
        self._catalog.snapshot()  # read before the write lock is taken
        msisdn = normalise_phone(number, region=self._region, field="msisdn")
        with self._uow() as uow:
            session = uow.session
            row = self._order_row(session, order_id)
            self._check_can_change(row)
            line = next((x for x in row.lines if x.id == line_id), None)
            if line is None or self._offering_by_code(line.sku).kind is not OfferingKind.TOPUP:
                raise ValidationError("Choose a top-up line for the number.", field="msisdn")
            sub = session.scalars(
                select(m.Subscription).where(
                    m.Subscription.msisdn == msisdn, m.Subscription.status == "active"
                )
            ).first()
            if sub is None:
                raise ValidationError(f"{msisdn} is not an active line of ours.", field="msisdn")
            if sub.payment_type != "prepaid":
                raise ValidationError(
                    f"{msisdn} is a postpaid line; top-ups are for prepaid lines.",
                    field="msisdn",
                )
            line.msisdn = msisdn
            view = self._reprice_and_view(session, row)
            uow.commit()
            return view

    def _drop_number(self, session: Session, row: m.Order, line: m.OrderLine) -> None:
        """Give the line's number back and remove the fee that came with it."""
        assert line.msisdn is not None
        numbers.release(session, line.msisdn, row.id)
        for other in list(row.lines):
            if other is not line and other.msisdn == line.msisdn:
                row.lines.remove(other)
