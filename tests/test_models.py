"""The archive's invariants, held by the database itself, and its queryset verbs."""

import datetime

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import TestCase
from django.utils import timezone

from archive.models import (
    Country,
    Event,
    EventKind,
    Speaker,
    Statement,
    StatementSpeaker,
    Status,
    Topic,
)

from .factories import (
    EventFactory,
    SpeakerFactory,
    StatementFactory,
    StatementSpeakerFactory,
    TopicFactory,
    UserFactory,
    country,
)


class ConstraintTests(TestCase):
    """Each invariant is checked twice: by the database (a raw save) and by full_clean()."""

    def assert_rejected_by_database(self, make):
        with self.assertRaises(IntegrityError), transaction.atomic():
            make()

    def test_event_cannot_end_before_it_starts(self):
        def make():
            Event.objects.create(
                name="Backwards", slug="backwards",
                start_date=datetime.date(2022, 10, 19), end_date=datetime.date(2022, 10, 18),
            )

        self.assert_rejected_by_database(make)
        self.assertFalse(Event.objects.filter(slug="backwards").exists())

        event = Event(
            name="Backwards", slug="backwards",
            start_date=datetime.date(2022, 10, 19), end_date=datetime.date(2022, 10, 18),
        )
        with self.assertRaises(ValidationError) as caught:
            event.full_clean()
        self.assertIn("An event cannot end before it starts.", caught.exception.messages)

    def test_event_may_be_one_day_or_open_ended(self):
        for end in (datetime.date(2022, 10, 19), None):
            with self.subTest(end=end):
                event = Event(
                    name="Fine", slug=f"fine-{end}", start_date=datetime.date(2022, 10, 19),
                    end_date=end, kind=EventKind.CONFERENCE,
                )
                event.full_clean()
                event.save()

    def test_a_topic_name_may_hold_a_comma(self):
        # The index files topics by slug, so a comma no longer splits one in two.
        Topic(name="Water, energy", slug="water-energy").full_clean()
        Topic.objects.create(name="Water, energy", slug="water-energy")

    def test_published_statement_needs_a_publication_time(self):
        self.assert_rejected_by_database(
            lambda: StatementFactory(status=Status.PUBLISHED, published_at=None)
        )
        statement = StatementFactory.build(
            status=Status.PUBLISHED, published_at=None, event=None, slug="no-time"
        )
        with self.assertRaises(ValidationError) as caught:
            statement.full_clean()
        self.assertIn("A published statement needs a publication time.", caught.exception.messages)

    def test_a_draft_needs_no_publication_time(self):
        statement = StatementFactory(draft=True)
        self.assertIsNone(statement.published_at)

    def test_status_and_kind_outside_their_choices_are_rejected_by_the_database(self):
        for field, value in (("status", "archived"), ("kind", "tweet")):
            with self.subTest(field=field):
                self.assert_rejected_by_database(
                    lambda f=field, v=value: StatementFactory(**{f: v})
                )

    def test_country_code_must_be_upper_case_letters(self):
        for code in ("qat", "Q1", "X"):
            with self.subTest(code=code):
                self.assert_rejected_by_database(
                    lambda c=code: Country.objects.create(code=c, name="Nowhere")
                )

    def test_speaker_appears_once_on_a_statement(self):
        link = StatementSpeakerFactory()
        self.assert_rejected_by_database(
            lambda: StatementSpeaker.objects.create(
                statement=link.statement, speaker=link.speaker, role="Again", order=1
            )
        )
        duplicate = StatementSpeaker(
            statement=link.statement, speaker=link.speaker, role="Again", order=1
        )
        with self.assertRaises(ValidationError) as caught:
            duplicate.full_clean()
        self.assertIn(
            "This speaker is already listed on the statement.", caught.exception.messages
        )
        self.assertEqual(link.statement.statement_speakers.count(), 1)

    def test_the_same_speaker_may_speak_on_two_statements(self):
        link = StatementSpeakerFactory()
        other = StatementFactory()
        StatementSpeaker.objects.create(statement=other, speaker=link.speaker)
        self.assertEqual(link.speaker.statements.count(), 2)

    def test_slugs_are_unique(self):
        statement = StatementFactory()
        speaker = SpeakerFactory()
        event = EventFactory()
        topic = TopicFactory()
        cases = [
            ("statement", lambda: StatementFactory(slug=statement.slug)),
            ("speaker", lambda: SpeakerFactory(slug=speaker.slug)),
            ("event", lambda: EventFactory(slug=event.slug)),
            ("topic", lambda: Topic.objects.create(name="Other name", slug=topic.slug)),
        ]
        for label, make in cases:
            with self.subTest(label):
                self.assert_rejected_by_database(make)

    def test_topic_names_are_unique(self):
        TopicFactory(name="Water security")
        self.assert_rejected_by_database(
            lambda: Topic.objects.create(name="Water security", slug="water-security-2")
        )

    def test_import_keys_are_unique_but_may_be_absent(self):
        StatementFactory(import_key=None)
        StatementFactory(import_key=None)
        StatementFactory(import_key="ungdc:QAT:77")
        self.assert_rejected_by_database(lambda: StatementFactory(import_key="ungdc:QAT:77"))

    def test_protected_keys_keep_a_speaker_or_event_in_use(self):
        from django.db.models import ProtectedError

        link = StatementSpeakerFactory()
        for obj in (link.speaker, link.statement.event):
            with self.subTest(obj=obj), self.assertRaises(ProtectedError):
                obj.delete()


class ModelHelperTests(TestCase):
    def test_paragraphs_split_on_blank_lines(self):
        statement = Statement(body="One.\n\n  \n\nTwo\nstill two.\n\n")
        self.assertEqual(statement.paragraphs, ["One.", "Two\nstill two."])

    def test_speaker_aliases_and_display_name(self):
        speaker = Speaker(
            name="Amina Example", honorific="Dr.", aliases=" A. Example \n\nAmina E.\n"
        )
        self.assertEqual(speaker.alias_list, ["A. Example", "Amina E."])
        self.assertEqual(speaker.display_name, "Dr. Amina Example")
        self.assertEqual(Speaker(name="No Title").display_name, "No Title")

    def test_event_place(self):
        self.assertEqual(Event(city="Doha", country=country("QAT")).place, "Doha, Qatar")
        self.assertEqual(Event(city="", country=None).place, "")


class StatementQuerySetTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.qatar, cls.tajikistan = country("QAT"), country("TJK")
        cls.event = EventFactory(name="Water Conference")
        cls.other_event = EventFactory(name="General Debate")
        cls.water, cls.trade = TopicFactory(name="Water"), TopicFactory(name="Trade")
        cls.minister, cls.envoy = SpeakerFactory(), SpeakerFactory()

        cls.new_year = StatementFactory(delivered_on=datetime.date(2023, 1, 1), event=cls.event)
        cls.new_year_eve = StatementFactory(
            delivered_on=datetime.date(2022, 12, 31), event=cls.other_event,
            country=cls.tajikistan,
        )
        cls.mid_2022 = StatementFactory(delivered_on=datetime.date(2022, 6, 15), event=cls.event)
        cls.draft = StatementFactory(
            draft=True, delivered_on=datetime.date(2022, 6, 15), event=cls.event
        )
        cls.old = StatementFactory(delivered_on=datetime.date(1999, 9, 23), event=None)

        StatementSpeakerFactory(statement=cls.new_year, speaker=cls.minister, order=0)
        StatementSpeakerFactory(statement=cls.new_year, speaker=cls.envoy, order=1)
        StatementSpeakerFactory(statement=cls.mid_2022, speaker=cls.minister)
        StatementSpeakerFactory(statement=cls.draft, speaker=cls.envoy)
        cls.new_year.topics.set([cls.water, cls.trade])
        cls.mid_2022.topics.set([cls.water])

    def assert_statements(self, qs, expected):
        self.assertCountEqual(list(qs), expected)

    def test_published_and_drafts(self):
        self.assert_statements(
            Statement.objects.published(),
            [self.new_year, self.new_year_eve, self.mid_2022, self.old],
        )
        self.assert_statements(Statement.objects.drafts(), [self.draft])

    def test_by_speaker_accepts_a_speaker_or_a_pk(self):
        for value in (self.minister, self.minister.pk):
            with self.subTest(value=value):
                self.assert_statements(
                    Statement.objects.by_speaker(value), [self.new_year, self.mid_2022]
                )
        self.assert_statements(
            Statement.objects.published().by_speaker(self.envoy), [self.new_year]
        )

    def test_at_event(self):
        self.assert_statements(
            Statement.objects.at_event(self.event), [self.new_year, self.mid_2022, self.draft]
        )
        self.assert_statements(
            Statement.objects.published().at_event(self.other_event.pk), [self.new_year_eve]
        )

    def test_for_country_and_about(self):
        self.assert_statements(Statement.objects.for_country(self.tajikistan), [self.new_year_eve])
        self.assert_statements(Statement.objects.about(self.water), [self.new_year, self.mid_2022])
        self.assert_statements(Statement.objects.about(self.trade.pk), [self.new_year])

    def test_between_includes_both_ends_and_either_may_be_open(self):
        published = Statement.objects.published()
        cases = [
            (datetime.date(2022, 6, 15), datetime.date(2022, 12, 31),
             [self.mid_2022, self.new_year_eve]),
            (datetime.date(2022, 6, 16), None, [self.new_year_eve, self.new_year]),
            (None, datetime.date(2022, 6, 15), [self.old, self.mid_2022]),
            (None, None, [self.old, self.mid_2022, self.new_year_eve, self.new_year]),
            (datetime.date(2024, 1, 1), None, []),
        ]
        for start, end, expected in cases:
            with self.subTest(start=start, end=end):
                self.assert_statements(published.between(start, end), expected)
        self.assert_statements(
            published.between(end=datetime.date(2000, 1, 1)), [self.old]
        )

    def test_in_year_keeps_new_years_eve_and_day_apart(self):
        self.assert_statements(
            Statement.objects.published().in_year(2022), [self.mid_2022, self.new_year_eve]
        )
        self.assert_statements(Statement.objects.in_year(2023), [self.new_year])
        self.assert_statements(Statement.objects.in_year(2021), [])

    def test_newest_first(self):
        self.assertEqual(
            list(Statement.objects.published().newest_first()),
            [self.new_year, self.new_year_eve, self.mid_2022, self.old],
        )

    def test_visible_to(self):
        from django.contrib.auth.models import Permission

        staff = UserFactory(is_staff=True)
        staff.user_permissions.add(Permission.objects.get(codename="view_statement"))
        inactive_staff = UserFactory(is_staff=True, is_active=False)
        inactive_staff.user_permissions.add(Permission.objects.get(codename="view_statement"))
        reader = UserFactory()
        everything = Statement.objects.count()
        cases = [
            ("staff with the view permission", staff, everything),
            ("staff without it", UserFactory(is_staff=True), everything - 1),
            ("inactive staff", inactive_staff, everything - 1),
            ("reader", reader, everything - 1),
            ("anonymous", AnonymousUser(), everything - 1),
            ("nobody", None, everything - 1),
        ]
        for label, user, expected in cases:
            with self.subTest(label):
                visible = Statement.objects.visible_to(user)
                self.assertEqual(visible.count(), expected)
                self.assertEqual(visible.filter(pk=self.draft.pk).exists(), expected == everything)

    def test_for_listing_costs_the_same_queries_for_any_number_of_rows(self):
        # One for the statements (with event and country joined), one for the speaker links.
        with self.assertNumQueries(2):
            rows = list(Statement.objects.for_listing())
            names = [[str(link.speaker) for link in s.statement_speakers.all()] for s in rows]
            places = [s.event.place if s.event else "" for s in rows]
        self.assertEqual(len(rows), 5)
        self.assertIn([self.minister.name, self.envoy.name], names)
        self.assertIn("Geneva, Switzerland", places)

    def test_for_listing_keeps_speaker_order(self):
        statement = Statement.objects.for_listing().get(pk=self.new_year.pk)
        self.assertEqual(
            [link.speaker for link in statement.statement_speakers.all()],
            [self.minister, self.envoy],
        )

    def test_for_detail_prefetches_topics(self):
        statement = Statement.objects.for_detail().get(pk=self.new_year.pk)
        with self.assertNumQueries(0):
            self.assertEqual({t.name for t in statement.topics.all()}, {"Water", "Trade"})


class EventQuerySetTests(TestCase):
    def test_statement_counts_count_published_unless_asked(self):
        event = EventFactory()
        StatementFactory(event=event)
        StatementFactory(event=event, draft=True)
        EventFactory()  # an event without statements still appears, with zero
        counts = {e.pk: e.statement_count for e in Event.objects.with_statement_counts()}
        self.assertEqual(counts[event.pk], 1)
        self.assertIn(0, counts.values())
        every = Event.objects.with_statement_counts(published_only=False).get(pk=event.pk)
        self.assertEqual(every.statement_count, 2)


class PublishedAtTests(TestCase):
    def test_factory_published_statement_has_a_time(self):
        statement = StatementFactory()
        self.assertTrue(statement.is_published)
        self.assertLessEqual(statement.published_at, timezone.now())
