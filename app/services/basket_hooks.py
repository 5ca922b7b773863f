"""What the parts of the sale service call on the basket, declared once.

:class:`~app.services.sales.SaleService` is composed of mixins — adding to the basket
(``basket_adds.py``), numbers (``sale_numbers.py``), terms (``sale_terms.py``), port-in
(``port_in.py``), tendering, card intents and completion — over this base. The service
and its parts provide the state and the basket helpers below; each part declares them
nowhere else, so the type checker sees one contract instead of a copy per part.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from app.db import models as m
from app.db.uow import UnitOfWork
from app.services.auth import UserInfo
from app.services.basket_views import BasketView
from app.services.catalog import CatalogService
from domain.catalog import Offering
from domain.order import Order
from domain.pricing_types import PricedBasket


class BasketHooks:
    """Provided by SaleService (sales.py); raising here only if a part is used alone."""

    _uow: Callable[..., UnitOfWork]
    _store_id: str
    _terminal_id: str
    _currency: str
    _cash_rounding: Decimal
    _catalog: CatalogService
    _clock: Callable[[], datetime]
    _region: str

    def _today(self) -> date:
        raise NotImplementedError

    def _order_row(self, session: Session, order_id: uuid.UUID) -> m.Order:
        raise NotImplementedError

    def _customer_row(self, session: Session, row: m.Order) -> m.Customer | None:
        raise NotImplementedError

    def _check_can_change(self, row: m.Order) -> None:
        raise NotImplementedError

    def _catalog_offering(self, code: str) -> Offering:
        raise NotImplementedError

    def _offering_by_code(self, code: str) -> Offering:
        raise NotImplementedError

    def _append(
        self, session: Session, row: m.Order, offering: Offering, commitment: int, *,
        serial: str = "",
    ) -> m.OrderLine:  # fmt: skip
        raise NotImplementedError

    def _price(self, session: Session, row: m.Order) -> PricedBasket:
        raise NotImplementedError

    def _reprice_and_view(
        self, session: Session, row: m.Order, priced: PricedBasket | None = None
    ) -> BasketView:
        raise NotImplementedError

    def _record(
        self, session: Session, row: m.Order, order: Order, user: UserInfo, now: datetime
    ) -> None:
        raise NotImplementedError
