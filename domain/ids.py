"""Client-generated, time-ordered identifiers (UUID version 7, RFC 9562).

Every business row gets its id on the terminal that created it, so a store can work offline
and the central database can accept the row later without renumbering. Version 7 ids sort
by creation time, which keeps B-tree inserts at the right-hand edge.
"""

from __future__ import annotations

import os
import threading
import time
import uuid

_lock = threading.Lock()
_last_ms = 0
_counter = 0
# Random bits are drawn from the OS 4 KiB at a time: one system call per 500 ids, not two
# per id (a sale makes about twenty).
_POOL_SIZE = 4096
_pool = b""
_pool_at = 0


def _random(n: int) -> int:
    """``n`` random bytes from the OS as an integer (call with ``_lock`` held)."""
    global _pool, _pool_at
    if _pool_at + n > len(_pool):
        _pool, _pool_at = os.urandom(_POOL_SIZE), 0
    start = _pool_at
    _pool_at += n
    return int.from_bytes(_pool[start : start + n], "big")


def new_id() -> uuid.UUID:
    """A fresh UUIDv7; ids made by one process are strictly increasing."""
    global _last_ms, _counter
    with _lock:
        ms = time.time_ns() // 1_000_000
        if ms <= _last_ms:
            # Same millisecond (or the clock stepped back): keep order with a 12-bit counter
            # in rand_a; on overflow borrow the next millisecond, as RFC 9562 6.2 allows.
            _counter += 1
            if _counter > 0xFFF:
                _last_ms += 1
                _counter = 0
            ms = _last_ms
        else:
            _last_ms = ms
            _counter = _random(2) & 0x7FF
        rand_b = _random(8) & ((1 << 62) - 1)
        value = (ms & ((1 << 48) - 1)) << 80
        value |= 0x7 << 76
        value |= _counter << 64
        value |= 0b10 << 62
        value |= rand_b
    return uuid.UUID(int=value)


def id_timestamp_ms(value: uuid.UUID) -> int:
    """Milliseconds since the Unix epoch encoded in a UUIDv7."""
    if value.version != 7:
        raise ValueError("not a version 7 UUID")
    return value.int >> 80
