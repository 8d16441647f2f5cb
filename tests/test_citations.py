"""Citations (BibTeX, RIS, CSL-JSON, the "Cite this" text) and permalinks that survive a
change of slug."""

import datetime
import json

import bibtexparser
import rispy
from django.template import Context, Template
from django.test import RequestFactory, TestCase
from django.utils import timezone

from archive import citations, services
from archive.models import Statement, StatementSlugHistory
from tests.factories import (
    EventFactory,
    SpeakerFactory,
    StatementFactory,
    StatementSpeakerFactory,
    TopicFactory,
    country,
)

HOSTILE_TITLE = "Remarks on {braces}, 100% & $cost_# ~^ \\end{document} and a\nnewline"


class CitationTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.event = EventFactory(
            name="Border Security Conference", slug="bsc-2022", city="Dushanbe",
            country=country("TJK"),
        )
        cls.statement = StatementFactory(
            title="Statement on border security", slug="border-2022", event=cls.event,
            delivered_on=datetime.date(2022, 10, 18), summary="Demo summary.",
        )
        cls.statement.topics.add(TopicFactory(name="Border security"))
        StatementSpeakerFactory(
            statement=cls.statement,
            speaker=SpeakerFactory(name="Mohammed bin Abdulrahman Al Thani"),
            role="Minister of State",
            order=0,
        )
        StatementSpeakerFactory(
            statement=cls.statement, speaker=SpeakerFactory(name="Amira Haddad"), role="", order=1
        )
        cls.hostile = StatementFactory(title=HOSTILE_TITLE, slug="hostile", event=None)
        cls.draft = StatementFactory(draft=True, slug="draft")

    def citation(self, statement=None):
        statement = Statement.objects.for_detail().get(pk=(statement or self.statement).pk)
        return citations.citation_for(
            statement, url=f"https://archive.example/statements/{statement.slug}/",
            accessed=datetime.date(2026, 11, 29),
        )

    def test_bibtex_parses_with_bibtexparser(self):
        library = bibtexparser.parse_string(citations.bibtex(self.citation()))
        self.assertEqual(library.failed_blocks, [])
        entry = library.entries[0]
        self.assertEqual(entry.entry_type, "misc")
        self.assertEqual(entry.key, "dsa-border-2022")
        self.assertEqual(
            entry["author"], "{Mohammed bin Abdulrahman Al Thani} and {Amira Haddad}"
        )
        self.assertEqual(entry["title"], "{Statement on border security}")
        self.assertEqual(entry["date"], "2022-10-18")
        self.assertEqual(entry["url"], "https://archive.example/statements/border-2022/")
        self.assertEqual(entry["urldate"], "2026-11-29")
        self.assertIn("Border Security Conference, Dushanbe, Tajikistan", entry["howpublished"])

    def test_bibtex_escapes_hostile_titles(self):
        text = citations.bibtex(self.citation(self.hostile))
        library = bibtexparser.parse_string(text)
        self.assertEqual(library.failed_blocks, [])
        self.assertEqual(len(library.entries), 1)
        title = library.entries[0]["title"]
        self.assertIn(r"\{braces\}", title)
        self.assertIn(r"100\% \& \$cost\_\#", title)
        self.assertIn(r"\textbackslash{}end\{document\}", title)
        self.assertNotIn("\n", title)

    def test_ris_parses_with_rispy(self):
        entries = rispy.loads(citations.ris(self.citation()))
        self.assertEqual(len(entries), 1)
        entry = entries[0]
        self.assertEqual(entry["type_of_reference"], "GEN")
        self.assertEqual(entry["title"], "Statement on border security")
        self.assertEqual(entry["authors"], ["Mohammed bin Abdulrahman Al Thani", "Amira Haddad"])
        self.assertEqual(entry["secondary_title"], "Border Security Conference")
        self.assertEqual(entry["date"], "2022/10/18")
        self.assertEqual(entry["access_date"], "2026/11/29")
        self.assertEqual(entry["urls"], ["https://archive.example/statements/border-2022/"])

    def test_ris_keeps_a_multiline_title_on_one_line(self):
        entry = rispy.loads(citations.ris(self.citation(self.hostile)))[0]
        self.assertTrue(entry["title"].endswith("and a newline"))

    def test_csl_json(self):
        [item] = json.loads(citations.csl_json(self.citation()))
        self.assertEqual(item["type"], "speech")
        self.assertEqual(item["issued"], {"date-parts": [[2022, 10, 18]]})
        self.assertEqual(item["accessed"], {"date-parts": [[2026, 11, 29]]})
        self.assertEqual(item["author"][0], {"literal": "Mohammed bin Abdulrahman Al Thani"})
        self.assertEqual(item["event-title"], "Border Security Conference")
        self.assertEqual(item["event-place"], "Dushanbe, Tajikistan")

    def test_formatted_reference(self):
        self.assertEqual(
            citations.formatted(self.citation()),
            "Mohammed bin Abdulrahman Al Thani (Minister of State) and Amira Haddad. "
            "“Statement on border security.” Statement, Border Security Conference, "
            "Dushanbe, Tajikistan, 18 October 2022. Sample source (test data). "
            "Diplomatic Statements Archive, https://archive.example/statements/border-2022/ "
            "(accessed 29 November 2026).",
        )

    def test_downloads(self):
        cases = {
            "bib": ("application/x-bibtex", b"@misc{dsa-border-2022,"),
            "ris": ("application/x-research-info-systems", b"TY  - GEN"),
            "json": ("application/vnd.citationstyles.csl+json", b'"type": "speech"'),
        }
        for fmt, (content_type, start) in cases.items():
            with self.subTest(fmt):
                response = self.client.get(f"/statements/border-2022/cite.{fmt}")
                self.assertEqual(response.status_code, 200)
                self.assertTrue(response["Content-Type"].startswith(content_type))
                self.assertIn(f'filename="dsa-border-2022.{fmt}"', response["Content-Disposition"])
                self.assertIn(start, response.content)
                self.assertIn(b"http://testserver/statements/border-2022/", response.content)
                self.assertIn(timezone.localdate().isoformat()[:4].encode(), response.content)

    def test_drafts_unknown_and_bad_formats_are_404(self):
        for path in [
            "/statements/draft/cite.bib",
            "/statements/nothing/cite.ris",
            "/statements/border-2022/cite.docx",
        ]:
            with self.subTest(path):
                self.assertEqual(self.client.get(path).status_code, 404)

    def test_cite_box_escapes_the_title(self):
        request = RequestFactory().get("/")
        statement = Statement.objects.for_detail().get(pk=self.hostile.pk)
        statement.title = "<img src=x onerror=alert(1)>"
        html = Template("{% load page_meta %}{% cite_box statement %}").render(
            Context({"statement": statement, "request": request})
        )
        self.assertIn("&lt;img src=x onerror=alert(1)&gt;", html)
        self.assertNotIn("<img", html)
        self.assertIn('href="/statements/hostile/cite.bib"', html)
        self.assertIn("accessed", html)


class PermalinkTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.statement = services.create_statement(
            title="First title", body="Text.", delivered_on=datetime.date(2022, 1, 2),
            status="published",
        )

    def test_changing_the_slug_records_the_former_one(self):
        old = self.statement.slug
        services.update_statement(self.statement, title="Second title", slug="second-title")
        self.assertEqual(
            list(StatementSlugHistory.objects.values_list("old_slug", "statement")),
            [(old, self.statement.pk)],
        )

    def test_saving_without_a_slug_change_records_nothing(self):
        services.update_statement(self.statement, title="Only the title changes")
        self.assertFalse(StatementSlugHistory.objects.exists())

    def test_former_slug_redirects_the_page_and_the_citations(self):
        old = self.statement.slug
        services.update_statement(self.statement, slug="renamed")
        response = self.client.get(f"/statements/{old}/cite.bib")
        self.assertEqual(response.status_code, 301)
        self.assertEqual(response["Location"], "/statements/renamed/cite.bib")

    def test_taking_a_slug_back_removes_its_redirect(self):
        old = self.statement.slug
        services.update_statement(self.statement, slug="renamed")
        services.update_statement(self.statement, slug=old)
        self.assertEqual(
            list(StatementSlugHistory.objects.values_list("old_slug", flat=True)), ["renamed"]
        )
        self.assertEqual(self.client.get(f"/statements/{old}/cite.ris").status_code, 200)

    def test_a_new_statement_never_takes_a_former_slug(self):
        old = self.statement.slug
        services.update_statement(self.statement, slug="renamed")
        other = services.create_statement(
            title="First title", body="Other text.", delivered_on=datetime.date(2022, 1, 2)
        )
        self.assertNotEqual(other.slug, old)
        self.assertEqual(other.slug, f"{old}-2")
