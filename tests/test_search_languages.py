"""Search in every language and script, through the page and the engine contract.

* an exact accent match ranks first, and a query without accents finds both spellings;
* snippets mark the accented and Arabic forms the query found;
* did-you-mean suggests real words (never stems), compares them with accents folded and
  never "corrects" a word search finds;
* the protected words belong to the index generation: a name added to the archive is
  protected by the next rebuild, and until then documents and queries still agree;
  ``search_status`` says so; an index built by an older analysis is reported.
"""

from __future__ import annotations

import datetime
import io
import json
import re

import pytest
from django.core.management import CommandError, call_command
from haystack.query import SearchQuerySet

from archive import services
from archive.models import Status
from search.engine import get_engine
from search.freshness import rebuild
from search.testing import fresh_index, index_now
from tests.engines import engine_name, pretend_older_analysis

pytestmark = pytest.mark.django_db

DAY = datetime.date(2024, 3, 1)


def statement(body: str, title: str = "Untitled", **fields):
    return services.create_statement(title=title, body=body, delivered_on=DAY,
                                     status=Status.PUBLISHED, **fields)


def result_slugs(client, q: str) -> list[str]:
    response = client.get("/search/", {"q": q})
    assert response.status_code == 200
    return re.findall(r'<li class="result">\s*<h3><a href="/statements/([^/"]+)/',
                      response.content.decode())


# --- ranking and highlighting ---------------------------------------------------------------


def test_an_exact_accent_match_ranks_first(client):
    fresh_index()
    folded = statement("Marcic said it. Marcic again, Marcic and Marcic, Marcic once more.",
                       title="Five times folded")
    filler = " ".join(["The delegation spoke about water and the harvest."] * 30)
    exact = statement(f"{filler} Dragan Marčić closed the meeting. {filler}",
                      title="Once exact, in a long text")
    index_now()
    assert result_slugs(client, "Marčić") == [exact.slug, folded.slug]
    # Without accents both are found; the one repeating that spelling first.
    assert result_slugs(client, "Marcic") == [folded.slug, exact.slug]
    # The same in a phrase.
    assert result_slugs(client, '"Dragan Marčić"') == [exact.slug]
    assert result_slugs(client, '"Dragan Marcic"') == [exact.slug]


def test_snippets_mark_the_forms_search_found(client):
    fresh_index()
    statement("Talks held in Brasília. The summit of Brasilia followed.")
    statement("ناقش مجلس الأمن والأمن الإقليمي في القمه", language="ar")
    index_now()
    page = client.get("/search/", {"q": "Brasilia"}).content.decode()
    assert "<mark>Brasília</mark>" in page and "<mark>Brasilia</mark>" in page
    page = client.get("/search/", {"q": "الامن القمة"}).content.decode()
    for form in ("الأمن", "والأمن", "القمه"):
        assert f"<mark>{form}</mark>" in page, form


# --- did you mean ---------------------------------------------------------------------------


def test_did_you_mean_suggests_real_words_compared_without_accents():
    fresh_index()
    statement("Dragan Marčić spoke in Genève about the protection of civilians.")
    statement("حماية المدنيين في النزاعات المسلحة ونزع الألغام", language="ar")
    index_now()
    engine = get_engine()

    def suggest(text):
        return SearchQuerySet().spelling_suggestion(text)

    assert suggest("Marcicc") == "marčić"  # one edit from the folded word, offered as written
    assert suggest("Genevee") == "genève"
    assert suggest("Marcic") is None and engine.spell("Geneve") == []  # found: no correction
    assert suggest("الألغامم") == "الألغام"  # a real word with its hamza, not the stem الغام
    # a word typed without its hamza is found, so only the misspelt one is corrected
    assert engine.spell("الالغام حمابة") == [("حمابة", "حماية")]


# --- the protected words of a generation ------------------------------------------------------


def test_protected_words_stay_with_the_generation_until_a_rebuild(client):
    fresh_index()  # a generation whose protected words are the States' Arabic names only
    engine = get_engine()
    assert "سلمان" not in engine.status().protected_words
    peace = statement("دعا الوزير إلى السلم في المنطقة", title="On peace", language="ar")
    services.create_speaker(name="سلمان الخالدي")
    salman = statement("صرح سلمان بأن الاجتماع كان مثمرا", title="Salman's remarks",
                       language="ar")
    index_now()
    # Not protected yet: سلمان is stemmed like السلم (peace), in documents and queries
    # alike, so nothing that should be found is lost, but peace comes with it.
    assert set(result_slugs(client, "سلمان")) == {salman.slug, peace.slug}
    out = io.StringIO()
    call_command("search_status", stdout=out)
    assert "1 more from names added since the index was built e.g. سلمان" in out.getvalue()

    report = rebuild()
    assert report.details["protected words"] == len(engine.status().protected_words)
    assert "سلمان" in engine.status().protected_words
    assert result_slugs(client, "سلمان") == [salman.slug]
    assert set(result_slugs(client, "السلم")) == {peace.slug}
    # The worker writes with the live generation's words too.
    later = statement("وصل سلمان إلى الدوحة", title="Later", language="ar")
    index_now()
    assert set(result_slugs(client, "سلمان")) == {salman.slug, later.slug}
    out = io.StringIO()
    call_command("search_status", stdout=out)
    assert "more from names added" not in out.getvalue()

    if engine_name() == "whoosh":
        # The Whoosh generation keeps its analysis in its own folder.
        directory = engine.live_directory()
        saved = json.loads((directory / "analysis.json").read_text(encoding="utf-8"))
        assert "سلمان" in saved["protected"] and saved["version"] >= 1


def test_an_index_built_by_an_older_analysis_still_answers_and_is_reported(client):
    fresh_index()
    water = statement("Water security for every delegation.")
    index_now()
    engine = get_engine()
    pretend_older_analysis()
    assert result_slugs(client, "water") == [water.slug]
    assert not engine.status().analysis_current
    with pytest.raises(CommandError, match="older version of the text analysis"):
        call_command("search_status", stdout=io.StringIO())
    rebuild()
    assert engine.status().analysis_current
    call_command("search_status", stdout=io.StringIO())


# --- names in field filters and autocomplete --------------------------------------------------


def test_field_filters_and_autocomplete_find_names_whatever_their_accents(client):
    from search import folded_names

    folded_names.clear()
    fresh_index()
    speaker = services.create_speaker(name="Dragana Marčić")
    event = services.create_event(name="Forum on water in Brasília", start_date=DAY,
                                  city="Brasília")
    plain = services.create_event(name="Conference in Sao Paulo", start_date=DAY)
    found = statement("Words on rivers and aquifers.", title="Water",
                      speakers=[services.SpeakerRole(speaker, "Minister")], event=event)
    other = statement("Words on trade.", title="Trade", event=plain)
    draft = services.create_speaker(name="Zoran Kovačević")
    services.create_statement(title="Hidden", body="Draft words.", delivered_on=DAY,
                              status=Status.DRAFT,
                              speakers=[services.SpeakerRole(draft, "Envoy")])
    index_now()
    for q in ("event:Brasilia", "event:brasília", "speaker:Marcic", "speaker:marčić"):
        assert result_slugs(client, q) == [found.slug], q
    assert result_slugs(client, "event:São") == [other.slug], "accents in the query, none stored"

    def suggested(term):
        response = client.get("/search/autocomplete/", {"q": term})
        assert response.status_code == 200
        return {row["value"] for row in response.json()["results"]}

    assert event.slug in suggested("Brasilia")
    assert speaker.slug in suggested("Marcic")
    assert draft.slug not in suggested("Kovacevic"), "a draft-only speaker is never offered"
