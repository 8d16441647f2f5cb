"""Text that cannot be stored or sent (issue 13, item 7): control characters and Unicode
non-characters are cleaned out of every text field on the way in, by the services that every
writer uses, and the feeds stay well-formed XML for whatever is already in the database."""

import datetime
from xml.etree import ElementTree

import feedparser
from django.test import TestCase

from archive import services
from archive.models import Statement, StatementSpeaker, Topic
from archive.services import SpeakerRole, StatementInput
from search.freshness import enqueue
from search.testing import fresh_index, index_now

from .factories import (
    EventFactory,
    SpeakerFactory,
    StatementFactory,
    StatementSpeakerFactory,
    TopicFactory,
    country,
)
from .test_admin import AdminTestCase, admin_url

# Word's manual line break, a bell, a unit separator, NUL, a byte-order mark, non-characters.
DIRTY = "Line\x0bbreak\x07 and\x1f\x00 more\ufeff\ufffe\uffff\U0001fffe\ufdd0 text"
CLEAN = "Line break and more text"


def assert_clean(test, value):
    for ch in value:
        test.assertFalse(
            (ord(ch) < 32 and ch not in "\n") or 0x7F <= ord(ch) <= 0x9F
            or ch in "\ufeff\ufffe\uffff\U0001fffe\ufdd0",
            f"{value!r} still holds U+{ord(ch):04X}",
        )


class ServicesCleanEveryFieldTests(TestCase):
    def test_statement_speaker_event_and_topic_fields_are_cleaned(self):
        speaker = services.create_speaker(
            name=DIRTY, honorific="H.E.\x0b", aliases=[DIRTY, "Other\x01 spelling"],
            notes="Note\x0bone\x00\n\nNote two\ufffe",
        )
        event = services.create_event(
            name=DIRTY, start_date=datetime.date(2022, 10, 18), short_name="Short\x0b",
            series="Series\x1f", city="Dushanbe\ufffe", organiser="Org\x00",
        )
        topic = services.get_or_create_topic(name="Water\x0b\ufffe security")
        statement = services.create_statement(
            title=DIRTY, body="Body\x0bline\ufffe.", delivered_on=datetime.date(2022, 10, 18),
            event=event, speakers=[SpeakerRole(speaker=speaker, role="Envoy\x0b\ufffe")],
            topics=[topic], summary="Sum\x0bmary\x00", source_name="Source\x1f",
            source_url="https://example.org/a\x00", original_text="Original\x00 text",
        )
        speaker.refresh_from_db()
        event.refresh_from_db()
        statement.refresh_from_db()
        self.assertEqual(statement.title, CLEAN)
        self.assertEqual(speaker.name, CLEAN)
        self.assertEqual(event.name, CLEAN)
        self.assertEqual(topic.name, "Water security")
        self.assertEqual(speaker.alias_list, [CLEAN, "Other spelling"])
        self.assertEqual(StatementSpeaker.objects.get().role, "Envoy")
        self.assertEqual(statement.source_url, "https://example.org/a")
        # The text as received keeps the mark of what PostgreSQL cannot store.
        self.assertEqual(statement.original_text, "Original\ufffd text")
        for value in (
            speaker.honorific, speaker.notes, event.short_name, event.series, event.city,
            event.organiser, statement.body, statement.summary, statement.source_name,
        ):
            with self.subTest(value=value):
                assert_clean(self, value)

    def test_updates_and_bulk_imports_clean_too(self):
        statement = StatementFactory()
        services.update_statement(statement, title=DIRTY, summary="a\x0cb")
        statement.refresh_from_db()
        self.assertEqual(statement.title, CLEAN)
        assert_clean(self, statement.summary)
        speaker = SpeakerFactory()
        services.update_speaker(speaker=speaker, name=DIRTY, honorific="Dr.\x0b")
        speaker.refresh_from_db()
        self.assertEqual((speaker.name, speaker.honorific), (CLEAN, "Dr."))
        event = EventFactory()
        services.update_event(event=event, name=DIRTY, city="Gen\x00eva")
        event.refresh_from_db()
        self.assertEqual((event.name, event.city), (CLEAN, "Geneva"))
        topic = TopicFactory()
        services.update_topic(topic=topic, name="Peace\x0b\ufffe")
        topic.refresh_from_db()
        self.assertEqual(topic.name, "Peace")

        services.bulk_upsert_statements(items=[StatementInput(
            title=DIRTY, body="Text\x0b.", delivered_on=datetime.date(2020, 1, 1),
            import_key="test:1", summary="S\x01", source_name="Src\ufffe",
            speakers=(SpeakerRole(speaker=speaker, role="Role\x0b\x00"),),
        )])
        imported = Statement.objects.get(import_key="test:1")
        self.assertEqual(imported.title, CLEAN)
        self.assertEqual((imported.summary, imported.source_name), ("S", "Src"))
        self.assertEqual(imported.statement_speakers.get().role, "Role")


class AdminCleansTextTests(AdminTestCase):
    def test_an_editor_s_text_is_cleaned_and_a_name_of_only_controls_is_refused(self):
        self.client.force_login(self.editor)
        # A NUL is refused by the form itself ("Null characters are not allowed").
        data = self.statement_data(speakers=[(self.envoy, "Special\x0benvoy")],
                                   title=DIRTY.replace("\x00", ""), summary="One\x0btwo")
        response = self.client.post(admin_url("statement_add"), data)
        self.assertEqual(response.status_code, 302)
        statement = Statement.objects.get()
        self.assertEqual(statement.title, CLEAN)
        self.assertEqual(statement.summary, "One\ntwo")
        self.assertEqual(statement.statement_speakers.get().role, "Special envoy")

        response = self.client.post(admin_url("speaker_change", self.envoy.pk), {
            "name": "Rustam\x0bSample\ufffe", "slug": self.envoy.slug, "honorific": "H.E.\x01",
            "country": "", "aliases": "R.\x0bSample", "notes": "",
        })
        self.assertEqual(response.status_code, 302)
        self.envoy.refresh_from_db()
        self.assertEqual((self.envoy.name, self.envoy.honorific, self.envoy.aliases),
                         ("Rustam Sample", "H.E.", "R.\nSample"))

        response = self.client.post(admin_url("topic_add"), {"name": "\x01\x02", "slug": "x"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "This field is required")
        self.assertFalse(Topic.objects.filter(slug="x").exists())


class FeedsSurviveStoredTextTests(TestCase):
    """Rows written before the cleaning (or around the services) must not break a feed."""

    @classmethod
    def setUpTestData(cls):
        nul = "" if _postgres() else "\x00"  # PostgreSQL could never have stored a NUL
        cls.topic = TopicFactory(name="Water\x0b\uffff", slug="water")
        cls.speaker = SpeakerFactory(name="Amira\x1fHaddad\ufffe", slug="amira")
        cls.event = EventFactory(name="Conference\x0b2022", slug="conf", city="Dush\x01anbe")
        cls.statement = StatementFactory(
            title=f"Statement\x0bon water\ufffe{nul}", slug="dirty", event=cls.event,
            summary="Summary\x0c with\x1b a form feed\U0001fffe", country=country("QAT"),
        )
        cls.statement.topics.add(cls.topic)
        StatementSpeakerFactory(statement=cls.statement, speaker=cls.speaker, role="Envoy\x0b")
        fresh_index()
        enqueue(Statement.objects.values_list("pk", flat=True))
        index_now()

    def test_every_feed_is_well_formed_xml(self):
        for path in ("/feeds/statements/", "/feeds/speakers/amira/", "/feeds/events/conf/",
                     "/feeds/countries/QAT/", "/feeds/topics/water/", "/feeds/search/?q=water",
                     "/feeds/search/"):
            with self.subTest(path):
                response = self.client.get(path)
                self.assertEqual(response.status_code, 200)
                root = ElementTree.fromstring(response.content)  # strict: raises if malformed
                self.assertEqual(root.findtext("{http://www.w3.org/2005/Atom}entry/"
                                               "{http://www.w3.org/2005/Atom}title"),
                                 "Statement on water")
                feed = feedparser.parse(response.content)
                self.assertFalse(feed.bozo, feed.get("bozo_exception"))
                self.assertEqual(feed.entries[0].authors[0].name, "Amira Haddad")

    def test_control_characters_in_the_search_feed_query_never_give_a_500(self):
        for q in ("\x01", "water\x0b", "\ufffe", "water\uffff", "\x00"):
            with self.subTest(q=q):
                response = self.client.get("/feeds/search/", {"q": q})
                self.assertEqual(response.status_code, 400)
                self.assertIn(b"cannot contain", response.content)
        # What passes the gate is carried safely: C1 controls are legal XML, but not text.
        response = self.client.get("/feeds/search/", {"q": "water\x85\x9f"})
        self.assertEqual(response.status_code, 200)
        self.assertFalse(feedparser.parse(response.content).bozo)


def _postgres() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"
