"""Search quality on the imported corpus: does a phrase of eight ordinary words taken from a
speech find that speech first?

    DATABASE_URL=sqlite:///var/bench/full/archive.sqlite3 SEARCH_URL=whoosh:var/bench/full/whoosh \\
        DJANGO_DEBUG=1 .venv/bin/python bench/phrase_recall.py --samples 100

"Ordinary words" are runs of letters only (no digits, no punctuation inside), so the phrase is
what a reader would copy from the page.  Samples are drawn with a fixed seed, so two runs on
the same data ask the same questions.  Reports how many came first, how many were found lower
down, and how many were missed, with the misses listed.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

WORD = re.compile(r"^[A-Za-z]{2,}$")


def phrase_from(body: str, rng: random.Random, length: int = 8) -> str | None:
    words = body.split()
    starts = list(range(len(words) // 4, max(len(words) * 3 // 4 - length, len(words) // 4 + 1)))
    rng.shuffle(starts)
    for start in starts[:200]:
        window = words[start : start + length]
        if len(window) == length and all(WORD.match(w) for w in window):
            return " ".join(window)
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args()

    import django

    django.setup()
    from django.http import QueryDict

    from archive.models import Statement
    from search.request import build_queryset, read_request

    rng = random.Random(args.seed)
    pks = list(Statement.objects.published().order_by("pk").values_list("pk", flat=True))
    chosen = rng.sample(pks, min(args.samples, len(pks)))
    first = lower = missed = skipped = 0
    misses, times = [], []
    for pk in chosen:
        statement = Statement.objects.only("body", "import_key").get(pk=pk)
        phrase = phrase_from(statement.body, rng)
        if phrase is None:
            skipped += 1
            continue
        params = QueryDict(mutable=True)
        params["q"] = f'"{phrase}"'
        started = time.perf_counter()
        sqs = build_queryset(read_request(params))
        hits = [int(r.pk) for r in sqs[:10]]
        times.append((time.perf_counter() - started) * 1000)
        if hits and hits[0] == pk:
            first += 1
            continue
        # Not first: is the phrase shared by other speeches (a tie), or is this a real miss?
        shared = sqs.count()
        if pk in hits:
            lower += 1
        else:
            missed += 1
        misses.append((statement.import_key or pk, phrase, pk in hits, shared))
    asked = first + lower + missed
    print(f"phrases asked: {asked} (skipped {skipped} speeches without 8 plain words in a row)")
    print(f"found first: {first}  found lower in the top 10: {lower}  not in the top 10: {missed}")
    if times:
        print(
            f"query time: p50 {statistics.median(times):.0f} ms, max {max(times):.0f} ms "
            "(the search alone, no page)"
        )
    for key, phrase, in_top, shared in misses[:20]:
        where = "lower in the top 10" if in_top else "not in the top 10"
        print(f"  {key}: {where}; the phrase is in {shared} speeches: \"{phrase}\"")


if __name__ == "__main__":
    main()
