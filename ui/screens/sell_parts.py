"""What the parts of :class:`~ui.screens.sell.SellScreen` share: the screen's state and
the helpers they call, declared once for type checkers.

The Sell screen is built from mixins (:mod:`ui.screens.sell_table`,
:mod:`ui.screens.sell_lines`, :mod:`ui.screens.sell_basket`); each derives from
:class:`SellParts`, and :class:`~ui.screens.sell.SellScreen` fulfils it.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from ui.forms import FieldErrors
from ui.ops import Runner

if TYPE_CHECKING:
    from app.bootstrap import Services
    from app.services.auth import UserInfo
    from app.services.sales import BasketLineView, BasketView


class SellParts:
    _services: Services
    _runner: Runner
    _basket: BasketView | None
    errors: FieldErrors

    def selected_line(self) -> BasketLineView | None:
        raise NotImplementedError

    def open_basket(self, order_id: uuid.UUID) -> None:
        raise NotImplementedError

    def _require_user(self) -> UserInfo:
        raise NotImplementedError

    def _added(self, basket: BasketView) -> None:
        raise NotImplementedError

    def _failed(self, exc: BaseException) -> None:
        raise NotImplementedError

    def _reset(self) -> None:
        raise NotImplementedError
