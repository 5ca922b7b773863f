"""SIM swap on an existing number: identity check, reason, old SIM out, new SIM in, fee.

A SIM swap is how most account takeovers start, so it is done only against an identity
document on the customer's record that is valid and not awaiting review, with the
consultant confirming they checked it in person; the swap is written to ``sim_swaps`` and
to the timeline as a ``sim_swap`` entry (the 360 shows it as an alert for two weeks).

The swap itself is ONE transaction: subscription re-paired, new SIM ``activated``, old SIM
(if it came from this store's stock) ``retired``, swap record, timeline entry, search
index. When the catalog has a launched service fee with ``feeType`` ``sim_swap``, a basket
with that fee is then started for the customer and linked to the swap (paid in *Sell*).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select

from app.db import models as m
from app.db.uow import UnitOfWork
from app.errors import NotFound
from app.services import customer_index
from app.services.auth import UserInfo
from app.services.catalog import CatalogService
from app.services.sales import SaleService
from app.services.stock_moves import move_unit
from domain.catalog import Lifecycle, OfferingKind
from domain.customers import DOCUMENT_LABELS, DocumentType, mask_identifier
from domain.errors import RuleViolation, ValidationError
from domain.identifiers import parse_iccid

REASONS = ("lost", "stolen", "damaged", "switch to eSIM", "switch to physical SIM", "other")


@dataclass(frozen=True)
class SwapResult:
    swap_id: uuid.UUID
    old_iccid: str
    new_iccid: str
    fee_order_id: uuid.UUID | None


class SimSwapService:
    def __init__(
        self,
        uow: Callable[..., UnitOfWork],
        *,
        catalog: CatalogService,
        sales: SaleService,
        store_id: str,
        today: Callable[[], date] = date.today,
    ) -> None:
        self._uow = uow
        self._catalog = catalog
        self._sales = sales
        self._store_id = store_id
        self._today = today

    def swap(
        self,
        subscription_id: uuid.UUID,
        new_iccid: str,
        *,
        document_id: uuid.UUID | None,
        checked_in_person: bool,
        reason: str,
        user: UserInfo,
    ) -> SwapResult:
        why = " ".join(reason.split())
        if len(why) < 3:
            raise ValidationError("Choose or write why the SIM is swapped.", field="reason")
        if len(why) > 300:
            raise ValidationError("The reason has at most 300 characters.", field="reason")
        if document_id is None:
            raise ValidationError("Choose the document you checked.", field="document")
        if not checked_in_person:
            raise ValidationError(
                "Confirm that you compared the document with the customer in person.",
                field="checked",
            )
        iccid = str(parse_iccid(new_iccid.strip()))
        now = datetime.now(UTC)
        with self._uow(durable=True) as uow:
            session = uow.session
            sub = session.get(m.Subscription, subscription_id)
            if sub is None:
                raise NotFound("This line no longer exists.")
            if sub.status != "active":
                raise RuleViolation(f"Line {sub.msisdn} is {sub.status}; its SIM cannot change.")
            doc = session.get(m.IdentityDocument, document_id)
            if doc is None or doc.customer_id != sub.customer_id:
                raise ValidationError("This document is not the customer's.", field="document")
            if doc.expiry_date < self._today():
                raise RuleViolation(
                    f"The document expired on {doc.expiry_date:%d.%m.%Y}; a SIM swap needs a "
                    "valid one."
                )
            if doc.review_status == "needs_review":
                raise RuleViolation(
                    "The document is waiting for a manual review; the second line must "
                    "verify it before a SIM swap."
                )
            if sub.iccid == iccid:
                raise ValidationError("That is the SIM the line already has.", field="iccid")
            sim = session.scalars(select(m.SimCard).where(m.SimCard.iccid == iccid)).one_or_none()
            if sim is None or sim.store_id != self._store_id:
                raise ValidationError(f"SIM {iccid} is not in this store's stock.", field="iccid")
            if sim.status != "in_stock":
                raise ValidationError(
                    f"SIM {iccid} is {sim.status.replace('_', ' ')}.", field="iccid"
                )
            old_iccid = sub.iccid or ""
            if old_iccid:
                old = session.scalars(
                    select(m.SimCard).where(m.SimCard.iccid == old_iccid)
                ).one_or_none()
                if old is not None:
                    move_unit(
                        session, old, status="retired", kind="sim_swap", user_id=user.id,
                        reason=f"replaced on {sub.msisdn}: {why}", reference=iccid,
                    )  # fmt: skip
            move_unit(
                session, sim, status="activated", kind="sim_swap", quantity=-1,
                user_id=user.id, reason=f"new SIM for {sub.msisdn}", reference=old_iccid,
            )  # fmt: skip
            sub.iccid = iccid
            record = m.SimSwap(
                subscription_id=sub.id,
                old_iccid=old_iccid,
                new_iccid=iccid,
                document_id=doc.id,
                checked_by=user.id,
                reason=why,
            )
            session.add(record)
            session.flush()
            label = DOCUMENT_LABELS.get(DocumentType(doc.doc_type), doc.doc_type)
            session.add(
                m.Interaction(
                    customer_id=sub.customer_id,
                    kind="sim_swap",
                    summary=f"SIM swapped on {sub.msisdn}: {old_iccid or '(none)'} → {iccid}"
                    f" — {why}; identity checked on {label} {mask_identifier(doc.number)}"
                    f" by {user.display_name}",
                    occurred_at=now,
                    user_id=user.id,
                    ref_kind="subscription",
                    ref_id=sub.id,
                )
            )
            session.flush()
            customer_index.refresh(session.connection(), sub.customer_id)
            customer_id = sub.customer_id
            uow.commit()
            swap_id = record.id
        fee_order = self._fee_basket(customer_id, swap_id, user)
        return SwapResult(swap_id, old_iccid, iccid, fee_order)

    def _fee_basket(
        self, customer_id: uuid.UUID, swap_id: uuid.UUID, user: UserInfo
    ) -> uuid.UUID | None:
        today = self._today()
        fee = next(
            (
                o
                for o in self._catalog.snapshot().catalog.offerings.values()
                if o.kind is OfferingKind.SERVICE_FEE
                and o.fee_type == "sim_swap"
                and o.lifecycle is Lifecycle.LAUNCHED
                and o.valid.contains(today)
            ),
            None,
        )
        if fee is None:
            return None
        basket = self._sales.start(customer_id=customer_id, user=user)
        self._sales.add_code(basket.order_id, fee.code, user=user)
        with self._uow() as uow:
            record = uow.session.get(m.SimSwap, swap_id)
            assert record is not None
            record.fee_order_id = basket.order_id
            uow.commit()
        return basket.order_id

    def documents(self, customer_id: uuid.UUID) -> list[tuple[uuid.UUID, str, bool]]:
        """The customer's documents for the check: (id, label, usable for a swap)."""
        today = self._today()
        with self._uow(read_only=True) as uow:
            rows = uow.session.scalars(
                select(m.IdentityDocument)
                .where(m.IdentityDocument.customer_id == customer_id)
                .order_by(m.IdentityDocument.expiry_date.desc())
            ).all()
            out = []
            for d in rows:
                label = DOCUMENT_LABELS.get(DocumentType(d.doc_type), d.doc_type)
                usable = d.expiry_date >= today and d.review_status != "needs_review"
                state = (
                    "" if usable else (" — expired" if d.expiry_date < today else " — needs review")
                )
                out.append(
                    (
                        d.id,
                        f"{label} {mask_identifier(d.number)} ({d.issuing_country}), valid to "
                        f"{d.expiry_date:%d.%m.%Y}{state}",
                        usable,
                    )
                )
            return out
