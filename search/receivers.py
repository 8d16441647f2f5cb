"""Turn the archive's announcements into index queue rows, inside the writer's transaction.

The archive's services announce the statements a write touched (``statements_changed``),
once per statement, inside the writing transaction; the queue row commits or rolls back with
the change, so a rolled-back save leaves no trace and an indexing error can never undo an
editor's save.  Model signals are not listened to: every write goes through the services,
and a write that bypasses them (the shell, fixtures) is caught by ``search_status``.
"""

from __future__ import annotations

from archive.signals import statements_changed

from .freshness import enqueue


def on_statements_changed(sender, ids=(), **kwargs):
    enqueue(ids)


def connect() -> None:
    statements_changed.connect(on_statements_changed, dispatch_uid="search.receivers.announced")
