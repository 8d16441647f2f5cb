"""Search quality on the development archive: known items and judged topical queries.

    make eval-relevance                                  # every configured engine
    make eval-relevance EVAL_ARGS="--known 200 --seed 7"
    ENGINES="whoosh whoosh:/tmp/other-index" make eval-relevance

The archive is the UN General Debate corpus (``../shared/data/ungdc``), imported once into
``var/bench/full/`` (``bench/harness.py`` does the import and reuses it while the corpus and
the importer are unchanged).  Two sets of questions:

* **Known items**, made at run time: speeches drawn with a fixed seed, and from each a run of
  6 to 10 words (letters only, no operator words) that stands in that speech and in no other
  (checked on every speech's text with punctuation read as space).  Each is searched as plain
  words, without quotes, as a reader who half-remembers a sentence would type it; the one
  right answer is the speech it came from.
* **Topical queries** with judgements (``bench/relevance/topical.json``): for each query, a
  statement of the need and the criteria a speech must meet to be relevant (grade 2) or
  partly relevant (grade 1), written for this archive; every speech of the archive is judged
  by them, so nDCG's ideal ranking is known.

Figures per engine: success@1 (the first hit is right; for topical queries, relevant), MRR@10
(the reciprocal rank of the first right hit in the top ten, else 0) and nDCG@10 (graded gain
``2**grade - 1``).  Every query goes through the search page's own path
(``search.request.read_request`` and ``build_queryset``), so any engine behind ``SEARCH_URL``
answers them.

Engines: ``--engines`` or ``ENGINES`` (space- or comma-separated): ``whoosh`` is the archive's
Whoosh index of the set; any other value containing ":" is a ``SEARCH_URL`` as is (its index is
built with ``manage.py rebuild_index`` when the search code changed since it was last built).
Each engine runs in a child process of its own, on the benchmark's SQLite copy of the
corpus, or on ``--database-url`` / ``EVAL_DATABASE_URL`` (a database that already holds it,
for an engine that keeps its index in PostgreSQL).  The figures are kept in
``var/bench/relevance.json`` with the previous run's beside them, and the change is printed.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

TOPICAL = Path(__file__).resolve().parent / "relevance" / "topical.json"
RESULTS = common.BENCH_ROOT / "relevance.json"
TARGETS = {"known_items": {"success_at_1": 0.98, "mrr_at_10": 0.99}}
DEPTH = 10
_LETTERS = re.compile(r"^[A-Za-z]+$")
_NOT_LETTERS = re.compile(r"[^a-z]+")
OPERATORS = {"OR", "AND", "NOT"}


# --- the questions ------------------------------------------------------------------------


def normalised(text: str) -> str:
    """Lowercase letters only, single spaces, padded: phrase tests are substring tests."""
    return " " + _NOT_LETTERS.sub(" ", text.lower()).strip() + " "


def known_items(bodies: dict[int, str], count: int, seed: int) -> list[dict]:
    """``count`` (pk, phrase) pairs: a phrase of 6-10 plain words found in that speech only."""
    rng = random.Random(seed)
    flat = {pk: normalised(body) for pk, body in bodies.items()}
    pks = sorted(bodies)
    rng.shuffle(pks)
    items = []
    for pk in pks:
        if len(items) >= count:
            break
        phrase = _phrase_from(bodies[pk], rng)
        if phrase is None:
            continue
        needle = normalised(phrase)
        holders = [other for other, text in flat.items() if needle in text]
        if holders == [pk]:
            items.append({"pk": pk, "q": phrase})
    return items


def cached_known_items(bodies: dict[int, str], count: int, seed: int) -> list[dict]:
    """``known_items``, remembered beside the database for the same texts, count and seed
    (drawing them reads every speech once per candidate: two minutes on the corpus)."""
    import hashlib

    digest = hashlib.sha256()
    for pk in sorted(bodies):
        digest.update(f"{pk}:{len(bodies[pk])}:".encode())
        digest.update(bodies[pk][:64].encode())
    path = Path(os.environ["ARCHIVE_VAR_DIR"]) / f"known-items-{seed}-{count}.json"
    key = digest.hexdigest()
    if path.exists():
        saved = json.loads(path.read_text())
        if saved.get("texts") == key:
            return saved["items"]
    items = known_items(bodies, count, seed)
    path.write_text(json.dumps({"texts": key, "items": items}, indent=1))
    return items


def _phrase_from(body: str, rng: random.Random) -> str | None:
    words = body.split()
    length = rng.randint(6, 10)
    starts = list(range(0, max(len(words) - length, 0)))
    rng.shuffle(starts)
    for start in starts[:300]:
        window = words[start:start + length]
        if (len(window) == length and all(_LETTERS.match(w) for w in window)
                and not OPERATORS & set(window)):
            return " ".join(window)
    return None


def judge(topic: dict, statement: dict) -> int:
    """The grade (0, 1, 2) of one speech for one topic, by the topic's written criteria."""
    for grade in (2, 1):
        rule = topic.get(f"grade{grade}")
        if rule and _meets(rule, statement):
            return grade
    return 0


def _meets(rule: dict, st: dict) -> bool:
    if "countries" in rule and st["country"] not in rule["countries"]:
        return False
    if "years" in rule:
        low, high = rule["years"]
        if not low <= st["year"] <= high:
            return False
    text = st["text"]
    for stem, least in rule.get("mentions", {}).items():
        if text.count(" " + stem) < least:
            return False
    any_of = rule.get("any_mentions")
    if any_of:
        stems, least = any_of
        if sum(text.count(" " + s) for s in stems) < least:
            return False
    return True


# --- the figures --------------------------------------------------------------------------


def rank_figures(ranked: list[int], grades: dict[int, int]) -> dict:
    """success@1, reciprocal rank and nDCG@10 of one ranked list against its judgements."""
    top = ranked[:DEPTH]
    first = next((i + 1 for i, pk in enumerate(top) if grades.get(pk, 0) > 0), None)
    dcg = sum((2 ** grades.get(pk, 0) - 1) / math.log2(i + 2) for i, pk in enumerate(top))
    ideal = sorted(grades.values(), reverse=True)[:DEPTH]
    idcg = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(ideal) if g > 0)
    return {
        "success_at_1": 1.0 if first == 1 else 0.0,
        "rr": 1.0 / first if first else 0.0,
        "ndcg_at_10": dcg / idcg if idcg else 0.0,
        "rank": first,
    }


def mean_figures(rows: list[dict]) -> dict:
    n = len(rows) or 1
    return {
        "queries": len(rows),
        "success_at_1": round(sum(r["success_at_1"] for r in rows) / n, 4),
        "mrr_at_10": round(sum(r["rr"] for r in rows) / n, 4),
        "ndcg_at_10": round(sum(r["ndcg_at_10"] for r in rows) / n, 4),
    }


# --- one engine (a child process) ---------------------------------------------------------


def run_engine(args) -> dict:
    sys.path.insert(0, str(common.ROOT))
    import django

    django.setup()
    from django.http import QueryDict

    from archive.models import Statement
    from search.request import build_queryset, read_request

    apply_tuning(json.loads(os.environ.get("RELEVANCE_TUNING") or "{}"))

    rows = Statement.objects.published().values_list("pk", "body", "country__code",
                                                     "delivered_on")
    bodies, facts = {}, {}
    for pk, body, country, delivered in rows:
        bodies[pk] = body
        facts[pk] = {"country": country or "", "year": delivered.year}

    def search(q: str) -> tuple[list[int], float]:
        params = QueryDict(mutable=True)
        params["q"] = q
        started = time.perf_counter()
        hits = [int(r.pk) for r in build_queryset(read_request(params))[:DEPTH]]
        return hits, time.perf_counter() - started

    started = time.monotonic()
    items = cached_known_items(bodies, args.known, args.seed)
    made_in = time.monotonic() - started
    known_rows, misses, seconds = [], [], []
    for item in items:
        hits, took = search(item["q"])
        seconds.append(took)
        figures = rank_figures(hits, {item["pk"]: 1})
        known_rows.append(figures)
        if figures["rank"] != 1:
            misses.append({**item, "rank": figures["rank"], "first": hits[:1]})

    topics = json.loads(TOPICAL.read_text())
    flat = {pk: {**facts[pk], "text": normalised(body)} for pk, body in bodies.items()}
    topical_rows, per_topic = [], {}
    for topic in topics:
        grades = {pk: g for pk, st in flat.items() if (g := judge(topic, st))}
        hits, took = search(topic["query"])
        seconds.append(took)
        figures = rank_figures(hits, grades)
        topical_rows.append(figures)
        per_topic[topic["id"]] = {
            "query": topic["query"], "judged_relevant": len(grades),
            **{k: round(v, 4) if isinstance(v, float) else v for k, v in figures.items()},
        }
    seconds.sort()
    return {
        "search_url": os.environ["SEARCH_URL"],
        "statements": len(bodies),
        "known_items": {**mean_figures(known_rows), "seed": args.seed,
                        "made_in_s": round(made_in, 1), "misses": misses},
        "topical": {**mean_figures(topical_rows), "per_topic": per_topic},
        "search_ms_p50": round(seconds[len(seconds) // 2] * 1000, 1) if seconds else None,
    }


def apply_tuning(settings: dict[str, str]) -> None:
    """Set ranking constants for one tuning run (only names that exist, in the engines)."""
    import importlib

    for dotted, raw in settings.items():
        module_name, _, name = dotted.rpartition(".")
        if not module_name.startswith("search.engine."):
            raise SystemExit(f"--tune {dotted}: only constants of search.engine modules")
        module = importlib.import_module(module_name)
        current = getattr(module, name)  # AttributeError: a misspelt name fails loudly
        value = json.loads(raw)
        if isinstance(current, dict) and isinstance(value, dict):
            value = {**current, **value}
        setattr(module, name, value)


# --- the parent: prepare, run each engine, compare ----------------------------------------


def engine_urls(spec: str, workdir: Path) -> list[tuple[str, str]]:
    out = []
    for name in re.split(r"[\s,]+", spec.strip()):
        if not name:
            continue
        if name == "whoosh":
            out.append((name, f"whoosh:{workdir / 'whoosh'}"))
        elif ":" in name:
            out.append((name, name))
        else:
            raise SystemExit(f"Unknown engine {name!r}: use 'whoosh' or a SEARCH_URL.")
    return out


def prepare_engine(name: str, url: str, workdir: Path, stamp: dict, rebuild: bool, out, *,
                   keep: bool = False, database_url: str = ""):
    import harness

    if name == "whoosh" and not database_url:
        harness.prepare_index(workdir, stamp, rebuild, out, keep=keep)
        return
    code = common.sha256_tree(*common.INDEX_CODE)
    stamps_file = workdir / "relevance-indexes.json"
    stamps = json.loads(stamps_file.read_text()) if stamps_file.exists() else {}
    key = f"{url} on {database_url}" if database_url else url
    if not rebuild and (stamps.get(key) == [code, stamp["import_code"]]
                        or (keep and key in stamps)):
        out.write(f"{name}: reusing its index (search code unchanged)\n")
        return
    out.write(f"{name}: building its index with manage.py rebuild_index ...\n")
    env = {**common.bench_env(workdir), "SEARCH_URL": url}
    if database_url:
        env["DATABASE_URL"] = database_url
    run = common.run_measured([common.PYTHON, "manage.py", "rebuild_index", "--noinput"], env,
                              workdir / f"rebuild-{re.sub(r'[^a-z0-9]+', '-', key)[:80]}.log")
    out.write(f"  built in {run['seconds']:.0f} s\n")
    stamps[key] = [code, stamp["import_code"]]
    stamps_file.write_text(json.dumps(stamps, indent=2))


def compare(now: dict, before: dict | None) -> str:
    def fmt(value, old):
        if old is None:
            return f"{value:.3f}"
        return f"{value:.3f} ({value - old:+.3f})"

    lines = [f"{'engine':<36} {'set':<12} {'n':>4} {'success@1':>16} {'MRR@10':>16} "
             f"{'nDCG@10':>16}"]
    for name, figures in now["engines"].items():
        old_engine = ((before or {}).get("engines") or {}).get(name, {})
        for part in ("known_items", "topical"):
            f, o = figures[part], old_engine.get(part, {})
            lines.append(
                f"{name:<36.36} {part:<12} {f['queries']:>4} "
                f"{fmt(f['success_at_1'], o.get('success_at_1')):>16} "
                f"{fmt(f['mrr_at_10'], o.get('mrr_at_10')):>16} "
                f"{fmt(f['ndcg_at_10'], o.get('ndcg_at_10')):>16}"
            )
    return "\n".join(lines)


def targets(report: dict) -> list[str]:
    failed = []
    for name, figures in report["engines"].items():
        for part, wanted in TARGETS.items():
            for figure, target in wanted.items():
                if figures[part][figure] < target:
                    failed.append(f"{name}: {part} {figure} {figures[part][figure]:.3f} "
                                  f"< {target}")
    return failed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engines",
                        default=os.environ.get("ENGINES") or os.environ.get("ENGINE") or "whoosh",
                        help="'whoosh' and/or SEARCH_URLs (default: $ENGINES or $ENGINE)")
    parser.add_argument("--database-url", default=os.environ.get("EVAL_DATABASE_URL", ""),
                        help="a database already holding the corpus (imported with "
                        "manage.py import_ungdc), for an engine that needs its own kind of "
                        "database; default: the benchmark's SQLite copy in var/bench/full/")
    parser.add_argument("--known", type=int, default=100, help="known items to draw")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--rebuild", action="store_true", help="rebuild every index")
    parser.add_argument("--label", default="", help="a note kept with the figures")
    parser.add_argument("--keep-index", action="store_true",
                        help="reuse the built database and indexes even if the code changed "
                        "(only constants of the ranking changed, say)")
    parser.add_argument("--tune", action="append", default=[], metavar="MODULE.NAME=VALUE",
                        help="for a tuning run: set a ranking constant in the child, e.g. "
                        "search.engine.whoosh.compiler.PHRASE_BOOST=3 (repeatable)")
    parser.add_argument("--_child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args._child:
        print("RESULT " + json.dumps(run_engine(args)))
        return 0
    if not common.CORPUS.exists():
        print(f"{common.CORPUS} is absent: the relevance harness needs ../shared/data/ungdc")
        return 2
    import harness

    out = sys.stdout
    workdir = common.BENCH_ROOT / "full"
    workdir.mkdir(parents=True, exist_ok=True)
    stamp = harness.prepare_database(workdir, None, out, keep=args.keep_index)
    report = {"started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
              "git": common.git_commit(), "label": args.label, "tuning": args.tune,
              "known": args.known,
              "seed": args.seed, "engines": {}}
    for name, url in engine_urls(args.engines, workdir):
        prepare_engine(name, url, workdir, stamp, args.rebuild, out, keep=args.keep_index,
                       database_url=args.database_url)
        out.write(f"{name}: asking {args.known} known items and the topical queries ...\n")
        out.flush()
        env = {**common.bench_env(workdir), "SEARCH_URL": url,
               "RELEVANCE_TUNING": json.dumps(dict(t.split("=", 1) for t in args.tune))}
        if args.database_url:
            env["DATABASE_URL"] = args.database_url
        child = subprocess.run(
            [common.PYTHON, __file__, "--_child", "--known", str(args.known),
             "--seed", str(args.seed)],
            cwd=common.ROOT, env=env, capture_output=True, text=True,
        )
        lines = [line for line in child.stdout.splitlines() if line.startswith("RESULT ")]
        if child.returncode != 0 or not lines:
            out.write(child.stdout[-2000:] + child.stderr[-4000:])
            raise SystemExit(f"{name}: the evaluation failed (exit {child.returncode})")
        report["engines"][name] = json.loads(lines[-1][len("RESULT "):])
    previous = None
    if RESULTS.exists():
        try:
            previous = json.loads(RESULTS.read_text()).get("latest")
        except ValueError:
            previous = None
    print()
    print(compare(report, previous))
    for name, figures in report["engines"].items():
        misses = figures["known_items"]["misses"]
        if misses:
            print(f"\n{name}: known items not first ({len(misses)}):")
            for miss in misses[:15]:
                print(f"  statement {miss['pk']}: rank {miss['rank'] or '>10'}: {miss['q']}")
    failed = targets(report)
    print("\ntargets: " + ("all met" if not failed else "; ".join(failed)))
    RESULTS.write_text(json.dumps({"latest": report, "previous": previous}, indent=2))
    print(f"written: {RESULTS}" + (" (the previous run kept beside it)" if previous else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
