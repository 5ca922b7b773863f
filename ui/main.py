"""The ``storedesk`` entry point.

``storedesk [--demo] [--home DIR] [--set KEY=VALUE] [--debug]`` starts the window;
``storedesk db upgrade``, ``storedesk demo …`` and the other commands in
:data:`app.cli.COMMANDS` run without a window (and without creating a QApplication).
"""

from __future__ import annotations

import argparse
import gc
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from app.cli import COMMANDS, add_common_options, resolve, run_command
from app.settings import SettingsError

if TYPE_CHECKING:
    from app.bootstrap import Services

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
        "--shown-file",
        type=Path,
        help=argparse.SUPPRESS,  # benchmarks: written once the login window is on screen
    )
    parser.add_argument(
        "--ready-file",
        type=Path,
        help=argparse.SUPPRESS,  # benchmarks: written once the services are ready
    )
    args = parser.parse_args(args_list)
    return run_gui(args)


def run_gui(args: argparse.Namespace) -> int:
    """Show the login window first, then load the database stack in the background.

    The window appears as fast as a bare Qt window would; SQLAlchemy, the migrations and
    the services load on the database lane meanwhile, and the login screen logs the user in
    as soon as they are attached. If the database cannot be used, the window says why.
    """
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("StoreDesk")
    try:
        paths, loaded = resolve(args)
        paths.ensure_dirs()
    except SettingsError as exc:
        QMessageBox.critical(None, "StoreDesk", f"StoreDesk cannot start: {exc}")
        return 2
    settings = loaded.settings
    debug = args.debug or settings.ui.debug

    from ui.errors import install_excepthook
    from ui.main_window import MainWindow
    from ui.ops import Runner, op, set_default_failure_handler

    runner = Runner()
    window = MainWindow(None, runner, settings=settings)
    previous_handler = set_default_failure_handler(window.errors.handle)
    restore_hooks = install_excepthook(window.errors)
    window.start()
    window.show()
    exit_code = [0]
    services: list[Services] = []

    def build_services() -> Services:
        # Runs on the database lane: the heavy imports happen here, off the GUI thread.
        from app.bootstrap import build
        from app.logs import setup_logging

        setup_logging(paths.log_dir, debug=debug)
        for problem in loaded.problems:
            log.warning("settings: %s", problem)
        built = build(settings, paths, problems=loaded.problems)
        if settings.demo.enabled:
            built.demo.ensure()
        return built

    def ready(built: Services) -> None:
        services.append(built)
        window.attach(built)
        built.sync.start()  # the background sync worker (nothing when not provisioned)
        # Everything made so far (modules, Qt wrappers, the migration machinery) lives as
        # long as the app: keep it out of the collector's full passes, which would
        # otherwise walk it again and again and stall a profile load by ~70 ms.
        gc.collect()
        gc.freeze()
        if args.ready_file is not None:
            args.ready_file.write_text("ready\n")

    def failed(exc: BaseException) -> None:
        from app.db.migrate import DatabaseProblem

        if not isinstance(exc, DatabaseProblem):
            raise exc
        log.error("database problem: %s", exc)
        QMessageBox.critical(window, "StoreDesk cannot open its database", str(exc))
        exit_code[0] = 1
        app.quit()

    watchdog = None
    if debug:
        from ui.watchdog import GuiStallWatchdog

        watchdog = GuiStallWatchdog()
        watchdog.start()
    if args.shown_file is not None:
        shown_file: Path = args.shown_file
        QTimer.singleShot(0, lambda: shown_file.write_text("shown\n"))
    if args.quit_after_show:
        QTimer.singleShot(0, app.quit)
    else:
        QTimer.singleShot(
            0, lambda: op(runner, build_services).success(ready).failure(failed).run()
        )
    try:
        code = app.exec()
    finally:
        if watchdog is not None:
            watchdog.stop()
        runner.shutdown()
        restore_hooks()
        set_default_failure_handler(previous_handler)
        for built in services:
            built.close()
    return exit_code[0] or code


if __name__ == "__main__":
    sys.exit(main())
