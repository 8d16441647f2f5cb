"""Atom feeds: the latest statements and those of a speaker, event, country or topic."""

import datetime
import re
from xml.etree import ElementTree

from django.test import TestCase

from tests.factories import (
    EventFactory,
    SpeakerFactory,
    StatementFactory,
    StatementSpeakerFactory,
    TopicFactory,
    country,
)

ATOM = "{http://www.w3.org/2005/Atom}"


def entries(response) -> list[dict]:
    root = ElementTree.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    return [
        {
            "title": entry.findtext(f"{ATOM}title"),
            "link": entry.find(f"{ATOM}link").get("href"),
            "summary": entry.findtext(f"{ATOM}summary"),
            "authors": [a.findtext(f"{ATOM}name") for a in entry.findall(f"{ATOM}author")],
            "categories": [c.get("term") for c in entry.findall(f"{ATOM}category")],
        }
        for entry in root.findall(f"{ATOM}entry")
    ]


class FeedTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.speaker = SpeakerFactory(name="Amira Haddad", slug="amira-haddad")
        cls.event = EventFactory(slug="border-2022")
        cls.topic = TopicFactory(name="Border security", slug="border-security")
        cls.statement = StatementFactory(
            title="Statement on borders", slug="borders-2022", event=cls.event,
            summary="A summary with <script>alert(1)</script> in it.",
        )
        cls.statement.topics.add(cls.topic)
        StatementSpeakerFactory(statement=cls.statement, speaker=cls.speaker, role="Envoy")
        cls.older = StatementFactory(
            title="Older statement", slug="older", country=country("FRA"),
            delivered_on=datetime.date(2019, 1, 1),
        )
        cls.draft = StatementFactory(
            draft=True, title="Draft not for release", slug="draft", event=cls.event,
            country=country("QAT"),
        )
        cls.draft.topics.add(cls.topic)
        StatementSpeakerFactory(statement=cls.draft, speaker=cls.speaker)
        cls.draft_speaker = SpeakerFactory(slug="only-drafts")
        StatementSpeakerFactory(
            statement=StatementFactory(draft=True, slug="draft-2"), speaker=cls.draft_speaker
        )

    def test_latest_feed(self):
        response = self.client.get("/feeds/statements/")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response["Content-Type"].startswith("application/atom+xml"))
        items = entries(response)
        # Newest in the archive first: the older statement was entered second.
        self.assertEqual([i["title"] for i in items], ["Older statement", "Statement on borders"])
        self.assertEqual(items[1]["link"], "http://testserver/statements/borders-2022/")
        self.assertEqual(items[1]["authors"], ["Amira Haddad"])
        self.assertEqual(items[1]["categories"], ["Border security"])

    def test_entity_feeds_hold_their_published_statements_only(self):
        cases = {
            "/feeds/speakers/amira-haddad/": ["Statement on borders"],
            "/feeds/events/border-2022/": ["Statement on borders"],
            "/feeds/countries/QAT/": ["Statement on borders"],
            "/feeds/countries/qat/": ["Statement on borders"],
            "/feeds/topics/border-security/": ["Statement on borders"],
            "/feeds/countries/FRA/": ["Older statement"],
        }
        for path, titles in cases.items():
            with self.subTest(path):
                response = self.client.get(path)
                self.assertEqual(response.status_code, 200)
                self.assertEqual([i["title"] for i in entries(response)], titles)
                self.assertNotIn(b"Draft not for release", response.content)

    def test_feed_names_what_it_follows(self):
        root = ElementTree.fromstring(self.client.get("/feeds/speakers/amira-haddad/").content)
        self.assertIn("Amira Haddad", root.findtext(f"{ATOM}title"))

    def test_unknown_or_draft_only_entities_are_404(self):
        for path in [
            "/feeds/speakers/nobody/",
            "/feeds/speakers/only-drafts/",
            "/feeds/countries/CHE/",
            "/feeds/countries/ZZZ/",
            "/feeds/countries/Q%00T/",
            "/feeds/topics/nothing/",
        ]:
            with self.subTest(path):
                self.assertEqual(self.client.get(path).status_code, 404)

    def test_summary_is_escaped_html(self):
        # Atom's summary is type="html": the stored text must arrive as text, not markup.
        summary = next(
            item["summary"] for item in entries(self.client.get("/feeds/statements/"))
            if item["title"] == "Statement on borders"
        )
        self.assertIn("&lt;script&gt;", summary)
        self.assertNotIn("<script>", summary)


class AlternateLinkTests(TestCase):
    """Each page links the feed that follows it: following a speaker or a query is an alert."""

    @classmethod
    def setUpTestData(cls):
        from archive.models import Statement
        from search.freshness import enqueue
        from search.testing import fresh_index, index_now

        cls.speaker = SpeakerFactory(slug="amira-haddad")
        cls.topic = TopicFactory(slug="border-security")
        cls.statement = StatementFactory(slug="borders-2022")
        cls.statement.topics.add(cls.topic)
        StatementSpeakerFactory(statement=cls.statement, speaker=cls.speaker)
        fresh_index()
        enqueue(Statement.objects.values_list("pk", flat=True))
        index_now()

    def alternates(self, path: str) -> list[str]:
        response = self.client.get(path)
        self.assertEqual(response.status_code, 200, path)
        html = response.content.decode()
        return [
            href.replace("&amp;", "&")
            for href in re.findall(
                r'<link rel="alternate" type="application/atom\+xml" title="[^"]*" href="([^"]+)"',
                html,
            )
        ]

    def test_pages_link_their_feeds(self):
        cases = {
            "/": "/feeds/statements/",
            "/speakers/amira-haddad/": "/feeds/speakers/amira-haddad/",
            f"/events/{self.statement.event.slug}/": f"/feeds/events/{self.statement.event.slug}/",
            "/countries/QAT/": "/feeds/countries/QAT/",
            "/topics/border-security/": "/feeds/topics/border-security/",
            "/search/?q=border&country=QAT": "/feeds/search/?q=border&country=QAT&sort=newest",
        }
        for page, feed in cases.items():
            with self.subTest(page):
                links = self.alternates(page)
                self.assertIn(feed, links)
                self.assertEqual(self.client.get(feed).status_code, 200)

    def test_search_page_offers_the_exports_of_its_query(self):
        html = self.client.get("/search/?q=border&country=QAT").content.decode()
        self.assertIn('href="/exports/statements.csv?q=border&amp;country=QAT"', html)
        self.assertIn('href="/exports/statements.json?q=border&amp;country=QAT"', html)

    def test_statement_page_has_cite_box_and_structured_data(self):
        html = self.client.get("/statements/borders-2022/").content.decode()
        self.assertIn('<h2 id="cite-heading">Cite this</h2>', html)
        self.assertIn('href="/statements/borders-2022/cite.bib"', html)
        self.assertIn('<script type="application/ld+json">', html)
        self.assertIn('<meta property="og:type" content="article">', html)
        self.assertIn('rel="search" type="application/opensearchdescription+xml"', html)


class FeedparserTests(TestCase):
    """What an independent parser reads (issue 17): feedparser, as feed readers use it."""

    @classmethod
    def setUpTestData(cls):
        from datetime import timedelta

        from django.utils import timezone

        from archive.models import Statement
        from search.freshness import enqueue
        from search.testing import fresh_index, index_now

        now = timezone.now()
        cls.event = EventFactory(
            slug="dushanbe-2022", name="Dushanbe Water Conference", city="Dushanbe",
            country=country("TJK"),
        )
        cls.topic = TopicFactory(name="Water", slug="water")
        # Entered today, although it was delivered years ago: a subscriber must still see it.
        cls.late = StatementFactory(
            title="Statement on water, entered late", slug="late", event=cls.event,
            delivered_on=datetime.date(2019, 3, 22), published_at=now,
        )
        cls.recent = StatementFactory(
            title="Statement on water, entered last week", slug="recent", event=cls.event,
            delivered_on=datetime.date(2022, 10, 18), published_at=now - timedelta(days=7),
        )
        cls.arabic = StatementFactory(
            title="كلمة دولة قطر", slug="arabic", language="ar", event=cls.event,
            delivered_on=datetime.date(2022, 6, 7), published_at=now - timedelta(days=3),
        )
        cls.no_event = StatementFactory(
            title="A letter with no event", slug="letter", event=None, country=country("FRA"),
            delivered_on=datetime.date(2021, 1, 5), published_at=now - timedelta(days=30),
        )
        first = SpeakerFactory(name="Amira Haddad", slug="amira-haddad")
        second = SpeakerFactory(name="Rustam Karimov", slug="rustam-karimov")
        StatementSpeakerFactory(statement=cls.recent, speaker=first, order=0)
        StatementSpeakerFactory(statement=cls.recent, speaker=second, order=1)
        StatementSpeakerFactory(statement=cls.late, speaker=first)
        for statement in (cls.late, cls.recent, cls.arabic):
            statement.topics.add(cls.topic)
        fresh_index()
        enqueue(Statement.objects.values_list("pk", flat=True))
        index_now()

    FEEDS = [
        "/feeds/statements/",
        "/feeds/speakers/amira-haddad/",
        "/feeds/events/dushanbe-2022/",
        "/feeds/countries/QAT/",
        "/feeds/topics/water/",
        "/feeds/search/?q=water&sort=newest",
    ]

    def parsed(self, path):
        import feedparser

        response = self.client.get(path)
        self.assertEqual(response.status_code, 200, path)
        feed = feedparser.parse(response.content)
        self.assertFalse(feed.bozo, f"{path}: {feed.get('bozo_exception')}")
        return feed

    def test_feeds_are_ordered_by_publication_in_the_archive(self):
        feed = self.parsed("/feeds/statements/")
        self.assertEqual(
            [entry.link.rsplit("/", 2)[-2] for entry in feed.entries],
            ["late", "arabic", "recent", "letter"],
        )
        self.assertEqual(
            [e.link.rsplit("/", 2)[-2] for e in self.parsed("/feeds/events/dushanbe-2022/")
             .entries],
            ["late", "arabic", "recent"],
        )
        # A search's feed too, whatever sort its address asks for: "late" records the oldest
        # speech and was added last.
        for query in ("", "?sort=newest", "?q=security&sort=relevance"):
            with self.subTest(query):
                slugs = [e.link.rsplit("/", 2)[-2]
                         for e in self.parsed(f"/feeds/search/{query}").entries]
                self.assertEqual(slugs[0], "late")
                self.assertEqual(slugs, [s for s in ["late", "arabic", "recent", "letter"]
                                         if s in slugs])

    def test_every_entry_carries_the_statement_date_and_place(self):
        delivered = {s.slug: s.delivered_on for s in (self.late, self.recent, self.arabic,
                                                      self.no_event)}
        for path in self.FEEDS:
            with self.subTest(path):
                entries_ = self.parsed(path).entries
                self.assertTrue(entries_)
                for entry in entries_:
                    slug = entry.link.rsplit("/", 2)[-2]
                    self.assertEqual(entry.created, delivered[slug].isoformat())
                    self.assertEqual(entry.created_parsed[:3], delivered[slug].timetuple()[:3])
                    if slug == "letter":
                        self.assertNotIn("dcterms_spatial", entry)
                    else:
                        self.assertEqual(entry.dcterms_spatial, "Dushanbe, Tajikistan")
                        self.assertIn("Dushanbe, Tajikistan", entry.summary)
                    self.assertIn(
                        f"{delivered[slug]:%-d %B %Y}", entry.summary, "shown to readers too"
                    )

    def test_several_speakers_are_several_authors(self):
        entry = next(e for e in self.parsed("/feeds/statements/").entries
                     if e.link.endswith("/recent/"))
        self.assertEqual([a.name for a in entry.authors], ["Amira Haddad", "Rustam Karimov"])
        # A statement without speakers is the delegation's.
        entry = next(e for e in self.parsed("/feeds/statements/").entries
                     if e.link.endswith("/letter/"))
        self.assertEqual([a.name for a in entry.authors], ["France"])

    def test_entries_are_tagged_with_their_own_language(self):
        for path in ("/feeds/statements/", "/feeds/search/?q=water&sort=newest"):
            with self.subTest(path):
                languages = {
                    entry.link.rsplit("/", 2)[-2]: entry.title_detail.language
                    for entry in self.parsed(path).entries
                }
                self.assertEqual(languages["arabic"], "ar")
                self.assertEqual(languages["late"], "en")
