"""Time of the press-release importer on large pastes (``make bench-intake``).

The import used to be quadratic on a long line (a role pattern that backtracked over every
start position).  Every step is now bounded: a page over ``MAX_PAGE_CHARS`` is refused at
once with a message, lines are read up to ``MAX_LINE_CHARS``, frames run on sentences of at
most ``MAX_SENTENCE`` characters.  This prints the time of ``suggest_from_page`` on pages of
growing size, one line and many lines, up to the cap, and of a 5 MB paste (refused).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")

import django  # noqa: E402

django.setup()

from archive.importers.layout import MAX_PAGE_CHARS  # noqa: E402
from archive.importers.page import PageTooLarge, suggest_from_page  # noqa: E402

WORDS = ("Minister of State for Foreign Affairs, HE Dr. Jane Doe Smith, Special Envoy of "
         "the Minister for Counter-Terrorism and Mediation in Conflict Resolution, said ")


def timed(text: str) -> tuple[float, str]:
    started = time.perf_counter()
    try:
        suggest_from_page(text)
        outcome = "read"
    except PageTooLarge:
        outcome = "refused (over the cap)"
    return time.perf_counter() - started, outcome


def main() -> None:
    suggest_from_page("Warm up.\n\nThe Minister said this at the Forum in Geneva.")
    print(f"{'input':<34} {'chars':>10} {'seconds':>8}  outcome")
    for size in (200_000, 500_000, MAX_PAGE_CHARS):
        one_line = (WORDS * (size // len(WORDS) + 1))[:size]
        many = "\n\n".join([WORDS * 3] * (size // (len(WORDS) * 3 + 2) + 1))[:size]
        for label, text in (("one line", one_line), ("paragraphs", many)):
            seconds, outcome = timed(text)
            name = f"{label} ({size // 1000} KB)"
            print(f"{name:<34} {len(text):>10,} {seconds:>8.2f}  {outcome}")
    paste = (WORDS * (5_000_000 // len(WORDS) + 1))[:5_000_000]
    seconds, outcome = timed(paste)
    print(f"{'5 MB paste':<34} {len(paste):>10,} {seconds:>8.3f}  {outcome}")


if __name__ == "__main__":
    main()
