"""Port-in on a new line: the customer keeps the number they bring from another operator.

In the basket, a plan line carries the port-in details (``order_lines.port_in``): donor
operator, number, porting code, requested day, and whether the line starts on a
temporary number of ours. Completing the sale then, in the same transaction
(:func:`record_port_ins`, called by :mod:`app.services.new_lines`):

- with a temporary number, the line is created on it (chosen with Ctrl+M or the next free
  one) and switches to the ported number when the port is done;
- without one, the line is created on the ported number with activation
  ``awaiting_port_in``;
- a ``port_in_requests`` row (status ``pending``) and a hand-on to the second line
  (``port_in``) are written, and the request shows on the customer's timeline.

:class:`SalePortIn` is mixed into :class:`~app.services.sales.SaleService`.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db import models as m
from app.phones import normalise_phone
from app.services import numbers
from app.services.auth import UserInfo
from app.services.basket_hooks import BasketHooks
from app.services.basket_views import BasketView
from app.services.handoffs import hand_on
from domain.catalog import OfferingKind
from domain.errors import RuleViolation, ValidationError
from domain.porting import PortInDetails, validate_port_in

if TYPE_CHECKING:  # new_lines calls this module while completing a sale
    from app.services.new_lines import NewLine


class SalePortIn(BasketHooks):
    def _drop_number(self, session: Session, row: m.Order, line: m.OrderLine) -> None:
        raise NotImplementedError

    def set_port_in(
        self,
        order_id: uuid.UUID,
        line_id: uuid.UUID,
        *,
        donor: str,
        msisdn: str,
        porting_code: str,
        requested: str,
        temporary: bool,
        user: UserInfo,
    ) -> BasketView:
        """The plan line brings ``msisdn`` from ``donor``; checked now, handed on at payment."""
        self._catalog.snapshot()  # read before the write lock is taken
        number = normalise_phone(msisdn, region=self._region, field="port_msisdn")
        details = validate_port_in(
            donor=donor, msisdn=number, porting_code=porting_code, requested=requested,
            temporary=temporary, today=self._today(),
        )  # fmt: skip
        with self._uow() as uow:
            session = uow.session
            row = self._order_row(session, order_id)
            self._check_can_change(row)
            line = next((x for x in row.lines if x.id == line_id), None)
            if line is None or self._offering_by_code(line.sku).kind is not OfferingKind.PLAN:
                raise ValidationError("Choose the plan line the number comes to.", field="line")
            check_portable(session, number, [x for x in row.lines if x is not line])
            if not temporary and line.msisdn:
                self._drop_number(session, row, line)  # the line takes the ported number
                line.msisdn = None
            line.port_in = details.to_json()
            view = self._reprice_and_view(session, row)
            uow.commit()
            return view

    def clear_port_in(
        self, order_id: uuid.UUID, line_id: uuid.UUID, *, user: UserInfo
    ) -> BasketView:
        self._catalog.snapshot()  # read before the write lock is taken
        with self._uow() as uow:
            session = uow.session
            row = self._order_row(session, order_id)
            self._check_can_change(row)
            line = next((x for x in row.lines if x.id == line_id), None)
            if line is None:
                raise ValidationError("This line is no longer in the basket.", field="line")
            line.port_in = None
            view = self._reprice_and_view(session, row)
            uow.commit()
            return view


def describe_port_in(data: dict[str, object] | None) -> str:
    if not data:
        return ""
    details = PortInDetails.from_json(data)
    temp = ", temporary number first" if details.temporary else ""
    return f"{details.msisdn} from {details.donor} on {details.requested.isoformat()}{temp}"


def check_portable(
    session: Session,
    msisdn: str,
    others: list[m.OrderLine],
    *,
    new_line: uuid.UUID | None = None,
) -> None:
    """A number already ours, or already being ported in, cannot be ported in again."""
    ours = session.scalar(
        select(func.count()).select_from(m.PhoneNumber).where(m.PhoneNumber.msisdn == msisdn)
    )
    active_query = (
        select(func.count())
        .select_from(m.Subscription)
        .where(m.Subscription.msisdn == msisdn, m.Subscription.status == "active")
    )
    if new_line is not None:
        active_query = active_query.where(m.Subscription.id != new_line)
    active = session.scalar(active_query)
    if ours or active:
        raise ValidationError(f"{msisdn} is already one of our numbers.", field="port_msisdn")
    pending = session.scalar(
        select(func.count())
        .select_from(m.PortInRequest)
        .where(m.PortInRequest.msisdn == msisdn, m.PortInRequest.status == "pending")
    )
    if pending:
        raise ValidationError(f"A port-in of {msisdn} is already pending.", field="port_msisdn")
    for line in others:
        if line.port_in and line.port_in.get("msisdn") == msisdn:
            raise ValidationError(
                f"{msisdn} is already on a line of this basket.", field="port_msisdn"
            )


def line_number(
    session: Session, line: m.OrderLine, order: m.Order, now: datetime
) -> tuple[str, str]:
    """(number the new line starts on, activation status) for a plan line being completed."""
    if line.port_in and not line.port_in.get("temporary"):
        return str(line.port_in["msisdn"]), "awaiting_port_in"
    if not line.msisdn:
        session.flush()  # numbers assigned to earlier lines of this sale are taken
    msisdn = line.msisdn or numbers.next_free(session, now)
    if msisdn is None:
        raise RuleViolation("No free number is left in this store; ask for a new block.")
    numbers.assign(session, msisdn, order.id, now)
    return msisdn, "requested"


def record_port_in(
    session: Session,
    line: m.OrderLine,
    order: m.Order,
    sub: NewLine,
    *,
    user_id: uuid.UUID,
    now: datetime,
) -> m.PortInRequest | None:
    """The pending request and its hand-on, in the completing transaction."""
    if not line.port_in:
        return None
    details = PortInDetails.from_json(line.port_in)
    others = [x for x in order.lines if x is not line]
    check_portable(session, details.msisdn, others, new_line=sub.id)
    request = m.PortInRequest(
        customer_id=sub.customer_id,
        order_id=order.id,
        subscription_id=sub.id,
        msisdn=details.msisdn,
        donor_operator=details.donor,
        porting_code=details.porting_code,
        requested_date=details.requested,
        temporary_msisdn=sub.msisdn if details.temporary else None,
        status="pending",
        user_id=user_id,
    )
    session.add(request)
    session.flush()
    temp = f", on temporary number {sub.msisdn} until then" if details.temporary else ""
    hand_on(
        session,
        kind="port_in",
        summary=f"Port-in of {details.msisdn} from {details.donor} requested for "
        f"{details.requested.isoformat()}{temp} (order {order.number})",
        user_id=user_id,
        customer_id=sub.customer_id,
        order_id=order.id,
        ref_kind="port_in_request",
        ref_id=request.id,
        details=details.to_json(),
        now=now,
    )
    return request
