"""What the case window does to the case: take a workflow step (with the fields and the
note typed for it), save the fields, take it, assign it, set its priority, comment, reopen
it, attach a file and save a copy of one.

Each change goes through the window's ``_change`` with the version the case was read at.
Part of :class:`~ui.screens.case_detail.CaseDetailDialog` (mixed in); what it uses of the
window is declared below for type checkers.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QInputDialog,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QWidget,
)

from domain.cases.definitions import Priority
from ui.ops import Lane, Runner, op
from ui.screens.case_fields import CaseFieldsForm

if TYPE_CHECKING:
    from app.bootstrap import Services
    from app.services.auth import UserInfo
    from app.services.case_views import CaseDetail, CaseUpdate

Change = Callable[[int], "CaseUpdate"]  # expected version → the case after the change


class CaseActions:
    _services: Services
    _runner: Runner
    _user: UserInfo
    case_id: uuid.UUID
    detail: CaseDetail | None
    fields: CaseFieldsForm
    note: QLineEdit
    group: QComboBox
    person: QComboBox
    priority: QComboBox
    comment: QPlainTextEdit
    attachments: QListWidget

    def _change(self, change: Change, done: Callable[[], None] = lambda: None) -> None:
        raise NotImplementedError

    def _say(self, text: str, *, error: bool = True) -> None:
        raise NotImplementedError

    def _failed(self, exc: BaseException) -> None:
        raise NotImplementedError

    def take_step(self, target: str) -> None:
        values, note = self.fields.values(changed_only=True), self.note.text().strip()
        cases, case_id, user = self._services.cases, self.case_id, self._user
        self._change(
            lambda v: cases.transition(
                case_id, target, user=user, values=values, note=note, expected_version=v
            ),
            self.note.clear,
        )

    def save_fields(self) -> None:
        values = self.fields.values(changed_only=True)
        if not values:
            self._say("Nothing to save: no field was changed.")
            return
        cases, case_id, user = self._services.cases, self.case_id, self._user
        self._change(lambda v: cases.update_fields(case_id, values, user=user, expected_version=v))

    def take(self) -> None:
        cases, case_id, user = self._services.cases, self.case_id, self._user
        self._change(lambda v: cases.take(case_id, user=user, expected_version=v))

    def assign(self) -> None:
        group = str(self.group.currentData() or "")
        chosen = self.person.currentData()
        person = uuid.UUID(chosen) if chosen else None
        cases, case_id, user = self._services.cases, self.case_id, self._user
        self._change(
            lambda v: cases.assign(
                case_id, user=user, group=group, assignee_id=person, expected_version=v
            )
        )

    def set_priority(self) -> None:
        chosen = Priority(self.priority.currentData())
        if self.detail is None or chosen == self.detail.card.priority:
            return
        cases, case_id, user = self._services.cases, self.case_id, self._user
        self._change(lambda v: cases.set_priority(case_id, chosen, user=user, expected_version=v))

    def add_comment(self) -> None:
        text = self.comment.toPlainText().strip()
        if not text:
            self._say("Write the comment first.")
            return
        cases, case_id, user = self._services.cases, self.case_id, self._user
        self._change(
            lambda v: cases.comment(case_id, text, user=user, expected_version=v),
            self.comment.clear,
        )

    def ask_reopen(self) -> None:
        reason, ok = QInputDialog.getText(
            cast(QWidget, self), "Reopen the case", "Why is it reopened?"
        )
        if ok:
            self.reopen(reason)

    def reopen(self, reason: str) -> None:
        cases, case_id, user = self._services.cases, self.case_id, self._user
        self._change(lambda v: cases.reopen(case_id, reason=reason, user=user, expected_version=v))

    def choose_attachment(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            cast(QWidget, self), "Attach a file", "", "Photos and PDFs (*.jpg *.jpeg *.png *.pdf)"
        )
        if path:
            self.attach(Path(path))

    def attach(self, path: Path) -> None:
        """Attach a photo or PDF (read off the GUI thread; the service checks its content)."""
        cases, case_id, user = self._services.cases, self.case_id, self._user

        def change(version: int) -> CaseUpdate:
            return cases.attach(
                case_id, file_name=path.name, content=path.read_bytes(), user=user,
                expected_version=version,
            )  # fmt: skip

        self._change(change)

    def save_attachment(self, target: Path | None = None) -> None:
        item = self.attachments.currentItem()
        if item is None:
            return
        attachment_id = item.data(Qt.ItemDataRole.UserRole)
        if target is None:
            name = item.text().split("  (")[0]
            chosen, _ = QFileDialog.getSaveFileName(cast(QWidget, self), "Save a copy", name)
            if not chosen:
                return
            target = Path(chosen)
        cases, out = self._services.cases, target

        def run() -> Path:
            out.write_bytes(cases.attachment(attachment_id).content)
            return out

        op(self._runner, run, lane=Lane.IO).success(
            lambda p: self._say(f"Saved a copy as {p}.")
        ).failure(self._failed).run()
