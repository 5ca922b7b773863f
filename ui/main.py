"""The ``storedesk`` entry point.

``storedesk [--demo] [--home DIR] [--set KEY=VALUE] [--debug]`` starts the window;
``storedesk db upgrade``, ``storedesk demo …`` and the other commands in
:data:`app.cli.COMMANDS` run without a window (and without creating a QApplication).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from app.cli import COMMANDS, add_common_options, resolve, run_command
from app.settings import SettingsError

log = logging.getLogger("storedesk")


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if any(arg in COMMANDS for arg in args_list if not arg.startswith("-")):
        return run_command(args_list)
    parser = argparse.ArgumentParser(prog="storedesk", description="Start StoreDesk.")
    add_common_options(parser)
    parser.add_argument("--debug", action="store_true", help="verbose logs and GUI stall watchdog")
    parser.add_argument(
        "--quit-after-show",
        action="store_true",
        help=argparse.SUPPRESS,  # benchmarks: exit as soon as the login window is shown
    )
    parser.add_argument(
        "--ready-file",
        type=Path,
        help=argparse.SUPPRESS,  # benchmarks: touched once the login window is shown
    )
    args = parser.parse_args(args_list)
    return run_gui(args)


def run_gui(args: argparse.Namespace) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("StoreDesk")
    try:
        paths, loaded = resolve(args)
    except SettingsError as exc:
        QMessageBox.critical(None, "StoreDesk", f"StoreDesk cannot start: {exc}")
        return 2
    settings = loaded.settings
    debug = args.debug or settings.ui.debug
    from app.logs import setup_logging

    try:
        paths.ensure_dirs()
    except SettingsError as exc:
        QMessageBox.critical(None, "StoreDesk", f"StoreDesk cannot start: {exc}")
        return 1
    setup_logging(paths.log_dir, debug=debug)
    for problem in loaded.problems:
        log.warning("settings: %s", problem)

    from app.bootstrap import build
    from app.db.migrate import DatabaseProblem

    try:
        services = build(settings, paths, problems=loaded.problems)
    except DatabaseProblem as exc:
        log.error("database problem: %s", exc)
        QMessageBox.critical(None, "StoreDesk cannot open its database", str(exc))
        return 1
    if settings.demo.enabled:
        services.demo.ensure()

    from ui.errors import install_excepthook
    from ui.main_window import MainWindow
    from ui.ops import Runner, set_default_failure_handler

    runner = Runner()
    window = MainWindow(services, runner)
    errors = window.errors
    set_default_failure_handler(errors.handle)
    install_excepthook(errors)
    watchdog = None
    if debug:
        from ui.watchdog import GuiStallWatchdog

        watchdog = GuiStallWatchdog()
        watchdog.start()
    window.start()
    window.show()
    if args.quit_after_show:
        QTimer.singleShot(0, app.quit)
    if args.ready_file is not None:
        ready: Path = args.ready_file
        QTimer.singleShot(0, lambda: ready.write_text("shown\n"))
    try:
        return app.exec()
    finally:
        if watchdog is not None:
            watchdog.stop()
        runner.shutdown()
        services.close()


if __name__ == "__main__":
    sys.exit(main())
