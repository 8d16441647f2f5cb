"""A whole new index generation from the database, built in one process per core.

The statements are split into contiguous runs, each written by :class:`BulkSegmentWriter`
into segments of its own; one table of contents then names every segment, and the pointer
is swapped to the new generation only when it is complete.  The new generation is analysed
with the archive's protected words as they are when the rebuild starts (written into its
folder first, so the processes that build it and everything that reads it later agree).
The live index keeps answering meanwhile; the index worker waits for the write lock and then
applies whatever was queued during the rebuild (idempotently).
"""

from __future__ import annotations

import logging
import os
import shutil
import time
import traceback

from django.conf import settings
from django.db import connection, connections
from whoosh import index as whoosh_index
from whoosh.index import TOC

from ... import documents
from ..contract import RebuildReport
from .analysis import generation_analysis
from .bulk import BulkSegmentWriter
from .schema import whoosh_document
from .storage import read_pointer, remove_old_generations, write_pointer

log = logging.getLogger("search.engine.whoosh")

BATCH_SIZE = 100


def rebuild(engine, *, processes: int | None = None, stdout=None, keep_previous: bool = True
            ) -> RebuildReport:
    started = time.monotonic()
    with engine.write_lock():
        previous = read_pointer(engine.root)
        directory = engine.create_generation(protected=documents.protected_words())
        try:
            schema = engine.generation_schema(directory)
            ix = whoosh_index.open_dir(str(directory), schema=schema)
            # The codec's temporary folder, shared by the writers below (one per process).
            temporary = directory / f"{ix.indexname}.tmp"
            temporary.mkdir(exist_ok=True)
            pks = list(
                documents.statements_for_index().order_by("pk").values_list("pk", flat=True)
            )
            processes = _processes(processes, len(pks))
            runs = [pks[i * len(pks) // processes:(i + 1) * len(pks) // processes]
                    for i in range(processes)]
            if processes == 1:
                parts = [_build_run(engine, str(directory), runs[0], stdout)]
            else:
                parts = _build_in_processes(str(directory), runs)
            segments = [seg for part in parts for seg in part["segments"]]
            shutil.rmtree(temporary, ignore_errors=True)
            # Generation 0 is the empty index create_generation() wrote; this one names every
            # run's segments.
            TOC(schema, segments, 1).write(ix.storage, ix.indexname)
        except BaseException:
            shutil.rmtree(directory, ignore_errors=True)
            raise
        write_pointer(engine.root, directory)
        remove_old_generations(
            engine.root, keep={directory, previous} if keep_previous else {directory}
        )
    return RebuildReport(
        documents=sum(part["documents"] for part in parts),
        seconds=round(time.monotonic() - started, 2),
        failed={pk: error for part in parts for pk, error in part["failures"].items()},
        where=str(directory),
        details={"segments": len(segments), "processes": processes,
                 "protected words": len(generation_analysis(directory).protected)},
    )


def _processes(wanted: int | None, count: int) -> int:
    """How many processes to build with: forked children need a database of their own (not
    SQLite in memory) and must see the same committed rows (not inside a transaction)."""
    if wanted is None:
        wanted = int(getattr(settings, "SEARCH_REBUILD_PROCESSES", 0) or os.cpu_count() or 1)
    if connection.in_atomic_block or (
        connection.vendor == "sqlite" and connection.is_in_memory_db()
    ):
        wanted = 1
    # Below a few hundred statements a second process costs more than it saves.
    return max(1, min(wanted, count // 200 or 1))


def _build_in_processes(directory: str, runs: list[list[int]]) -> list[dict]:
    import multiprocessing

    # Each child opens its own database connection; a forked one must not be shared.
    connections.close_all()
    with multiprocessing.get_context("fork").Pool(len(runs)) as pool:
        return pool.starmap(_build_run_in_child, [(directory, run) for run in runs])


def _build_run_in_child(directory: str, pks: list[int]) -> dict:
    from .. import get_engine

    connections.close_all()
    try:
        return _build_run(get_engine(), directory, pks, None)
    finally:
        connections.close_all()


def _build_run(engine, directory: str, pks: list[int], stdout) -> dict:
    """Write the statements ``pks`` (in that order) into new segments of ``directory``."""
    index = documents.statement_index()
    limit = int(getattr(settings, "SEARCH_REBUILD_SEGMENT_MB", 48)) << 20
    ix = whoosh_index.open_dir(directory, schema=engine.generation_schema(directory))
    segments, failures, count = [], {}, 0
    writer = BulkSegmentWriter(ix, limit_bytes=limit, _lk=False)
    try:
        for start in range(0, len(pks), BATCH_SIZE):
            chunk = documents.statements_for_index().filter(pk__in=pks[start:start + BATCH_SIZE])
            for obj in chunk.order_by("pk"):
                try:
                    doc = whoosh_document(engine.shape, documents.prepare(obj, index))
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
