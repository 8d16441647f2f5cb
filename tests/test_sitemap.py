"""Discoverability: sitemap.xml, robots.txt, OpenSearch, JSON-LD and OpenGraph."""

import json
import re
from xml.etree import ElementTree

from django.template import Context, Template
from django.test import RequestFactory, TestCase

from archive import services
from archive.models import Statement
from tests.factories import (
    EventFactory,
    SpeakerFactory,
    StatementFactory,
    StatementSpeakerFactory,
    TopicFactory,
)

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"


def locations(response) -> set[str]:
    root = ElementTree.fromstring(response.content)
    return {loc.text for loc in root.iter(f"{SITEMAP}loc")}


class SitemapTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.statement = StatementFactory(slug="published-one")
        StatementSpeakerFactory(statement=cls.statement, speaker=SpeakerFactory(slug="public"))
        cls.statement.topics.add(TopicFactory(slug="public-topic"))
        cls.draft = StatementFactory(draft=True, slug="draft-one", event=EventFactory(slug="hid"))
        StatementSpeakerFactory(statement=cls.draft, speaker=SpeakerFactory(slug="hidden"))
        cls.draft.topics.add(TopicFactory(slug="hidden-topic"))

    def test_index_lists_each_section(self):
        response = self.client.get("/sitemap.xml")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            locations(response),
            {
                f"http://testserver/sitemap-{section}.xml"
                for section in ("pages", "statements", "speakers", "events", "countries", "topics")
            },
        )

    def test_sections_hold_published_records_only(self):
        found = set()
        for section in ("statements", "speakers", "events", "countries", "topics"):
            response = self.client.get(f"/sitemap-{section}.xml")
            self.assertEqual(response.status_code, 200)
            found |= locations(response)
        self.assertEqual(
            found,
            {
                "http://testserver/statements/published-one/",
                "http://testserver/speakers/public/",
                f"http://testserver/events/{self.statement.event.slug}/",
                "http://testserver/countries/QAT/",
                "http://testserver/topics/public-topic/",
            },
        )

    def test_pages_section_lists_the_browsing_pages(self):
        found = locations(self.client.get("/sitemap-pages.xml"))
        self.assertIn("http://testserver/", found)
        self.assertIn("http://testserver/speakers/", found)
        self.assertFalse([url for url in found if "/api/" in url or "/search/" in url])

    def test_an_unpublished_statement_leaves_at_once(self):
        self.assertIn(
            "http://testserver/statements/published-one/",
            locations(self.client.get("/sitemap-statements.xml")),
        )
        services.unpublish_statement(statement=self.statement)
        self.assertNotIn(
            "http://testserver/statements/published-one/",
            locations(self.client.get("/sitemap-statements.xml")),
        )
        self.assertNotIn("http://testserver/speakers/public/",
                         locations(self.client.get("/sitemap-speakers.xml")))

    def test_unknown_section_is_404(self):
        self.assertEqual(self.client.get("/sitemap-drafts.xml").status_code, 404)


class RobotsAndOpenSearchTests(TestCase):
    def test_robots_points_to_the_sitemap_and_keeps_crawlers_off_endless_urls(self):
        response = self.client.get("/robots.txt")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response["Content-Type"].startswith("text/plain"))
        text = response.content.decode()
        self.assertIn("Sitemap: http://testserver/sitemap.xml", text)
        self.assertIn("Disallow: /search/", text)

    def test_opensearch_description(self):
        response = self.client.get("/opensearch.xml")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(
            response["Content-Type"].startswith("application/opensearchdescription+xml")
        )
        root = ElementTree.fromstring(response.content)
        templates = {url.get("type"): url.get("template") for url in root.iter(f"{OPENSEARCH}Url")}
        self.assertEqual(templates["text/html"], "http://testserver/search/?q={searchTerms}")
        self.assertEqual(
            templates["application/atom+xml"], "http://testserver/feeds/search/?q={searchTerms}"
        )


class StructuredDataTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.statement = StatementFactory(
            title="A title with </script><script>alert(1)</script> in it", slug="hostile",
            summary="Demo summary.",
        )
        StatementSpeakerFactory(
            statement=cls.statement, speaker=SpeakerFactory(name="Amira Haddad"), role="Envoy"
        )

    def render(self, source: str, **context) -> str:
        context.setdefault("request", RequestFactory().get("/"))
        return Template("{% load page_meta %}" + source).render(Context(context))

    def json_ld(self, html: str) -> dict:
        match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
        self.assertIsNotNone(match, html)
        return json.loads(match.group(1))

    def test_statement_json_ld_cannot_break_out_of_its_script(self):
        statement = Statement.objects.for_detail().get(pk=self.statement.pk)
        html = self.render("{% jsonld statement %}", statement=statement)
        self.assertEqual(html.count("<script"), 1)
        self.assertEqual(html.count("</script>"), 1)
        data = self.json_ld(html)
        self.assertEqual(data["@context"], "https://schema.org")
        self.assertEqual(data["@type"], "CreativeWork")
        self.assertEqual(data["name"], self.statement.title)
        self.assertEqual(data["dateCreated"], "2022-10-18")
        [author] = data["author"]
        self.assertEqual(author["name"], "Amira Haddad")
        self.assertEqual(author["jobTitle"], "Envoy")
        self.assertRegex(author["url"], r"^http://testserver/speakers/[-\w]+/$")
        self.assertEqual(data["recordedAt"]["@type"], "Event")
        self.assertEqual(data["recordedAt"]["location"]["address"]["addressLocality"], "Geneva")

    def test_event_and_person(self):
        event = EventFactory(name="Summit & <Conference>", organiser="A ministry")
        data = self.json_ld(self.render("{% jsonld event %}", event=event))
        self.assertEqual(data["@type"], "Event")
        self.assertEqual(data["name"], "Summit & <Conference>")
        self.assertEqual(data["startDate"], "2022-10-18")
        self.assertEqual(data["organizer"], {"@type": "Organization", "name": "A ministry"})
        speaker = SpeakerFactory(name="Amira Haddad", aliases="A. Haddad", honorific="Dr.")
        data = self.json_ld(self.render("{% jsonld speaker %}", speaker=speaker))
        self.assertEqual(data["@type"], "Person")
        self.assertEqual(data["alternateName"], ["A. Haddad"])
        self.assertEqual(data["honorificPrefix"], "Dr.")

    def test_ld_json_filter_escapes_like_json_script(self):
        html = self.render("{{ data|ld_json }}", data={"name": "</script><!-- & -->"})
        self.assertIn("\\u003C/script\\u003E\\u003C!-- \\u0026 --\\u003E", html)
        self.assertEqual(self.json_ld(html), {"name": "</script><!-- & -->"})

    def test_opengraph_and_feed_link(self):
        statement = Statement.objects.for_detail().get(pk=self.statement.pk)
        html = self.render("{% opengraph statement %}", statement=statement)
        self.assertIn('<meta property="og:type" content="article">', html)
        self.assertIn("&lt;/script&gt;", html)
        self.assertNotIn("</script>", html)
        self.assertIn('content="http://testserver/statements/hostile/"', html)
        speaker = statement.statement_speakers.all()[0].speaker
        html = self.render("{% feed_link speaker %}", speaker=speaker)
        self.assertIn('type="application/atom+xml"', html)
        self.assertIn(f'href="/feeds/speakers/{speaker.slug}/"', html)
        html = self.render('{% include "includes/page_meta.html" with object=speaker %}',
                           speaker=speaker)
        self.assertIn('"@type": "Person"', html)
        self.assertIn('og:type" content="profile"', html)
