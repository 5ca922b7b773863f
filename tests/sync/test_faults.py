"""Faults between a terminal and the centre: kills, cuts, stalls, restarts — and still exactly once.

Each test ends with :func:`assert_converged`: every row the terminal wrote is at the centre
once, at the same version, and the money counts and sums agree.
"""

from __future__ import annotations

import functools
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy.engine import make_url

from app.errors import SyncError
from app.sync.push import Pusher
from tests.sync.proxy import Proxy
from tests.sync.terminals import Central, Terminal, assert_converged

pytestmark = pytest.mark.postgres

DELIVERY = "sku,serial,imsi,quantity\nACC-CASE,,,200\n"


@pytest.fixture
def proxy(central: Central) -> Iterator[Proxy]:
    url = make_url(central.url)
    p = Proxy((url.host or "127.0.0.1", url.port or 5432))
    try:
        yield p
    finally:
        p.stop()


def _seller(make: Callable[..., Terminal], sales: int, **kw: object) -> Terminal:
    t = make(**kw)
    t.open_till()
    t.receive(DELIVERY, "DN-FAULTS")
    for _ in range(sales):
        t.sell_case()
    return t


@pytest.fixture
def via_proxy(proxy: Proxy, terminal: Callable[..., Terminal]) -> Callable[..., Terminal]:
    return functools.partial(terminal, port=proxy.port, batch_size=5)


def test_a_crash_after_the_centre_committed_is_a_harmless_retry(
    central: Central, terminal: Callable[..., Terminal], monkeypatch: pytest.MonkeyPatch
) -> None:
    t = _seller(terminal, 3)
    calls = {"n": 0}
    real = Pusher.mark_sent

    def crash_on_second(self: Pusher, batch: object) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("power cut after the centre acknowledged")
        real(self, batch)  # type: ignore[arg-type]

    monkeypatch.setattr(Pusher, "mark_sent", crash_on_second)
    t.sync.pusher.batch_size = 10
    with pytest.raises(SyncError):
        t.cycle()
    assert t.waiting() > 0  # the batch the centre has is still waiting here
    monkeypatch.setattr(Pusher, "mark_sent", real)
    t.cycle()
    assert_converged(central, t)
    assert central.scalar("SELECT count(*) FROM payments") == 3


def test_a_connection_cut_mid_batch_loses_and_duplicates_nothing(
    central: Central, proxy: Proxy, via_proxy: Callable[..., Terminal]
) -> None:
    t = _seller(via_proxy, 6)
    for budget in (2_000, 9_000, 25_000):
        proxy.cut_after(budget)
        with pytest.raises(SyncError, match="central database"):
            t.cycle()
        proxy.cut_after(10**9)
    t.cycle()
    assert proxy.cuts >= 3
    assert_converged(central, t)


def test_the_centre_going_away_and_coming_back(
    central: Central, proxy: Proxy, via_proxy: Callable[..., Terminal]
) -> None:
    t = _seller(via_proxy, 2)
    proxy.stop()
    with pytest.raises(SyncError, match=r"cannot be reached|was lost"):
        t.cycle()
    t.sell_case()  # selling goes on while the centre is away
    proxy.start()
    t.cycle()
    assert_converged(central, t)


def test_a_stalled_route_times_out_instead_of_hanging(
    central: Central, proxy: Proxy, via_proxy: Callable[..., Terminal]
) -> None:
    t = _seller(via_proxy, 2)
    proxy.stall(True)
    started = time.monotonic()
    with pytest.raises(SyncError):
        t.cycle()
    assert time.monotonic() - started < 30  # the deadline (4 s here), not forever
    proxy.stall(False)
    proxy.cut()
    t.cycle()
    assert_converged(central, t)


def _provision(central: Central, t: Terminal) -> None:
    secret = t.home / "central.password"
    secret.write_text(central.passwords[t.store])
    done = subprocess.run(
        [sys.executable, "-m", "ui.main", "--home", str(t.home), "provision",
         "--store", t.store, "--terminal", t.terminal_id,
         "--central-url", central.store_url(t.store), "--password-file", str(secret)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


@pytest.mark.timeout(240)  # starts a dozen Python processes: slow on a loaded machine
def test_killing_the_sync_process_at_random_points_never_loses_or_duplicates(
    central: Central, terminal: Callable[..., Terminal]
) -> None:
    t = _seller(terminal, 30)
    _provision(central, t)
    rng = random.Random(int(os.environ.get("STOREDESK_KILL_SEED", "7")))
    env = {**os.environ, "STOREDESK_CENTRAL_BATCH_SIZE": "10"}
    cmd = [sys.executable, "-m", "ui.main", "--home", str(t.home), "sync", "now"]
    kills = 0
    for _ in range(10):
        before = t.waiting()
        if before == 0:
            break
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        # Kill at a random moment once it is pushing (the outbox has started to shrink).
        deadline = time.monotonic() + 30
        while proc.poll() is None and t.waiting() == before and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(rng.uniform(0.0, 0.06))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait(timeout=30)
    assert kills >= 2
    finished = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr
    assert_converged(central, t)
    assert central.scalar("SELECT count(*) FROM orders WHERE status = 'completed'") == 30
    assert central.scalar("SELECT count(*) FROM payments") == 30


def test_two_terminals_of_a_store_and_two_stores_at_once(
    central: Central, terminal: Callable[..., Terminal]
) -> None:
    import threading

    tills = [_seller(terminal, 4, store=s, terminal_id=n) for s in ("S001", "S002")
             for n in ("T01", "T02")]  # fmt: skip
    errors: list[BaseException] = []

    def run(t: Terminal) -> None:
        try:
            for _ in range(2):
                t.cycle()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(t,)) for t in tills]
    for th in threads:
        th.start()
    for th in threads:
        th.join(120)
    assert not errors, errors
    for t in tills:
        assert_converged(central, t)
    assert central.scalar("SELECT count(*) FROM orders WHERE status = 'completed'") == 16
