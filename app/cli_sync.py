"""``storedesk central …``, ``storedesk provision`` and ``storedesk sync …`` — for IT.

    storedesk central init --url URL
    storedesk central add-store --url URL --store S001 [--name NAME] [--password-file F]
    storedesk central add-terminal --url URL --store S001 --terminal T01
    storedesk central add-group --url URL --store BO1 --group second_line
    storedesk central remove-group --url URL --store BO1 --group second_line
    storedesk central publish-catalog --url URL FILE
    storedesk central add-user --url URL --store S001 --username U --name N --role R
    storedesk central demo --url URL --store S001 [--store S002 …]
    storedesk provision --store S001 --terminal T01 --central-url URL --password-file F
    storedesk sync now | status | run

``--url`` is an administrator's connection to the central PostgreSQL database (the
password from the URL, ``PGPASSWORD`` or ``~/.pgpass``). A new user's PIN comes from
``STOREDESK_PIN``. Exit codes: 0 done, 1 failed (message on stderr), 2 bad command line.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from app.paths import AppPaths
from app.settings import LoadedSettings


def build_central_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="storedesk central", description="Set up and feed the central database."
    )
    sub = parser.add_subparsers(dest="action", required=True)

    def cmd(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--url", required=True, help="administrator URL of the central database")
        return p

    cmd("init", "create or upgrade the central schema (idempotent)")
    store = cmd("add-store", "register a store and create its login role")
    store.add_argument("--store", required=True)
    store.add_argument("--name", default="")
    store.add_argument(
        "--password-file", type=Path, help="write the generated password here (mode 0600)"
    )
    term = cmd("add-terminal", "register a terminal of a store")
    term.add_argument("--store", required=True)
    term.add_argument("--terminal", required=True)
    for action, help_text in (
        ("add-group", "let a store (or back office) work the cases of a group"),
        ("remove-group", "stop a store working the cases of a group"),
    ):
        grp = cmd(action, help_text)
        grp.add_argument("--store", required=True)
        grp.add_argument("--group", required=True, help="e.g. second_line, back_office")
    cat = cmd("publish-catalog", "validate a catalog file and publish it to every store")
    cat.add_argument("file", type=Path)
    user = cmd("add-user", "add or update a store's user (PIN: STOREDESK_PIN)")
    user.add_argument("--store", required=True)
    user.add_argument("--username", required=True)
    user.add_argument("--name", required=True)
    user.add_argument("--role", required=True)
    demo = cmd("demo", "publish the demo catalog, staff and number blocks for stores")
    demo.add_argument("--store", action="append", required=True)
    return parser


def central_main(argv: Sequence[str], *, out: TextIO, err: TextIO) -> int:
    try:
        args = build_central_parser().parse_args(list(argv))
    except SystemExit as exc:
        return 0 if exc.code == 0 else 2
    from sqlalchemy.exc import SQLAlchemyError

    from app.catalog_format import CatalogFormatError
    from app.db.engine import make_engine
    from app.sync import central_cases, central_data, central_schema
    from app.sync.engine import explain

    engine = make_engine(args.url)
    try:
        if args.action == "init":
            revision, version = central_schema.init_central(engine)
            print(f"central schema {revision}, sync version {version}: ready", file=out)
        elif args.action == "add-store":
            role = central_schema.add_store(engine, args.store, name=args.name)
            if args.password_file:
                _write_secret(args.password_file, role.password)
                print(
                    f"store {role.store_id}: role {role.role}; password written to "
                    f"{args.password_file}",
                    file=out,
                )
            else:
                print(f"store {role.store_id}: role {role.role}", file=out)
                print(f"password (shown once): {role.password}", file=out)
        elif args.action == "add-terminal":
            central_schema.add_terminal(engine, args.store, args.terminal)
            print(f"terminal {args.store}/{args.terminal} registered", file=out)
        elif args.action == "add-group":
            gained = central_cases.add_group(engine, args.store, args.group)
            print(
                f"store {args.store} works group {args.group} ({gained} open cases of other "
                "stores to pull)",
                file=out,
            )
        elif args.action == "remove-group":
            removed = central_cases.remove_group(engine, args.store, args.group)
            state = "no longer works" if removed else "did not work"
            print(f"store {args.store} {state} group {args.group}", file=out)
        elif args.action == "publish-catalog":
            count = central_data.publish_catalog(engine, args.file.read_text(encoding="utf-8"))
            print(f"catalog published: {count} offerings", file=out)
        elif args.action == "add-user":
            pin = os.environ.get("STOREDESK_PIN", "")
            central_data.add_user(
                engine, store_id=args.store, username=args.username,
                display_name=args.name, role=args.role, pin=pin,
            )  # fmt: skip
            print(f"user {args.username} of store {args.store} saved", file=out)
        else:
            done = central_data.seed_demo(engine, args.store)
            print(
                f"demo published: {done['offerings']} offerings, {done['numbers']} numbers",
                file=out,
            )
        return 0
    except (
        central_schema.CentralProblem,
        central_cases.GroupProblem,
        CatalogFormatError,
        OSError,
    ) as exc:
        print(f"storedesk central: {exc}", file=err)
        return 1
    except SQLAlchemyError as exc:
        where = f"{engine.url.host}:{engine.url.port or 5432}/{engine.url.database}"
        print(f"storedesk central: {explain(exc, where=where)}", file=err)
        return 1
    finally:
        engine.dispose()


def _write_secret(path: Path, secret: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(secret + "\n")
    os.chmod(path, 0o600)


def build_provision_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="storedesk provision",
        description="Make this PC a terminal of a store that syncs with the centre.",
    )
    parser.add_argument("--store", required=True)
    parser.add_argument("--terminal", required=True)
    parser.add_argument("--central-url", required=True, help="postgresql://ROLE@HOST:PORT/DB")
    parser.add_argument("--password-file", type=Path, required=True)
    parser.add_argument("--name", default="", help="the store's name on receipts")
    return parser


def provision_main(paths: AppPaths, argv: Sequence[str], *, out: TextIO, err: TextIO) -> int:
    try:
        args = build_provision_parser().parse_args(list(argv))
    except SystemExit as exc:
        return 0 if exc.code == 0 else 2
    from sqlalchemy.engine import make_url

    from app.settings import SettingsError, write_machine_settings
    from app.sync.central_schema import CentralProblem, check_id
    from app.sync.secrets import store_password

    try:
        check_id(args.store, "Store id")
        check_id(args.terminal, "Terminal id")
        url = make_url(args.central_url)
        if url.get_backend_name() != "postgresql" or not url.username:
            raise CentralProblem(
                "--central-url must be postgresql://STORE_ROLE@HOST:PORT/DATABASE "
                "(without the password)."
            )
        if url.password:
            raise CentralProblem("Leave the password out of --central-url; use --password-file.")
        password = args.password_file.read_text(encoding="utf-8").strip()
        if not password:
            raise CentralProblem(f"{args.password_file} is empty.")
        values: dict[str, object] = {
            "store.id": args.store,
            "terminal.id": args.terminal,
            "central.url": args.central_url,
        }
        if args.name:
            values["store.name"] = args.name
        paths.ensure_dirs()
        write_machine_settings(paths.machine_config, values)
        where = store_password(paths, args.store, password)
    except (CentralProblem, SettingsError, OSError, ValueError) as exc:
        print(f"storedesk provision: {exc}", file=err)
        return 1
    print(f"settings written to {paths.machine_config}", file=out)
    print(f"password kept in {where}", file=out)
    print("check with: storedesk sync now", file=out)
    return 0


def build_sync_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="storedesk sync", description="Sync with the centre.")
    sub = parser.add_subparsers(dest="action", required=True)
    sub.add_parser("now", help="one sync cycle: push everything waiting, pull, check sums")
    sub.add_parser("status", help="items waiting and the last sync runs")
    run = sub.add_parser("run", help="keep syncing until stopped (Ctrl+C)")
    run.add_argument("--cycles", type=int, default=0, help="stop after N cycles (0: never)")
    return parser


def sync_main(
    paths: AppPaths, loaded: LoadedSettings, argv: Sequence[str], *, out: TextIO, err: TextIO
) -> int:
    try:
        args = build_sync_parser().parse_args(list(argv))
    except SystemExit as exc:
        return 0 if exc.code == 0 else 2
    from app.bootstrap import build
    from app.errors import SyncError

    paths.ensure_dirs()
    services = build(loaded.settings, paths)
    try:
        sync = services.sync
        if not sync.enabled:
            print(
                "storedesk sync: this terminal is not provisioned (no [central] url); "
                "run storedesk provision",
                file=err,
            )
            return 1
        if args.action == "status":
            print(f"waiting: {sync.engine.pusher.waiting()}", file=out)
            for run in sync.history(limit=10):
                state = "ok" if run.ok else f"FAILED: {run.error}"
                print(
                    f"{run.started_at}  pushed {run.pushed}  pulled {run.pulled}  {state}",
                    file=out,
                )
            return 0
        cycles = 1 if args.action == "now" else args.cycles
        done = 0
        failed = False
        while True:
            try:
                report = sync.engine.cycle()
                failed = False
                print(
                    f"pushed {report.push.rows}, pulled {report.pull.rows}, "
                    f"{report.push.conflicts} conflicts, {report.seconds:.1f} s",
                    file=out,
                    flush=True,
                )
            except SyncError as exc:
                failed = True
                print(f"storedesk sync: {exc}", file=err, flush=True)
            done += 1
            if cycles and done >= cycles:
                return 1 if failed else 0
            time.sleep(loaded.settings.central.sync_interval_s)
    except KeyboardInterrupt:
        return 0
    finally:
        services.close()
