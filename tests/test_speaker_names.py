"""Speakers' names in both scripts (issue 14): an Arabic and a Latin name on each record,
both searched, and both shown wherever a speaker is named."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.test import TestCase
from django.urls import reverse

from archive import citations, services
from archive.importers.records import export_records, import_records, read_records
from archive.models import Speaker, Statement, Status
from search import documents
from search.testing import fresh_index, index_now
from tests.factories import UserFactory

DAY = datetime.date(2022, 10, 18)
LATIN, ARABIC = "Mutlaq bin Majed Al-Qahtani", "مطلق بن ماجد القحطاني"


def statement_by(speaker, *, title="Statement on border security", language="en"):
    return services.create_statement(
        title=title, body="Border security and the region's water.", delivered_on=DAY,
        language=language, status=Status.PUBLISHED,
        speakers=[services.SpeakerRole(speaker=speaker, role="Special Envoy")],
    )


class SpeakerNameRulesTests(TestCase):
    def test_each_script_field_holds_its_script(self):
        speaker = services.create_speaker(name=LATIN, name_ar=ARABIC)
        self.assertEqual(speaker.other_names, [ARABIC])
        self.assertEqual(speaker.name_with_other_scripts, f"{LATIN} [{ARABIC}]")
        arabic_first = services.create_speaker(name=ARABIC, name_latin=LATIN, name_ar=ARABIC)
        self.assertEqual(arabic_first.other_names, [LATIN])  # the repeated name is not shown
        for fields, message in (
            ({"name_ar": "Al-Qahtani"}, "Arabic letters"),
            ({"name_ar": "مطلق Al-Qahtani"}, "Arabic letters"),
            ({"name_latin": ARABIC}, "Latin letters"),
        ):
            with self.subTest(fields), self.assertRaisesMessage(ValidationError, message):
                services.create_speaker(name="Someone", **fields)
        self.assertEqual(services.create_speaker(name="Ana", name_latin="Ana Đukić").name_latin,
                         "Ana Đukić")

    def test_the_admin_edits_both_names_and_refuses_the_wrong_script(self):
        editor = UserFactory(username="editor", is_staff=True)
        editor.groups.add(Group.objects.get(name="Editors"))
        self.client.force_login(editor)
        speaker = services.create_speaker(name=LATIN)
        url = reverse("admin:archive_speaker_change", args=[speaker.pk])
        data = {"name": LATIN, "slug": speaker.slug, "honorific": "", "country": "",
                "aliases": "", "notes": "", "name_latin": "", "name_ar": "Al-Qahtani"}
        response = self.client.post(url, data)
        self.assertContains(response, "must be written in Arabic letters")
        self.assertEqual(self.client.post(url, {**data, "name_ar": ARABIC}).status_code, 302)
        self.assertEqual(Speaker.objects.get(pk=speaker.pk).name_ar, ARABIC)
        found = self.client.get(reverse("admin:archive_speaker_changelist"), {"q": "القحطاني"})
        self.assertContains(found, LATIN)


class SpeakerNamesShownTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.speaker = services.create_speaker(name=LATIN, name_ar=ARABIC, honorific="HE")
        cls.statement = statement_by(cls.speaker)

    def test_the_pages_show_both_scripts(self):
        for url in (self.speaker.get_absolute_url(), self.statement.get_absolute_url(),
                    reverse("archive:speaker-list")):
            with self.subTest(url):
                page = self.client.get(url).content.decode()
                self.assertIn(LATIN, page)
                self.assertIn(ARABIC, page)
                self.assertIn(f"{ARABIC}</bdi>", page)  # isolated from the Latin around it

    def test_the_api_feeds_exports_and_citations_carry_both(self):
        speaker = self.client.get(f"/api/speakers/{self.speaker.slug}/").json()
        self.assertEqual((speaker["name"], speaker["name_ar"], speaker["name_latin"]),
                         (LATIN, ARABIC, ""))
        statement = self.client.get(f"/api/statements/{self.statement.slug}/").json()
        self.assertEqual(statement["speakers"][0]["name_ar"], ARABIC)
        feed = self.client.get(reverse("api:feed-latest")).content.decode()
        self.assertIn(f"<name>{LATIN} [{ARABIC}]</name>", feed)
        citation = citations.citation_for(
            Statement.objects.for_detail().get(pk=self.statement.pk),
            url="https://archive.example/s/", accessed=DAY,
        )
        self.assertEqual(citation.authors, (f"{LATIN} [{ARABIC}]",))
        self.assertIn(f"{LATIN} [{ARABIC}] (Special Envoy)", citations.formatted(citation))
        ris = self.client.get(reverse("archive:cite", args=[self.statement.slug, "ris"]))
        self.assertIn(f"AU  - {LATIN} [{ARABIC}]", ris.content.decode())


@pytest.mark.django_db
def test_both_names_are_searched_and_shown_on_the_results(client):
    fresh_index()
    speaker = services.create_speaker(name=LATIN, name_ar=ARABIC)
    other = services.create_speaker(name="Jonas Gahr Store", name_latin="Jonas Gahr Støre")
    english = statement_by(speaker)
    norwegian = statement_by(other, title="Remarks on fisheries")
    index_now()

    def urls(q):
        body = client.get("/search/", {"q": q}).content.decode()
        return body, [u for u in (english.get_absolute_url(), norwegian.get_absolute_url())
                      if f'<h3><a href="{u}"' in body]

    body, found = urls("القحطاني")  # the Arabic name finds the English statement
    assert found == [english.get_absolute_url()]
    assert f'<bdi class="other-script">{ARABIC}</bdi>' in body  # and the row shows it
    assert urls('speaker:"مطلق بن ماجد"')[1] == [english.get_absolute_url()]
    assert urls("Støre")[1] == [norwegian.get_absolute_url()]
    assert urls('speaker:"Gahr Støre"')[1] == [norwegian.get_absolute_url()]
    suggestions = client.get("/search/autocomplete/", {"q": "القحط"}).json()
    assert any(s["value"] == speaker.slug for s in suggestions["results"])


@pytest.mark.django_db
def test_renaming_in_the_other_script_reindexes_and_feeds_the_protected_words(client):
    fresh_index()
    speaker = services.create_speaker(name="Salman Al-Khalidi")
    statement = statement_by(speaker)
    index_now()
    assert "سلمان" not in documents.protected_words()
    services.update_speaker(speaker=speaker, name_ar="سلمان الخالدي")
    index_now()
    body = client.get("/search/", {"q": "الخالدي"}).content.decode()
    assert f'<h3><a href="{statement.get_absolute_url()}"' in body
    assert "سلمان" in documents.protected_words()


@pytest.mark.django_db
def test_the_import_schema_carries_both_names():
    speaker = services.create_speaker(name=LATIN, name_ar=ARABIC)
    statement_by(speaker)
    out = io.StringIO()
    export_records(out)
    record = json.loads(out.getvalue().splitlines()[0])
    assert record["speakers"][0]["name_ar"] == ARABIC
    assert record["speakers"][0]["name_latin"] == ""
    # A known speaker gains the script it lacked; a new one is created with both.
    arabic_release = {
        "slug": "arabic-release", "title": "بيان", "body": "نص", "delivered_on": "2022-10-18",
        "language": "ar",
        "speakers": [{"slug": speaker.slug, "name": ARABIC, "name_latin": LATIN},
                     {"slug": "new-one", "name": "نور مثال", "name_latin": "Nour Mithal"}],
    }
    report = import_records(read_records(io.StringIO(json.dumps(arabic_release) + "\n"),
                                         fmt="jsonl"))
    assert report.created and not report.skipped
    speaker.refresh_from_db()
    assert (speaker.name, speaker.name_ar, speaker.name_latin) == (LATIN, ARABIC, LATIN)
    new = Speaker.objects.get(slug="new-one")
    assert (new.name, new.name_latin) == ("نور مثال", "Nour Mithal")
    bad = {**arabic_release, "slug": "bad", "speakers": [
        {"slug": "bad-one", "name": "X", "name_ar": "Latin letters"}]}
    report = import_records(read_records(io.StringIO(json.dumps(bad) + "\n"), fmt="jsonl"))
    assert report.skipped and "Arabic letters" in report.skipped[0][1]
