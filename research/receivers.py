"""Drop the statistics of every statement the archive announces as changed.

The rows are deleted inside the writer's transaction (so they go with the change, or stay if
it rolls back) and once more when it commits, in case a reader recomputed one from the text
as it was before the change meanwhile.  After the commit, a small batch (an editor's save)
is computed again at once; a large one (an import) is left to ``manage.py research_stats``
and to readers, which compute what they need.
"""

from __future__ import annotations

import logging

from django.db import OperationalError, transaction

from archive.signals import statements_changed


def forget(ids, *, skip_locked: bool = False) -> None:
    """Delete these statements' rows, locking them in statement order first, so that two
    transactions forgetting overlapping sets never wait for each other crosswise.

    ``skip_locked`` leaves out rows another transaction holds: only a transaction deleting
    them (a forget, or a statement's deletion) locks these rows, so they are going anyway,
    and should it roll back, the forget after this commit deletes them.  The writer's
    transaction forgets so: it holds other rows (the queue's) that such a transaction may be
    waiting for, and must not wait in turn.
    """
    from .models import StatementStats, StatementWords

    ids = sorted(ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        with transaction.atomic():
            for model in (StatementWords, StatementStats):
                held = list(model.objects.select_for_update(skip_locked=skip_locked)
                            .filter(statement_id__in=chunk).order_by("statement_id")
                            .values_list("statement_id", flat=True))
                if held:
                    model.objects.filter(statement_id__in=held).delete()


log = logging.getLogger(__name__)
RECOMPUTE_AT_ONCE = 50


def after_commit(ids) -> None:
    for attempt in range(3):
        try:
            forget(ids)
            break
        except OperationalError:
            # Committed already: a row left behind would describe the older text, so try
            # again (a deadlock victim), and say so if it stays.
            if attempt == 2:
                log.exception("Dropping the research statistics of %s failed", sorted(ids))
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
    forget(ids, skip_locked=True)
    transaction.on_commit(lambda: after_commit(ids))


def connect() -> None:
    statements_changed.connect(on_statements_changed,
                               dispatch_uid="research.receivers.announced")
