"""The live build's state, the advisory locks, and the connections the engine uses.

Reads go through ``router.db_for_read(SearchDocument)`` and writes through
``router.db_for_write(SearchDocument)``, so a database router (read replicas, or the search
database of its own, ``search/routers.py``) decides where each goes; nothing here names an
alias but through the router.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from dataclasses import dataclass

from django.db import DatabaseError, connections, router

from ...errors import SearchUnavailable
from ..contract import LockBusy

# Advisory lock keys (two ints: the engine's namespace, and the lock).
LOCK_NAMESPACE = 0x5EA2C4
WRITE_LOCK = 1  # one commit at a time: the worker's batches, a rebuild, a reset
WORKER_LOCK = 2  # one index worker


@dataclass(frozen=True)
class LiveState:
    build: str
    version: str
    index_method: str
    analysis_version: int

    @property
    def key(self) -> tuple:
        return (self.build, self.version)


def document_model():
    from ...models import SearchDocument

    return SearchDocument


def read_alias() -> str:
    return router.db_for_read(document_model())


def write_alias() -> str:
    return router.db_for_write(document_model())


NOT_BUILT = ("The search index has not been built yet: run `manage.py rebuild_index` "
             "(PostgreSQL engine, table search_document).")


def live_state(cursor, alias: str, *, plan_with_indexes: bool = False) -> LiveState:
    """The live build, or ``SearchUnavailable`` (no tables, or never built).

    ``plan_with_indexes``: also switch sequential scans off for the rest of the caller's
    transaction (in the same statement: no round trip of its own).
    """
    try:
        # A function that answers no row, not an error, when the state table is missing, so a
        # caller's transaction is never spoilt (and no savepoint is needed around it).
        if plan_with_indexes:
            cursor.execute("SELECT s.* FROM search_live_state() s, "
                           "set_config('enable_seqscan', 'off', true)")
        else:
            cursor.execute("SELECT * FROM search_live_state()")
        row = cursor.fetchone()
    except DatabaseError as exc:
        raise SearchUnavailable(
            f"The search tables cannot be read ({exc.__class__.__name__}: "
            f"{str(exc).strip()[:200]}); run `manage.py migrate` and `manage.py rebuild_index`."
        ) from exc
    if row is None:
        raise SearchUnavailable(NOT_BUILT)
    return LiveState(*row)


def new_build_id() -> str:
    return f"{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"


@contextlib.contextmanager
def advisory_lock(alias: str, key: int, *, timeout: float | None):
    """A session advisory lock on a connection of its own (so the lock outlives the
    connections Django closes and reopens); ``timeout=0`` fails at once, None waits."""
    base = connections[alias]
    raw = base.get_new_connection(base.get_connection_params())
    try:
        raw.autocommit = True
        with raw.cursor() as cursor:
            deadline = None if timeout is None else time.monotonic() + timeout
            while True:
                cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_NAMESPACE, key])
                if cursor.fetchone()[0]:
                    break
                if deadline is not None and time.monotonic() >= deadline:
                    raise LockBusy(f"PostgreSQL advisory lock {LOCK_NAMESPACE}/{key}")
                time.sleep(0.05)
            try:
                yield
            finally:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_NAMESPACE, key])
    finally:
        raw.close()
