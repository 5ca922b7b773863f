"""New case types from a file, all or nothing; new versions only if open cases still fit."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from app.bootstrap import Services
from app.cli import run_command
from app.db import models as m
from app.services.auth import UserInfo
from domain.cases.parsing import CaseTypeError

ROOT = Path(__file__).resolve().parents[2]
HR = json.loads((ROOT / "docs" / "examples" / "hr_request.json").read_text(encoding="utf-8"))


def _text(doc: dict[str, Any]) -> str:
    return json.dumps(doc)


def _rows(services: Services) -> tuple[int, int, int]:
    with services.engine.connect() as conn:
        return (
            conn.scalar(select(func.count()).select_from(m.CaseTypeRecord)) or 0,
            conn.scalar(select(func.count()).select_from(m.CaseCalendarRecord)) or 0,
            conn.scalar(select(func.count()).select_from(m.CaseRecord)) or 0,
        )


def _hr(version: int = 1) -> dict[str, Any]:
    doc = copy.deepcopy(HR)
    doc["types"][0]["version"] = version
    return doc


def test_an_hr_request_type_is_added_from_a_file_and_used(
    demo_services: Services, anna: UserInfo, maria: UserInfo
) -> None:
    cases = demo_services.cases
    summary = cases.import_types(_text(HR), source="hr_request.json")
    assert summary.added == ("hr_request",) and summary.calendars == ("hr_office",)
    assert cases.case_type("hr_request").source == "hr_request.json"
    again = cases.import_types(_text(HR), source="hr_request.json")
    assert again.unchanged == ("hr_request",) and not again.changed
    assert "hr" in cases.groups()
    opened = cases.create(
        "hr_request", summary="Leave in December", user=anna,
        values={"request_kind": "leave", "details": "Two weeks", "first_day": "2026-12-14",
                "days": "10"},
    )  # fmt: skip
    case_id = opened.detail.card.id
    assert opened.detail.card.assignee_group == "hr"
    with pytest.raises(Exception, match="A consultant may not move a HR request"):
        cases.transition(case_id, "in_progress", user=anna)
    cases.transition(case_id, "in_progress", user=maria)
    done = cases.transition(case_id, "done", user=maria, values={"decision": "approved"})
    assert done.detail.card.status_label == "Done" and not done.detail.card.is_open


def test_a_file_with_one_bad_type_installs_nothing(demo_services: Services) -> None:
    cases = demo_services.cases
    cases.ready()
    before = _rows(demo_services)
    doc = _hr()
    bad = copy.deepcopy(doc["types"][0])
    bad["code"] = "hr_other"
    bad["workflow"]["transitions"][0]["to"] = "in_progres"
    doc["types"].append(bad)
    with pytest.raises(CaseTypeError) as info:
        cases.import_types(_text(doc), source="x.json")
    assert info.value.problems == [
        "types[1] (hr_other).workflow.transitions[0] (submitted → in_progres).to: unknown "
        'status "in_progres" (did you mean "in_progress"?); the statuses are submitted, '
        "in_progress, waiting_employee, manager_approval, done, declined"
    ]
    assert _rows(demo_services) == before
    with pytest.raises(CaseTypeError, match="not valid JSON"):
        cases.import_types("{", source="x.json")
    assert _rows(demo_services) == before


def test_new_versions_must_keep_open_cases_valid(
    demo_services: Services, anna: UserInfo, maria: UserInfo
) -> None:
    cases = demo_services.cases
    cases.import_types(_text(_hr()), source="v1.json")
    opened = cases.create(
        "hr_request", summary="Payroll question", user=anna,
        values={"request_kind": "payroll", "details": "Overtime missing"},
    )  # fmt: skip
    case_id = opened.detail.card.id
    cases.transition(case_id, "in_progress", user=maria)
    before = _rows(demo_services)
    # Changing version 1 in place is refused: say version 2.
    changed = _hr()
    changed["types"][0]["title"] = "HR matter"
    with pytest.raises(CaseTypeError, match='give the changed definition "version": 2'):
        cases.import_types(_text(changed), source="v1b.json")
    # Version 2 without the status the open case is in, and without its choice: refused.
    v2 = _hr(2)
    wf = v2["types"][0]["workflow"]
    wf["statuses"] = [s for s in wf["statuses"] if s["name"] != "in_progress"]
    wf["transitions"] = [
        {"from": "submitted", "to": "done", "roles": ["manager"]},
        {"from": "submitted", "to": "manager_approval", "roles": ["manager"]},
        {"from": "manager_approval", "to": "waiting_employee", "roles": ["manager"]},
        {"from": "waiting_employee", "to": "declined", "roles": ["manager"]},
    ]
    wf["reopen"] = {"to": "submitted", "roles": ["manager"]}
    v2["types"][0]["fields"][0]["choices"] = ["leave", "certificate"]
    with pytest.raises(CaseTypeError) as info:
        cases.import_types(_text(v2), source="v2.json")
    (problem,) = info.value.problems
    assert problem.startswith(
        f"types (hr_request): version 2 does not fit open case {opened.detail.card.number}: "
        "its status \"in_progress\" no longer exists; What is requested: 'payroll' is not one "
        "of the choices"
    )
    assert _rows(demo_services) == before
    # A compatible version 2 (one more field) is taken and the open case moves to it.
    ok = _hr(2)
    ok["types"][0]["fields"].append({"name": "cost_centre", "label": "Cost centre", "type": "text"})
    summary = cases.import_types(_text(ok), source="v2.json")
    assert summary.upgraded == (("hr_request", 1, 2),) and summary.moved_cases == 1
    detail = cases.detail(case_id, user=maria)
    assert detail.type.version == 2 and "cost_centre" in [f.name for f in detail.fields]
    with pytest.raises(CaseTypeError, match="older than the installed version 2"):
        cases.import_types(_text(_hr(1)), source="v1.json")


def test_check_only_changes_nothing(demo_services: Services) -> None:
    demo_services.cases.ready()
    before = _rows(demo_services)
    summary = demo_services.cases.import_types(_text(HR), source="x", check_only=True)
    assert summary.added == ("hr_request",)
    assert _rows(demo_services) == before


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run_command(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_the_cases_command(tmp_path: Path) -> None:
    home = ["--home", str(tmp_path / "home")]
    hr_file = ROOT / "docs" / "examples" / "hr_request.json"
    code, out, err = _run(*home, "cases", "import-types", str(hr_file), "--check")
    assert code == 0, err
    assert out.startswith(f"{hr_file} is valid: added hr_request; calendars hr_office.")
    code, out, _ = _run(*home, "cases", "list-types")
    assert code == 0 and "hr_request" not in out and "refund" in out
    code, out, _ = _run(*home, "cases", "import-types", str(hr_file))
    assert code == 0 and "Case types imported from" in out
    code, out, _ = _run(*home, "cases", "list-types")
    assert "HR request" in out and "(hr_request.json)" in out
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "storedesk-case-types/1", "types": [{"code": "x"}]}))
    code, _, err = _run(*home, "cases", "import-types", str(bad))
    assert code == 1
    assert f"{bad} was not imported; nothing changed:" in err
    assert 'types[0] (x): "version" is missing' in err
    code, out, _ = _run(*home, "cases", "list", "--sla", "breached")
    assert code == 0 and out.strip() == "0 of 0 cases."
    code, _, _ = _run(*home, "cases", "frobnicate")
    assert code == 2
