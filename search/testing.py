"""Helpers for tests that need a real index (a temporary Whoosh folder per test process)."""

from __future__ import annotations

from .indexer import drain, reset_index


def fresh_index():
    """An empty live index, and an empty queue; returns the generation folder."""
    from .models import IndexQueue

    IndexQueue.objects.all().delete()
    return reset_index()


def index_now() -> int:
    """Apply everything queued so far (what index_worker does in production)."""
    return drain()
