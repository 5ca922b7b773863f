"""A small TCP proxy between a terminal and PostgreSQL that can cut, stall and restart.

``cut()`` closes every open connection (a pulled cable); ``stall()`` keeps connections
open but forwards nothing (a dead route); ``cut_after(n)`` closes everything once ``n``
more bytes went from the client to the server (a cut in the middle of a batch);
``stop()``/``start()`` restart the listener on the same port (the centre going away).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time


class Proxy:
    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self._lock = threading.Lock()
        self._conns: list[socket.socket] = []
        self._listener: socket.socket | None = None
        self._stalled = threading.Event()
        self._budget: int | None = None
        self.port = 0
        self.cuts = 0
        self.start()

    # -- control --------------------------------------------------------------------------
    def start(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self) -> None:
        if self._listener is not None:
            # close() alone leaves a thread blocked in accept() listening (Linux).
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)
            self._listener.close()
            self._listener = None
        self.cut()

    def cut(self) -> None:
        with self._lock:
            conns, self._conns = self._conns, []
            self._budget = None
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()
        if conns:
            self.cuts += 1

    def cut_after(self, n_bytes: int) -> None:
        with self._lock:
            self._budget = n_bytes

    def stall(self, on: bool = True) -> None:
        if on:
            self._stalled.set()
        else:
            self._stalled.clear()

    # -- plumbing -------------------------------------------------------------------------
    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.upstream, timeout=5)
                server.settimeout(None)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._conns += [client, server]
            threading.Thread(target=self._pump, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, False), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, upward: bool) -> None:
        while True:
            try:
                data = src.recv(65536)
            except OSError:
                break
            if not data:
                break
            while self._stalled.is_set():
                time.sleep(0.01)
            if upward:
                with self._lock:
                    if self._budget is not None:
                        self._budget -= len(data)
                        over = self._budget <= 0
                    else:
                        over = False
                if over:
                    self.cut()
                    break
            try:
                dst.sendall(data)
            except OSError:
                break
        for sock in (src, dst):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
