"""Helpers for tests that need a real index (a temporary index per test process)."""

from __future__ import annotations

from .freshness import drain, reset


def fresh_index() -> None:
    """An empty live index, and an empty queue."""
    reset()


def index_now() -> int:
    """Apply everything queued so far (what index_worker does in production)."""
    return drain()
