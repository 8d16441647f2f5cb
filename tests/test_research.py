"""The research tools on the demo data: trends, who says it most, keyword in context, compare.

The counts are checked against the test's own count over the same texts: every published
body read from the database, split into words with a plain regular expression, each word
folded and stemmed with the English Snowball stemmer (what search does to English words).
"""

from __future__ import annotations

import csv
import html
import io
import re
import unicodedata
from collections import Counter

import pytest
from django.core.management import call_command
from django.http import QueryDict
from whoosh.lang import stemmer_for_language

from archive import services
from archive.models import Statement, Status
from research import counting
from research.models import StatementStats
from search.engine import get_engine
from search.engine.contract import SearchEngine
from search.request import read_request
from search.testing import fresh_index, index_now

from .cleanup import remove_archive_rows

pytestmark = pytest.mark.django_db

STEM = stemmer_for_language("en")


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        fresh_index()
        call_command("load_demo", stdout=io.StringIO())
        index_now()
        yield
        StatementStats.objects.all().delete()
        remove_archive_rows()
        fresh_index()


@pytest.fixture
def demo(demo_data, db):
    return None


# --- the test's own count -------------------------------------------------------------------


# A word: letters and digits, with any Arabic vowel marks (harakat) inside it, which are
# part of the word they sit on, not word breaks.
WORD = re.compile(r"\w(?:[\w\u064b-\u065f\u0670])*")


def words_of(text: str) -> list[str]:
    return WORD.findall(text)


def folded(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def own_count(body: str, phrase: str) -> int:
    """Occurrences of ``phrase`` (English words) in ``body``: stems at consecutive places."""
    wanted = [STEM(folded(w)) for w in words_of(phrase)]
    stems = [STEM(folded(w)) for w in words_of(body)]
    size = len(wanted)
    return sum(1 for i in range(len(stems) - size + 1) if stems[i : i + size] == wanted)


def published():
    return list(Statement.objects.filter(status=Status.PUBLISHED).select_related("country"))


def api(client, path, **params):
    response = client.get(path, params)
    return response, (response.json() if response["Content-Type"].startswith(
        "application/json") else None)


# --- trends ---------------------------------------------------------------------------------


@pytest.mark.parametrize("q", ["fictional", "border", '"border security"', "minister"])
def test_trends_counts_agree_with_an_own_count_over_the_published_bodies(client, demo, q):
    response, data = api(client, "/api/trends/", q=q, by="year")
    assert response.status_code == 200, response.content
    [series] = data["series"]
    phrase = q.strip('"')
    statements = published()
    per_year_total = Counter(s.delivered_on.year for s in statements)
    per_year_words = Counter()
    per_year_occurrences = Counter()
    for s in statements:
        per_year_words[s.delivered_on.year] += len(words_of(s.body))
        per_year_occurrences[s.delivered_on.year] += own_count(s.body, phrase)
    buckets = {int(b["key"]): b for b in series["buckets"]}
    assert set(buckets) == set(range(min(per_year_total), max(per_year_total) + 1))
    assert sum(b["occurrences"] for b in buckets.values()) > 0
    for year, bucket in buckets.items():
        assert bucket["total"] == per_year_total[year]
        assert bucket["occurrences"] == per_year_occurrences[year], year
        assert bucket["words"] == per_year_words[year]
        if bucket["total"]:
            assert bucket["share"] == pytest.approx(bucket["count"] / bucket["total"], abs=1e-4)
        if bucket["words"]:
            assert bucket["rate"] == pytest.approx(
                per_year_occurrences[year] * 10_000 / per_year_words[year], abs=1e-3)
        # The count is what the search page finds for that year.
        search = client.get("/api/statements/", {"q": q, "year": str(year), "page_size": 1})
        assert bucket["count"] == (search.json()["count"] if bucket["total"] else 0)


def test_words_only_in_titles_and_names_are_not_occurrences(client, demo):
    # "Dushanbe" is in the event's name and titles as well as in bodies.
    _response, data = api(client, "/api/trends/", q="Dushanbe")
    occurrences = sum(b["occurrences"] for b in data["series"][0]["buckets"])
    assert occurrences == sum(own_count(s.body, "Dushanbe") for s in published())
    titles = sum(own_count(s.title, "Dushanbe") for s in published())
    assert titles > 0  # the index holds more than the bodies, which are all that count


def test_trends_with_several_series_and_a_split(client, demo):
    _r, data = api(client, "/api/trends/", q="border", also=["water", "minister"])
    assert [s["label"] for s in data["series"]] == ["border", "water", "minister"]
    response, data = api(client, "/api/trends/", q="fictional", split="country",
                         country=["NOR", "KEN"])
    assert response.status_code == 200
    labels = [s["label"] for s in data["series"]]
    assert len(labels) == 2 and any("Norway" in x for x in labels)
    norway = next(s for s in data["series"] if "Norway" in s["label"])
    total = sum(b["total"] for b in norway["buckets"])
    assert total == Statement.objects.filter(status=Status.PUBLISHED, country__code="NOR").count()
    # Without values, the five countries with most matching statements.
    _r, data = api(client, "/api/trends/", q="fictional", split="country")
    assert 1 <= len(data["series"]) <= 5


def test_drafts_never_count(client, demo):
    draft = Statement.objects.filter(status=Status.DRAFT).first()
    # A word of the draft that no published statement holds (the search page finds none).
    word = next((w for w in sorted(set(words_of(draft.body)), key=len, reverse=True)
                 if len(w) > 4 and client.get("/api/statements/", {"q": w}).json()["count"] == 0),
                None)
    if word is None:
        pytest.skip("every word of the drafts is in a published statement too")
    _r, data = api(client, "/api/trends/", q=word)
    assert sum(b["count"] + b["occurrences"] for b in data["series"][0]["buckets"]) == 0
    _r, data = api(client, "/api/trends/", q="")
    assert sum(b["total"] for b in data["series"][0]["buckets"]) == len(published())
    _r, data = api(client, "/api/kwic/", q=word)
    assert data["count"] == 0 and data["lines"] == []


@pytest.mark.parametrize("params, words", [
    ({"q": "x", "by": "month"}, "by year"),
    ({"q": "x", "split": "topic"}, "country or speaker"),
    ({"q": "x", "also": ["a", "b", "c", "d", "e"]}, "At most 5"),
    ({"q": "x", "also": "y", "split": "country"}, "not both"),
    ({"q": "x", "country": "ZZZ"}, "no country"),
    ({"q": "x", "from": "2022-13-01"}, "does not exist"),
])
def test_bad_trends_parameters_are_a_400_with_the_reason(client, demo, params, words):
    response, data = api(client, "/api/trends/", **params)
    assert response.status_code == 400
    assert words in data["detail"]
    page = client.get("/trends/", params)
    assert page.status_code == 400
    assert words in html.unescape(page.content.decode())


def test_trends_page_has_a_chart_a_table_and_a_csv(client, demo):
    response = client.get("/trends/", {"q": "border", "also": "water"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "<svg" in body and "<polyline" in body
    assert "<table>" in body and "<th scope=\"row\">2022</th>" in body
    assert "/trends/export.csv?" in body
    rows = list(csv.reader(io.StringIO(
        client.get("/trends/export.csv", {"q": "border", "also": "water"}).content.decode())))
    assert rows[0][:4] == ["series", "year", "statements", "total"]
    _r, data = api(client, "/api/trends/", q="border", also="water")
    assert len(rows) - 1 == sum(len(s["buckets"]) for s in data["series"])
    for page in ("/trends/", "/who/", "/kwic/", "/compare/"):
        assert client.get(page).status_code == 200


# --- keyword in context ---------------------------------------------------------------------


@pytest.mark.parametrize("q", ["fictional", '"border security"', "river"])
def test_kwic_lines_agree_with_an_own_count_and_link_to_their_paragraph(client, demo, q):
    response, data = api(client, "/api/kwic/", q=q, page_size=500)
    assert response.status_code == 200
    phrase = q.strip('"')
    statements = {s.slug: s for s in published()}
    expected = sum(own_count(s.body, phrase) for s in statements.values())
    assert data["count"] == expected == len(data["lines"]) > 0
    wanted = [STEM(folded(w)) for w in words_of(phrase)]
    for line in data["lines"]:
        assert [STEM(folded(w)) for w in words_of(line["match"])] == wanted
        match = re.search(r"/statements/([^/]+)/#p(\d+)$", line["statement"])
        assert match, line["statement"]
        statement = statements[match.group(1)]
        paragraph = statement.paragraphs[int(match.group(2)) - 1]
        assert line["match"] in paragraph
        assert (line["left"] + line["match"]).strip()[-40:] in " ".join(paragraph.split())
    # Newest first by default.
    dates = [line["date"] for line in data["lines"]]
    assert dates == sorted(dates, reverse=True)
    # The same count as trends.
    _r, trends = api(client, "/api/trends/", q=q)
    assert sum(b["occurrences"] for b in trends["series"][0]["buckets"]) == expected


def test_kwic_orders_pages_and_filters(client, demo):
    _r, everything = api(client, "/api/kwic/", q="fictional", page_size=500)
    total = everything["count"]
    _r, first = api(client, "/api/kwic/", q="fictional", page_size=5)
    _r, second = api(client, "/api/kwic/", q="fictional", page_size=5, page=2)
    assert first["lines"] + second["lines"] == everything["lines"][:10]
    assert first["pages"] == -(-total // 5)
    response, _data = api(client, "/api/kwic/", q="fictional", page=first["pages"] + 1,
                          page_size=5)
    assert response.status_code == 404
    for order, key in (("left", lambda line: words_of(line["left"])[-1].lower()
                        if words_of(line["left"]) else ""),
                       ("right", lambda line: words_of(line["right"])[0].lower()
                        if words_of(line["right"]) else "")):
        _r, data = api(client, "/api/kwic/", q="fictional", order=order, page_size=500)
        keys = [folded(key(line)) for line in data["lines"]]
        assert keys == sorted(keys) and data["count"] == total
    _r, data = api(client, "/api/kwic/", q="fictional", order="oldest", page_size=500)
    assert [x["date"] for x in data["lines"]] == sorted(x["date"] for x in data["lines"])
    _r, norway = api(client, "/api/kwic/", q="fictional", country="NOR", page_size=500)
    expected = sum(own_count(s.body, "fictional") for s in published()
                   if s.country and s.country.code == "NOR")
    assert norway["count"] == expected
    assert {line["country"] for line in norway["lines"]} <= {"Norway"}


def test_kwic_page_and_csv(client, demo):
    response = client.get("/kwic/", {"q": "fictional", "page_size": "3"})
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("<mark>") == 3 and "#p" in body and 'rel="next"' in body
    rows = list(csv.reader(io.StringIO(
        client.get("/kwic/export.csv", {"q": "fictional"}).content.decode())))
    _r, data = api(client, "/api/kwic/", q="fictional", page_size=500)
    assert len(rows) - 1 == data["count"]
    assert rows[0] == ["date", "country", "statement", "left", "match", "right", "url"]
    assert client.get("/kwic/", {"q": "fictional", "page": "999999"}).status_code == 404
    response, data = api(client, "/api/kwic/", q="country:NOR")
    assert response.status_code == 400 and "word or phrase" in data["detail"]
    response, data = api(client, "/api/kwic/", q="x", order="sideways")
    assert response.status_code == 400


# --- who says it most -----------------------------------------------------------------------


def test_who_ranks_countries_by_rate_with_raw_counts(client, demo):
    response, data = api(client, "/api/who/", q="fictional", by="country", min_words=0)
    assert response.status_code == 200
    occurrences, words = Counter(), Counter()
    for s in published():
        if s.country:
            occurrences[s.country.code] += own_count(s.body, "fictional")
            words[s.country.code] += len(words_of(s.body))
    got = {r["key"]: r for r in data["results"]}
    assert set(got) == {code for code, n in occurrences.items() if n}
    for code, row in got.items():
        assert row["occurrences"] == occurrences[code]
        assert row["words"] == words[code]
        assert row["rate"] == pytest.approx(occurrences[code] * 10_000 / words[code], abs=1e-3)
    rates = [r["rate"] for r in data["results"]]
    assert rates == sorted(rates, reverse=True)
    # A minimum volume leaves out those who spoke less.
    cut = sorted(words[c] for c in got)[len(got) // 2]
    _r, fewer = api(client, "/api/who/", q="fictional", min_words=cut)
    assert {r["key"] for r in fewer["results"]} == {c for c in got if words[c] >= cut}
    assert fewer["below_minimum"] == len(got) - len(fewer["results"])


def test_who_by_speaker_and_its_page(client, demo):
    response, data = api(client, "/api/who/", q="border", by="speaker", min_words=0)
    assert response.status_code == 200 and data["results"]
    page = client.get("/who/", {"q": "border", "min_words": "0"})
    assert page.status_code == 200
    assert "Qatar" in page.content.decode()
    csv_rows = list(csv.reader(io.StringIO(
        client.get("/who/export.csv", {"q": "border", "min_words": "0"}).content.decode())))
    assert csv_rows[0][:3] == ["rank", "country", "name"] and len(csv_rows) > 1
    for params in ({"q": ""}, {"q": "x", "by": "topic"}, {"q": "x", "min_words": "-3"}):
        assert api(client, "/api/who/", **params)[0].status_code == 400


# --- compare two ----------------------------------------------------------------------------


def test_compare_two_countries(client, demo):
    response, data = api(client, "/api/compare/", a="country:NOR", b="country:KEN")
    assert response.status_code == 200, data
    assert "log-odds" in data["method"]
    assert data["a"]["label"] == "Norway" and data["a"]["statements"] == 3
    bodies = {side: " ".join(s.body for s in published() if s.country
                             and s.country.code == code).lower()
              for side, code in (("a", "NOR"), ("b", "KEN"))}
    for side in ("a", "b"):
        for word in data["distinctive"][side]:
            assert folded(word["word"]) in folded(bodies[side])
            assert word["word"] not in {"the", "and", "of", "for", "to", "in", "this"}
            assert (word["z"] > 0) == (side == "a")
    years_a = {s.delivered_on.year for s in published() if s.country and s.country.code == "NOR"}
    years_b = {s.delivered_on.year for s in published() if s.country and s.country.code == "KEN"}
    assert data["shared_years"] == sorted(years_a & years_b)
    page = client.get("/compare/", {"a": "country:NOR", "b": "country:KEN"})
    assert page.status_code == 200 and "log-odds" in page.content.decode()
    for params, words in (({"a": "country:NOR"}, "Give “b” once"),
                          ({"a": "country:NOR", "b": "planet:MARS"}, "names a side"),
                          ({"a": "country:NOR", "b": "country:NOR"}, "the same"),
                          ({"a": "country:NOR", "b": "country:ZZZ"}, "no country")):
        response, data = api(client, "/api/compare/", **params)
        assert response.status_code == 400 and words in data["detail"]


# --- the engine contract and the change path ------------------------------------------------


def test_the_generic_contract_defaults_agree_with_the_whoosh_engine(demo):
    engine = get_engine()
    for q in ("fictional", '"border security"', "country:NOR fictional", ""):
        request = read_request(QueryDict(f"q={q}"))
        tree = counting.tree_of(request)
        assert SearchEngine.statement_ids(engine, tree) == engine.statement_ids(tree)
        phrases = counting.targets(request) or ["fictional"]
        generic = SearchEngine.phrase_positions(engine, tree, phrases)
        assert generic == {pk: list(p) for pk, p in engine.phrase_positions(tree, phrases).items()}
        assert generic
        body = Statement.objects.filter(status=Status.PUBLISHED).first().body
        assert SearchEngine.text_matches(engine, body, phrases) == \
            engine.text_matches(body, phrases)


def test_an_edit_through_the_services_updates_the_counts(client, demo):
    statement = Statement.objects.filter(status=Status.PUBLISHED).order_by("pk").first()
    before = api(client, "/api/trends/", q="zebracrossing")[1]
    assert sum(b["count"] for b in before["series"][0]["buckets"]) == 0
    old_body = statement.body
    try:
        services.update_statement(statement, body=old_body + "\n\nA zebracrossing, and "
                                  "another zebracrossing.")
        index_now()
        _r, data = api(client, "/api/trends/", q="zebracrossing")
        assert sum(b["occurrences"] for b in data["series"][0]["buckets"]) == 2
        _r, lines = api(client, "/api/kwic/", q="zebracrossing")
        assert lines["count"] == 2
        assert lines["lines"][0]["statement"].endswith(f"#p{len(statement.paragraphs)}")
        words = StatementStats.objects.get(statement=statement).words
        assert words == len(words_of(statement.body))
    finally:
        services.update_statement(statement, body=old_body)
        index_now()


def test_the_search_page_and_the_nav_link_to_the_tools_with_the_query(client, demo):
    body = client.get("/search/", {"q": "border", "country": "QAT"}).content.decode()
    assert 'href="/trends/?q=border&amp;country=QAT"' in body
    assert 'href="/kwic/?q=border&amp;country=QAT"' in body
    assert 'href="/who/?q=border&amp;country=QAT"' in body
    home = client.get("/").content.decode()
    assert 'href="/trends/"' in home


def test_too_many_missing_statistics_is_a_503_that_says_what_to_run(client, demo, monkeypatch):
    from research import stats

    StatementStats.objects.all().delete()
    monkeypatch.setattr(stats, "ON_DEMAND_MAX", 3)
    response, data = api(client, "/api/trends/", q="fictional")
    assert response.status_code == 503 and "research_stats" in data["detail"]
    assert client.get("/trends/", {"q": "fictional"}).status_code == 503
    out = io.StringIO()
    call_command("research_stats", stdout=out)
    assert f"{len(published())} statement(s)" in out.getvalue()
    assert api(client, "/api/trends/", q="fictional")[0].status_code == 200


def test_a_saved_statement_gets_its_statistics_again_after_the_commit(
        demo, django_capture_on_commit_callbacks):
    statement = Statement.objects.filter(status=Status.PUBLISHED).order_by("-pk").first()
    counting.count(read_request(QueryDict("q=fictional")))  # every row computed
    old_body = statement.body
    with django_capture_on_commit_callbacks(execute=True):
        services.update_statement(statement, body=old_body + " One two three.")
    row = StatementStats.objects.get(statement=statement)
    assert row.words == len(words_of(old_body)) + 3
    with django_capture_on_commit_callbacks(execute=True):
        services.update_statement(statement, body=old_body)
    assert StatementStats.objects.get(statement=statement).words == len(words_of(old_body))


def test_the_research_endpoints_are_in_the_openapi_schema_and_on_the_docs_page(client, demo):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    for path in ("/api/trends/", "/api/who/", "/api/kwic/", "/api/compare/"):
        operation = schema["paths"][path]["get"]
        assert {"200", "400", "503"} <= set(operation["responses"]), path
    names = {p["name"] for p in schema["paths"]["/api/compare/"]["get"]["parameters"]}
    assert {"a", "b", "q", "country"} <= names
    docs = client.get("/api/").content.decode()
    assert "/api/trends/" in docs and "log-odds" in docs


def test_function_words_are_never_distinctive():
    from research.words import word_counts

    counts = word_counts("The minister and the envoy spoke of this water for Marčić; "
                         "في هذا البيان")
    assert {"the", "and", "of", "this", "for", "في", "هذا"}.isdisjoint(counts)
    assert {"minister", "envoy", "water", "marčić", "البيان"} <= set(counts)
