"""Units of the search app that need no index: query parsing, highlighting, analysis, URLs."""

import pytest

from search.engine.config import SearchURLError, parse_search_url
from search.engine.whoosh.analysis import make_analyzer
from search.highlight import snippet
from search.parsing import (
    MAX_CLAUSES,
    MAX_QUERY_CHARS,
    AnyOf,
    FieldFilter,
    Phrase,
    Word,
    clean_text,
    parse_query,
)

query_terms = make_analyzer().query_terms


def test_words_phrases_exclusions_or_and_fields():
    parsed = parse_query('water "border security" -sanctions Geneva OR Vienna speaker:"Al Qahtani"'
                         " event:Dushanbe country:QAT topic:\"border security\" year:2022"
                         " from:2020-01-01 to:2022-12-31")
    assert parsed.clauses == [
        Word("water"),
        Phrase("border security"),
        Word("sanctions", negated=True),
        AnyOf((Word("Geneva"), Word("Vienna"))),
        FieldFilter("speaker", "Al Qahtani"),
        FieldFilter("event", "Dushanbe"),
        FieldFilter("country", "QAT"),
        FieldFilter("topic", "border security"),
        FieldFilter("year", "2022"),
        FieldFilter("from", "2020-01-01"),
        FieldFilter("to", "2022-12-31"),
    ]
    assert parsed.positive_text() == ["water", "border security", "Geneva", "Vienna"]


@pytest.mark.parametrize(
    ("raw", "clauses"),
    [
        ("foo:bar", [Word("foo"), Word("bar")]),
        ("AND OR", []),
        ("a OR", [Word("a")]),
        ("OR a", [Word("a")]),
        ("NOT a", [Word("a", negated=True)]),
        ('"open', [Phrase("open")]),
        ("speaker:", []),
        ("year:22", []),
        ("from:2022-02-30", []),
        ("-", [Word("-")]),
        ("\u201csmart quotes\u201d", [Phrase("smart quotes")]),
    ],
)
def test_awkward_queries_parse_to_something_sensible(raw, clauses):
    assert parse_query(raw).clauses == clauses


def test_long_queries_are_capped_with_a_notice():
    parsed = parse_query("word " * 2000)
    assert len(parsed.text) <= MAX_QUERY_CHARS
    assert len(parsed.clauses) == MAX_CLAUSES
    assert len(parsed.notices) == 2


def test_control_and_direction_characters_are_removed():
    # Control characters separate words; invisible direction marks simply go.
    assert clean_text("a\x00b\u200fc\u202ed\ttab\nline") == "a bcd tab line"


def test_arabic_folding_makes_variants_one_term():
    assert query_terms("الأمن") == query_terms("الامن") == query_terms("الْأَمْن") == ["امن"]
    assert query_terms("وزارة") == query_terms("وزاره")
    assert query_terms("مستشفى") == query_terms("مستشفي")
    assert query_terms("ـــالأمنـــ") == ["امن"]


def test_english_stemming_and_dotted_abbreviations():
    assert query_terms("Securities") == query_terms("security")
    assert len(query_terms("U.S.")) == 1 and query_terms("U.S.") == query_terms("u.s.")
    assert query_terms("Al-Qahtani") == ["al", "qahtani"]


@pytest.mark.parametrize(
    "payload",
    [
        "<img src=x onerror=alert(1)",
        "<script>alert('x')</script>",
        "a < b & c",
        '"><svg onload=alert(1)>',
        "&lt;already escaped&gt;",
    ],
)
def test_snippets_escape_every_segment(payload):
    body = f"Before {payload} the security council {payload} after."
    out = str(snippet(body, set(query_terms("security"))))
    assert "<mark>security</mark>" in out
    assert "<img" not in out and "<script" not in out and "<svg" not in out
    stripped = out.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in stripped and ">" not in stripped
    assert "&amp;lt;already" in out or "already" not in payload


def test_snippet_picks_the_passage_with_the_terms():
    filler = "Filler sentence. " * 100
    body = filler + "Here the glaciers melt quickly. " + filler
    out = str(snippet(body, set(query_terms("glacier"))))
    assert "<mark>glaciers</mark>" in out
    assert out.startswith("… ")
    assert len(out) < 500


def test_snippet_without_terms_is_the_start():
    assert str(snippet("Short body.", [])) == "Short body."


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("whoosh:var/whoosh", {"ENGINE": "search.engine.whoosh.backend.ArchiveWhooshEngine",
                               "PATH": "var/whoosh"}),
        ("whoosh:///srv/idx", {"PATH": "/srv/idx"}),
        ("postgres:", {"ENGINE": "search.engine.postgres.backend.PostgresEngine",
                       "DATABASE": "default", "INDEX_METHOD": "rum"}),
        ("postgres:?index=gin", {"DATABASE": "default", "INDEX_METHOD": "gin"}),
        ("postgres://search@db.example:5433/archive_search",
         {"DATABASE": "search", "DATABASE_URL": "postgres://search@db.example:5433/archive_search"}),
        ("postgresql://db/s?index=rum", {"DATABASE": "search", "INDEX_METHOD": "rum",
                                         "DATABASE_URL": "postgres://db/s"}),
    ],
)
def test_search_url_parsing(url, expected):
    parsed = parse_search_url(url)
    for key, value in expected.items():
        assert parsed[key] == value


@pytest.mark.parametrize(
    "url", ["", "var/whoosh", "whoosh:", "ftp://x/y",
            # No engine of the archive's for these: refused rather than half-working.
            "elasticsearch7://es:9200/archive", "solr://solr:8983/solr/archive",
            "opensearch://os:9200/archive",
            "postgres:?index=btree", "postgres:?size=3", "postgres:somewhere", "postgres://"]
)
def test_bad_search_urls_are_refused_clearly(url):
    with pytest.raises(SearchURLError):
        parse_search_url(url)


def test_postgres_search_on_a_sqlite_database_is_refused_at_start():
    from search.engine.config import haystack_connections

    with pytest.raises(SearchURLError, match="DATABASE_URL is not PostgreSQL"):
        haystack_connections("postgres:", database_engine="config.sqlite_backend")
    # A search database of its own needs no PostgreSQL archive database.
    assert haystack_connections("postgres://db/search",
                                database_engine="config.sqlite_backend")["default"]
    assert haystack_connections("postgres:", database_engine="django.db.backends.postgresql")
