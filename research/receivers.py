"""Drop the statistics of every statement the archive announces as changed.

The rows are deleted inside the writer's transaction (so they go with the change, or stay if
it rolls back) and once more when it commits, in case a reader recomputed one from the text
as it was before the change meanwhile; the next reader computes them again.
"""

from __future__ import annotations

from django.db import transaction

from archive.signals import statements_changed


def forget(ids) -> None:
    from .models import StatementStats

    ids = sorted(ids)
    for start in range(0, len(ids), 500):
        StatementStats.objects.filter(statement_id__in=ids[start : start + 500]).delete()


def on_statements_changed(sender, ids=(), **kwargs):
    ids = frozenset(int(pk) for pk in ids if pk is not None)
    if not ids:
        return
    forget(ids)
    transaction.on_commit(lambda: forget(ids))


def connect() -> None:
    statements_changed.connect(on_statements_changed,
                               dispatch_uid="research.receivers.announced")
