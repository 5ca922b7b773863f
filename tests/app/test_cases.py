"""The case service on a real SQLite database: opening, working, the board, bad input."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from app.bootstrap import Services
from app.db import models as m
from app.db.uow import make_uow_factory
from app.errors import AccessDenied, NotFound
from app.services.auth import UserInfo
from app.services.case_views import CaseChanged, CaseFilter, CaseLinks
from app.services.cases import CaseService
from domain.cases.case import EventKind
from domain.cases.definitions import Priority, RefKind
from domain.cases.sla import SlaState
from domain.errors import RuleViolation, ValidationError

COMPLAINT = {"subject": "network", "description": "Calls drop every evening at home"}


def _customer(services: Services, number: str = "C00000005") -> uuid.UUID:
    return services.customers.search(number)[0].id


def _complaint(services: Services, user: UserInfo, **kwargs: Any) -> uuid.UUID:
    kwargs.setdefault("links", CaseLinks(customer_id=_customer(services)))
    update = services.cases.create(
        "complaint", summary="Calls drop at home", user=user, values=COMPLAINT, **kwargs
    )
    return update.detail.card.id


def _counts(services: Services) -> tuple[int, int, int, int, int]:
    with services.engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            conn.scalar(select(func.count()).select_from(table))
            for table in (
                m.CaseRecord, m.CaseEventRecord, m.CaseCommentRecord, m.CaseAttachmentRecord,
                m.Interaction,
            )
        )  # fmt: skip


def test_shipped_types_are_installed_once_on_first_use(services: Services) -> None:
    types = services.cases.list_types()
    assert [t.code for t in types] == [
        "card_payment_check", "cash_variance", "complaint", "equipment_replacement",
        "kyc_review", "plan_change_review", "port_in_follow_up", "refund", "repair",
    ]  # by title  # fmt: skip
    assert {t.source for t in types} == {"shipped"}
    again = CaseService(
        make_uow_factory(services.engine, store_id="S001", terminal_id="T01"),
        store_id="S001", terminal_id="T01", data_dir=services.paths.data_dir,
    )  # fmt: skip
    again.ready()
    with services.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(m.CaseTypeRecord)) == 9
        assert conn.scalar(select(func.count()).select_from(m.CaseCalendarRecord)) == 2
    assert "second_line" in services.cases.groups()


def test_a_consultant_opens_a_case_from_the_customer_360(
    demo_services: Services, anna: UserInfo
) -> None:
    cid = _customer(demo_services)
    update = demo_services.cases.create(
        "complaint", summary="  Calls   drop at home ", user=anna, values=COMPLAINT,
        links=CaseLinks(customer_id=cid),
    )  # fmt: skip
    detail = update.detail
    card = detail.card
    assert card.number == "CASE-S001-T01-000001" and card.summary == "Calls drop at home"
    assert (card.status, card.status_label, card.type_title) == ("new", "New", "Complaint")
    assert card.assignee_group == "second_line" and card.customer_id == cid
    assert card.sla is SlaState.OK and card.due_at == detail.response_due_at
    assert update.changes.cases and update.changes.customer
    assert {f.name: f.value for f in detail.fields}["subject"] == "network"
    assert [link.kind for link in detail.links] == [RefKind.CUSTOMER]
    assert "(C00000005)" in detail.links[0].label
    assert [h.text for h in detail.history] == ["Anna Consultant opened the case (New)."]
    assert not any(step.allowed for step in detail.steps)  # a consultant only watches it
    profile = demo_services.customers.profile(cid, user=anna)
    assert [c.number for c in profile.cases] == [card.number]
    assert profile.cases[0].title == "Complaint: Calls drop at home"
    assert profile.timeline[0].kind == "case" and "opened" in profile.timeline[0].summary
    assert [c.number for c in demo_services.cases.customer_cases(cid, user=anna)] == [card.number]
    assert demo_services.cases.find(card.number.lower()).id == card.id


def test_bad_input_is_refused_precisely_and_changes_nothing(
    demo_services: Services, anna: UserInfo, boris: UserInfo
) -> None:
    cases = demo_services.cases
    case_id = _complaint(demo_services, anna)
    before = _counts(demo_services)
    version = cases.detail(case_id, user=anna).card.version

    def refused(error: type[Exception], message: str, call: Callable[[], object]) -> None:
        with pytest.raises(error) as info:
            call()
        assert message in str(info.value)

    refused(ValidationError, "There is no case type 'refnd'", lambda: cases.create(
        "refnd", summary="x", user=anna))  # fmt: skip
    refused(ValidationError, 'Fill in "What happened"', lambda: cases.create(
        "complaint", summary="x", user=anna, values={"subject": "network"}))  # fmt: skip
    roaming = {**COMPLAINT, "subject": "roaming"}
    refused(ValidationError, "'roaming' is not one of the choices", lambda: cases.create(
        "complaint", summary="x", user=anna, values=roaming))  # fmt: skip
    refused(ValidationError, "Say in one line", lambda: cases.create(
        "complaint", summary="  ", user=anna, values=COMPLAINT))  # fmt: skip
    refused(ValidationError, "There is no queue 'secnd_line'", lambda: cases.create(
        "complaint", summary="x", user=anna, values=COMPLAINT, group="secnd_line"))  # fmt: skip
    refused(NotFound, "No customer has the id", lambda: cases.create(
        "complaint", summary="x", user=anna, values=COMPLAINT,
        links=CaseLinks(customer_id=uuid.uuid4())))  # fmt: skip
    no_device = {"fault": "x", "device": str(uuid.uuid4())}
    refused(ValidationError, "Device: no device has the id", lambda: cases.create(
        "repair", summary="x", user=anna, values=no_device))  # fmt: skip
    refused(RuleViolation, "A Complaint case cannot go from New to Resolved; from New it can "
            "go to Investigating, Waiting for the customer, Closed without solution.",
            lambda: cases.transition(case_id, "resolved", user=boris))  # fmt: skip
    refused(RuleViolation, "A consultant may not move a Complaint case from New to "
            "Investigating; only: second line, manager.",
            lambda: cases.transition(case_id, "investigating", user=anna))  # fmt: skip
    refused(ValidationError, 'Fill in "How it was solved" to move to Closed without solution.',
            lambda: cases.transition(case_id, "closed", user=demo_services.auth.login(
                "maria", "3333")))  # fmt: skip
    refused(RuleViolation, "only a finished case can be reopened",
            lambda: cases.reopen(case_id, reason="again", user=boris))  # fmt: skip
    refused(AccessDenied, "Only the second line or a manager assigns",
            lambda: cases.assign(case_id, user=anna, assignee_id=boris.id))  # fmt: skip
    refused(ValidationError, "There is no queue 'nobody'",
            lambda: cases.assign(case_id, user=boris, group="nobody"))  # fmt: skip
    refused(AccessDenied, "changes a case's priority",
            lambda: cases.set_priority(case_id, Priority.URGENT, user=anna))  # fmt: skip
    refused(ValidationError, "Write the comment first", lambda: cases.comment(
        case_id, " ", user=anna))  # fmt: skip
    refused(NotFound, "no longer exists", lambda: cases.transition(
        uuid.uuid4(), "investigating", user=boris))  # fmt: skip
    assert _counts(demo_services) == before
    assert cases.detail(case_id, user=anna).card.version == version


def test_second_line_works_a_case_through_its_workflow(
    demo_services: Services, anna: UserInfo, boris: UserInfo, maria: UserInfo
) -> None:
    cases = demo_services.cases
    case_id = _complaint(demo_services, anna)
    taken = cases.take(case_id, user=boris)
    assert taken.detail.card.assignee_name == "Boris Second Line"
    assert taken.detail.responded_at is not None  # the second line reacted
    step = next(s for s in taken.detail.steps if s.target == "investigating")
    assert step.allowed and step.label == "Investigate"
    v = taken.detail.card.version
    moved = cases.transition(case_id, "investigating", user=boris, expected_version=v)
    assert moved.detail.card.version == v + 1
    cases.comment(case_id, "Asked the network team for the cell's logs.", user=boris)
    waiting = cases.transition(case_id, "waiting_customer", user=boris, note="asked for times")
    assert waiting.detail.card.sla is SlaState.PAUSED and waiting.detail.card.due_at is None
    assert waiting.detail.paused_since is not None
    back = cases.transition(case_id, "investigating", user=anna, note="customer called back")
    assert back.detail.card.due_at is not None and back.detail.paused_since is None
    done = cases.transition(case_id, "resolved", user=boris, values={"resolution": "Antenna fixed"})
    card = done.detail.card
    assert not card.is_open and card.sla is SlaState.STOPPED and done.detail.closed_at
    assert not done.detail.steps and done.detail.can_reopen
    reopened = cases.reopen(case_id, reason="drops again", user=anna)
    assert reopened.detail.card.status == "investigating" and reopened.detail.card.is_open
    texts = [h.text for h in reopened.detail.history]
    assert texts == [
        "Anna Consultant opened the case (New).",
        "Boris Second Line assigned it: assignee Boris Second Line.",
        "Boris Second Line moved it from New to Investigating.",
        "Boris Second Line commented: Asked the network team for the cell's logs.",
        "Boris Second Line moved it from Investigating to Waiting for the customer. asked for "
        "times",
        "Anna Consultant moved it from Waiting for the customer to Investigating. customer "
        "called back",
        "Boris Second Line moved it from Investigating to Resolved.",
        "Anna Consultant reopened it (Investigating): drops again",
    ]
    assert reopened.detail.history[-2].changes[0].new == "Antenna fixed"
    assert [c.body for c in reopened.detail.comments] == [
        "Asked the network team for the cell's logs."
    ]
    cases.assign(case_id, user=maria, group="store_management")
    cases.set_priority(case_id, Priority.URGENT, user=maria)
    cases.update_fields(case_id, {"goodwill": "10"}, user=boris)
    detail = cases.detail(case_id, user=maria)
    assert detail.card.assignee_group == "store_management" and detail.card.assignee_id is None
    assert detail.card.priority is Priority.URGENT
    assert [h.kind for h in detail.history[-3:]] == [
        EventKind.ASSIGNED,
        EventKind.PRIORITY,
        EventKind.FIELDS,
    ]
    with demo_services.engine.connect() as conn:
        kinds = conn.scalars(
            select(m.Interaction.summary).where(m.Interaction.ref_id == case_id)
        ).all()
    assert len(kinds) == 6  # opened, 4 moves, reopened: the customer's timeline


def test_a_stale_version_is_refused_and_nothing_is_lost(
    demo_services: Services, anna: UserInfo, boris: UserInfo, maria: UserInfo
) -> None:
    cases = demo_services.cases
    case_id = _complaint(demo_services, anna)
    seen = cases.detail(case_id, user=boris).card.version
    cases.comment(case_id, "I'll take this one", user=maria)  # someone else, meanwhile
    before = _counts(demo_services)
    with pytest.raises(CaseChanged, match=r"changed by someone else .* Nothing was changed"):
        cases.transition(case_id, "investigating", user=boris, expected_version=seen)
    assert _counts(demo_services) == before
    assert cases.detail(case_id, user=boris).card.status == "new"
    fresh = cases.detail(case_id, user=boris).card.version
    assert cases.transition(case_id, "investigating", user=boris, expected_version=fresh)


def _clocked(services: Services, clock: Callable[[], datetime]) -> CaseService:
    return CaseService(
        make_uow_factory(services.engine, store_id="S001", terminal_id="T01"),
        store_id="S001", terminal_id="T01", data_dir=services.paths.data_dir, clock=clock,
    )  # fmt: skip


def test_the_board_filters_and_sorts_by_due_time(
    demo_services: Services, anna: UserInfo, boris: UserInfo
) -> None:
    now = [datetime(2026, 11, 23, 7, 0, tzinfo=UTC)]  # a Monday morning
    cases = _clocked(demo_services, lambda: now[0])
    cid = _customer(demo_services)
    other = _customer(demo_services, "C00000006")

    def open_(code: str, values: dict[str, str], **kwargs: Any) -> uuid.UUID:
        kwargs.setdefault("links", CaseLinks(customer_id=cid))
        return cases.create(code, summary=f"{code} case", user=anna, values=values,
                            **kwargs).detail.card.id  # fmt: skip

    card_check = open_("card_payment_check", {})  # 1 h first response (store calendar)
    complaint = open_("complaint", COMPLAINT)  # 8 h (back office)
    kyc = open_("kyc_review", {}, links=CaseLinks(customer_id=other), priority=Priority.LOW)
    cash = open_("cash_variance", {}, links=CaseLinks())
    cases.take(kyc, user=boris)
    cases.transition(cash, "explained", user=boris,
                     values={"explanation": "safe drop", "correction": "recounted"})  # fmt: skip
    cases.transition(complaint, "waiting_customer", user=boris)
    board = cases.board(user=boris)
    assert [c.id for c in board.cards] == [card_check, kyc, complaint]  # due first, paused last
    assert board.total == 3
    assert [(col.status, col.count) for col in board.columns] == [
        ("new", 2),
        ("waiting_customer", 1),
    ]
    assert board.cards[-1].sla is SlaState.PAUSED
    with_closed = cases.board(CaseFilter(include_closed=True), user=boris)
    assert with_closed.total == 4 and with_closed.cards[-1].id == cash
    assert [c.status for c in with_closed.cards][-1] == "explained"

    def ids(**kwargs: Any) -> list[uuid.UUID]:
        return [c.id for c in cases.board(CaseFilter(**kwargs), user=boris).cards]

    assert ids(types=("kyc_review",)) == [kyc]
    assert ids(priorities=(Priority.LOW,)) == [kyc]
    assert ids(mine=True) == [kyc] == ids(assignee_id=boris.id)
    assert ids(unassigned=True) == [card_check, complaint]
    assert ids(customer_id=other) == [kyc]
    assert ids(statuses=("waiting_customer",)) == [complaint]
    assert ids(group="store_management") == []
    assert ids(group="second_line") == [card_check, kyc, complaint]
    assert ids(store_id="S999") == [] and len(ids(store_id="S001")) == 3
    assert ids(text="KYC_REVIEW") == [kyc]
    assert ids(sla=(SlaState.PAUSED,)) == [complaint]
    assert ids(sla=(SlaState.OK,)) == [card_check, kyc]
    # Monday 09:40 local: the card check (due 10:00 store time, warned an hour before) is near.
    local_due = cases.detail(card_check, user=boris).card.due_at
    assert local_due is not None
    now[0] = local_due - timedelta(minutes=20)
    assert ids(sla=(SlaState.NEAR,)) == [card_check]
    assert cases.board(user=boris).cards[0].sla is SlaState.NEAR
    now[0] = local_due + timedelta(minutes=1)
    assert ids(sla=(SlaState.BREACHED,)) == [card_check]
    assert ids(sla=(SlaState.BREACHED, SlaState.PAUSED)) == [card_check, complaint]
    with pytest.raises(ValidationError, match="Log in"):
        cases.board(CaseFilter(mine=True))


def test_attachments_are_stored_checked_and_read_back(
    demo_services: Services, anna: UserInfo
) -> None:
    cases = demo_services.cases
    case_id = _complaint(demo_services, anna)
    photo = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 40
    update = cases.attach(case_id, file_name="C:\\photos\\screen.jpg", content=photo, user=anna)
    (att,) = update.detail.attachments
    assert (att.file_name, att.media_type, att.size_bytes) == (
        "screen.jpg",
        "image/jpeg",
        len(photo),
    )
    assert update.detail.history[-1].text == "Anna Consultant attached screen.jpg."
    stored = cases.attachment(att.id)
    assert stored.content == photo and stored.media_type == "image/jpeg"
    files = list((demo_services.paths.data_dir / "case_files").rglob("*.jpg"))
    assert len(files) == 1 and files[0].read_bytes() == photo
    before = _counts(demo_services)
    cases.attachment_limit = 5000
    for name, content, message in (
        ("photo.jpg", b"MZ\x90\x00" + b"\x00" * 64, "photo.jpg is a Windows program"),
        ("big.jpg", photo, "attachments may be at most 5 KB"),
        ("scan.png", photo[:100], "scan.png is really a JPEG image"),
    ):
        with pytest.raises(ValidationError, match=message):
            cases.attach(case_id, file_name=name, content=content, user=anna)
    with pytest.raises(NotFound):
        cases.attach(uuid.uuid4(), file_name="a.jpg", content=photo[:100], user=anna)
    assert _counts(demo_services) == before
    assert len(list((demo_services.paths.data_dir / "case_files").rglob("*"))) == 3  # 2 dirs


def test_types_for_the_create_form(demo_services: Services) -> None:
    refund = demo_services.cases.case_type("refund")
    assert refund.title == "Refund approval" and refund.default_priority is Priority.HIGH
    assert [f.name for f in refund.fields][:2] == ["return", "refund"]
    assert refund.statuses[-1].terminal and refund.first_response == timedelta(hours=4)
    people = demo_services.cases.assignable()
    assert [p.role for p in people][:2] == ["second_line", "manager"]
    with pytest.raises(NotFound):
        demo_services.cases.case_type("nope")
