"""The search page on the demo data, against a real Whoosh index in a temporary folder."""

import html
import io
import re

import pytest
from django.core.management import call_command
from django.test import Client

from archive.models import Statement, Status
from search.testing import fresh_index, index_now
from tests.engines import whoosh_only

from .cleanup import remove_archive_rows

pytestmark = pytest.mark.django_db

QATAR = "qatar-dushanbe-border-security-conference-2022"
QAHTANI = "mutlaq-bin-majed-al-qahtani"


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker):
    """The demo data and its index, built once for the module (these tests only read)."""
    with django_db_blocker.unblock():
        fresh_index()
        call_command("load_demo", stdout=io.StringIO())
        index_now()
        yield
        remove_archive_rows()
        fresh_index()


@pytest.fixture
def demo(demo_data, db):
    return None


def get(client, **params):
    return client.get("/search/", params)


def result_slugs(response) -> list[str]:
    body = response.content.decode()
    return re.findall(r'<li class="result">\s*<h3><a href="/statements/([^/"]+)/', body)


def published_slugs(qs) -> set[str]:
    return set(qs.filter(status=Status.PUBLISHED).values_list("slug", flat=True))


def test_qahtani_finds_the_dushanbe_statement_with_a_highlighted_snippet(client, demo):
    response = get(client, q="Qahtani")
    assert response.status_code == 200
    assert QATAR in result_slugs(response)
    assert "<mark>Qahtani</mark>" in response.content.decode()


def test_speaker_facet_label_is_whole_and_selecting_it_returns_exactly_his_statements(
    client, demo
):
    body = get(client, q="Qahtani").content.decode()
    assert ">Mutlaq bin Majed Al Qahtani<" in body
    expected = published_slugs(Statement.objects.filter(statement_speakers__speaker__slug=QAHTANI))
    response = get(client, speaker=QAHTANI)
    assert set(result_slugs(response)) == expected
    assert f"of {len(expected)} statement" in response.content.decode()


@pytest.mark.parametrize("q", ["event:Dushanbe", '"border security"', 'speaker:"Al Qahtani"',
                               "speaker:Al-Qahtani", "country:QAT", "country:Qatar", "year:2022"])
def test_field_filters_and_phrases_find_it(client, demo, q):
    assert QATAR in result_slugs(get(client, q=q))


def test_misspelling_suggests_a_real_word(client, demo):
    body = get(client, q="terorism").content.decode()
    assert "Did you mean" in body
    assert re.search(r"Did you mean <a [^>]*>terrorism</a>", body)


def test_no_results_offers_to_drop_a_filter(client, demo):
    response = get(client, q="Qahtani", language="ar")
    assert response.status_code == 200
    body = response.content.decode()
    assert "No statements found" in body
    assert "Without the filter" in body and "Language: <bdi>Arabic</bdi>" in body


def test_drafts_never_appear(client, demo):
    drafts = list(Statement.objects.filter(status=Status.DRAFT))
    assert drafts
    for draft in drafts:
        for q in [draft.title, draft.title.split()[0], "embargoed", "Próbka", ""]:
            body = get(client, q=q).content.decode()
            assert draft.slug not in body
            # The page echoes the query itself; the draft's title must not appear otherwise.
            assert html.escape(draft.title) not in body.replace(html.escape(q), "")
    assert "Próbka" not in get(client).content.decode()
    assert get(client, speaker="zofia-probka").status_code == 400
    autocomplete = client.get("/search/autocomplete/", {"q": "Zofia"}).json()
    assert autocomplete == {"results": []}


def test_empty_query_browses_everything_newest_first_with_facets(client, demo):
    response = get(client)
    body = response.content.decode()
    total = Statement.objects.published().count()
    assert f"of {total} statement" in body
    slugs = result_slugs(response)
    newest = list(
        Statement.objects.published().newest_first().values_list("slug", flat=True)[:20]
    )
    dates = dict(Statement.objects.values_list("slug", "delivered_on"))
    assert [dates[s] for s in slugs] == [dates[s] for s in newest]
    assert 'class="year-chart"' in body


def test_or_within_a_facet_and_across_facets(client, demo):
    kenya = published_slugs(Statement.objects.filter(country__code="KEN"))
    jordan = published_slugs(Statement.objects.filter(country__code="JOR"))
    both = get(client, country=["KEN", "JOR"])
    assert set(result_slugs(both)) == kenya | jordan
    year_2019 = published_slugs(Statement.objects.filter(delivered_on__year=2019))
    narrowed = get(client, country=["KEN", "JOR"], year="2019")
    assert set(result_slugs(narrowed)) == (kenya | jordan) & year_2019


def test_selected_facet_keeps_other_values_to_add(client, demo):
    body = get(client, country="KEN").content.decode()
    # Kenya is selected, and other countries stay offered with their own counts.
    assert 'aria-current="true"' in body
    assert "country=KEN&amp;country=" in body


def test_links_keep_every_parameter(client, demo):
    response = get(client, q="water", country="KEN", sort="newest")
    body = html.unescape(response.content.decode())
    for href in re.findall(r'href="(\?[^"]*)"', body):
        if "country=KEN" not in href:
            # Only the chip/facet link that removes Kenya may drop it.
            assert "Remove" in body
            continue
        assert "q=water" in href


def test_pagination_links_keep_parameters_and_nonsense_pages_are_404(client, demo):
    response = get(client, q="", sort="oldest")
    total = Statement.objects.published().count()
    assert total > 20, "the demo data fills more than one page"
    next_link = re.search(r'rel="next" href="([^"]+)"', response.content.decode())[1]
    assert "page=2" in next_link and "sort=oldest" in next_link
    second = client.get("/search/" + html.unescape(next_link))
    assert second.status_code == 200 and len(result_slugs(second)) == total - 20
    for page in ["0", "-1", "abc", "1.5", "999999", "9" * 50]:
        assert get(client, page=page).status_code == 404, page
    assert get(client, q="Qahtani", page="5").status_code == 404


@pytest.mark.parametrize(
    "params",
    [
        {"sort": "title"},
        {"sort": "-date"},
        {"from": "2022-13-01"},
        {"from": "yesterday"},
        {"to": "2022-02-30"},
        {"from": "2023-01-01", "to": "2022-01-01"},
        {"speaker": "no-such-speaker"},
        {"speaker": "*"},
        {"speaker": 'a"b'},
        {"country": "XX1"},
        {"kind": "poem"},
        {"language": "klingon"},
        {"year": "twenty"},
        {"topic": "x" * 500},
    ],
)
def test_malformed_parameters_are_400_with_a_message(client, demo, params):
    response = get(client, **params)
    assert response.status_code == 400
    assert 'class="message error"' in response.content.decode()


@pytest.mark.parametrize(
    "q",
    [
        '"unbalanced quote',
        "AND OR",
        "OR",
        "NOT",
        "*",
        "?",
        "secur*",
        "*curity",
        "speaker:",
        "speaker:\"",
        "from:notadate",
        "year:20222",
        "x" * 5000,
        "border " * 1000,
        "\x00\x01\x02 nul",
        "\u200f\u202e\u2066rtl marks\u2069",
        "الأمن الحدودي",
        "قطر",
        "a < b & c",
        "<script>alert(1)</script>",
        "foo:bar baz:",
        "((()))",
        "-",
        "--",
        '""',
        "\\",
        "~2 ^3 [a TO b] {x}",
    ],
)
def test_hostile_queries_never_fail(client, demo, q):
    response = get(client, q=q)
    body = response.content.decode()
    if any(ord(ch) < 32 and ch != "\t" for ch in q):
        # Refused before the view, with a message (config.middleware.QueryCharactersMiddleware).
        assert response.status_code == 400, q
        assert "cannot contain" in body
        return
    assert response.status_code == 200, q
    assert "<script>alert(1)" not in body


def test_arabic_matches_with_and_without_diacritics_and_alef_forms(client, demo):
    plain = result_slugs(get(client, q="المياه"))
    assert plain, "the demo has Arabic statements about water"
    assert result_slugs(get(client, q="المِيَاه")) == plain
    assert result_slugs(get(client, q="مياه")) == plain


def test_search_page_query_count_does_not_grow_with_results(
    client, demo, django_assert_max_num_queries
):
    # Labels: one query per facet shown; bodies for snippets: one query per page.
    with django_assert_max_num_queries(14):
        response = get(client)
    assert response.status_code == 200
    with django_assert_max_num_queries(14):
        get(client, q="water", country="KEN", year="2019")


def test_missing_index_answers_503_and_browsing_keeps_working(client, demo, settings):
    from .engines import index_lost

    with index_lost():
        response = get(client, q="water")
        assert response.status_code == 503
        assert "Search is unavailable" in response.content.decode()
        assert client.get("/").status_code == 200
    assert get(client, q="water").status_code == 200


@whoosh_only  # PostgreSQL's tables are not files a crash leaves half-written
def test_corrupt_index_answers_503(client, demo):
    from search.engine import get_engine

    backend = get_engine()
    directory = backend.live_directory()
    saved = {toc: toc.read_bytes() for toc in directory.glob("*.toc")}
    try:
        for toc in saved:
            toc.write_bytes(b"not an index")
        backend.forget_searcher()
        assert get(client, q="water").status_code == 503
    finally:
        for toc, content in saved.items():
            toc.write_bytes(content)
        backend.forget_searcher()
    assert get(client, q="water").status_code == 200


def test_autocomplete_is_bounded_published_only_and_escaped(client, demo):
    data = client.get("/search/autocomplete/", {"q": "Qahtani"}).json()
    assert {"type": "speaker", "value": QAHTANI} in [
        {"type": r["type"], "value": r["value"]} for r in data["results"]
    ]
    assert client.get("/search/autocomplete/", {"q": "Q"}).json() == {"results": []}
    assert client.get("/search/autocomplete/", {"q": "x" * 5000}).status_code == 200
    assert client.get("/search/autocomplete/", {"q": "ab", "type": "nope"}).status_code == 400
    raw = client.get("/search/autocomplete/", {"q": "Dushanbe"}).content
    assert b"<" not in raw and b">" not in raw


def test_page_has_no_inline_script_and_labels_its_controls(client, demo):
    body = get(client, q="water").content.decode()
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body) is None
    assert '<label for="search-q">' in body
    assert 'src="/static/js/autocomplete.js"' in body


def test_search_without_javascript_is_a_plain_get_form(demo):
    body = Client().get("/search/").content.decode()
    assert re.search(r'<form class="search-form" method="get" action="/search/"', body)
