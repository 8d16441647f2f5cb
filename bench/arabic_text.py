"""Measurements behind the Arabic analysis in ``search/text/`` (README, "Text analysis").

    .venv/bin/python bench/arabic_text.py hamza [PATH ...]
    .venv/bin/python bench/arabic_text.py stemmers [PATH ...]

Both read real Arabic text: the Arabic message catalogues every installed package ships
(Django, DRF, django-axes, simple-history: ``.po`` files under ``.venv``), pycountry's Arabic
ISO catalogues, and any PATH given: a folder is walked for ``.po``, ``.mo``, ``.ftl``,
``.properties``, ``.dic`` and ``.txt`` files (e.g. Debian's Arabic language packs unpacked
with ``apt-get download firefox-esr-l10n-ar libreoffice-l10n-ar hunspell-ar`` and
``dpkg-deb -x``).  Nothing is written; the figures are printed.

``hamza``: how ؤ and ئ should be folded.  For each candidate (keep them; fold them onto their
seats و and ي; fold both onto ء) it counts the spelling pairs it unifies that the text really
has (مسؤول / مسئول) and the distinct words it merges (collisions).
``stemmers``: this project's light stemmer against the Snowball Arabic stemmer (PyStemmer or
snowballstemmer, when installed) on the language pairs of ``tests/data/language_pairs.tsv``
and on how many distinct words each merges.
"""

from __future__ import annotations

import argparse
import collections
import gettext
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from search.text import arabic  # noqa: E402
from search.text.fold import EXACT_TABLE  # noqa: E402

ARABIC_WORD = re.compile(r"[\u0621-\u064a\u064b-\u065f\u0670\u0671\u0640]+")
HAMZA_WAW, HAMZA_YEH, HAMZA = "\u0624", "\u0626", "\u0621"


def _po_strings(path: Path):
    text = path.read_text("utf-8", errors="replace")
    for block in re.findall(r'msgstr(?:\[\d\])?\s+((?:"(?:[^"\\]|\\.)*"\s*)+)', text):
        yield "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', block))


def _mo_strings(path: Path):
    with path.open("rb") as fh:
        try:
            catalogue = gettext.GNUTranslations(fh)
        except Exception:  # a foreign binary: skip it
            return
    yield from catalogue._catalog.values()


def _arabic_catalogue(path: Path) -> bool:
    return any(part == "ar" or part.startswith("ar_") for part in path.parts)


def texts(paths: list[str]):
    """Every Arabic string found: the packages' Arabic catalogues, then the given paths."""
    for dirpath, _dirs, files in os.walk(ROOT / ".venv"):
        for name in files:
            path = Path(dirpath, name)
            if _arabic_catalogue(path) and name.endswith(".po"):
                yield from _po_strings(path)
            elif _arabic_catalogue(path) and name.endswith(".mo") and "pycountry" in dirpath:
                yield from _mo_strings(path)
    for base in map(Path, paths):
        found = [base] if base.is_file() else sorted(base.rglob("*"))
        for path in found:
            if path.suffix == ".po":
                yield from _po_strings(path)
            elif path.suffix == ".mo":
                yield from _mo_strings(path)
            elif path.suffix in {".ftl", ".properties", ".dic", ".txt"}:
                yield path.read_text("utf-8", errors="replace")


def arabic_words(paths: list[str]) -> collections.Counter:
    counts: collections.Counter = collections.Counter()
    for text in texts(paths):
        for word in ARABIC_WORD.findall(text):
            word = word.translate(EXACT_TABLE)
            if len(word) > 1:
                counts[word] += 1
    return counts


def _fold_seats(word: str) -> str:
    return word.replace(HAMZA_WAW, "\u0648").replace(HAMZA_YEH, "\u064a")


def _fold_hamza(word: str) -> str:
    return word.replace(HAMZA_WAW, HAMZA).replace(HAMZA_YEH, HAMZA)


def _base(word: str) -> str:
    # The rest of the normalisation, with both hamza seats kept as they are.
    return word.translate(str.maketrans({"\u0622": "\u0627", "\u0623": "\u0627",
                                         "\u0625": "\u0627", "\u0649": "\u064a",
                                         "\u0629": "\u0647"}))


def _light_stem(word: str) -> str:
    # Our prefix and suffix rules on a word whose ؤ and ئ are still as written.
    prefix = arabic._prefix(word)
    return arabic.strip_suffixes(_base(word[len(prefix):]))


def hamza(args) -> None:
    counts = arabic_words(args.paths)
    for view, key in (("words", _base), ("light stems", _light_stem)):
        words = collections.Counter()
        for word, n in counts.items():
            words[key(word)] += n
        print(f"\n=== {view} ===")
        _hamza_view(words, args)


def _hamza_view(words: collections.Counter, args) -> None:
    tokens = sum(words.values())
    with_seat = {w: n for w, n in words.items() if HAMZA_WAW in w or HAMZA_YEH in w}
    print(f"Arabic text: {tokens:,} tokens, {len(words):,} distinct words")
    print(f"with ؤ or ئ: {sum(with_seat.values()):,} tokens, {len(with_seat):,} words "
          f"(ؤ in {sum(1 for w in with_seat if HAMZA_WAW in w):,}, "
          f"ئ in {sum(1 for w in with_seat if HAMZA_YEH in w):,})")
    for label, fold in (("fold onto the seats (ؤ→و, ئ→ي)", _fold_seats),
                        ("fold both onto ء", _fold_hamza)):
        groups = collections.defaultdict(set)
        for word in words:
            groups[fold(word)].add(word)
        merged = [sorted(g) for g in groups.values() if len(g) > 1]
        # A merge is a wanted variant pair when the words differ only in ؤ/ئ/ء (the same
        # word spelt with another seat); otherwise it joins two different words.
        wanted = [g for g in merged if len({_fold_hamza(w) for w in g}) == 1
                  and len({_fold_seats(w) for w in g}) > 1]
        wrong = [g for g in merged if g not in wanted]
        print(f"\n{label}: merges {len(merged)} groups of distinct words")
        print(f"  spelling variants unified (only the seat differs): {len(wanted)}, "
              f"{sum(words[w] for g in wanted for w in g):,} tokens")
        for g in sorted(wanted, key=lambda g: -sum(words[w] for w in g))[:args.show]:
            print("    ", " / ".join(f"{w} ({words[w]})" for w in g))
        print(f"  other words merged: {len(wrong)}, "
              f"{sum(words[w] for g in wrong for w in g):,} tokens")
        for g in sorted(wrong, key=lambda g: -sum(words[w] for w in g))[:args.show]:
            print("    ", " / ".join(f"{w} ({words[w]})" for w in g))


def _snowball():
    try:
        import Stemmer

        return "PyStemmer", Stemmer.Stemmer("arabic").stemWord
    except ImportError:
        pass
    try:
        import snowballstemmer

        return "snowballstemmer", snowballstemmer.stemmer("arabic").stemWord
    except ImportError:
        return None, None


def stemmers(args) -> None:
    from search.text import Analyzer, default_protected_words

    name, snowball = _snowball()
    ours = Analyzer(protected=default_protected_words())
    plain = Analyzer()
    counts = arabic_words(args.paths)
    print(f"Arabic text: {sum(counts.values()):,} tokens, {len(counts):,} distinct words")
    candidates = [("ours (protected)", lambda w: set(ours.word(w).terms)),
                  ("ours (no protected words)", lambda w: set(plain.word(w).terms))]
    if snowball:
        candidates.append((f"Snowball arabic ({name})", lambda w: {snowball(w)}))
        candidates.append((f"Snowball arabic ({name}) after our normalisation",
                           lambda w: {snowball(plain.word(w).exact)}))
    pairs = _pairs()
    for label, stem in candidates:
        start = time.perf_counter()
        stems = {w: stem(w) for w in counts}
        rate = len(counts) / (time.perf_counter() - start)
        classes = collections.defaultdict(set)
        for w, ss in stems.items():
            for s in ss:
                classes[s].add(arabic.normalise(w))
        ok = sum(_pair_holds(stem, q, t, expected) for q, t, expected in pairs)
        print(f"\n{label}: {len({s for ss in stems.values() for s in ss}):,} stems for "
              f"{len(counts):,} words; {rate:,.0f} words/s; Arabic language pairs right: "
              f"{ok}/{len(pairs)}")
        for q, t, expected in pairs:
            if not _pair_holds(stem, q, t, expected):
                print(f"    wrong: {q} / {t} (expected {expected})")


def _pairs():
    import csv

    path = ROOT / "tests" / "data" / "language_pairs.tsv"
    with path.open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh, delimiter="\t") if not r["query"].startswith("#")]
    return [(r["query"], r["text"], r["expected"]) for r in rows
            if arabic.is_arabic(r["query"].strip('"')) and " " not in r["query"].strip('"')]


def _pair_holds(stem, query: str, text: str, expected: str) -> bool:
    from search.text import WORD_RE

    q = stem(query.strip('"').translate(EXACT_TABLE))
    found = any(q & stem(w.translate(EXACT_TABLE)) for w in WORD_RE.findall(text))
    return found == (expected == "found")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=["hamza", "stemmers"])
    parser.add_argument("paths", nargs="*", help="more folders or files of Arabic text")
    parser.add_argument("--show", type=int, default=12, help="examples to print per group")
    args = parser.parse_args()
    {"hamza": hamza, "stemmers": stemmers}[args.what](args)


if __name__ == "__main__":
    main()
