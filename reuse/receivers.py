"""Agreed language follows the archive through the one change path, in two steps.

1. Inside the writer's transaction, the archive's announcement (``statements_changed``)
   upserts one ``ReuseQueue`` row per touched statement: it commits or rolls back with the
   change, and costs the editor's save one small write.
2. When the index worker has nothing left to index (``search.signals.index_worker_idle``,
   sent in the worker's process), a few queued statements are compared again per step, and
   the worker looks at its own queue between steps: passages follow the index, a save never
   waits in the index queue behind this slower work, and the single worker stays the only
   background process.  A failure is logged and the rows stay queued for the next step;
   ``manage.py update_reuse`` applies the whole queue at once, and ``manage.py rebuild_reuse``
   starts from nothing.
"""

from __future__ import annotations

from archive.signals import statements_changed
from search.signals import index_worker_idle

from . import build


def on_statements_changed(sender, ids=(), **kwargs):
    build.enqueue(ids)


def on_index_worker_idle(sender, **kwargs):
    """One step: a few statements, so a save that arrives meanwhile waits for little."""
    return build.process_queue(limit=build.IDLE_STEP) >= build.IDLE_STEP


def connect() -> None:
    statements_changed.connect(on_statements_changed, dispatch_uid="reuse.receivers.announced")
    index_worker_idle.connect(on_index_worker_idle, dispatch_uid="reuse.receivers.idle")
