"""Hand-ons open cases in the same transaction; resolving a refund case pays the refund."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.bootstrap import Services
from app.card_terminal import ZvtCardTerminal
from app.db import models as m
from app.db.uow import make_uow_factory
from app.demo.seed import demo_imei
from app.errors import NotFound
from app.services.auth import UserInfo
from app.services.card_payments import CardPayments
from app.services.case_views import CaseLinks
from app.services.handoffs import hand_on
from app.services.returns import ReturnItem
from devices.zvt.simulator import TerminalSimulator
from devices.zvt.terminal import Timeouts, ZvtTerminal
from domain.cases.definitions import RefKind
from domain.errors import RuleViolation
from domain.payment_intent import IntentStatus
from domain.returns import Condition

IP15 = demo_imei("35407115", 3)


def _uow(services: Services):  # type: ignore[no-untyped-def]
    return make_uow_factory(services.engine, store_id="S001", terminal_id="T01")


def _held_refund(services: Services, user: UserInfo, *, card: CardPayments | None = None) -> str:
    """Sell the 899.00 phone (cash, or card through the simulator) and take it back above
    the refund limit, handed on; returns the return's number."""
    cid = services.customers.search("C00000004")[0].id
    basket = services.sales.start(customer_id=cid, user=user)
    services.sales.add_code(basket.order_id, IP15, user=user)
    if card is None:
        services.sales.pay_cash(basket.order_id, "900", user=user)
    else:
        assert card.pay(basket.order_id, "", user=user).status is IntentStatus.APPROVED
    order = services.returns.find(services.receipts.for_order(basket.order_id).doc.barcode)
    held = services.returns.create_return(
        order.order_id, [ReturnItem(order.lines[0].line_id, 1, Condition.UNOPENED)],
        reason="does not like it", user=user, hand_on_above_limit=True,
    )  # fmt: skip
    assert held.status == "awaiting_approval"
    return held.number


def _refund_case(services: Services) -> m.CaseRecord:
    with services.engine.connect() as conn:
        return conn.execute(  # type: ignore[return-value]
            select(m.CaseRecord).where(m.CaseRecord.type_code == "refund")
        ).one()


def _payments(services: Services) -> list[tuple[str, str, int]]:
    with services.engine.connect() as conn:
        rows = conn.execute(
            select(m.Payment.tender, m.Payment.status, m.Payment.amount_minor).where(
                m.Payment.amount_minor < 0
            )
        ).all()
    return [(t, s, a) for t, s, a in rows]


def test_a_held_refund_opens_a_refund_case_in_the_same_transaction(
    demo_services: Services, anna: UserInfo
) -> None:
    number = _held_refund(demo_services, anna)
    case = _refund_case(demo_services)
    with demo_services.engine.connect() as conn:
        handoff = conn.execute(select(m.Handoff)).one()
        record = conn.execute(select(m.ReturnRecord)).one()
        outbox = conn.scalars(
            select(m.OutboxRow.entity).where(m.OutboxRow.entity_id == case.id)
        ).all()
    assert handoff.case_id == case.id and handoff.status == "waiting"
    assert (case.ref_kind, case.ref_id, case.order_id) == ("return", record.id, record.order_id)
    assert case.fields == {"return": str(record.id), "refund": "899.00", "tender": "cash"}
    assert case.store_id == "S001" and case.number.startswith("CASE-S001-T01-")
    assert case.summary.startswith("Refund of 899.00 EUR") and number in case.summary
    assert outbox == ["case"]  # written once, in the sale's transaction
    card = demo_services.cases.find(case.number)
    assert card.type_title == "Refund approval" and card.priority.value == "high"
    profile = demo_services.customers.profile(card.customer_id, user=anna)  # type: ignore[arg-type]
    assert [c.number for c in profile.cases] == [case.number]


def test_resolving_the_refund_case_pays_the_refund_through_the_service(
    demo_services: Services, anna: UserInfo, boris: UserInfo
) -> None:
    number = _held_refund(demo_services, anna)
    case_id = _refund_case(demo_services).id
    cases = demo_services.cases
    assert _payments(demo_services) == []
    cases.transition(case_id, "in_review", user=boris)
    with pytest.raises(Exception, match='Fill in "Why it is approved"'):
        cases.transition(case_id, "refunded", user=boris)
    assert _payments(demo_services) == []
    done = cases.transition(
        case_id, "refunded", user=boris, values={"decision_note": "receipt and box are fine"}
    )
    assert done.refund is not None and done.refund.return_number == number
    assert done.refund.amount.format() == "899.00 EUR" and done.refund.tender == "cash"
    assert done.refund.credit_note_number.startswith("CRN-")
    assert done.refund.card_refund_order_id is None
    assert done.changes.till and done.changes.customer and not done.detail.card.is_open
    assert _payments(demo_services) == [("cash", "refunded", -89900)]
    with demo_services.engine.connect() as conn:
        record = conn.execute(select(m.ReturnRecord)).one()
        handoff = conn.execute(select(m.Handoff)).one()
        drawer = conn.scalar(
            select(func.count())
            .select_from(m.TillMovement)
            .where(m.TillMovement.reference == number)
        )
    assert record.status == "completed" and record.approved_by == boris.id
    assert handoff.status == "done" and drawer == 1
    assert demo_services.handoffs.waiting() == []
    # Reopened by the manager and resolved again: the money is not paid twice.
    maria = demo_services.auth.login("maria", "3333")
    cases.reopen(case_id, reason="customer disputes the amount", user=maria)
    with pytest.raises(RuleViolation, match=f"Return {number} is completed: nothing waits"):
        cases.transition(case_id, "refunded", user=maria, values={"decision_note": "again"})
    assert _payments(demo_services) == [("cash", "refunded", -89900)]
    assert cases.detail(case_id, user=maria).card.status == "in_review"


def test_rejecting_the_refund_case_pays_nothing(
    demo_services: Services, anna: UserInfo, boris: UserInfo
) -> None:
    _held_refund(demo_services, anna)
    case_id = _refund_case(demo_services).id
    demo_services.cases.transition(
        case_id, "rejected", user=boris, values={"rejection_reason": "box opened, not faulty"}
    )
    assert _payments(demo_services) == []
    with demo_services.engine.connect() as conn:
        assert conn.execute(select(m.ReturnRecord.status)).scalar() == "awaiting_approval"


@pytest.fixture
def cards(demo_services: Services) -> Iterator[tuple[CardPayments, TerminalSimulator]]:
    sim = TerminalSimulator().start()
    short = Timeouts(ack=0.5, answer=1.5, idle=1.5, total=10.0, byte=0.5)
    terminal = ZvtCardTerminal(ZvtTerminal(sim.port or "", timeouts=short))
    yield CardPayments(demo_services.sales, lambda: terminal), sim
    terminal.close()
    sim.stop()


def test_a_card_refund_case_leaves_the_refund_to_the_terminal(
    demo_services: Services,
    anna: UserInfo,
    boris: UserInfo,
    cards: tuple[CardPayments, TerminalSimulator],
) -> None:
    payments, simulator = cards
    _held_refund(demo_services, anna, card=payments)
    case_id = _refund_case(demo_services).id
    demo_services.cases.transition(case_id, "in_review", user=boris)
    done = demo_services.cases.transition(
        case_id, "refunded", user=boris, values={"decision_note": "ok"}
    )
    assert done.refund is not None and done.refund.tender == "card"
    order_id = done.refund.card_refund_order_id
    assert order_id is not None
    assert _payments(demo_services) == [("card", "refund_pending", -89900)]
    paid = payments.refund_to_card(order_id, user=boris)
    assert [r.status for r in paid] == [IntentStatus.APPROVED]
    assert _payments(demo_services) == [("card", "refunded", -89900)]
    assert [b.kind for b in simulator.bookings] == ["payment", "refund"]


@pytest.mark.parametrize(
    ("kind", "code", "details", "fields"),
    [
        ("port_in", "port_in_follow_up",
         {"donor": "Telekom", "msisdn": "+4917699887766", "porting_code": "AB12",
          "requested": "2026-12-01", "temporary": True},
         {"donor": "Telekom", "msisdn": "+4917699887766", "porting_code": "AB12",
          "requested": "2026-12-01"}),
        ("cash_variance", "cash_variance", {"reason": "unknown", "variance_minor": -5000},
         {"reason": "unknown", "variance": "-50.00"}),
        ("card_check", "card_payment_check", {}, {}),
        ("kyc_review", "kyc_review", {"reason": "mrz_check_failed", "bogus": [1]},
         {"reason": "mrz_check_failed"}),
        ("replacement", "equipment_replacement", {"imei": "x" * 40}, {}),  # too long: left out
        ("plan_change", "plan_change_review",
         {"msisdn": "+491701234567", "from_plan": "PLAN-M", "to_plan": "PLAN-S",
          "effective": "next_month", "commitment": 0, "refused": "commitment runs"},
         {"msisdn": "+491701234567", "from_plan": "PLAN-M", "to_plan": "PLAN-S",
          "effective": "next_month", "commitment": "0", "refused": "commitment runs"}),
    ],
)  # fmt: skip
def test_every_hand_on_kind_opens_its_case_type(
    demo_services: Services,
    anna: UserInfo,
    kind: str,
    code: str,
    details: dict[str, object],
    fields: dict[str, str],
) -> None:
    with _uow(demo_services)() as work:
        row = hand_on(
            work.session, kind=kind, summary=f"{kind} to follow up", user_id=anna.id,
            details=details,
        )  # fmt: skip
        work.commit()
    with demo_services.engine.connect() as conn:
        case = conn.execute(select(m.CaseRecord).where(m.CaseRecord.id == row.case_id)).one()
    assert case.type_code == code and case.status == "new" and case.fields == fields
    assert case.summary == f"{kind} to follow up" and case.opened_by == anna.id


def test_a_hand_on_the_case_system_refuses_still_goes_through(
    demo_services: Services, anna: UserInfo
) -> None:
    """A reference to a record that is not there: the sale is not failed for it."""
    with _uow(demo_services)() as work:
        row = hand_on(
            work.session, kind="cash_variance", summary="till", user_id=anna.id,
            ref_kind="till_session", ref_id=uuid.uuid4(),
        )  # fmt: skip
        work.commit()
    assert row.case_id is None and row.status == "waiting"
    with demo_services.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(m.CaseRecord)) == 0
        assert conn.scalar(select(func.count()).select_from(m.Handoff)) == 1


def test_hand_ons_from_before_the_case_system_become_cases(
    demo_services: Services, anna: UserInfo, boris: UserInfo
) -> None:
    cid = demo_services.customers.search("C00000004")[0].id
    with _uow(demo_services)() as work:  # as the old hand_on wrote them
        work.session.add(
            m.Handoff(
                kind="refund",
                summary="old refund",
                customer_id=cid,
                status="waiting",
                user_id=anna.id,
                details={"refund_minor": 25000},
            )
        )
        work.commit()
    profile = demo_services.customers.profile(cid, user=anna)
    assert [c.title for c in profile.cases] == ["Refund approval: old refund"]  # waiting
    board = demo_services.cases.board(user=boris)  # first use: the hand-on becomes a case
    assert [(c.type_code, c.summary) for c in board.cards] == [("refund", "old refund")]
    with demo_services.engine.connect() as conn:
        assert conn.execute(select(m.Handoff.case_id)).scalar() == board.cards[0].id
    profile = demo_services.customers.profile(cid, user=anna)
    assert [c.number for c in profile.cases] == [board.cards[0].number]
    assert Decimal(board.cards[0].number[-6:]) == 1


def test_a_consultant_hands_a_faulty_phone_on_for_replacement(
    demo_services: Services, anna: UserInfo, boris: UserInfo
) -> None:
    """From the return: the context (customer, sale, device, the return) comes along."""
    phone = demo_imei("35328115", 3)  # 199.00, under the refund limit
    cid = demo_services.customers.search("C00000004")[0].id
    basket = demo_services.sales.start(customer_id=cid, user=anna)
    demo_services.sales.add_code(basket.order_id, phone, user=anna)
    demo_services.sales.pay_cash(basket.order_id, "200", user=anna)
    order = demo_services.returns.find(
        demo_services.receipts.for_order(basket.order_id).doc.barcode
    )
    back = demo_services.returns.create_return(
        order.order_id, [ReturnItem(order.lines[0].line_id, 1, Condition.FAULTY)],
        reason="screen flickers", user=anna,
    )  # fmt: skip
    with demo_services.engine.connect() as conn:
        device_id = conn.scalar(select(m.DeviceUnit.id).where(m.DeviceUnit.imei == phone))
    opened = demo_services.cases.create(
        "equipment_replacement", summary="Flickering screen, replace", user=anna,
        values={"fault": "screen flickers after 2 days", "imei": phone, "condition": "opened"},
        links=CaseLinks(customer_id=cid, order_id=order.order_id, device_id=device_id),
        subject=(RefKind.RETURN, back.return_id),
    )  # fmt: skip
    detail = opened.detail
    assert {f.name: f.value for f in detail.fields}["device"] == str(device_id)
    labels = {link.kind: link.label for link in detail.links}
    assert labels[RefKind.DEVICE] == f"IMEI {phone}"
    assert labels[RefKind.RETURN].startswith(f"Return {back.number} (199.00 EUR")
    assert labels[RefKind.ORDER] == order.receipt_number
    case_id = detail.card.id
    demo_services.cases.transition(case_id, "inspecting", user=boris)
    with pytest.raises(Exception, match='Fill in "IMEI of the replacement"'):
        demo_services.cases.transition(case_id, "replaced", user=boris)
    done = demo_services.cases.transition(
        case_id, "replaced", user=boris, values={"replacement_imei": demo_imei("35328115", 4)}
    )
    assert done.detail.card.status_label == "Replaced" and done.refund is None
    with pytest.raises(NotFound, match="No return has the id"):
        demo_services.cases.create(
            "equipment_replacement", summary="x", user=anna, values={"fault": "x"},
            subject=(RefKind.RETURN, uuid.uuid4()),
        )  # fmt: skip
