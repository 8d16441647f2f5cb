"""Waking the index worker when a change is queued, instead of at its next poll.

On PostgreSQL every transaction that queues a statement also sends ``NOTIFY`` on one
channel (``notify_queued``); PostgreSQL delivers it when, and only if, that transaction
commits.  The worker listens on a connection of its own and waits on its socket, so a save
reaches the index a few milliseconds after its commit rather than up to a poll later.  The
poll stays as the fallback: for SQLite, which has no notifications, and for a listening
connection that was lost (it is opened again at the next wait).
"""

from __future__ import annotations

import contextlib
import logging
import select
import time

from django.db import connections, router

log = logging.getLogger("search.freshness")

CHANNEL = "archive_index_queue"


def _queue_alias() -> str:
    from .models import IndexQueue

    return router.db_for_write(IndexQueue)


def notify_queued() -> None:
    """Tell a listening worker that rows were queued (delivered at commit; PostgreSQL only)."""
    connection = connections[_queue_alias()]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        # Several in one transaction are folded into one by PostgreSQL.
        cursor.execute("SELECT pg_notify(%s, '')", [CHANNEL])


class Wakeup:
    """``wait(timeout)`` returns when a change was queued, or after ``timeout`` seconds."""

    def __init__(self, alias: str | None = None):
        self.alias = alias or _queue_alias()
        self._listener = None

    def _listen(self):
        wrapper = connections[self.alias]
        if wrapper.vendor != "postgresql":
            return None
        if self._listener is None:
            try:
                listener = wrapper.get_new_connection(wrapper.get_connection_params())
                listener.autocommit = True
                with listener.cursor() as cursor:
                    cursor.execute(f'LISTEN "{CHANNEL}"')
                self._listener = listener
            except Exception as exc:  # the poll still works without it
                log.warning("index_worker: cannot listen for queued changes (%s); polling", exc)
                return None
        return self._listener

    def wait(self, timeout: float) -> bool:
        """True when woken by a notification, False when the time ran out."""
        listener = self._listen()
        if listener is None:
            time.sleep(timeout)
            return False
        try:
            listener.poll()
            if not listener.notifies:
                ready, _, _ = select.select([listener], [], [], timeout)
                if ready:
                    listener.poll()
            woken = bool(listener.notifies)
            listener.notifies.clear()
            return woken
        except Exception as exc:  # a lost connection: poll, listen later
            log.warning("index_worker: the listening connection failed (%s); polling", exc)
            self.close()
            time.sleep(timeout)
            return False

    def close(self) -> None:
        if self._listener is not None:
            with contextlib.suppress(Exception):
                self._listener.close()
            self._listener = None
