"""Case type definitions: read, checked, every problem found and said precisely."""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from domain.cases.definitions import FieldType, Priority, RefKind
from domain.cases.parsing import (
    FORMAT,
    CaseTypeError,
    calendar_from_dict,
    calendar_to_dict,
    parse_definitions,
    parse_json,
    type_from_dict,
    type_to_dict,
)
from domain.users import Role

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "resources" / "case_types"
HR_EXAMPLE = ROOT / "docs" / "examples" / "hr_request.json"
ACTIONS = {"refund"}


def _type(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "code": "repair",
        "version": 1,
        "title": "Repair",
        "default_group": "second_line",
        "sla": {"calendar": "store", "first_response_hours": 2, "resolution_hours": 16},
        "fields": [
            {"name": "fault", "label": "Fault", "type": "text", "required": True},
            {"name": "cost", "label": "Cost", "type": "money"},
        ],
        "workflow": {
            "initial": "new",
            "statuses": [
                {"name": "new", "label": "New"},
                {"name": "fixing", "label": "Fixing"},
                {"name": "waiting", "label": "Waiting", "pauses_sla": True},
                {"name": "done", "label": "Done", "terminal": True, "resolved": True},
            ],
            "transitions": [
                {"from": "new", "to": "fixing", "roles": ["second_line"]},
                {"from": "fixing", "to": "waiting", "roles": ["second_line"]},
                {"from": "waiting", "to": "fixing", "roles": ["consultant", "second_line"]},
                {"from": ["new", "fixing"], "to": "done", "roles": ["manager"],
                 "required_fields": ["cost"]},
            ],
            "reopen": {"to": "fixing", "roles": ["manager"]},
        },
    }  # fmt: skip
    base.update(changes)
    return base


def _doc(*types: dict[str, Any], calendars: list[Any] | None = None) -> dict[str, Any]:
    if calendars is None:
        calendars = [{"name": "store", "hours": {"mon": "09:00-18:00"}}]
    return {"format": FORMAT, "calendars": calendars, "types": list(types)}


def _problems(doc: Any, **kwargs: Any) -> list[str]:
    with pytest.raises(CaseTypeError) as info:
        parse_definitions(doc, actions=ACTIONS, **kwargs)
    return info.value.problems


def _workflow(t: dict[str, Any]) -> dict[str, Any]:
    workflow: dict[str, Any] = t["workflow"]
    return workflow


def test_a_definition_is_read_into_types_and_calendars() -> None:
    parsed = parse_definitions(_doc(_type()), actions=ACTIONS)
    (t,) = parsed.types
    assert (t.code, t.version, t.title, t.default_priority) == (
        "repair",
        1,
        "Repair",
        Priority.NORMAL,
    )
    assert t.sla.first_response == timedelta(hours=2) and t.sla.warn_before == timedelta(hours=2)
    assert [f.type for f in t.fields] == [FieldType.TEXT, FieldType.MONEY]
    assert t.workflow.transition("fixing", "done") is not None  # "from" as a list
    assert t.workflow.transition("new", "done").required_fields == ("cost",)  # type: ignore[union-attr]
    assert t.workflow.pauses("waiting") and t.workflow.is_terminal("done")
    assert t.workflow.reopen is not None and t.workflow.reopen.roles == {Role.MANAGER}
    assert parsed.calendars[0].name == "store"
    assert type_from_dict(type_to_dict(t)) == t
    assert calendar_from_dict(calendar_to_dict(parsed.calendars[0])) == parsed.calendars[0]


def test_every_shipped_type_is_valid_and_round_trips() -> None:
    calendars: list[Any] = []
    types: list[Any] = []
    for path in sorted(SHIPPED.glob("*.json")):
        data = parse_json(path.read_text(encoding="utf-8"))
        calendars += data.get("calendars", [])
        types += data.get("types", [])
    parsed = parse_definitions(
        {"format": FORMAT, "calendars": calendars, "types": types}, actions=ACTIONS
    )
    codes = {t.code for t in parsed.types}
    assert codes == {
        "refund", "equipment_replacement", "repair", "port_in_follow_up", "complaint",
        "kyc_review", "cash_variance", "card_payment_check", "plan_change_review",
    }  # fmt: skip
    for t in parsed.types:
        assert type_from_dict(type_to_dict(t)) == t
        assert any(s.resolved for s in t.workflow.statuses), t.code
    refund = next(t for t in parsed.types if t.code == "refund")
    assert refund.workflow.transition("in_review", "refunded").action == "refund"  # type: ignore[union-attr]
    assert refund.reference_field(RefKind.RETURN) is not None


def test_the_hr_example_needs_no_telecom_code() -> None:
    parsed = parse_definitions(parse_json(HR_EXAMPLE.read_text(encoding="utf-8")), actions=())
    (t,) = parsed.types
    assert t.department == "Human resources" and t.sla.calendar == "hr_office"
    assert parsed.calendars[0].time_zone == "Europe/Berlin"


def test_unknown_status_in_a_transition_is_named_with_a_suggestion() -> None:
    t = _type()
    _workflow(t)["transitions"].append({"from": "fixing", "to": "dnoe", "roles": ["manager"]})
    (problem,) = _problems(_doc(t))
    assert problem == (
        'types[0] (repair).workflow.transitions[4] (fixing → dnoe).to: unknown status "dnoe" '
        '(did you mean "done"?); the statuses are new, fixing, waiting, done'
    )


def test_unreachable_and_dead_end_statuses() -> None:
    t = _type()
    _workflow(t)["statuses"].append({"name": "limbo", "label": "Limbo"})
    _workflow(t)["statuses"].append({"name": "archived", "label": "Archived", "terminal": True})
    problems = _problems(_doc(t))
    assert problems == [
        'types[0] (repair).workflow.statuses: status "limbo" cannot be reached from the '
        'initial status "new"',
        'types[0] (repair).workflow.statuses: status "archived" cannot be reached from the '
        'initial status "new"',
    ]
    t = _type()
    _workflow(t)["transitions"] = [
        {"from": "new", "to": "fixing", "roles": ["second_line"]},
        {"from": "fixing", "to": "waiting", "roles": ["second_line"]},
        {"from": "waiting", "to": "fixing", "roles": ["second_line"]},
        {"from": "new", "to": "done", "roles": ["manager"]},
    ]
    assert _problems(_doc(t)) == [
        'types[0] (repair).workflow.statuses: from status "fixing" no terminal status can be '
        "reached",
        'types[0] (repair).workflow.statuses: from status "waiting" no terminal status can be '
        "reached",
    ]
    t = _type()
    _workflow(t)["transitions"] = [
        {"from": "new", "to": "fixing", "roles": ["second_line"]},
        {"from": "new", "to": "waiting", "roles": ["second_line"]},
        {"from": "new", "to": "done", "roles": ["manager"]},
    ]
    assert 'status "fixing" is not terminal but no transition leaves it' in _problems(_doc(t))[0]


def test_circular_required_references_between_types() -> None:
    a = _type(code="a", title="A")
    b = _type(code="b", title="B")
    a["fields"].append({"name": "b", "label": "B", "type": "reference", "to": "case",
                        "case_type": "b", "required": True})  # fmt: skip
    b["fields"].append({"name": "a", "label": "A", "type": "reference", "to": "case",
                        "case_type": "a", "required": True})  # fmt: skip
    (problem,) = _problems(_doc(a, b))
    assert problem.startswith("types (a).fields: circular reference a → b → a")
    # The same references, optional, are fine; a self-reference required is not.
    a["fields"][-1]["required"] = False
    parse_definitions(_doc(a, b), actions=ACTIONS)
    c = _type(code="c", title="C")
    c["fields"].append({"name": "parent", "label": "Parent", "type": "reference", "to": "case",
                        "case_type": "c", "required": True})  # fmt: skip
    assert "circular reference c → c" in _problems(_doc(c))[0]
    # A ring closed by a new type through an installed one is found too.
    a["fields"][-1]["required"] = True
    plain_b = _type(code="b", title="B")
    installed = {t.code: t for t in parse_definitions(_doc(a, plain_b), actions=ACTIONS).types}
    (problem,) = _problems(_doc(b), known_types=installed)
    assert "circular reference a → b → a" in problem


def test_unknown_field_type_role_action_and_duplicates() -> None:
    t = _type()
    t["fields"] = [
        {"name": "fault", "label": "Fault", "type": "txet"},
        {"name": "cost", "label": "Cost", "type": "money"},
        {"name": "cost", "label": "Cost again", "type": "number"},
        {"name": "kind", "label": "Kind", "type": "choice", "choices": []},
        {"name": "who", "label": "Who", "type": "reference", "to": "employee"},
    ]
    _workflow(t)["transitions"][0]["roles"] = ["secondline"]
    _workflow(t)["transitions"][1]["action"] = "pay"
    _workflow(t)["transitions"].append({"from": "new", "to": "fixing", "roles": ["manager"]})
    problems = _problems(_doc(t, copy.deepcopy(t)))
    assert problems[:7] == [
        'types[0] (repair).fields[0] (fault).type: unknown field type "txet" (did you mean '
        '"text"?); the types are text, number, money, date, choice, reference',
        "types[0] (repair).fields[3] (kind).choices: a choice field needs at least one choice",
        'types[0] (repair).fields[4] (who).to: a reference to "employee" is not possible; it '
        "can refer to customer, order, subscription, device, payment, return, till_session, "
        "port_in_request, payment_intent, case",
        'types[0] (repair).fields: the field "cost" is defined more than once',
        "types[0] (repair).workflow.transitions[0] (new → fixing).roles: unknown role "
        '"secondline" (did you mean "second_line"?); the roles are consultant, second_line, '
        "manager, it_admin",
        "types[0] (repair).workflow.transitions[1] (fixing → waiting).action: unknown action "
        '"pay"; the actions StoreDesk knows are refund',
        "types[0] (repair).workflow.transitions: new → fixing is defined more than once",
    ]
    assert problems[-1] == 'types: the case type "repair" is defined more than once'


def test_shape_problems_are_all_reported_with_where() -> None:
    t = _type(colour="blue", version=0, default_priority="asap")
    t["sla"] = {"calendar": "stroe", "first_response_hours": 20, "resolution_hours": "x"}
    del _workflow(t)["initial"]
    problems = _problems(_doc(t))
    assert problems == [
        'types[0] (repair): unknown key "colour"',
        "types[0] (repair).version: must be a whole number from 1, not the number 0",
        'types[0] (repair).default_priority: the text "asap" is not a priority; use one of '
        "low, normal, high, urgent",
        'types[0] (repair).sla.calendar: unknown calendar "stroe" (did you mean "store"?); '
        "the calendars are store",
        'types[0] (repair).sla.resolution_hours: must be a number of hours, not the text "x"',
        'types[0] (repair).workflow: "initial" is missing',
    ]
    assert _problems({"format": "v2"}) == [
        'format: must be "storedesk-case-types/1", not the text "v2"',
    ]
    assert _problems([]) == ["the file: must be an object, not a list"]
    assert _problems({"format": FORMAT}) == ["the file: defines no case types and no calendars"]


def test_terminal_and_waiting_statuses_are_consistent() -> None:
    t = _type()
    _workflow(t)["statuses"][3]["pauses_sla"] = True
    _workflow(t)["statuses"][1]["resolved"] = True
    _workflow(t)["transitions"].append({"from": "done", "to": "new", "roles": ["manager"]})
    _workflow(t)["reopen"] = {"to": "done", "roles": ["manager"]}
    problems = _problems(_doc(t))
    assert len(problems) == 4, problems
    assert "(fixing): only a terminal status can be resolved" in problems[0]
    assert "(done): a terminal status cannot pause the SLA" in problems[1]
    assert 'transitions[4] (done → new).from: "done" is terminal' in problems[2]
    assert 'reopen.to: "done" is terminal' in problems[3]


def test_json_syntax_and_duplicate_keys() -> None:
    with pytest.raises(CaseTypeError, match="line 1, column 2: this is not valid JSON"):
        parse_json("{oops}")
    with pytest.raises(CaseTypeError, match='the key "code" is written twice'):
        parse_json('{"code": "a", "code": "b"}')
    assert parse_json("\ufeff" + json.dumps({"a": 1.5}))["a"] == pytest.approx(1.5)


def test_hours_are_whole_minutes_and_first_response_comes_first() -> None:
    t = _type()
    t["sla"] = {"calendar": "store", "first_response_hours": 0.001, "resolution_hours": 1.5}
    assert "must be whole minutes" in _problems(_doc(t))[0]
    t["sla"] = {"calendar": "store", "first_response_hours": 3, "resolution_hours": 1.5}
    assert _problems(_doc(t)) == [
        "types[0] (repair).sla: the first response cannot be due after the resolution"
    ]
