"""Language versions: one statement in several languages (issue 14).

The model and its rules (in the database), the services that link and unlink versions and
propose them (``find_versions``, for the press-release intake), the admin, and every place
that shows or carries the link: the statement page, search rows and the language facet, the
API, the feeds, the exports, the citations and the import schema.
"""

from __future__ import annotations

import datetime
import io
import json
import re

import bibtexparser
import pytest
import rispy
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import TestCase
from django.urls import reverse

from archive import citations, services
from archive.importers.records import export_records, import_records, read_records
from archive.models import Statement, Status, VersionGroup
from search.testing import fresh_index, index_now
from tests.factories import EventFactory, SpeakerFactory, UserFactory

DAY = datetime.date(2025, 5, 20)


def make(title: str, language: str, *, status=Status.PUBLISHED, speaker=None, event=None,
         day=DAY, **fields) -> Statement:
    speakers = [services.SpeakerRole(speaker=speaker, role="Minister")] if speaker else []
    return services.create_statement(
        title=title, body=f"{title}. The text of the statement.", delivered_on=day,
        language=language, status=status, speakers=speakers, event=event, **fields,
    )


def reload(statement: Statement) -> Statement:
    return Statement.objects.get(pk=statement.pk)


class VersionRulesTests(TestCase):
    """What the services allow, and what the database refuses whoever writes."""

    @classmethod
    def setUpTestData(cls):
        cls.ar = make("بيان وزير الخارجية", "ar")
        cls.en = make("Statement by the Minister", "en")
        cls.fr = make("Déclaration du ministre", "fr")

    def test_linking_makes_one_group_that_a_third_language_joins(self):
        group = services.link_versions(statement=self.en, version_of=self.ar, original=self.ar)
        services.link_versions(statement=self.fr, version_of=self.en)
        for s in (self.ar, self.en, self.fr):
            self.assertEqual(reload(s).version_group_id, group.pk)
        self.assertTrue(reload(self.ar).is_original)
        self.assertEqual([v.language for v in Statement.objects.versions_of(self.en)],
                         ["ar", "fr"])
        self.assertEqual(reload(self.fr).original_version, reload(self.ar))
        self.assertEqual([v.pk for v in reload(self.ar).published_versions],
                         [self.en.pk, self.fr.pk])

    def test_linking_to_a_statement_without_versions_joins_the_linked_ones(self):
        group = services.link_versions(statement=self.en, version_of=self.ar)
        # fr links "to" ar's group through en; ar links to a lone statement: it joins ar's.
        lone = make("Declaración del ministro", "es")
        services.link_versions(statement=self.ar, version_of=lone)
        self.assertEqual(reload(lone).version_group_id, group.pk)
        self.assertEqual(VersionGroup.objects.count(), 1)

    def test_what_cannot_be_linked_is_refused_with_a_reason(self):
        other_en = make("Another English one", "en")
        services.link_versions(statement=self.en, version_of=self.ar)
        cases = [
            (self.en, self.en, "itself"),
            (other_en, self.en, "different languages"),
            (other_en, self.ar, "already include one in English"),
        ]
        for statement, version_of, words in cases:
            with self.subTest(words), self.assertRaisesMessage(ValidationError, words):
                services.link_versions(statement=statement, version_of=version_of)
        with self.assertRaisesMessage(ValidationError, "Only a statement with versions"):
            services.set_original_version(statement=other_en)

    def test_the_database_keeps_one_language_and_one_original_per_group(self):
        group = services.link_versions(statement=self.en, version_of=self.ar, original=self.ar)
        with self.assertRaises(IntegrityError), transaction.atomic():
            Statement.objects.filter(pk=self.fr.pk).update(version_group=group, language="en")
        with self.assertRaises(IntegrityError), transaction.atomic():
            Statement.objects.filter(pk=self.en.pk).update(is_original=True)
        with self.assertRaises(IntegrityError), transaction.atomic():
            Statement.objects.filter(pk=self.fr.pk).update(is_original=True)  # no group
        # And a service's validation says so in words: a language the versions have.
        en = reload(self.en)
        with self.assertRaisesMessage(ValidationError, "already has a version in that"):
            services.update_statement(en, language="ar")

    def test_one_original_at_a_time(self):
        services.link_versions(statement=self.en, version_of=self.ar, original=self.ar)
        services.set_original_version(statement=reload(self.en))
        self.assertEqual([s.pk for s in Statement.objects.filter(is_original=True)],
                         [self.en.pk])
        services.set_original_version(statement=reload(self.en), is_original=False)
        self.assertFalse(Statement.objects.filter(is_original=True).exists())

    def test_unlinking_and_deleting_leave_no_group_of_one(self):
        services.link_versions(statement=self.en, version_of=self.ar, original=self.ar)
        services.link_versions(statement=self.fr, version_of=self.ar)
        services.unlink_version(statement=reload(self.fr))
        self.assertIsNone(reload(self.fr).version_group_id)
        self.assertEqual(reload(self.en).version_group_id, reload(self.ar).version_group_id)
        services.delete_statement(statement=reload(self.en))
        ar = reload(self.ar)
        self.assertIsNone(ar.version_group_id)
        self.assertFalse(ar.is_original)
        self.assertEqual(VersionGroup.objects.count(), 0)

    def test_moving_to_other_versions_leaves_the_old_ones(self):
        services.link_versions(statement=self.en, version_of=self.ar)
        es, de = make("Declaración", "es"), make("Erklärung", "de")
        services.link_versions(statement=de, version_of=es)
        services.link_versions(statement=reload(self.en), version_of=reload(es))
        self.assertIsNone(reload(self.ar).version_group_id)  # alone: no longer a version
        self.assertEqual(reload(self.en).version_group_id, reload(es).version_group_id)
        self.assertEqual(VersionGroup.objects.count(), 1)

    def test_links_are_announced_for_every_version_touched(self):
        from search.models import IndexQueue

        IndexQueue.objects.all().delete()
        services.link_versions(statement=self.en, version_of=self.ar)
        self.assertEqual(set(IndexQueue.objects.values_list("statement_pk", flat=True)),
                         {self.en.pk, self.ar.pk})


class FindVersionsTests(TestCase):
    """``services.find_versions``: what the press-release intake proposes to pair."""

    @classmethod
    def setUpTestData(cls):
        cls.speaker = SpeakerFactory(name="Mutlaq Al-Qahtani")
        cls.event = EventFactory(name="Border Security Conference")
        cls.english = make("Statement on border security", "en", speaker=cls.speaker,
                           event=cls.event, status=Status.DRAFT)
        cls.other_day = make("Another day", "en", speaker=cls.speaker, event=cls.event,
                             day=DAY + datetime.timedelta(days=1))
        cls.other_speaker = make("Someone else", "en", speaker=SpeakerFactory(),
                                 event=cls.event)

    def find(self, **kwargs):
        params = {"speaker": self.speaker, "event": self.event, "delivered_on": DAY,
                  "language": "ar", **kwargs}
        return services.find_versions(**params)

    def test_same_speaker_event_and_day_in_another_language(self):
        self.assertEqual(self.find(), [self.english])  # a draft too
        self.assertEqual(self.find(event=None), [self.english])  # the event not known
        self.assertEqual(self.find(language="en"), [])  # the same language is no version
        self.assertEqual(self.find(delivered_on=DAY + datetime.timedelta(days=2)), [])
        self.assertEqual(self.find(speaker=None, event=None), [])  # too little to go on

    def test_versions_that_have_the_language_already_are_not_proposed(self):
        arabic = make("بيان", "ar", speaker=self.speaker, event=self.event)
        self.assertEqual(self.find(language="fr"), [arabic, self.english])
        services.link_versions(statement=arabic, version_of=self.english)
        self.assertEqual(self.find(), [])  # an Arabic version exists already
        french = make("Déclaration", "fr", speaker=self.speaker, event=self.event)
        self.assertEqual(self.find(language="fr", exclude_pk=french.pk),
                         [arabic, self.english])
        # Once paired, a statement's own versions are never proposed to it again.
        services.link_versions(statement=french, version_of=arabic)
        self.assertEqual(self.find(language="fr", exclude_pk=french.pk), [])
        self.assertEqual(self.find(language="ar", exclude_pk=arabic.pk), [])


class VersionsOnThePagesTests(TestCase):
    """The statement page, the API, the feeds, the exports and the citations."""

    @classmethod
    def setUpTestData(cls):
        cls.speaker = services.create_speaker(name="Mutlaq Al-Qahtani",
                                              name_ar="مطلق القحطاني")
        cls.ar = make("بيان وزير الدولة", "ar", speaker=cls.speaker)
        cls.en = make("Statement by the Minister of State", "en", speaker=cls.speaker)
        cls.fr = make("Déclaration du ministre d'État", "fr", status=Status.DRAFT)
        services.link_versions(statement=cls.en, version_of=cls.ar, original=cls.ar)
        services.link_versions(statement=cls.fr, version_of=cls.ar)
        # Previewing drafts takes the permission to view statements (the Editors' group).
        cls.staff = UserFactory(username="staff", is_staff=True)
        cls.staff.groups.add(Group.objects.get(name="Editors"))

    def page(self, statement, client=None):
        response = (client or self.client).get(statement.get_absolute_url())
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_the_statement_page_links_the_published_versions(self):
        page = self.page(self.en)
        self.assertIn("Translated from Arabic; also in:", page)
        self.assertIn(f'href="{self.ar.get_absolute_url()}" hreflang="ar"', page)
        self.assertIn(f'<link rel="alternate" hreflang="ar" href="{self.ar.get_absolute_url()}">',
                      page)
        self.assertNotIn(self.fr.get_absolute_url(), page)  # a draft version stays hidden
        self.assertIn("The original; also in:", self.page(self.ar))
        self.assertIn('"translationOfWork"', page)  # schema.org

    def test_staff_see_the_draft_version_labelled(self):
        self.client.force_login(self.staff)
        page = self.page(self.en)
        self.assertIn(self.fr.get_absolute_url(), page)
        self.assertRegex(page, r'hreflang="fr".*?badge--draft')

    def test_the_api_carries_the_versions(self):
        data = self.client.get(f"/api/statements/{self.en.slug}/").json()
        self.assertFalse(data["is_original"])
        self.assertEqual([(v["language"], v["slug"], v["is_original"]) for v in data["versions"]],
                         [("ar", self.ar.slug, True)])
        self.assertTrue(data["versions"][0]["html_url"].endswith(self.ar.get_absolute_url()))
        rows = {r["slug"]: r for r in self.client.get("/api/statements/").json()["results"]}
        self.assertEqual([v["slug"] for v in rows[self.ar.slug]["versions"]], [self.en.slug])
        self.assertNotIn(self.fr.slug, rows)

    def test_the_api_list_costs_the_same_queries_however_many_versions(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        def queries():
            with CaptureQueriesContext(connection) as captured:
                self.assertEqual(self.client.get("/api/statements/").status_code, 200)
            return len(captured)

        before = queries()
        for n in range(3):
            services.link_versions(statement=make(f"Statement {n}", "en"),
                                   version_of=make(f"بيان {n}", "ar"))
        self.assertEqual(queries(), before)

    def test_the_feeds_carry_the_versions_as_alternate_links(self):
        feed = self.client.get(reverse("api:feed-latest")).content.decode()
        links = re.findall(r'<link [^>]*hreflang="ar"[^>]*/>', feed)
        self.assertEqual(len(links), 1)  # in the English entry
        self.assertIn(f'href="http://testserver{self.ar.get_absolute_url()}"', links[0])
        self.assertIn('rel="alternate"', links[0])
        self.assertNotIn(self.fr.get_absolute_url(), feed)
        self.assertIn("Mutlaq Al-Qahtani [مطلق القحطاني]", feed)  # both scripts of the name

    def test_the_citations_name_the_original(self):
        statement = Statement.objects.for_detail().get(pk=self.en.pk)
        citation = citations.citation_for(
            statement, url="https://archive.example/x/", accessed=datetime.date(2026, 1, 1),
            absolute=lambda path: "https://archive.example" + path,
        )
        self.assertEqual(citation.authors, ("Mutlaq Al-Qahtani [مطلق القحطاني]",))
        original_url = "https://archive.example" + self.ar.get_absolute_url()
        self.assertIn(f"Translated from the Arabic original, “{self.ar.title}”, {original_url}.",
                      citations.formatted(citation))
        entry = bibtexparser.parse_string(citations.bibtex(citation)).entries[0]
        self.assertEqual(entry["origlanguage"], "ar")
        self.assertIn(self.ar.title, entry["origtitle"])
        ris = rispy.loads(citations.ris(citation))[0]
        self.assertIn(original_url, " ".join(ris.get("notes", [])))
        csl = json.loads(citations.csl_json(citation))[0]
        self.assertEqual(csl["original-title"], self.ar.title)
        self.assertIn(original_url, csl["note"])
        # The download and the box on the page say the same.
        bib = self.client.get(reverse("archive:cite", args=[self.en.slug, "bib"])).content
        self.assertIn(b"origlanguage", bib)
        self.assertIn("Translated from the Arabic original", self.page(self.en))


class VersionsInTheAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = UserFactory(username="editor", is_staff=True)
        cls.editor.groups.add(Group.objects.get(name="Editors"))
        cls.speaker = SpeakerFactory(name="Amina Example")
        cls.ar = make("بيان الوزيرة", "ar", speaker=cls.speaker)
        cls.en = make("Statement by the Minister", "en", speaker=cls.speaker)

    def setUp(self):
        self.client.force_login(self.editor)

    def change(self, statement, **overrides):
        url = reverse("admin:archive_statement_change", args=[statement.pk])
        inline = "statement_speakers"
        statement = reload(statement)
        data = {
            "title": statement.title, "slug": statement.slug,
            "delivered_on": statement.delivered_on.isoformat(), "kind": statement.kind,
            "language": statement.language, "status": statement.status, "summary": "",
            "body": statement.body, "source_name": "", "source_url": "", "original_text": "",
            "version_of": "", "opened_version": statement.version,
            f"{inline}-TOTAL_FORMS": "0", f"{inline}-INITIAL_FORMS": "0",
            f"{inline}-MIN_NUM_FORMS": "0", f"{inline}-MAX_NUM_FORMS": "1000",
        }
        data.update(overrides)
        return self.client.post(url, data)

    def test_the_change_form_proposes_and_links_a_version(self):
        page = self.client.get(reverse("admin:archive_statement_change", args=[self.en.pk]))
        self.assertContains(page, "Possibly the same statement")
        self.assertContains(page, f"<code>{self.ar.slug}</code>")
        response = self.change(self.en, version_of=f"http://testserver{self.ar.get_absolute_url()}",
                               original_version="")
        self.assertEqual(response.status_code, 302)
        self.assertEqual(reload(self.en).version_group_id, reload(self.ar).version_group_id)
        # Marking the Arabic one as the original, from its own form.
        self.assertEqual(self.change(self.ar, original_version="on").status_code, 302)
        self.assertTrue(reload(self.ar).is_original)
        page = self.client.get(reverse("admin:archive_statement_change", args=[self.en.pk]))
        self.assertContains(page, "(original)")
        # And taking it out again.
        self.assertEqual(self.change(self.en, leave_versions="on").status_code, 302)
        self.assertIsNone(reload(self.en).version_group_id)
        self.assertIsNone(reload(self.ar).version_group_id)

    def test_bad_links_are_form_errors_not_500s(self):
        other_en = make("Another English statement", "en")
        services.link_versions(statement=self.en, version_of=self.ar)
        cases = [
            ({"version_of": "no-such-statement"}, "No statement has this slug or address."),
            ({"version_of": self.ar.slug}, "already include one in English"),
            ({"original_version": "on"}, "Only a statement with versions"),
        ]
        for overrides, message in cases:
            with self.subTest(message):
                response = self.change(other_en, **overrides)
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, message)
        # A change of language the versions already have is refused on the form too.
        response = self.change(self.en, language="ar")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "is in this language already")
        # An admin change address names a statement too.
        admin_address = reverse("admin:archive_statement_change", args=[self.en.pk])
        self.assertEqual(self.change(other_en, version_of=admin_address,
                                     language="fr").status_code, 302)
        self.assertEqual(reload(other_en).version_group_id, reload(self.en).version_group_id)


# --- search, exports and the import schema (a real index) ------------------------------------


@pytest.fixture
def versions(db):
    fresh_index()
    ar = make("بيان عن أمن الحدود", "ar")
    en = make("Statement on border security", "en")
    fr = make("Déclaration sur la sécurité des frontières", "fr", status=Status.DRAFT)
    services.link_versions(statement=en, version_of=ar, original=ar)
    services.link_versions(statement=fr, version_of=ar)
    lone = make("Statement on water", "en")
    index_now()
    return {"ar": ar, "en": en, "fr": fr, "lone": lone}


def test_a_search_row_links_the_hits_other_versions(client, versions):
    page = client.get("/search/", {"q": "border security"}).content.decode()
    row = page[page.index(versions["en"].get_absolute_url()):]
    row = row[:row.index("</li>")]
    assert "Also in:" in row and f'href="{versions["ar"].get_absolute_url()}" hreflang="ar"' in row
    assert "(original)" in row and versions["fr"].get_absolute_url() not in row
    lone = client.get("/search/", {"q": "water"}).content.decode()
    assert "Also in:" not in lone


def test_the_language_facet_limits_a_search_to_one_version(client, versions):
    def urls(params):
        body = client.get("/search/", params).content.decode()
        return re.findall(r'<li class="result">\s*<h3><a href="([^"]+)"', body)

    assert urls({"language": "ar"}) == [versions["ar"].get_absolute_url()]
    english = urls({"language": "en"})
    assert versions["en"].get_absolute_url() in english
    assert versions["ar"].get_absolute_url() not in english


def test_the_exports_carry_the_versions(client, versions):
    data = json.loads(b"".join(client.get("/exports/statements.json", {"language": "en"})
                               .streaming_content))
    by_slug = {Statement.objects.get(title=s["title"]).slug: s for s in data["statements"]}
    en = by_slug[versions["en"].slug]
    assert en["versions"] == [{
        "language": "ar", "title": versions["ar"].title, "is_original": True,
        "permalink": "http://testserver" + versions["ar"].get_absolute_url(),
    }]
    assert by_slug[versions["lone"].slug]["versions"] == []
    csv_text = b"".join(client.get("/exports/statements.csv", {"language": "en"})
                        .streaming_content).decode()
    assert csv_text.splitlines()[0].endswith(",versions")
    assert f"ar (original) http://testserver{versions['ar'].get_absolute_url()}" in csv_text


def test_export_and_import_reproduce_the_versions(versions):
    out = io.StringIO()
    export_records(out)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    by_slug = {r["slug"]: r for r in records}
    first = min((versions[k] for k in ("ar", "en", "fr")), key=lambda s: s.pk)
    assert by_slug[first.slug]["version_of"] is None
    assert by_slug[versions["en"].slug]["version_of"] == first.slug
    assert by_slug[versions["ar"].slug]["is_original"] is True
    # Into an empty archive, the versions named last in the file first (a forward link).
    Statement.objects.update(version_group=None, is_original=False)
    VersionGroup.objects.all().delete()
    Statement.objects.all().delete()
    text = "\n".join(json.dumps(r, ensure_ascii=False) for r in reversed(records)) + "\n"
    report = import_records(read_records(io.StringIO(text), fmt="jsonl"))
    assert len(report.created) == 4 and not report.skipped and not report.warnings
    assert len(report.linked) == 2
    groups = {s.slug: (s.version_group_id, s.is_original) for s in Statement.objects.all()}
    ar, en, fr = (groups[versions[k].slug] for k in ("ar", "en", "fr"))
    assert ar[0] == en[0] == fr[0] is not None and ar[1] and not en[1] and not fr[1]
    assert groups[versions["lone"].slug] == (None, False)
    # Importing again changes nothing.
    again = import_records(read_records(io.StringIO(text), fmt="jsonl"))
    assert len(again.unchanged) == 4 and not again.linked


def test_csv_round_trip_and_bad_links_are_warnings(versions, tmp_path):
    out = io.StringIO()
    export_records(out, fmt="csv")
    assert out.getvalue().splitlines()[0].endswith(",version_of,is_original")
    out.seek(0)
    assert not import_records(read_records(out, fmt="csv")).warnings
    bad = [
        {"slug": "s-one", "title": "One", "body": "x", "delivered_on": "2024-01-01",
         "language": "en", "version_of": "nowhere"},
        {"slug": "s-two", "title": "Two", "body": "x", "delivered_on": "2024-01-01",
         "language": "ar", "version_of": versions["en"].slug},
        {"slug": "s-three", "title": "Three", "body": "x", "delivered_on": "2024-01-01",
         "is_original": "perhaps"},
        {"slug": "s-four", "title": "Four", "body": "x", "delivered_on": "2024-01-01",
         "version_of": "nul\x00byte"},
    ]
    report = import_records(read_records(io.StringIO(
        "\n".join(json.dumps(r) for r in bad) + "\n"), fmt="jsonl"))
    assert [w for w, _ in report.warnings] == ["line 1", "line 2"]
    assert "names no statement" in report.warnings[0][1]
    assert "already include one in Arabic" in report.warnings[1][1]
    assert report.skipped == [
        ("line 3", "is_original must be true or false"),
        ("line 4", "version_of must be the import_key or slug of another statement"),
    ]
    assert Statement.objects.filter(slug__in=["s-one", "s-two"]).count() == 2
    assert "2 warning(s)" in report.summary()
