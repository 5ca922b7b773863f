"""A case through its workflow: guards with reasons, history, SLA pauses, reopening."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from domain.cases.attachments import check_attachment, clean_name, sniff
from domain.cases.calendar import BusinessCalendar
from domain.cases.case import Case, EventKind
from domain.cases.definitions import CaseType, Priority
from domain.cases.parsing import parse_definitions, parse_json, type_from_dict
from domain.cases.values import from_json, invalid_values, parse_values, to_json
from domain.errors import RuleViolation, ValidationError
from domain.users import Role

ROOT = Path(__file__).resolve().parents[2]
OFFICE = BusinessCalendar.from_hours(
    "back_office",
    dict.fromkeys(("mon", "tue", "wed", "thu", "fri"), "08:00-18:00"),
    time_zone="UTC",
)
MON = datetime(2026, 11, 23, 9, tzinfo=UTC)
ANNA, BORIS, MARIA = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()


def _shipped(code: str) -> CaseType:
    data = parse_json((ROOT / "resources" / "case_types" / f"{code}.json").read_text())
    return type_from_dict(data["types"][0])


REFUND = _shipped("refund")
REPAIR = _shipped("repair")


def _refund(**values: object) -> Case:
    return Case.open(REFUND, values=values, user_id=ANNA, at=MON)


def test_opening_fills_defaults_and_records_who() -> None:
    case = _refund(refund="899", tender="cash")
    assert case.status == "new" and case.priority is Priority.HIGH
    assert case.assignee_group == "second_line" and case.values["refund"] == Decimal("899.00")
    (event,) = case.events
    assert event.kind is EventKind.OPENED and event.user_id == ANNA
    assert [(c.name, c.new) for c in event.changes] == [("refund", "899.00"), ("tender", "cash")]
    with pytest.raises(ValidationError, match='Fill in "What is wrong"') as info:
        Case.open(REPAIR, values={}, user_id=ANNA, at=MON)
    assert info.value.field == "fault"
    # A hand-on opens it anyway; the second line fills the field in.
    assert Case.open(REPAIR, values={}, user_id=ANNA, at=MON, require_fields=False).status == "new"


def test_can_transition_says_why_not() -> None:
    case = _refund()
    verdict = case.can_transition("refunded", role=Role.MANAGER)
    assert not verdict and verdict.reason == (
        "A Refund approval case cannot go from New to Refunded; from New it can go to "
        "In review, Waiting for the customer, Rejected."
    )
    verdict = case.can_transition("in_review", role=Role.CONSULTANT)
    assert verdict.reason == (
        "A consultant may not move a Refund approval case from New to In review; only: "
        "second line, manager."
    )
    assert "has no status" in case.can_transition("paid", role=Role.MANAGER).reason
    assert case.can_transition("in_review", role=Role.SECOND_LINE)
    case.transition("in_review", role=Role.SECOND_LINE, user_id=BORIS, at=MON, calendar=OFFICE)
    verdict = case.can_transition("refunded", role=Role.SECOND_LINE)
    assert verdict.field == "decision_note"
    assert verdict.reason == 'Fill in "Why it is approved" to move to Refunded.'
    assert case.can_transition("refunded", role=Role.SECOND_LINE, values={"decision_note": "ok"})
    bad = case.can_transition("refunded", role=Role.SECOND_LINE, values={"refund": "lots"})
    assert bad.field == "refund" and "'lots' is not an amount" in bad.reason


def test_a_refused_transition_changes_nothing() -> None:
    case = _refund()
    before = (case.status, dict(case.values), case.sla, len(case.events))
    with pytest.raises(RuleViolation, match="may not move"):
        case.transition(
            "in_review", role=Role.CONSULTANT, user_id=ANNA, at=MON, calendar=OFFICE,
            values={"tender": "card"},
        )  # fmt: skip
    assert (case.status, dict(case.values), case.sla, len(case.events)) == before
    case.transition("in_review", role=Role.MANAGER, user_id=MARIA, at=MON, calendar=OFFICE)
    before = (case.status, dict(case.values), case.sla, len(case.events))
    with pytest.raises(ValidationError, match="Why it is approved") as info:
        case.transition(
            "refunded", role=Role.MANAGER, user_id=MARIA, at=MON, calendar=OFFICE,
            values={"tender": "card"},
        )  # fmt: skip
    assert info.value.field == "decision_note"
    assert (case.status, dict(case.values), case.sla, len(case.events)) == before


def test_history_and_sla_through_a_whole_workflow() -> None:
    case = _refund(refund="120")
    due = case.sla.due(OFFICE)
    assert due.due == MON + timedelta(hours=4)  # first response
    t1 = MON + timedelta(hours=1)
    case.transition("in_review", role=Role.SECOND_LINE, user_id=BORIS, at=t1, calendar=OFFICE)
    assert case.sla.responded_at == t1
    assert case.sla.due(OFFICE).due == MON + timedelta(days=1, hours=6)  # 16 h: Tue 15:00
    t2 = MON + timedelta(hours=2)
    case.transition("waiting_customer", role=Role.SECOND_LINE, user_id=BORIS, at=t2,
                    calendar=OFFICE, note="asked for the receipt")  # fmt: skip
    assert case.sla.is_paused and case.sla.due(OFFICE).due is None
    t3 = MON + timedelta(days=1, hours=2)  # Tuesday 11:00: waited 7 + 3 working hours
    case.transition("in_review", role=Role.CONSULTANT, user_id=ANNA, at=t3, calendar=OFFICE)
    assert case.sla.paused == timedelta(hours=10)
    assert case.sla.due(OFFICE).due == MON + timedelta(days=2, hours=6)  # 26 h: Wed 15:00
    case.transition(
        "refunded", role=Role.MANAGER, user_id=MARIA, at=t3, calendar=OFFICE,
        values={"decision_note": "receipt is genuine"},
    )  # fmt: skip
    assert case.is_finished and case.sla.stopped_at == t3
    kinds = [(e.kind, e.from_status, e.to_status) for e in case.events]
    assert kinds == [
        (EventKind.OPENED, "", "new"),
        (EventKind.TRANSITION, "new", "in_review"),
        (EventKind.TRANSITION, "in_review", "waiting_customer"),
        (EventKind.TRANSITION, "waiting_customer", "in_review"),
        (EventKind.TRANSITION, "in_review", "refunded"),
    ]
    assert case.events[2].note == "asked for the receipt"
    assert [(c.name, c.old, c.new) for c in case.events[-1].changes] == [
        ("decision_note", "", "receipt is genuine")
    ]
    assert "reopen it first" in case.can_transition("rejected", role=Role.MANAGER).reason


def test_reopening_needs_a_reason_and_the_role() -> None:
    case = _refund()
    assert "only a finished case" in case.can_reopen(Role.MANAGER).reason
    case.transition("rejected", role=Role.SECOND_LINE, user_id=BORIS, at=MON, calendar=OFFICE,
                    values={"rejection_reason": "no receipt"})  # fmt: skip
    assert case.can_reopen(Role.SECOND_LINE).reason == (
        "A second line may not reopen a Refund approval case; only: manager."
    )
    with pytest.raises(ValidationError, match="Say why") as info:
        case.reopen(reason="  ", role=Role.MANAGER, user_id=MARIA, at=MON)
    assert info.value.field == "reason"
    later = MON + timedelta(days=2)
    case.reopen(reason="receipt found", role=Role.MANAGER, user_id=MARIA, at=later)
    assert case.status == "in_review" and not case.is_finished
    assert case.sla.started_at == later and case.sla.stopped_at is None
    assert case.events[-1].kind is EventKind.REOPENED and case.events[-1].note == "receipt found"


def test_assign_comment_update_priority() -> None:
    case = _refund()
    assert case.assign(
        group="", user=BORIS, user_label="Boris", old_user_label="", by=MARIA, at=MON
    )
    assert not case.assign(group="", user=BORIS, user_label="Boris", old_user_label="Boris",
                           by=MARIA, at=MON)  # fmt: skip
    assert case.sla.responded_at == MON  # someone other than who opened it acted
    with pytest.raises(ValidationError, match="Write the comment"):
        case.comment("   ", by=BORIS, at=MON)
    with pytest.raises(ValidationError, match="under 2000"):
        case.comment("x" * 2001, by=BORIS, at=MON)
    assert case.comment(" called the customer ", by=BORIS, at=MON) == "called the customer"
    assert case.update({"tender": "card"}, by=BORIS, at=MON)
    assert not case.update({"tender": "card"}, by=BORIS, at=MON)
    with pytest.raises(ValidationError, match='has no field "colour"'):
        case.update({"colour": "red"}, by=BORIS, at=MON)
    assert case.set_priority(Priority.URGENT, by=MARIA, at=MON)
    kinds = [e.kind for e in case.events]
    assert kinds[1:] == [
        EventKind.ASSIGNED,
        EventKind.COMMENT,
        EventKind.FIELDS,
        EventKind.PRIORITY,
    ]


def test_field_values_are_typed_checked_and_stored_as_text() -> None:
    hr = parse_definitions(parse_json((ROOT / "docs/examples/hr_request.json").read_text())).types[
        0
    ]
    values = parse_values(hr, {"request_kind": "leave", "first_day": "2026-12-01", "days": "2,5",
                               "amount": "12.5", "details": "  two\n lines "})  # fmt: skip
    assert values == {
        "request_kind": "leave", "details": "two\n lines", "first_day": date(2026, 12, 1),
        "days": Decimal("2.5"), "amount": Decimal("12.50"),
    }  # fmt: skip
    stored = to_json({k: v for k, v in values.items() if v is not None})
    assert stored["amount"] == "12.50" and stored["first_day"] == "2026-12-01"
    assert from_json(hr, stored) == values
    for raw, message in (
        ({"request_kind": "holiday"}, "'holiday' is not one of the choices"),
        ({"first_day": "1.12.2026"}, "is not a date"),
        ({"days": "two"}, "'two' is not a number"),
        ({"amount": "1.234"}, "at most two decimal places"),
        ({"details": "x" * 2001}, "at most 2000 characters"),
    ):
        with pytest.raises(ValidationError, match=message):
            parse_values(hr, raw)
    assert invalid_values(hr, {"request_kind": "holiday", "gone": "x"}) == [
        "What is requested: 'holiday' is not one of the choices (leave, certificate, payroll, "
        "equipment, other).",
        'field "gone" is no longer defined',
    ]
    refund_ref = parse_values(REFUND, {"return": str(ANNA)})
    assert refund_ref["return"] == ANNA
    with pytest.raises(ValidationError, match="does not identify a return"):
        parse_values(REFUND, {"return": "RET-1"})


# -- attachments -----------------------------------------------------------------------------

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 100
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
PDF = b"%PDF-1.7\n" + b"\x00" * 100
EXE = b"MZ\x90\x00" + b"\x00" * 100


def test_attachments_are_judged_by_content() -> None:
    assert check_attachment("broken screen.JPG", JPEG).media_type == "image/jpeg"
    assert check_attachment("photo.jpeg", JPEG).name == "JPEG image"
    assert check_attachment("scan.png", PNG).media_type == "image/png"
    assert check_attachment("receipt.pdf", PDF).media_type == "application/pdf"
    assert sniff(b"GIF89a").name == "GIF image"  # type: ignore[union-attr]
    for name, content, message in (
        ("photo.jpg", EXE, "photo.jpg is a Windows program; attach JPEG, PNG or PDF files only."),
        ("photo.jpg", PDF, "photo.jpg is really a PDF document, which its name does not say"),
        ("notes.txt", b"hello there", "notes.txt is not a file type StoreDesk accepts"),
        ("empty.png", b"", "empty.png is empty."),
        ("big.jpg", JPEG + b"\x00" * 2000, "big.jpg is 2 KB; attachments may be at most 1 KB."),
        ("noext", JPEG, "noext is really a JPEG image"),
    ):
        with pytest.raises(ValidationError) as info:
            check_attachment(name, content, limit=1024)
        assert message in info.value.message and info.value.field == "file"


def test_file_names_lose_folders_and_stay_short() -> None:
    assert clean_name("C:\\Users\\anna\\Desktop\\screen.jpg") == "screen.jpg"
    assert clean_name("../../etc/passwd.png") == "passwd.png"
    long = clean_name("a" * 300 + ".jpeg")
    assert len(long) == 120 and long.endswith(".jpeg")
    with pytest.raises(ValidationError, match="no name"):
        clean_name(" / ")
