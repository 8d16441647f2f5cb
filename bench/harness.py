"""``make bench`` / ``make bench-quick``: the archive on the real UN General Debate corpus.

    .venv/bin/python bench/harness.py                 # full corpus + the stock comparison
    .venv/bin/python bench/harness.py --quick         # ~1,000 speeches, the same figures
    .venv/bin/python bench/harness.py --rebuild       # rebuild the index even if unchanged

What one run does (see bench/README.md for the query set and how to read the figures):

1. Imports ``../shared/data/ungdc/ungdc-1946-2015.tgz`` with ``manage.py import_ungdc`` into
   ``var/bench/<set>/archive.sqlite3``.  Skipped when ``stamp.json`` says the corpus hash and
   the importer's code are those of the last import.
2. Builds the index with ``manage.py rebuild_index`` in a child process: speeches/s, MB of
   text/s, index size / text size, and memory: the peak of all its processes together (it
   forks one per core; PSS, shared pages counted once), their summed RSS and the largest
   single process.  Skipped (figures taken from the stamp) when the database and the search
   code are unchanged, unless ``--rebuild``.
3. Times the search page through Django's test client for a fixed query set (repeated
   requests, and first requests with every search cache emptied), then spelling
   suggestions, related statements, autocomplete, the statement page and the list page.
4. Times stock haystack (its own WhooshEngine, default settings, its own index of the same
   documents, cached under ``var/bench/<set>/stock-<db hash>/``: about half an hour to build
   on the full corpus, once) and raw Whoosh with one shared searcher on our index on the
   same queries, and prints the ratios.
5. Prints a table and writes ``var/bench/latest.json`` (figures with units and the commit).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

# make bench-quick, and the set on which stock haystack is compared in make bench.
QUICK_SESSIONS = "10,20,30,40,50,60,70"

# The fixed query set of the search page.  "{series}" is the one UNGDC series key.
PAGE_QUERIES = [
    ("single word", {"q": "terrorism"}),
    ("several words", {"q": "nuclear disarmament treaty"}),
    ("phrase", {"q": '"human rights"'}),
    ("field filter", {"q": "year:1985 Iraq"}),  # 1985: session 40, in both sets
    ("two facets selected", {"q": "peace", "country": "FRA", "series": "{series}"}),
    ("browse all", {}),
    ("sort by date", {"q": "development", "sort": "oldest"}),
    ("page 20", {"q": "peace", "page": "20"}),
]
# Misspellings that match nothing, and the words a reader would want back (either spelling
# where British and American ones are both in the corpus: a subset may hold only one).
MISSPELLINGS = [
    ("nuclaer disarmamnet", ("nuclear disarmament",)),
    ("terrorisim", ("terrorism",)),
    ("decolonisaton", ("decolonisation", "decolonization")),
    ("sovreignty", ("sovereignty",)),
]
AUTOCOMPLETE = ["fra", "unit", "gen", "session 4", "ind"]


# --- preparing the scratch folder ---------------------------------------------------------


def prepare_database(workdir: Path, sessions: str | None, out, *, keep: bool = False) -> dict:
    stamp = common.read_stamp(workdir)
    corpus_hash = common.sha256_file(common.CORPUS)
    code_hash = common.sha256_tree(*common.IMPORT_CODE)
    wanted = {"corpus_sha256": corpus_hash, "import_code": code_hash, "sessions": sessions}
    same = all(stamp.get(k) == v for k, v in wanted.items())
    if (same or (keep and stamp.get("sessions") == sessions)) and common.database_exists(workdir):
        out.write(f"database: reusing {common.database_url(workdir)} (corpus and importer "
                  "unchanged)\n")
        return stamp
    if (stamp.get("sessions") != sessions or stamp.get("corpus_sha256") != corpus_hash
            or not common.database_exists(workdir)):
        common.drop_database(workdir)
    out.write("database: importing the corpus with manage.py import_ungdc ...\n")
    env = common.bench_env(workdir)
    common.manage(workdir, "migrate", "--noinput", "-v0")
    argv = [common.PYTHON, "manage.py", "import_ungdc", str(common.CORPUS), "--no-progress"]
    if sessions:
        argv += ["--sessions", sessions]
    run = common.run_measured(argv, env, workdir / "import.log")
    out.write(f"  imported in {run['seconds']:.0f} s, peak RSS {run['peak_rss_mb']:.0f} MB\n")
    # The import queued every statement for the index worker; the rebuild below covers them.
    _clear_queue(workdir)
    stamp = {**wanted, "import": run, "import_commit": common.git_commit()}
    stamp.pop("index", None)
    common.write_stamp(workdir, stamp)
    return stamp


def _clear_queue(workdir: Path) -> None:
    common.query(workdir, "DELETE FROM search_indexqueue")
    if common.ENGINE == "postgres":
        # What autovacuum would do a minute later: without it every search's look at the
        # queue scanned the dead rows of the load's million entries (18 ms).  (The loaders
        # analyse the archive tables themselves: import_ungdc, growth.py.)
        import psycopg2

        db = psycopg2.connect(common.database_url(workdir))
        try:
            db.autocommit = True
            with db.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE search_indexqueue")
        finally:
            db.close()


def prepare_index(workdir: Path, stamp: dict, force: bool, out, *, keep: bool = False) -> dict:
    """Build the index, or reuse it; ``keep`` reuses any built index (the schema is known
    not to have changed, only code around it)."""
    code_hash = common.sha256_tree(*common.INDEX_CODE)
    previous = stamp.get("index") or {}
    if (not force and (keep or previous.get("code") == code_hash)
            and previous.get("import_code") == stamp["import_code"]
            and _index_exists(workdir)):
        out.write("index: reusing the built index (database and search code unchanged); "
                  f"build figures from {previous['measured_on']['commit'][:10]}\n")
        return previous
    out.write("index: building with manage.py rebuild_index ...\n")
    run = common.run_measured(
        [common.PYTHON, "manage.py", "rebuild_index", "--noinput"],
        common.bench_env(workdir), workdir / "rebuild.log",
    )
    text_bytes, documents = _text_size(workdir)
    index_bytes = common.search_bytes(workdir)
    figures = {
        "code": code_hash,
        "import_code": stamp["import_code"],
        "measured_on": common.git_commit(),
        "documents": documents,
        "seconds": round(run["seconds"], 1),
        "speeches_per_s": round(documents / run["seconds"], 1),
        "text_mb": round(text_bytes / 1e6, 1),
        "text_mb_per_s": round(text_bytes / 1e6 / run["seconds"], 2),
        "index_mb": round(index_bytes / 1e6, 1),
        "index_to_text": round(index_bytes / text_bytes, 3),
        "peak_rss_mb": round(run["peak_rss_mb"], 0),
        "peak_tree_pss_mb": round(run["peak_tree_pss_mb"], 0),
        "peak_tree_rss_mb": round(run["peak_tree_rss_mb"], 0),
        "cpu_seconds": round(run["cpu_seconds"], 1),
        "processes": _rebuild_processes_used(workdir),
    }
    stamp["index"] = figures
    common.write_stamp(workdir, stamp)
    _clear_queue(workdir)
    return figures


def _rebuild_processes_used(workdir: Path) -> str:
    """What rebuild_index said about its processes and segments (its last line)."""
    lines = (workdir / "rebuild.log").read_text().strip().splitlines()
    return lines[-1] if lines else ""


def _text_size(workdir: Path) -> tuple[int, int]:
    # The UTF-8 size of the text the index was fed.
    size = ("octet_length(body)" if common.ENGINE == "postgres"
            else "length(CAST(body AS BLOB))")
    row = common.query(
        workdir,
        f"SELECT COALESCE(SUM({size}), 0), COUNT(*) FROM archive_statement "
        "WHERE status = 'published'",
    )[0]
    return int(row[0]), int(row[1])


def _index_exists(workdir: Path) -> bool:
    if common.bench_env(workdir)["SEARCH_URL"].startswith("postgres"):
        try:
            return bool(common.query(workdir, "SELECT 1 FROM search_state"))
        except Exception:
            return False
    return (workdir / "whoosh" / "current").exists()


# --- measuring (inside Django) ------------------------------------------------------------


def setup_django(workdir: Path):
    common.configure(workdir)
    common.manage(workdir, "collectstatic", "--noinput", "-v0")
    import django

    django.setup()


def resolve_queries():
    from archive.models import Event
    from search.search_indexes import series_key

    series = Event.objects.exclude(series="").values_list("series", flat=True).first() or ""
    queries = []
    for name, params in PAGE_QUERIES:
        params = {k: v.replace("{series}", series_key(series)) for k, v in params.items()}
        queries.append((name, params))
    return queries


def measure_pages(rounds: int, out) -> dict:
    from django.test import Client

    from search.request import read_request, run_search

    client = Client()
    results = {}
    for name, params in resolve_queries():
        def once(params=params):
            response = client.get("/search/", params)
            assert response.status_code == 200, (params, response.status_code)
            return response

        body = once().content.decode()
        samples = common.timed(once, rounds, warmup=1)
        # A query not seen before: what is remembered per query emptied before each request
        # (its documents, phrase matches, facet counts), what any query shares kept.
        new_query = common.timed(lambda once=once: (drop_search_caches("query"), once()),
                                 max(3, rounds // 4), warmup=0)
        # The first request of a new process: every cache of the search code emptied (the
        # open searcher stays, as a server keeps it).
        cold = common.timed(lambda once=once: (drop_search_caches("all"), once()),
                            max(3, rounds // 4), warmup=0)
        from django.http import QueryDict

        qd = QueryDict(mutable=True)
        for k, v in params.items():
            qd[k] = v
        sreq = read_request(qd)
        sreq.page = int(params.get("page", 1))
        outcome = run_search(sreq, qd)
        results[name] = {
            "params": params,
            "hits": outcome.hits,
            "rows": len(outcome.rows),
            "facets_shown": sum(1 for v in outcome.facets.values() if v),
            "highlighted_rows": sum(1 for r in outcome.rows if "<mark" in (r.snippet or "")),
            "page_bytes": len(body),
            **common.summary_ms(samples),
            "new_query": common.summary_ms(new_query),
            "first_request": common.summary_ms(cold),
        }
        out.write(f"  {name:<22} {results[name]['p50']:8.1f} ms p50  "
                  f"{results[name]['p95']:8.1f} p95  {results[name]['hits']:6d} hits  "
                  f"new query {results[name]['new_query']['p50']:.1f} ms, new process "
                  f"{results[name]['first_request']['p50']:.1f} ms\n")
    return results


def drop_search_caches(level: str) -> None:
    """Empty the search code's in-process caches: ``query`` what is remembered per query
    (facet counts, filters, a query's or phrase's documents per segment), ``all`` everything
    (also facet columns, field lengths, spelling word lists, labels)."""
    from search import request
    from search.engine import get_engine

    if type(get_engine()).__module__.startswith("search.engine.postgres"):
        from search.engine.postgres import backend

        backend.COUNTS.clear()
        backend.FACETS.clear()
        backend.PAGES.clear()
        if level != "query":
            with request._LABELS_LOCK:
                request._LABELS.clear()
                request._LABELS["generation"] = None
        return
    from search.engine.whoosh import caches

    if level == "query":
        caches.forget_queries()
        return
    caches.clear_caches()
    with request._LABELS_LOCK:
        request._LABELS.clear()
        request._LABELS["generation"] = None


def measure_spelling(rounds: int) -> dict:
    from django.http import QueryDict
    from django.test import Client

    from search.request import read_request, run_search

    client = Client()
    samples, checks = common.Samples(), []
    for wrong, right in MISSPELLINGS:
        def once(wrong=wrong):
            assert client.get("/search/", {"q": wrong}).status_code == 200

        samples += common.timed(once, rounds, warmup=1)
        qd = QueryDict(mutable=True)
        qd["q"] = wrong
        outcome = run_search(read_request(qd), qd)
        got = (outcome.suggestion or {}).get("q")
        checks.append({"query": wrong, "suggested": got, "expected": list(right),
                       "hits_of_query": outcome.hits, "ok": got in right})
    return {**common.summary_ms(samples), "checks": checks,
            "real_words": sum(c["ok"] for c in checks), "of": len(checks)}


def sample_statements(n: int):
    from archive.models import Statement

    pks = list(Statement.objects.published().values_list("pk", flat=True))
    return random.Random(5).sample(pks, min(n, len(pks)))


def measure_related(rounds: int) -> dict:
    from archive.models import Statement
    from search.related import related_statements

    statements = list(Statement.objects.filter(pk__in=sample_statements(20)))
    samples, found = common.Samples(), 0
    for statement in statements:
        found += bool(related_statements(statement))
        samples += common.timed(lambda s=statement: related_statements(s), rounds, warmup=1)
    return {**common.summary_ms(samples), "statements": len(statements),
            "with_related": found}


def measure_autocomplete(rounds: int) -> dict:
    from django.test import Client

    client = Client()
    samples = common.Samples()
    for term in AUTOCOMPLETE:
        samples += common.timed(
            lambda t=term: client.get("/search/autocomplete/", {"q": t}), rounds, warmup=1)
    return common.summary_ms(samples)


def measure_statement_pages(rounds: int) -> dict:
    from django.test import Client

    from archive.models import Statement

    client = Client()
    slugs = list(Statement.objects.filter(pk__in=sample_statements(20))
                 .values_list("slug", flat=True))
    samples = common.Samples()
    for slug in slugs:
        def once(slug=slug):
            assert client.get(f"/statements/{slug}/").status_code == 200

        samples += common.timed(once, rounds, warmup=1)
    return common.summary_ms(samples)


def measure_list_pages(rounds: int) -> dict:
    from django.test import Client

    client = Client()
    samples = common.Samples()
    from archive.models import Statement
    from archive.views import PER_PAGE

    last = max(1, -(-Statement.objects.published().count() // PER_PAGE))
    for path in ("/statements/", "/statements/?page=2", f"/statements/?page={last}",
                 "/countries/FRA/"):
        def once(path=path):
            status = client.get(path).status_code
            assert status == 200, (path, status)

        samples += common.timed(once, rounds, warmup=1)
    return common.summary_ms(samples)


# --- the comparison: stock haystack and raw Whoosh ----------------------------------------


def stock_backend(workdir: Path, db_hash: str, out):
    """Stock haystack's WhooshEngine over the same published statements (built once, cached)."""
    from django.conf import settings
    from haystack import connections

    from archive.models import Statement
    from search.search_indexes import statements_for_index

    path = workdir / f"stock-{db_hash[:12]}"
    settings.HAYSTACK_CONNECTIONS["stock"] = {
        "ENGINE": "haystack.backends.whoosh_backend.WhooshEngine",
        "PATH": str(path),
    }
    for old in workdir.glob("stock-*"):
        if old != path:
            shutil.rmtree(old, ignore_errors=True)
    backend = connections["stock"].get_backend()
    index = connections["stock"].get_unified_index().get_index(Statement)
    backend.setup()
    done = path / "complete.json"
    if done.exists():
        figures = json.loads(done.read_text())
        out.write(f"stock: reusing its index of {figures['documents']} documents\n")
        return figures
    backend.clear()
    backend.setup()
    out.write("stock: indexing with haystack's own backend (slow) ...\n")
    started = time.monotonic()
    qs = statements_for_index().order_by("pk")
    last, count = 0, 0
    while True:
        chunk = list(qs.filter(pk__gt=last)[:100])
        if not chunk:
            break
        last = chunk[-1].pk
        backend.update(index, chunk)
        count += len(chunk)
    seconds = time.monotonic() - started
    figures = {"documents": count, "seconds": round(seconds, 1),
               "speeches_per_s": round(count / seconds, 1),
               "index_mb": round(common.dir_bytes(path) / 1e6, 1)}
    done.write_text(json.dumps(figures))
    return figures


def stock_once(params: dict):
    from haystack.query import SearchQuerySet

    from search.request import FACETS

    sqs = SearchQuerySet().using("stock")
    q = params.get("q", "")
    sqs = sqs.auto_query(q) if q else sqs.all()
    for name in FACETS:
        if name in params:
            # What haystack's FacetedSearchForm does with selected_facets.
            sqs = sqs.narrow(f'{name}:"{sqs.query.clean(params[name])}"')
        sqs = sqs.facet(name)
    if params.get("sort") == "oldest":
        sqs = sqs.order_by("date")
    elif not q:
        sqs = sqs.order_by("-date")
    sqs = sqs.highlight()
    page = int(params.get("page", 1))
    rows = list(sqs[(page - 1) * 20 : page * 20])
    return len(rows), sqs.count(), sqs.facet_counts()


def measure_stock(queries, rounds: int) -> dict:
    from django.conf import settings

    settings.HAYSTACK_LIMIT_TO_REGISTERED_MODELS = True  # haystack's default
    results = {}
    try:
        for name, params in queries:
            samples = common.timed(lambda p=params: stock_once(p), rounds, warmup=1)
            results[name] = common.summary_ms(samples)
    finally:
        settings.HAYSTACK_LIMIT_TO_REGISTERED_MODELS = False
    return results


def measure_stock_extras(rounds: int) -> dict:
    from django.conf import settings
    from haystack.query import SearchQuerySet

    from archive.models import Statement

    settings.HAYSTACK_LIMIT_TO_REGISTERED_MODELS = True
    try:
        settings.HAYSTACK_CONNECTIONS["stock"]["INCLUDE_SPELLING"] = True
        spelling = common.Samples()
        for wrong, _right in MISSPELLINGS:
            spelling += common.timed(
                lambda w=wrong: SearchQuerySet().using("stock").auto_query(w)
                .spelling_suggestion(), rounds, warmup=1)
        mlt = common.Samples()
        for statement in Statement.objects.filter(pk__in=sample_statements(10)):
            mlt += common.timed(
                lambda s=statement: list(SearchQuerySet().using("stock").more_like_this(s)[:6]),
                max(1, rounds // 2), warmup=0)
    finally:
        settings.HAYSTACK_LIMIT_TO_REGISTERED_MODELS = False
    return {"spelling": common.summary_ms(spelling), "related": common.summary_ms(mlt)}


def measure_raw_whoosh(queries, rounds: int) -> dict:
    """Whoosh alone on our index, one searcher shared by every query: the floor."""
    from whoosh import query as wq
    from whoosh import sorting
    from whoosh.qparser import QueryParser

    from search.engine import get_engine
    from search.engine.whoosh.searcher import open_live
    from search.request import FACETS

    backend = get_engine()
    backend._ensure_setup()
    _directory, ix = open_live(backend.root, backend.schema)
    searcher = ix.searcher()
    parser = QueryParser(backend.content_field_name, ix.schema)
    facets = {name: sorting.FieldFacet(name, allow_overlap=name in ("speaker", "topic"))
              for name in FACETS}
    results = {}
    for name, params in queries:
        q = params.get("q", "").replace("year:", "").strip()
        query = parser.parse(q) if q else wq.Every()
        terms = [wq.Term(k, params[k]) for k in FACETS if k in params]
        filt = wq.And(terms) if terms else None
        page = int(params.get("page", 1))
        sortedby = "date" if params.get("sort") == "oldest" or not q else None
        reverse = not params.get("sort")

        def once(query=query, filt=filt, page=page, sortedby=sortedby, reverse=reverse):
            hits = searcher.search_page(query, page, pagelen=20, filter=filt,
                                        groupedby=facets, sortedby=sortedby, reverse=reverse)
            [hit.fields() for hit in hits]
            return len(hits), hits.results.groups("country")

        results[name] = common.summary_ms(common.timed(once, rounds, warmup=1))
    searcher.close()
    return results


# --- the run ------------------------------------------------------------------------------


def measure_set(workdir: Path, sessions: str | None, args, out, *, compare: bool,
                full_figures: bool) -> dict:
    stamp = prepare_database(workdir, sessions, out, keep=args.keep_index)
    build = prepare_index(workdir, stamp, args.rebuild, out, keep=args.keep_index)
    out.write(f"  {build['documents']} speeches, {build['text_mb']} MB of text: "
              f"{build['speeches_per_s']} speeches/s, {build['text_mb_per_s']} MB/s, "
              f"index {build['index_mb']} MB ({build['index_to_text']}x text), "
              f"peak RSS {build['peak_rss_mb']:.0f} MB\n")
    result: dict = {"workdir": str(workdir.relative_to(common.ROOT)), "sessions": sessions,
                    "index_build": build}
    setup_django(workdir)
    out.write("search page (Django test client, whole page):\n")
    result["search_page"] = measure_pages(args.rounds, out)
    if full_figures:
        result["spelling"] = measure_spelling(max(3, args.rounds // 2))
        result["related"] = measure_related(max(3, args.rounds // 2))
        result["autocomplete"] = measure_autocomplete(args.rounds)
        result["statement_page"] = measure_statement_pages(max(3, args.rounds // 2))
        result["list_page"] = measure_list_pages(args.rounds)
    if compare:
        queries = resolve_queries()
        result["raw_whoosh"] = measure_raw_whoosh(queries, args.rounds)
        if not args.skip_stock:
            db_hash = stamp["corpus_sha256"][:8] + stamp["import_code"] + str(sessions)
            result["stock_build"] = stock_backend(
                workdir, hashlib.sha256(db_hash.encode()).hexdigest(), out)
            result["stock"] = measure_stock(queries, max(3, args.rounds // 3))
            result["stock_extras"] = measure_stock_extras(max(2, args.rounds // 4))
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help=f"one set of ~1,000 speeches (sessions {QUICK_SESSIONS})")
    parser.add_argument("--rounds", type=int, default=None, help="timed requests per query")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the index anyway")
    parser.add_argument("--keep-index", action="store_true",
                        help="reuse the built database and index even if the importer or "
                        "search code changed since (figures then carry the older commit)")
    parser.add_argument("--skip-stock", action="store_true")
    parser.add_argument("--only", choices=["full", "quick"],
                        help="run only one of the two sets (full mode)")
    parser.add_argument("--collect", action="store_true",
                        help="measure nothing: rebuild the report from the sets' result.json")
    args = parser.parse_args(argv)
    if not common.CORPUS.exists():
        raise SystemExit(f"{common.CORPUS} is absent: the benchmark needs ../shared/data/ungdc")
    args.rounds = args.rounds or (10 if args.quick else 20)
    out = sys.stdout
    report = {"started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
              "git": common.git_commit(), "machine": common.machine(),
              "mode": "quick" if args.quick else "full", "rounds": args.rounds, "sets": {}}
    # Django is set up once per process, so each set runs in its own child process.
    sets = ([("quick", QUICK_SESSIONS, True, True)] if args.quick else
            [("full", None, True, True)])
    if args.only:
        sets = [s for s in sets if s[0] == args.only]
    for name, sessions, _compare, _full in sets:
        out.write(f"\n=== set {name}: sessions {sessions or 'all'} ===\n")
        out.flush()
        result_file = common.BENCH_ROOT / name / "result.json"
        if args.collect:
            if result_file.exists():
                report["sets"][name] = json.loads(result_file.read_text())
            continue
        child = [common.PYTHON, __file__, "--_child", name, "--rounds", str(args.rounds)]
        child += ["--compare-only"] if not _full else []
        child += ["--rebuild"] if args.rebuild else []
        child += ["--keep-index"] if args.keep_index else []
        child += ["--skip-stock"] if args.skip_stock else []
        subprocess.run(child, check=True, cwd=common.ROOT)
        report["sets"][name] = json.loads(result_file.read_text())
    report["finished"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    report["targets"] = check_targets(report)
    latest = common.BENCH_ROOT / "latest.json"
    latest.write_text(json.dumps(report, indent=2))
    out.write("\n" + format_table(report) + f"\nwritten: {latest}\n")


def child_main(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("--_child", dest="name")
    parser.add_argument("--rounds", type=int)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--skip-stock", action="store_true")
    parser.add_argument("--compare-only", action="store_true")
    parser.add_argument("--keep-index", action="store_true")
    args = parser.parse_args(argv)
    spec = {"quick": (QUICK_SESSIONS, True, not args.compare_only),
            "full": (None, True, True)}[args.name]
    workdir = common.BENCH_ROOT / args.name
    workdir.mkdir(parents=True, exist_ok=True)
    result = measure_set(workdir, spec[0], args, sys.stdout, compare=spec[1],
                         full_figures=spec[2])
    (workdir / "result.json").write_text(json.dumps(result, indent=2))


# --- targets and the table ----------------------------------------------------------------


def check_targets(report: dict) -> list[dict]:
    main_set = report["sets"].get("full") or report["sets"].get("quick")
    cmp_set = main_set
    rows = []

    def add(figure, value, unit, target, ok, cpu=None):
        row = {"figure": figure, "value": value, "unit": unit, "target": target, "met": bool(ok)}
        if cpu is not None:
            row["cpu_value"] = cpu  # the same figure in CPU time of the measuring process
        rows.append(row)

    if main_set:
        pages = main_set["search_page"]
        searches = [v for k, v in pages.items() if k != "browse all"]
        p50 = max(v["p50"] for v in searches)
        p95 = max(v["p95"] for v in searches)
        add("search page p50 (worst query)", p50, "ms", "<= 60", p50 <= 60,
            max(v.get("cpu_p50", 0) for v in searches))
        add("search page p95 (worst query)", p95, "ms", "<= 150", p95 <= 150,
            max(v.get("cpu_p95", 0) for v in searches))
        add("browse all p50", pages["browse all"]["p50"], "ms", "<= 60",
            pages["browse all"]["p50"] <= 60, pages["browse all"].get("cpu_p50"))
        b = main_set["index_build"]
        add("index build", b["speeches_per_s"], "speeches/s", ">= 100",
            b["speeches_per_s"] >= 100, round(b["documents"] / b["cpu_seconds"], 1))
        add("index size / text", b["index_to_text"], "x", "<= 1.5", b["index_to_text"] <= 1.5)
        # Every process of the build (it forks one per core), shared pages counted once; the
        # table also shows the largest single process and the plain sum of RSS.
        memory = b.get("peak_tree_pss_mb", b["peak_rss_mb"])
        add("index build peak memory (all processes, PSS)", memory, "MB", "<= 400",
            memory <= 400)
        if "spelling" in main_set:
            s = main_set["spelling"]
            add("spelling suggestion p50", s["p50"], "ms", "<= 50", s["p50"] <= 50,
                s.get("cpu_p50"))
            add("spelling suggests the real word", s["real_words"], f"of {s['of']}", "all",
                s["real_words"] == s["of"])
            for key, label, limit in (("related", "related statements", 100),
                                      ("statement_page", "statement page", 20),
                                      ("list_page", "list page", 20)):
                v = main_set[key]
                add(f"{label} p50", v["p50"], "ms", f"<= {limit}", v["p50"] <= limit,
                    v.get("cpu_p50"))
    if cmp_set and "stock" in cmp_set:
        ratios = [cmp_set["stock"][k]["p50"] / v["p50"]
                  for k, v in cmp_set["search_page"].items() if k in cmp_set["stock"]]
        worst = min(ratios)
        add("faceted search page vs stock (worst query, p50 ratio)", round(worst, 1), "x",
            ">= 15", worst >= 15)
    return rows


def format_table(report: dict) -> str:
    lines = [f"commit {report['git']['commit'][:10]}"
             f"{' (dirty)' if report['git']['dirty'] else ''}, load at start "
             f"{report['machine']['load_average_1m_at_start']}, rounds {report['rounds']}"]
    for name, s in report["sets"].items():
        b = s["index_build"]
        lines.append(f"\n[{name}] {b['documents']} speeches, {b['text_mb']} MB text; build "
                     f"{b['seconds']} s = {b['speeches_per_s']} speeches/s, "
                     f"{b['text_mb_per_s']} MB/s; index {b['index_mb']} MB = "
                     f"{b['index_to_text']}x text; peak memory of all processes "
                     f"{b.get('peak_tree_pss_mb', float('nan')):.0f} MB PSS "
                     f"({b.get('peak_tree_rss_mb', float('nan')):.0f} MB summed RSS, largest "
                     f"process {b['peak_rss_mb']:.0f} MB); {b.get('processes', '')}")
        header = (f"  {'query':<22}{'hits':>7}{'p50':>9}{'p95':>9}{'max':>9}{'cpu p50':>9}"
                  f"{'new q':>8}{'new pr':>8}")
        has_cmp = "stock" in s or "raw_whoosh" in s
        if has_cmp:
            header += f"{'raw p50':>10}{'stock p50':>11}{'stock/ours':>11}"
        lines.append(header + "   (ms)")
        for q, v in s["search_page"].items():
            new_q = v.get("new_query", {}).get("p50", float("nan"))
            first = v.get("first_request", {}).get("p50", float("nan"))
            line = (f"  {q:<22}{v['hits']:>7}{v['p50']:>9.1f}{v['p95']:>9.1f}"
                    f"{v['max']:>9.1f}{v.get('cpu_p50', float('nan')):>9.1f}{new_q:>8.1f}"
                    f"{first:>8.1f}")
            if has_cmp:
                raw = s.get("raw_whoosh", {}).get(q, {}).get("p50", float("nan"))
                st = s.get("stock", {}).get(q, {}).get("p50", float("nan"))
                line += f"{raw:>10.1f}{st:>11.1f}{st / v['p50']:>10.1f}x"
            lines.append(line)
        for key in ("spelling", "related", "autocomplete", "statement_page", "list_page"):
            if key in s:
                v = s[key]
                extra = ""
                if key == "spelling":
                    extra = f"  real word {v['real_words']}/{v['of']}"
                lines.append(f"  {key:<22}{'':>7}{v['p50']:>9.1f}{v['p95']:>9.1f}"
                             f"{v['max']:>9.1f}{v.get('cpu_p50', float('nan')):>9.1f}"
                             f"{'':>16}{extra}")
        if "stock_extras" in s:
            e = s["stock_extras"]
            lines.append(f"  stock spelling p50 {e['spelling']['p50']:.1f} ms, stock more-like-"
                         f"this p50 {e['related']['p50']:.1f} ms; stock build "
                         f"{s['stock_build']['speeches_per_s']} speeches/s, index "
                         f"{s['stock_build']['index_mb']} MB")
    lines.append("\ntargets:")
    for t in report["targets"]:
        cpu = f" [cpu: {t['cpu_value']}]" if t.get("cpu_value") is not None else ""
        lines.append(f"  {'MET ' if t['met'] else 'MISS'} {t['figure']}: {t['value']} "
                     f"{t['unit']}{cpu} (target {t['target']})")
    return "\n".join(lines)


if __name__ == "__main__":
    if "--_child" in sys.argv:
        child_main(sys.argv[1:])
    else:
        main()
