"""Working out agreed language: the whole archive at once (``rebuild``) or a few statements
after a change (``refresh``, applied from the queue by ``process_queue``).

Both read only published statements: a draft has no shingles and no passages, and a
statement unpublished or deleted loses its own and disappears from everyone else's.

``refresh`` compares a changed statement with the archive as it is: it finds the statements
sharing a shingle with it (the ``Shingle`` index), and writes the passages on both sides.
The boilerplate limit is applied with the number of published statements of the moment; a
shingle that crosses the limit later is only dropped from older pairs by the next rebuild
(``manage.py rebuild_reuse``, which also takes up a changed ``ARCHIVE_REUSE_*`` setting).
"""

from __future__ import annotations

import logging
import time
from array import array
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from archive.models import Statement

from . import shingles as sh
from .models import ReuseQueue, SharedPassage, Shingle

log = logging.getLogger("reuse")

INSERT_ROWS = 4000  # rows per INSERT statement (two parameters each; SQLite allows 32766)
QUEUE_BATCH = 50
# Statements compared per idle step of the index worker (each costs tens to hundreds of ms on
# the UN corpus; a save arriving meanwhile waits for the step to end).
IDLE_STEP = 4


def min_words() -> int:
    return max(2, settings.ARCHIVE_REUSE_MIN_WORDS)


def limit_for(published: int) -> int:
    return sh.boilerplate_limit(
        published, minimum=settings.ARCHIVE_REUSE_BOILERPLATE_MIN,
        share=settings.ARCHIVE_REUSE_BOILERPLATE_SHARE,
    )


# --- raw writes (bulk) ----------------------------------------------------------------------


def _insert(table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    if not rows:
        return
    quote = connection.ops.quote_name
    head = f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) VALUES "
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), INSERT_ROWS):
            chunk = rows[start : start + INSERT_ROWS]
            cursor.execute(head + ", ".join([one] * len(chunk)),
                           [value for row in chunk for value in row])


def _statement_index(action: str) -> None:
    """Drop or make the shingles' index by statement (the migration's, by its name): plain
    SQL that SQLite and PostgreSQL both run inside a transaction."""
    quote = connection.ops.quote_name
    name = quote("reuse_shingle_statement")
    with connection.cursor() as cursor:
        if action == "drop":
            cursor.execute(f"DROP INDEX IF EXISTS {name}")
        else:
            cursor.execute(f"CREATE INDEX {name} ON {quote(Shingle._meta.db_table)} "
                           f"({quote('statement_id')})")


def _insert_shingles(rows: list[tuple[int, int]]) -> None:
    _insert(Shingle._meta.db_table, ("hash", "statement_id"), rows)


def _insert_passages(rows: list[tuple[int, int, int, int, int]]) -> None:
    _insert(SharedPassage._meta.db_table, ("statement_id", "other_id", "start", "end", "words"),
            rows)


def _passage_rows(statement_id: int, words: sh.Words, positions_by_other: dict, k: int):
    rows = []
    for other, positions in positions_by_other.items():
        for a, b in sh.runs(positions, k):
            rows.append((statement_id, other, words.starts[a], words.ends[b - 1], b - a))
    return rows


# --- after a change -------------------------------------------------------------------------


def refresh(pks: Iterable[int]) -> int:
    """Work out again the passages of these statements (and of those sharing with them);
    returns how many of them are published and were compared."""
    ids = sorted({int(pk) for pk in pks})
    if not ids:
        return 0
    k = min_words()
    with transaction.atomic():
        Shingle.objects.filter(statement_id__in=ids).delete()
        SharedPassage.objects.filter(statement_id__in=ids).delete()
        SharedPassage.objects.filter(other_id__in=ids).delete()
        published = list(Statement.objects.published().filter(pk__in=ids)
                         .values_list("pk", "body"))
        if not published:
            return 0
        limit = limit_for(Statement.objects.published().count())
        for pk, body in published:
            _compare_one(pk, body, k=k, limit=limit)
    return len(published)


def _compare_one(pk: int, body: str, *, k: int, limit: int) -> None:
    words = sh.words(body)
    hashes = sh.shingles(words.ids, k)
    distinct = sorted(set(hashes))
    # Who else has each of this statement's shingles (published statements only: drafts
    # have no rows).
    holders: dict[int, list[int]] = defaultdict(list)
    for start in range(0, len(distinct), 500):
        chunk = distinct[start : start + 500]
        for h, other in Shingle.objects.filter(hash__in=chunk).values_list("hash",
                                                                           "statement_id"):
            holders[h].append(other)
    _insert_shingles([(h, pk) for h in distinct])
    # With this statement counted, a shingle held by more than ``limit`` is boilerplate.
    shared = {h: others for h, others in holders.items() if len(others) + 1 <= limit}
    if not shared:
        return
    mine: dict[int, list[int]] = defaultdict(list)
    for position, h in enumerate(hashes):
        for other in shared.get(h, ()):
            mine[other].append(position)
    # Only statements that are still published: a statement removed without the change path
    # (a raw delete) may have left shingles behind, and they must not become passages.
    others = dict(Statement.objects.published().filter(pk__in=list(mine))
                  .values_list("pk", "body"))
    rows = _passage_rows(pk, words, {o: p for o, p in mine.items() if o in others}, k)
    # The other side: the same shingles in each other statement.
    for other, other_body in others.items():
        other_words = sh.words(other_body)
        wanted = {h for h, holders_of in shared.items() if other in holders_of}
        positions = [p for p, h in enumerate(sh.shingles(other_words.ids, k)) if h in wanted]
        rows += _passage_rows(other, other_words, {pk: positions}, k)
    _insert_passages(rows)


# --- the queue (filled from the archive's announcement, applied when the index is idle) ------


def enqueue(pks: Iterable[int]) -> int:
    ids = sorted({int(pk) for pk in pks if pk is not None})
    if not ids:
        return 0
    now = timezone.now()
    ReuseQueue.objects.bulk_create(
        [ReuseQueue(statement_pk=pk, enqueued_at=now) for pk in ids],
        update_conflicts=True, unique_fields=["statement_pk"],
        update_fields=["enqueued_at", "attempts", "last_error"], batch_size=500,
    )
    return len(ids)


def process_queue(*, limit: int = QUEUE_BATCH) -> int:
    """Apply up to ``limit`` queued statements; returns how many rows were taken."""
    rows = list(ReuseQueue.objects.order_by("enqueued_at", "id")[:limit])
    if not rows:
        return 0
    try:
        refresh([r.statement_pk for r in rows])
    except Exception as exc:
        log.exception("Working out agreed language for %d statements failed", len(rows))
        for row in rows:
            ReuseQueue.objects.filter(pk=row.pk, enqueued_at=row.enqueued_at).update(
                attempts=row.attempts + 1, last_error=str(exc)[-2000:])
        return len(rows)
    for row in rows:
        # Only rows nobody queued again meanwhile.
        ReuseQueue.objects.filter(pk=row.pk, enqueued_at=row.enqueued_at).delete()
    return len(rows)


def drain(*, max_batches: int | None = None) -> int:
    total = batches = 0
    while max_batches is None or batches < max_batches:
        taken = process_queue()
        if not taken:
            break
        total += taken
        batches += 1
    return total


# --- the whole archive ----------------------------------------------------------------------


SHARDS = 16  # the hash range cut in this many runs for the rebuild's sort (memory per run)


def rebuild(*, stdout=None) -> dict:
    """Every published statement's shingles and passages, from nothing.

    The shingles are gathered in memory in ``SHARDS`` runs by the top bits of their hash,
    each run sorted and written in hash order, so the table's hash index is only ever
    appended to; the same sorted runs say which shingles 2..limit statements share.
    """
    k = min_words()
    started = time.monotonic()
    say = (lambda text: stdout.write(text)) if stdout is not None else (lambda text: None)
    shift = 61 - (SHARDS - 1).bit_length()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # The site's statement timeout is a web request's; one statement here (the
                # index over every shingle, a large insert) may take longer on a big archive.
                cursor.execute("SET LOCAL statement_timeout = 0")
        ReuseQueue.objects.all().delete()
        SharedPassage.objects.all().delete()
        Shingle.objects.all().delete()
        # The index by statement is made once at the end, faster than kept up row by row.
        _statement_index("drop")
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                # One transaction writes ~2 GB of pages: a small page cache would spill and
                # write the same pages to the WAL again and again.
                cursor.execute("PRAGMA cache_size = -262144")  # 256 MB, this connection
        # 1. Words and shingles of every published statement, kept in compact arrays.
        kept: dict[int, tuple[array, array, array]] = {}
        shard_hashes = [array("q") for _ in range(SHARDS)]
        shard_owners = [array("q") for _ in range(SHARDS)]
        published = Statement.objects.published().order_by("pk")
        count = 0
        for pk, body in published.values_list("pk", "body").iterator(chunk_size=200):
            words = sh.words(body)
            hashes = sh.shingles(words.ids, k)
            kept[pk] = (array("q", hashes), array("I", words.starts), array("I", words.ends))
            for h in set(hashes):
                shard = h >> shift
                shard_hashes[shard].append(h)
                shard_owners[shard].append(pk)
            count += 1
            if count % 2000 == 0:
                say(f"  {count} statements shingled ({time.monotonic() - started:.0f} s)")
        limit = limit_for(count)
        say(f"  {count} statements shingled; boilerplate: a shingle in more than {limit} "
            f"statements ({time.monotonic() - started:.0f} s)")
        # 2. Each run in hash order: written to the table, and the shared shingles noted.
        holders: dict[int, list[int]] = {}
        shingle_rows = 0
        for shard in range(SHARDS):
            pairs = sorted(zip(shard_hashes[shard], shard_owners[shard], strict=True))
            shard_hashes[shard] = shard_owners[shard] = None  # type: ignore[call-overload]
            for start in range(0, len(pairs), 200_000):
                _insert_shingles(pairs[start : start + 200_000])
            shingle_rows += len(pairs)
            i, n = 0, len(pairs)
            while i < n:
                h = pairs[i][0]
                j = i + 1
                while j < n and pairs[j][0] == h:
                    j += 1
                if 2 <= j - i <= limit:
                    holders[h] = [pairs[x][1] for x in range(i, j)]
                i = j
            del pairs
        _statement_index("create")
        say(f"  {shingle_rows} shingles written, {len(holders)} shared "
            f"({time.monotonic() - started:.0f} s)")
        # 3. Each statement's passages, against each statement it shares shingles with.
        rows: list[tuple] = []
        passages = 0
        for pk, (hashes, starts, ends) in kept.items():
            mine: dict[int, list[int]] = defaultdict(list)
            for position, h in enumerate(hashes):
                others = holders.get(h)
                if others is None:
                    continue
                for other in others:
                    if other != pk:
                        mine[other].append(position)
            if not mine:
                continue
            words = sh.Words([], starts, ends)
            rows.extend(_passage_rows(pk, words, mine, k))
            if len(rows) >= 100_000:
                _insert_passages(rows)
                passages += len(rows)
                rows = []
        _insert_passages(rows)
        passages += len(rows)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -2000")  # SQLite's default again
    elif not connection.in_atomic_block:
        # Freshly written rows are not yet "all visible", so every look-up by hash (the
        # worker comparing one edited statement) reads the heap as well as the index: on the
        # UN corpus's 28 million shingles, longer than the statement timeout, and every edit
        # then waited a minute to reach search.  VACUUM marks them; it cannot run inside a
        # transaction (a caller's, a test's), where the autovacuum does it later.
        say("  vacuuming the new rows ...")
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 0")
            for model in (Shingle, SharedPassage):
                table = connection.ops.quote_name(model._meta.db_table)
                cursor.execute(f"VACUUM (ANALYZE) {table}")
            cursor.execute("RESET statement_timeout")
    seconds = time.monotonic() - started
    say(f"  {passages} shared passages written ({seconds:.0f} s)")
    return {"statements": count, "shingles": shingle_rows, "shared_shingles": len(holders),
            "passages": passages, "boilerplate_limit": limit, "seconds": seconds}
