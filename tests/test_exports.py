"""Result-set exports and the search feed return exactly what the search page returns."""

import csv
import datetime
import html
import io
import json
import re
from unittest import mock
from xml.etree import ElementTree

from django.core.cache import cache
from django.test import TestCase, override_settings

from api import exports
from archive.models import Kind, Statement
from search.freshness import enqueue
from search.request import PAGE_SIZE
from search.testing import fresh_index, index_now
from tests.factories import (
    EventFactory,
    SpeakerFactory,
    StatementFactory,
    StatementSpeakerFactory,
    TopicFactory,
    country,
)

ATOM = "{http://www.w3.org/2005/Atom}"
QUERIES = [
    "",
    "q=security",
    "q=security&sort=newest",
    "country=QAT",
    "country=QAT&country=FRA&sort=oldest",
    "topic=border-security&from=2021-01-01",
    "speaker=amira-haddad",
    "kind=speech&year=2021",
    "q=nothing-matches-this",
]


class ExportTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        speaker = SpeakerFactory(name="Amira Haddad", slug="amira-haddad")
        topic = TopicFactory(name="Border security", slug="border-security")
        event = EventFactory(slug="bsc", name="Border Security Conference")
        start = datetime.date(2020, 1, 1)
        # More statements than a search page shows, so that exports span several pages.
        for n in range(PAGE_SIZE + 7):
            statement = StatementFactory(
                # One title a spreadsheet would run as a formula, to test the CSV's guard.
                title=("=" if n == 26 else "") + f"Statement {n:02d} on "
                + ("security" if n % 2 else "water"),
                slug=f"statement-{n:02d}",
                delivered_on=start + datetime.timedelta(days=40 * n),
                country=country("QAT" if n % 3 else "FRA"),
                kind=Kind.SPEECH if n % 4 == 0 else Kind.STATEMENT,
                event=event,
            )
            if n % 2:
                statement.topics.add(topic)
            if n % 5 == 0:
                StatementSpeakerFactory(statement=statement, speaker=speaker, role="Envoy")
        cls.draft = StatementFactory(
            draft=True, title="Draft on security", slug="draft", country=country("QAT")
        )
        cls.draft.topics.add(topic)
        StatementSpeakerFactory(statement=cls.draft, speaker=speaker)
        StatementSpeakerFactory(statement=cls.draft, speaker=SpeakerFactory(slug="drafts-only"))
        fresh_index()
        enqueue(Statement.objects.values_list("pk", flat=True))
        index_now()
        cls._page_links = {}

    def setUp(self):
        cache.clear()

    def page_links(self, query: str) -> list[str]:
        """Every result of the search page for ``query``, in order, across its pages."""
        # The records and the index are the same for every test of the class.
        cached = self._page_links.get(query)
        if cached is None:
            cached = self._page_links[query] = self._fetch_page_links(query)
        return cached

    def _fetch_page_links(self, query: str) -> list[str]:
        links, page = [], 1
        while True:
            response = self.client.get(f"/search/?{query}&page={page}")
            if response.status_code == 404 and page > 1:
                return links
            self.assertEqual(response.status_code, 200, query)
            found = re.findall(
                r'<li class="result">\s*<h3><a href="([^"]+)"', response.content.decode()
            )
            links += ["http://testserver" + path for path in found]
            if len(found) < PAGE_SIZE:
                return links
            page += 1

    def export(self, fmt: str, query: str):
        response = self.client.get(f"/exports/statements.{fmt}?{query}")
        self.assertEqual(response.status_code, 200, query)
        self.assertTrue(response.streaming)
        return b"".join(response.streaming_content).decode()

    def test_csv_export_is_exactly_the_search_pages_results(self):
        for query in QUERIES:
            with self.subTest(query=query):
                rows = list(csv.DictReader(io.StringIO(self.export("csv", query))))
                self.assertEqual([row["permalink"] for row in rows], self.page_links(query))

    def test_json_export_is_exactly_the_search_pages_results(self):
        for query in QUERIES:
            with self.subTest(query=query):
                data = json.loads(self.export("json", query))
                expected = self.page_links(query)
                self.assertEqual([s["permalink"] for s in data["statements"]], expected)
                self.assertEqual(data["found"], len(expected))

    def test_search_feed_holds_the_search_pages_matches_added_last(self):
        from archive.models import Statement

        added = {s.get_absolute_url(): (s.published_at, s.pk)
                 for s in Statement.objects.published()}
        for query in QUERIES:
            with self.subTest(query=query):
                response = self.client.get(f"/feeds/search/?{query}")
                self.assertEqual(response.status_code, 200)
                root = ElementTree.fromstring(response.content)
                links = [e.find(f"{ATOM}link").get("href") for e in root.iter(f"{ATOM}entry")]
                paths = [link.removeprefix("http://testserver") for link in links]
                matches = [link.removeprefix("http://testserver")
                           for link in self.page_links(query)]
                # The same matches as the page, the ones added to the archive last first.
                expected = sorted(matches, key=lambda path: added[path], reverse=True)
                self.assertEqual(paths, expected[:PAGE_SIZE])

    def test_exports_never_hold_drafts(self):
        text = self.export("csv", "q=security") + self.export("json", "q=draft")
        self.assertNotIn("Draft on security", text)

    def test_csv_columns_and_json_body(self):
        rows = list(csv.DictReader(io.StringIO(self.export("csv", "speaker=amira-haddad"))))
        self.assertEqual(list(rows[0]), exports.CSV_COLUMNS)
        self.assertEqual(rows[0]["speakers"], "Amira Haddad (Envoy)")
        self.assertEqual(rows[0]["event"], "Border Security Conference")
        self.assertEqual(rows[0]["place"], "Geneva, Switzerland")
        self.assertNotIn("body", rows[0])
        data = json.loads(self.export("json", "speaker=amira-haddad"))
        first = data["statements"][0]
        self.assertEqual(first["speakers"], [{"name": "Amira Haddad", "name_ar": "",
                                              "name_latin": "", "role": "Envoy"}])
        self.assertEqual((first["is_original"], first["versions"]), (False, []))
        self.assertTrue(first["body"].startswith("First paragraph"))
        self.assertEqual(data["query"], "speaker=amira-haddad")

    def test_csv_cells_cannot_run_as_formulas(self):
        rows = list(csv.DictReader(io.StringIO(self.export("csv", "sort=newest"))))
        self.assertEqual(rows[0]["title"], "'=Statement 26 on water")
        data = json.loads(self.export("json", "sort=newest"))
        self.assertEqual(data["statements"][0]["title"], "=Statement 26 on water")

    def test_a_search_beyond_the_cap_is_refused_with_a_message(self):
        with mock.patch.object(exports, "EXPORT_MAX_ROWS", 5):
            response = self.client.get("/exports/statements.csv?topic=border-security")
        self.assertEqual(response.status_code, 400)
        text = response.content.decode()
        self.assertIn("finds 13 statements", text)
        self.assertIn("at most 5", text)

    def test_bad_requests_are_400_as_on_the_search_page(self):
        for query in ["from=yesterday", "speaker=nobody", "speaker=drafts-only", "sort=title",
                      "country=Q1"]:
            with self.subTest(query=query):
                self.assertEqual(self.client.get(f"/search/?{query}").status_code, 400)
                for path in ["/exports/statements.csv", "/exports/statements.json",
                             "/feeds/search/"]:
                    response = self.client.get(f"{path}?{query}")
                    self.assertEqual(response.status_code, 400, path)
        self.assertEqual(self.client.get("/exports/statements.xlsx").status_code, 404)

    def test_the_same_bad_parameter_gets_the_same_400_and_message_everywhere(self):
        """One SearchForm reads the parameters for the page, the API, the feed and the
        exports: the same refusal, word for word."""
        bad = [
            "from=yesterday", "to=2022-02-30", "from=2023-01-01&to=2022-01-01",
            "speaker=nobody", "speaker=drafts-only", "speaker=a%20b", "country=Q1",
            "kind=poem", "language=klingon", "year=twenty", "sort=title", "topic=",
            "q=a&q=b", "&".join(f"topic=t{i}" for i in range(21)),
        ]
        for query in bad:
            with self.subTest(query=query):
                cache.clear()
                page = self.client.get(f"/search/?{query}")
                self.assertEqual(page.status_code, 400)
                message = re.search(
                    r'<div class="message error" role="alert"><p>(.*?)</p>',
                    page.content.decode(), re.S,
                )[1]
                message = html.unescape(message)
                api = self.client.get(f"/api/statements/?{query}")
                self.assertEqual(api.status_code, 400)
                self.assertEqual(api.json()["detail"], message)
                for path in ["/exports/statements.csv", "/exports/statements.json",
                             "/feeds/search/"]:
                    response = self.client.get(f"{path}?{query}")
                    self.assertEqual(response.status_code, 400, path)
                    self.assertEqual(response.content.decode().strip(), message, path)

    def test_api_returns_the_search_pages_results(self):
        for query in QUERIES:
            with self.subTest(query=query):
                cache.clear()
                links, url = [], f"/api/statements/?{query}&page_size=7"
                while url:
                    data = self.client.get(url).json()
                    links += [row["html_url"] for row in data["results"]]
                    url = data["next"]
                self.assertEqual(links, self.page_links(query))
                self.assertEqual(data["count"], len(links))

    def test_exports_and_search_feed_share_the_api_budget(self):
        with override_settings(API_THROTTLE_RATE="2/minute"):
            self.assertEqual(self.client.get("/exports/statements.csv?q=water").status_code, 200)
            self.assertEqual(self.client.get("/feeds/search/?q=water").status_code, 200)
            for path in ["/exports/statements.json?q=water", "/feeds/search/", "/api/topics/"]:
                response = self.client.get(path)
                self.assertEqual(response.status_code, 429, path)
                self.assertIn("Retry-After", response)

    def test_search_page_links_the_feed_and_exports(self):
        html = self.client.get("/search/?q=border+security&country=QAT").content.decode()
        self.assertIn(
            'href="/feeds/search/?q=border+security&amp;country=QAT&amp;sort=newest"', html
        )
        self.assertIn('href="/exports/statements.csv?q=border+security&amp;country=QAT"', html)
        self.assertIn("5,000", html)
