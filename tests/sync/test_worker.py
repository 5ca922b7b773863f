"""The background worker: status without I/O, backoff with jitter, resuming by itself."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy.engine import make_url

from app.sync.worker import BACKOFF_CAP_S, SyncWorker, backoff_delay
from tests.sync.proxy import Proxy
from tests.sync.terminals import Central, Terminal


def test_backoff_doubles_up_to_a_cap_and_is_spread() -> None:
    low = [backoff_delay(n, rng=lambda: 0.0) for n in range(1, 12)]
    high = [backoff_delay(n, rng=lambda: 1.0) for n in range(1, 12)]
    assert low[:4] == [1.0, 2.0, 4.0, 8.0] and high[:4] == [2.0, 4.0, 8.0, 16.0]
    assert max(high) == BACKOFF_CAP_S and max(low) == BACKOFF_CAP_S / 2


@pytest.fixture
def proxy(central: Central) -> Iterator[Proxy]:
    url = make_url(central.url)
    p = Proxy((url.host or "127.0.0.1", url.port or 5432))
    try:
        yield p
    finally:
        p.stop()


@pytest.mark.postgres
def test_the_worker_goes_offline_and_resumes_by_itself(
    central: Central, proxy: Proxy, terminal: Callable[..., Terminal]
) -> None:
    t = functools.partial(terminal, port=proxy.port)("S001")
    t.open_till()
    worker = SyncWorker(t.sync, interval_s=0.2, rng=lambda: 0.0)
    assert worker.status().state == "starting"
    proxy.stop()
    worker.run_once()
    down = worker.status()
    assert down.state == "offline" and down.failures == 1
    assert "central database" in down.error and down.waiting == t.waiting() > 0
    assert down.next_attempt_at is not None and down.next_attempt_at - time.monotonic() <= 1.0
    proxy.start()
    worker.start()  # the thread retries when the backoff is over
    try:
        deadline = time.monotonic() + 20
        while worker.status().state != "online" and time.monotonic() < deadline:
            time.sleep(0.05)
        up = worker.status()
        assert up.state == "online" and up.error == "" and up.failures == 0
        assert up.waiting == 0 and up.last_success is not None
        t.receive("sku,serial,imsi,quantity\nACC-CASE,,,3\n", "DN-W")
        worker.sync_now()  # wakes the thread at once
        deadline = time.monotonic() + 20
        while t.waiting() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert t.waiting() == 0
    finally:
        worker.stop()
