"""``make bench-growth``: the same figures on 1k, 10k and 100k synthetic statements.

    .venv/bin/python bench/growth.py                   # 1000 10000 100000
    .venv/bin/python bench/growth.py --sizes 1000 10000 --words 350

The statements are generated at run time and never committed.  Their text is a bigram walk
over the words of a sample of real UNGDC speeches (every 25th file of the corpus): word
frequencies and common word pairs ("human rights", "nuclear weapons") look like the real
archive, sentences do not make sense.  Each synthetic statement has ``--words`` words
(default 350, about 2.2 KB: shorter than the real median of 17 KB, so that 100k statements
stay near the size of the real corpus, ~220 MB, and fit the machine), a random country of
the corpus's 200, a year from 1946 to 2015 and that year's session event.  Their source reads
"Synthetic benchmark text" so nobody mistakes them for statements.

Each size gets its own folder ``var/bench/growth-<N>/`` (removed with ``--clean``), reused
when present.  Figures per size: database load time, index build (speeches/s, MB/s, size /
text, peak memory of the build's processes), the search page query set, spelling, related
statements, statement and list pages.  Results go to ``var/bench/growth.json`` and a table
on stdout.
"""

from __future__ import annotations

import argparse
import datetime
import json
import random
import re
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

WORD = re.compile(r"[A-Za-z][a-z]+(?:'[a-z]+)?|[.,;]")
SAMPLE_EVERY = 25


def vocabulary() -> dict[str, list[str]]:
    """word -> the words that follow it in the sample (with repeats: the walk's weights)."""
    chain: dict[str, list[str]] = {}
    with tarfile.open(common.CORPUS, "r:gz") as tar:
        members = sorted((m for m in tar.getmembers() if m.name.endswith(".txt")
                          and "/Session " in m.name), key=lambda m: m.name)
        for member in members[::SAMPLE_EVERY]:
            text = tar.extractfile(member).read().decode("utf-8-sig", errors="replace")
            words = WORD.findall(text)
            for a, b in zip(words, words[1:], strict=False):
                chain.setdefault(a, []).append(b)
    return chain


def synthetic_text(chain, rng: random.Random, words: int) -> str:
    keys = list(chain)
    word = rng.choice(keys)
    out = []
    for _ in range(words):
        out.append(word)
        following = chain.get(word)
        word = rng.choice(following) if following else rng.choice(keys)
    text = " ".join(out).replace(" .", ".").replace(" ,", ",").replace(" ;", ";")
    # Paragraphs of about 60 words, as the speeches have.
    parts = text.split(". ")
    paragraphs, current = [], []
    for part in parts:
        current.append(part)
        if sum(len(p.split()) for p in current) > 60:
            paragraphs.append(". ".join(current) + ".")
            current = []
    if current:
        paragraphs.append(". ".join(current))
    return "\n\n".join(paragraphs)


def load(workdir: Path, size: int, words: int, chain) -> dict:
    """Write ``size`` synthetic statements through the services (inside ``--_load``)."""
    common.configure(workdir)
    import django

    django.setup()
    from django.db import transaction

    from archive import services
    from archive.models import Country, Event, EventKind, Statement, Status

    existing = Statement.objects.count()
    if existing >= size:
        return {"statements": existing, "reused": True}
    codes = [c.strip() for c in (common.BENCH_ROOT / "codes.txt").read_text().split()]
    countries = {c.code: c for c in Country.objects.filter(code__in=codes)}
    country_list = [countries[c] for c in codes if c in countries]
    usa = Country.objects.get(code="USA")
    events = {}
    for year in range(1946, 2016):
        session = year - 1945
        events[year] = Event.objects.filter(slug=f"synthetic-session-{session}").first() or (
            services.create_event(
                name=f"Synthetic session {session}", short_name=f"S{session}",
                slug=f"synthetic-session-{session}", start_date=datetime.date(year, 9, 15),
                kind=EventKind.SESSION, series="Synthetic general debate", city="New York",
                country=usa))
    rng = random.Random(size)
    started = time.monotonic()
    items = []
    published = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    for n in range(existing, size):
        year = rng.randint(1946, 2015)
        country = rng.choice(country_list)
        items.append(services.StatementInput(
            title=f"Synthetic statement {n} ({country.code}, {year})",
            body=synthetic_text(chain, rng, words),
            delivered_on=datetime.date(year, 9, 20),
            import_key=f"synthetic:{n}", kind="speech", country=country, event=events[year],
            source_name="Synthetic benchmark text (generated, not a real statement)",
            status=Status.PUBLISHED, published_at=published))
        if len(items) >= 500:
            with transaction.atomic():
                services.bulk_upsert_statements(items=items)
            items = []
    if items:
        with transaction.atomic():
            services.bulk_upsert_statements(items=items)
    from archive.management.commands.import_ungdc import analyse_archive_tables

    analyse_archive_tables()  # as the importer does after a bulk load
    return {"statements": Statement.objects.count(), "seconds": time.monotonic() - started}


def run_size(size: int, words: int, rounds: int, out) -> dict:
    import harness

    workdir = common.BENCH_ROOT / f"growth-{size}"
    workdir.mkdir(parents=True, exist_ok=True)
    stamp = common.read_stamp(workdir)
    if stamp.get("words") != words or stamp.get("size") != size:
        common.drop_database(workdir)
        shutil.rmtree(workdir / "whoosh", ignore_errors=True)
        common.manage(workdir, "migrate", "--noinput", "-v0")
        out.write(f"[{size}] generating and loading {size} statements of {words} words ...\n")
        out.flush()
        run = common.run_measured(
            [common.PYTHON, __file__, "--_load", str(size), "--words", str(words)],
            common.bench_env(workdir), workdir / "load.log")
        harness._clear_queue(workdir)
        stamp = {"size": size, "words": words, "corpus_sha256": "synthetic",
                 "import_code": f"synthetic-{size}-{words}", "load": run}
        common.write_stamp(workdir, stamp)
    build = harness.prepare_index(workdir, stamp, False, out)
    result = {"size": size, "words": words, "load": stamp["load"], "index_build": build}
    # Measuring needs Django configured for this folder: a child per size.
    subprocess.run([common.PYTHON, __file__, "--_measure", str(size), "--rounds", str(rounds)],
                   check=True, cwd=common.ROOT)
    result.update(json.loads((workdir / "result.json").read_text()))
    return result


def measure(size: int, rounds: int) -> None:
    import harness

    workdir = common.BENCH_ROOT / f"growth-{size}"
    harness.setup_django(workdir)
    out = sys.stdout
    out.write(f"[{size}] search page:\n")
    result = {
        "search_page": harness.measure_pages(rounds, out),
        "spelling": harness.measure_spelling(max(3, rounds // 2)),
        "related": harness.measure_related(max(3, rounds // 2)),
        "statement_page": harness.measure_statement_pages(max(3, rounds // 2)),
        "list_page": harness.measure_list_pages(rounds),
    }
    (workdir / "result.json").write_text(json.dumps(result, indent=2))


def table(results: list[dict]) -> str:
    lines = [f"{'N':>7} {'words':>5} {'build/s':>8} {'MB/s':>6} {'idx/text':>8} {'PSS MB':>7} "
             f"{'worst search p50':>16} {'p95':>7} {'browse p50':>10} {'spell':>7} "
             f"{'related':>8} {'stmt':>6} {'list':>6}   (ms; cpu p50 in brackets)"]
    for r in results:
        b = r["index_build"]
        searches = {k: v for k, v in r["search_page"].items() if k != "browse all"}
        worst = max(searches.values(), key=lambda v: v["p50"])
        lines.append(
            f"{r['size']:>7} {r['words']:>5} {b['speeches_per_s']:>8} {b['text_mb_per_s']:>6} "
            f"{b['index_to_text']:>8} {b.get('peak_tree_pss_mb', b['peak_rss_mb']):>7.0f} "
            f"{worst['p50']:>7.1f} [{worst.get('cpu_p50', 0):>5.1f}] "
            f"{max(v['p95'] for v in searches.values()):>7.1f} "
            f"{r['search_page']['browse all']['p50']:>10.1f} {r['spelling']['p50']:>7.1f} "
            f"{r['related']['p50']:>8.1f} {r['statement_page']['p50']:>6.1f} "
            f"{r['list_page']['p50']:>6.1f}")
    return "\n".join(lines)


# The PostgreSQL engine's targets at 1,000,000 statements (issue 18): the worst query shape
# of the search page and browse-all with its facets.
TARGETS = {1_000_000: {"worst_p50": 150, "worst_p95": 400, "browse_p50": 100}}


def targets(results: list[dict]) -> list[str]:
    lines = []
    for r in results:
        wanted = TARGETS.get(r["size"])
        if not wanted:
            continue
        searches = {k: v for k, v in r["search_page"].items() if k != "browse all"}
        p50 = max(searches.items(), key=lambda kv: kv[1]["p50"])
        p95 = max(searches.items(), key=lambda kv: kv[1]["p95"])
        new = max(searches.items(), key=lambda kv: kv[1]["new_query"]["p50"])
        browse = r["search_page"]["browse all"]
        for label, value, target in (
                (f"search page p50, worst shape ({p50[0]})", p50[1]["p50"], wanted["worst_p50"]),
                (f"search page p95, worst shape ({p95[0]})", p95[1]["p95"], wanted["worst_p95"]),
                (f"a query not seen before, p50, worst shape ({new[0]})",
                 new[1]["new_query"]["p50"], wanted["worst_p50"]),
                ("browse all with facets, p50", browse["p50"], wanted["browse_p50"]),
                ("browse all with facets, not seen before, p50", browse["new_query"]["p50"],
                 wanted["browse_p50"])):
            lines.append(f"  {'MET ' if value <= target else 'MISS'} {r['size']:,} statements, "
                         f"{label}: {value:.1f} ms (target <= {target})")
    return (["targets:"] + lines) if lines else []


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--words", type=int, default=350)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--clean", action="store_true", help="remove the growth folders")
    parser.add_argument("--_load", dest="load", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--_measure", dest="measure", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.load:
        chain = vocabulary()
        print(json.dumps(load(common.BENCH_ROOT / f"growth-{args.load}", args.load,
                              args.words, chain)))
        return
    if args.measure:
        measure(args.measure, args.rounds)
        return
    if args.clean:
        for path in common.BENCH_ROOT.glob("growth-*"):
            shutil.rmtree(path)
        return
    if not common.CORPUS.exists():
        raise SystemExit(f"{common.CORPUS} is absent: the vocabulary comes from the corpus")
    _write_codes()
    results = []
    for size in sorted(args.sizes):
        results.append(run_size(size, args.words, args.rounds, sys.stdout))
        report = {"git": common.git_commit(), "machine": common.machine(), "sizes": results}
        (common.BENCH_ROOT / "growth.json").write_text(json.dumps(report, indent=2))
    print(table(results))
    print("\n".join(targets(results)))


def _write_codes() -> None:
    """The corpus's country codes (the synthetic statements' delegations), once."""
    path = common.BENCH_ROOT / "codes.txt"
    if path.exists():
        return
    with tarfile.open(common.CORPUS, "r:gz") as tar:
        codes = sorted({Path(m.name).name.split("_")[0] for m in tar.getmembers()
                        if m.name.endswith(".txt") and "/Session " in m.name})
    path.write_text("\n".join(codes) + "\n")


if __name__ == "__main__":
    main()
