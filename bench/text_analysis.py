"""Measurements behind ``search/text/`` (README, "Text analysis").

    .venv/bin/python bench/text_analysis.py speed [--mb 4]
    .venv/bin/python bench/text_analysis.py english
    .venv/bin/python bench/text_analysis.py hamza [PATH ...]
    .venv/bin/python bench/text_analysis.py stemmers [PATH ...]
    .venv/bin/python bench/text_analysis.py pyarabic [PATH ...]

``speed`` and ``english`` read the English UN corpus (``../shared/data/ungdc``): ``speed``
analyses the first MB of speeches (sessions 60 on) with the Whoosh engine's analysis before
``search.text`` (a copy kept below as the reference) and with ``search.text`` (checking that
the stemmed postings are the same), and times the Latin folding
of non-ASCII words against anyascii and Unidecode where installed; ``english`` compares
Whoosh's English stemmer with the Snowball packages (snowballstemmer, PyStemmer) on the
corpus's vocabulary.

The Arabic measurements read real Arabic text: the Arabic message catalogues every installed
package ships
(Django, DRF, django-axes, simple-history: ``.po`` files under ``.venv``), pycountry's Arabic
ISO catalogues, and any PATH given: a folder is walked for ``.po``, ``.mo``, ``.ftl``,
``.properties``, ``.dic`` and ``.txt`` files (e.g. Debian's Arabic language packs unpacked
with ``apt-get download firefox-esr-l10n-ar libreoffice-l10n-ar hunspell-ar`` and
``dpkg-deb -x``).  Nothing is written; the figures are printed.  The packages compared
against (PyStemmer or snowballstemmer, pyarabic, anyascii, Unidecode) are not dependencies:
install them into the venv by hand to include them.

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
import unicodedata
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
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [(r["query"], r["text"], r["expected"]) for r in rows
            if arabic.is_arabic(r["query"].strip('"')) and " " not in r["query"].strip('"')]


def _pair_holds(stem, query: str, text: str, expected: str) -> bool:
    from search.text import WORD_RE

    q = stem(query.strip('"').translate(EXACT_TABLE))
    found = any(q & stem(w.translate(EXACT_TABLE)) for w in WORD_RE.findall(text))
    return found == (expected == "found")


def pyarabic_normalisation(args) -> None:
    """pyarabic's normalisation against ours: where they differ, and the speed of each."""
    try:
        from pyarabic import araby
    except ImportError:
        sys.exit("pyarabic is not installed (it is not a dependency): pip install pyarabic")

    counts = arabic_words(args.paths)
    words = list(counts)

    def theirs(word: str) -> str:
        word = araby.strip_tatweel(araby.strip_tashkeel(word))
        word = araby.normalize_hamza(araby.normalize_ligature(word), method="uniform")
        return word.replace("\u0649", "\u064a").replace("\u0629", "\u0647")

    timings = {}
    def ours(word: str) -> str:
        return arabic.normalise(unicodedata.normalize("NFC", word).translate(EXACT_TABLE))

    for label, fn in (("ours", ours), ("pyarabic", theirs)):
        start = time.perf_counter()
        out = [fn(w) for w in words]
        timings[label] = (len(words) / (time.perf_counter() - start), out)
    differ = [(w, a, b) for w, a, b in zip(words, timings["ours"][1], timings["pyarabic"][1],
                                           strict=True) if a != b]
    print(f"{len(words):,} distinct words; ours {timings['ours'][0]:,.0f} words/s, pyarabic "
          f"{timings['pyarabic'][0]:,.0f} words/s; they differ on {len(differ):,} words")
    for w, a, b in sorted(differ, key=lambda d: -counts[d[0]])[:args.show]:
        print(f"    {w} ({counts[w]}): ours {a}, pyarabic {b}")


CORPUS = ROOT.parent / "shared" / "data" / "ungdc" / "ungdc-1946-2015.tgz"


def _speeches(first_session: int = 1):
    import tarfile

    if not CORPUS.exists():
        sys.exit(f"The UN corpus is not at {CORPUS}.")
    with tarfile.open(CORPUS) as tf:
        for member in tf:
            name = member.name
            if member.isfile() and name.endswith(".txt") and "/Session " in "/" + name:
                session = int(name.split("Session ")[1][:2])
                if session >= first_session:
                    yield tf.extractfile(member).read().decode("utf-8-sig")


# --- the Whoosh engine's analysis before search.text, kept here as the speed reference -------
# (search/engine/whoosh/analysis.py and schema.py up to commit 18ddcfb: fold marks and letter
# variants, strip one Arabic article, Snowball English with a cache; the spelling words from a
# second regex pass.)

_OLD_MARKS = "\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640"
_OLD_WORD = re.compile(rf"(?:\w|[{_OLD_MARKS}])+(?:\.(?:\w|[{_OLD_MARKS}])+)*")
_OLD_STRIP = re.compile(f"[{_OLD_MARKS}]")
_OLD_NEEDS_FOLD = re.compile("[\u0300-\u036f\u0600-\u06ff]")
_OLD_FOLD = str.maketrans({"\u0623": "\u0627", "\u0625": "\u0627", "\u0622": "\u0627",
                           "\u0671": "\u0627", "\u0649": "\u064a", "\u06cc": "\u064a",
                           "\u06a9": "\u0643", "\u0629": "\u0647"})
_OLD_ARTICLES = ("\u0648\u0627\u0644", "\u0628\u0627\u0644", "\u0643\u0627\u0644",
                 "\u0641\u0627\u0644", "\u0644\u0644", "\u0627\u0644")
_OLD_SPELL = re.compile(r"[^\W\d_]{4,}")
_OLD_STEMS: dict[str, str] = {}


def _old_fold(text: str) -> str:
    if text.isascii():
        return text
    text = unicodedata.normalize("NFC", text)
    if _OLD_NEEDS_FOLD.search(text):
        text = _OLD_STRIP.sub("", text)
    return text.translate(_OLD_FOLD)


def _old_word(word: str, stem) -> str:
    word = word.lower() if word.isascii() else _old_fold(word).lower()
    if word and "\u0600" <= word[0] <= "\u06ff":
        for prefix in _OLD_ARTICLES:
            if word.startswith(prefix) and len(word) - len(prefix) >= 2:
                word = word[len(prefix):]
                break
    return stem(word) if word else ""


def _old_index(text: str, stem):
    """The old body field's positions (one pass) and spelling words (a second pass)."""
    positions: dict[str, list[int]] = {}
    cache = _OLD_STEMS
    pos = -1
    for match in _OLD_WORD.finditer(text):
        pos += 1
        word = match.group()
        stemmed = cache.get(word)
        if stemmed is None:
            stemmed = cache[word] = _old_word(word, stem)
        if not stemmed:
            continue
        found = positions.get(stemmed)
        if found is None:
            positions[stemmed] = [pos]
        else:
            found.append(pos)
    spellings = {_old_fold(w) for w in _OLD_SPELL.findall(text.lower())}
    return positions, spellings


def speed(args) -> None:
    from whoosh.lang import stemmer_for_language

    from search.engine.whoosh.analysis import make_analyzer
    from search.text import WORD_RE

    texts, size = [], 0
    for text in _speeches(first_session=60):
        texts.append(text)
        size += len(text.encode())
        if size >= args.mb * 1_000_000:
            break
    tokens = sum(len(WORD_RE.findall(t)) for t in texts)
    print(f"{len(texts)} speeches, {size / 1e6:.1f} MB, {tokens:,} tokens")
    stem = stemmer_for_language("en")
    new = make_analyzer()  # what the Whoosh engine indexes with
    # English stems unchanged: the same stemmed postings at every plain (ASCII) word; only
    # the words with accents differ (they are folded now).
    for text in texts:
        accented = {n for n, w in enumerate(WORD_RE.findall(text)) if not w.isascii()}

        def plain(positions, accented=accented):
            kept = {t: [p for p in ps if p not in accented] for t, ps in positions.items()}
            return {t: ps for t, ps in kept.items() if ps}

        assert plain(new.index_text(text).positions) == plain(_old_index(text, stem)[0])
    print("  the same stemmed postings as before at every word without accents")
    runs = (("before: the Whoosh engine's own analysis (positions + spelling words)",
             lambda t: _old_index(t, stem)),
            ("after: Analyzer.index_text (positions, exact terms, spelling words)",
             new.index_text),
            ("Analyzer.positions", new.positions),
            ("Analyzer.exact_positions", new.exact_positions),
            ("Analyzer.analyse (Term objects)", new.analyse))
    for label, fn in runs:
        cold = []
        for _ in range(args.rounds):
            # Cold: every cache emptied first, as for a new indexing process.
            _OLD_STEMS.clear()
            new.clear_cache()
            cold.append(_time(lambda fn=fn: [fn(t) for t in texts]))
        warm = min(_time(lambda fn=fn: [fn(t) for t in texts]) for _ in range(args.rounds))
        print(f"  {label}: {tokens / min(cold):,.0f} tokens/s cold, {tokens / warm:,.0f} warm "
              f"(best of {args.rounds}, CPU time)")
    # The non-ASCII words alone: what the folding costs where there is folding to do.
    words = sorted({w for t in texts for w in WORD_RE.findall(t) if not w.isascii()})
    print(f"  {len(words):,} distinct non-ASCII words; folding each once (no cache):")
    from search.text.fold import fold_latin

    folds = [("search.text fold_latin", fold_latin)]
    for module, attr in (("anyascii", "anyascii"), ("unidecode", "unidecode")):
        try:
            folds.append((module, getattr(__import__(module), attr)))
        except ImportError:
            print(f"    {module}: not installed")
    for label, fn in folds:
        best = min(_time(lambda fn=fn: [fn(w) for w in words]) for _ in range(args.rounds))
        print(f"    {label}: {len(words) / best:,.0f} words/s")
    for w in words[: args.show]:
        print("     ", w, "->", " | ".join(f(w) for _label, f in folds))


def _time(fn) -> float:
    # CPU time: the machine is shared, and wall time measures the neighbours too.
    start = time.process_time()
    fn()
    return time.process_time() - start


def english(args) -> None:
    from whoosh.lang import stemmer_for_language

    from search.text import WORD_RE, fold_latin

    vocabulary: collections.Counter = collections.Counter()
    for text in _speeches():
        vocabulary.update(WORD_RE.findall(text))
    words: collections.Counter = collections.Counter()
    for word, n in vocabulary.items():
        words[fold_latin(word)] += n
    tokens = sum(words.values())
    print(f"UN corpus: {tokens:,} tokens, {len(words):,} distinct folded words")
    whoosh = stemmer_for_language("en")
    reference = {w: whoosh(w) for w in words}
    for package, factory in (("snowballstemmer", lambda a: __import__("snowballstemmer")
                              .stemmer(a).stemWord),
                             ("PyStemmer", lambda a: __import__("Stemmer").Stemmer(a).stemWord)):
        for algorithm in ("english", "porter"):
            try:
                stem = factory(algorithm)
            except ImportError:
                print(f"  {package}: not installed")
                break
            differ = [w for w in words if stem(w) != reference[w]]
            share = sum(words[w] for w in differ)
            print(f"  {package} {algorithm}: same stem as Whoosh for "
                  f"{100 * (1 - len(differ) / len(words)):.3f}% of words, "
                  f"{100 * (1 - share / tokens):.3f}% of tokens ({len(differ)} words differ)")
            for w in sorted(differ, key=lambda w: -words[w])[: args.show]:
                print(f"      {w} ({words[w]:,}): Whoosh {reference[w]}, {stem(w)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=["speed", "english", "hamza", "stemmers", "pyarabic"])
    parser.add_argument("paths", nargs="*", help="more folders or files of Arabic text")
    parser.add_argument("--show", type=int, default=12, help="examples to print per group")
    parser.add_argument("--mb", type=float, default=4, help="MB of English text for speed")
    parser.add_argument("--rounds", type=int, default=3, help="timings per figure (best)")
    args = parser.parse_args()
    commands = {"speed": speed, "english": english, "hamza": hamza, "stemmers": stemmers,
                "pyarabic": pyarabic_normalisation}
    commands[args.what](args)


if __name__ == "__main__":
    main()
