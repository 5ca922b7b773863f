"""``storedesk invoice``: issue an invoice for a sale, or print a stored one again, as PDF.

    storedesk invoice issue ORDER_OR_RECEIPT_NUMBER --out FILE.pdf --user NAME
    storedesk invoice pdf INVOICE_NUMBER --out FILE.pdf

Issuing asks for the user's PIN (``STOREDESK_PIN`` or a prompt). Only the first issue
writes the original; every later PDF of the same document is marked as a copy. Exit codes:
0 done, 1 refused or failed (nothing issued), 2 bad command line.
"""

from __future__ import annotations

import argparse
import getpass
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from app.paths import AppPaths
from app.settings import LoadedSettings


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="storedesk invoice", description="Invoices and credit notes as PDF."
    )
    sub = parser.add_subparsers(dest="action", required=True)
    issue = sub.add_parser("issue", help="issue the invoice of a completed sale")
    issue.add_argument("order", help="the sale's order or receipt number")
    issue.add_argument("--out", type=Path, required=True, help="the PDF file to write")
    issue.add_argument("--user", required=True, help="who issues it (PIN: STOREDESK_PIN)")
    again = sub.add_parser("pdf", help="an issued invoice or credit note again")
    again.add_argument("number", help="the invoice or credit note number")
    again.add_argument("--out", type=Path, required=True, help="the PDF file to write")
    return parser


def main(
    paths: AppPaths, loaded: LoadedSettings, argv: Sequence[str], *, out: TextIO, err: TextIO
) -> int:
    try:
        args = build_parser().parse_args(list(argv))
    except SystemExit as exc:  # argparse has printed the usage or the help
        return 0 if exc.code == 0 else 2
    from app.bootstrap import build
    from domain.errors import DomainError

    paths.ensure_dirs()
    services = build(loaded.settings, paths)
    try:
        invoices = services.invoices
        if args.action == "issue":
            order_id = invoices.find_order(args.order)
            pin = os.environ.get("STOREDESK_PIN") or getpass.getpass(f"PIN for {args.user}: ")
            user = services.auth.login(args.user, pin)
            issued = invoices.issue(order_id, user=user)
            number, copy = issued.number, not issued.new
        else:
            number, copy = invoices.find(args.number).number, True
        args.out.write_bytes(invoices.pdf(number, copy=copy))
    except DomainError as exc:
        what = "nothing issued: " if args.action == "issue" else ""
        print(f"storedesk: {what}{exc.message}", file=err)
        return 1
    except OSError as exc:
        print(f"storedesk: cannot write {args.out}: {exc}", file=err)
        return 1
    finally:
        services.close()
    if args.action == "issue":
        verb = "Issued" if issued.new else "Already issued:"
        print(
            f"{verb} invoice {number} ({issued.total.format()}), written to {args.out}.", file=out
        )
    else:
        print(f"{number} written to {args.out}.", file=out)
    return 0
