"""Two checkouts' pages timed side by side on a shared machine.

    .venv/bin/python bench/ab_pages.py /path/to/before /path/to/after 20

Each checkout answers from one warm process of its own (bench/ab_worker.py, run in that
checkout with its var/bench/quick set, as `make bench-quick` builds it), and their requests
alternate, one each in turn: both meet the same load, so the ratio of their medians means
something even when wall-clock figures do not.  Prints median wall and CPU time per page.
"""

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

WORKER = Path(__file__).resolve().parent / "ab_worker.py"
ENV = {**os.environ, "DJANGO_DEBUG": "0", "ARCHIVE_RATE_LIMIT_SEARCH": "off",
       "ARCHIVE_RATE_LIMIT_AUTOCOMPLETE": "off"}


def start(tree: str):
    process = subprocess.Popen(
        [f"{tree}/.venv/bin/python", str(WORKER), "var/bench/quick"], cwd=tree, env=ENV,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    while True:
        line = process.stdout.readline()
        if not line:
            raise SystemExit(f"{tree}: the worker stopped before it was ready")
        if line.startswith("{") and json.loads(line).get("ready"):
            return process, json.loads(line)


def ask(process, path, params) -> dict:
    process.stdin.write(json.dumps({"path": path, "params": params}) + "\n")
    process.stdin.flush()
    return json.loads(process.stdout.readline())


def pages(series: str, slugs: list[str]) -> list[tuple[str, str, dict]]:
    search = [
        ("single word", {"q": "terrorism"}),
        ("several words", {"q": "nuclear disarmament treaty"}),
        ("phrase", {"q": '"human rights"'}),
        ("field filter", {"q": "year:1985 Iraq"}),
        ("two facets", {"q": "peace", "country": "FRA", "series": series}),
        ("browse all", {}),
        ("sort by date", {"q": "development", "sort": "oldest"}),
        ("page 20", {"q": "peace", "page": "20"}),
    ]
    out = [(name, "/search/", params) for name, params in search]
    out += [("autocomplete", "/search/autocomplete/", {"q": "nucl"}),
            ("list page", "/statements/", {}), ("list page 2", "/statements/", {"page": "2"}),
            ("country page", "/countries/FRA/", {})]
    out += [("statement page", f"/statements/{slug}/", {}) for slug in slugs[:10]]
    return out


def main() -> None:
    before, after, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
    a, info = start(before)
    b, _ = start(after)
    samples: dict[str, dict[str, list]] = {}
    for name, path, params in pages(info["series"], info["slugs"]):
        for process in (a, b):  # warm both
            for _ in range(2):
                answer = ask(process, path, params)
                assert answer["status"] == 200, (name, answer)
        for i in range(rounds):
            for process in ((a, b) if i % 2 == 0 else (b, a)):
                answer = ask(process, path, params)
                side = "before" if process is a else "after"
                samples.setdefault(name, {}).setdefault(side, []).append(
                    (answer["wall"], answer["cpu"]))
    print(f"{'page':<16}{'wall before':>12}{'after':>9}{'ratio':>7}"
          f"{'cpu before':>12}{'after':>9}{'ratio':>7}")
    for name, sides in samples.items():
        wall = [statistics.median(s[0] for s in sides[k]) for k in ("before", "after")]
        cpu = [statistics.median(s[1] for s in sides[k]) for k in ("before", "after")]
        print(f"{name:<16}{wall[0]:12.2f}{wall[1]:9.2f}{wall[1] / wall[0]:7.2f}"
              f"{cpu[0]:12.2f}{cpu[1]:9.2f}{cpu[1] / cpu[0]:7.2f}")


if __name__ == "__main__":
    main()
