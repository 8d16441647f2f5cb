"""What a visitor meets first, in the served HTML and data (issue 17): the search page and
the home page's search box, the year chart, Follow, speaker pages, heading levels, the
favicon, the API's documentation, its schema against live answers, JSON-LD and the CSV for
spreadsheets.  The demo data and a real index, as in tests/test_search_page.py."""

from __future__ import annotations

import csv
import datetime
import html
import io
import json
import re

import jsonschema
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from drf_spectacular.generators import SchemaGenerator

from api.docs import inline_markup
from archive import services
from archive.models import Speaker, Statement, Status
from search.testing import fresh_index, index_now
from tests.e2e.walk import crawl

from .cleanup import remove_archive_rows

pytestmark = pytest.mark.django_db

QATAR = "qatar-dushanbe-border-security-conference-2022"
QAHTANI = "mutlaq-bin-majed-al-qahtani"


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker):
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


def page(url: str, status: int = 200) -> str:
    response = Client().get(url)
    assert response.status_code == status, url
    return response.content.decode()


# --- the search page and the search box ------------------------------------------------------


def test_results_come_before_the_filters_which_fold_behind_a_details_control(demo):
    body = page("/search/?q=border")
    results, filters = body.index('id="results"'), body.index('<details class="filters"')
    first_result = body.index('<li class="result">')
    # The filters' one line comes first; the facets are inside it, folded (no "open").
    assert filters < results < first_result
    assert re.search(r'<details class="filters" id="filters">\s*<summary>Filters', body)
    assert '<aside class="facets"' in body[filters:results]
    # A skip link past the box and the filters to the results.
    assert '<a class="skip-link" href="#results">' in body
    assert 'id="results" tabindex="-1"' in body


def test_active_filters_are_a_named_group_and_counted_on_the_filters_line(demo):
    body = page(f"/search/?q=border&speaker={QAHTANI}")
    assert '<div class="chips" role="group" aria-label="Active filters">' in body
    assert re.search(r"<summary>Filters <span[^>]*>\(1 active\)</span></summary>", body)


def test_result_metadata_comes_in_three_short_parts(demo):
    body = page("/search/?q=Qahtani")
    row = body[body.index('<li class="result">'):]
    row = row[: row.index("</li>")]
    parts = re.findall(r'<span class="meta__part">', row)
    assert len(parts) == 3  # when and for whom; who; where
    assert "18 Oct 2022" in row and "Qatar" in row and "Dushanbe" in row


def test_the_year_chart_is_a_table_without_images_of_links(demo):
    body = page("/search/")
    chart = body[body.index('<div class="year-chart">'):]
    chart = chart[: chart.index("</div>")]
    assert "<caption>Statements per year" in chart
    assert '<th scope="col">Year</th>' in chart and '<th scope="col">Statements</th>' in chart
    assert 'role="img"' not in body
    rows = re.findall(r"<tr(?: class=\"(\w+)\")?>\s*<th scope=\"row\">(.*?)</th>", chart, re.S)
    years = [re.sub(r"<[^>]+>", "", cell) for _cls, cell in rows]
    assert years == sorted(years, reverse=True) and len(years) >= 2
    for cls, cell in rows:
        # A year without statements is plain text: nothing empty to tab to.
        assert ("<a " in cell) == (cls != "empty")
    # The bars are drawn by attributes (the CSP forbids inline styles), hidden from readers.
    assert 'aria-hidden="true" focusable="false"' in chart and "style=" not in chart


def test_the_year_chart_marks_a_year_without_statements(demo):
    from search.templatetags.search_tags import year_chart

    chart = year_chart([(2020, 4, False, "?year=2020"), (2021, 0, False, "?year=2021"),
                        (2022, 8, True, "?year=2022")])
    bars = {bar["year"]: bar for bar in chart["bars"]}
    assert [bar["year"] for bar in chart["bars"]] == [2022, 2021, 2020]
    assert (bars[2022]["width"], bars[2021]["width"], bars[2020]["width"]) == (100, 0, 50)


def test_the_date_inputs_have_a_row_each(demo):
    body = page("/search/")
    assert body.count('<div class="date-range__field"><label for="date-') == 2


def test_the_home_page_has_the_same_search_box_with_examples_and_suggestions(demo):
    for url, input_id in (("/", "q-home"), ("/search/", "search-q")):
        body = page(url)
        assert f'<input id="{input_id}" type="search" name="q"' in body, url
        assert 'data-autocomplete="/search/autocomplete/"' in body, url
        assert f'data-suggestions="{input_id}-suggestions"' in body, url
        assert f'id="{input_id}-suggestions" class="suggestions" hidden' in body, url
        assert f'id="{input_id}-status" class="visually-hidden" role="status"' in body, url
        assert "For example:" in body and 'href="/search/?q=%22border+security%22"' in body
        assert 'id="search-help"' in body, url
        assert 'src="/static/js/autocomplete.js"' in body, url
        # A plain search box: no half-made combobox.
        box = re.search(rf'<input id="{input_id}"[^>]*>', body, re.S).group(0)
        assert "aria-expanded" not in box and "role=" not in box


def test_the_query_limit_is_one_number(demo):
    body = page("/search/")
    limit = settings.SEARCH_QUERY_MAX_CHARS
    assert f'maxlength="{limit}"' in body
    assert f"Queries are limited to {limit} characters; longer text is cut" in html.unescape(body)


# --- pages of people, events, countries, topics --------------------------------------------


@pytest.mark.parametrize(
    "url,feed",
    [
        (f"/speakers/{QAHTANI}/", f"/feeds/speakers/{QAHTANI}/"),
        ("/events/dushanbe-border-security-conference-2022/",
         "/feeds/events/dushanbe-border-security-conference-2022/"),
        ("/countries/QAT/", "/feeds/countries/QAT/"),
        ("/topics/border-security/", "/feeds/topics/border-security/"),
    ],
)
def test_follow_is_in_plain_sight(demo, url, feed):
    body = page(url)
    block = body[body.index('<div class="follow">'):]
    block = block[: block.index("</div>")]
    assert f'<a class="follow__feed" href="{feed}" type="application/atom+xml">' in block
    assert Client().get(feed).status_code == 200


def test_a_speaker_page_shows_topics_and_recent_passages(demo):
    body = page("/speakers/amina-sample/")
    topics = body[body.index('id="topics-heading"'):]
    topics = topics[: topics.index("</section>")]
    links = re.findall(r'href="/search/\?speaker=amina-sample&amp;topic=([-a-z]+)"', topics)
    assert links and links[0] == "water-security"  # the most frequent first
    passages = re.findall(r'<figure class="passage">.*?</figure>', body, re.S)
    assert len(passages) == 3
    # Newest first, each linking to its statement.
    newest = (
        Statement.objects.published().by_speaker(Speaker.objects.get(slug="amina-sample"))
        .newest_first().first()
    )
    assert f'href="{newest.get_absolute_url()}"' in passages[0]


def test_a_speakers_drafts_give_no_passage_or_topic_to_the_public(demo):
    speaker = Speaker.objects.get(slug="amina-sample")
    draft = services.create_statement(
        title="Embargoed remarks (test)", body="Zanzibarite secret opening passage.\n\nMore.",
        delivered_on=datetime.date(2030, 1, 1), speakers=[services.SpeakerRole(speaker=speaker)],
        topics=[services.get_or_create_topic(name="Embargoed topic zq")],
    )
    assert draft.status == Status.DRAFT
    body = page("/speakers/amina-sample/")
    assert "Zanzibarite" not in body and "Embargoed topic zq" not in body


def test_no_public_page_skips_a_heading_level(demo):
    pages = crawl(Client(), ["/", "/years/", "/years/2022/", f"/statements/{QATAR}/"],
                  max_pages=150, max_search_pages=10)
    skipped = {}
    for url, (status, body, content_type) in pages.items():
        if status != 200 or "html" not in content_type:
            continue
        levels = [int(n) for n in re.findall(rb"<h([1-6])[\s>]", body)]
        jumps = [(a, b) for a, b in zip(levels, levels[1:], strict=False) if b > a + 1]
        if jumps or (levels and levels[0] != 1):
            skipped[url] = levels
    assert len(pages) > 40
    assert skipped == {}


def test_the_site_has_a_favicon(demo):
    body = page("/")
    assert 'rel="icon" href="/static/favicon.svg" type="image/svg+xml"' in body
    response = Client().get("/favicon.ico")
    assert response.status_code == 200 and response["Content-Type"] == "image/x-icon"
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"


def test_the_footer_links_the_api_and_the_feed(demo):
    footer = page("/").split('<footer class="site-footer">')[1]
    assert 'href="/api/"' in footer and 'href="/feeds/statements/"' in footer


# --- the API and its documentation --------------------------------------------------------


def test_the_api_docs_render_code_spans_and_no_backticks(demo):
    body = page("/api/")
    text = re.sub(r"<pre>.*?</pre>", "", body, flags=re.S)
    assert "`" not in text
    assert "<code>-word</code> to exclude" in body
    assert inline_markup("a ``list`` of `<b>`") == "a <code>list</code> of <code>&lt;b&gt;</code>"


def _oas30_to_json_schema(node):
    """OpenAPI 3.0's ``nullable`` in JSON Schema terms, refs pointing at ``$defs``."""
    if isinstance(node, list):
        return [_oas30_to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _oas30_to_json_schema(value) for key, value in node.items()}
    if "$ref" in node:
        node["$ref"] = node["$ref"].replace("#/components/schemas/", "#/$defs/")
    if node.pop("nullable", False):
        if "type" in node:
            node["type"] = [node["type"], "null"]
        else:
            node = {"anyOf": [node, {"type": "null"}]}
    return node


@pytest.mark.parametrize("check_formats", [False, True], ids=["formats-unasserted", "formats"])
def test_live_api_answers_validate_against_the_schema(demo, check_formats):
    # A statement with every optional field empty: no source address, event or delegation.
    services.publish_statement(statement=services.create_statement(
        title="Bare statement (test)", body="Text.", delivered_on=datetime.date(2021, 1, 1),
    ))
    schema = SchemaGenerator().get_schema(request=None, public=True)
    defs = _oas30_to_json_schema(schema["components"]["schemas"])
    checker = jsonschema.Draft202012Validator.FORMAT_CHECKER if check_formats else None
    answers = {
        "StatementPage": "/api/statements/?page_size=100",
        "StatementDetail": f"/api/statements/{QATAR}/",
        "PaginatedEventList": "/api/events/?page_size=100",
        "PaginatedSpeakerList": "/api/speakers/?page_size=100",
        "PaginatedCountryList": "/api/countries/?page_size=100",
        "PaginatedTopicList": "/api/topics/?page_size=100",
    }
    errors = []
    for name, url in answers.items():
        data = Client().get(url).json()
        validator = jsonschema.Draft202012Validator(
            {"$defs": defs, "$ref": f"#/$defs/{name}"}, format_checker=checker
        )
        errors += [f"{url}: {e.json_path}: {e.message[:120]}" for e in validator.iter_errors(data)]
    listed = Client().get("/api/statements/?page_size=100").json()["results"]
    assert any(row["source_url"] == "" for row in listed)
    assert errors == []


def test_json_ld_has_the_topics_and_the_statements_own_date(demo):
    body = page(f"/statements/{QATAR}/")
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>',
                                body, re.S).group(1))
    assert data["datePublished"] == "2022-10-18"
    assert data["dateCreated"] == "2022-10-18"
    statement = Statement.objects.get(slug=QATAR)
    assert data["sdDatePublished"].startswith(f"{statement.published_at:%Y-%m-%d}")
    about = {item["name"]: item for item in data["about"]}
    assert "border security" in about
    assert about["border security"]["@type"] == "Thing"
    assert about["border security"]["url"].endswith("/topics/border-security/")
    assert 'content="2022-10-18"' in body  # article:published_time, the statement's date


# --- exports for spreadsheets --------------------------------------------------------------


def test_the_csv_for_excel_starts_with_a_byte_order_mark_and_the_plain_one_does_not(demo):
    speaker = Speaker.objects.get(slug="amina-sample")
    services.update_speaker(speaker=speaker, name="Amina Marčić")
    index_now()
    plain = b"".join(Client().get("/exports/statements.csv?q=Marčić").streaming_content)
    excel_response = Client().get("/exports/statements-excel.csv?q=Marčić")
    assert excel_response["Content-Disposition"].endswith('-excel.csv"')
    excel = b"".join(excel_response.streaming_content)
    assert not plain.startswith(b"\xef\xbb\xbf")
    assert excel.startswith(b"\xef\xbb\xbf") and excel[3:] == plain
    rows = list(csv.reader(io.StringIO(excel.decode("utf-8-sig"))))
    assert rows[0][0] == "date" and any("Amina Marčić" in row[2] for row in rows[1:])
    assert Client().get("/exports/statements-excel.json").status_code == 404
    # The search page offers both and says which is which.
    body = html.unescape(page("/search/?q=water"))
    assert "/exports/statements-excel.csv?q=water" in body
    assert "CSV for Excel" in body and "both CSV files are UTF-8" in body
