"""``storedesk report x|z|day``: till and day reports as PDF files, for the manager and IT.

    storedesk report x --out x.pdf                       the open session so far
    storedesk report z --date 2024-05-31 --out z.pdf     every session closed that day
    storedesk report z --session TIL-... --out z.pdf     one closed session
    storedesk report day --date 2024-05-31 --out day.pdf the store's day, with charts

Exit status: 0 written, 1 nothing to report or the file cannot be written, 2 a usage error
(a bad date, a missing ``--out``). The PDF is rendered in memory first, so a failure never
leaves half a file behind.
"""

from __future__ import annotations

import argparse
import contextlib
import io
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TextIO

from app.paths import AppPaths
from app.settings import LoadedSettings


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write YYYY-MM-DD") from None


def _pdf_path(text: str) -> Path:
    path = Path(text).expanduser()
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a folder; give a file name ending in .pdf")
    if path.suffix.lower() != ".pdf":
        raise argparse.ArgumentTypeError(f"{text}: the file name must end in .pdf")
    return path


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="storedesk report", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="kind", required=True, metavar="{x,z,day}")
    x = sub.add_parser("x", help="X report of the open till session (the last one if closed)")
    z = sub.add_parser("z", help="Z reports of the till sessions closed on a day")
    which = z.add_mutually_exclusive_group()
    which.add_argument("--date", type=_day, help="the day they closed, YYYY-MM-DD (today)")
    which.add_argument("--session", help="one session by its number instead")
    day = sub.add_parser("day", help="the store's day: sales by tender and consultant")
    day.add_argument("--date", type=_day, help="YYYY-MM-DD (default: today)")
    for command in (x, z, day):
        command.add_argument("--out", type=_pdf_path, required=True, help="the PDF to write")
    return parser


def main(
    paths: AppPaths, loaded: LoadedSettings, argv: Sequence[str], *, out: TextIO, err: TextIO
) -> int:
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            args = build_parser().parse_args(list(argv))
    except SystemExit as exc:  # argparse has printed the usage or the help
        return exc.code if isinstance(exc.code, int) else 2
    target: Path = args.out
    if not target.parent.is_dir():
        print(f"storedesk: cannot write {target}: the folder {target.parent} does not exist",
              file=err)  # fmt: skip
        return 1

    from app.bootstrap import build
    from app.services.report_docs import ReportDocuments
    from domain.errors import DomainError

    paths.ensure_dirs()
    services = build(loaded.settings, paths)
    pdf = io.BytesIO()
    try:
        docs = ReportDocuments.from_services(services)
        today = datetime.now().astimezone().date()
        if args.kind == "x":
            report = docs.till_pdf(None, pdf)
            what = f"X report of till session {report.number}"
            if report.status != "open":
                print("storedesk: the till is closed; this is the last session's Z report.",
                      file=err)  # fmt: skip
                what = f"Z report of till session {report.number}"
        elif args.kind == "z" and args.session:
            report = docs.till_pdf(args.session, pdf)
            if report.status != "closed":
                print(f"storedesk: session {report.number} is still open; use `report x`.",
                      file=err)  # fmt: skip
                return 1
            what = f"Z report of till session {report.number}"
        elif args.kind == "z":
            reports = docs.z_pdf(args.date or today, pdf)
            what = f"Z report of {', '.join(r.number for r in reports)}"
        else:
            summary = docs.day_pdf(args.date or today, pdf)
            what = (f"Day summary {summary.day.isoformat()}: {summary.orders} orders, "
                    f"{summary.revenue.format()}")  # fmt: skip
    except DomainError as exc:
        print(f"storedesk: {exc.message}", file=err)
        return 1
    finally:
        services.close()
    try:
        target.write_bytes(pdf.getvalue())
    except OSError as exc:
        print(f"storedesk: cannot write {target}: {exc.strerror or exc}", file=err)
        return 1
    print(f"{what} written to {target}.", file=out)
    return 0
