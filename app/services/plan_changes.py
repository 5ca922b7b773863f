"""Plan changes and add-ons on an existing line, effective now or from next month.

Each change is ONE transaction: the ``subscription_changes`` row, the subscription itself
when the change takes effect today, and the customer's timeline entry (``plan_change``,
``addon``, ``addon_removed``; the 360 shows recent ones as insights). A change for next
month is kept as ``scheduled`` and applied by :meth:`PlanChangeService.apply_due` on the
first day it is due (the app runs it after each login and whenever a line's options are
read), or cancelled before then. The rules are in :mod:`domain.plan_change`. A change the
rules refuse can be handed on to the second line instead (:meth:`hand_on_refused`).
What the service gives (a line's options, a change's result) is in
:mod:`app.services.plan_change_views`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import models as m
from app.db.types import utcnow
from app.db.uow import UnitOfWork
from app.errors import NotFound
from app.services.auth import UserInfo
from app.services.catalog import CatalogService
from app.services.handoffs import hand_on
from app.services.plan_change_views import ChangeResult, HandOnResult, LineOptions, line_options
from domain.calendar import add_months
from domain.catalog import Catalog, Offering
from domain.customers import age_on
from domain.errors import RuleViolation, ValidationError
from domain.plan_change import (
    Effective,
    LineFacts,
    check_addon_add,
    check_addon_remove,
    check_plan_change,
    effective_on,
    fits,
)


class PlanChangeService:
    def __init__(
        self,
        uow: Callable[..., UnitOfWork],
        *,
        catalog: CatalogService,
        store_id: str,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._uow = uow
        self._catalog = catalog
        self._store_id = store_id
        self._clock = clock

    def _today(self) -> date:
        return self._clock().astimezone().date()

    # -- reading -------------------------------------------------------------------------
    def options(self, subscription_id: uuid.UUID) -> LineOptions:
        self.apply_due(subscription_id)
        snap = self._catalog.snapshot()
        catalog, today = snap.catalog, self._today()
        with self._uow(read_only=True) as uow:
            sub = self._subscription(uow.session, subscription_id)
            facts = self._facts(uow.session, sub)
            scheduled = tuple(
                (row.id, self._describe(row)) for row in self._scheduled(uow.session, sub.id)
            )
            msisdn, sub_id, addon_names = sub.msisdn, sub.id, tuple(sub.addons or ())
        return line_options(
            catalog, facts, today=today, store=self._store_id, subscription_id=sub_id,
            msisdn=msisdn, addons=addon_names, scheduled=scheduled,
        )  # fmt: skip

    # -- changes -------------------------------------------------------------------------
    def change_plan(
        self,
        subscription_id: uuid.UUID,
        plan_code: str,
        *,
        effective: Effective,
        commitment: int,
        user: UserInfo,
    ) -> ChangeResult:
        snap = self._catalog.snapshot()
        new = _offering(snap.catalog, plan_code, field="plan")
        today = self._today()
        with self._uow() as uow:
            session = uow.session
            sub = self._subscription(session, subscription_id)
            facts = self._facts(session, sub)
            change = check_plan_change(
                facts, new, snap.catalog, today=today, effective=effective,
                commitment=commitment, store=self._store_id,
            )  # fmt: skip
            row = m.SubscriptionChange(
                subscription_id=sub.id,
                kind="plan",
                from_code=facts.plan_code,
                to_code=new.code,
                effective_on=change.on,
                status="scheduled",
                commitment=commitment,
                user_id=user.id,
            )
            session.add(row)
            applied = change.on <= today
            if applied:
                self._apply(session, sub, row)
            else:
                summary = f"Plan change to {new.name} scheduled for {change.on.isoformat()}"
                self._timeline(session, sub, summary, "plan_change", row, user)
            session.flush()
            result = ChangeResult(
                row.id, self._describe(row), change.on, applied, change.dropped_addons
            )
            uow.commit()
            return result

    def hand_on_refused(
        self,
        subscription_id: uuid.UUID,
        plan_code: str,
        *,
        effective: Effective,
        commitment: int,
        user: UserInfo,
    ) -> HandOnResult:
        """Hand a plan change the rules refuse (the commitment, the payment type, the
        customer's age …) on to the second line, who can decide otherwise.

        ONE transaction: the hand-on of kind ``plan_change`` (its case, when a case type
        takes it, and the customer's timeline entry come with it). The rules are checked
        again here: a change they allow raises :class:`RuleViolation` (make it directly),
        and bad input (a commitment the plan does not offer) raises ValidationError.
        Nothing about the line changes.
        """
        snap = self._catalog.snapshot()
        new = _offering(snap.catalog, plan_code, field="plan")
        today = self._today()
        with self._uow() as uow:
            session = uow.session
            sub = self._subscription(session, subscription_id)
            facts = self._facts(session, sub)
            try:
                check_plan_change(
                    facts, new, snap.catalog, today=today, effective=effective,
                    commitment=commitment, store=self._store_id,
                )  # fmt: skip
            except RuleViolation as refused:
                why = refused.message
            else:
                raise RuleViolation(
                    f"The change to {new.name} is allowed: change the plan at the counter."
                )
            current = snap.catalog.get(facts.plan_code)
            old_name = current.name if current is not None else sub.plan_name
            when = "now" if effective is Effective.NOW else "from next month"
            handoff = hand_on(
                session,
                kind="plan_change",
                summary=f"Plan change {old_name} → {new.name} ({when}) on {sub.msisdn}, "
                f"refused at the counter: {why}",
                user_id=user.id,
                customer_id=sub.customer_id,
                ref_kind="subscription",
                ref_id=sub.id,
                details={
                    "msisdn": sub.msisdn,
                    "from_plan": facts.plan_code,
                    "to_plan": new.code,
                    "effective": effective.value,
                    "commitment": commitment,
                    "refused": why,
                },
                now=self._clock(),
            )
            result = HandOnResult(handoff.id, handoff.summary, handoff.case_id)
            uow.commit()
            return result

    def add_addon(
        self, subscription_id: uuid.UUID, code: str, *, effective: Effective, user: UserInfo
    ) -> ChangeResult:
        snap = self._catalog.snapshot()
        addon = _offering(snap.catalog, code, field="addon")
        today = self._today()
        with self._uow() as uow:
            session = uow.session
            sub = self._subscription(session, subscription_id)
            facts = self._facts(session, sub)
            check_addon_add(facts, snap.catalog.get(facts.plan_code), addon, today=today)
            return self._addon_change(uow, sub, "addon_add", code, effective, today, user)

    def remove_addon(
        self, subscription_id: uuid.UUID, code: str, *, effective: Effective, user: UserInfo
    ) -> ChangeResult:
        snap = self._catalog.snapshot()
        addon = snap.catalog.get(code)
        today = self._today()
        with self._uow() as uow:
            session = uow.session
            sub = self._subscription(session, subscription_id)
            facts = self._facts(session, sub)
            check_addon_remove(facts, code, addon.name if addon is not None else code)
            return self._addon_change(uow, sub, "addon_remove", code, effective, today, user)

    def cancel_scheduled(self, change_id: uuid.UUID, *, user: UserInfo) -> None:
        with self._uow() as uow:
            session = uow.session
            row = session.get(m.SubscriptionChange, change_id)
            if row is None:
                raise NotFound("This change no longer exists.")
            if row.status != "scheduled":
                raise RuleViolation(f"This change is {row.status}; it cannot be cancelled.")
            row.status = "cancelled"
            sub = self._subscription(session, row.subscription_id)
            kind = "plan_change" if row.kind == "plan" else "addon"
            self._timeline(session, sub, f"Cancelled: {self._describe(row)}", kind, row, user)
            uow.commit()

    def apply_due(self, subscription_id: uuid.UUID | None = None) -> int:
        """Apply scheduled changes whose day has come; returns how many were applied."""
        today = self._today()
        with self._uow() as uow:
            session = uow.session
            query = select(m.SubscriptionChange).where(
                m.SubscriptionChange.status == "scheduled",
                m.SubscriptionChange.effective_on <= today,
            )
            if subscription_id is not None:
                query = query.where(m.SubscriptionChange.subscription_id == subscription_id)
            rows = session.scalars(query.order_by(m.SubscriptionChange.effective_on)).all()
            for row in rows:
                self._apply(session, self._subscription(session, row.subscription_id), row)
            if rows:
                uow.commit()
            return len(rows)

    # -- helpers -------------------------------------------------------------------------
    def _addon_change(
        self,
        uow: UnitOfWork,
        sub: m.Subscription,
        kind: str,
        code: str,
        effective: Effective,
        today: date,
        user: UserInfo,
    ) -> ChangeResult:
        session = uow.session
        scheduled = [r for r in self._scheduled(session, sub.id) if r.to_code == code]
        if scheduled:
            raise RuleViolation(f"A change is already scheduled ({self._describe(scheduled[0])}).")
        on = effective_on(effective, today)
        row = m.SubscriptionChange(
            subscription_id=sub.id,
            kind=kind,
            to_code=code,
            effective_on=on,
            status="scheduled",
            user_id=user.id,
        )
        session.add(row)
        applied = on <= today
        if applied:
            self._apply(session, sub, row)
        else:
            self._timeline(
                session, sub, f"{self._describe(row)} (scheduled)",
                "addon" if kind == "addon_add" else "addon_removed", row, user,
            )  # fmt: skip
        session.flush()
        result = ChangeResult(row.id, self._describe(row), on, applied)
        uow.commit()
        return result

    def _apply(self, session: Session, sub: m.Subscription, row: m.SubscriptionChange) -> None:
        snap = self._catalog.snapshot()
        catalog = snap.catalog
        now = self._clock()
        if row.kind == "plan":
            new = catalog.get(row.to_code)
            if new is None:  # withdrawn from the catalog since it was scheduled
                row.status = "cancelled"
                return
            sub.plan_offering_id = snap.ids[new.code]
            sub.plan_name = new.name
            if row.commitment:
                sub.commitment_end = add_months(row.effective_on, row.commitment)
            sub.addons = [
                entry
                for entry, code in zip(sub.addons, self._codes(sub.addons), strict=True)
                if (addon := catalog.get(code)) is None or fits(addon, new)
            ]
            kind = "plan_change"
        elif row.kind == "addon_add":
            addon = catalog.get(row.to_code)
            sub.addons = [*sub.addons, addon.name if addon is not None else row.to_code]
            kind = "addon"
        else:
            sub.addons = [
                entry
                for entry, code in zip(sub.addons, self._codes(sub.addons), strict=True)
                if code != row.to_code
            ]
            kind = "addon_removed"
        row.status = "applied"
        row.applied_at = now
        self._timeline(session, sub, self._describe(row), kind, row, None)

    def _timeline(
        self,
        session: Session,
        sub: m.Subscription,
        summary: str,
        kind: str,
        row: m.SubscriptionChange,
        user: UserInfo | None,
    ) -> None:
        session.add(
            m.Interaction(
                customer_id=sub.customer_id,
                kind=kind,
                summary=f"{summary} on {sub.msisdn}",
                occurred_at=self._clock(),
                user_id=user.id if user is not None else row.user_id,
                ref_kind="subscription",
                ref_id=sub.id,
            )
        )

    def _codes(self, entries: list[str] | tuple[str, ...]) -> list[str]:
        """A line's add-ons are kept by name (as the 360 shows them); the rules use codes."""
        catalog = self._catalog.snapshot().catalog
        by_name = {o.name: o.code for o in catalog.offerings.values()}
        return [entry if catalog.get(entry) else by_name.get(entry, entry) for entry in entries]

    def _describe(self, row: m.SubscriptionChange) -> str:
        catalog = self._catalog.snapshot().catalog

        def name(code: str) -> str:
            offering: Offering | None = catalog.get(code)
            return offering.name if offering is not None else code

        when = row.effective_on.isoformat()
        if row.kind == "plan":
            return f"Plan {name(row.from_code)} → {name(row.to_code)} from {when}"
        verb = "added" if row.kind == "addon_add" else "removed"
        return f"Add-on {name(row.to_code)} {verb} from {when}"

    def _subscription(self, session: Session, subscription_id: uuid.UUID) -> m.Subscription:
        sub = session.get(m.Subscription, subscription_id)
        if sub is None:
            raise NotFound("This line no longer exists.")
        if sub.status != "active":
            raise RuleViolation(f"The line {sub.msisdn} is {sub.status}; it cannot be changed.")
        return sub

    def _scheduled(
        self, session: Session, subscription_id: uuid.UUID
    ) -> list[m.SubscriptionChange]:
        return list(
            session.scalars(
                select(m.SubscriptionChange)
                .where(
                    m.SubscriptionChange.subscription_id == subscription_id,
                    m.SubscriptionChange.status == "scheduled",
                )
                .order_by(m.SubscriptionChange.effective_on)
            )
        )

    def _facts(self, session: Session, sub: m.Subscription) -> LineFacts:
        plan = session.get(m.Offering, sub.plan_offering_id) if sub.plan_offering_id else None
        customer = session.get(m.Customer, sub.customer_id)
        born = customer.birth_date if customer is not None else None
        waiting = [r for r in self._scheduled(session, sub.id) if r.kind == "plan"]
        return LineFacts(
            plan_code=plan.sku if plan is not None else "",
            payment_type=sub.payment_type,
            addons=tuple(self._codes(sub.addons or ())),
            commitment_end=sub.commitment_end,
            customer_age=age_on(born, self._today()) if born is not None else None,
            scheduled=self._describe(waiting[0]) if waiting else "",
        )


def _offering(catalog: Catalog, code: str, *, field: str) -> Offering:
    found = catalog.get(code)
    if found is None:
        raise ValidationError(f"Nothing in the catalog has the code {code}.", field=field)
    return found
