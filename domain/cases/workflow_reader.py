"""Reading a workflow: statuses, transitions, reopening, and the graph they make.

Beyond the shape of each entry, :meth:`WorkflowReader.graph` checks the workflow as a whole:
every status can be reached from the initial one, no open status is a dead end, and from
every open status some terminal status can be reached.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from domain.cases.definitions import FieldDef, ReopenDef, StatusDef, TransitionDef, Workflow
from domain.cases.reading import (
    MISSING,
    ShapeReader,
    duplicates,
    labelled,
    reach,
    suggest,
)
from domain.json_values import describe


class WorkflowReader(ShapeReader):
    """``actions`` are the transition actions the application carries out (None: any, for
    entries read back from the database)."""

    def __init__(self, actions: Collection[str] | None) -> None:
        super().__init__()
        self.actions = actions

    def workflow(self, value: Any, where: str, fields: list[FieldDef]) -> Workflow | None:
        before = len(self.problems)
        data = self.obj(
            value, where, required=("initial", "statuses", "transitions"), optional=("reopen",)
        )
        if data is None:
            return None
        statuses = [
            s
            for i, entry in enumerate(
                self.array(data.get("statuses", MISSING), f"{where}.statuses")
            )
            if (s := self.status(entry, f"{where}.statuses[{i}]")) is not None
        ]
        names = [s.name for s in statuses]
        duplicates(self, f"{where}.statuses", names, "status")
        if (
            isinstance(data.get("statuses", MISSING), list)
            and not statuses
            and len(self.problems) == before
        ):
            self.problem(f"{where}.statuses", "a workflow needs statuses")
        by_name = {s.name: s for s in statuses}
        initial = self.name(data.get("initial", MISSING), f"{where}.initial")
        if initial and statuses and initial not in by_name:
            self.problem(f"{where}.initial", self._unknown_status(initial, names))
        elif initial in by_name and by_name[initial].terminal:
            self.problem(f"{where}.initial", f'"{initial}" is terminal; a case could never start')
        if statuses and not any(s.terminal for s in statuses):
            self.problem(f"{where}.statuses", "no status is terminal: a case could never end")
        transitions: list[TransitionDef] = []
        for i, entry in enumerate(
            self.array(data.get("transitions", MISSING), f"{where}.transitions")
        ):
            transitions.extend(self.transition(entry, f"{where}.transitions[{i}]", by_name, fields))
        seen: set[tuple[str, str]] = set()
        for tr in transitions:
            if (tr.source, tr.target) in seen:
                self.problem(
                    f"{where}.transitions",
                    f"{tr.source} → {tr.target} is defined more than once",
                )
            seen.add((tr.source, tr.target))
        reopen = None
        if "reopen" in data:
            reopen = self.reopen(data["reopen"], f"{where}.reopen", by_name)
        if len(self.problems) > before:
            return None
        workflow = Workflow(tuple(statuses), initial, tuple(transitions), reopen)
        self.graph(workflow, where)
        return workflow if len(self.problems) == before else None

    def status(self, value: Any, where: str) -> StatusDef | None:
        where = labelled(where, value, "name")
        data = self.obj(
            value,
            where,
            required=("name", "label"),
            optional=("pauses_sla", "terminal", "resolved"),
        )
        if data is None:
            return None
        name = self.name(data.get("name", MISSING), f"{where}.name")
        label = self.text(data.get("label", MISSING), f"{where}.label", max_length=60)
        pauses = self.flag(data.get("pauses_sla", False), f"{where}.pauses_sla")
        terminal = self.flag(data.get("terminal", False), f"{where}.terminal")
        resolved = self.flag(data.get("resolved", False), f"{where}.resolved")
        if pauses and terminal:
            self.problem(where, "a terminal status cannot pause the SLA (nothing is waited for)")
        if resolved and not terminal:
            self.problem(where, "only a terminal status can be resolved")
        if not name:
            return None
        # Kept despite other problems, so transitions to it are not also reported unknown.
        return StatusDef(name, label, pauses, terminal, resolved)

    def transition(
        self, value: Any, where: str, statuses: Mapping[str, StatusDef], fields: list[FieldDef]
    ) -> list[TransitionDef]:
        data = self.obj(
            value,
            where,
            required=("from", "to", "roles"),
            optional=("required_fields", "label", "action"),
        )
        if data is None:
            return []
        raw_from = data.get("from", MISSING)
        sources = (
            [] if raw_from is MISSING else raw_from if isinstance(raw_from, list) else [raw_from]
        )
        target = self.name(data.get("to", MISSING), f"{where}.to")
        names = list(statuses)
        where = f"{where} ({'/'.join(str(s) for s in sources)} → {target})"
        for source in sources:
            source_name = self.name(source, f"{where}.from")
            if source_name and source_name not in statuses:
                self.problem(f"{where}.from", self._unknown_status(source_name, names))
            elif source_name in statuses and statuses[source_name].terminal:
                self.problem(
                    f"{where}.from",
                    f'"{source_name}" is terminal: no transition may leave it (use "reopen")',
                )
            if source_name == target:
                self.problem(where, "a transition must go to another status")
        if target and target not in statuses:
            self.problem(f"{where}.to", self._unknown_status(target, names))
        roles = self.roles(data.get("roles", MISSING), f"{where}.roles")
        required: list[str] = []
        field_names = [f.name for f in fields]
        for item in self.array(data.get("required_fields", []), f"{where}.required_fields"):
            if isinstance(item, str) and item in field_names:
                required.append(item)
            else:
                shown = item if isinstance(item, str) else describe(item)
                self.problem(
                    f"{where}.required_fields",
                    f'unknown field "{shown}"{suggest(str(shown), field_names)}; '
                    f"the fields are {', '.join(field_names) or 'none'}",
                )
        label = self.text(data.get("label", ""), f"{where}.label", required=False, max_length=60)
        action = self.text(data.get("action", ""), f"{where}.action", required=False)
        if action and self.actions is not None and action not in self.actions:
            known = ", ".join(sorted(self.actions)) or "none"
            self.problem(
                f"{where}.action",
                f'unknown action "{action}"{suggest(action, self.actions)}; '
                f"the actions StoreDesk knows are {known}",
            )
        # Returned even with problems (the workflow is then refused anyway), so that a
        # duplicate of a transition with a typo is reported in the same run.
        return [
            TransitionDef(str(s), target, roles, tuple(required), label, action) for s in sources
        ]

    def reopen(self, value: Any, where: str, statuses: Mapping[str, StatusDef]) -> ReopenDef | None:
        data = self.obj(value, where, required=("to", "roles"))
        if data is None:
            return None
        to = self.name(data.get("to", MISSING), f"{where}.to")
        if to and to not in statuses:
            self.problem(f"{where}.to", self._unknown_status(to, list(statuses)))
        elif to in statuses and statuses[to].terminal:
            self.problem(f"{where}.to", f'"{to}" is terminal; reopening must go to an open status')
        return ReopenDef(to, self.roles(data.get("roles", MISSING), f"{where}.roles"))

    def graph(self, workflow: Workflow, where: str) -> None:
        """Every status reachable from the initial one; every open status can end."""
        edges: dict[str, set[str]] = {s: set() for s in workflow.status_names}
        for tr in workflow.transitions:
            edges[tr.source].add(tr.target)
        if workflow.reopen is not None:
            for s in workflow.statuses:
                if s.terminal:
                    edges[s.name].add(workflow.reopen.to)
        reached = reach(workflow.initial, edges)
        for s in workflow.statuses:
            if s.name not in reached:
                self.problem(
                    f"{where}.statuses",
                    f'status "{s.name}" cannot be reached from the initial status '
                    f'"{workflow.initial}"',
                )
        terminal = {s.name for s in workflow.statuses if s.terminal}
        for s in workflow.statuses:
            if s.terminal or s.name not in reached:
                continue
            if not edges[s.name]:
                self.problem(
                    f"{where}.statuses",
                    f'status "{s.name}" is not terminal but no transition leaves it',
                )
            elif not reach(s.name, edges) & terminal:
                self.problem(
                    f"{where}.statuses",
                    f'from status "{s.name}" no terminal status can be reached',
                )

    @staticmethod
    def _unknown_status(name: str, names: Sequence[str]) -> str:
        return (
            f'unknown status "{name}"{suggest(name, names)}; '
            f"the statuses are {', '.join(names) or 'none'}"
        )
