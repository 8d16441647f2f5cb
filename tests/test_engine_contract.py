"""Both engines driven through haystack's own ``SearchQuerySet``, and through the contract.

The same statements are written into each engine available here (Whoosh always, in a
temporary folder; PostgreSQL when the test database is PostgreSQL) and the same questions
are asked of each: ``filter``, ``exclude``, ``auto_query``, ``facet``, ``order_by``,
``highlight``, ``more_like_this``, ``spelling_suggestion``, ``count``, paging, and the
contract's ``highlight``, ``spell``, ``status``, ``generation``, ``write``/``delete`` and
``writer_lock``.  Every answer must be the same on each engine.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from haystack import connections as haystack_connections
from haystack.inputs import AutoQuery, Exact
from haystack.query import SQ, SearchQuerySet

from archive import services
from archive.models import Country, Statement, Status
from search import documents
from search.engine import LockBusy, SearchEngine
from search.engine.config import parse_search_url

from .cleanup import remove_archive_rows


def _engines(tmp_path_factory):
    urls = {"whoosh": f"whoosh:{tmp_path_factory.mktemp('contract-whoosh')}"}
    if connection.vendor == "postgresql":
        urls["postgres"] = "postgres:"
    return urls


@pytest.fixture(scope="module")
def archive(django_db_setup, django_db_blocker, tmp_path_factory):
    """Five published statements and a draft, written into every engine available."""
    with django_db_blocker.unblock():
        water = services.get_or_create_topic(name="Water")
        security = services.get_or_create_topic(name="Frontiers")
        minister = services.create_speaker(name="Amina Contract", honorific="HE")
        envoy = services.create_speaker(name="Rustam Contract", honorific="Mr.")
        qat, tjk = Country.objects.get(code="QAT"), Country.objects.get(code="TJK")
        made = [
            services.create_statement(
                title="Shared rivers", delivered_on=datetime.date(2022, 6, 7),
                body="Shared rivers need shared rules. Water security is regional security.",
                country=qat, topics=[water, security], status=Status.PUBLISHED,
                speakers=[services.SpeakerRole(minister, "Minister")]),
            services.create_statement(
                title="Border talks", delivered_on=datetime.date(2022, 9, 21),
                body="Border security and development go together; water flows across.",
                country=tjk, topics=[security], status=Status.PUBLISHED,
                speakers=[services.SpeakerRole(envoy, "Envoy")]),
            services.create_statement(
                title="Glaciers", delivered_on=datetime.date(2021, 3, 22),
                body="Melting glaciers threaten the rivers of Central Asia and its water.",
                country=tjk, topics=[water], status=Status.PUBLISHED),
            services.create_statement(
                title="Accents", delivered_on=datetime.date(2020, 1, 5),
                body="Minister Marčić spoke in Brasília about cooperation.",
                country=qat, status=Status.PUBLISHED),
            services.create_statement(
                title="Plain", delivered_on=datetime.date(2019, 1, 5),
                body="Minister Marcic spoke in Brasilia about cooperation and cooperation.",
                country=qat, status=Status.PUBLISHED),
            services.create_statement(
                title="Unpublished", delivered_on=datetime.date(2023, 1, 1),
                body="Zanzibarian secrets of the draft.", status=Status.DRAFT),
        ]
        published = list(documents.statements_for_index().order_by("pk"))
        docs = [documents.prepare(obj) for obj in published]
        engines = {}
        for name, url in _engines(tmp_path_factory).items():
            haystack_connections.connections_info[f"contract-{name}"] = parse_search_url(url)
            engine = haystack_connections[f"contract-{name}"].get_backend()
            engine.reset()
            engine.write(docs)
            engines[name] = engine
        yield {"engines": engines, "statements": made}
        for name in engines:
            haystack_connections.connections_info.pop(f"contract-{name}", None)
        remove_archive_rows()


def each(archive):
    return archive["engines"].items()


def pks(results) -> list[int]:
    return [int(r.pk) for r in results]


def titles(results) -> list[str]:
    return [r.title for r in results]


def sqs(name) -> SearchQuerySet:
    return SearchQuerySet(using=f"contract-{name}")


@pytest.mark.django_db
def test_every_engine_implements_the_contract(archive):
    for name, engine in each(archive):
        assert isinstance(engine, SearchEngine), name


@pytest.mark.django_db
def test_filter_exclude_and_count_agree_on_every_engine(archive):
    answers = {}
    for name, _engine in each(archive):
        water = sqs(name).filter(content="water")
        answers[name] = {
            "water": sorted(titles(water[:10])),
            "count": water.count(),
            "not border": sorted(titles(water.exclude(content="border")[:10])),
            "phrase": titles(sqs(name).filter(content=Exact("shared rules"))[:10]),
            "no phrase": titles(sqs(name).filter(content=Exact("rules shared"))[:10]),
            "or": sorted(titles(
                sqs(name).filter(SQ(content="glaciers") | SQ(content="border"))[:10])),
            "country": sorted(titles(sqs(name).filter(content="water", country="TJK")[:10])),
            "date": titles(sqs(name).filter(date__gte=datetime.date(2022, 1, 1))
                           .order_by("-date")[:10]),
            "draft": sqs(name).filter(content="zanzibarian").count(),
        }
    for name, got in answers.items():
        assert got["water"] == ["Border talks", "Glaciers", "Shared rivers"], name
        assert got["count"] == 3, name
        assert got["not border"] == ["Glaciers", "Shared rivers"], name
        assert got["phrase"] == ["Shared rivers"], name
        assert got["no phrase"] == [], name
        assert got["or"] == ["Border talks", "Glaciers"], name
        assert got["country"] == ["Border talks", "Glaciers"], name
        assert got["date"] == ["Border talks", "Shared rivers"], name
        assert got["draft"] == 0, name
    assert len({repr(a) for a in answers.values()}) == 1


@pytest.mark.django_db
def test_auto_query_reads_phrases_and_exclusions_on_every_engine(archive):
    for name, _engine in each(archive):
        found = sqs(name).auto_query('water -"border security"')
        assert sorted(titles(found[:10])) == ["Glaciers", "Shared rivers"], name
        found = sqs(name).filter(content=AutoQuery('"regional security" -glaciers'))
        assert titles(found[:10]) == ["Shared rivers"], name


@pytest.mark.django_db
def test_facets_count_every_match_on_every_engine(archive):
    for name, _engine in each(archive):
        counts = sqs(name).filter(content="water").facet("country").facet("topic").facet_counts()
        assert counts["fields"]["country"] == [("TJK", 2), ("QAT", 1)], name
        # Equal counts come in key order.
        assert counts["fields"]["topic"] == [("frontiers", 2), ("water", 2)], name


@pytest.mark.django_db
def test_exact_spelling_ranks_first_and_paging_on_every_engine(archive):
    for name, _engine in each(archive):
        accented = titles(sqs(name).filter(content="Marčić")[:10])
        assert accented == ["Accents", "Plain"], name
        folded = sqs(name).filter(content="cooperation")
        assert folded.count() == 2, name
        assert len(folded[1:2]) == 1 and len(folded[2:3]) == 0, name


@pytest.mark.django_db
def test_highlight_more_like_this_and_spelling_on_every_engine(archive):
    body = "Melting glaciers threaten the rivers of Central Asia and its water."
    for name, engine in each(archive):
        found = sqs(name).filter(content="rivers").highlight()
        assert sorted(titles(found[:10])) == ["Glaciers", "Shared rivers"], name
        spans = engine.highlight(body, ["river", "Waters"])
        assert [body[a:b] for a, b in spans] == ["rivers", "water"], name
        assert engine.highlight("Marčić and Marcic", ["Marcic"]) == [(0, 6), (11, 17)], name
        shared = Statement.objects.get(title="Shared rivers")
        related = pks(sqs(name).more_like_this(shared)[:5])
        assert shared.pk not in related and related, name
        assert sqs(name).spelling_suggestion("glaciars") == "glaciers", name
        # A draft's words are never suggested: "zanzibarian" is in a draft only.
        assert engine.spell("zanzibarien") == [], name
        assert engine.spell("glaciers") == [], name


@pytest.mark.django_db
def test_status_generation_writes_and_locks_on_every_engine(archive):
    for name, engine in each(archive):
        state = engine.status()
        published = Statement.objects.published().count()
        assert len(state.documents) == published, name
        assert all(state.documents.values()), name
        before = engine.generation()
        glaciers = Statement.objects.get(title="Glaciers")
        engine.delete([documents.identifier(glaciers.pk)])
        assert engine.generation() != before, name
        assert sqs(name).filter(content="glaciers").count() == 0, name
        engine.write([documents.prepare(glaciers)])
        assert sqs(name).filter(content="glaciers").count() == 1, name
        assert sqs(name).filter(content="water").count() == 3, name
        with engine.writer_lock(), pytest.raises(LockBusy), engine.writer_lock():
            pass


def test_the_text_vector_weighs_each_section_of_the_index_document():
    from search.engine.postgres.analysis import make_analyzer
    from search.engine.postgres.rows import SECTION_BREAK, text_vector

    text = SECTION_BREAK.join(["Water summit", "Amina Envoy", "Qatar rivers",
                               "The water of rivers. Marčić"])
    vector, terms, words = text_vector(text, make_analyzer())
    lexemes = dict(part.split(":", 1) if ":" in part else (part, "")
                   for part in vector.split(" "))
    assert lexemes["'water'"] == "1A,8"  # title, then body (position 8 is the body's second)
    assert lexemes["'amina'"] == "3B" and lexemes["'qatar'"] == "5C"
    assert lexemes["'river'"] == "6C,10"
    assert lexemes["'=marčić'"] == ""  # the exact form, unpositioned
    assert "marcic" in terms and "marčić" in words and "water" in words


def test_a_word_said_more_than_255_times_keeps_every_position_in_overflow_lexemes():
    from search.engine.postgres.analysis import make_analyzer
    from search.engine.postgres.rows import OVERFLOW, text_vector

    # "the" 600 times: 255 under its own lexeme, then 255 and 90 under the~1 and the~2.
    text = " ".join(["the river"] * 600)
    vector, terms, _words = text_vector(text, make_analyzer())
    lexemes = dict(part.split(":", 1) for part in vector.split(" "))
    counts = {name: len(spots.split(",")) for name, spots in lexemes.items()}
    assert counts["'the'"] == 255 and counts[f"'the{OVERFLOW}1'"] == 255
    assert counts[f"'the{OVERFLOW}2'"] == 90
    spots = sorted(int(s) for name, value in lexemes.items() if name.startswith("'the")
                   for s in value.split(","))
    assert spots == list(range(1, 1200, 2))  # every occurrence, each at its own place
    assert f"the{OVERFLOW}1" not in terms  # not a term: the term table never counts it


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's COPY")
@pytest.mark.django_db
def test_a_rebuilds_copy_carries_tabs_quotes_and_backslashes_through_unchanged():
    from search.engine.postgres.rebuild import _copy

    rows = [
        ("plain", ["word", "other"], "text"),
        ("tab\there\nline\r", ['a "quoted" one', "back\\slash", "x:y"], "C:\\dir\\file"),
        ("empty", [], None),
    ]
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE copy_check (a text, b text[], c text)")
        _copy(cursor, "copy_check", ("a", "b", "c"), rows)
        cursor.execute("SELECT a, b, c FROM copy_check ORDER BY a")
        assert sorted(cursor.fetchall()) == sorted(rows)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's storage")
@pytest.mark.django_db
def test_the_large_columns_are_compressed_with_lz4_where_the_server_has_it():
    from search.engine.postgres.schema import DOCUMENTS, lz4_available

    with connection.cursor() as cursor:
        if not lz4_available(cursor):
            pytest.skip("this PostgreSQL server was built without LZ4")
        cursor.execute(
            "SELECT attname, attcompression FROM pg_attribute "
            "WHERE attrelid = %s::regclass AND attname IN ('tsv', 'words', 'stored')",
            [DOCUMENTS])
        assert dict(cursor.fetchall()) == {"tsv": "l", "words": "l", "stored": "l"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's text vectors")
@pytest.mark.django_db
def test_a_phrase_naming_a_common_word_is_found_past_its_255th_occurrence():
    from search.engine.postgres.analysis import make_analyzer
    from search.engine.postgres.compiler import phrase_tsquery
    from search.engine.postgres.rows import text_vector

    analyzer = make_analyzer()
    text = " ".join(["the river"] * 400) + " and the dam of the valley"
    vector, _terms, _words = text_vector(text, analyzer)
    strict = phrase_tsquery(analyzer.query_words("the dam of the valley"), gaps=False)
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::tsvector @@ %s::tsquery, %s::tsvector @@ %s::tsquery",
                       [vector, strict, vector,
                        phrase_tsquery(analyzer.query_words("the valley of the dam"),
                                       gaps=False)])
        assert cursor.fetchone() == (True, False)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner statistics")
@pytest.mark.django_db
def test_a_facet_most_documents_hold_is_checked_on_rows_the_text_index_found(archive,
                                                                              monkeypatch):
    """Beside text, a filter nearly every document passes is written so that no index serves
    it (the text index drives); a narrow one stays indexable; the answers do not change."""
    from search.engine.postgres import backend as pg
    from search.engine.postgres.schema import DOCUMENTS

    engine = archive["engines"]["postgres"]
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {DOCUMENTS}")
    pg._FACET_SHARES.clear()
    monkeypatch.setattr(pg, "BROAD_SHARE", 0.5)  # five statements: one country holds 2 of 5
    kinds = dict(sqs("postgres").facet("kind").facet_counts()["fields"]["kind"])
    assert len(kinds) == 1  # every statement here is of one kind
    tree = sqs("postgres").filter(content="water")
    broad, narrow = tree.filter(kind=next(iter(kinds))), tree.filter(country="TJK")
    with engine._reading() as (cursor, state, analyzer):
        compile_ = pg.Compiler(engine.shape, analyzer, broad=pg.broad_facets(cursor, state))
        broad_sql = compile_.compile(broad.query.query_filter).where
        narrow_sql = compile_.compile(narrow.query.query_filter).where
        cursor.execute(f"SELECT count(*) FROM {DOCUMENTS}")
        total = cursor.fetchone()[0]
    assert list(kinds.values()) == [total]
    assert "IS TRUE" in broad_sql and "IS TRUE" not in narrow_sql
    assert broad.count() == tree.count() == 3
    assert sorted(titles(broad[:10])) == sorted(titles(tree[:10]))
    assert sorted(titles(narrow[:10])) == ["Border talks", "Glaciers"]
