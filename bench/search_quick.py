"""Search page latency on real speeches: this project's backend vs stock haystack + Whoosh.

    .venv/bin/python bench/search_quick.py                    # 2,000 speeches, 5 rounds
    .venv/bin/python bench/search_quick.py --count 500 --rounds 3
    .venv/bin/python bench/search_quick.py --stored-body      # also measure a stored body
    .venv/bin/python bench/search_quick.py --demo             # the demo data (var/bench/demo/)

Everything lives in var/bench/ (a scratch SQLite database and three index folders).  Both
systems answer the same fixed queries on the same documents in the same run:

* ours: the whole /search/ page through Django's test client (facets for eight fields,
  labels, snippets, template), warm (facet cache and searcher reused, as in production)
  and cold (caches dropped before each request);
* stock: haystack's ``WhooshEngine`` with its default settings (registered-models narrow on),
  ``auto_query`` (or ``all()`` for the empty query), the same eight facets, ``highlight()``,
  one page of 20 and its count: the search only, no page rendering.

Speed targets live here, never in tests.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import quick_load  # noqa: E402

QUERIES = [
    "",
    "terrorism",
    "nuclear disarmament",
    '"human rights"',
    "apartheid South Africa",
    "development -war",
    "peace OR security",
    "year:1990 Iraq",
    "country:FRA",
    "terorism",
]
FACETS = ["speaker", "country", "event", "series", "topic", "kind", "language", "year"]


def pct(values, p):
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def du(path: Path) -> str:
    out = subprocess.run(["du", "-sh", str(path)], capture_output=True, text=True).stdout
    return out.split()[0] if out else "?"


def build_ours(stdout):
    from search.engine import get_engine
    from search.freshness import rebuild

    backend = get_engine()
    started, cpu = time.monotonic(), time.process_time()
    report = rebuild()
    seconds, cpu = time.monotonic() - started, time.process_time() - cpu
    stdout.write(
        f"ours:  indexed {report.documents} in {seconds:.1f} s wall, {cpu:.1f} s CPU "
        f"({report.documents / seconds:.1f} docs/s), size {du(Path(report.where))}\n"
    )
    return backend


def build_stored_body(stdout, bench_dir: Path):
    from search.engine.whoosh.backend import ArchiveWhooshBackend

    backend = ArchiveWhooshBackend("default", PATH=str(bench_dir / "whoosh-stored"),
                                   STORE_BODY=True)
    started, cpu = time.monotonic(), time.process_time()
    report = backend.rebuild()
    seconds, cpu = time.monotonic() - started, time.process_time() - cpu
    stdout.write(
        f"ours with the body stored: {report.documents} in {seconds:.1f} s wall, "
        f"{cpu:.1f} s CPU, "
        f"size {du(Path(report.where))}\n"
    )


def build_stock(stdout, force: bool):
    from haystack import connections

    from archive.models import Statement
    from search.search_indexes import statements_for_index

    backend = connections["stock"].get_backend()
    index = connections["stock"].get_unified_index().get_index(Statement)
    backend.setup()
    if not force and backend.index.doc_count() == Statement.objects.published().count():
        stdout.write(f"stock: reusing its index ({backend.index.doc_count()} documents), "
                     f"size {du(Path(backend.path))}\n")
        return
    backend.clear()
    started, cpu = time.monotonic(), time.process_time()
    qs = statements_for_index().order_by("pk")
    last, count = 0, 0
    while True:
        chunk = list(qs.filter(pk__gt=last)[:100])
        if not chunk:
            break
        last = chunk[-1].pk
        backend.update(index, chunk)
        count += len(chunk)
    seconds, cpu = time.monotonic() - started, time.process_time() - cpu
    stdout.write(f"stock: indexed {count} in {seconds:.1f} s wall, {cpu:.1f} s CPU "
                 f"({count / seconds:.1f} docs/s), "
                 f"size {du(Path(backend.path))}\n")


def time_ours(rounds: int, cold: bool):
    from django.test import Client

    from search.engine import get_engine
    from search.engine.whoosh.caches import clear_caches

    client = Client()
    backend = get_engine()
    timings: dict[str, list[float]] = {q: [] for q in QUERIES}
    for q in QUERIES:  # warm-up
        assert client.get("/search/", {"q": q}).status_code == 200, q
    for _ in range(rounds):
        for q in QUERIES:
            if cold:
                clear_caches()
                backend.forget_searcher()
            started = time.perf_counter()
            response = client.get("/search/", {"q": q})
            timings[q].append(time.perf_counter() - started)
            assert response.status_code == 200, (q, response.status_code)
    return timings


def time_stock(rounds: int):
    from django.conf import settings
    from haystack.query import SearchQuerySet

    settings.HAYSTACK_LIMIT_TO_REGISTERED_MODELS = True  # haystack's default
    timings: dict[str, list[float]] = {q: [] for q in QUERIES}

    def once(q):
        sqs = SearchQuerySet().using("stock")
        sqs = sqs.auto_query(q) if q else sqs.all()
        for name in FACETS:
            sqs = sqs.facet(name)
        sqs = sqs.highlight()
        page = list(sqs[0:20])
        return len(page), sqs.count(), sqs.facet_counts()

    try:
        for q in QUERIES:
            once(q)
        for _ in range(rounds):
            for q in QUERIES:
                started = time.perf_counter()
                once(q)
                timings[q].append(time.perf_counter() - started)
    finally:
        settings.HAYSTACK_LIMIT_TO_REGISTERED_MODELS = False
    return timings


def report(name, timings, stdout):
    all_values = [v for values in timings.values() for v in values]
    stdout.write(
        f"{name:<12} p50 {pct(all_values, 50) * 1000:8.1f} ms   "
        f"p95 {pct(all_values, 95) * 1000:8.1f} ms   (n={len(all_values)})\n"
    )
    for q, values in timings.items():
        stdout.write(f"    {q or '(empty: browse all)':<26} median "
                     f"{statistics.median(values) * 1000:8.1f} ms\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--stored-body", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="Keep existing indexes.")
    parser.add_argument("--skip-stock", action="store_true")
    parser.add_argument("--demo", action="store_true", help="The demo data, not UNGDC speeches.")
    args = parser.parse_args(argv)

    bench_dir = quick_load.BENCH_DIR / "demo" if args.demo else quick_load.BENCH_DIR
    bench_dir.mkdir(parents=True, exist_ok=True)
    quick_load.configure(bench_dir)
    # The site's per-address rate limit would answer 429 to a benchmark loop.
    os.environ["ARCHIVE_RATE_LIMIT_SEARCH"] = "1000000/m"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.HAYSTACK_CONNECTIONS["stock"] = {
        "ENGINE": "haystack.backends.whoosh_backend.WhooshEngine",
        "PATH": str(bench_dir / "whoosh-stock"),
    }
    settings.ALLOWED_HOSTS = ["testserver"]
    out = sys.stdout
    call_command("migrate", "--noinput", verbosity=0)
    if args.demo:
        call_command("load_demo", verbosity=0)
    else:
        quick_load.load(args.count, stdout=out)
    from archive.models import Statement
    from search.models import IndexQueue

    IndexQueue.objects.all().delete()  # the rebuild covers them; no worker runs here
    from django.db.models import Sum
    from django.db.models.functions import Length

    raw = Statement.objects.published().aggregate(n=Sum(Length("body")))["n"] or 0
    out.write(f"documents: {Statement.objects.published().count()} published speeches, "
              f"{raw / 1e6:.1f} million characters of body text\n")
    out.write("(wall times depend on the machine's load; CPU seconds are this process's)\n")

    from search.engine import get_engine
    from search.engine.whoosh.storage import read_pointer

    if not (args.reuse and read_pointer(get_engine().root)):
        build_ours(out)
    if args.stored_body:
        build_stored_body(out, bench_dir)
    if not args.skip_stock:
        build_stock(out, force=not args.reuse)

    out.write(f"\nqueries: {QUERIES}\n\n")
    report("ours warm", time_ours(args.rounds, cold=False), out)
    report("ours cold", time_ours(args.rounds, cold=True), out)
    if not args.skip_stock:
        report("stock", time_stock(args.rounds), out)


if __name__ == "__main__":
    main()
