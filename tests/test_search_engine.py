"""The search engine's own parts, checked against stock Whoosh and through the app.

All under search/engine/whoosh/:

* ``BodyText``/``ExactText``/``WordSet`` (analysis.py) give the postings of Whoosh's own
  fields with the same analysis (``search.text`` as a Whoosh analyzer);
* ``BulkSegmentWriter`` (bulk.py) writes the index ``ix.writer()`` would;
* ``FastPhrase`` (phrase.py) finds what ``whoosh.query.Phrase`` finds, its per-segment
  memory included, and ``ArchiveBM25F`` (scoring.py) scores as ``BM25F``;
* the collector (collectors.py), per-segment caches (caches.py), facet columns (facets.py)
  and spelling (spelling.py) stay right across the worker's small commits;
* ``rebuild`` (rebuild.py) in one process and, on a database that forked children can
  share, in two;
* snippets (search/highlight.py) mark the query's words and only those.

Raw Whoosh indexes live in ``tmp_path``; the app's index is the test settings' folder.
"""

from __future__ import annotations

import datetime
import itertools
import os
import random
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from haystack.inputs import Exact
from haystack.query import SearchQuerySet
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.fields import ID, KEYWORD, TEXT, FieldType, Schema
from whoosh.formats import Existence
from whoosh.index import TOC
from whoosh.scoring import BM25F

from archive import services
from archive.models import Statement, Status
from search.engine import get_engine
from search.engine.whoosh import backend as whoosh_backend
from search.engine.whoosh import rebuild as whoosh_rebuild
from search.engine.whoosh.analysis import (
    BodyText,
    ExactText,
    SearchTextTokenizer,
    WordSet,
    make_analyzer,
)
from search.engine.whoosh.bulk import BulkSegmentWriter
from search.engine.whoosh.caches import SEGMENTS as SEGMENT_CACHE
from search.engine.whoosh.caches import segment_key as _segment_key
from search.engine.whoosh.collectors import TopAndAllCollector as _TopAndAllCollector
from search.engine.whoosh.collectors import query_docs as _query_docs
from search.engine.whoosh.facets import segment_column as _segment_column
from search.engine.whoosh.phrase import FastPhrase, PhraseMatcher
from search.engine.whoosh.scoring import ArchiveBM25F, _ListBM25FScorer
from search.engine.whoosh.searcher import open_live
from search.engine.whoosh.spelling import _segment_near_words as _near_words
from search.freshness import rebuild
from search.highlight import snippet
from search.testing import fresh_index, index_now
from tests.engines import engine_name, whoosh_only

from .factories import StatementFactory, country

ANALYZER = make_analyzer()


def query_terms(text: str) -> list[str]:
    """The stemmed terms a query for ``text`` looks for (the index's default analyzer)."""
    return ANALYZER.query_terms(text)


def text_analyzer():
    """``search.text`` as a Whoosh analyzer: what Whoosh's own TEXT field would index."""
    return SearchTextTokenizer(ANALYZER)

# --- raw Whoosh helpers ----------------------------------------------------------------------

VOCABULARY = [
    "to", "be", "or", "not", "human", "rights", "peace", "security", "water", "border", "the",
    "of", "and", "council", "nations", "united", "people", "development",
]


def project_schema() -> Schema:
    """The live index's schema, plus a scorable positional TEXT field and a scorable
    KEYWORD field, so the bulk writer's plain path (value bytes kept as they are) is
    exercised with lengths too."""
    fields = dict(get_engine().schema.items())
    fields["summary"] = TEXT(analyzer=text_analyzer(), stored=True)
    fields["tags"] = KEYWORD(commas=True, scorable=True)
    return Schema(**fields)


def make_docs(count: int, *, seed: int = 7) -> list[dict]:
    """Documents for ``project_schema``: varied bodies, some fields missing, some documents
    identical (equal scores, so tie order shows)."""
    rng = random.Random(seed)
    docs = []
    for n in range(count):
        words = [rng.choice(VOCABULARY) for _ in range(rng.randint(3, 40))]
        if n % 5 == 0:
            words += ["to", "be", "or", "not", "to", "be"]
        if n % 7 == 0:
            words += ["human", "rights", "Human", "Rights."]
        body = " ".join(words).capitalize() + ". The U.S. delegation, café É 42."
        if n % 11 == 3:
            body += " وَالْأَمْنُ الـــدولي الغاء"
        if n == 19:
            body += " Zeppelin."  # documents 19 to 21 are copies: tied scores
        doc = {
            "id": f"archive.statement.{n}",
            "django_ct": "archive.statement",
            "django_id": str(n),
            "text": body,
            "title": f"Statement {n}",
            "url": f"/statements/s-{n}/",
            "date": datetime.datetime(2000 + n % 9, 1 + n % 12, 1 + n % 27),
            "speakers_json": "[]",
            "country": rng.choice(["KEN", "QAT", "FRA"]),
            "kind": rng.choice(["statement", "speech"]),
            "language": "en",
            "year": str(2000 + n % 9),
            "speaker": ",".join(sorted(rng.sample(["ann", "bob", "cy", "di"], rng.randint(1, 3)))),
            "spelling": body,
            "text_exact": body,
            "fingerprint": f"fp{n}",
        }
        if n % 3:
            doc["topic"] = rng.choice(["water", "peace", "water,peace"])
            doc["event"] = f"event-{n % 4}"
        if n % 4 == 0:
            doc["summary"] = " ".join(words[:6])
            doc["tags"] = ",".join(rng.choice(["a", "b", "c"]) for _ in range(3))
        if n % 6 == 1:
            doc["series"] = None  # a None value is skipped like an absent one
        docs.append(doc)
    for n in range(20, min(count, 22)):
        docs[n] = {**docs[19], "id": f"archive.statement.{n}", "django_id": str(n)}
    return docs


def stock_index(path, schema, docs, *, batches: int = 1):
    """Whoosh's own writer; ``batches`` commits without merging give that many segments."""
    path.mkdir(parents=True, exist_ok=True)
    ix = whoosh_index.create_in(str(path), schema)
    size = -(-len(docs) // batches)
    for start in range(0, len(docs), size):
        writer = ix.writer()
        for doc in docs[start:start + size]:
            writer.add_document(**doc)
        writer.commit(merge=False)
    return ix


def bulk_index(path, schema, docs, *, limit_bytes: int):
    """What ``search.engine.whoosh.rebuild`` does: bulk writers, then one table of contents."""
    path.mkdir(parents=True, exist_ok=True)
    ix = whoosh_index.create_in(str(path), schema)
    (path / f"{ix.indexname}.tmp").mkdir(exist_ok=True)
    segments = []
    writer = BulkSegmentWriter(ix, limit_bytes=limit_bytes, _lk=False)
    for doc in docs:
        writer.add_document(**doc)
        if writer.full:
            segments.append(writer.finish())
            writer = BulkSegmentWriter(ix, limit_bytes=limit_bytes, _lk=False)
    last = writer.finish()
    if last is not None:
        segments.append(last)
    shutil.rmtree(path / f"{ix.indexname}.tmp", ignore_errors=True)
    TOC(schema, segments, 1).write(ix.storage, ix.indexname)
    return whoosh_index.open_dir(str(path), schema=schema), segments


def postings(reader, fieldname, btext) -> list[tuple[int, float, bytes]]:
    matcher = reader.postings(fieldname, btext)
    out = []
    while matcher.is_active():
        out.append((matcher.id(), matcher.weight(), matcher.value()))
        matcher.next()
    return out


def scored(searcher, q, **kwargs) -> list[tuple[str, float]]:
    return [(hit["id"], hit.score) for hit in searcher.search(q, limit=None, **kwargs)]


def assert_same_scores(got, expected):
    assert [i for i, _ in got] == [i for i, _ in expected]
    for (_, a), (_, b) in zip(got, expected, strict=True):
        assert a == pytest.approx(b, rel=1e-9, abs=1e-12)


# --- 1. BodyText and WordSet -----------------------------------------------------------------

TEXTS = [
    "The U.S. and the U.K. met the U.N. Secretary-General (Mr. Guterres) at 10:30; "
    "the U.S.-led plan... failed!",
    "Les États-Unis et la Côte d'Ivoire ont signé l'accord à Genève: été, ÉLÈVE, école.",
    "e\u0301te\u0301 de\u0301composé x\u0301",  # decomposed accents (NFD)
    "وَالْأَمْنُ الـــدولي بالأمن للأمم والسلام في الشرق الأوسط مستشفى وزارة ـــ ْ",
    "to be or not to be, that is the question: To BE.",
    "1948 2022-10-18 3.14 v1.2.3 42nd 007 ١٩٤٨",
    "",
    "   ...   ",
    "Straße İstanbul ǅemal ﬁnance ΣΟΦΙΑ Ⅻ",
    "running runs ran runner Running RUNNING",
    "under_score tab\tnew\nline",
]


@pytest.mark.parametrize("text", TEXTS)
@whoosh_only
def test_body_text_index_gives_the_postings_of_whoosh_text(text):
    stock = TEXT(analyzer=text_analyzer(), phrase=True)
    mine = BodyText()
    expected = sorted(stock.index(text))
    assert sorted(mine.index(text)) == expected
    # The compact form the bulk writer keeps expands to the same weight and value bytes.
    expanded = sorted(
        (tbytes, count, *mine.expand_posting(count, wide, data))
        for tbytes, count, wide, data in mine.compact_postings(text)
    )
    assert expanded == expected
    # And the terms are what a query for the same text looks for.
    assert {t.decode() for t, *_ in expected} == set(query_terms(text))


@pytest.mark.parametrize("text", TEXTS)
@whoosh_only
def test_exact_text_index_gives_the_postings_of_whoosh_text(text):
    stock = TEXT(analyzer=SearchTextTokenizer(ANALYZER, exact=True), phrase=False)
    assert sorted(ExactText().index(text)) == sorted(stock.index(text))


@whoosh_only
def test_exact_text_holds_only_the_distinctive_forms():
    text = "Dragan Marčić met Marcic in Brasília; وَالْأَمْنُ والأمن"
    terms = {t.decode(): count for t, count, *_ in ExactText().index(text)}
    # accents kept, Arabic normalised and unstemmed; plain ASCII words left to the body
    assert terms == {"marčić": 1, "brasília": 1, "والامن": 2}


@whoosh_only
def test_one_analysis_serves_the_three_text_fields(monkeypatch):
    from search.engine.whoosh.analysis import AnalysedText

    calls = []
    original = type(ANALYZER).index_text
    monkeypatch.setattr(type(ANALYZER), "index_text",
                        lambda self, text: calls.append(text) or original(self, text))
    value = AnalysedText("Brasília hosted the water summit")
    body, exact, words = BodyText(ANALYZER), ExactText(ANALYZER), WordSet(ANALYZER)
    assert list(body.index(value)) and list(exact.index(value)) and list(words.index(value))
    assert len(calls) == 1
    import pickle
    assert type(pickle.loads(pickle.dumps(value))) is str


@whoosh_only
def test_body_text_positions_beyond_16_bits_use_wide_deltas():
    text = "alpha " + "filler " * 70_000 + "alpha omega alpha"
    mine = BodyText()
    compact = {t: (count, wide, data) for t, count, wide, data in mine.compact_postings(text)}
    assert compact[b"alpha"][1] is True and compact[b"omega"][1] is True
    assert compact[b"filler"][1] is False
    index = {t: (freq, weight, value) for t, freq, weight, value in mine.index(text)}
    stock = {t: (freq, weight, value) for t, freq, weight, value in
             TEXT(analyzer=text_analyzer(), phrase=True).index(text)}
    assert index == stock
    for term, (count, wide, data) in compact.items():
        assert (count, *mine.expand_posting(count, wide, data)) == index[term]


@whoosh_only
def test_word_set_is_an_existence_field_of_the_real_words():
    value = "peace water peace Water  security\tpeace Négociations de Genève sur الْأَلْغَامِ 1990"
    stock = FieldType(Existence(), SearchTextTokenizer(ANALYZER, spelling=True))
    assert sorted(WordSet().index(value)) == sorted(stock.index(value))
    # lowercase, accents and hamza kept, marks out; letters only, four or more; never stems
    assert sorted(t.decode() for t, *_ in WordSet().index(value)) == [
        "genève", "négociations", "peace", "security", "water", "الألغام"]
    field = WordSet()
    assert type(field.format) is Existence  # what the bulk writer keeps as bare doc numbers
    assert not field.scorable and not field.stored and not field.format.supports("positions")


# --- 2. the bulk writer against Whoosh's own -------------------------------------------------


@pytest.mark.parametrize("limit_bytes", [1, 40_000, 96 << 20], ids=["per-doc", "few", "one"])
@whoosh_only
def test_bulk_writer_writes_the_index_whooshs_writer_writes(tmp_path, limit_bytes):
    schema = project_schema()
    docs = make_docs(34)
    stock = stock_index(tmp_path / "stock", schema, docs)
    bulk, segments = bulk_index(tmp_path / "bulk", schema, docs, limit_bytes=limit_bytes)
    if limit_bytes == 1:
        assert len(segments) == len(docs)
    elif limit_bytes == 40_000:
        assert 2 <= len(segments) < len(docs)
    else:
        assert len(segments) == 1
    assert not (tmp_path / "bulk" / "MAIN.tmp").exists()

    with stock.searcher(weighting=BM25F()) as s_stock, \
            bulk.searcher(weighting=BM25F()) as s_bulk:
        r_stock, r_bulk = s_stock.reader(), s_bulk.reader()
        assert r_bulk.doc_count() == r_stock.doc_count() == len(docs)
        assert list(r_bulk.all_stored_fields()) == list(r_stock.all_stored_fields())
        terms = list(r_stock.all_terms())
        assert list(r_bulk.all_terms()) == terms
        for fieldname, btext in terms:
            assert postings(r_bulk, fieldname, btext) == postings(r_stock, fieldname, btext), (
                fieldname, btext)
            a, b = r_bulk.term_info(fieldname, btext), r_stock.term_info(fieldname, btext)
            assert (a.doc_frequency(), a.weight(), a.min_length(), a.max_length(),
                    a.max_weight()) == (b.doc_frequency(), b.weight(), b.min_length(),
                                        b.max_length(), b.max_weight()), (fieldname, btext)
        for fieldname in ("text", "summary", "tags"):
            assert r_bulk.field_length(fieldname) == r_stock.field_length(fieldname) > 0
            # (Whoosh answers None or 0 for a document without the field, depending on
            # whether its segment has the field at all.)
            assert [r_bulk.doc_field_length(d, fieldname) or 0 for d in range(len(docs))] == [
                r_stock.doc_field_length(d, fieldname) or 0 for d in range(len(docs))]
        assert list(r_bulk.column_reader("date")) == list(r_stock.column_reader("date"))

        peace, rights, human = (query_terms(w)[0] for w in ("peace", "rights", "human"))
        queries = [
            wq.Term("text", peace),
            wq.And([wq.Term("text", rights), wq.Term("text", human)]),
            wq.Or([wq.Term("text", "water"), wq.Term("summary", peace)]),
            FastPhrase("text", query_terms("to be or not to be")),
            wq.Phrase("text", [human, rights]),
            wq.And([wq.Term("text", "secur"), wq.Term("topic", "water")]),
            wq.Term("tags", "a"),
        ]
        for q in queries:
            got, expected = scored(s_bulk, q), scored(s_stock, q)
            assert expected, q
            assert_same_scores(got, expected)
        by_date = [h["id"] for h in s_bulk.search(wq.Every(), sortedby="date", limit=None)]
        assert by_date == [h["id"] for h in
                           s_stock.search(wq.Every(), sortedby="date", limit=None)]
        assert [h["id"] for h in s_bulk.search(wq.DateRange(
            "date", datetime.datetime(2003, 1, 1), datetime.datetime(2005, 12, 31)),
            limit=None)] == [h["id"] for h in s_stock.search(wq.DateRange(
                "date", datetime.datetime(2003, 1, 1), datetime.datetime(2005, 12, 31)),
                limit=None)]


@whoosh_only
def test_bulk_segments_take_stock_updates_deletions_and_merges(tmp_path):
    schema = project_schema()
    docs = make_docs(20)
    ix, segments = bulk_index(tmp_path / "bulk", schema, docs, limit_bytes=3_000)
    assert len(segments) > 1
    writer = ix.writer()
    writer.delete_by_term("id", "archive.statement.3")
    writer.update_document(**{**docs[4], "text": "Completely replaced zebra text"})
    writer.commit(optimize=True)
    with ix.searcher() as searcher:
        assert searcher.doc_count() == len(docs) - 1
        assert [h["id"] for h in searcher.search(wq.Term("text", "zebra"))] == [
            "archive.statement.4"]
        assert searcher.document(id="archive.statement.3") is None


@whoosh_only
def test_an_empty_bulk_writer_finishes_without_a_segment(tmp_path):
    ix = whoosh_index.create_in(str(tmp_path), project_schema())
    (tmp_path / f"{ix.indexname}.tmp").mkdir()
    writer = BulkSegmentWriter(ix, _lk=False)
    assert not writer.full
    assert writer.finish() is None
    assert writer.is_closed


@whoosh_only
def test_the_bulk_writer_refuses_fields_it_cannot_write(tmp_path):
    ix = whoosh_index.create_in(str(tmp_path), Schema(body=TEXT(vector=True)))
    (tmp_path / f"{ix.indexname}.tmp").mkdir()
    writer = BulkSegmentWriter(ix, _lk=False)
    with pytest.raises(NotImplementedError):
        writer.add_document(body="term vectors are not written in bulk")
    writer.cancel()


# --- 3. FastPhrase against whoosh.query.Phrase ------------------------------------------------


def phrase_corpus(count: int = 90) -> list[dict]:
    rng = random.Random(11)
    docs = []
    for n in range(count):
        words = [rng.choice(VOCABULARY[:8]) for _ in range(rng.randint(2, 30))]
        if n % 9 == 0:
            words += ["to", "be", "or", "not", "to", "be", "peace", "zebra"]
        if n % 10 == 4:
            words = ["rights", "and", "human", "rights", "of", "human"]  # never adjacent
        docs.append({"id": str(n), "body": " ".join(words)})
    return docs


PHRASE_SCHEMA = Schema(id=ID(stored=True, unique=True), body=BodyText())


@pytest.fixture
def phrase_index(tmp_path):
    return stock_index(tmp_path / "phrases", PHRASE_SCHEMA, phrase_corpus(), batches=4)


def phrases() -> list[list[str]]:
    words = VOCABULARY[:8]
    out = [[a, b] for a, b in itertools.product(words, words)]
    rng = random.Random(3)
    out += [rng.sample(words, 3) for _ in range(30)]
    out += [s.split() for s in ("to be or not to be", "not to be", "be or not", "be be",
                                "to to to", "rights human", "human rights", "human and rights",
                                "rights and human", "unicorn rights", "human unicorn")]
    return [query_terms(" ".join(p)) for p in out]


@whoosh_only
def test_fast_phrase_finds_and_scores_what_whoosh_phrase_does(phrase_index):
    with phrase_index.searcher(weighting=BM25F()) as searcher:
        assert len(searcher.leaf_searchers()) == 4
        nonempty = 0
        for terms in phrases():
            fast, stock = FastPhrase("body", terms), wq.Phrase("body", terms)
            expected = set(searcher.docs_for_query(stock))
            assert set(searcher.docs_for_query(fast)) == expected, terms
            assert_same_scores(scored(searcher, fast), scored(searcher, stock))
            # inside a Boolean query (skip_to from an intersection, a negation)
            other = wq.Term("body", "peac")
            assert set(searcher.docs_for_query(wq.And([fast, other]))) == set(
                searcher.docs_for_query(wq.And([stock, other])))
            assert set(searcher.docs_for_query(wq.And([wq.Every(), wq.Not(fast)]))) == set(
                searcher.docs_for_query(wq.And([wq.Every(), wq.Not(stock)])))
            nonempty += bool(expected)
        assert nonempty > 20
        never = query_terms("human and rights")
        assert set(searcher.docs_for_query(FastPhrase("body", never))) == set()
        boosted = FastPhrase("body", query_terms("human rights"), boost=2.5)
        assert_same_scores(scored(searcher, boosted),
                           scored(searcher, wq.Phrase("body", query_terms("human rights"),
                                                      boost=2.5)))


def _phrase_keys(searcher, terms):
    return [(_segment_key(sub.reader()), "phrase", "body", tuple(terms))
            for sub, _offset in searcher.leaf_searchers()]


@whoosh_only
def test_phrase_matches_are_remembered_per_segment_and_deletions_still_count(
    phrase_index, monkeypatch
):
    terms = query_terms("to be or not to be")
    # "zebra" runs out before "peace" does in every segment: still a complete pass
    rare_second = query_terms("peace zebra")
    with phrase_index.searcher() as searcher:
        first = set(searcher.docs_for_query(FastPhrase("body", terms)))
        assert first == set(searcher.docs_for_query(wq.Phrase("body", terms)))
        for t in (terms, rare_second):
            set(searcher.docs_for_query(FastPhrase("body", t)))
            # every segment's complete pass left its matches behind
            assert all(SEGMENT_CACHE.get(key) is not None for key in _phrase_keys(searcher, t))

    def no_decoding(self):
        raise AssertionError("positions decoded although the segment's matches are known")

    with monkeypatch.context() as patch:
        patch.setattr(PhraseMatcher, "_adjacent", no_decoding)
        with phrase_index.searcher(weighting=BM25F()) as searcher:
            assert set(searcher.docs_for_query(FastPhrase("body", terms))) == first
            assert_same_scores(scored(searcher, FastPhrase("body", terms)),
                               scored(searcher, wq.Phrase("body", terms)))

    victim = min(first)
    with phrase_index.searcher() as searcher:
        victim_id = searcher.stored_fields(victim)["id"]
    writer = phrase_index.writer()
    writer.delete_by_term("id", victim_id)
    writer.commit(merge=False)
    with phrase_index.searcher() as searcher:
        remembered = [SEGMENT_CACHE.get(k) for k in _phrase_keys(searcher, terms)]
        # The cache still lists the deleted document (segments never change) ...
        offsets = [offset for _sub, offset in searcher.leaf_searchers()]
        assert any(victim - offset in docs for offset, docs in zip(offsets, remembered,
                                                                    strict=True) if docs)
        # ... and the phrase no longer finds it.
        after = set(searcher.docs_for_query(FastPhrase("body", terms)))
        assert after == first - {victim}
        assert after == set(searcher.docs_for_query(wq.Phrase("body", terms)))


# --- 4. ArchiveBM25F against BM25F ------------------------------------------------------------


@pytest.mark.parametrize("params", [{}, {"B": 0.4, "K1": 2.0}, {"body_B": 0.2}])
@whoosh_only
def test_archive_bm25f_scores_as_whoosh_bm25f(phrase_index, params):
    writer = phrase_index.writer()
    writer.delete_by_term("id", "5")
    writer.commit(merge=False)
    peace, rights, human = query_terms("peace rights human")
    queries = [
        wq.Term("body", peace),
        wq.Term("body", "be"),
        wq.And([wq.Term("body", human), wq.Term("body", rights)]),
        wq.Or([wq.Term("body", peace), wq.Term("body", "water")]),
        wq.And([wq.Term("body", "to"), wq.Not(wq.Term("body", "or"))]),
        FastPhrase("body", [human, rights]),
    ]
    with phrase_index.searcher(weighting=BM25F(**params)) as stock, \
            phrase_index.searcher(weighting=ArchiveBM25F(**params)) as mine:
        assert len(mine.leaf_searchers()) == 4
        leaf = mine.leaf_searchers()[0][0]
        assert isinstance(mine.weighting.scorer(leaf, "body", peace), _ListBM25FScorer)
        for q in queries:
            expected = scored(stock, q)
            assert expected, q
            assert_same_scores(scored(mine, q), expected)
            assert_same_scores(scored(mine, q), expected)  # the lengths cached


# --- the backend's collector and per-segment caches -------------------------------------------


@pytest.fixture
def segmented_index(tmp_path):
    """The project's schema over several segments, identical documents among them."""
    return stock_index(tmp_path / "segmented", project_schema(), make_docs(40), batches=5)


@whoosh_only
def test_top_and_all_collector_is_whooshs_top_n_and_every_match_in_one_pass(segmented_index):
    human, rights, peace = query_terms("human rights peace")
    queries = [
        wq.Term("text", peace),
        wq.Term("text", "be"),  # in every fifth document: ties among the copies
        wq.And([wq.Term("text", human), wq.Term("text", rights)]),
        FastPhrase("text", query_terms("to be or not to be")),
        wq.And([wq.Every(), wq.Not(wq.Term("text", peace))]),
    ]
    with segmented_index.searcher(weighting=ArchiveBM25F()) as searcher:
        assert len(searcher.leaf_searchers()) == 5
        allow = set(range(0, 40, 3))
        for q in queries:
            every = set(searcher.docs_for_query(q))
            assert every, q
            for limit in (1, 3, 8, 100):
                stock = searcher.search(q, limit=limit)
                collector = _TopAndAllCollector(limit)
                searcher.search_with_collector(q, collector)
                mine = collector.results()
                assert [(h.docnum, h.score) for h in mine] == [
                    (h.docnum, h.score) for h in stock], (q, limit)
                assert set(mine.docs()) == every and len(mine) == len(every)

                stock = searcher.search(q, limit=limit, filter=allow)
                collector = _TopAndAllCollector(limit, allow=allow)
                searcher.search_with_collector(q, collector)
                mine = collector.results()
                assert [(h.docnum, h.score) for h in mine] == [
                    (h.docnum, h.score) for h in stock], (q, limit)
                assert set(mine.docs()) == every & allow
        # the copies score alike; the lowest document numbers win, as in TopCollector
        collector = _TopAndAllCollector(2)
        searcher.search_with_collector(wq.Term("text", "zeppelin"), collector)
        top = collector.results()
        assert [h.docnum for h in top] == [19, 20] and len(top) == 3
        assert top[0].score == top[1].score


@whoosh_only
def test_query_docs_and_columns_are_cached_per_segment_and_follow_deletions(segmented_index):
    docs = make_docs(40)
    peace = query_terms("peace")[0]
    queries = [
        wq.Term("text", peace),
        wq.Term("topic", "water"),
        wq.Or([wq.Term("country", "KEN"), wq.Term("country", "FRA")]),
        wq.And([wq.Every(), wq.Not(wq.Term("text", peace))]),
        FastPhrase("text", query_terms("human rights")),
    ]
    with segmented_index.searcher() as searcher:
        for q in queries:
            assert _query_docs(searcher, q) == set(searcher.docs_for_query(q))
            assert _query_docs(searcher, q) == set(searcher.docs_for_query(q))  # cached
        for name in ("topic", "speaker", "country"):
            column = [v for sub, _o in searcher.leaf_searchers()
                      for v in _segment_column(sub.reader(), name)]
            expected = [tuple(sorted(filter(None, (d.get(name) or "").split(","))))
                        for d in docs]
            assert column == expected

    writer = segmented_index.writer()
    for n in (0, 9, 17, 33):
        writer.delete_by_term("id", f"archive.statement.{n}")
    writer.commit(merge=False)
    with segmented_index.searcher() as searcher:
        assert searcher.doc_count() == 36
        for q in queries:
            expected = set(searcher.docs_for_query(q))
            assert _query_docs(searcher, q) == expected
        # the columns are the segments' own (deleted documents keep their values)
        column = [v for sub, _o in searcher.leaf_searchers()
                  for v in _segment_column(sub.reader(), "country")]
        assert column == [(d["country"],) for d in docs]


@whoosh_only
def test_near_words_are_within_two_edits_with_the_same_first_letter(tmp_path):
    schema = Schema(id=ID(stored=True), spelling=WordSet())
    words = ("security securities terrorism water waters sanctions nations cooperation "
             "Marčić Genève")
    ix = stock_index(tmp_path / "words", schema, [{"id": "1", "spelling": words}])
    with ix.searcher() as searcher:
        reader = searcher.reader()

        def near(word):
            return dict(_near_words(reader, word, ANALYZER))

        assert near("secuirty") == {"security": 1}  # transposed
        assert near("terorism") == {"terrorism": 1}
        assert near("watr") == {"water": 1, "waters": 2}
        assert near("ecurity") == {}  # first letter
        assert near("sxcxrxty") == {}  # three edits
        assert near("q") == {}
        # compared with accents folded, offered as written
        assert near("marcicc") == {"marčić": 1}
        assert near("geneve") == {"genève": 0}


# --- 5. through the app: a small commit after warm caches -------------------------------------


def pks(sqs) -> set[int]:
    return {int(result.pk) for result in sqs}


def country_facets(sqs) -> dict[str, int]:
    return dict(sqs.facet_counts()["fields"]["country"])


@pytest.mark.django_db
@whoosh_only
def test_counts_facets_and_phrases_follow_a_small_commit(monkeypatch):
    fresh_index()
    ken, qat, fra = country("KEN"), country("QAT"), country("FRA")
    a = StatementFactory(country=ken, body="Water security and drought response.")
    b = StatementFactory(country=ken, body="Water for peace and xylophonic harmony.",
                         delivered_on=datetime.date(2019, 5, 2))
    StatementFactory(country=qat, body="Border security cooperation.")
    draft = StatementFactory(country=fra, body="Water security, embargoed.", draft=True)
    fillers = [StatementFactory(country=qat, body=f"Fisheries quota number {n}.")
               for n in range(6)]
    index_now()

    def water():
        return SearchQuerySet().filter(content="water").facet("country").facet("year")

    def phrase():
        return SearchQuerySet().filter(content=Exact("water security")).facet("country")

    assert water().count() == 2  # counted without scoring, before any row is fetched
    assert pks(water()) == {a.pk, b.pk}
    assert country_facets(water()) == {"KEN": 2}
    assert dict(water().facet_counts()["fields"]["year"]) == {"2022": 1, "2019": 1}
    assert pks(phrase()) == {a.pk} and phrase().count() == 1
    assert country_facets(SearchQuerySet().facet("country")) == {"KEN": 2, "QAT": 7}
    only_counts = SearchQuerySet().filter(content="water").facet("country")
    only_counts[:0]  # what the page does for a facet's counts without its selection
    assert country_facets(only_counts) == {"KEN": 2}

    # The worker's small commit: one new statement, one unpublished, one published.
    d = StatementFactory(country=qat, body="Water security at sea.")
    services.unpublish_statement(statement=b)
    services.publish_statement(statement=draft)
    services.delete_statement(statement=fillers[0])
    index_now()
    _d, ix = open_live(get_engine().root, get_engine().schema)
    with ix.searcher() as searcher:
        # the first batch's segment stays, with deletions: its cached entries are reused
        assert len(searcher.leaf_searchers()) >= 2 and searcher.reader().has_deletions()

    def no_scoring(*args, **kwargs):
        raise AssertionError("count() scored the matches")

    with monkeypatch.context() as patch:
        patch.setattr(whoosh_backend, "run_collector", no_scoring)
        assert water().count() == 3
        assert phrase().count() == 3
    assert pks(water()) == {a.pk, d.pk, draft.pk}
    assert country_facets(water()) == {"KEN": 1, "QAT": 1, "FRA": 1}
    assert dict(water().facet_counts()["fields"]["year"]) == {"2022": 3}
    assert pks(phrase()) == {a.pk, d.pk, draft.pk} and phrase().count() == 3
    assert country_facets(phrase()) == {"KEN": 1, "QAT": 1, "FRA": 1}
    assert country_facets(SearchQuerySet().facet("country")) == {"KEN": 1, "QAT": 7, "FRA": 1}
    only_counts = SearchQuerySet().filter(content="water").facet("country")
    only_counts[:0]
    assert country_facets(only_counts) == {"KEN": 1, "QAT": 1, "FRA": 1}
    for sqs in (SearchQuerySet().filter(content="water", country__in=["QAT", "KEN"]),
                SearchQuerySet().filter(content="security"),
                SearchQuerySet().filter(country__in=["QAT"]),
                SearchQuerySet().exclude(content="water"),
                SearchQuerySet()):
        assert sqs.count() == len(list(sqs)) == len(pks(sqs)) > 0
    published = set(Statement.objects.published().values_list("pk", flat=True))
    assert pks(SearchQuerySet()) == published


@pytest.mark.django_db
def test_spelling_suggests_real_words_of_published_statements_only():
    fresh_index()
    kept = StatementFactory(body="Security and terrorism: the committee on sanctions.")
    gone = StatementFactory(body="Xylophonic ambitions of the committee.")
    for n in range(5):  # enough documents that the unpublishing commit merges nothing
        StatementFactory(body=f"Fisheries quota number {n}.")
    index_now()
    assert SearchQuerySet().spelling_suggestion("xylophonik") == "xylophonic"
    services.unpublish_statement(statement=gone)
    index_now()

    def suggest(text):
        return SearchQuerySet().spelling_suggestion(text)

    assert suggest("securty") == "security"  # one letter missing
    assert suggest("secuirty") == "security"  # two letters swapped
    assert suggest("terorism sanctoins") == "terrorism sanctions"
    assert suggest("security") is None  # a real word
    assert suggest("zqxwvbnm") is None  # nothing close
    # The unpublished statement's word is still in its segment's word list (a deletion
    # only marks the document), but it must not be offered.
    assert suggest("xylophonik") is None
    assert kept.pk in pks(SearchQuerySet().filter(content="security"))


# --- 6. rebuild -------------------------------------------------------------------------------


@pytest.mark.django_db
@whoosh_only
def test_rebuild_holds_every_published_statement_and_no_draft(settings):
    fresh_index()
    published = [StatementFactory(body=f"Glaciers melt, report {n}.") for n in range(5)]
    published += [StatementFactory(body="Fisheries and fleets.") for _ in range(2)]
    drafts = [StatementFactory(body="Glaciers embargoed.", draft=True) for _ in range(2)]
    assert whoosh_rebuild._processes(None, 10_000) == 1  # the test's transaction: no forked reader
    assert whoosh_rebuild._processes(8, 10_000) == 1
    settings.SEARCH_REBUILD_SEGMENT_MB = 0  # a segment per statement
    report = rebuild()
    assert report.details["processes"] == 1 and report.failed == {}
    assert report.documents == report.details["segments"] == len(published)
    backend = get_engine()
    assert backend.live_directory() == Path(report.where)
    assert not (backend.live_directory() / "MAIN.tmp").exists()
    _d, ix = open_live(backend.root, backend.schema)
    indexed = {int(i.rsplit(".", 1)[1]) for i in backend.status().documents}
    assert indexed == {s.pk for s in published}
    assert not indexed & {s.pk for s in drafts}
    assert pks(SearchQuerySet().filter(content="glaciers")) == {s.pk for s in published[:5]}
    assert SearchQuerySet().filter(content="glaciers").count() == 5
    assert pks(SearchQuerySet().filter(content=Exact("report 3"))) == {published[3].pk}


def _forked_statements() -> dict[str, int]:
    """430 statements (9 of them drafts) for the two-process rebuilds, by import key: each
    on one of three words, each with a token of its own."""
    words = ["glaciers", "fisheries", "satellites"]
    return services.bulk_upsert_statements(items=[
        services.StatementInput(
            title=f"Forked statement {n}",
            body=f"Statement {n} on {words[n % 3]} and shared matters. Token{n}x.",
            delivered_on=datetime.date(2000 + n % 20, 1, 1),
            import_key=f"forked-{n}",
            status=Status.DRAFT if n % 50 == 7 else Status.PUBLISHED,
        )
        for n in range(430)
    ]).ids


def _sqlite_in_memory_test_database() -> bool:
    database = settings.DATABASES["default"]
    name = (database.get("TEST") or {}).get("NAME")
    return "sqlite" in database["ENGINE"] and (not name or name == ":memory:"
                                               or "mode=memory" in str(name))


@pytest.mark.skipif(
    _sqlite_in_memory_test_database(),
    reason="forked rebuild processes need a database they can share (the suite's SQLite "
    "test database is in memory); run with DATABASE_URL=postgres://... to cover it",
)
@pytest.mark.django_db(transaction=True)
@whoosh_only
def test_rebuild_in_two_processes_holds_every_published_statement():
    fresh_index()
    ids = _forked_statements()
    published = Statement.objects.published()
    count = published.count()
    assert count == 421
    assert whoosh_rebuild._processes(None, 399) == 1
    assert whoosh_rebuild._processes(8, count) == 2  # two hundred statements a process at least
    assert whoosh_rebuild._processes(None, 100_000) == (settings.SEARCH_REBUILD_PROCESSES
                                                 or os.cpu_count())
    with transaction.atomic():  # forked children would not see uncommitted rows
        assert whoosh_rebuild._processes(8, count) == 1
    report = rebuild(processes=2)
    assert report.details["processes"] == 2 and report.failed == {}
    assert report.documents == count and report.details["segments"] >= 2
    backend = get_engine()
    _d, ix = open_live(backend.root, backend.schema)
    assert ix.doc_count() == count
    indexed = {int(i.rsplit(".", 1)[1]) for i in backend.status().documents}
    assert indexed == set(published.values_list("pk", flat=True))
    expected = {ids[f"forked-{n}"] for n in range(430) if n % 3 == 1 and n % 50 != 7}
    assert pks(SearchQuerySet().filter(content="fisheries")) == expected
    assert SearchQuerySet().filter(content="fisheries").count() == len(expected)
    # one statement from each process's run
    for n in (1, 429):
        assert pks(SearchQuerySet().filter(content=f"token{n}x")) == {ids[f"forked-{n}"]}


@pytest.mark.skipif(
    engine_name() != "postgres", reason="the PostgreSQL engine's own rebuild (forked loaders, "
    "the text index made on a second connection)",
)
@pytest.mark.django_db(transaction=True)
def test_the_postgres_rebuild_in_two_processes_holds_every_published_statement():
    from django.db import connection

    from search.engine.postgres.schema import DOCUMENTS, INDEX_NAMES

    fresh_index()
    ids = _forked_statements()
    published = set(Statement.objects.published().values_list("pk", flat=True))
    report = rebuild(processes=2)
    assert report.details["processes"] == 2 and report.failed == {}
    assert report.documents == len(published) == 421
    indexed = {int(i.rsplit(".", 1)[1]) for i in get_engine().status().documents}
    assert indexed == published
    expected = {ids[f"forked-{n}"] for n in range(430) if n % 3 == 1 and n % 50 != 7}
    # 143 statements tied on rank, stored in no order of id: paging through them (the
    # query set reads page after page) still gives each exactly once.
    assert pks(SearchQuerySet().filter(content="fisheries")) == expected
    # Each process takes every other statement: neighbours come from different processes.
    for n in (0, 1, 428, 429):
        assert pks(SearchQuerySet().filter(content=f"token{n}x")) == {ids[f"forked-{n}"]}
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", [DOCUMENTS])
        made = {name for (name,) in cursor.fetchall()}
    assert {f"{DOCUMENTS}_{name}" for name in INDEX_NAMES} <= made


# --- 7. snippets -------------------------------------------------------------------------------


def marked(html: str) -> list[str]:
    import re

    return re.findall(r"<mark>(.*?)</mark>", html)


def test_snippet_marks_the_query_words_whatever_their_case_and_accents():
    body = ("SECURITY first. The Securities council, secular states and the second "
            "insecurity: security of the U.S. matters; Sécurité too.")
    html = snippet(body, ["security U.S."])
    assert marked(html) == ["SECURITY", "Securities", "security", "U.S"]
    # "Sécurité" is folded to "securite", whose stem (securit) is not security's (secur):
    # search does not find it, so it is not marked either
    assert query_terms("Sécurité") != query_terms("security")
    for word in ("secular", "second", "insecurity", "Sécurité"):
        assert f"<mark>{word}" not in html


def test_every_word_outside_ascii_is_a_highlight_candidate():
    from search.engine.spans import _non_ascii_words
    from search.text import WORD_RE

    rng = random.Random(5)
    pieces = ["water", "Brasília", "“quoted”", "—", "Côte", "d’Ivoire", "الأمن،", "وَالسِّلْمُ",
              "Ł", "café.", "U.S.", "é.g", "x" * 300, "€", "naïve", "\u00a0", "Straße"]
    for _ in range(30):
        body = " ".join(rng.choice(pieces) for _ in range(rng.randint(1, 120)))
        expected = [(m.start(), m.end()) for m in WORD_RE.finditer(body)
                    if not m.group().isascii()]
        assert list(_non_ascii_words(body)) == expected, body


def test_snippet_marks_accented_and_arabic_forms_the_query_finds():
    body = ("Talks in Brasília and Brasilia; Dragan Marčić spoke. "
            "ناقش مجلس الأمن والأمن الإقليمي للأمن ثم الأمم")
    assert marked(snippet(body, ["Brasilia"])) == ["Brasília", "Brasilia"]
    assert marked(snippet(body, ["Marcic"])) == ["Marčić"]
    assert marked(snippet(body, ["الامن"])) == ["الأمن", "والأمن", "للأمن"]


def test_snippet_when_lowercasing_changes_the_length():
    body = "İstanbul hosted the SECURITY summit; Security matters, secular ones do not. İİİ"
    assert len(body.lower()) != len(body)
    html = snippet(body, ["security"])
    assert marked(html) == ["SECURITY", "Security"]
    assert "<mark>secular" not in html and "İstanbul" in html
    # a word only the analyzer can find (its lowercase form is longer) falls back to it
    assert marked(snippet(body, ["İstanbul"])) == ["İstanbul"]


def test_snippet_escapes_and_marks_only_whole_stemmed_words():
    body = "<b>Peace</b> & peaceful peacekeeping; pea soup; PEACE."
    html = snippet(body, ["peace"])
    assert "<b>" not in html and "&lt;b&gt;" in html
    # "peaceful" stems to "peac" as "peace" does (search finds it too); "peacekeeping" and
    # "pea" do not
    assert query_terms("peaceful") == query_terms("peace") != query_terms("peacekeeping")
    assert marked(html) == ["Peace", "peaceful", "PEACE"]
