"""Search quality: proximity in ranking, best passages with paragraph anchors, marks on the
statement page, NOT and AND, and near-phrases, on a real index and through the real pages."""

import html
import re

import pytest
from django.http import QueryDict

from search.engine.whoosh.proximity import proximity
from search.parsing import Phrase, Word, parse_query
from search.passages import best_passage
from search.request import build_queryset, read_request
from search.testing import fresh_index, index_now

from .engines import index_lost
from .factories import StatementFactory

pytestmark = pytest.mark.django_db

FILLER = ("The delegation thanks the President of the Assembly for his guidance and "
          "recalls the work of the committees over the past year. ")


def ranked(q: str) -> list[int]:
    params = QueryDict(mutable=True)
    params["q"] = q
    return [int(r.pk) for r in build_queryset(read_request(params))[:10]]


# --- proximity ------------------------------------------------------------------------------


def test_proximity_is_highest_for_words_side_by_side_in_order():
    together = proximity([[10], [11], [12]])
    reversed_order = proximity([[12], [11], [10]])
    apart = proximity([[10], [200], [400]])
    assert together == 1.0
    assert together > reversed_order > apart
    assert apart == 0.0
    assert proximity([[5], []]) == 0.0  # one word alone says nothing of closeness


def test_words_standing_together_outrank_the_same_words_scattered():
    fresh_index()
    scattered = StatementFactory(body=(
        "Glacier retreat is a concern. " + FILLER * 4 + "Pastoral herders move on. "
        + FILLER * 4 + "The monsoon failed. " + FILLER * 4
        + "A glacier again. " + FILLER * 4 + "Herders again. " + FILLER * 4
        + "A late monsoon."))
    together = StatementFactory(body=FILLER * 3 + "The glacier herders monsoon calendar "
                                "is the subject of this statement. " + FILLER * 6)
    index_now()
    # Without quotes: both hold every word; the one where they form one phrase comes first,
    # although the other holds each word more often.
    assert ranked("glacier herders monsoon")[:2] == [together.pk, scattered.pk]


def test_a_word_in_the_title_weighs_more_than_the_same_word_in_the_text():
    fresh_index()
    in_text = StatementFactory(title="Statement on fisheries",
                               body=FILLER * 2 + "Desalination matters. " + FILLER * 2)
    in_title = StatementFactory(title="Statement on desalination",
                                body=FILLER * 2 + "Desalination matters. " + FILLER * 2)
    index_now()
    assert ranked("desalination")[:2] == [in_title.pk, in_text.pk]


# --- passages and anchors -------------------------------------------------------------------


BODY = (
    "The river is mentioned here once, in passing.\n\n"
    + FILLER + "\n\n"
    + "In the delta, the river floods each spring; the delta farmers and the river pilots "
    "ask for a joint river commission.\n\n"
    + "Closing words of thanks."
)


def test_the_snippet_is_the_paragraph_with_the_most_query_words_closest_together():
    fresh_index()
    index_now()
    passage = best_passage(BODY, ["river", "delta"])
    assert passage.number == 3
    text = html.unescape(re.sub(r"</?mark>", "", passage.html))
    assert text.startswith("In the delta, the river floods")
    assert "¶" not in passage.html and "\n" not in passage.html
    assert "<mark>delta</mark>" in passage.html and "<mark>river</mark>" in passage.html


def test_stopwords_are_never_marked_on_their_own_only_inside_a_run():
    fresh_index()
    index_now()
    passage = best_passage("Peoples have the right of peoples to choose, of course.",
                           ["the", "right", "of", "peoples"])
    assert "<mark>right</mark> <mark>of</mark> <mark>peoples</mark>" in passage.html
    # "of course" and "have the": a function word beside no marked word stays plain.
    assert "<mark>of</mark> course" not in passage.html
    assert "<mark>the</mark>" not in passage.html


def test_a_long_paragraph_gives_the_window_holding_the_words():
    fresh_index()
    index_now()
    body = FILLER * 10 + "Here the cobalt tariff stands. " + FILLER * 10
    passage = best_passage(body, ["cobalt", "tariff"])
    assert passage.number == 1
    assert "<mark>cobalt</mark> <mark>tariff</mark>" in passage.html
    assert passage.html.startswith("… ") and passage.html.endswith(" …")
    assert len(re.sub(r"<[^>]+>", "", passage.html)) <= 310


def test_each_hit_links_to_its_passage_with_the_query(client):
    fresh_index()
    statement = StatementFactory(body=BODY)
    index_now()
    body = client.get("/search/", {"q": "river delta"}).content.decode()
    url = f"{statement.get_absolute_url()}?q=river+delta#p3"
    assert f'href="{html.escape(url)}"' in body or f'href="{url}"' in body
    snippet = re.search(r'<p class="snippet"[^>]*>(.*?)</p>', body, re.S).group(1)
    assert "In the <mark>delta</mark>" in snippet and "¶" not in snippet


def test_every_paragraph_of_the_statement_page_has_an_anchor(client):
    statement = StatementFactory(body=BODY)
    page = client.get(statement.get_absolute_url()).content.decode()
    for n in range(1, 5):
        assert f'<p id="p{n}">' in page
    assert 'id="p5"' not in page


def test_the_statement_page_marks_the_query_words_server_side(client):
    fresh_index()
    statement = StatementFactory(body=BODY + "\n\nA <b>bold</b> claim about the river.")
    index_now()
    page = client.get(statement.get_absolute_url(), {"q": "river delta"}).content.decode()
    paragraph = re.search(r'<p id="p3">(.*?)</p>', page, re.S).group(1)
    assert paragraph.count("<mark>river</mark>") == 3
    assert paragraph.count("<mark>delta</mark>") == 2
    assert "<mark>the</mark>" not in page
    # The text stays escaped around the marks.
    assert "&lt;b&gt;bold&lt;/b&gt;" in page
    assert "The words of your search are marked" in page
    plain = client.get(statement.get_absolute_url()).content.decode()
    assert "<mark>" not in plain


def test_the_statement_page_without_an_index_shows_the_text_unmarked(client, settings):
    statement = StatementFactory(body=BODY)
    fresh_index()
    with index_lost():
        page = client.get(statement.get_absolute_url(), {"q": "river"})
        assert page.status_code == 200
        assert '<p id="p1">' in page.content.decode()


# --- NOT, AND, near -------------------------------------------------------------------------


def test_not_and_and_are_operators():
    assert parse_query("water NOT drought").clauses == [Word("water"),
                                                         Word("drought", negated=True)]
    assert parse_query('water NOT "cold war"').clauses == [Word("water"),
                                                           Phrase("cold war", negated=True)]
    assert parse_query("water AND drought").clauses == [Word("water"), Word("drought")]
    # In small letters they are words.
    assert parse_query("water not drought").clauses == [Word("water"), Word("not"),
                                                        Word("drought")]
    assert parse_query("water NOT").notices


def test_not_leaves_statements_out_like_minus():
    fresh_index()
    dry = StatementFactory(body="Water and drought in the Sahel.")
    wet = StatementFactory(body="Water and floods in the delta.")
    index_now()
    assert ranked("water NOT drought") == [wet.pk]
    assert ranked("water -drought") == [wet.pk]
    assert set(ranked("water AND drought")) == {dry.pk}


def test_near_phrase_finds_the_words_within_n_of_each_other_in_any_order():
    fresh_index()
    close = StatementFactory(body="Security along the long mountain border is the question.")
    far = StatementFactory(body="Security matters. " + FILLER + "The border is open.")
    index_now()
    assert parse_query('"border security"~5').clauses == [Phrase("border security", slop=5)]
    assert ranked('"border security"~5') == [close.pk]
    assert set(ranked('"border security"~40')) == {close.pk, far.pk}
    assert ranked('"border security"') == []


# --- no hits --------------------------------------------------------------------------------


def no_hits_page(client, **params) -> str:
    response = client.get("/search/", params)
    assert response.status_code == 200
    body = response.content.decode()
    assert "No statements found" in body
    return body


def test_no_hits_offers_the_query_without_quotes_and_with_or_with_counts(client):
    fresh_index()
    StatementFactory(body="Fisheries and the ocean floor. " + FILLER)
    StatementFactory(body="The ocean currents. " + FILLER)
    index_now()
    body = no_hits_page(client, q='"ocean fisheries"')
    unquoted = re.search(r'alternative--unquoted">(.*?)</li>', body, re.S).group(1)
    assert html.unescape(unquoted).count("ocean fisheries") == 1 and "(1 statement)" in unquoted
    assert "(2 statements)" in re.search(r'alternative--any">(.*?)</li>', body, re.S).group(1)
    assert "ocean OR fisheries" in html.unescape(body)
    # The syntax help is there, open.
    assert '<details class="search-help" id="search-help" open>' in body


def test_no_hits_offers_the_query_without_its_narrowest_filter(client):
    fresh_index()
    StatementFactory(body="Tidal energy for island grids. " + FILLER)
    index_now()
    body = no_hits_page(client, q="tidal year:1999")
    relax = re.search(r'<p class="relax">(.*?)</p>', body, re.S).group(1)
    assert "year: <bdi>1999</bdi>" in relax and "is 1 result" in relax
    assert 'href="?q=tidal"' in relax


def test_no_hits_offers_did_you_mean(client):
    fresh_index()
    StatementFactory(body="Desertification advances each year. " + FILLER)
    index_now()
    body = no_hits_page(client, q="desertificaton")
    assert re.search(r"Did you mean <a [^>]*>desertification</a>", body)


# --- long event names ---------------------------------------------------------------------


LONG_EVENT = ("Third High-Level International Conference on the International Decade for "
              "Action Water for Sustainable Development 2018-2028, held under the auspices of "
              "the Government")


def test_long_event_names_are_shortened_in_facets_and_chips_and_whole_on_hover(client):
    from .factories import EventFactory

    fresh_index()
    event = EventFactory(name=LONG_EVENT, slug="third-water-conference")
    StatementFactory(event=event, body="Glaciers and aquifers. " + FILLER)
    index_now()
    body = client.get("/search/", {"q": "aquifers"}).content.decode()
    facet = re.search(r'<bdi class="label">(<span title=.*?</span></span>)</bdi>', body).group(1)
    assert f'title="{LONG_EVENT}"' in facet
    visible = re.search(r'aria-hidden="true">([^<]*)</span>', facet).group(1)
    assert visible.endswith("…") and len(visible) <= 60 and LONG_EVENT.startswith(visible[:-1])
    assert f'<span class="visually-hidden">{LONG_EVENT}</span>' in facet

    body = client.get("/search/", {"q": "aquifers", "event": event.slug}).content.decode()
    chip = re.search(r'<a class="chip" [^>]*>(.*?)</a>', body, re.S).group(0)
    assert f"Remove filter Event: {LONG_EVENT}" in chip
    assert f'title="{LONG_EVENT}"' in chip and visible in chip


def test_a_sentence_of_common_words_typed_without_quotes_finds_its_speech_first():
    fresh_index()
    often = StatementFactory(body=(
        "We must ensure peace. What we need is courage. To do so is hard; to act, harder. "
        "We need allies to ensure it. We do what we need to. " * 3 + FILLER))
    sentence = StatementFactory(body=FILLER + "This is what we need to do to ensure a "
                                "lasting peace. " + FILLER * 2)
    index_now()
    assert ranked("what we need to do to ensure")[:2] == [sentence.pk, often.pk]
