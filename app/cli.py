"""Command-line commands that need no window: ``storedesk db upgrade``, ``storedesk demo`` ….

``ui.main`` owns the ``storedesk`` entry point (the GUI needs Qt, which ``app`` never
imports) and hands every subcommand listed in :data:`COMMANDS` to :func:`run_command`.
Exit codes: 0 done, 1 the command failed (message on stderr), 2 bad usage.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from app.paths import AppPaths
from app.settings import LoadedSettings, SettingsError, load_settings, parse_cli_overrides

# Every subcommand of build_parser(): ui/main.py hands these to run_command instead of
# starting the window, so one missing here makes `storedesk <command>` fail to parse.
COMMANDS = (
    "cases",
    "catalog",
    "central",
    "db",
    "demo",
    "invoice",
    "numbers",
    "provision",
    "report",
    "settings",
    "simulate",
    "stock",
    "sync",
)
DEMO_DB_NAME = "demo.sqlite3"


def add_common_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--home", type=Path, help="keep settings, data and logs under DIR")
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a setting, e.g. --set store.id=S002 (repeatable)",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="use the demo database (created on first use) and simulated devices",
    )


def resolve(args: argparse.Namespace) -> tuple[AppPaths, LoadedSettings]:
    """Paths and layered settings for the parsed common options."""
    paths = AppPaths.under(args.home) if args.home is not None else AppPaths.default()
    cli = parse_cli_overrides(args.overrides)
    if args.demo:
        demo_db = paths.data_dir / DEMO_DB_NAME
        cli.setdefault("database.url", f"sqlite:///{demo_db}")
        cli.setdefault("printer.kind", "simulated")
        cli.setdefault("demo.enabled", "true")
    loaded = load_settings(paths, env=os.environ, cli=cli)
    return paths, loaded


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="storedesk", description="StoreDesk commands")
    add_common_options(parser)
    sub = parser.add_subparsers(dest="command", required=True)
    db = sub.add_parser("db", help="local database")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="migrate the local database to this version's schema")
    db_sub.add_parser("reindex", help="rebuild the customer search index from the data")
    demo = sub.add_parser("demo", help="create the demo store (catalog, staff, stock, customers)")
    demo.add_argument("--customers", type=int, default=300, help="how many customers (default 300)")
    catalog = sub.add_parser("catalog", help="import or export the catalog file")
    catalog_sub = catalog.add_subparsers(dest="catalog_command", required=True)
    imp = catalog_sub.add_parser(
        "import", help="validate a catalog file and load it (all or nothing)"
    )
    imp.add_argument("file", type=Path)
    imp.add_argument("--check", action="store_true", help="only validate the file; change nothing")
    exp = catalog_sub.add_parser("export", help="write the catalog in the catalog file format")
    exp.add_argument("file", type=Path, nargs="?", help="where to write (default: stdout)")
    nums = sub.add_parser("numbers", help="the store's phone numbers")
    nums_sub = nums.add_subparsers(dest="numbers_command", required=True)
    nums_import = nums_sub.add_parser(
        "import", help="add a block of numbers (one E.164 number per line), all or nothing"
    )
    nums_import.add_argument("file", type=Path)
    nums_list = nums_sub.add_parser("list", help="free numbers matching a pattern")
    nums_list.add_argument("pattern", nargs="?", default="", help="digits, ? and * (e.g. *77)")
    stock = sub.add_parser("stock", help="the store's stock")
    stock_sub = stock.add_subparsers(dest="stock_command", required=True)
    receive = stock_sub.add_parser(
        "receive", help="take in a delivery file (sku,serial,imsi,quantity), all or nothing"
    )
    receive.add_argument("file", type=Path)
    receive.add_argument("--reference", required=True, help="delivery note or transfer number")
    receive.add_argument("--user", required=True, help="who receives (PIN: STOREDESK_PIN)")
    receive.add_argument("--from-store", default="", help="the sending store, for a transfer")
    stock_sub.add_parser("levels", help="stock of every item")
    stock_sub.add_parser("low", help="items at or below their reorder level")
    cases = sub.add_parser("cases", help="case types (import-types, list-types) and cases")
    cases.add_argument("options", nargs=argparse.REMAINDER, help="see `storedesk cases -h`")
    invoice = sub.add_parser("invoice", help="invoices and credit notes as PDF")
    invoice.add_argument("options", nargs=argparse.REMAINDER, help="see `storedesk invoice -h`")
    report = sub.add_parser("report", help="X/Z and daily reports as PDF")
    report.add_argument("options", nargs=argparse.REMAINDER, help="see `storedesk report -h`")
    for name, help_text in (
        ("central", "set up and feed the central database (IT)"),
        ("provision", "make this PC a terminal of a store that syncs (IT, installer)"),
        ("sync", "sync with the central database: now, status, run"),
    ):
        remainder = sub.add_parser(name, help=help_text)
        remainder.add_argument(
            "options", nargs=argparse.REMAINDER, help=f"see `storedesk {name} -h`"
        )
    simulate = sub.add_parser("simulate", help="run a simulated device until Ctrl+C")
    simulate.add_argument("device", choices=["terminal", "printer"])
    simulate.add_argument(
        "options", nargs=argparse.REMAINDER, help="the simulator's own options (see --help)"
    )
    settings = sub.add_parser("settings", help="show settings and where each value comes from")
    settings.add_argument("action", choices=["show"])
    return parser


def run_command(argv: Sequence[str], *, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    parser = build_parser()
    # Subcommands with their own option parser take the rest of the line as it is, even
    # when it starts with an option (`storedesk provision --store …`).
    args, extra = parser.parse_known_args(list(argv))
    if extra and not hasattr(args, "options"):
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if extra:
        args.options = [*extra, *args.options]
    try:
        paths, loaded = resolve(args)
    except SettingsError as exc:
        print(f"storedesk: {exc}", file=err)
        return 2
    for problem in loaded.problems:
        print(f"storedesk: warning: {problem}", file=err)
    # Imported here, not at the top: the GUI imports this module and must show its window
    # before the database stack is loaded.
    from app.db.migrate import DatabaseProblem

    try:
        if args.command == "db":
            if args.db_command == "reindex":
                return _db_reindex(paths, loaded, out)
            return _db_upgrade(paths, loaded, out)
        if args.command == "demo":
            return _demo(paths, loaded, args.customers, out)
        if args.command == "numbers":
            return _numbers(paths, loaded, args, out, err)
        if args.command == "stock":
            return _stock(paths, loaded, args, out, err)
        if args.command == "cases":
            from app.cli_cases import main as cases_main

            return cases_main(paths, loaded, args.options, out=out, err=err)
        if args.command == "invoice":
            from app.cli_invoice import main as invoice_main

            return invoice_main(paths, loaded, args.options, out=out, err=err)
        if args.command == "report":
            from app.cli_reports import main as report_main

            return report_main(paths, loaded, args.options, out=out, err=err)
        if args.command in ("central", "provision", "sync"):
            from app import cli_sync

            if args.command == "central":
                return cli_sync.central_main(args.options, out=out, err=err)
            if args.command == "provision":
                return cli_sync.provision_main(paths, args.options, out=out, err=err)
            return cli_sync.sync_main(paths, loaded, args.options, out=out, err=err)
        if args.command == "simulate":
            return _simulate(args.device, args.options, out, err)
        if args.command == "catalog":
            if args.catalog_command == "import":
                return _catalog_import(paths, loaded, args.file, args.check, out, err)
            return _catalog_export(paths, loaded, args.file, out)
        return _settings_show(loaded, out)
    except DatabaseProblem as exc:
        print(f"storedesk: {exc}", file=err)
        return 1


def _simulate(device: str, options: list[str], out: TextIO, err: TextIO) -> int:
    """``storedesk simulate terminal|printer [options]``: the simulator's own ``main``."""
    if device == "terminal":
        from devices.zvt.simulator_cli import main as terminal_main

        return terminal_main(options, out=out, err=err)
    from devices.printer.sim_server import main as printer_main

    return printer_main(options, out=out, err=err)


def _db_upgrade(paths: AppPaths, loaded: LoadedSettings, out: TextIO) -> int:
    from app.db.engine import make_engine
    from app.db.migrate import upgrade

    paths.ensure_dirs()
    engine = make_engine(loaded.settings.database_url(paths))
    try:
        result = upgrade(engine, backup=loaded.settings.database.backup_before_migrate)
    finally:
        engine.dispose()
    if result.changed:
        print(
            f"Database upgraded from {result.from_revision or 'empty'} to {result.to_revision}.",
            file=out,
        )
        if result.backup:
            print(f"Backup of the previous database: {result.backup}", file=out)
    else:
        print(f"Database is up to date ({result.to_revision}).", file=out)
    return 0


def _db_reindex(paths: AppPaths, loaded: LoadedSettings, out: TextIO) -> int:
    from app.bootstrap import build
    from app.services import customer_index

    paths.ensure_dirs()
    services = build(loaded.settings, paths)
    started = time.monotonic()
    try:
        with services.engine.begin() as conn:
            count = customer_index.rebuild_all(conn)
    finally:
        services.close()
    print(
        f"Customer search index rebuilt for {count:,} customers "
        f"in {time.monotonic() - started:.1f} s.",
        file=out,
    )
    return 0


def _demo(paths: AppPaths, loaded: LoadedSettings, customers: int, out: TextIO) -> int:
    from app.bootstrap import build

    if customers < 0:
        print("storedesk: --customers cannot be negative", file=sys.stderr)
        return 2
    paths.ensure_dirs()
    services = build(loaded.settings, paths)
    started = time.monotonic()
    bar = _ProgressBar(out)
    try:
        summary = services.demo.ensure(customers=customers, progress=bar.update)
    finally:
        services.close()
    bar.finish()
    print(
        f"Demo store ready in {time.monotonic() - started:.1f} s: {summary.offerings} offerings, "
        f"{summary.users} staff, {summary.sims} SIMs in stock, {summary.customers} customers.",
        file=out,
    )
    print(f"Database: {loaded.settings.database_url(paths)}", file=out)
    return 0


def _catalog_import(
    paths: AppPaths, loaded: LoadedSettings, file: Path, check: bool, out: TextIO, err: TextIO
) -> int:
    from app.catalog_format import CatalogFormatError, parse_catalog

    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"storedesk: cannot read {file}: {exc}", file=err)
        return 1
    try:
        doc = parse_catalog(text)
    except CatalogFormatError as exc:
        print(f"storedesk: {file} was not imported; nothing changed:", file=err)
        for problem in exc.problems:
            print(f"  {problem}", file=err)
        return 1
    if check:
        print(
            f"{file} is valid: {len(doc.offerings)} offerings, {len(doc.promotions)} promotions.",
            file=out,
        )
        return 0
    from app.bootstrap import build

    paths.ensure_dirs()
    services = build(loaded.settings, paths)
    try:
        summary = services.catalog.import_document(doc)
    finally:
        services.close()
    print(
        f"Catalog imported from {file}: {summary.added} added, {summary.updated} changed,"
        f" {summary.retired} retired, {summary.promotions} promotions.",
        file=out,
    )
    return 0


def _catalog_export(paths: AppPaths, loaded: LoadedSettings, file: Path | None, out: TextIO) -> int:
    from app.bootstrap import build
    from app.catalog_dump import dump_catalog

    paths.ensure_dirs()
    services = build(loaded.settings, paths)
    try:
        text = dump_catalog(services.catalog.export_document())
    finally:
        services.close()
    if file is None:
        out.write(text)
    else:
        file.write_text(text, encoding="utf-8")
        print(f"Catalog written to {file}.", file=out)
    return 0


def _numbers(
    paths: AppPaths, loaded: LoadedSettings, args: argparse.Namespace, out: TextIO, err: TextIO
) -> int:
    from app.bootstrap import build
    from domain.errors import ValidationError

    lines: list[str] = []
    if args.numbers_command == "import":
        try:
            lines = args.file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            print(f"storedesk: cannot read {args.file}: {exc}", file=err)
            return 1
    paths.ensure_dirs()
    services = build(loaded.settings, paths)
    try:
        if args.numbers_command == "import":
            added = services.numbers.import_block(lines)
            print(f"{added} new numbers added from {args.file}.", file=out)
        else:
            for number in services.numbers.search(args.pattern, limit=200):
                print(f"{number.msisdn}  {number.tier}", file=out)
    except ValidationError as exc:
        print(f"storedesk: nothing changed: {exc.message}", file=err)
        return 1
    finally:
        services.close()
    return 0


def _stock(
    paths: AppPaths, loaded: LoadedSettings, args: argparse.Namespace, out: TextIO, err: TextIO
) -> int:
    import getpass
    import os

    from app.bootstrap import build
    from domain.errors import DomainError

    text = ""
    if args.stock_command == "receive":
        try:
            text = args.file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            print(f"storedesk: cannot read {args.file}: {exc}", file=err)
            return 1
    paths.ensure_dirs()
    services = build(loaded.settings, paths)
    try:
        if args.stock_command == "receive":
            pin = os.environ.get("STOREDESK_PIN") or getpass.getpass(f"PIN for {args.user}: ")
            user = services.auth.login(args.user, pin)
            result = services.stock.receive(
                text, reference=args.reference, user=user, from_store=args.from_store
            )
            print(f"Received {result.reference}: {result.summary}.", file=out)
            return 0
        lines = services.stock.low_stock() if args.stock_command == "low" else None
        lines = lines if lines is not None else services.stock.levels()
        print(f"{'SKU':16} {'item':32} {'in stock':>8} {'reserved':>8} "
              f"{'returned':>8} {'damaged':>8} {'reorder':>8}", file=out)  # fmt: skip
        for line in lines:
            flag = "  LOW" if line.low else ""
            print(
                f"{line.sku:16} {line.name[:32]:32} {line.in_stock:8} {line.reserved:8} "
                f"{line.returned:8} {line.damaged:8} {line.reorder_level:8}{flag}",
                file=out,
            )
        return 0
    except DomainError as exc:
        print(f"storedesk: nothing changed: {exc.message}", file=err)
        return 1
    finally:
        services.close()


def _settings_show(loaded: LoadedSettings, out: TextIO) -> int:
    for key, value, source in loaded.settings.describe():
        print(f"{key:32} {value:40} {source}", file=out)
    return 0


class _ProgressBar:
    """A one-line terminal progress bar (redrawn at most ten times a second)."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._last = 0.0
        self._started = time.monotonic()
        self._drawn = False

    def update(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self._last < 0.1 and done < total:
            return
        self._last = now
        width = 30
        filled = int(width * done / max(total, 1))
        rate = done / max(now - self._started, 1e-6)
        self._out.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} customers "
            f"({rate:,.0f}/s)"
        )
        self._out.flush()
        self._drawn = True

    def finish(self) -> None:
        if self._drawn:
            self._out.write("\n")
