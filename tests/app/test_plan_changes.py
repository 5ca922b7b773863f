"""Plan changes and add-ons on existing lines, through the real service and database."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from app.bootstrap import Services
from app.db import models as m
from app.services.auth import UserInfo
from app.services.plan_changes import PlanChangeService
from domain.errors import RuleViolation, ValidationError
from domain.plan_change import Effective

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def changes(demo_services: Services, clock: Clock) -> PlanChangeService:
    return PlanChangeService(
        demo_services.sales._uow,
        catalog=demo_services.catalog,
        store_id=demo_services.store.store_id,
        clock=clock,
    )


def _line(services: Services, plan_name: str, commitment_end: date | None) -> uuid.UUID:
    """A demo line on ``plan_name`` with no add-ons and the given commitment end."""
    with services.engine.begin() as conn:
        sub_id = conn.execute(
            select(m.Subscription.id).where(m.Subscription.plan_name == plan_name).limit(1)
        ).scalar_one()
        conn.execute(
            update(m.Subscription)
            .where(m.Subscription.id == sub_id)
            .values(addons=[], commitment_end=commitment_end)
        )
    return sub_id


def _sub(services: Services, sub_id: uuid.UUID) -> m.Subscription:
    with services.engine.connect() as conn:
        return conn.execute(select(m.Subscription).where(m.Subscription.id == sub_id)).one()  # type: ignore[return-value]


def _timeline(services: Services, sub_id: uuid.UUID) -> list[tuple[str, str]]:
    with services.engine.connect() as conn:
        rows = conn.execute(
            select(m.Interaction.kind, m.Interaction.summary)
            .where(m.Interaction.ref_kind == "subscription", m.Interaction.ref_id == sub_id)
            .order_by(m.Interaction.created_at)
        ).all()
    return [(kind, summary) for kind, summary in rows]


def test_options_say_which_plans_the_commitment_allows(
    demo_services: Services, changes: PlanChangeService
) -> None:
    sub_id = _line(demo_services, "Smart M 30 GB", date(2027, 6, 30))
    options = changes.options(sub_id)
    assert (options.plan_code, options.payment_type) == ("PLAN-M", "postpaid")
    by_code = {p.code: p for p in options.plans}
    assert "PLAN-M" not in by_code
    assert by_code["PLAN-L"].allowed
    assert not by_code["PLAN-S"].allowed
    assert "commitment runs until 2027-06-30" in by_code["PLAN-S"].why_not
    assert "prepaid plan and the line is postpaid" in by_code["PLAN-PRE"].why_not
    roaming = next(a for a in options.addon_options if a.code == "ADD-ROAM")
    assert roaming.fits and not roaming.active


def test_an_upgrade_now_changes_the_line_and_the_timeline(
    demo_services: Services, changes: PlanChangeService, anna: UserInfo
) -> None:
    sub_id = _line(demo_services, "Smart M 30 GB", date(2027, 6, 30))
    result = changes.change_plan(
        sub_id, "PLAN-L", effective=Effective.NOW, commitment=24, user=anna
    )
    assert result.applied and result.effective_on == NOW.date()
    sub = _sub(demo_services, sub_id)
    assert sub.plan_name == "Smart L Unlimited"
    assert sub.commitment_end == date(2028, 11, 23)  # a new 24-month term from today
    kinds = [kind for kind, _ in _timeline(demo_services, sub_id)]
    assert kinds == ["plan_change"]
    with demo_services.engine.connect() as conn:
        row = conn.execute(select(m.SubscriptionChange)).one()
        assert (row.kind, row.from_code, row.to_code, row.status) == (
            "plan", "PLAN-M", "PLAN-L", "applied",
        )  # fmt: skip
        entities = set(conn.execute(select(m.OutboxRow.entity)).scalars())
    assert {"subscription", "subscription_change", "interaction"} <= entities


@pytest.mark.parametrize(
    ("plan", "commitment", "error", "message"),
    [
        ("PLAN-S", 0, RuleViolation, "can only change to one costing at least"),
        ("PLAN-M", 0, RuleViolation, "already on Smart M"),
        ("PLAN-PRE", 0, RuleViolation, "hand a change of payment type on"),
        ("PLAN-L", 6, ValidationError, "offered with these commitments"),
        ("ADD-ROAM", 0, ValidationError, "is not a plan"),
        ("NOPE", 0, ValidationError, "Nothing in the catalog has the code NOPE"),
    ],
)
def test_refused_changes_change_nothing(
    demo_services: Services,
    changes: PlanChangeService,
    anna: UserInfo,
    plan: str,
    commitment: int,
    error: type[Exception],
    message: str,
) -> None:
    sub_id = _line(demo_services, "Smart M 30 GB", date(2027, 6, 30))
    with pytest.raises(error, match=message):
        changes.change_plan(sub_id, plan, effective=Effective.NOW, commitment=commitment, user=anna)
    assert _sub(demo_services, sub_id).plan_name == "Smart M 30 GB"
    assert _timeline(demo_services, sub_id) == []


def test_a_downgrade_is_allowed_once_the_commitment_has_ended(
    demo_services: Services, changes: PlanChangeService, anna: UserInfo, clock: Clock
) -> None:
    sub_id = _line(demo_services, "Smart M 30 GB", date(2026, 11, 30))
    with pytest.raises(RuleViolation, match="until 2026-11-30"):
        changes.change_plan(sub_id, "PLAN-S", effective=Effective.NOW, commitment=0, user=anna)
    # From next month the commitment is over, so the downgrade can be booked for then.
    result = changes.change_plan(
        sub_id, "PLAN-S", effective=Effective.NEXT_MONTH, commitment=0, user=anna
    )
    assert not result.applied and result.effective_on == date(2026, 12, 1)
    assert _sub(demo_services, sub_id).plan_name == "Smart M 30 GB"
    options = changes.options(sub_id)
    assert [text for _, text in options.scheduled] == [
        "Plan Smart M 30 GB → Smart S 10 GB from 2026-12-01"
    ]
    with pytest.raises(RuleViolation, match="already scheduled"):
        changes.change_plan(
            sub_id, "PLAN-L", effective=Effective.NEXT_MONTH, commitment=0, user=anna
        )
    assert changes.apply_due() == 0  # not yet
    clock.now = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    assert changes.apply_due() == 1
    assert _sub(demo_services, sub_id).plan_name == "Smart S 10 GB"
    assert [k for k, _ in _timeline(demo_services, sub_id)] == ["plan_change", "plan_change"]
    assert changes.options(sub_id).scheduled == ()


def test_a_scheduled_change_can_be_cancelled(
    demo_services: Services, changes: PlanChangeService, anna: UserInfo, clock: Clock
) -> None:
    sub_id = _line(demo_services, "Smart M 30 GB", None)
    result = changes.change_plan(
        sub_id, "PLAN-S", effective=Effective.NEXT_MONTH, commitment=0, user=anna
    )
    changes.cancel_scheduled(result.change_id, user=anna)
    with pytest.raises(RuleViolation, match="cancelled; it cannot be cancelled"):
        changes.cancel_scheduled(result.change_id, user=anna)
    clock.now += timedelta(days=40)
    assert changes.apply_due() == 0
    assert _sub(demo_services, sub_id).plan_name == "Smart M 30 GB"


def test_add_ons_now_and_next_month(
    demo_services: Services, changes: PlanChangeService, anna: UserInfo, clock: Clock
) -> None:
    sub_id = _line(demo_services, "Smart M 30 GB", None)
    changes.add_addon(sub_id, "ADD-ROAM", effective=Effective.NOW, user=anna)
    assert _sub(demo_services, sub_id).addons == ["Roaming World 5 GB"]
    with pytest.raises(RuleViolation, match="already has Roaming World 5 GB"):
        changes.add_addon(sub_id, "ADD-ROAM", effective=Effective.NOW, user=anna)
    with pytest.raises(ValidationError, match="not an add-on"):
        changes.add_addon(sub_id, "PLAN-L", effective=Effective.NOW, user=anna)
    with pytest.raises(RuleViolation, match="has no"):
        changes.remove_addon(sub_id, "ADD-DATA", effective=Effective.NOW, user=anna)
    result = changes.remove_addon(sub_id, "ADD-ROAM", effective=Effective.NEXT_MONTH, user=anna)
    assert not result.applied
    with pytest.raises(RuleViolation, match="already scheduled"):
        changes.remove_addon(sub_id, "ADD-ROAM", effective=Effective.NOW, user=anna)
    assert _sub(demo_services, sub_id).addons == ["Roaming World 5 GB"]
    clock.now = datetime(2026, 12, 1, 0, 30, tzinfo=UTC)
    changes.options(sub_id)  # reading a line applies what is due
    assert _sub(demo_services, sub_id).addons == []
    kinds = [k for k, _ in _timeline(demo_services, sub_id)]
    assert kinds == ["addon", "addon_removed", "addon_removed"]


def test_an_add_on_must_fit_the_plan(
    demo_services: Services, changes: PlanChangeService, anna: UserInfo
) -> None:
    with demo_services.engine.begin() as conn:
        pre = conn.execute(select(m.Offering.id).where(m.Offering.sku == "PLAN-PRE")).scalar_one()
    sub_id = _line(demo_services, "Smart M 30 GB", None)
    with demo_services.engine.begin() as conn:
        conn.execute(
            update(m.Subscription)
            .where(m.Subscription.id == sub_id)
            .values(plan_offering_id=pre, payment_type="prepaid")
        )
    with pytest.raises(RuleViolation, match="cannot be added to"):
        changes.add_addon(sub_id, "ADD-ROAM", effective=Effective.NOW, user=anna)


def _handoffs(services: Services) -> list[m.Handoff]:
    with services.engine.connect() as conn:
        return list(conn.execute(select(m.Handoff)).all())  # type: ignore[arg-type]


def test_a_refused_change_is_handed_on_in_one_transaction(
    demo_services: Services, changes: PlanChangeService, anna: UserInfo
) -> None:
    sub_id = _line(demo_services, "Smart M 30 GB", date(2027, 6, 30))
    customer_id = _sub(demo_services, sub_id).customer_id
    before = _handoffs(demo_services)
    result = changes.hand_on_refused(
        sub_id, "PLAN-S", effective=Effective.NOW, commitment=0, user=anna
    )
    (handoff,) = [h for h in _handoffs(demo_services) if h not in before]
    assert handoff.id == result.handoff_id
    assert (handoff.kind, handoff.status, handoff.customer_id) == (
        "plan_change", "waiting", customer_id,
    )  # fmt: skip
    assert (handoff.ref_kind, handoff.ref_id) == ("subscription", sub_id)
    assert handoff.summary == result.summary
    assert "Smart M 30 GB → Smart S 10 GB (now)" in result.summary
    assert "commitment runs until 2027-06-30" in result.summary
    assert handoff.details["refused"].startswith("The commitment runs until 2027-06-30")
    assert (handoff.details["to_plan"], handoff.details["effective"]) == ("PLAN-S", "now")
    # The line itself is unchanged; the customer's timeline shows the hand-on.
    assert _sub(demo_services, sub_id).plan_name == "Smart M 30 GB"
    with demo_services.engine.connect() as conn:
        entry = conn.execute(
            select(m.Interaction.kind, m.Interaction.summary).where(
                m.Interaction.ref_kind == "handoff", m.Interaction.ref_id == handoff.id
            )
        ).one()
        changes_made = conn.execute(select(m.SubscriptionChange)).all()
        outbox = conn.execute(
            select(m.OutboxRow.entity, m.OutboxRow.payload)
            .where(m.OutboxRow.entity_id == handoff.id)
            .order_by(m.OutboxRow.seq)
        ).all()
    assert entry.kind == "handoff" and "refused at the counter" in entry.summary
    assert changes_made == []
    assert {entity for entity, _ in outbox} == {"handoff"}  # synced to the centre
    assert outbox[-1].payload["kind"] == "plan_change"
    # The second line gets it as a case in its queue, its fields filled from the hand-on.
    assert result.case_id is not None and handoff.case_id == result.case_id
    case = demo_services.cases.detail(result.case_id, user=anna)
    assert (case.card.type_code, case.card.status) == ("plan_change_review", "new")
    values = {f.name: f.value for f in case.fields}
    assert (values["to_plan"], values["effective"], values["msisdn"]) == (
        "PLAN-S", "now", _sub(demo_services, sub_id).msisdn,
    )  # fmt: skip
    assert values["refused"].startswith("The commitment runs until 2027-06-30")
    assert values["subscription"] == str(sub_id)


def test_a_change_of_payment_type_is_handed_on(
    demo_services: Services, changes: PlanChangeService, anna: UserInfo
) -> None:
    sub_id = _line(demo_services, "Smart M 30 GB", None)
    result = changes.hand_on_refused(
        sub_id, "PLAN-PRE", effective=Effective.NEXT_MONTH, commitment=0, user=anna
    )
    assert "(from next month)" in result.summary and "prepaid plan" in result.summary


@pytest.mark.parametrize(
    ("plan", "commitment", "error", "message"),
    [
        ("PLAN-L", 24, RuleViolation, "allowed: change the plan at the counter"),
        ("PLAN-L", 6, ValidationError, "offered with these commitments"),
        ("NOPE", 0, ValidationError, "Nothing in the catalog has the code NOPE"),
    ],
)
def test_only_a_change_the_rules_refuse_is_handed_on(
    demo_services: Services,
    changes: PlanChangeService,
    anna: UserInfo,
    plan: str,
    commitment: int,
    error: type[Exception],
    message: str,
) -> None:
    sub_id = _line(demo_services, "Smart M 30 GB", date(2027, 6, 30))
    before = _handoffs(demo_services)
    with pytest.raises(error, match=message):
        changes.hand_on_refused(
            sub_id, plan, effective=Effective.NOW, commitment=commitment, user=anna
        )
    assert _handoffs(demo_services) == before


def test_a_failed_hand_on_leaves_nothing(
    demo_services: Services,
    changes: PlanChangeService,
    anna: UserInfo,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The hand-on and its timeline entry are one transaction: a failure after both were
    added (at the commit's flush) leaves neither."""
    sub_id = _line(demo_services, "Smart M 30 GB", date(2027, 6, 30))
    customer_id = _sub(demo_services, sub_id).customer_id
    with demo_services.engine.connect() as conn:
        timeline = conn.execute(
            select(func.count()).where(m.Interaction.customer_id == customer_id)
        ).scalar_one()
    before = _handoffs(demo_services)

    def broken(*_a: object, **_k: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr("app.db.uow.UnitOfWork.commit", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        changes.hand_on_refused(sub_id, "PLAN-S", effective=Effective.NOW, commitment=0, user=anna)
    monkeypatch.undo()
    assert _handoffs(demo_services) == before
    with demo_services.engine.connect() as conn:
        assert (
            conn.execute(
                select(func.count()).where(m.Interaction.customer_id == customer_id)
            ).scalar_one()
            == timeline
        )
