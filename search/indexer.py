"""The one path that changes the index: queue rows in, Whoosh documents out.

* ``enqueue`` (called by the receivers, inside the writer's transaction) upserts queue rows.
* ``process_batch`` takes due rows, indexes published statements and removes everything else
  in one commit, under ``write.lock``; a document that fails to prepare is retried later with
  backoff and shown to staff, without holding up the rest of the batch.
* ``drain`` runs batches until nothing is due (tests and ``index_worker --once``).
* ``rebuild`` builds a fresh generation beside the live one and swaps the pointer.
"""

from __future__ import annotations

import contextlib
import datetime
import errno
import fcntl
import logging
import os
import shutil
import time
import traceback
import uuid
from collections.abc import Iterable, Iterator
from functools import reduce
from operator import or_
from pathlib import Path

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import IndexQueue

log = logging.getLogger("search.indexer")

STATEMENT_LABEL = "archive.statement"
BATCH_SIZE = 200
WORKER_LOCK_NAME = "worker.lock"
MAX_BACKOFF = datetime.timedelta(hours=1)


class LockBusy(Exception):
    """Another process holds the lock (and we were told not to wait)."""


# --- queue ---------------------------------------------------------------------------------


def enqueue(model_label: str, pks: Iterable) -> int:
    """Upsert one queue row per object; a new change resets the retry state."""
    ids = sorted({int(pk) for pk in pks if pk is not None})
    if not ids:
        return 0
    now = timezone.now()
    rows = [
        IndexQueue(
            model=model_label,
            object_pk=pk,
            token=uuid.uuid4(),
            enqueued_at=now,
            next_attempt_at=now,
            attempts=0,
            last_error="",
        )
        for pk in ids
    ]
    IndexQueue.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["model", "object_pk"],
        update_fields=["token", "enqueued_at", "next_attempt_at", "attempts", "last_error"],
        batch_size=200,
    )
    return len(ids)


def enqueue_objects(objects: Iterable) -> int:
    return enqueue(STATEMENT_LABEL, (obj.pk for obj in objects))


def enqueue_identifier(obj_or_string) -> int:
    if isinstance(obj_or_string, str):
        label, _, pk = obj_or_string.rpartition(".")
        return enqueue(label, [pk])
    return enqueue(obj_or_string._meta.label_lower, [obj_or_string.pk])


def identifier(pk: int) -> str:
    return f"{STATEMENT_LABEL}.{pk}"


# --- locks ---------------------------------------------------------------------------------


@contextlib.contextmanager
def file_lock(path: Path, *, timeout: float | None = None) -> Iterator[None]:
    """An exclusive ``flock`` on ``path``; ``timeout=0`` fails at once, ``None`` waits."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | (0 if deadline is None else fcntl.LOCK_NB))
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    raise LockBusy(str(path)) from exc
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def get_backend():
    from haystack import connections

    backend = connections["default"].get_backend()
    if not hasattr(backend, "write_documents"):
        raise RuntimeError("The index worker needs the project's Whoosh backend (SEARCH_URL).")
    backend._ensure_setup()
    return backend


def statement_index():
    from haystack import connections

    from archive.models import Statement

    return connections["default"].get_unified_index().get_index(Statement)


def write_lock(backend=None, *, timeout: float | None = None):
    backend = backend or get_backend()
    from .backends import WRITE_LOCK_NAME

    return file_lock(backend.root / WRITE_LOCK_NAME, timeout=timeout)


def worker_lock(backend=None):
    backend = backend or get_backend()
    return file_lock(backend.root / WORKER_LOCK_NAME, timeout=0)


# --- the worker's step ---------------------------------------------------------------------


def backoff(attempts: int) -> datetime.timedelta:
    return min(datetime.timedelta(seconds=5 * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def process_batch(*, limit: int = BATCH_SIZE, backend=None) -> int:
    """Index one batch of due queue rows; returns how many rows were taken."""
    from .search_indexes import statements_for_index

    backend = backend or get_backend()
    rows = list(IndexQueue.objects.due().order_by("enqueued_at", "id")[:limit])
    if not rows:
        return 0
    unknown = [r for r in rows if r.model != STATEMENT_LABEL]
    rows = [r for r in rows if r.model == STATEMENT_LABEL]
    for row in unknown:
        _mark_failed([row], f"No index for model {row.model!r}.")

    index = statement_index()
    objects = {
        obj.pk: obj
        for obj in statements_for_index().filter(pk__in=[r.object_pk for r in rows])
    }
    docs, remove, failed = [], [], []
    for row in rows:
        obj = objects.get(row.object_pk)
        if obj is None:
            remove.append(identifier(row.object_pk))
            continue
        try:
            docs.append(backend.prepare_document(index, obj))
        except Exception:
            log.exception("Preparing statement %s for the index failed", row.object_pk)
            # The statement is published (drafts never get here): its previous document, if
            # any, stays searchable until a retry succeeds; staff see the error in the admin.
            failed.append((row, traceback.format_exc(limit=5)))

    try:
        with write_lock(backend):
            _directory, ix = backend.open_live_index(create=True)
            backend.write_documents(ix, docs, remove)
    except Exception:
        log.exception("Writing a batch of %d documents to the index failed", len(rows))
        _mark_failed(rows, traceback.format_exc(limit=5))
        return len(rows) + len(unknown)

    for row, error in failed:
        _mark_failed([row], error)
    failed_ids = {row.pk for row, _ in failed}
    _delete_done([r for r in rows if r.pk not in failed_ids])
    return len(rows) + len(unknown)


def _delete_done(rows) -> None:
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


def drain(*, backend=None, max_batches: int | None = None) -> int:
    """Process due rows until none is left; returns the number of rows taken."""
    backend = backend or get_backend()
    total, batches = 0, 0
    while max_batches is None or batches < max_batches:
        taken = process_batch(backend=backend)
        if not taken:
            break
        total += taken
        batches += 1
    return total


# --- status, repair, rebuild ---------------------------------------------------------------


def index_differences(*, check_content: bool = True, backend=None) -> dict:
    """Published statements vs index documents: missing, extra and (optionally) stale."""
    from archive.models import Statement

    from .search_indexes import statements_for_index

    backend = backend or get_backend()
    _directory, ix = backend.open_live_index(create=False)
    with ix.searcher() as searcher:
        stored = {f["id"]: f.get("fingerprint") for f in searcher.all_stored_fields()}
    published = set(Statement.objects.published().values_list("pk", flat=True))
    indexed = set()
    for ident in stored:
        label, _, pk = ident.rpartition(".")
        if label == STATEMENT_LABEL and pk.isdigit():
            indexed.add(int(pk))
    stale: set[int] = set()
    if check_content:
        index = statement_index()
        qs = statements_for_index().filter(pk__in=published & indexed).order_by("pk")
        for obj in qs.iterator(chunk_size=500):
            try:
                doc = backend.prepare_document(index, obj)
            except Exception:
                stale.add(obj.pk)
                continue
            if doc.get("fingerprint") != stored.get(identifier(obj.pk)):
                stale.add(obj.pk)
    return {
        "published": len(published),
        "indexed": len(stored),
        "queued": IndexQueue.objects.count(),
        "failing": IndexQueue.objects.failing().count(),
        "missing": sorted(published - indexed),
        "extra": sorted(indexed - published),
        "stale": sorted(stale),
    }


def repair(differences: dict) -> int:
    ids = set(differences["missing"]) | set(differences["extra"]) | set(differences["stale"])
    with transaction.atomic():
        return enqueue(STATEMENT_LABEL, ids)


def rebuild(*, batch_size: int = 100, keep: int = 1, backend=None, stdout=None,
            processes: int | None = None) -> dict:
    """Build every published statement into a new generation, then swap it in.

    The live index keeps answering meanwhile; the worker waits for the write lock and then
    applies whatever was queued during the rebuild (idempotently).  The statements are split
    into ``processes`` contiguous runs (one per core by default, ``SEARCH_REBUILD_PROCESSES``),
    each written by :class:`search.bulk.BulkSegmentWriter` into segments of its own.
    """
    from whoosh import index as whoosh_index
    from whoosh.index import TOC

    from .backends import read_pointer, write_pointer
    from .search_indexes import statements_for_index

    backend = backend or get_backend()
    started = time.monotonic()
    with write_lock(backend):
        previous = read_pointer(backend.root)
        directory = backend.create_generation()
        try:
            ix = whoosh_index.open_dir(str(directory), schema=backend.schema)
            # The codec's temporary folder, shared by the writers below (one per process).
            temporary = directory / f"{ix.indexname}.tmp"
            temporary.mkdir(exist_ok=True)
            pks = list(statements_for_index().order_by("pk").values_list("pk", flat=True))
            processes = _rebuild_processes(processes, len(pks))
            runs = [pks[i * len(pks) // processes:(i + 1) * len(pks) // processes]
                    for i in range(processes)]
            if processes == 1:
                parts = [_build_run(str(directory), runs[0], batch_size, stdout)]
            else:
                parts = _build_in_processes(str(directory), runs, batch_size)
            segments = [seg for part in parts for seg in part["segments"]]
            shutil.rmtree(temporary, ignore_errors=True)
            # One table of contents naming every run's segments (generation 0 is the empty
            # index ``create_generation`` wrote).
            TOC(backend.schema, segments, 1).write(ix.storage, ix.indexname)
        except BaseException:
            shutil.rmtree(directory, ignore_errors=True)
            raise
        write_pointer(backend.root, directory)
        _remove_old_generations(backend.root, keep={directory, previous} if keep else {directory})
    failures = {pk: error for part in parts for pk, error in part["failures"].items()}
    if failures:
        with transaction.atomic():
            enqueue(STATEMENT_LABEL, failures)
            for pk, error in failures.items():
                IndexQueue.objects.filter(model=STATEMENT_LABEL, object_pk=pk).update(
                    attempts=1, last_error=error[-4000:], next_attempt_at=timezone.now()
                    + backoff(1),
                )
    return {
        "documents": sum(part["documents"] for part in parts),
        "segments": len(segments),
        "processes": processes,
        "failed": sorted(failures),
        "seconds": round(time.monotonic() - started, 2),
        "directory": str(directory),
    }


def _rebuild_processes(wanted: int | None, count: int) -> int:
    """How many processes to build with: forked children need a database of their own (not
    SQLite in memory) and must see the same committed rows (not inside a transaction)."""
    from django.conf import settings
    from django.db import connection

    if wanted is None:
        wanted = int(getattr(settings, "SEARCH_REBUILD_PROCESSES", 0) or os.cpu_count() or 1)
    if connection.in_atomic_block or (
        connection.vendor == "sqlite" and connection.is_in_memory_db()
    ):
        wanted = 1
    # Below a few hundred statements a second process costs more than it saves.
    return max(1, min(wanted, count // 200 or 1))


def _build_in_processes(directory: str, runs: list[list[int]], batch_size: int) -> list[dict]:
    import multiprocessing

    from django.db import connections

    # Each child opens its own database connection; a forked one must not be shared.
    connections.close_all()
    with multiprocessing.get_context("fork").Pool(len(runs)) as pool:
        return pool.starmap(_build_run_in_child, [(directory, run, batch_size) for run in runs])


def _build_run_in_child(directory: str, pks: list[int], batch_size: int) -> dict:
    from django.db import connections

    connections.close_all()
    try:
        return _build_run(directory, pks, batch_size, None)
    finally:
        connections.close_all()


def _build_run(directory: str, pks: list[int], batch_size: int, stdout) -> dict:
    """Write the statements ``pks`` (in that order) into new segments of ``directory``."""
    from django.conf import settings
    from whoosh import index as whoosh_index

    from .bulk import BulkSegmentWriter
    from .search_indexes import statements_for_index

    backend = get_backend()
    index = statement_index()
    limit = int(getattr(settings, "SEARCH_REBUILD_SEGMENT_MB", 48)) << 20
    ix = whoosh_index.open_dir(directory, schema=backend.schema)
    segments, failures, count = [], {}, 0
    writer = BulkSegmentWriter(ix, limit_bytes=limit, _lk=False)
    try:
        for start in range(0, len(pks), batch_size):
            chunk = statements_for_index().filter(pk__in=pks[start:start + batch_size])
            for obj in chunk.order_by("pk"):
                try:
                    doc = backend.prepare_document(index, obj)
                except Exception:
                    log.exception("Preparing statement %s for the index failed", obj.pk)
                    failures[obj.pk] = traceback.format_exc(limit=5)
                    continue
                writer.add_document(**doc)
                count += 1
                if writer.full:
                    segments.append(writer.finish())
                    writer = BulkSegmentWriter(ix, limit_bytes=limit, _lk=False)
            if stdout is not None:
                stdout.write(f"  {count} documents...")
        segment = writer.finish()
    except BaseException:
        if not writer.is_closed:
            writer.cancel()
        raise
    if segment is not None:
        segments.append(segment)
    return {"segments": segments, "failures": failures, "documents": count}


def _remove_old_generations(root: Path, *, keep: set) -> None:
    from .backends import GENERATION_PREFIX

    keep = {p for p in keep if p is not None}
    for path in sorted(root.glob(f"{GENERATION_PREFIX}*")):
        if path not in keep and path.is_dir():
            shutil.rmtree(path, ignore_errors=True)


def reset_index(*, backend=None) -> Path:
    """Swap in a new, empty generation (tests; `rebuild` for real data)."""
    from .backends import clear_caches, write_pointer

    backend = backend or get_backend()
    with write_lock(backend):
        directory = backend.create_generation()
        write_pointer(backend.root, directory)
        _remove_old_generations(backend.root, keep={directory})
    clear_caches()
    return directory
