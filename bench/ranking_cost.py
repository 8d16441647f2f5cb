"""What the ranking change costs the search page: each query of the page set with the
proximity ranking on and off, interleaved in one process.

    .venv/bin/python bench/ranking_cost.py                 # the ~1,000-speech set, 10 rounds
    .venv/bin/python bench/ranking_cost.py --set full --rounds 20

"Off" is BM25 over the body alone, as before the change: no title or speaker weight
(``compiler.FIELD_BOOSTS``), no whole-query phrase clause (``compiler.PHRASE_BOOST``), no
re-ranking (``proximity.PROXIMITY_WEIGHT``).  The two settings alternate request by request
(on, off, on, off ...), so a machine shared with other work slows both alike; wall time and
the process's CPU time are both reported (CPU time is what the search code itself spent,
whatever else ran).  The target: the worst query shape within 15 % of "off".
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
import harness  # noqa: E402


def settings_for(on: bool):
    from search.engine.whoosh import compiler, proximity

    compiler.FIELD_BOOSTS = dict(DEFAULTS["fields"]) if on else {}
    compiler.PHRASE_BOOST = DEFAULTS["phrase"] if on else 0.0
    proximity.PROXIMITY_WEIGHT = DEFAULTS["proximity"] if on else 0.0


DEFAULTS: dict = {}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", choices=["quick", "full"], default="quick")
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args(argv)
    if not common.CORPUS.exists():
        print(f"{common.CORPUS} is absent: the benchmark needs ../shared/data/ungdc")
        return 2
    out = sys.stdout
    workdir = common.BENCH_ROOT / args.set
    sessions = harness.QUICK_SESSIONS if args.set == "quick" else None
    stamp = harness.prepare_database(workdir, sessions, out)
    harness.prepare_index(workdir, stamp, False, out)
    harness.setup_django(workdir)
    from django.test import Client

    from search.engine.whoosh import compiler, proximity

    DEFAULTS.update(fields=dict(compiler.FIELD_BOOSTS), phrase=compiler.PHRASE_BOOST,
                    proximity=proximity.PROXIMITY_WEIGHT)
    client = Client()
    report = {"set": args.set, "rounds": args.rounds, "git": common.git_commit(),
              "machine": common.machine(), "queries": {}}
    out.write(f"{'query':<22} {'on p50':>9} {'off p50':>9} {'wall':>7}   "
              f"{'on CPU':>9} {'off CPU':>9} {'CPU':>7}\n")
    for name, params in harness.resolve_queries():
        samples = {True: [], False: []}
        cpu = {True: [], False: []}
        for on in (True, False):  # warm-up of each
            settings_for(on)
            assert client.get("/search/", params).status_code == 200
        for _ in range(args.rounds):
            for on in (True, False):
                settings_for(on)
                started, started_cpu = time.perf_counter(), time.process_time()
                response = client.get("/search/", params)
                samples[on].append((time.perf_counter() - started) * 1000)
                cpu[on].append((time.process_time() - started_cpu) * 1000)
                assert response.status_code == 200, (params, response.status_code)
        figures = {
            "on_p50_ms": statistics.median(samples[True]),
            "off_p50_ms": statistics.median(samples[False]),
            "on_cpu_p50_ms": statistics.median(cpu[True]),
            "off_cpu_p50_ms": statistics.median(cpu[False]),
        }
        figures["wall_change"] = figures["on_p50_ms"] / figures["off_p50_ms"] - 1
        figures["cpu_change"] = figures["on_cpu_p50_ms"] / figures["off_cpu_p50_ms"] - 1
        report["queries"][name] = {"params": params, **figures}
        out.write(f"{name:<22} {figures['on_p50_ms']:8.1f}ms {figures['off_p50_ms']:8.1f}ms "
                  f"{figures['wall_change']:+7.1%}   {figures['on_cpu_p50_ms']:8.1f}ms "
                  f"{figures['off_cpu_p50_ms']:8.1f}ms {figures['cpu_change']:+7.1%}\n")
    settings_for(True)
    worst_on = max(report["queries"].items(), key=lambda kv: kv[1]["on_p50_ms"])
    worst_off = max(report["queries"].items(), key=lambda kv: kv[1]["off_p50_ms"])
    change = worst_on[1]["on_p50_ms"] / worst_off[1]["off_p50_ms"] - 1
    cpu_change = (max(q["on_cpu_p50_ms"] for q in report["queries"].values())
                  / max(q["off_cpu_p50_ms"] for q in report["queries"].values()) - 1)
    report["worst"] = {"on": worst_on[0], "off": worst_off[0], "wall_change": change,
                       "cpu_change": cpu_change}
    out.write(f"\nworst query shape: on {worst_on[0]} {worst_on[1]['on_p50_ms']:.1f} ms, off "
              f"{worst_off[0]} {worst_off[1]['off_p50_ms']:.1f} ms: {change:+.1%} wall, "
              f"{cpu_change:+.1%} CPU (target: within +15 %)\n")
    path = common.BENCH_ROOT / "ranking_cost.json"
    path.write_text(json.dumps(report, indent=2))
    out.write(f"written: {path}\n")
    return 0 if change <= 0.15 else 1


if __name__ == "__main__":
    raise SystemExit(main())
