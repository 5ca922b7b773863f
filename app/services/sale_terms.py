"""A basket line's terms and discounts: commitment, instalments, upfront part, a top-up's
amount, the eSIM-device confirmation, and manual discounts (with the manager's approval
above the role's limit).

Part of :class:`~app.services.sales.SaleService` (mixed in); it uses the service's unit of
work, catalog and basket helpers, declared once in `basket_hooks.py`.
"""

from __future__ import annotations

import uuid

from app.services.auth import UserInfo
from app.services.basket_hooks import BasketHooks
from app.services.basket_rows import find_line, manual_to_json
from app.services.basket_views import ApprovalRequired, BasketView
from domain.catalog import COMMITMENT_TERMS, OfferingKind
from domain.errors import ValidationError
from domain.money import Money, parse_amount
from domain.pricing import needs_approval
from domain.pricing_types import ManualDiscount
from domain.promotions import Charge


class SaleTerms(BasketHooks):
    def set_terms(
        self,
        order_id: uuid.UUID,
        line_id: uuid.UUID,
        *,
        user: UserInfo,
        commitment: int | None = None,
        instalments: int | None = None,
        upfront: str | None = None,
        amount: str | None = None,
    ) -> BasketView:
        """Change a line's commitment, instalments and upfront part, or a top-up's amount.

        A plan's commitment is also given to the devices in the basket: a device is
        priced with the term of the plan it is sold with.
        """
        self._catalog.snapshot()  # read before the write lock is taken
        with self._uow() as uow:
            session = uow.session
            row = self._order_row(session, order_id)
            self._check_can_change(row)
            line = find_line(row, line_id)
            if commitment is not None:
                if commitment not in COMMITMENT_TERMS:
                    raise ValidationError(
                        f"A commitment of {commitment} months is not offered.",
                        field="commitment",
                    )
                line.commitment = commitment
                if self._catalog_offering(line.sku).kind is OfferingKind.PLAN:
                    for other in row.lines:
                        if self._catalog_offering(other.sku).kind is OfferingKind.DEVICE:
                            other.commitment = commitment
            if instalments is not None:
                if instalments not in (0, 12, 24):
                    raise ValidationError("Instalments are 12 or 24 months.", field="instalments")
                line.instalments = instalments
            if upfront is not None:
                line.chosen_upfront_minor = (
                    None
                    if not upfront.strip()
                    else Money(parse_amount(upfront, field="upfront"), row.currency).minor
                )
            if amount is not None:
                line.chosen_amount_minor = Money(
                    parse_amount(amount, field="amount"), row.currency
                ).minor
            view = self._reprice_and_view(session, row)
            uow.commit()
            return view

    def set_esim_device_confirmed(
        self, order_id: uuid.UUID, confirmed: bool, *, user: UserInfo
    ) -> BasketView:
        self._catalog.snapshot()  # read before the write lock is taken
        with self._uow() as uow:
            session = uow.session
            row = self._order_row(session, order_id)
            self._check_can_change(row)
            row.esim_device_confirmed = confirmed
            view = self._reprice_and_view(session, row)
            uow.commit()
            return view

    def set_manual_discount(
        self,
        order_id: uuid.UUID,
        line_id: uuid.UUID,
        *,
        user: UserInfo,
        reason: str,
        percent: str = "",
        amount: str = "",
        monthly: bool = False,
        approved_by: uuid.UUID | None = None,
    ) -> BasketView:
        """Give a manual discount on one line (empty percent and amount remove it).

        Above the role's limit (catalog policies) the discount needs a manager's approval:
        without ``approved_by`` it raises :class:`ApprovalRequired` and nothing changes.
        """
        self._catalog.snapshot()  # read before the write lock is taken
        discount: ManualDiscount | None = None
        if percent.strip() or amount.strip():
            if percent.strip() and amount.strip():
                raise ValidationError("Give either a percentage or an amount.", field="discount")
            discount = ManualDiscount(
                reason=reason.strip(),
                percent=parse_amount(percent, field="percent") if percent.strip() else None,
                amount=parse_amount(amount, field="amount") if amount.strip() else None,
                charge=Charge.MONTHLY if monthly else Charge.UPFRONT,
            )
        with self._uow() as uow:
            session = uow.session
            row = self._order_row(session, order_id)
            self._check_can_change(row)
            line = find_line(row, line_id)
            line.manual_discount = (
                None if discount is None else manual_to_json(discount, approved_by)
            )
            priced = self._price(session, row)
            policies = self._catalog.snapshot().catalog.policies
            if (
                discount is not None
                and approved_by is None
                and needs_approval(priced.line(str(line.id)), user.role.value, policies)
            ):
                limit = policies.manual_discount_limit(user.role.value)
                raise ApprovalRequired(
                    f"A discount above {limit.normalize():f} % of the price needs a manager."
                )
            view = self._reprice_and_view(session, row, priced)
            uow.commit()
            return view
