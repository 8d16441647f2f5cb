"""Slugs in every script (issue 14): Arabic titles and names give readable, unique slugs that
the pages, the feeds, the citations and the API all answer, and old slugs keep redirecting."""

import datetime
from urllib.parse import quote

import pytest
from django.core.exceptions import ValidationError
from django.test import TestCase
from django.urls import resolve, reverse
from django.urls.exceptions import Resolver404

from archive import services
from archive.models import Statement, StatementSlugHistory, Status
from archive.slugs import readable_slug
from tests.factories import country

DATE = datetime.date(2025, 5, 20)
TITLE = "بيان وزير الدولة للشؤون الخارجية حول أمن الحدود"
SLUG = "بيان-وزير-الدولة-للشؤون-الخارجية-حول-أمن-الحدود-2025-05-20"


class ReadableSlugTests(TestCase):
    def test_arabic_keeps_its_letters_without_marks_or_tatweel(self):
        self.assertEqual(readable_slug("الْأَمْنُ ـــ الدولي ٢٠٢٥"), "الأمن-الدولي-2025")

    def test_latin_is_folded_to_ascii_as_before(self):
        self.assertEqual(readable_slug("Łódź meets Marčić, Støre & Straße"),
                         "lodz-meets-marcic-store-straße".replace("ß", "ss"))
        self.assertEqual(readable_slug("U.S. – Qatar talks"), "us-qatar-talks")

    def test_other_scripts_are_kept_and_nothing_is_empty_that_has_letters(self):
        self.assertEqual(readable_slug("Россия"), "россия")
        self.assertEqual(readable_slug(" ،؛؟ "), "")

    def test_the_length_is_capped_without_a_trailing_hyphen(self):
        slug = readable_slug("أمن " * 100, max_length=50)
        self.assertLessEqual(len(slug), 50)
        self.assertFalse(slug.endswith("-"))


class ConverterTests(TestCase):
    def test_the_paths_accept_a_slug_in_any_script(self):
        for path in (f"/statements/{SLUG}/", "/speakers/مطلق-القحطاني/", "/events/قمة-2025/",
                     "/topics/أمن-الحدود/", f"/statements/{SLUG}/cite.bib",
                     "/feeds/speakers/مطلق-القحطاني/"):
            self.assertEqual(resolve(path).kwargs["slug"], path.split("/")[2]
                             if not path.startswith("/feeds/") else path.split("/")[3])

    def test_the_paths_refuse_what_is_not_a_slug(self):
        for path in ("/statements/a b/", "/statements/a.b/", "/speakers/\u202etxet/"):
            with self.assertRaises(Resolver404):
                resolve(path)

    def test_reverse_gives_the_slug_as_written(self):
        self.assertEqual(reverse("archive:statement-detail", args=[SLUG]),
                         f"/statements/{quote(SLUG)}/")


class ArabicRecordsEndToEndTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.speaker = services.create_speaker(name="مطلق بن ماجد القحطاني",
                                              country=country("QAT"))
        cls.event = services.create_event(name="قمة أمن الحدود", start_date=DATE,
                                          city="الدوحة", country=country("QAT"))
        cls.topic = services.get_or_create_topic(name="أمن الحدود")
        cls.statement = services.create_statement(
            title=TITLE, body="نص البيان عن أمن الحدود.", delivered_on=DATE, language="ar",
            country=country("QAT"), event=cls.event, topics=[cls.topic],
            speakers=[services.SpeakerRole(speaker=cls.speaker, role="وزير الدولة")],
            status=Status.PUBLISHED,
        )

    def test_the_slugs_are_readable_arabic(self):
        self.assertEqual(self.statement.slug, SLUG)
        self.assertEqual(self.speaker.slug, "مطلق-بن-ماجد-القحطاني")
        self.assertEqual(self.event.slug, "قمة-أمن-الحدود-2025")
        self.assertEqual(self.topic.slug, "أمن-الحدود")

    def test_the_same_title_on_the_same_day_gets_a_unique_slug(self):
        again = services.create_statement(title=TITLE, body="نص آخر.", delivered_on=DATE,
                                          language="ar")
        self.assertEqual(again.slug, f"{SLUG}-2")
        same_name = services.create_speaker(name="مطلق بن ماجد القحطاني")
        self.assertEqual(same_name.slug, "مطلق-بن-ماجد-القحطاني-2")

    def test_bulk_imports_give_the_same_slugs(self):
        result = services.bulk_upsert_statements(items=[
            services.StatementInput(title="كلمة الوفد في الجلسة العامة", body="نص الكلمة.",
                                    delivered_on=DATE, language="ar", import_key="ar:1"),
        ])
        self.assertEqual(len(result.created), 1)
        self.assertEqual(Statement.objects.get(import_key="ar:1").slug,
                         "كلمة-الوفد-في-الجلسة-العامة-2025-05-20")

    def test_an_arabic_slug_passes_validation(self):
        self.statement.full_clean()
        with self.assertRaises(ValidationError):
            services.create_speaker(name="x", slug="not a slug")

    # The statement page links to search's "similar statements" route, which takes
    # ``<uslug:slug>`` like every route with a slug.
    def test_the_statement_page_answers_on_its_arabic_slug(self):
        response = self.client.get(self.statement.get_absolute_url())
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, TITLE)
        self.assertContains(response, f'href="{self.speaker.get_absolute_url()}"')

    def test_the_pages_answer_on_the_arabic_slugs(self):
        for url, text in ((self.speaker.get_absolute_url(), "مطلق بن ماجد القحطاني"),
                          (self.event.get_absolute_url(), "قمة أمن الحدود"),
                          (self.topic.get_absolute_url(), "أمن الحدود")):
            with self.subTest(url=url):
                self.assertIn("%", url)  # percent-encoded, as a browser sends it
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, text)
        # A link from one page to the next carries the encoded slug.
        self.assertContains(self.client.get(self.speaker.get_absolute_url()),
                            f'href="{self.statement.get_absolute_url()}"')

    def test_feeds_and_citations_answer_on_the_arabic_slugs(self):
        for name, slug in (("api:feed-speaker", self.speaker.slug),
                           ("api:feed-event", self.event.slug),
                           ("api:feed-topic", self.topic.slug)):
            with self.subTest(feed=name):
                response = self.client.get(reverse(name, args=[slug]))
                self.assertEqual(response.status_code, 200)
                self.assertIn(TITLE, response.content.decode())
        response = self.client.get(reverse("archive:cite", kwargs={"slug": SLUG, "fmt": "bib"}))
        self.assertEqual(response.status_code, 200)
        self.assertIn(TITLE, response.content.decode())

    def test_the_api_answers_on_the_arabic_slugs(self):
        for name, slug in (("api:statement-detail", SLUG),
                           ("api:speaker-detail", self.speaker.slug),
                           ("api:event-detail", self.event.slug),
                           ("api:topic-detail", self.topic.slug)):
            with self.subTest(endpoint=name):
                response = self.client.get(reverse(name, args=[slug]))
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response.json()["slug"], slug)
        listed = self.client.get("/api/statements/").json()["results"]
        self.assertIn(SLUG, [row["slug"] for row in listed])

    def test_an_unknown_arabic_slug_is_a_404(self):
        self.assertEqual(self.client.get(f"/statements/{quote('لا-يوجد')}/").status_code, 404)
        self.assertEqual(self.client.get(f"/api/statements/{quote('لا-يوجد')}/").status_code,
                         404)


class FormerSlugTests(TestCase):
    """Statements made before slugs kept their script: given readable slugs, old links 301."""

    @classmethod
    def setUpTestData(cls):
        cls.old = services.create_statement(
            title=TITLE, body="نص.", delivered_on=DATE, language="ar", slug="2025-05-20",
            status=Status.PUBLISHED,
        )
        cls.chosen = services.create_statement(
            title="بيان آخر", body="نص آخر.", delivered_on=DATE, language="ar",
            slug="chosen-by-an-editor", status=Status.PUBLISHED,
        )
        cls.english = services.create_statement(
            title="Statement on water", body="Text.", delivered_on=DATE, status=Status.PUBLISHED,
        )

    def test_a_dry_run_writes_nothing(self):
        self.assertEqual(services.readable_statement_slugs(apply=False),
                         [("2025-05-20", SLUG)])
        self.old.refresh_from_db()
        self.assertEqual(self.old.slug, "2025-05-20")

    def test_old_slugs_keep_redirecting(self):
        self.assertEqual(services.readable_statement_slugs(), [("2025-05-20", SLUG)])
        self.old.refresh_from_db()
        self.assertEqual(self.old.slug, SLUG)
        self.assertTrue(StatementSlugHistory.objects.filter(old_slug="2025-05-20",
                                                            statement=self.old).exists())
        # Only the ASCII-rule slug changes: an editor's choice and English slugs stay.
        self.chosen.refresh_from_db()
        self.english.refresh_from_db()
        self.assertEqual((self.chosen.slug, self.english.slug),
                         ("chosen-by-an-editor", "statement-on-water-2025-05-20"))
        for old, new in (("/statements/2025-05-20/", self.old.get_absolute_url()),
                         ("/statements/2025-05-20/cite.ris",
                          reverse("archive:cite", kwargs={"slug": SLUG, "fmt": "ris"})),
                         ("/api/statements/2025-05-20/",
                          reverse("api:statement-detail", args=[SLUG]))):
            with self.subTest(old=old):
                response = self.client.get(old)
                self.assertEqual(response.status_code, 301)
                self.assertEqual(response["Location"], new)
        # Running it again changes nothing.
        self.assertEqual(services.readable_statement_slugs(), [])

    def test_the_command_reports_the_changes(self):
        from io import StringIO

        from django.core.management import call_command

        out, err = StringIO(), StringIO()
        call_command("readable_slugs", "--dry-run", stdout=out, stderr=err)
        self.assertEqual(out.getvalue().strip(), f"2025-05-20 -> {SLUG}")
        self.assertIn("Would change 1 statement slugs.", err.getvalue())


# search/request.py checks facet keys against patterns that take slugs in any script.
@pytest.mark.django_db
def test_the_search_facets_select_arabic_slugs(client):
    from search.testing import fresh_index, index_now

    fresh_index()
    speaker = services.create_speaker(name="مطلق بن ماجد القحطاني")
    topic = services.get_or_create_topic(name="أمن الحدود")
    statement = services.create_statement(
        title=TITLE, body="نص.", delivered_on=DATE, language="ar", topics=[topic],
        speakers=[services.SpeakerRole(speaker=speaker)], status=Status.PUBLISHED,
    )
    index_now()
    for params in ({"speaker": speaker.slug}, {"topic": topic.slug}):
        response = client.get("/search/", params)
        assert response.status_code == 200, params
        assert statement.get_absolute_url() in response.content.decode(), params
