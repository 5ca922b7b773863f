"""Laying out and encoding a 30-line receipt as ESC/POS (target: p95 under 10 ms).

Measured: ``build_receipt`` (the layout) plus ``render_receipt`` (commands, code page per
line, wrapping, QR code), for a receipt mixing Latin and Cyrillic product names. Baseline,
measured in the same run: a bare python-escpos ``Dummy`` printing the same lines with
``textln`` and its own MagicEncode, then a cut; no layout, styles or QR code.

    .venv/bin/python benchmarks/receipt_print.py [--runs 2000] [--profile TM-T20II]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from escpos.printer import Dummy

from app.documents.receipt import ReceiptData, ReceiptItem, build_receipt
from devices.printer.base import ReceiptDoc
from devices.printer.render import render_receipt
from domain.money import Money

NAMES = (
    "SIM-карта «Мега» 5G", "Galaxy A15 128 GB schwarz", "Hülle Galaxy A15 – grün",
    "Зарядное устройство USB-C 25 Вт", "Panzerglas Galaxy A15", "Тариф «Безлимит» первый месяц",
    "Kopfhörer Café Edition", "eSIM Aktivierung", "Чехол-книжка iPhone 15",
)  # fmt: skip


def receipt_data(target_lines: int) -> ReceiptData:
    """A cash sale with as many items as it takes for about ``target_lines`` lines."""
    eur = Money.of
    items: list[ReceiptItem] = []
    data = _data(items)
    while len(build_receipt(data, columns=48).lines) < target_lines:
        n = len(items)
        price = eur(Decimal(999 + 1000 * n) / 100)
        items.append(ReceiptItem(NAMES[n % len(NAMES)], 1, price, price))
        data = _data(items)
    return data


def _data(items: list[ReceiptItem]) -> ReceiptData:
    eur = Money.of
    total = sum((item.total for item in items), Money.zero())
    net, tax = total.split_tax(Decimal(19))
    return ReceiptData(
        store_name="StoreDesk Mitte", store_address="Alexanderplatz 1, 10178 Berlin",
        tax_id="DE123456789", terminal_id="S001/T01", cashier="Anna Schmidt",
        when=datetime(2026, 11, 30, 10, 15, tzinfo=UTC), receipt_number="RCP-S001-T01-000042",
        order_number="ORD-S001-T01-000042", items=tuple(items), vat=((Decimal(19), net, tax),),
        total=total, tenders=(("cash", total),), given=total + eur("20"), change=eur("20"),
    )  # fmt: skip


def baseline(doc: ReceiptDoc, profile: str) -> bytes:
    """The same text through python-escpos alone: Dummy, textln per line, cut."""
    p = Dummy(profile=profile)
    for line in doc.lines:
        p.textln(line.text)
    p.cut()
    return bytes(p.output)


COLD = """
import sys, time
sys.path.insert(0, sys.argv[1])
start = time.perf_counter()
from benchmarks.receipt_print import receipt_data
from app.documents.receipt import build_receipt
from devices.printer.render import render_receipt
render_receipt(build_receipt(receipt_data(30), columns=48), profile=sys.argv[2], columns=48)
print((time.perf_counter() - start) * 1000)
"""


def cold_first(profile: str) -> float:
    """Milliseconds for the first receipt in a new process: imports and code page tables."""
    root = str(Path(__file__).resolve().parents[1])
    done = subprocess.run(
        [sys.executable, "-c", COLD, root, profile], check=True, capture_output=True, text=True
    )
    return float(done.stdout.strip())


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def measure(fn: Callable[[], object], runs: int) -> list[float]:
    for _ in range(50):
        fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter_ns()
        fn()
        samples.append((time.perf_counter_ns() - start) / 1e6)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--profile", default="TM-T20II")
    parser.add_argument("--lines", type=int, default=30)
    args = parser.parse_args()
    data = receipt_data(args.lines)
    doc = build_receipt(data, columns=48)

    def storedesk() -> bytes:
        return render_receipt(build_receipt(data, columns=48), profile=args.profile, columns=48)

    results = {
        "storedesk": measure(storedesk, args.runs),
        "encode": measure(lambda: render_receipt(doc, profile=args.profile, columns=48), args.runs),
        "baseline": measure(lambda: baseline(doc, args.profile), args.runs),
    }
    print(
        f"receipt: {len(doc.lines)} lines, {len(data.items)} items, "
        f"{len(storedesk()):,} bytes (baseline {len(baseline(doc, args.profile)):,}); "
        f"profile {args.profile}; {args.runs} runs each"
    )
    labels = {
        "storedesk": "layout+encode",
        "encode": "encode only",
        "baseline": "Dummy baseline",
    }
    for name, samples in results.items():
        print(
            f"{labels[name]:15} p50 {statistics.median(samples):.3f} ms   "
            f"p95 {percentile(samples, 0.95):.3f} ms   p99 {percentile(samples, 0.99):.3f} ms"
        )
    colds = sorted(cold_first(args.profile) for _ in range(3))
    print(f"first receipt in a new process (imports, tables): median {colds[1]:.0f} ms")
    ratio = statistics.median(results["storedesk"]) / statistics.median(results["baseline"])
    p95 = percentile(results["storedesk"], 0.95)
    verdict = "met" if p95 < 10 else "NOT met"
    print(f"layout+encode / baseline (median): {ratio:.2f}x   target p95 < 10 ms: {verdict}")


if __name__ == "__main__":
    main()
