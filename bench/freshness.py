"""Save -> visible in search: how long a published edit takes to reach the index.

    BENCH_ENGINE=postgres .venv/bin/python bench/freshness.py --edits 20 [--poll 1.0]

On a set a previous benchmark built (``var/bench[/postgres]/<set>``, ``--set``, default
``full``), with its search engine:
starts ``manage.py index_worker --poll P``, then saves ``--edits`` published statements (and
one more first, while the worker starts, timed apart) one after another through
``archive.services.update_statement`` (each gets a new word in its summary) and, after each
commit, searches for that word every 5 ms until the statement is found.  Prints p50/p95/max
of save -> visible and the save itself.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--poll", type=float, default=1.0)
    parser.add_argument("--set", default="full", help="the set's folder: full, growth-10000 ...")
    args = parser.parse_args(argv)
    workdir = common.BENCH_ROOT / args.set
    common.configure(workdir)
    import django

    django.setup()
    from haystack.query import SearchQuerySet

    from archive import services
    from archive.models import Statement

    worker = subprocess.Popen(
        [common.PYTHON, "manage.py", "index_worker", "--poll", str(args.poll)],
        cwd=common.ROOT, env={**os.environ}, stdout=subprocess.DEVNULL,
    )
    try:
        time.sleep(3)
        pks = random.Random(7).sample(
            list(Statement.objects.published().values_list("pk", flat=True)), args.edits + 1)
        visible, saves = [], []
        first = None
        for n, pk in enumerate(pks):
            # The first edit is made while the worker is still starting (its first batch
            # also applies whatever other derived work was queued): timed apart, allowed 5
            # minutes, and left out of the figures.
            limit = 300 if n == 0 else 30
            word = "fresh" + uuid.uuid4().hex[:10].translate(str.maketrans("0123456789",
                                                                            "ghijklmnop"))
            statement = Statement.objects.get(pk=pk)
            started = time.perf_counter()
            services.update_statement(statement, summary=f"{statement.summary} {word}".strip())
            saved = time.perf_counter()
            while not SearchQuerySet().filter(content=word).count():
                if time.perf_counter() - saved > limit:
                    raise SystemExit(f"statement {pk} not visible after {limit} s")
                time.sleep(0.005)
            if n == 0:
                first = time.perf_counter() - saved
                continue
            visible.append(time.perf_counter() - saved)
            saves.append(saved - started)
        v, s = common.summary_ms(visible), common.summary_ms(saves)
        print(f"engine {os.environ['SEARCH_URL']}, worker poll {args.poll} s, "
              f"{args.edits} edits")
        print(f"save -> visible: p50 {v['p50']:.0f} ms, p95 {v['p95']:.0f} ms, "
              f"max {v['max']:.0f} ms")
        print(f"the save itself: p50 {s['p50']:.0f} ms, p95 {s['p95']:.0f} ms")
        print(f"the first edit (worker starting, not counted): {first:.1f} s")
    finally:
        worker.terminate()
        worker.wait(10)


if __name__ == "__main__":
    main()
