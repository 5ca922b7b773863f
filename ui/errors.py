"""One route from an exception to the person at the counter (STYLE.md point 10).

- ValidationError: forms show it next to the field (see :class:`ui.forms.FieldErrors`);
  anything that reaches this router unhandled is shown as a warning.
- DomainError (business rule, not found, access denied): a plain message.
- DeviceError: the device problem, with Retry / Skip where the caller offers a retry.
- Anything else: logged with its traceback and shown in a crash dialog with "Copy details".

``install_excepthook`` makes uncaught exceptions from any thread arrive here on the GUI
thread (a worker thread must never open a dialog itself).
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from collections.abc import Callable
from types import TracebackType

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.errors import DeviceError, DomainError, SyncError, ValidationError

log = logging.getLogger("storedesk.ui.errors")


class CrashDialog(QDialog):
    def __init__(self, details: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("StoreDesk: something went wrong")
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                "StoreDesk hit an unexpected problem. Nothing you entered was half-saved.\n"
                "Copy the details and send them to IT."
            )
        )
        self.details = QPlainTextEdit(details)
        self.details.setReadOnly(True)
        layout.addWidget(self.details)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = buttons.addButton("Copy details", QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(self.copy_details)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def copy_details(self) -> None:
        QApplication.clipboard().setText(self.details.toPlainText())


class ErrorRouter(QObject):
    """Shows errors to the user. ``quiet`` (tests) records instead of opening dialogs."""

    _posted = Signal(object)

    def __init__(self, parent: QWidget | None = None, *, quiet: bool = False) -> None:
        super().__init__(parent)
        self._window = parent
        self.quiet = quiet
        self.shown: list[tuple[str, str]] = []  # (kind, message), newest last
        self._posted.connect(self._on_posted)

    def handle(self, exc: BaseException) -> None:
        """Route ``exc``; safe to call from any thread."""
        if threading.current_thread() is threading.main_thread():
            self._show(exc)
        else:
            self._posted.emit(exc)

    @Slot(object)
    def _on_posted(self, exc: BaseException) -> None:
        self._show(exc)

    def _show(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationError | DomainError):
            self._message("warning", exc.message)
        elif isinstance(exc, DeviceError):
            self._message("device", f"{exc.device}: {exc.message}")
        elif isinstance(exc, SyncError):
            log.warning("sync problem: %s", exc)  # the status bar shows sync state
        else:
            details = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
            log.error("unexpected error\n%s", details)
            self.shown.append(("crash", str(exc)))
            if not self.quiet:
                CrashDialog(details, self._window).exec()

    def _message(self, kind: str, text: str) -> None:
        self.shown.append((kind, text))
        if self.quiet:
            return
        if kind == "device":
            QMessageBox.warning(self._window, "Device problem", text)
        else:
            QMessageBox.information(self._window, "StoreDesk", text)


def install_excepthook(router: ErrorRouter) -> Callable[[], None]:
    """Route uncaught exceptions to ``router``; returns a function that restores the old hooks."""
    previous = (sys.excepthook, threading.excepthook)

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        router.handle(exc.with_traceback(tb))

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            router.handle(args.exc_value)

    sys.excepthook = hook
    threading.excepthook = thread_hook

    def restore() -> None:
        sys.excepthook, threading.excepthook = previous

    return restore
