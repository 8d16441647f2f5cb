"""Agreed language on the full UN General Debate corpus: the rebuild, and a statement's passages.

    .venv/bin/python bench/reuse.py [--rounds 5] [--pages 40] [--skip-build]

Uses the corpus database the main benchmark builds (``bench/harness.py``'s
``prepare_database``, imported once into ``var/bench/reuse/`` and reused while corpus and
importer are unchanged; SQLite, production settings).  Prints and writes to
``var/bench/reuse/results.json``:

* ``build``: ``manage.py rebuild_reuse`` as a child process (wall and CPU seconds, peak RSS);
* ``passages``: ``reuse.selectors.passages_for`` for statements that have passages;
* ``page``: the whole statement page (``GET /statements/<slug>/``) of the same statements,
  through Django's test client (no network), and the same for statements without passages;
* ``refresh_one``: what one change costs the index worker (a statement compared again with
  the whole corpus, rolled back afterwards).

Targets (issue 16): passages on a statement page p50 ≤ 100 ms; the full build ≤ 10 min.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402
import harness  # noqa: E402

WORKDIR = common.BENCH_ROOT / "reuse"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--pages", type=int, default=40, help="statements sampled")
    parser.add_argument("--skip-build", action="store_true",
                        help="measure the pages on the passages already built")
    args = parser.parse_args(argv)
    if not common.CORPUS.exists():
        print(f"The corpus {common.CORPUS} is absent: nothing to measure.")
        return 0
    out = sys.stdout
    harness.prepare_database(WORKDIR, None, out)
    common.manage(WORKDIR, "migrate", "--noinput", "-v0")
    report: dict = {"machine": common.machine(), "commit": common.git_commit()}
    if not args.skip_build:
        out.write("rebuild_reuse ...\n")
        run = common.run_measured(
            [common.PYTHON, "manage.py", "rebuild_reuse"], common.bench_env(WORKDIR),
            WORKDIR / "rebuild_reuse.log",
        )
        out.write((WORKDIR / "rebuild_reuse.log").read_text()[-2000:])
        report["build"] = run
    harness.setup_django(WORKDIR)

    from django.test import Client

    from archive.models import Statement
    from reuse.models import SharedPassage, Shingle
    from reuse.selectors import passages_for

    report["rows"] = {"shingles": Shingle.objects.count(),
                      "passages": SharedPassage.objects.count(),
                      "statements_with_passages":
                          SharedPassage.objects.values("statement").distinct().count(),
                      "published": Statement.objects.published().count()}
    with_ids = list(SharedPassage.objects.values_list("statement", flat=True).distinct())
    rng = random.Random(16)
    sample = rng.sample(with_ids, min(args.pages, len(with_ids)))
    statements = list(Statement.objects.filter(pk__in=sample))
    without = list(Statement.objects.published().exclude(pk__in=with_ids)
                   .order_by("?")[: max(5, args.pages // 4)])
    counts = [len(passages_for(s)) for s in statements]
    report["sample"] = {"statements": len(statements),
                        "passages_per_statement_max": max(counts, default=0),
                        "passages_per_statement_mean":
                            round(sum(counts) / max(len(counts), 1), 1)}

    samples = common.Samples()
    for s in statements:
        samples += common.timed(lambda s=s: passages_for(s), args.rounds)
    report["passages"] = common.summary_ms(samples)

    client = Client()

    def page_samples(items):
        found = common.Samples()
        for s in items:
            def once(s=s):
                assert client.get(s.get_absolute_url()).status_code == 200
            found += common.timed(once, args.rounds)
        return found

    report["page"] = common.summary_ms(page_samples(statements))
    report["page_without_passages"] = common.summary_ms(page_samples(without))

    # What one change costs the index worker: a statement compared again with the whole
    # corpus (inside a transaction rolled back, so the data stays as built).
    from django.db import transaction

    from reuse.build import refresh

    refreshes = common.Samples()
    for s in statements[:10]:
        def again(s=s):
            with transaction.atomic():
                refresh([s.pk])
                transaction.set_rollback(True)
        refreshes += common.timed(again, 1, warmup=0)
    report["refresh_one"] = common.summary_ms(refreshes)

    out.write(json.dumps({k: v for k, v in report.items() if k not in ("machine",)},
                         indent=2, default=str) + "\n")
    build = report.get("build")
    if build:
        out.write(f"full reuse build: {build['seconds']:.0f} s (target ≤ 600 s)\n")
    out.write(f"statement page with passages: p50 {report['page']['p50']} ms "
              f"(target ≤ 100 ms); passages alone p50 {report['passages']['p50']} ms\n")
    (WORKDIR / "results.json").write_text(json.dumps(report, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
