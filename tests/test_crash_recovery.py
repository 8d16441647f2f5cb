"""``kill -9`` of the index worker in the middle of its batches, then a rerun: the index ends up
with exactly the published statements, each once, and ``search_status`` finds no difference.

Real processes on a scratch database (PostgreSQL when DATABASE_URL says so, else a SQLite
file) and a Whoosh folder in a temporary directory.  Hundreds of long statements are queued
so that a batch takes a while; the worker is killed without warning several times, at
different moments, while it prepares and commits them, and edits keep arriving in between.
(The importer's own kill-and-resume test is tests/test_import_ungdc.py.)
"""

from __future__ import annotations

import json
import signal
import time

import pytest

from tests.e2e.site import ScratchSite

pytestmark = pytest.mark.slow

STATEMENTS = 1000

MAKE_STATEMENTS = f"""
import datetime, random
from archive import services
from archive.models import Status
rng = random.Random(7)
words = ("water border trade climate peace security river treaty summit envoy delegation "
         "cooperation sovereignty ceasefire refugees mandate resolution assembly council").split()
items = []
for n in range({STATEMENTS}):
    paragraphs = ["\\n".join(" ".join(rng.choice(words) for _ in range(14)) for _ in range(6))
                  for _ in range(12)]
    items.append(services.StatementInput(
        title=f"Crash test statement {{n}}", body="\\n\\n".join(paragraphs),
        delivered_on=datetime.date(2000, 1, 1) + datetime.timedelta(days=n),
        import_key=f"crash:{{n}}",
        status=Status.PUBLISHED if n % 5 else Status.DRAFT,
    ))
for start in range(0, len(items), 100):
    services.bulk_upsert_statements(items=items[start:start + 100])
"""

EDIT_SOME = """
from archive import services
from archive.models import Statement
round_ = ROUND
qs = Statement.objects.filter(import_key__startswith="crash:").order_by("pk")
for statement in qs[round_ * 7 : round_ * 7 + 20]:
    if statement.pk % 3 == 0:
        services.delete_statement(statement=statement)
    elif statement.is_published:
        services.unpublish_statement(statement=statement)
    else:
        services.publish_statement(statement=statement)
for statement in qs[200 + round_ * 5 : 205 + round_ * 5]:
    services.update_statement(statement, title=statement.title + " (edited)")
"""

REQUEUE_ALL = """
from django.db import transaction
from archive.models import Statement
from search.freshness import enqueue
with transaction.atomic():
    enqueue(Statement.objects.filter(import_key__startswith="crash:").values_list("pk", flat=True))
"""

INDEX_CENSUS = """
import json
from search.engine import get_engine
from search.engine.whoosh.searcher import open_live
engine = get_engine()
engine._ensure_setup()
_directory, ix = open_live(engine.root, engine.schema)
with ix.searcher() as searcher:
    ids = [fields["id"] for fields in searcher.all_stored_fields()]
    print(json.dumps({"documents": searcher.doc_count(), "ids": len(ids),
                      "unique": len(set(ids))}))
"""


def published(site: ScratchSite) -> int:
    return site.scalar("SELECT COUNT(*) FROM archive_statement WHERE status = 'published'")


def test_killing_the_index_worker_mid_batch_loses_and_duplicates_nothing(tmp_path):
    with ScratchSite(tmp_path / "site") as site:
        site.prepare(demo=False, then=MAKE_STATEMENTS)
        queued_at_start = site.queued()
        assert queued_at_start == STATEMENTS

        kills = []
        for round_, delay in enumerate((0.2, 0.5, 0.2)):
            if site.queued() < 400:
                # A fast worker may have drained the queue: every statement again, so this
                # kill too lands part-way through the work.
                site.python(REQUEUE_ALL)
            worker = site.start_worker(poll=0.05)
            # Wait until a batch has been committed (its queue rows go), then kill the
            # worker part-way through the next one: while it prepares or writes documents.
            last, started = site.queued(), time.monotonic()
            while worker.poll() is None and time.monotonic() - started < 120:
                time.sleep(0.05)
                now = site.queued()
                if now < last:
                    break
                last = now
            time.sleep(delay)
            at_kill = site.queued()
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)
            site.stop(worker)
            kills.append({"after_batch_plus_seconds": delay, "queued_at_kill": at_kill,
                          "worker_ran_seconds": round(time.monotonic() - started, 1)})
            # More changes while no worker runs; a later worker must apply them too.
            site.python(EDIT_SOME.replace("ROUND", str(round_)))
        assert all(k["queued_at_kill"] > 0 for k in kills), kills

        rerun = site.manage("index_worker", "--once", timeout=600)
        assert " applied, 0 failing" in rerun.stdout
        assert site.queued() == 0

        status = site.search_status()
        census = json.loads(site.python(INDEX_CENSUS))
        expected = published(site)
        print(f"crash: kills {kills}; after the rerun {status}; index {census}")
        assert status["published statements"] == expected
        assert status["indexed documents"] == expected
        assert status["missing from index"] == 0
        assert status["extra in index"] == 0
        assert status["stale in index"] == 0
        assert census["documents"] == census["ids"] == census["unique"] == expected
