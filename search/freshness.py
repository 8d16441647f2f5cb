"""Keeping the index in line with the database: the change queue and the one worker's step.

* ``enqueue`` (called inside the writer's transaction, see ``receivers.py``) upserts one
  queue row per touched statement.
* ``process_batch`` takes due rows, writes published statements and removes everything else
  in one engine commit; a statement that fails to prepare is retried later with back-off and
  shown to staff, without holding up the rest of the batch.  When the engine has no live
  index, the whole batch waits (with back-off): the worker never starts an empty index.
* ``drain`` runs batches until nothing is due (tests and ``index_worker --once``).
* ``differences`` and ``repair`` compare and reconcile the database and the index
  (``search_status``), and say when the index's text analysis is older than the code's or
  lacks protected words the archive's names now give; ``rebuild`` builds a whole new index
  (``rebuild_index``), which takes both up.

Engine-neutral: the engine is reached only through its contract (``search.engine``).
"""

from __future__ import annotations

import datetime
import logging
import traceback
from collections.abc import Iterable
from functools import reduce
from operator import or_

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from archive.models import Statement

from . import documents
from .engine import SearchEngine, get_engine
from .errors import SearchUnavailable
from .models import IndexQueue
from .signals import index_batch_applied, index_worker_idle
from .wakeup import notify_queued

log = logging.getLogger("search.freshness")

BATCH_SIZE = 200
MAX_BACKOFF = datetime.timedelta(hours=1)


# --- the queue -----------------------------------------------------------------------------


def enqueue(pks: Iterable) -> int:
    """Upsert one queue row per statement; a new change resets the retry state."""
    ids = sorted({int(pk) for pk in pks if pk is not None})
    if not ids:
        return 0
    now = timezone.now()
    rows = [
        IndexQueue(statement_pk=pk, enqueued_at=now, next_attempt_at=now, attempts=0,
                   last_error="")
        for pk in ids
    ]
    IndexQueue.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["statement_pk"],
        update_fields=["token", "enqueued_at", "next_attempt_at", "attempts", "last_error"],
        batch_size=200,
    )
    notify_queued()
    return len(ids)


def pending_removals() -> list[int]:
    """Statements queued for the worker that the database no longer publishes: their old
    documents may still be in the index until the worker gets to them (a moment, or as long
    as the worker is down), so every search leaves them out meanwhile (one small query)."""
    # NOT EXISTS, one index probe per queued row: NOT IN hashed every published statement
    # first (some 50 ms a search at 1,000,000 statements).
    published = Statement.objects.published().filter(pk=OuterRef("statement_pk"))
    return list(IndexQueue.objects.filter(~Exists(published))
                .values_list("statement_pk", flat=True))


def queued(pks: Iterable) -> set[int]:
    """Those of these statements the worker has yet to apply to the index (they may be
    missing from it, or out of date): readers that follow new statements (alerts) wait."""
    ids = {int(pk) for pk in pks}
    found: set[int] = set()
    ordered = sorted(ids)
    for start in range(0, len(ordered), 500):
        found.update(IndexQueue.objects.filter(statement_pk__in=ordered[start : start + 500])
                     .values_list("statement_pk", flat=True))
    return found


def backoff(attempts: int) -> datetime.timedelta:
    return min(datetime.timedelta(seconds=5 * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


# --- the worker's step ---------------------------------------------------------------------


def process_batch(*, limit: int = BATCH_SIZE, engine: SearchEngine | None = None) -> int:
    """Index one batch of due queue rows; returns how many rows were taken."""
    engine = engine or get_engine()
    rows = list(IndexQueue.objects.due().order_by("enqueued_at", "id")[:limit])
    if not rows:
        return 0
    index = documents.statement_index()
    objects = {
        obj.pk: obj
        for obj in documents.statements_for_index().filter(pk__in=[r.statement_pk for r in rows])
    }
    docs, remove, failed = [], [], []
    for row in rows:
        obj = objects.get(row.statement_pk)
        if obj is None:
            # Unpublished or deleted: whatever the index holds for it goes.
            remove.append(documents.identifier(row.statement_pk))
            continue
        try:
            docs.append(documents.prepare(obj, index))
        except Exception:
            log.exception("Preparing statement %s for the index failed", row.statement_pk)
            # The statement is published (drafts never get here): its previous document, if
            # any, stays searchable until a retry succeeds; staff see the error in the admin.
            failed.append((row, traceback.format_exc(limit=5)))

    try:
        engine.write(docs, delete=remove)
    except SearchUnavailable as exc:
        log.error("The index cannot take a batch of %d changes: %s", len(rows), exc)
        _mark_failed(rows, str(exc))
        return len(rows)
    except Exception:
        log.exception("Writing a batch of %d documents to the index failed", len(rows))
        _mark_failed(rows, traceback.format_exc(limit=5))
        return len(rows)

    for row, error in failed:
        _mark_failed([row], error)
    failed_ids = {row.pk for row, _ in failed}
    done = [r for r in rows if r.pk not in failed_ids]
    _delete_done(done)
    _announce_applied(done)
    return len(rows)


def _announce_applied(rows) -> None:
    if not rows:
        return
    results = index_batch_applied.send_robust(
        sender=IndexQueue, ids=frozenset(r.statement_pk for r in rows)
    )
    for receiver, outcome in results:
        if isinstance(outcome, Exception):
            log.error("A follower of the index (%r) failed after a batch: %r", receiver, outcome)


def _delete_done(rows) -> None:
    # Only rows nobody queued again meanwhile (the token changes on every upsert).
    for start in range(0, len(rows), 200):
        chunk = rows[start : start + 200]
        if chunk:
            condition = reduce(or_, (Q(pk=r.pk, token=r.token) for r in chunk))
            IndexQueue.objects.filter(condition).delete()


def _mark_failed(rows, error: str) -> None:
    now = timezone.now()
    for row in rows:
        attempts = row.attempts + 1
        # Only if nobody queued it again meanwhile: a fresh change deserves a fresh try.
        IndexQueue.objects.filter(pk=row.pk, token=row.token).update(
            attempts=F("attempts") + 1,
            last_error=error[-4000:],
            next_attempt_at=now + backoff(attempts),
        )


def idle_step() -> bool:
    """One bounded step of the work that follows the index (``index_worker_idle``); True when
    a receiver did some and has more."""
    more = False
    for receiver, outcome in index_worker_idle.send_robust(sender=IndexQueue):
        if isinstance(outcome, Exception):
            log.error("A follower of the index (%r) failed while idle: %r", receiver, outcome)
        elif outcome:
            more = True
    return more


def drain(*, engine: SearchEngine | None = None, max_batches: int | None = None) -> int:
    """Process due rows until none is left, then the followers' work (unless ``max_batches``
    stops it first); returns the number of rows taken."""
    engine = engine or get_engine()
    total, batches = 0, 0
    while max_batches is None or batches < max_batches:
        taken = process_batch(engine=engine)
        if not taken:
            if idle_step():
                continue
            break
        total += taken
        batches += 1
    return total


# --- status, repair, rebuild ---------------------------------------------------------------


def differences(*, check_content: bool = True, engine: SearchEngine | None = None) -> dict:
    """Published statements vs index documents: missing, extra and (optionally) stale.

    Raises ``SearchUnavailable`` when there is no live index.
    """
    engine = engine or get_engine()
    state = engine.status()
    stored = state.documents
    published = set(Statement.objects.published().values_list("pk", flat=True))
    indexed = {pk for pk in map(documents.pk_of, stored) if pk is not None}
    stale: set[int] = set()
    if check_content:
        index = documents.statement_index()
        qs = documents.statements_for_index().filter(pk__in=published & indexed).order_by("pk")
        for obj in qs.iterator(chunk_size=500):
            try:
                doc = documents.prepare(obj, index)
            except Exception:
                stale.add(obj.pk)
                continue
            if doc[documents.FINGERPRINT] != stored.get(documents.identifier(obj.pk)):
                stale.add(obj.pk)
    return {
        "published": len(published),
        "indexed": len(stored),
        "queued": IndexQueue.objects.count(),
        "failing": IndexQueue.objects.failing().count(),
        "missing": sorted(published - indexed),
        "extra": sorted(indexed - published),
        "stale": sorted(stale),
        # The text analysis: an index built by older code, and names the archive has that
        # the index's protected words lack (the next rebuild protects them).
        "analysis_current": state.analysis_current,
        "protected": len(state.protected_words or ()),
        "protected_new": (sorted(documents.protected_words() - state.protected_words)
                          if state.protected_words is not None else []),
    }


def difference_count(diff: dict) -> int:
    return len(diff["missing"]) + len(diff["extra"]) + len(diff["stale"])


def repair(diff: dict) -> int:
    ids = set(diff["missing"]) | set(diff["extra"]) | set(diff["stale"])
    with transaction.atomic():
        return enqueue(ids)


def rebuild(*, processes: int | None = None, stdout=None, engine: SearchEngine | None = None):
    """A whole new index from the database; statements that failed to prepare are queued
    for a retry (and shown to staff) rather than left out silently."""
    engine = engine or get_engine()
    report = engine.rebuild(processes=processes, stdout=stdout)
    if report.failed:
        with transaction.atomic():
            enqueue(report.failed)
            for pk, error in report.failed.items():
                IndexQueue.objects.filter(statement_pk=pk).update(
                    attempts=1, last_error=error[-4000:],
                    next_attempt_at=timezone.now() + backoff(1),
                )
    return report


def reset(*, engine: SearchEngine | None = None) -> None:
    """An empty live index and an empty queue (tests)."""
    engine = engine or get_engine()
    IndexQueue.objects.all().delete()
    engine.reset()
