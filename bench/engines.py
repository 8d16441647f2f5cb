"""``make bench-engines``: the full UN corpus in PostgreSQL, searched by each engine in turn.

    .venv/bin/python bench/engines.py                        # postgres (RUM, GIN) and whoosh
    .venv/bin/python bench/engines.py --configs rum whoosh --rounds 20

One archive database (``bench_full`` on BENCH_POSTGRES_URL, the corpus imported once with
``manage.py import_ungdc``), and for each configuration a full ``rebuild_index`` timed from
outside (statements/s, peak memory of its processes, the index's size on disk) and then the
search page query set, spelling and related statements of ``harness.py``, each in a fresh
process.  ``rum`` and ``gin`` are the PostgreSQL engine with that index on its text vectors
(``SEARCH_URL=postgres:?index=...``); ``whoosh`` the embedded engine over the same database.
The table at the end puts them side by side; ``var/bench/postgres/engines.json`` keeps it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

os.environ.setdefault("BENCH_ENGINE", "postgres")
sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
import harness  # noqa: E402

CONFIGS = ("rum", "gin", "whoosh")


def search_url(workdir: Path, config: str) -> str:
    if config == "whoosh":
        return f"whoosh:{workdir / 'whoosh'}"
    return f"postgres:?index={config}"


def rebuild(workdir: Path, config: str) -> dict:
    env = {**common.bench_env(workdir), "BENCH_SEARCH_URL": search_url(workdir, config),
           "SEARCH_URL": search_url(workdir, config)}
    run = common.run_measured([common.PYTHON, "manage.py", "rebuild_index", "--noinput"], env,
                              workdir / f"rebuild-{config}.log")
    os.environ["BENCH_SEARCH_URL"] = search_url(workdir, config)
    text_bytes, documents = harness._text_size(workdir)
    index_bytes = common.search_bytes(workdir)
    harness._clear_queue(workdir)
    return {
        "documents": documents,
        "seconds": round(run["seconds"], 1),
        "statements_per_s": round(documents / run["seconds"], 1),
        "index_mb": round(index_bytes / 1e6, 1),
        "index_to_text": round(index_bytes / text_bytes, 3),
        "peak_tree_pss_mb": round(run["peak_tree_pss_mb"], 0),
        "last_line": (workdir / f"rebuild-{config}.log").read_text().strip().splitlines()[-1:],
    }


def measure(workdir: Path, config: str, rounds: int) -> None:
    os.environ["BENCH_SEARCH_URL"] = search_url(workdir, config)
    harness.setup_django(workdir)
    out = sys.stdout
    out.write(f"[{config}] search page:\n")
    result = {
        "search_page": harness.measure_pages(rounds, out),
        "spelling": harness.measure_spelling(max(3, rounds // 2)),
        "related": harness.measure_related(max(3, rounds // 2)),
    }
    (workdir / f"measure-{config}.json").write_text(json.dumps(result, indent=2))


def table(report: dict) -> str:
    configs = list(report["configs"])
    head = f"{'query shape':<22}" + "".join(f"{c + ' p50':>12}{'p95':>8}" for c in configs)
    lines = [head]
    shapes = list(report["configs"][configs[0]]["search_page"])
    for shape in shapes:
        row = f"{shape:<22}"
        for c in configs:
            figures = report["configs"][c]["search_page"][shape]
            row += f"{figures['p50']:>12.1f}{figures['p95']:>8.1f}"
        lines.append(row)
    for extra in ("spelling", "related"):
        row = f"{extra:<22}"
        for c in configs:
            figures = report["configs"][c][extra]
            row += f"{figures['p50']:>12.1f}{figures['p95']:>8.1f}"
        lines.append(row)
    lines.append("")
    lines.append(f"{'rebuild':<22}" + "".join(
        f"{report['configs'][c]['build']['statements_per_s']:>12.1f}{'st/s':>8}" for c in configs))
    lines.append(f"{'size on disk':<22}" + "".join(
        f"{report['configs'][c]['build']['index_mb']:>12.1f}{'MB':>8}" for c in configs))
    lines.append(f"{'build peak PSS':<22}" + "".join(
        f"{report['configs'][c]['build']['peak_tree_pss_mb']:>12.0f}{'MB':>8}" for c in configs))
    return "\n".join(lines)


def targets(report: dict) -> list[dict]:
    """The PostgreSQL engine's targets on the full corpus (issue 18), checked on this run's
    figures: the worst query shape of the search page (browse-all aside) for repeated
    queries, with the same figure for a query not seen before beside it."""
    config = next((c for c in ("rum", "gin") if c in report["configs"]), None)
    if config is None:
        return []
    figures = report["configs"][config]
    searches = {k: v for k, v in figures["search_page"].items() if k != "browse all"}
    worst50 = max(searches.items(), key=lambda kv: kv[1]["p50"])
    worst95 = max(searches.items(), key=lambda kv: kv[1]["p95"])
    new50 = max(searches.items(), key=lambda kv: kv[1]["new_query"]["p50"])
    rate = figures["build"]["statements_per_s"]
    return [
        {"figure": f"{config}: search page p50, worst shape ({worst50[0]})",
         "value": worst50[1]["p50"], "unit": "ms", "target": "<= 40",
         "met": worst50[1]["p50"] <= 40},
        {"figure": f"{config}: search page p95, worst shape ({worst95[0]})",
         "value": worst95[1]["p95"], "unit": "ms", "target": "<= 120",
         "met": worst95[1]["p95"] <= 120},
        {"figure": f"{config}: a query not seen before, p50, worst shape ({new50[0]})",
         "value": new50[1]["new_query"]["p50"], "unit": "ms", "target": "<= 40 (same)",
         "met": new50[1]["new_query"]["p50"] <= 40},
        {"figure": f"{config}: full rebuild", "value": rate, "unit": "statements/s",
         "target": ">= 300", "met": rate >= 300},
    ]


def format_targets(rows: list[dict]) -> str:
    return "\n".join(["targets:"] + [
        f"  {'MET ' if t['met'] else 'MISS'} {t['figure']}: {t['value']} {t['unit']} "
        f"(target {t['target']})" for t in rows])


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", nargs="+", choices=CONFIGS, default=list(CONFIGS))
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--_measure", dest="measure", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    workdir = common.BENCH_ROOT / "full"
    if args.measure:
        measure(workdir, args.measure, args.rounds)
        return
    if not common.CORPUS.exists():
        raise SystemExit(f"{common.CORPUS} is absent: this benchmark needs the UN corpus")
    workdir.mkdir(parents=True, exist_ok=True)
    out = sys.stdout
    harness.prepare_database(workdir, None, out)
    report = {"git": common.git_commit(), "machine": common.machine(), "configs": {}}
    for config in args.configs:
        out.write(f"[{config}] rebuild_index ...\n")
        out.flush()
        build = rebuild(workdir, config)
        out.write(f"  {build}\n")
        out.flush()
        env = {**os.environ, "BENCH_SEARCH_URL": search_url(workdir, config)}
        subprocess.run([common.PYTHON, __file__, "--_measure", config, "--rounds",
                        str(args.rounds)], check=True, cwd=common.ROOT, env=env)
        measured = json.loads((workdir / f"measure-{config}.json").read_text())
        report["configs"][config] = {"build": build, **measured}
        report["targets"] = targets(report)
        (common.BENCH_ROOT / "engines.json").write_text(json.dumps(report, indent=2))
    print(table(report))
    print("\n" + format_targets(report["targets"]))


if __name__ == "__main__":
    main()
