"""``storedesk cases``: case types from files, and the case list, without the window.

    storedesk cases import-types FILE [--check]
    storedesk cases list-types
    storedesk cases list [--type CODE] [--status NAME] [--group NAME] [--sla STATE]
                         [--all] [--limit N]

``import-types`` checks the whole file first and installs it all or nothing: a new type,
or a new version of an installed one if every open case of that type stays valid under it
(``--check``: only say what it would do). Every problem is printed with where it is. Exit
codes: 0 done, 1 refused or failed (nothing changed), 2 bad command line.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from app.paths import AppPaths
from app.settings import LoadedSettings


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="storedesk cases", description="Case types and the case list."
    )
    sub = parser.add_subparsers(dest="action", required=True)
    imp = sub.add_parser(
        "import-types", help="add case types (or new versions) from a file, all or nothing"
    )
    imp.add_argument("file", type=Path, help="a case type definition file (JSON)")
    imp.add_argument("--check", action="store_true", help="only check the file; change nothing")
    sub.add_parser("list-types", help="the installed case types")
    listing = sub.add_parser("list", help="cases, most urgent first")
    listing.add_argument("--type", dest="types", action="append", default=[], metavar="CODE")
    listing.add_argument("--status", dest="statuses", action="append", default=[])
    listing.add_argument("--group", default="")
    listing.add_argument(
        "--sla",
        action="append",
        default=[],
        choices=["ok", "near", "breached", "paused"],
        help="only cases in this SLA state (repeatable)",
    )
    listing.add_argument("--all", action="store_true", help="finished cases too")
    listing.add_argument("--limit", type=int, default=100)
    return parser


def main(
    paths: AppPaths, loaded: LoadedSettings, argv: Sequence[str], *, out: TextIO, err: TextIO
) -> int:
    try:
        args = build_parser().parse_args(list(argv))
    except SystemExit as exc:  # argparse has printed the usage or the help
        return 0 if exc.code == 0 else 2
    text = ""
    if args.action == "import-types":
        try:
            text = args.file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            print(f"storedesk: cannot read {args.file}: {exc}", file=err)
            return 1
    from app.bootstrap import build
    from domain.cases.parsing import CaseTypeError
    from domain.errors import DomainError

    paths.ensure_dirs()
    services = build(loaded.settings, paths)
    try:
        if args.action == "import-types":
            summary = services.cases.import_types(
                text, source=args.file.name, check_only=args.check
            )
            _print_summary(args.file, summary, args.check, out)
        elif args.action == "list-types":
            for t in services.cases.list_types():
                print(
                    f"{t.code:<24} v{t.version:<3} {t.title:<28} group {t.default_group:<18} "
                    f"{len(t.statuses)} statuses, {len(t.fields)} fields  ({t.source})",
                    file=out,
                )
        else:
            _list(services, args, out)
    except CaseTypeError as exc:
        print(f"storedesk: {args.file} was not imported; nothing changed:", file=err)
        for problem in exc.problems:
            print(f"  {problem}", file=err)
        return 1
    except DomainError as exc:
        print(f"storedesk: {exc.message}", file=err)
        return 1
    finally:
        services.close()
    return 0


def _print_summary(file: Path, summary: object, check: bool, out: TextIO) -> None:
    from app.services.case_types import ImportSummary

    assert isinstance(summary, ImportSummary)
    verb = "would be" if check else "were"
    parts = []
    if summary.added:
        parts.append(f"added {', '.join(summary.added)}")
    for code, old, new in summary.upgraded:
        parts.append(f"{code} version {old} → {new}")
    if summary.calendars:
        parts.append(f"calendars {', '.join(summary.calendars)}")
    if summary.unchanged:
        parts.append(f"unchanged {', '.join(summary.unchanged)}")
    head = f"{file} is valid" if check else f"Case types imported from {file}"
    print(f"{head}: {'; '.join(parts) or 'nothing new'}.", file=out)
    if summary.moved_cases:
        print(f"{summary.moved_cases} open cases {verb} moved to the new version.", file=out)


def _list(services: object, args: argparse.Namespace, out: TextIO) -> None:
    from app.bootstrap import Services
    from app.services.case_views import CaseFilter
    from domain.cases.sla import SlaState

    assert isinstance(services, Services)
    board = services.cases.board(
        CaseFilter(
            types=tuple(args.types),
            statuses=tuple(args.statuses),
            group=args.group,
            sla=tuple(SlaState(s) for s in args.sla),
            include_closed=args.all,
            limit=max(1, args.limit),
        )
    )
    for card in board.cards:
        due = card.due_at.astimezone().strftime("%Y-%m-%d %H:%M") if card.due_at else "-"
        print(
            f"{card.number:<22} {card.type_title:<22} {card.status_label:<26} "
            f"{card.priority.value:<7} due {due:<16} {card.sla.value:<9} {card.summary}",
            file=out,
        )
    print(f"{len(board.cards)} of {board.total} cases.", file=out)
