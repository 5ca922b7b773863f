"""Customer search over a big database: the service against the raw SQL it runs.

Measures ``CustomerService.search(text)`` (limit 20, wall clock) for a fixed, seeded mix of
about 1,500 queries typed at the counter, on the demo database with N customers (default
1,000,000; created once by ``storedesk demo`` and cached in benchmarks/out/home-N, shared
with idle_memory.py and customer_360.py). Baseline, measured in the same run: the SQL
statements the search executed for that same query (captured once with a SQLAlchemy
``before_cursor_execute`` listener), replayed with the same parameters on a plain
``sqlite3`` connection to the same file, all rows fetched. Transaction bookkeeping (the
engine's ``PRAGMA synchronous`` and ``BEGIN IMMEDIATE``) is not replayed: the baseline is
the lookup itself. The whole mix runs once untimed first.

Targets (issue: customer search): p95 under 30 ms, and p95 at most 1.5 × the raw SQL.

The mix (shares of ``--queries``): full names in either order 15 %, name prefixes typed
keystroke by keystroke 25 %, Cyrillic names 10 %, spelling variants 7 %, one-letter
typos 10 %, customer numbers 8 %, phone numbers (E.164 and national) 8 %, ICCIDs 4 %,
document numbers 4 %, identifier prefixes 6 %, queries that find nothing 3 %.

    .venv/bin/python benchmarks/customer_search.py [--customers 1000000] [--queries 1500]
"""

from __future__ import annotations

import argparse
import random
import re
import sqlite3
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import demo_database, open_services
from sqlalchemy import event

from app.bootstrap import Services
from app.demo import data
from app.demo.seed import demo_iccid

TARGET_P95_MS = 30.0
TARGET_RATIO = 1.5
SEED = 11

Statement = tuple[str, tuple[Any, ...]]
Generator = Callable[[random.Random, int], list[str]]

# Spellings a consultant writes down from what they hear. Most reach a demo name through its
# skeleton or the typo search; a few ("Schtschukin", "Kusnezowa") find nothing.
VARIANTS = (
    "Aleksandr", "Alexandr", "Aleksander Petrow", "Schewtschenko", "Shevchenko",
    "Ševčenko", "Schtschukin", "Kusnezowa", "Kuznecova", "Iwanowa", "Iwanowa Anna",
    "Saizew", "Zajcev", "Solowjowa", "Worobjow", "Wassiljew", "Sergej", "Sergey Smirnow",
    "Andrej Popow", "Dmitrij", "Michail", "Nikolaj Wolkow", "Natalja", "Tatjana",
    "Jekaterina", "Yekaterina Sokolowa", "Julija", "Mueller", "Schroeder", "Krueger",
    "Lebedewa", "Nowikowa", "Morosow", "Golubew", "Pawlowa", "Kozlow",
)  # fmt: skip
NOTHING = (
    "Brzęczyszczykiewicz", "Quaxley", "Okonkwo Chidi", "Nguyen Thi", "Xylophon",
    "C99999998", "L99999999", "+44 20 7946 0018", "+1 212 555 0147", "ZZ-404",
)  # fmt: skip


def _case(rng: random.Random, text: str) -> str:
    return text.lower() if rng.random() < 0.6 else text


def full_names(rng: random.Random, customers: int) -> list[str]:
    first, last = rng.choice(data.FIRST_NAMES), rng.choice(data.LAST_NAMES)
    return [_case(rng, f"{first} {last}" if rng.random() < 0.5 else f"{last} {first}")]


def keystrokes(rng: random.Random, customers: int) -> list[str]:
    """What the box holds after each key while a name is typed ("iv", "iva", "ivan", …)."""
    last = rng.choice(data.LAST_NAMES).lower()
    text = last if rng.random() < 0.5 else f"{rng.choice(data.FIRST_NAMES).lower()} {last}"
    return [text[:k] for k in range(2, len(text) + 1) if not text[:k].endswith(" ")]


def cyrillic(rng: random.Random, customers: int) -> list[str]:
    first = rng.choice(data.FIRST_NAMES_CYRILLIC)
    last = rng.choice(data.LAST_NAMES_CYRILLIC)
    pick = rng.random()
    if pick < 0.4:
        return [last]
    if pick < 0.7:
        return [f"{first} {last}"]
    return [last[: rng.randint(3, 5)]]


def spelling(rng: random.Random, customers: int) -> list[str]:
    return [rng.choice(VARIANTS)]


def typos(rng: random.Random, customers: int) -> list[str]:
    """One letter changed, dropped or added after the first two ("Ivonova")."""
    word = rng.choice([n for n in data.LAST_NAMES if len(n) >= 5])
    at = rng.randrange(2, len(word))
    letter = rng.choice("aeioulnrst")
    edit = rng.randrange(3)
    if edit == 0:
        wrong = word[:at] + letter + word[at + 1 :]
    elif edit == 1:
        wrong = word[:at] + word[at + 1 :]
    else:
        wrong = word[:at] + letter + word[at:]
    if wrong == word:
        wrong = word[:at] + word[at + 1 :]
    if rng.random() < 0.4:
        wrong = f"{rng.choice(data.FIRST_NAMES)} {wrong}"
    return [_case(rng, wrong)]


def customer_numbers(rng: random.Random, customers: int) -> list[str]:
    number = f"C{rng.randint(1, customers):08d}"
    return [number.lower() if rng.random() < 0.2 else number]


def phones(rng: random.Random, customers: int) -> list[str]:
    n = rng.randint(1, customers)
    return [rng.choice((f"+49 151 {n:08d}", f"+49151{n:08d}", f"0151 {n:08d}", f"0151{n:08d}"))]


def iccids(rng: random.Random, customers: int) -> list[str]:
    return [demo_iccid(900, rng.randint(1, customers))]


def documents(rng: random.Random, customers: int) -> list[str]:
    return [f"L{rng.randint(1, customers):08d}"]


def id_prefixes(rng: random.Random, customers: int) -> list[str]:
    n = rng.randint(1, customers)
    whole = rng.choice((f"C{n:08d}", f"L{n:08d}", f"+49 151 {n:08d}", f"0151 {n:08d}"))
    return [whole[: rng.randint(5, len(whole) - 2)]]


def nothing(rng: random.Random, customers: int) -> list[str]:
    return [rng.choice(NOTHING)]


MIX: tuple[tuple[str, float, Generator], ...] = (
    ("full name", 0.15, full_names),
    ("name keystrokes", 0.25, keystrokes),
    ("cyrillic", 0.10, cyrillic),
    ("spelling", 0.07, spelling),
    ("typo", 0.10, typos),
    ("customer no", 0.08, customer_numbers),
    ("phone", 0.08, phones),
    ("iccid", 0.04, iccids),
    ("document", 0.04, documents),
    ("id prefix", 0.06, id_prefixes),
    ("no match", 0.03, nothing),
)


def build_mix(total: int, customers: int) -> list[tuple[str, str]]:
    """(category, query) pairs in a seeded random order; keystroke runs stay together."""
    rng = random.Random(SEED)
    runs: list[list[tuple[str, str]]] = []
    for category, share, make in MIX:
        quota = max(1, round(total * share))
        made = 0
        while made < quota:
            run = make(rng, customers)[: quota - made]
            runs.append([(category, q) for q in run])
            made += len(run)
    rng.shuffle(runs)
    return [pair for run in runs for pair in run]


def capture(services: Services, query: str) -> tuple[list[Statement], list[str]]:
    """Run the search once; return the lookups it executed and the bookkeeping it skipped."""
    seen: list[Statement] = []

    def listen(
        conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
    ) -> None:
        seen.append((statement, tuple(parameters or ())))

    event.listen(services.engine, "before_cursor_execute", listen)
    try:
        services.customers.search(query)
    finally:
        event.remove(services.engine, "before_cursor_execute", listen)
    lookups: list[Statement] = []
    skipped: list[str] = []
    for sql, params in seen:
        if sql.lstrip().upper().startswith(("SELECT", "WITH")):
            lookups.append((sql, params))
        else:
            skipped.append(" ".join(sql.split()[:2]))
    return lookups, skipped


def statement_kind(statement: Statement) -> str:
    """A short label for the per-statement breakdown: the table and, for FTS, the column."""
    sql, params = statement
    table = re.search(r"\bFROM\s+(\w+)", sql)
    name = table.group(1) if table else sql.split()[0]
    if " MATCH " in sql and params and isinstance(params[0], str):
        column = params[0].split(":", 1)[0].strip()
        return f"{name} MATCH {column}{' prefix' if '*' in params[0] else ''}"
    return name


def replay(raw: sqlite3.Connection, statements: Sequence[Statement], spent: list[float]) -> float:
    """Seconds to run ``statements`` and fetch every row; per-statement times into ``spent``."""
    started = time.perf_counter()
    for sql, params in statements:
        t = time.perf_counter()
        raw.execute(sql, params).fetchall()
        spent.append(time.perf_counter() - t)
    return time.perf_counter() - started


def percentile(samples: Sequence[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.2f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=1500)
    args = parser.parse_args()
    home = demo_database(args.customers)
    mix = build_mix(args.queries, args.customers)
    services = open_services(home)
    db_file = Path(str(services.engine.url.database))
    raw = sqlite3.connect(db_file, isolation_level=None)
    try:
        # Warm-up: the whole mix once, untimed, which is also when the SQL is captured.
        plans: list[list[Statement]] = []
        skipped: set[str] = set()
        found: dict[str, int] = defaultdict(int)
        for _, query in mix:
            lookups, bookkeeping = capture(services, query)
            plans.append(lookups)
            skipped.update(bookkeeping)
        for plan in plans:
            replay(raw, plan, [])

        service_t: list[float] = []
        raw_t: list[float] = []
        by_kind: dict[str, list[float]] = defaultdict(list)
        for (category, query), plan in zip(mix, plans, strict=True):
            started = time.perf_counter()
            hits = services.customers.search(query)
            service_t.append(time.perf_counter() - started)
            spent: list[float] = []
            raw_t.append(replay(raw, plan, spent))
            for statement, seconds in zip(plan, spent, strict=True):
                by_kind[statement_kind(statement)].append(seconds)
            found[category] += bool(hits)
    finally:
        raw.close()
        services.close()

    size = db_file.stat().st_size / 1e9
    statements = sum(len(p) for p in plans)
    print(
        f"database: {args.customers:,} customers, {size:.2f} GB; {len(mix):,} queries "
        f"({statements / len(mix):.1f} SQL statements each on average), warmed up once"
    )
    if skipped:
        print(f"not replayed (transaction bookkeeping per search): {', '.join(sorted(skipped))}")
    print(f"{'':18} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for name, samples in (("service", service_t), ("raw SQL replay", raw_t)):
        print(
            f"{name:18} {len(samples):6} {ms(percentile(samples, 0.5))} "
            f"{ms(percentile(samples, 0.95))} {ms(max(samples))}"
        )
    p95 = percentile(service_t, 0.95)
    ratio = p95 / percentile(raw_t, 0.95)

    print(
        f"\n{'category':18} {'count':>6} {'found':>6} {'service p50':>12} {'p95':>8} "
        f"{'raw p50':>8} {'p95':>8} {'p95 ratio':>9}"
    )
    for category, _, _ in MIX:
        rows = [i for i, (c, _) in enumerate(mix) if c == category]
        mine = [service_t[i] for i in rows]
        base = [raw_t[i] for i in rows]
        s95, r95 = percentile(mine, 0.95), percentile(base, 0.95)
        print(
            f"{category:18} {len(rows):6} {100 * found[category] / len(rows):5.0f}% "
            f"{ms(percentile(mine, 0.5)):>12} {ms(s95)} {ms(percentile(base, 0.5))} {ms(r95)} "
            f"{s95 / r95:8.2f}x"
        )

    print(f"\n{'raw time by statement':38} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'share':>6}")
    total_raw = sum(sum(v) for v in by_kind.values())
    for kind, samples in sorted(by_kind.items(), key=lambda kv: -sum(kv[1])):
        print(
            f"{kind:38} {len(samples):6} {ms(percentile(samples, 0.5))} "
            f"{ms(percentile(samples, 0.95))} {100 * sum(samples) / total_raw:5.1f}%"
        )

    verdict_p95 = "PASS" if p95 < TARGET_P95_MS / 1000 else "MISS"
    verdict_ratio = "PASS" if ratio <= TARGET_RATIO else "MISS"
    print(f"\np95 service / raw SQL: {ratio:.2f}x")
    print(
        f"target p95 < {TARGET_P95_MS:g} ms: {verdict_p95} ({p95 * 1000:.2f} ms); "
        f"target ratio <= {TARGET_RATIO:g}x: {verdict_ratio}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
