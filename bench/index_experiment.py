"""Where the index build's time goes, and what a fused body analyzer would save.

    .venv/bin/python bench/index_experiment.py --count 300

Not a benchmark of the site: an experiment on ``--count`` real speeches (every Nth file of
the corpus) measuring CPU time, so that other work on the machine does not blur it:

* ``field.index()`` of the body through Whoosh's own path (``search.text`` as a Whoosh
  analyzer, ``SearchTextTokenizer``, feeding Token objects to ``Positions.word_values``),
  which the profile of ``rebuild_index`` showed as two thirds of the build before the
  one-pass field;
* the same postings from the one-pass body field (``BodyText``: ``Analyzer.index_text``),
  checked to be byte-identical to Whoosh's;
* a whole ``add_document`` + ``commit`` into a temporary index with each, and the resulting
  speeches/s per core.
"""

from __future__ import annotations

import argparse
import sys
import tarfile
import tempfile
import time
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

    from search.engine.whoosh.analysis import BodyText, SearchTextTokenizer, make_analyzer

    texts = speeches(args.count)
    mb = sum(len(t.encode()) for t in texts) / 1e6
    analyzer = make_analyzer()
    stock = TEXT(analyzer=SearchTextTokenizer(analyzer), phrase=True)
    fused = BodyText(analyzer)
    # Same postings?  (Whoosh sorts them later; compare as sets.)
    for text in texts[:20]:
        a = sorted(stock.index(text))
        b = sorted(fused.index(text))
        assert a == b, "the one-pass field's postings differ from Whoosh's"
    print(f"{len(texts)} speeches, {mb:.1f} MB; one-pass postings identical to Whoosh's on 20")
    rows = {}
    for name, field in (("whoosh analyzer", stock), ("one pass", fused)):
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
