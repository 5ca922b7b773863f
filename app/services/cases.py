"""The case system's one facade for the UI and the CLI: plain commands in, plain results out.

Every change is one unit of work (durable: a refund's money moves in it) that loads the
case, lets the domain :class:`~domain.cases.case.Case` check and apply it, and writes the
case row, its history events and the customer's timeline entry together; an error anywhere
changes nothing. Every change bumps the case's ``version``: pass the version the screen
shows as ``expected_version`` and a case someone else changed meanwhile is refused with
:class:`~app.services.case_views.CaseChanged` (nothing changed) instead of being
overwritten. Results carry the case as it now is (:class:`CaseUpdate`).

Roles: transitions and reopening follow the workflow's roles (data, per type); assigning
someone else and changing the priority need ``WORK_CASES`` (second line, manager); anyone
may open a case, comment and attach. A transition whose workflow action is ``refund``
pays the waiting return out through :mod:`app.services.return_settlement` in the same
transaction. The shipped case types are installed on first use (:meth:`CaseService.ready`).

Threading: like every service, call it off the GUI thread; one instance may be shared.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.changes import Changes
from app.db import models as m
from app.db.types import utcnow
from app.db.uow import UnitOfWork
from app.errors import AccessDenied, NotFound
from app.services import case_board, case_detail, case_queues, case_types
from app.services.auth import UserInfo
from app.services.case_actions import run_action
from app.services.case_changes import Change, case_calendar, run_change
from app.services.case_files import AttachmentStore
from app.services.case_handoffs import adopt_waiting
from app.services.case_remote import record_remote_events
from app.services.case_rows import REF_TABLES, open_case
from app.services.case_types import ImportSummary, TypeCache
from app.services.case_views import (
    Assignable,
    AttachmentFile,
    CaseBoard,
    CaseCard,
    CaseDetail,
    CaseFilter,
    CaseLinks,
    CaseTypeView,
    CaseUpdate,
)
from app.services.return_settlement import SettledRefund
from domain.cases.attachments import DEFAULT_LIMIT, check_attachment, clean_name
from domain.cases.calendar import BusinessCalendar
from domain.cases.case import Case
from domain.cases.definitions import Priority, RefKind
from domain.cases.parsing import CaseTypeError
from domain.errors import RuleViolation, ValidationError
from domain.ids import new_id
from domain.users import Permission

log = logging.getLogger(__name__)


class CaseService:
    def __init__(
        self,
        uow: Callable[..., UnitOfWork],
        *,
        store_id: str,
        terminal_id: str,
        data_dir: Path,
        attachment_limit: int = DEFAULT_LIMIT,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._uow = uow
        self._store_id = store_id
        self._terminal_id = terminal_id
        self._files = AttachmentStore(data_dir)
        self.attachment_limit = attachment_limit
        self._clock = clock
        self._cache = TypeCache()
        self._ready = False
        self._lock = threading.Lock()

    # -- set-up ----------------------------------------------------------------------------
    def ready(self) -> None:
        """Install the shipped types and calendars and turn waiting hand-ons into cases,
        once per process (idempotent; every other method calls it first)."""
        if self._ready:
            return
        with self._lock:
            if self._ready:
                return
            with self._uow(durable=True) as uow:
                try:
                    seeded = case_types.ensure_seeded(uow.session)
                except CaseTypeError as exc:
                    # Keep working with what is installed; the problem is in the log.
                    log.warning("shipped case types not installed: %s", exc)
                    uow.session.rollback()
                    seeded = None
                adopted = adopt_waiting(uow.session)
                uow.commit()
            if seeded is not None and seeded.changed:
                log.info("case types installed: %s", seeded)
            if adopted:
                log.info("%d waiting hand-ons turned into cases", adopted)
            self._ready = True

    # -- types -----------------------------------------------------------------------------
    def list_types(self) -> list[CaseTypeView]:
        """The current version of every installed type, by title."""
        self.ready()
        with self._uow(read_only=True) as uow:
            sources = case_board.sources(uow.session)
            return [
                case_board.type_view(t, sources.get((t.code, t.version), ""))
                for t in case_types.current_types(uow.session, self._cache).values()
            ]

    def case_type(self, code: str) -> CaseTypeView:
        for view in self.list_types():
            if view.code == code:
                return view
        raise NotFound(f"There is no case type {code!r}.")

    def import_types(self, text: str, *, source: str, check_only: bool = False) -> ImportSummary:
        """Check a definition file and install it all or nothing (``check_only``: report
        what it would do, change nothing). Raises :class:`CaseTypeError` with every
        problem, each located."""
        self.ready()
        with self._uow(durable=True) as uow:
            summary = case_types.import_text(uow.session, text, source=source)
            if not check_only:
                uow.commit()
            return summary

    def groups(self) -> list[str]:
        """The queues: every type's default group and every group a case is in."""
        self.ready()
        with self._uow(read_only=True) as uow:
            return sorted(case_queues.groups(uow.session, self._cache))

    def assignable(self) -> list[Assignable]:
        """Active users, second line and managers first (who works cases)."""
        with self._uow(read_only=True) as uow:
            return case_queues.assignable(uow.session)

    # -- opening ---------------------------------------------------------------------------
    def create(
        self,
        type_code: str,
        *,
        summary: str,
        user: UserInfo,
        values: Mapping[str, object] | None = None,
        links: CaseLinks | None = None,
        priority: Priority | None = None,
        group: str = "",
        assignee_id: uuid.UUID | None = None,
        subject: tuple[RefKind, uuid.UUID] | None = None,
    ) -> CaseUpdate:
        """Open a case with the context it was started from: ``links`` (customer, order,
        subscription, device, payment) and the record it is about, ``subject`` (a return,
        a till session …); each fills the type's reference field of its kind."""
        self.ready()
        now = self._clock()
        with self._uow(durable=True) as uow:
            session = uow.session
            types = case_types.current_types(session, self._cache)
            case_type = types.get(type_code)
            if case_type is None:
                known = ", ".join(sorted(types)) or "none"
                raise ValidationError(
                    f"There is no case type {type_code!r} (types: {known}).", field="type"
                )
            if group:
                case_queues.check_group(session, self._cache, group)
            if assignee_id is not None:
                case_queues.assignee(session, assignee_id)
            if subject is not None and session.get(REF_TABLES[subject[0]], subject[1]) is None:
                raise NotFound(f"No {subject[0].value.replace('_', ' ')} has the id {subject[1]}.")
            row = open_case(
                session, case_type=case_type, calendar=case_calendar(session, case_type),
                values=values or {}, links=links or CaseLinks(), summary=summary,
                user_id=user.id, store_id=self._store_id, terminal_id=self._terminal_id,
                now=now, priority=priority, group=group, assignee_id=assignee_id,
                ref_kind=subject[0].value if subject else "",
                ref_id=subject[1] if subject else None,
            )  # fmt: skip
            case_id, customer = row.id, row.customer_id is not None
            uow.commit()
        return CaseUpdate(self.detail(case_id, user=user), Changes(cases=True, customer=customer))

    # -- changes ---------------------------------------------------------------------------
    def transition(
        self,
        case_id: uuid.UUID,
        to: str,
        *,
        user: UserInfo,
        values: Mapping[str, object] | None = None,
        note: str = "",
        expected_version: int | None = None,
    ) -> CaseUpdate:
        """Move the case along its workflow (setting ``values`` on the way). Refused, with
        nothing changed, if the workflow has no such step from here, the user's role may
        not take it, or a field it needs is empty."""

        def change(
            session: Session, row: m.CaseRecord, case: Case, cal: BusinessCalendar, now: datetime
        ) -> SettledRefund | None:
            tr = case.transition(
                to, role=user.role, user_id=user.id, at=now, calendar=cal, values=values,
                note=note,
            )  # fmt: skip
            return run_action(
                tr.action, session, row, case, user_id=user.id, store_id=self._store_id,
                terminal_id=self._terminal_id, now=now,
            )  # fmt: skip

        return self._change(case_id, user, expected_version, change)

    def reopen(
        self,
        case_id: uuid.UUID,
        *,
        reason: str,
        user: UserInfo,
        expected_version: int | None = None,
    ) -> CaseUpdate:
        def change(
            session: Session, row: m.CaseRecord, case: Case, cal: BusinessCalendar, now: datetime
        ) -> None:
            case.reopen(reason=reason, role=user.role, user_id=user.id, at=now)
            row.reopen_count += 1

        return self._change(case_id, user, expected_version, change)

    def assign(
        self,
        case_id: uuid.UUID,
        *,
        user: UserInfo,
        group: str = "",
        assignee_id: uuid.UUID | None = None,
        expected_version: int | None = None,
    ) -> CaseUpdate:
        """Give the case to ``group`` (empty: keep its group) and to ``assignee_id`` in it
        (None: nobody yet, the group's queue)."""
        if assignee_id != user.id and not user.can(Permission.WORK_CASES):
            raise AccessDenied("Only the second line or a manager assigns cases to others.")

        def change(
            session: Session, row: m.CaseRecord, case: Case, cal: BusinessCalendar, now: datetime
        ) -> None:
            if group:
                case_queues.check_group(session, self._cache, group)
            new_name = (
                case_queues.assignee(session, assignee_id).display_name if assignee_id else ""
            )
            old = session.get(m.User, case.assignee_user) if case.assignee_user else None
            if case.is_finished:
                raise RuleViolation("This case is finished; reopen it to assign it.")
            case.assign(
                group=group, user=assignee_id, user_label=new_name,
                old_user_label=old.display_name if old else "", by=user.id, at=now,
            )  # fmt: skip

        return self._change(case_id, user, expected_version, change)

    def take(
        self, case_id: uuid.UUID, *, user: UserInfo, expected_version: int | None = None
    ) -> CaseUpdate:
        """Assign the case to the user asking (keeping its group)."""
        return self.assign(
            case_id, user=user, assignee_id=user.id, expected_version=expected_version
        )

    def comment(
        self, case_id: uuid.UUID, text: str, *, user: UserInfo, expected_version: int | None = None
    ) -> CaseUpdate:
        def change(
            session: Session, row: m.CaseRecord, case: Case, cal: BusinessCalendar, now: datetime
        ) -> None:
            body = case.comment(text, by=user.id, at=now)
            session.add(
                m.CaseCommentRecord(case_id=row.id, body=body, user_id=user.id, occurred_at=now)
            )

        return self._change(case_id, user, expected_version, change)

    def update_fields(
        self,
        case_id: uuid.UUID,
        values: Mapping[str, object],
        *,
        user: UserInfo,
        expected_version: int | None = None,
    ) -> CaseUpdate:
        """Change field values without moving the case (``""`` empties a field)."""

        def change(
            session: Session, row: m.CaseRecord, case: Case, cal: BusinessCalendar, now: datetime
        ) -> None:
            if not user.can(Permission.WORK_CASES) and row.opened_by != user.id:
                raise AccessDenied("Only the second line, a manager or who opened it edits a case.")
            case.update(values, by=user.id, at=now)

        return self._change(case_id, user, expected_version, change)

    def set_priority(
        self,
        case_id: uuid.UUID,
        priority: Priority,
        *,
        user: UserInfo,
        expected_version: int | None = None,
    ) -> CaseUpdate:
        if not user.can(Permission.WORK_CASES):
            raise AccessDenied("Only the second line or a manager changes a case's priority.")

        def change(
            session: Session, row: m.CaseRecord, case: Case, cal: BusinessCalendar, now: datetime
        ) -> None:
            case.set_priority(priority, by=user.id, at=now)

        return self._change(case_id, user, expected_version, change)

    def attach(
        self,
        case_id: uuid.UUID,
        *,
        file_name: str,
        content: bytes,
        user: UserInfo,
        expected_version: int | None = None,
    ) -> CaseUpdate:
        """Attach a JPEG, PNG or PDF within :attr:`attachment_limit` bytes; the content,
        not the name, decides what it is (a ``.jpg`` that is a program is refused)."""
        kind = check_attachment(file_name, content, limit=self.attachment_limit)
        name = clean_name(file_name)
        attachment_id = new_id()
        ext = "." + name.rpartition(".")[2].lower()
        written: list[str] = []

        def change(
            session: Session, row: m.CaseRecord, case: Case, cal: BusinessCalendar, now: datetime
        ) -> None:
            stored = self._files.write(
                store_id=row.store_id, case_id=row.id, attachment_id=attachment_id, ext=ext,
                content=content,
            )  # fmt: skip
            written.append(stored)
            session.add(
                m.CaseAttachmentRecord(
                    id=attachment_id, case_id=row.id, file_name=name, media_type=kind.media_type,
                    size_bytes=len(content), sha256=hashlib.sha256(content).hexdigest(),
                    stored_as=stored, user_id=user.id, occurred_at=now,
                )
            )  # fmt: skip
            case.attached(name, by=user.id, at=now)

        try:
            return self._change(case_id, user, expected_version, change)
        except BaseException:
            for stored in written:  # the row was not committed: no file without a row
                self._files.remove(stored)
            raise

    def after_pull(self, event_ids: Iterable[uuid.UUID]) -> int:
        """Timeline entries and hand-on states for case history pulled from another store
        (:func:`app.services.case_remote.record_remote_events`); one transaction."""
        with self._uow() as uow:
            added = record_remote_events(uow.session, self._cache, event_ids)
            uow.commit()
        return added

    # -- reading ---------------------------------------------------------------------------
    def board(self, flt: CaseFilter | None = None, *, user: UserInfo | None = None) -> CaseBoard:
        """Cases matching ``flt``, sorted by due time, with SLA states as of now
        (``mine`` needs the ``user``)."""
        flt = flt or CaseFilter()
        if flt.mine and user is None:
            raise ValidationError("Log in to see your own cases.", field="mine")
        self.ready()
        user_id = user.id if user is not None else uuid.UUID(int=0)
        with self._uow(read_only=True) as uow:
            return case_board.board(
                uow.session, self._cache, flt, user_id=user_id, now=self._clock()
            )

    def customer_cases(
        self, customer_id: uuid.UUID, *, user: UserInfo, include_closed: bool = False
    ) -> list[CaseCard]:
        flt = CaseFilter(customer_id=customer_id, include_closed=include_closed, limit=500)
        return list(self.board(flt, user=user).cards)

    def find(self, number: str) -> CaseCard:
        """The case with this number (as printed, any case)."""
        self.ready()
        code = number.strip().upper()
        with self._uow(read_only=True) as uow:
            case_id = uow.session.scalar(select(m.CaseRecord.id).where(m.CaseRecord.number == code))
            if case_id is None:
                raise NotFound(f"No case has the number {code}.")
            return case_board.card(uow.session, self._cache, case_id, self._clock())

    def detail(self, case_id: uuid.UUID, *, user: UserInfo) -> CaseDetail:
        """Everything about one case, with the steps this user may take next."""
        self.ready()
        with self._uow(read_only=True) as uow:
            return case_detail.detail(
                uow.session, self._cache, case_id, role=user.role, now=self._clock()
            )

    def attachment(self, attachment_id: uuid.UUID) -> AttachmentFile:
        with self._uow(read_only=True) as uow:
            row = uow.session.get(m.CaseAttachmentRecord, attachment_id)
            if row is None:
                raise NotFound("This attachment no longer exists.")
            name, media, stored = row.file_name, row.media_type, row.stored_as
        return AttachmentFile(name, media, self._files.read(stored))

    # -- helpers ---------------------------------------------------------------------------
    def _change(
        self, case_id: uuid.UUID, user: UserInfo, expected_version: int | None, change: Change
    ) -> CaseUpdate:
        """Run ``change`` as one unit of work (:func:`app.services.case_changes.run_change`)."""
        self.ready()
        changes, refund = run_change(
            self._uow, self._cache, case_id, expected_version, change, now=self._clock()
        )
        return CaseUpdate(self.detail(case_id, user=user), changes, refund)
