"""Agreed language follows the archive through the one change path, in two steps.

1. Inside the writer's transaction, the archive's announcement (``statements_changed``)
   upserts one ``ReuseQueue`` row per touched statement: it commits or rolls back with the
   change, and costs the editor's save one small write.
2. After each batch the index worker applied (``search.signals.index_batch_applied``, sent in
   the worker's process), about as many queued statements are compared again: passages
   follow the index, and the single worker stays the only background process.  A failure is
   logged and the rows stay queued for the next batch; ``manage.py update_reuse`` applies
   the whole queue at once, and ``manage.py rebuild_reuse`` starts from nothing.
"""

from __future__ import annotations

from archive.signals import statements_changed
from search.signals import index_batch_applied

from . import build


def on_statements_changed(sender, ids=(), **kwargs):
    build.enqueue(ids)


def on_index_batch_applied(sender, ids=(), **kwargs):
    build.process_queue(limit=max(len(ids), build.QUEUE_BATCH))


def connect() -> None:
    statements_changed.connect(on_statements_changed, dispatch_uid="reuse.receivers.announced")
    index_batch_applied.connect(on_index_batch_applied, dispatch_uid="reuse.receivers.indexed")
