"""Where the index build's time goes, and what a fused body analyzer would save.

    .venv/bin/python bench/index_experiment.py --count 300

Not a benchmark of the site: an experiment on ``--count`` real speeches (every Nth file of
the corpus) measuring CPU time, so that other work on the machine does not blur it:

* ``field.index()`` of the body with the project's analyzer
  (``search.engine.whoosh.analysis.text_analyzer``:
  RegexTokenizer | FoldFilter | StemFilter, through Whoosh's ``Positions.word_values``), which
  the profile of ``rebuild_index`` shows as two thirds of the build;
* the same postings computed in one pass (regex, fold, cached stem, positions), checked to be
  byte-identical to Whoosh's;
* a whole ``add_document`` + ``commit`` into a temporary index with each, and the resulting
  speeches/s per core.
"""

from __future__ import annotations

import argparse
import sys
import tarfile
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

sys.path.insert(0, str(common.ROOT))


def speeches(count: int) -> list[str]:
    with tarfile.open(common.CORPUS, "r:gz") as tar:
        members = sorted((m for m in tar.getmembers() if m.name.endswith(".txt")
                          and "/Session " in m.name), key=lambda m: m.name)
        step = max(1, len(members) // count)
        return [tar.extractfile(m).read().decode("utf-8-sig", errors="replace")
                for m in members[::step][:count]]


_STEMS: dict[str, str] = {}


def fused_field():
    """A TEXT field whose ``index`` does tokenise + fold + stem + positions in one loop."""
    from search.engine.whoosh.analysis import text_analyzer

    return _fused_class()(analyzer=text_analyzer(), phrase=True)


def _fused_class():
    global FusedText
    if "FusedText" in globals():
        return FusedText
    from whoosh.compat import dumps  # what Positions.encode uses
    from whoosh.fields import TEXT
    from whoosh.lang import stemmer_for_language
    from whoosh.system import pack_uint

    from search.engine.whoosh.analysis import WORD_RE, fold_text, strip_arabic_article

    stem = stemmer_for_language("en")  # what StemFilter(lang="en") uses

    class FusedText(TEXT):  # noqa: F811  (module-level: Whoosh pickles the schema)
        def index(self, value, **kwargs):
            cache = _STEMS
            poses = defaultdict(list)
            for pos, match in enumerate(WORD_RE.finditer(value)):
                word = match.group()
                if word.isascii():
                    word = word.lower()
                else:
                    word = fold_text(word).lower()
                    if not word:
                        continue
                    if "\u0600" <= word[0] <= "\u06ff":
                        word = strip_arabic_article(word)
                stemmed = cache.get(word)
                if stemmed is None:
                    stemmed = cache[word] = stem(word)
                poses[stemmed].append(pos)
            boost = self.format.field_boost
            for word, poslist in poses.items():
                deltas, base = [], 0
                for p in poslist:
                    deltas.append(p - base)
                    base = p
                yield (word.encode("utf-8"), len(poslist), len(poslist) * boost,
                       pack_uint(len(deltas)) + dumps(deltas, 2))

    FusedText.__module__ = __name__
    FusedText.__qualname__ = "FusedText"
    globals()["FusedText"] = FusedText
    return FusedText


def cpu(fn) -> float:
    started = time.process_time()
    fn()
    return time.process_time() - started


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300)
    args = parser.parse_args(argv)
    common.configure(common.BENCH_ROOT / "experiment")
    import django

    django.setup()
    from whoosh import index as whoosh_index
    from whoosh.fields import ID, TEXT, Schema

    from search.engine.whoosh.analysis import text_analyzer

    texts = speeches(args.count)
    mb = sum(len(t.encode()) for t in texts) / 1e6
    stock = TEXT(analyzer=text_analyzer(), phrase=True)
    fused = fused_field()
    # Same postings?  (Whoosh sorts them later; compare as sets.)
    for text in texts[:20]:
        a = sorted(stock.index(text))
        b = sorted(fused.index(text))
        assert a == b, "the fused field's postings differ from Whoosh's"
    print(f"{len(texts)} speeches, {mb:.1f} MB; fused postings identical to Whoosh's on 20")
    rows = {}
    for name, field in (("whoosh analyzer", stock), ("fused", fused)):
        seconds = cpu(lambda f=field: [list(f.index(t)) for t in texts])
        rows[f"field.index, {name}"] = seconds
        with tempfile.TemporaryDirectory() as tmp:
            schema = Schema(id=ID(stored=True, unique=True), text=field)
            ix = whoosh_index.create_in(tmp, schema)

            def build(ix=ix):
                writer = ix.writer(limitmb=128)
                for n, t in enumerate(texts):
                    writer.add_document(id=str(n), text=t)
                writer.commit()

            rows[f"add_document + commit, {name}"] = cpu(build)
    for name, seconds in rows.items():
        print(f"  {name:<36} {seconds:6.1f} CPU s   {len(texts) / seconds:6.1f} speeches/s "
              f"{mb / seconds:5.2f} MB/s per core")


if __name__ == "__main__":
    main()
