"""Drop the statistics of every statement the archive announces as changed.

The rows are deleted inside the writer's transaction (so they go with the change, or stay if
it rolls back) and once more when it commits, in case a reader recomputed one from the text
as it was before the change meanwhile.  After the commit, a small batch (an editor's save)
is computed again at once; a large one (an import) is left to ``manage.py research_stats``
and to readers, which compute what they need.
"""

from __future__ import annotations

import logging

from django.db import transaction

from archive.signals import statements_changed


def forget(ids) -> None:
    from .models import StatementStats, StatementWords

    ids = sorted(ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        StatementWords.objects.filter(statement_id__in=chunk).delete()
        StatementStats.objects.filter(statement_id__in=chunk).delete()


log = logging.getLogger(__name__)
RECOMPUTE_AT_ONCE = 50


def after_commit(ids) -> None:
    forget(ids)
    if len(ids) > RECOMPUTE_AT_ONCE:
        return
    from . import stats

    try:
        stats.compute(ids)  # published ones only; drafts never have a row
    except Exception:
        # The write is committed: a failure here only leaves the rows to the next reader.
        log.exception("Computing the research statistics of %s failed", sorted(ids))


def on_statements_changed(sender, ids=(), **kwargs):
    ids = frozenset(int(pk) for pk in ids if pk is not None)
    if not ids:
        return
    forget(ids)
    transaction.on_commit(lambda: after_commit(ids))


def connect() -> None:
    statements_changed.connect(on_statements_changed,
                               dispatch_uid="research.receivers.announced")
