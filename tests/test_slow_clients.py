"""Slow clients (issue 13, item 11): the production gunicorn configuration
(``deploy/gunicorn.conf.py``, threaded workers) keeps answering other clients while a dozen
connections trickle their requests a byte at a time.  Two such connections froze the former
two-worker sync server for 31 s.  Everything runs on 127.0.0.1, bounded in count and time."""

from __future__ import annotations

import socket
import statistics
import threading
import time
import urllib.request

import pytest

from tests.e2e.site import ScratchSite

pytestmark = pytest.mark.slow

SLOW_CLIENTS = 12
TRICKLE_SECONDS = 8.0
BYTE_EVERY = 0.5


def trickle(host: str, port: int, stop: threading.Event, started: threading.Barrier) -> None:
    """Send a request's start, then one header byte every half second, never finishing."""
    with socket.create_connection((host, port), timeout=5) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        started.wait(timeout=10)
        deadline = time.monotonic() + TRICKLE_SECONDS
        for byte in b"X-Slow: " + b"a" * 10_000:
            if stop.is_set() or time.monotonic() > deadline:
                return
            try:
                sock.sendall(bytes([byte]))
            except OSError:
                return  # the server gave up on us: also fine
            time.sleep(BYTE_EVERY)


def test_other_clients_are_answered_while_slow_clients_trickle(tmp_path):
    with ScratchSite(tmp_path / "site", postgres=False) as site:
        site.prepare(demo=True)
        # The configuration's own threads; two workers as on the 2-core production host.
        url = site.start_server(options=["-c", "deploy/gunicorn.conf.py", "--workers", "2"])
        host, port = "127.0.0.1", int(url.rsplit(":", 1)[1])
        stop = threading.Event()
        started = threading.Barrier(SLOW_CLIENTS + 1)
        threads = [threading.Thread(target=trickle, args=(host, port, stop, started),
                                    daemon=True) for _ in range(SLOW_CLIENTS)]
        for thread in threads:
            thread.start()
        started.wait(timeout=10)
        time.sleep(1.0)  # every slow connection is accepted and has sent its first bytes
        times = []
        try:
            for path in ["/", "/statements/", "/speakers/", "/robots.txt"] * 5:
                began = time.monotonic()
                with urllib.request.urlopen(url + path, timeout=5) as response:
                    assert response.status == 200
                    response.read()
                times.append(time.monotonic() - began)
            still_trickling = sum(thread.is_alive() for thread in threads)
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=5)
        print(f"{len(times)} requests beside {SLOW_CLIENTS} slow clients: median "
              f"{statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms")
        assert still_trickling == SLOW_CLIENTS, "the slow clients were there all along"
        assert max(times) < 2.0
