"""Reading calendars and case types (their SLA and fields) on top of the workflow reader."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from domain.cases.calendar import WEEKDAYS, BusinessCalendar, CalendarError, load_zone
from domain.cases.definitions import CaseType, FieldDef, FieldType, Priority, RefKind, SlaDef
from domain.cases.reading import MISSING, duplicates, labelled, suggest
from domain.cases.workflow_reader import WorkflowReader
from domain.json_values import describe


class DefinitionReader(WorkflowReader):
    """Reads whole definition entries: calendars, and case types with their SLA, fields
    and workflow."""

    def calendar(self, value: Any, where: str) -> BusinessCalendar | None:
        where = labelled(where, value, "name")
        before = len(self.problems)
        data = self.obj(
            value, where, required=("name", "hours"), optional=("label", "time_zone", "closed")
        )
        if data is None:
            return None
        name = self.name(data.get("name", MISSING), f"{where}.name")
        label = self.text(data.get("label", name), f"{where}.label", max_length=100)
        zone = self.text(data.get("time_zone", ""), f"{where}.time_zone", required=False)
        try:
            load_zone(zone)
        except CalendarError as exc:
            self.problem(f"{where}.time_zone", str(exc))
        hours = data.get("hours", MISSING)
        days: dict[str, str] = {}
        if not isinstance(hours, dict):
            if "hours" in data:
                self.problem(f"{where}.hours", f"must be an object, not {describe(hours)}")
        else:
            for day, text in hours.items():
                if day not in WEEKDAYS:
                    self.problem(f"{where}.hours", f'unknown weekday "{day}" (use mon … sun)')
                elif not isinstance(text, str):
                    self.problem(f"{where}.hours.{day}", f"must be text, not {describe(text)}")
                else:
                    days[day] = text
        closed: set[date] = set()
        for i, item in enumerate(self.array(data.get("closed", []), f"{where}.closed")):
            try:
                closed.add(date.fromisoformat(item))
            except (TypeError, ValueError):
                self.problem(f"{where}.closed[{i}]", f"{describe(item)} is not a date YYYY-MM-DD")
        if len(self.problems) > before:
            return None
        try:
            return BusinessCalendar.from_hours(
                name, days, time_zone=zone, closed=frozenset(closed), label=label
            )
        except CalendarError as exc:
            self.problem(f"{where}.hours", str(exc))
            return None

    # -- types -------------------------------------------------------------------------------

    def case_type(
        self, value: Any, where: str, *, calendars: Collection[str] | None
    ) -> CaseType | None:
        where = labelled(where, value, "code")
        before = len(self.problems)
        data = self.obj(
            value,
            where,
            required=("code", "version", "title", "sla", "default_group", "fields", "workflow"),
            optional=("department", "description", "default_priority"),
        )
        if data is None:
            return None
        code = self.name(data.get("code", MISSING), f"{where}.code")
        version = data.get("version", MISSING)
        if version is not MISSING and (
            isinstance(version, bool) or not isinstance(version, int) or version < 1
        ):
            self.problem(
                f"{where}.version", f"must be a whole number from 1, not {describe(version)}"
            )
        title = self.text(data.get("title", MISSING), f"{where}.title", max_length=100)
        department = self.text(data.get("department", ""), f"{where}.department", required=False)
        description = self.text(
            data.get("description", ""), f"{where}.description", required=False, max_length=2000
        )
        priority = Priority.NORMAL
        raw_priority = data.get("default_priority", "normal")
        if raw_priority in {p.value for p in Priority}:
            priority = Priority(raw_priority)
        else:
            known = ", ".join(p.value for p in Priority)
            self.problem(
                f"{where}.default_priority",
                f"{describe(raw_priority)} is not a priority; use one of {known}",
            )
        group = self.name(data.get("default_group", MISSING), f"{where}.default_group")
        sla = self.sla(data.get("sla", MISSING), f"{where}.sla", calendars)
        fields = self.fields(data.get("fields", MISSING), f"{where}.fields")
        workflow = self.workflow(data.get("workflow", MISSING), f"{where}.workflow", fields)
        if len(self.problems) > before or sla is None or workflow is None:
            return None
        assert isinstance(version, int)
        return CaseType(
            code=code, version=version, title=title, fields=tuple(fields), workflow=workflow,
            sla=sla, default_group=group, default_priority=priority, department=department,
            description=description,
        )  # fmt: skip

    def sla(self, value: Any, where: str, calendars: Collection[str] | None) -> SlaDef | None:
        data = self.obj(
            value,
            where,
            required=("calendar", "first_response_hours", "resolution_hours"),
            optional=("warn_before_hours",),
        )
        if data is None:
            return None
        calendar = self.name(data.get("calendar", MISSING), f"{where}.calendar")
        if calendar and calendars is not None and calendar not in calendars:
            known = ", ".join(sorted(calendars)) or "none"
            self.problem(
                f"{where}.calendar",
                f'unknown calendar "{calendar}"{suggest(calendar, calendars)}; '
                f"the calendars are {known}",
            )
        first = self.hours(
            data.get("first_response_hours", MISSING), f"{where}.first_response_hours"
        )
        resolution = self.hours(data.get("resolution_hours", MISSING), f"{where}.resolution_hours")
        warn = self.hours(
            data.get("warn_before_hours", 2), f"{where}.warn_before_hours", zero_ok=True
        )
        if first and resolution and first > resolution:
            self.problem(where, "the first response cannot be due after the resolution")
        return SlaDef(calendar, first, resolution, warn)

    def fields(self, value: Any, where: str) -> list[FieldDef]:
        out: list[FieldDef] = []
        for i, entry in enumerate(self.array(value, where)):
            found = self.field(entry, f"{where}[{i}]")
            if found is not None:
                out.append(found)
        duplicates(self, where, [f.name for f in out], "field")
        return out

    def field(self, value: Any, where: str) -> FieldDef | None:
        where = labelled(where, value, "name")
        before = len(self.problems)
        data = self.obj(
            value,
            where,
            required=("name", "label", "type"),
            optional=("required", "choices", "to", "case_type", "max_length", "help"),
        )
        if data is None:
            return None
        name = self.name(data.get("name", MISSING), f"{where}.name")
        label = self.text(data.get("label", MISSING), f"{where}.label", max_length=100)
        raw_type = data.get("type", MISSING)
        kinds = [t.value for t in FieldType]
        if raw_type is MISSING:
            return None
        if raw_type not in kinds:
            shown = raw_type if isinstance(raw_type, str) else describe(raw_type)
            self.problem(
                f"{where}.type",
                f'unknown field type "{shown}"{suggest(str(shown), kinds)}; '
                f"the types are {', '.join(kinds)}",
            )
            return None
        kind = FieldType(raw_type)
        required = self.flag(data.get("required", False), f"{where}.required")
        choices: tuple[str, ...] = ()
        if kind is FieldType.CHOICE:
            items = self.array(data.get("choices"), f"{where}.choices")
            choices = tuple(self.text(c, f"{where}.choices", max_length=100) for c in items)
            if isinstance(data.get("choices"), list) and not choices:
                self.problem(f"{where}.choices", "a choice field needs at least one choice")
            duplicates(self, f"{where}.choices", list(choices), "choice")
        elif "choices" in data:
            self.problem(f"{where}.choices", "only a choice field has choices")
        to: RefKind | None = None
        case_type = ""
        if kind is FieldType.REFERENCE:
            raw_to = data.get("to", MISSING)
            targets = [k.value for k in RefKind]
            if raw_to in targets:
                to = RefKind(raw_to)
            elif raw_to is MISSING:
                self.problem(where, f'a reference field needs "to": one of {", ".join(targets)}')
            else:
                shown = raw_to if isinstance(raw_to, str) else describe(raw_to)
                self.problem(
                    f"{where}.to",
                    f'a reference to "{shown}" is not possible{suggest(str(shown), targets)}; '
                    f"it can refer to {', '.join(targets)}",
                )
            if "case_type" in data:
                if to is RefKind.CASE:
                    case_type = self.name(data["case_type"], f"{where}.case_type")
                else:
                    self.problem(f"{where}.case_type", 'only a reference "to": "case" has it')
        else:
            for key in ("to", "case_type"):
                if key in data:
                    self.problem(f"{where}.{key}", "only a reference field has it")
        max_length = 500
        if "max_length" in data:
            raw = data["max_length"]
            if kind is not FieldType.TEXT:
                self.problem(f"{where}.max_length", "only a text field has it")
            elif isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= 5000:
                self.problem(f"{where}.max_length", "must be a whole number from 1 to 5000")
            else:
                max_length = raw
        help_text = self.text(data.get("help", ""), f"{where}.help", required=False, max_length=300)
        if len(self.problems) > before:
            return None
        return FieldDef(
            name=name, label=label, type=kind, required=required, choices=choices, to=to,
            case_type=case_type, max_length=max_length, help=help_text,
        )  # fmt: skip
