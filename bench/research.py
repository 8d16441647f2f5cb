"""``make bench-research``: the research tools on the full UN General Debate corpus.

    .venv/bin/python bench/research.py              # full corpus (var/bench/full)
    .venv/bin/python bench/research.py --rounds 10

1. Builds or reuses the corpus database and index of ``make bench`` (``var/bench/full``:
   ``bench/harness.py`` imports the corpus and builds the index when they are missing or
   stale; an index already built is reused as it is).
2. Migrates it (the research app's table) and times ``manage.py research_stats`` (the
   per-statement statistics of every speech; a second run finds nothing to do).
3. Times each tool's JSON API through Django's test client: the first request (every
   search cache emptied) and then repeated requests (p50/p95, wall and CPU time), against
   the targets of issue 16.  The pages cost the same plus rendering; they are timed too.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
import harness  # noqa: E402

FIVE_TERMS = ["peace", "nuclear", "terrorism", '"human rights"', "climate"]
# (figure, path, parameters, target p50 in ms)
CASES = [
    ("trends, 5 terms", "/api/trends/", {"q": FIVE_TERMS[0], "also": FIVE_TERMS[1:]}, 200),
    ("trends, 1 term split by 5 countries", "/api/trends/",
     {"q": "terrorism", "split": "country"}, 200),
    ("trends page, 5 terms", "/trends/", {"q": FIVE_TERMS[0], "also": FIVE_TERMS[1:]}, 200),
    ("who says it most, by country", "/api/who/", {"q": "terrorism", "by": "country"}, 300),
    ("who says it most, by speaker", "/api/who/", {"q": '"human rights"', "by": "speaker"},
     300),
    ("compare two countries", "/api/compare/", {"a": "country:QAT", "b": "country:NOR"}, 500),
    ("compare page", "/compare/", {"a": "country:QAT", "b": "country:NOR"}, 500),
    ("keyword in context, first 100 lines of a common phrase", "/api/kwic/",
     {"q": '"human rights"'}, 300),
    ("keyword in context page, first 100 lines", "/kwic/", {"q": '"human rights"'}, 300),
    ("keyword in context, page 50", "/api/kwic/", {"q": '"human rights"', "page": "50"},
     None),
]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--only", default="", help="only the figures whose name holds this")
    args = parser.parse_args(argv)
    if not common.CORPUS.exists():
        raise SystemExit(f"{common.CORPUS} is absent: the benchmark needs ../shared/data/ungdc")
    out = sys.stdout
    workdir = common.BENCH_ROOT / "full"
    workdir.mkdir(parents=True, exist_ok=True)
    stamp = harness.prepare_database(workdir, None, out, keep=True)
    harness.prepare_index(workdir, stamp, False, out, keep=True)
    common.manage(workdir, "migrate", "--noinput", "-v0")
    started = time.perf_counter()
    common.manage(workdir, "research_stats")
    stats_seconds = time.perf_counter() - started
    # It computes only the rows that are missing: a few seconds (starting Django) when none is.
    out.write(f"research_stats: {stats_seconds:.1f} s\n")

    harness.setup_django(workdir)
    from django.test import Client

    from archive.models import Statement
    from search.engine.whoosh.caches import clear_caches

    client = Client()
    report = {"started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
              "git": common.git_commit(), "machine": common.machine(),
              "statements": Statement.objects.published().count(),
              "research_stats_seconds": round(stats_seconds, 1), "figures": {}}
    for name, path, params, target in CASES:
        if args.only not in name:
            continue
        def once(path=path, params=params):
            response = client.get(path, params)
            assert response.status_code == 200, (path, params, response.status_code,
                                                  response.content[:300])
            return response

        clear_caches()
        first = common.timed(once, 1, warmup=0)
        samples = common.timed(once, args.rounds)
        figure = {**common.summary_ms(samples), "first_ms": round(first[0] * 1000, 1),
                  "target_p50_ms": target,
                  "met": None if target is None else common.pct(samples, 50) * 1000 <= target}
        report["figures"][name] = figure
        out.write(f"{name:58s} p50 {figure['p50']:8.1f} ms  p95 {figure['p95']:8.1f} ms  "
                  f"cpu p50 {figure.get('cpu_p50', 0):8.1f} ms  first {figure['first_ms']:8.1f}"
                  f" ms  target {target or '-'}"
                  f"{'' if target is None else (' met' if figure['met'] else ' MISSED')}\n")
        out.flush()
    result = common.BENCH_ROOT / "research.json"
    result.write_text(json.dumps(report, indent=2))
    out.write(f"written: {result}\n")


if __name__ == "__main__":
    main()
