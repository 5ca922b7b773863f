"""One case: its fields, the next steps of its workflow, comments, attachments and history.

Keys: F9 opens the linked customer's 360; Ctrl+T takes the case (assigns it to you);
Ctrl+S saves edited fields; Ctrl+Return adds the comment; Ctrl+O attaches a file; F5
reloads. Each workflow step is a button (greyed with the reason when this user may not take
it); the values typed into the fields go with the step, so a step that needs a field is
filled in and taken in one go. Every change sends the version the case was read at: if
someone else changed it meanwhile (here or at another terminal), nothing is changed, the
case is reloaded and the message says so.

Mixed in: :mod:`ui.screens.case_actions` (the steps, edits, comments and files the window
sends as changes).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import DomainError
from app.services.case_views import CaseChanged
from domain.cases.definitions import Priority
from domain.users import Permission
from ui.forms import error_label
from ui.keys import shortcut
from ui.ops import Lane, Runner, op
from ui.screens.case_actions import CaseActions, Change
from ui.screens.case_board import SLA_WORDS, assignee_text, due_text
from ui.screens.case_fields import CaseFieldsForm

if TYPE_CHECKING:
    from app.bootstrap import Services
    from app.services.auth import UserInfo
    from app.services.case_views import Assignable, CaseDetail, CaseUpdate


def _when(at: datetime) -> str:
    return at.astimezone().strftime("%d.%m.%Y %H:%M")


class CaseDetailDialog(CaseActions, QDialog):
    changed = Signal(object)  # CaseDetail after each change that was saved
    customer_requested = Signal(object)  # customer id (F9)

    def __init__(
        self,
        services: Services,
        runner: Runner,
        case_id: uuid.UUID,
        user: UserInfo,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("case_detail")
        self.setWindowTitle("Case")
        self.resize(980, 720)
        self._services = services
        self._runner = runner
        self._user = user
        self.case_id = case_id
        self.detail: CaseDetail | None = None

        self.title = QLabel("…")
        self.title.setObjectName("case_title")
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.title.setWordWrap(True)
        self.message = error_label()
        self.message.setObjectName("case_message")
        self.info = QLabel()
        self.info.setObjectName("case_info")
        self.info.setWordWrap(True)

        self.fields = CaseFieldsForm()
        self.save_fields_button = QPushButton("&Save fields (Ctrl+S)")
        self.save_fields_button.setObjectName("save_fields")
        self.save_fields_button.clicked.connect(self.save_fields)
        self.note = QLineEdit()
        self.note.setObjectName("step_note")
        self.note.setPlaceholderText("Note for the next step (optional)")
        self.steps_row = QHBoxLayout()
        self.step_buttons: dict[str, QPushButton] = {}
        self.reopen_button = QPushButton("Re&open…")
        self.reopen_button.setObjectName("reopen")
        self.reopen_button.clicked.connect(self.ask_reopen)

        self.customer_button = QPushButton("Customer &360 (F9)")
        self.customer_button.setObjectName("open_customer")
        self.customer_button.clicked.connect(self.open_customer)
        self.links = QLabel()
        self.links.setObjectName("case_links")
        self.links.setWordWrap(True)
        self.take_button = QPushButton("&Take it (Ctrl+T)")
        self.take_button.setObjectName("take")
        self.take_button.clicked.connect(self.take)
        self.group = QComboBox()
        self.group.setObjectName("assign_group")
        self.person = QComboBox()
        self.person.setObjectName("assign_person")
        self.assign_button = QPushButton("Assi&gn")
        self.assign_button.setObjectName("assign")
        self.assign_button.clicked.connect(self.assign)
        self.priority = QComboBox()
        self.priority.setObjectName("priority")
        for p in Priority:
            self.priority.addItem(p.value, p)
        self.priority.activated.connect(lambda _i: self.set_priority())

        self.comments = QListWidget()
        self.comments.setObjectName("comments")
        self.comments.setWordWrap(True)
        self.comment = QPlainTextEdit()
        self.comment.setObjectName("comment")
        self.comment.setPlaceholderText("Comment (Ctrl+Return adds it)")
        self.comment.setFixedHeight(60)
        self.comment.installEventFilter(self)  # Ctrl+Return there adds it (not a new line)
        self.comment_button = QPushButton("Add &comment")
        self.comment_button.setObjectName("add_comment")
        self.comment_button.clicked.connect(self.add_comment)
        self.attachments = QListWidget()
        self.attachments.setObjectName("attachments")
        self.attachments.itemActivated.connect(lambda _i: self.save_attachment())
        self.attach_button = QPushButton("&Attach file… (Ctrl+O)")
        self.attach_button.setObjectName("attach")
        self.attach_button.clicked.connect(self.choose_attachment)
        self.history = QListWidget()
        self.history.setObjectName("history")
        self.history.setWordWrap(True)

        self._layout()
        shortcut("F9", self, self.open_customer)
        shortcut("Ctrl+T", self, self.take)
        shortcut("Ctrl+S", self, self.save_fields)
        shortcut("Ctrl+Return", self, self.add_comment)
        shortcut("Ctrl+O", self, self.choose_attachment)
        shortcut("F5", self, self.reload)
        self.reload()

    def _layout(self) -> None:
        work = QGroupBox("Details")
        w = QVBoxLayout(work)
        w.addWidget(self.fields)
        save_row = QHBoxLayout()
        save_row.addStretch(1)
        save_row.addWidget(self.save_fields_button)
        w.addLayout(save_row)
        w.addWidget(QLabel("<b>Next step</b>"))
        w.addWidget(self.note)
        w.addLayout(self.steps_row)
        w.addStretch(1)

        who = QGroupBox("Who and what")
        g = QGridLayout(who)
        g.addWidget(self.links, 0, 0, 1, 3)
        g.addWidget(self.customer_button, 1, 0)
        g.addWidget(self.take_button, 1, 1)
        g.addWidget(QLabel("Priority"), 2, 0)
        g.addWidget(self.priority, 2, 1)
        g.addWidget(QLabel("Group / person"), 3, 0)
        g.addWidget(self.group, 3, 1)
        g.addWidget(self.person, 3, 2)
        g.addWidget(self.assign_button, 4, 2)

        talk = QGroupBox("Comments and files")
        t = QVBoxLayout(talk)
        t.addWidget(self.comments, 2)
        t.addWidget(self.comment)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.comment_button)
        t.addLayout(row)
        t.addWidget(self.attachments, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.attach_button)
        t.addLayout(row)

        hist = QGroupBox("History")
        h = QVBoxLayout(hist)
        h.addWidget(self.history)

        grid = QGridLayout()
        grid.addWidget(work, 0, 0)
        grid.addWidget(who, 0, 1)
        grid.addWidget(talk, 1, 0)
        grid.addWidget(hist, 1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.info)
        layout.addWidget(self.message)
        layout.addLayout(grid, 1)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if (
            watched is self.comment
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self.add_comment()
            return True
        return super().eventFilter(watched, event)

    # -- loading ---------------------------------------------------------------------------
    def reload(self) -> None:
        cases, case_id, user = self._services.cases, self.case_id, self._user
        op(self._runner, lambda: cases.detail(case_id, user=user)).success(
            self.show_detail
        ).failure(self._failed).run()
        if not self.group.count():
            op(self._runner, lambda: (cases.groups(), cases.assignable())).success(
                self._fill_assignees
            ).run()

    def _fill_assignees(self, found: tuple[list[str], list[Assignable]]) -> None:
        groups, people = found
        current = self.detail.card.assignee_group if self.detail else ""
        self.group.clear()
        for g in groups:
            self.group.addItem(g.replace("_", " "), g)
        self.group.setCurrentIndex(max(self.group.findData(current), 0))
        self.person.clear()
        self.person.addItem("nobody yet (the group's queue)", None)
        for p in people:
            self.person.addItem(f"{p.name} ({p.role})", str(p.id))
        if self.detail is not None:
            self.person.setCurrentIndex(
                max(self.person.findData(str(self.detail.card.assignee_id)), 0)
            )

    def show_detail(self, detail: CaseDetail) -> None:
        self.detail = detail
        card = detail.card
        self.setWindowTitle(f"Case {card.number}")
        self.title.setText(
            f"<h2>{card.number} — {card.type_title}: {card.status_label}</h2>{card.summary}"
        )
        state = SLA_WORDS[card.sla]
        self.info.setText(
            f"Opened {_when(card.opened_at)} by {detail.opened_by_name} at {card.store_id} · "
            f"priority {card.priority.value} · {assignee_text(card)} · "
            f"{due_text(card, datetime.now(UTC))} "
            f"({state}) · first answer due {_when(detail.response_due_at)}, "
            f"resolution due {_when(detail.resolution_due_at)}"
        )
        labels = {link.kind: link.label for link in detail.links}
        references = {
            f.name: labels[f.to] for f in detail.fields if f.to is not None and f.to in labels
        }
        self.fields.show_fields(detail.fields, references=references)
        self.links.setText(
            "<br>".join(
                f"{link.kind.value.replace('_', ' ')}: {link.label}" for link in detail.links
            )
            or "Not linked to a customer or an order."
        )
        self.links.setTextFormat(Qt.TextFormat.RichText)
        self.customer_button.setEnabled(card.customer_id is not None)
        self.priority.setCurrentIndex(self.priority.findData(card.priority))
        self.priority.setEnabled(self._user.can(Permission.WORK_CASES) and card.is_open)
        self.take_button.setEnabled(card.is_open and card.assignee_id != self._user.id)
        self.assign_button.setEnabled(card.is_open)
        self.group.setCurrentIndex(max(self.group.findData(card.assignee_group), 0))
        self.person.setCurrentIndex(max(self.person.findData(str(card.assignee_id)), 0))
        self._show_steps(detail)
        self.comments.clear()
        for c in detail.comments:
            self.comments.addItem(f"{_when(c.at)}  {c.user_name}: {c.body}")
        self.attachments.clear()
        for a in detail.attachments:
            item = QListWidgetItem(
                f"{a.file_name}  ({a.size_bytes // 1024 or 1} kB, {a.user_name}, {_when(a.at)})"
            )
            item.setData(Qt.ItemDataRole.UserRole, a.id)
            self.attachments.addItem(item)
        self.history.clear()
        for e in reversed(detail.history):  # newest first
            text = f"{_when(e.at)}  {e.text}"
            if e.note and e.note not in e.text:
                text += f" — “{e.note}”"
            self.history.addItem(text)

    def _show_steps(self, detail: CaseDetail) -> None:
        while self.steps_row.count():
            item = self.steps_row.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None and widget is not self.reopen_button:
                widget.deleteLater()
        self.step_buttons = {}
        for step in detail.steps:
            button = QPushButton(step.label)
            button.setObjectName(f"step_{step.target}")
            # A step only waiting for a field is offered: the field is filled in with it.
            button.setEnabled(step.allowed or step.role_allows)
            needs = ", ".join(self._label(f) for f in step.required_fields)
            tip = f"To {step.status_label}" + (f"; fill in {needs} first" if needs else "")
            button.setToolTip(tip if button.isEnabled() else f"{tip}. {step.reason}")
            button.clicked.connect(lambda _c=False, t=step.target: self.take_step(t))
            self.steps_row.addWidget(button)
            self.step_buttons[step.target] = button
        self.steps_row.addStretch(1)
        finished = not detail.card.is_open
        self.reopen_button.setVisible(finished)
        self.reopen_button.setEnabled(detail.can_reopen)
        self.reopen_button.setToolTip(detail.reopen_reason)
        self.steps_row.addWidget(self.reopen_button)

    def _label(self, name: str) -> str:
        fields = self.detail.fields if self.detail else ()
        return next((f.label for f in fields if f.name == name), name.replace("_", " "))

    # -- changes ---------------------------------------------------------------------------
    def _change(self, change: Change, done: Callable[[], None] = lambda: None) -> None:
        if self.detail is None:
            return
        version = self.detail.card.version

        def saved(update: CaseUpdate) -> None:
            self.message.hide()
            self.show_detail(update.detail)
            done()
            self.changed.emit(update.detail)
            if update.refund is not None:
                self._refund(update)

        op(self._runner, lambda: change(version)).success(saved).failure(self._failed).run()

    def open_customer(self) -> None:
        if self.detail is not None and self.detail.card.customer_id is not None:
            self.customer_requested.emit(self.detail.card.customer_id)

    def _refund(self, update: CaseUpdate) -> None:
        """An approved refund paid back in cash or credit is done; a card refund goes
        through the terminal now, and the agent sees its answer."""
        refund = update.refund
        assert refund is not None
        text = (
            f"Refund {refund.amount.format()} ({refund.tender}) for return {refund.return_number}."
        )
        if refund.card_refund_order_id is None:
            self._say(text, error=False)
            return
        order_id, cards, user = refund.card_refund_order_id, self._services.cards, self._user
        self._say(text + " Refunding to the card on the terminal…", error=False)
        op(self._runner, lambda: cards.refund_to_card(order_id, user=user), lane=Lane.IO).success(
            lambda results: self._say(
                f"{text} " + ("; ".join(r.message for r in results) or "Nothing to refund."),
                error=False,
            )
        ).failure(lambda exc: self._say(f"{text} The card refund waits: {exc}")).run()

    # -- messages --------------------------------------------------------------------------
    def _say(self, text: str, *, error: bool = True) -> None:
        colour = "#b00020" if error else "#1b6e20"
        self.message.setStyleSheet(f"color: {colour}; font-weight: bold;")
        self.message.setText(text)
        self.message.show()

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, CaseChanged):
            self._say(f"{exc.message} It has been reloaded: check it and try again.")
            self.reload()
            return
        if not isinstance(exc, DomainError):
            raise exc
        self._say(exc.message)
        field = getattr(exc, "field", "")
        if field:
            self.fields.focus(field)
