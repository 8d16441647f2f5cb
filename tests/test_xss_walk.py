"""Stored XSS: payloads in every text field of every record come out inert on every surface.

Records are made through the services with a payload in each text field (speaker name,
honorific, aliases and notes; event name, short name, series, city and organiser; topic name;
statement title, summary, body, source name and URL, the role of each speaker), published and
indexed.  Then the public site is walked from its home page and search pages (snippets, facets,
chips, related statements), and asked directly for autocomplete, feeds, the API, exports,
citations and the admin's lists, change pages and histories.  Each answer is checked for a
payload that survived as markup; each payload must also be seen, escaped, so the walk is known
to have reached it.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
from html.parser import HTMLParser
from xml.etree import ElementTree

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import Client

from archive import services
from archive.models import Country, Event, Speaker, Statement, Status, Topic
from search.testing import fresh_index, index_now
from tests.e2e.walk import crawl, fetch

pytestmark = pytest.mark.django_db

ADMIN = "/" + django_settings.ADMIN_PATH
WORD = "xsswalk"  # in every payload record, so searches and autocomplete find them
PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)",  # no closing bracket: survives strip_tags-style cleaning
    '"><svg onload=alert(3)>',
    "</script><script>alert(4)</script>",  # ends a JSON-LD or inline script block
    'x" onmouseover="alert(5)',  # breaks out of a double-quoted attribute
    "x' onfocus='alert(6)",  # ... or a single-quoted one
    "<a href=javascript:alert(7)>j</a>",
    "=HYPERLINK(\"http://evil.example\",\"x\")",  # a formula in a spreadsheet cell
]


class LiveMarkup(HTMLParser):
    """What a browser would run or load from a page: the forms the payloads take as markup.

    Parsed rather than grepped: escaped text (``&lt;a href=javascript:...``) is inert and
    must not count, while an attribute a payload broke out into must.
    """

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._script = None

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            if name in ("href", "src", "action", "formaction", "xlink:href") and (
                value.replace("\x00", "").replace(" ", "").startswith(("javascript:", "vbscript:"))
            ):
                self.found.append(f"<{tag} {name}={value[:30]}>")
            if tag == "img" and name == "src" and value == "x":
                self.found.append("<img src=x>")
        # JSON-LD is data; any other script holding a payload's call would run.
        self._script = None
        if tag == "script":
            self._script = dict(attrs).get("type") or "text/javascript"

    def handle_endtag(self, tag):
        self._script = None

    def handle_data(self, data):
        if self._script == "application/ld+json":
            try:
                json.loads(data)
            except ValueError:
                self.found.append(f"JSON-LD that is not JSON: {data[:60]}")
        elif self._script and "alert(" in data:
            self.found.append(f"<script>{data.strip()[:40]}")


def live_payloads(markup: str) -> list[str]:
    parser = LiveMarkup()
    parser.feed(markup)
    parser.close()
    return parser.found


def make_records():
    qat = Country.objects.get(code="QAT")
    statements = []
    shared = services.create_speaker(name=f"Shared {WORD} <b>speaker</b>", country=qat)
    for i, payload in enumerate(PAYLOADS):
        text = f"{payload} {WORD}{i}"
        speaker = services.create_speaker(
            name=f"{text} name", honorific=payload[:40], country=qat,
            aliases=[f"{text} alias"], notes=f"{text} notes",
        )
        event = services.create_event(
            name=f"{text} event", short_name=text[:120], series=f"{text} series",
            city=text[:120], organiser=f"{text} organiser",
            start_date=datetime.date(2020, 1, 1 + i),
        )
        # A topic name cannot hold a comma (a database constraint).
        topic = services.get_or_create_topic(name=f"{text} topic".replace(",", ";")[:120])
        statements.append(services.create_statement(
            title=f"{text} title", summary=f"{text} summary",
            body=f"{text} body first paragraph about water.\n\n{payload} second paragraph "
                 f"{WORD} water and peace.",
            source_name=f"{text} source",
            source_url=f"https://example.org/{WORD}?p={payload}".replace(" ", "%20"),
            delivered_on=datetime.date(2020, 1, 1 + i), country=qat, event=event,
            speakers=[services.SpeakerRole(speaker, f"{text} role"),
                      services.SpeakerRole(shared, payload)],
            topics=[topic], status=Status.PUBLISHED,
        ))
    return statements


def check_html(url: str, body: str) -> list[str]:
    return [f"{url}: {found}" for found in live_payloads(body)]


def check_feed(url: str, body: bytes) -> list[str]:
    """Atom: the XML parses, and each HTML-typed element is still inert HTML once unescaped."""
    problems = []
    root = ElementTree.fromstring(body)
    for element in root.iter():
        if element.get("type") == "html" and element.text:
            problems += [f"{url} <{element.tag}>: {p}" for p in live_payloads(element.text)]
    if b"<script" in body.lower():
        problems.append(f"{url}: a <script element in the XML")
    return problems


def check_json(url: str, body: bytes, content_type: str) -> list[str]:
    """JSON is data: it must say so, and autocomplete (read by page script) escapes < > &."""
    problems = []
    if not content_type.startswith("application/") or "json" not in content_type:
        problems.append(f"{url}: JSON served as {content_type}")
    json.loads(body)
    if url.startswith("/search/autocomplete/") and re.search(rb"[<>]", body):
        problems.append(f"{url}: raw < or > in autocomplete JSON")
    return problems


def check_csv(url: str, body: bytes) -> list[str]:
    problems = []
    for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))):
        for cell in row:
            if cell[:1] in ("=", "+", "-", "@"):
                problems.append(f"{url}: a cell starts a formula: {cell[:40]!r}")
    return problems


def check(url: str, status: int, body: bytes, content_type: str) -> list[str]:
    if status >= 300 or not body or url == f"{ADMIN}jsi18n/":  # the admin's own script
        return []
    if "html" in content_type:
        return check_html(url, body.decode("utf-8", "replace"))
    if "atom" in content_type or "rss" in content_type:
        return check_feed(url, body)
    if "json" in content_type:
        return check_json(url, body, content_type)
    if "csv" in content_type:
        return check_csv(url, body)
    # The site's icon and the API's schema (YAML) hold no stored text.
    if url == "/favicon.ico" or content_type.startswith("application/vnd.oai.openapi"):
        return []
    # Citations and other plain downloads: never something a browser would render.
    if "text/plain" not in content_type and "xml" not in content_type and (
        "x-bibtex" not in content_type and "research-info" not in content_type
    ):
        return [f"{url}: unexpected content type {content_type}"]
    return []


def direct_surfaces(statements) -> list[str]:
    urls = [
        f"/search/autocomplete/?q={WORD}", "/search/autocomplete/?q=script",
        "/search/autocomplete/?q=onerror", "/search/autocomplete/?q=alert",
        f"/feeds/search/?q={WORD}", "/feeds/statements/", f"/api/statements/?q={WORD}",
        "/api/speakers/", "/api/events/", "/api/topics/", "/api/countries/",
        f"/exports/statements.csv?q={WORD}", f"/exports/statements.json?q={WORD}",
        "/sitemap.xml", "/sitemap-statements.xml", "/sitemap-speakers.xml",
        "/sitemap-events.xml", "/sitemap-topics.xml", "/opensearch.xml",
        f"/search/?q={WORD}&sort=oldest", "/search/?q=script", "/search/?q=alert+onerror",
        '/search/?q="second paragraph"',
    ]
    for statement in statements:
        urls += [f"/api/statements/{statement.slug}/"]
        urls += [f"/statements/{statement.slug}/cite.{fmt}" for fmt in ("bib", "ris", "json")]
    for speaker in Speaker.objects.all():
        urls += [f"/feeds/speakers/{speaker.slug}/", f"/api/speakers/{speaker.slug}/"]
    for event in Event.objects.all():
        urls += [f"/feeds/events/{event.slug}/", f"/api/events/{event.slug}/"]
    for topic in Topic.objects.all():
        urls += [f"/feeds/topics/{topic.slug}/", f"/api/topics/{topic.slug}/"]
    return urls


def admin_surfaces(statements) -> list[str]:
    urls = []
    for model in ("statement", "speaker", "event", "topic", "statementslughistory"):
        urls += [f"{ADMIN}archive/{model}/", f"{ADMIN}archive/{model}/?q={WORD}"]
    urls += [ADMIN + "", ADMIN + "archive/statement/?status__exact=published"]
    for statement in statements:
        urls += [f"{ADMIN}archive/statement/{statement.pk}/change/",
                 f"{ADMIN}archive/statement/{statement.pk}/history/"]
    for model, objects in (("speaker", Speaker), ("event", Event), ("topic", Topic)):
        for obj in objects.objects.all():
            urls += [f"{ADMIN}archive/{model}/{obj.pk}/change/"]
    urls += [f"{ADMIN}archive/speaker/autocomplete/?term={WORD}&app_label=archive"
             "&model_name=statementspeaker&field_name=speaker"]
    return urls


def test_payloads_in_every_field_come_out_inert_everywhere(settings, admin_client):
    settings.API_THROTTLE_RATE = "100000/minute"
    cache.clear()
    fresh_index()
    statements = make_records()
    # A second edit through the services, so renamed entities are re-indexed too.
    services.update_speaker(
        speaker=Speaker.objects.get(slug__startswith="shared"),
        notes=f"{PAYLOADS[0]} edited",
    )
    index_now()
    client = Client()

    seeds = ["/", "/statements/", "/speakers/", "/events/", "/countries/qat/", "/topics/",
             "/years/2020/", f"/search/?q={WORD}", "/search/?q=water"]
    pages = crawl(client, seeds, max_search_pages=80)
    for url in direct_surfaces(statements):
        if url not in pages:
            pages[url] = fetch(client, url)
    admin = crawl(admin_client, admin_surfaces(statements), max_pages=120, include_admin=True)

    problems = []
    for url, (status, body, content_type) in {**pages, **admin}.items():
        problems += check(url, status, body, content_type)
    assert problems == [], problems[:20]

    # The walk reached the payloads: each is on its statement's page, escaped, and search
    # shows them in snippets and facets.
    for statement, payload in zip(statements, PAYLOADS, strict=True):
        page = pages[f"/statements/{statement.slug}/"][1].decode()
        assert payload.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace(
            '"', "&quot;").replace("'", "&#x27;") in page
    results = pages[f"/search/?q={WORD}"][1].decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in results
    assert re.search(r'<p class="snippet"[^>]*>[^<]*&lt;', results)
    assert "&lt;img src=x onerror=alert(2)" in results
    assert Statement.objects.published().count() == len(PAYLOADS)
    assert len(pages) > 100 and len(admin) > 40
    print(f"xss walk: {len(pages)} public answers, {len(admin)} admin pages, "
          f"{len(PAYLOADS)} payloads in {len(PAYLOADS) * 18} fields")


def test_a_source_url_that_is_not_http_is_refused_with_a_message():
    from django.core.exceptions import ValidationError

    for url in ("javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<script>x</script>",
                "vbscript:msgbox(1)", " javascript:alert(1)"):
        with pytest.raises(ValidationError) as caught:
            services.create_statement(
                title="Bad link", body="Text.", delivered_on=datetime.date(2020, 1, 1),
                source_url=url,
            )
        assert "source_url" in caught.value.message_dict
    assert not Statement.objects.filter(title="Bad link").exists()


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("<div>{} tail</div><p>next</p>", {0, 1, 2, 3, 6}),
        ('<p title="{}">t</p>', {2, 4}),
        ("<p title='{}'>t</p>", {5}),
        # Unescaped quotes break the JSON; the closing tag of PAYLOADS[3] starts a script.
        ('<script type="application/ld+json">{{"name": "{}"}}</script>', {0, 2, 3, 4, 7}),
    ],
)
def test_the_checker_sees_payloads_as_markup_and_never_once_escaped(template, expected):
    from django.utils.html import escape

    live = {i for i, p in enumerate(PAYLOADS) if live_payloads(template.format(p))}
    assert live == expected
    assert [p for p in PAYLOADS if live_payloads(template.format(escape(p)))] == []
