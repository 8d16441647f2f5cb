"""The write services: what they save, what they derive, and what they announce."""

import datetime
import threading
from unittest import skipUnless

from django.core.exceptions import ValidationError
from django.db import OperationalError, connection, transaction
from django.test import TestCase, TransactionTestCase
from django.utils import timezone

from archive import services
from archive.models import Event, Speaker, Statement, StatementSpeaker, Status, Topic
from archive.services import SpeakerRole

from .factories import (
    EventFactory,
    SpeakerFactory,
    StatementFactory,
    StatementSpeakerFactory,
    TopicFactory,
    UserFactory,
    country,
)
from .signals import announced, announcements

DAY = datetime.date(2022, 10, 18)
# "I want" in Persian: the zero-width non-joiner inside is part of the spelling.
PERSIAN = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"


class NormaliseBodyTests(TestCase):
    def test_cases(self):
        cases = [
            ("windows line ends", "One.\r\n\r\nTwo\r\nlines.", "One.\n\nTwo lines."),
            ("old mac line ends", "One.\r\rTwo.", "One.\n\nTwo."),
            ("byte order mark", "\ufeffOne.", "One."),
            ("form feed is a page break", "Page one.\fPage two.", "Page one.\n\nPage two."),
            ("control characters dropped", "Al\x00pha\x07 be\x1bta", "Alpha beta"),
            ("runs of spaces and tabs", "Many   spaces\tand\t\ttabs", "Many spaces and tabs"),
            ("no-break and wide spaces", "A\u00a0B\u3000C\u2003D", "A B C D"),
            ("blank lines with spaces", "One.\n \n\t\n\n\nTwo.", "One.\n\nTwo."),
            ("leading and trailing space", "\n\n  One.  \n\n", "One."),
            ("a line break inside a paragraph", "One line\nwraps.", "One line wraps."),
            ("word's manual line break", "First line\x0bsecond line", "First line second line"),
            ("next line character", "First line\x85second line", "First line second line"),
            ("unicode line separator", "First line\u2028second line", "First line second line"),
            ("unicode paragraph separator", "One.\u2029Two.", "One.\n\nTwo."),
            ("composed to NFC", "Cafe\u0301", "Caf\u00e9"),
            ("persian zero-width non-joiner kept", PERSIAN, PERSIAN),
            ("empty", "", ""),
            ("none", None, ""),
        ]
        for label, raw, expected in cases:
            with self.subTest(label):
                self.assertEqual(services.normalise_body(raw), expected)
                # Saving twice must not change the text again.
                self.assertEqual(services.normalise_body(expected), expected)


class ContentHashTests(TestCase):
    def test_equal_for_texts_differing_only_in_spacing_case_and_punctuation(self):
        base = "We welcome the agreement.\n\nWater is a shared resource."
        variants = [
            "we welcome the agreement\r\n\r\nwater is a shared resource",
            "  WE WELCOME THE AGREEMENT!  Water is a shared resource...",
            "We welcome the agreement. Water is a shared\nresource.",
            "\ufeffWe welcome -- the agreement; Water is a shared resource.",
        ]
        for variant in variants:
            with self.subTest(variant=variant):
                self.assertEqual(services.content_hash(variant), services.content_hash(base))

    def test_differs_when_a_word_differs(self):
        self.assertNotEqual(
            services.content_hash("We welcome the agreement."),
            services.content_hash("We regret the agreement."),
        )

    def test_is_a_sha256_hex_digest(self):
        self.assertRegex(services.content_hash("Text"), r"^[0-9a-f]{64}$")


class UniqueSlugTests(TestCase):
    def test_suffixes_taken_slugs(self):
        self.assertEqual(services.unique_slug(Topic, "Water security"), "water-security")
        Topic.objects.create(name="Water security", slug="water-security")
        self.assertEqual(services.unique_slug(Topic, "Water Security!"), "water-security-2")
        Topic.objects.create(name="Water security 2", slug="water-security-2")
        self.assertEqual(services.unique_slug(Topic, "water security"), "water-security-3")

    def test_own_slug_is_free_for_the_row_itself(self):
        topic = Topic.objects.create(name="Trade", slug="trade")
        self.assertEqual(services.unique_slug(Topic, "Trade", exclude_pk=topic.pk), "trade")

    def test_suffix_fits_the_maximum_length(self):
        Topic.objects.create(name="Long", slug="a" * 10)
        slug = services.unique_slug(Topic, "a" * 30, max_length=10)
        self.assertEqual(slug, "a" * 8 + "-2")

    def test_arabic_text_keeps_its_letters_and_text_without_any_falls_back(self):
        self.assertEqual(services.unique_slug(Topic, "\u0627\u0644\u0645\u0627\u0621"),
                         "\u0627\u0644\u0645\u0627\u0621")
        self.assertEqual(services.unique_slug(Topic, "\u060c \u061f !"), "topic")


class CreateStatementTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.minister = SpeakerFactory(name="Amina Example")
        cls.envoy = SpeakerFactory(name="Rustam Sample")
        cls.event = EventFactory()
        cls.user = UserFactory()

    def create(self, **overrides):
        fields = {
            "title": "  Statement on water cooperation ",
            "body": "First paragraph.\r\n\r\nSecond  paragraph.",
            "delivered_on": DAY,
            "country": country("TJK"),
            "event": self.event,
            "speakers": [
                SpeakerRole(speaker=self.envoy, role="Special Envoy"),
                SpeakerRole(speaker=self.minister, role=" Minister of Foreign Affairs "),
            ],
        }
        fields.update(overrides)
        return services.create_statement(**fields)

    def test_two_speakers_keep_their_order_and_roles(self):
        statement = self.create()
        links = list(statement.statement_speakers.order_by("order"))
        self.assertEqual(
            [(link.speaker, link.role, link.order) for link in links],
            [(self.envoy, "Special Envoy", 0), (self.minister, "Minister of Foreign Affairs", 1)],
        )
        listed = Statement.objects.for_listing().get(pk=statement.pk)
        self.assertEqual(
            [link.speaker for link in listed.statement_speakers.all()], [self.envoy, self.minister]
        )

    def test_a_speaker_listed_twice_is_kept_once(self):
        statement = self.create(
            speakers=[SpeakerRole(speaker=self.minister), SpeakerRole(speaker=self.minister)]
        )
        self.assertEqual(statement.statement_speakers.count(), 1)

    def test_derived_fields(self):
        statement = self.create(user=self.user)
        statement.refresh_from_db()
        self.assertEqual(statement.title, "Statement on water cooperation")
        self.assertEqual(statement.body, "First paragraph.\n\nSecond paragraph.")
        self.assertEqual(statement.original_text, "First paragraph.\r\n\r\nSecond  paragraph.")
        self.assertEqual(statement.content_hash, services.content_hash(statement.body))
        self.assertEqual(statement.slug, "statement-on-water-cooperation-2022-10-18")
        self.assertEqual(statement.status, Status.DRAFT)
        self.assertIsNone(statement.published_at)
        self.assertEqual((statement.created_by, statement.updated_by), (self.user, self.user))

    def test_same_title_and_day_gets_a_new_slug(self):
        first, second = self.create(), self.create(body="Other text entirely.")
        self.assertEqual(second.slug, first.slug + "-2")

    def test_created_published_has_a_publication_time(self):
        statement = self.create(status=Status.PUBLISHED)
        self.assertTrue(statement.is_published)
        self.assertIsNotNone(statement.published_at)

    def test_topics_are_set(self):
        water = services.get_or_create_topic(name="Water")
        statement = self.create(topics=[water])
        self.assertEqual(list(statement.topics.all()), [water])

    def test_announces_the_new_statement_once(self):
        with announcements() as sent:
            statement = self.create()
        self.assertEqual(sent, [frozenset({statement.pk})])

    def test_invalid_statement_saves_and_announces_nothing(self):
        with announcements() as sent, self.assertRaises(ValidationError) as caught:
            self.create(title="   ")
        self.assertIn("title", caught.exception.message_dict)
        self.assertEqual(sent, [])
        self.assertFalse(Statement.objects.exists())
        self.assertFalse(StatementSpeaker.objects.exists())

    def test_announcements_in_a_rolled_back_transaction_are_sent_but_the_row_is_gone(self):
        with announcements() as sent, self.assertRaises(RuntimeError), transaction.atomic():
            statement = self.create()
            raise RuntimeError("the caller gives up")
        # The listener heard of it inside the transaction (so a queue row it wrote rolls back
        # too); the statement itself never reached the database.
        self.assertEqual(announced(sent), {statement.pk})
        self.assertFalse(Statement.objects.filter(pk=statement.pk).exists())
        self.assertFalse(StatementSpeaker.objects.filter(statement_id=statement.pk).exists())


class UpdateStatementTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.speaker = SpeakerFactory()
        cls.statement = services.create_statement(
            title="Original", body="Original text.", delivered_on=DAY,
            speakers=[SpeakerRole(speaker=cls.speaker, role="Minister")],
        )

    def test_changes_fields_and_keeps_the_hash_in_step(self):
        with announcements() as sent:
            services.update_statement(self.statement, title=" Revised ", body="New\r\ntext.")
        self.statement.refresh_from_db()
        self.assertEqual((self.statement.title, self.statement.body), ("Revised", "New text."))
        self.assertEqual(self.statement.content_hash, services.content_hash("New text."))
        self.assertEqual(announced(sent), {self.statement.pk})

    def test_replaces_speakers_when_given_and_keeps_them_otherwise(self):
        other = SpeakerFactory()
        services.update_statement(self.statement, summary="A summary.")
        self.assertEqual(list(self.statement.speakers.all()), [self.speaker])
        services.update_statement(
            self.statement, speakers=[SpeakerRole(speaker=other, role="Envoy")]
        )
        self.assertEqual(
            list(self.statement.statement_speakers.values_list("speaker", "role")),
            [(other.pk, "Envoy")],
        )

    def test_unknown_fields_are_refused(self):
        with self.assertRaisesMessage(TypeError, "content_hash, status"):
            services.update_statement(self.statement, status="published", content_hash="x")

    def test_record_statement_saved_normalises_a_body_set_by_a_form(self):
        self.statement.body = "Typed in a browser.\r\n\r\nSecond\u00a0paragraph."
        services.record_statement_saved(statement=self.statement)
        self.statement.refresh_from_db()
        self.assertEqual(self.statement.body, "Typed in a browser.\n\nSecond paragraph.")
        self.assertEqual(self.statement.content_hash, services.content_hash(self.statement.body))


class PublishTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = UserFactory()
        cls.drafts = [StatementFactory(draft=True) for _ in range(3)]

    def test_publish_sets_status_and_time_and_announces(self):
        statement = self.drafts[0]
        before = timezone.now()
        with announcements() as sent:
            services.publish_statement(statement=statement, user=self.user)
        statement.refresh_from_db()
        self.assertEqual(statement.status, Status.PUBLISHED)
        self.assertGreaterEqual(statement.published_at, before)
        self.assertEqual(statement.updated_by, self.user)
        self.assertEqual(announced(sent), {statement.pk})

    def test_publish_at_a_given_time(self):
        moment = timezone.now() - datetime.timedelta(days=3)
        statement = services.publish_statement(statement=self.drafts[0], at=moment)
        statement.refresh_from_db()
        self.assertEqual(statement.published_at, moment)

    def test_publishing_again_keeps_the_first_time(self):
        statement = services.publish_statement(statement=self.drafts[0])
        first = Statement.objects.get(pk=statement.pk).published_at
        with announcements() as sent:
            services.publish_statement(statement=statement)
        self.assertEqual(Statement.objects.get(pk=statement.pk).published_at, first)
        self.assertEqual(sent, [])

    def test_unpublish_clears_the_time(self):
        statement = services.publish_statement(statement=self.drafts[0])
        with announcements() as sent:
            services.unpublish_statement(statement=statement)
        statement.refresh_from_db()
        self.assertEqual(statement.status, Status.DRAFT)
        self.assertIsNone(statement.published_at)
        self.assertEqual(announced(sent), {statement.pk})

    def test_bulk_publish_and_unpublish_count_only_what_changed(self):
        services.publish_statement(statement=self.drafts[0])
        everything = Statement.objects.filter(pk__in=[s.pk for s in self.drafts])
        self.assertEqual(services.publish_statements(statements=everything), 2)
        self.assertEqual(everything.published().count(), 3)
        self.assertFalse(everything.filter(published_at__isnull=True).exists())
        self.assertEqual(services.unpublish_statements(statements=everything), 3)
        self.assertEqual(services.unpublish_statements(statements=everything), 0)
        self.assertFalse(everything.filter(published_at__isnull=False).exists())

    def test_delete_announces_the_deleted_id(self):
        statement = StatementSpeakerFactory().statement
        pk = statement.pk
        with announcements() as sent:
            services.delete_statement(statement=statement)
        self.assertEqual(announced(sent), {pk})
        self.assertFalse(Statement.objects.filter(pk=pk).exists())


class FindDuplicatesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.original = services.create_statement(
            title="Statement on water", body="We welcome the agreement.", delivered_on=DAY
        )
        cls.unrelated = services.create_statement(
            title="Statement on trade", body="Trade grows.", delivered_on=DAY
        )

    def test_same_text_in_other_spacing_and_case(self):
        found = services.find_duplicates(body="WE  WELCOME\r\nthe agreement!")
        self.assertEqual(found, [self.original])

    def test_same_title_on_the_same_day(self):
        found = services.find_duplicates(
            body="A different text.", title=" statement on WATER ", delivered_on=DAY
        )
        self.assertEqual(found, [self.original])
        self.assertEqual(
            services.find_duplicates(
                title="Statement on water", delivered_on=DAY + datetime.timedelta(days=1)
            ),
            [],
        )

    def test_a_statement_is_not_its_own_duplicate(self):
        self.assertEqual(
            services.find_duplicates(
                body=self.original.body, title=self.original.title, delivered_on=DAY,
                exclude_pk=self.original.pk,
            ),
            [],
        )

    def test_nothing_asked_nothing_found(self):
        self.assertEqual(services.find_duplicates(), [])
        self.assertEqual(services.find_duplicates(body="Something never said."), [])


class RelatedRecordTests(TestCase):
    """Renaming a speaker, event or topic changes how their statements read: re-announce."""

    @classmethod
    def setUpTestData(cls):
        cls.speaker = SpeakerFactory()
        cls.event = EventFactory()
        cls.topic = TopicFactory()
        cls.spoken = [
            StatementSpeakerFactory(speaker=cls.speaker, statement__event=cls.event).statement,
            StatementSpeakerFactory(
                speaker=cls.speaker, statement__draft=True, statement__event=None
            ).statement,
        ]
        cls.elsewhere = StatementSpeakerFactory(statement__event=cls.event).statement
        cls.spoken[0].topics.add(cls.topic)

    def test_update_speaker_reannounces_their_statements(self):
        with announcements() as sent:
            services.update_speaker(
                speaker=self.speaker, name="  Renamed\n Speaker ", aliases=["R. Speaker", " "]
            )
        self.assertEqual(announced(sent), {s.pk for s in self.spoken})
        self.speaker.refresh_from_db()
        self.assertEqual(self.speaker.name, "Renamed Speaker")
        self.assertEqual(self.speaker.aliases, "R. Speaker")

    def test_update_event_reannounces_its_statements(self):
        with announcements() as sent:
            services.update_event(event=self.event, city="Dushanbe")
        self.assertEqual(announced(sent), {self.spoken[0].pk, self.elsewhere.pk})

    def test_update_topic_reannounces_its_statements(self):
        with announcements() as sent:
            services.update_topic(topic=self.topic, name="Renamed topic")
        self.assertEqual(announced(sent), {self.spoken[0].pk})

    def test_record_saved_matches_the_update_services(self):
        everything = {*(s.pk for s in self.spoken), self.elsewhere.pk}
        cases = [
            (self.speaker, {s.pk for s in self.spoken}),
            (self.event, {self.spoken[0].pk, self.elsewhere.pk}),
            (self.topic, {self.spoken[0].pk}),
            # Every statement here speaks for Qatar (the factories' delegation).
            (country("QAT"), everything),
            # The events are in Switzerland: the index holds the event's place too.
            (country("CHE"), {self.spoken[0].pk, self.elsewhere.pk}),
            (country("NOR"), set()),
        ]
        for instance, expected in cases:
            with self.subTest(instance=instance), announcements() as sent:
                services.record_saved(instance=instance)
            self.assertEqual(announced(sent), expected)

    def test_an_unused_speaker_announces_nothing(self):
        with announcements() as sent:
            services.update_speaker(speaker=SpeakerFactory(), notes="New notes.")
        self.assertEqual(sent, [])

    def test_invalid_update_is_refused_and_rolled_back(self):
        with self.assertRaises(ValidationError) as caught:
            services.update_event(
                event=self.event, end_date=self.event.start_date - datetime.timedelta(days=1)
            )
        self.assertIn("An event cannot end before it starts.", caught.exception.messages)
        self.event.refresh_from_db()
        self.assertGreaterEqual(self.event.end_date, self.event.start_date)


class CreateRelatedTests(TestCase):
    def test_create_speaker_cleans_name_and_aliases(self):
        speaker = services.create_speaker(
            name=" Amina \n Example ", aliases=["A. Example", "  ", "Amina E."],
            country=country("QAT"),
        )
        self.assertEqual(speaker.name, "Amina Example")
        self.assertEqual(speaker.slug, "amina-example")
        self.assertEqual(speaker.alias_list, ["A. Example", "Amina E."])
        again = services.create_speaker(name="Amina Example")
        self.assertEqual(again.slug, "amina-example-2")
        self.assertEqual(Speaker.objects.count(), 2)

    def test_create_event_validates_dates(self):
        event = services.create_event(
            name="Water Conference", start_date=DAY, end_date=DAY, city="Dushanbe"
        )
        self.assertEqual(event.slug, "water-conference-2022")
        with self.assertRaises(ValidationError):
            services.create_event(
                name="Backwards", start_date=DAY, end_date=DAY - datetime.timedelta(days=1)
            )
        self.assertEqual(Event.objects.count(), 1)

    def test_get_or_create_topic_reuses_a_name_in_any_case(self):
        water = services.get_or_create_topic(name="Water security")
        self.assertEqual(services.get_or_create_topic(name=" water  SECURITY "), water)
        self.assertEqual(Topic.objects.count(), 1)

    def test_topic_with_a_comma_is_one_topic(self):
        topic = services.get_or_create_topic(name="Water, energy")
        self.assertEqual(topic.name, "Water, energy")
        self.assertEqual(Topic.objects.count(), 1)


@skipUnless(connection.vendor == "postgresql", "deadlocks are PostgreSQL's to detect")
class DeadlockRetryTests(TransactionTestCase):
    """A real deadlock: two transactions lock the same two topics in opposite orders."""

    def test_a_service_the_database_aborts_as_a_deadlock_runs_again_and_succeeds(self):
        first, second = TopicFactory(name="First"), TopicFactory(name="Second")
        both_hold_one = threading.Barrier(2, timeout=20)
        other_done = []
        attempts = []

        def other_writer():
            try:
                with transaction.atomic():
                    with connection.cursor() as cursor:
                        # This side waits longer before looking for a deadlock, so the
                        # service's side is the one PostgreSQL aborts.
                        cursor.execute("SET LOCAL deadlock_timeout = '20s'")
                    Topic.objects.select_for_update().get(pk=second.pk)
                    both_hold_one.wait()
                    Topic.objects.select_for_update().get(pk=first.pk)
                    Topic.objects.filter(pk=first.pk).update(name="First, by the other")
                other_done.append(True)
            finally:
                connection.close()

        @services._service
        def rename_both():
            attempts.append(len(attempts) + 1)
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL deadlock_timeout = '200ms'")
            Topic.objects.select_for_update().get(pk=first.pk)
            if len(attempts) == 1:
                both_hold_one.wait()
            Topic.objects.select_for_update().get(pk=second.pk)
            Topic.objects.filter(pk=first.pk).update(name="First, renamed")
            Topic.objects.filter(pk=second.pk).update(name="Second, renamed")
            return len(attempts)

        thread = threading.Thread(target=other_writer)
        thread.start()
        with self.assertLogs("archive.services", "WARNING") as logged:
            ran = rename_both()
        thread.join(30)
        self.assertEqual(ran, 2)
        self.assertEqual(other_done, [True])
        self.assertIn("40P01", logged.output[0])
        # The service ran again after the other writer committed, so its names stand.
        self.assertEqual(sorted(Topic.objects.filter(pk__in=[first.pk, second.pk])
                                .values_list("name", flat=True)),
                         ["First, renamed", "Second, renamed"])

    def test_inside_a_callers_transaction_the_deadlock_goes_up_to_the_caller(self):
        @services._service
        def nested():
            raise OperationalError("stand-in")  # never retried: no pgcode, and nested

        with self.assertRaises(OperationalError), transaction.atomic():
            nested()
