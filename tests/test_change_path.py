"""One path for changes: every kind of save queues exactly one row per touched statement.

Each case counts, through a real listener, how often each statement was announced, and
reads the queue table itself: every statement the save touches appears once in both, and
no other statement appears.  The same saves are made through the services and through the
admin (as an editor's browser would post them).
"""

from __future__ import annotations

import datetime
from collections import Counter
from contextlib import contextmanager

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import TestCase
from django.urls import reverse

from archive import services
from archive.models import Country, Statement, Topic
from archive.signals import statements_changed
from search.models import IndexQueue

from .factories import (
    EventFactory,
    SpeakerFactory,
    StatementFactory,
    StatementSpeakerFactory,
    TopicFactory,
    UserFactory,
    country,
)


@contextmanager
def queue_rows():
    """Per statement, how many times it was announced (each announcement upserts one queue
    row) while the block runs; the queue starts empty."""
    IndexQueue.objects.all().delete()
    counts: Counter = Counter()

    def receiver(sender, ids, **kwargs):
        counts.update(ids)

    statements_changed.connect(receiver, weak=False)
    try:
        yield counts
    finally:
        statements_changed.disconnect(receiver)


class ChangePathTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.kenya, cls.qatar = country("KEN"), country("QAT")
        cls.speaker = SpeakerFactory(name="Amina Example")
        cls.other_speaker = SpeakerFactory(name="Rustam Sample")
        cls.event = EventFactory(name="Water Dialogue", country=cls.kenya)
        cls.water = TopicFactory(name="Water")
        cls.rivers = TopicFactory(name="Rivers")
        cls.first = StatementFactory(country=cls.qatar, event=cls.event)
        cls.second = StatementFactory(country=cls.qatar, event=None)
        cls.third = StatementFactory(country=cls.kenya, event=None)
        cls.untouched = StatementFactory(country=country("FRA"), event=None)
        for statement in (cls.first, cls.second):
            StatementSpeakerFactory(statement=statement, speaker=cls.speaker)
        cls.first.topics.add(cls.water)
        cls.second.topics.add(cls.rivers, cls.water)
        cls.third.topics.add(cls.rivers)

    def assert_queued_once(self, counts: Counter, expected: set[int]) -> None:
        self.assertEqual(dict(counts), dict.fromkeys(expected, 1))
        self.assertEqual(
            set(IndexQueue.objects.values_list("statement_pk", flat=True)), expected
        )
        self.assertEqual(IndexQueue.objects.count(), len(expected))


class ThroughTheServices(ChangePathTestCase):
    def test_a_new_statement_with_speakers_and_topics(self):
        with queue_rows() as counts:
            statement = services.create_statement(
                title="New", body="Text.", delivered_on=datetime.date(2023, 1, 2),
                speakers=[services.SpeakerRole(self.speaker, "Envoy"),
                          services.SpeakerRole(self.other_speaker, "Adviser")],
                topics=[self.water, self.rivers],
            )
        self.assert_queued_once(counts, {statement.pk})

    def test_a_statement_edit_with_speakers_and_topics(self):
        with queue_rows() as counts:
            services.update_statement(
                self.first, title="Edited", topics=[self.rivers],
                speakers=[services.SpeakerRole(self.other_speaker, "Envoy")],
            )
        self.assert_queued_once(counts, {self.first.pk})

    def test_publishing_several_statements(self):
        drafts = [StatementFactory(draft=True) for _ in range(3)]
        with queue_rows() as counts:
            services.publish_statements(statements=drafts)
        self.assert_queued_once(counts, {d.pk for d in drafts})

    def test_a_speaker_rename(self):
        with queue_rows() as counts:
            services.update_speaker(speaker=self.speaker, name="Amina K. Example")
        self.assert_queued_once(counts, {self.first.pk, self.second.pk})

    def test_an_event_edit(self):
        with queue_rows() as counts:
            services.update_event(event=self.event, city="Nairobi")
        self.assert_queued_once(counts, {self.first.pk})

    def test_a_topic_merge(self):
        with queue_rows() as counts:
            services.merge_topics(topics=[self.water, self.rivers], into=self.water)
        self.assert_queued_once(counts, {self.second.pk, self.third.pk})
        self.assertEqual(set(self.third.topics.all()), {self.water})
        self.assertFalse(Topic.objects.filter(pk=self.rivers.pk).exists())

    def test_a_country_rename(self):
        # Kenya is the third statement's delegation and the first one's host country.
        with queue_rows() as counts:
            services.update_country(country=self.kenya, name="Kenya (renamed)")
        self.assert_queued_once(counts, {self.first.pk, self.third.pk})

    def test_a_rolled_back_save_queues_nothing(self):
        with queue_rows() as counts:
            try:
                with services.collected_announcements():
                    services.update_speaker(speaker=self.speaker, name="Never")
                    raise RuntimeError("the request failed")
            except RuntimeError:
                pass
        self.assertEqual(counts, Counter())


class ThroughTheAdmin(ChangePathTestCase):
    inline = "statement_speakers"

    def setUp(self):
        self.client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))

    def url(self, name, *args):
        return reverse(f"admin:archive_{name}", args=args)

    def statement_form(self, statement=None, **overrides) -> dict:
        links = list(statement.statement_speakers.all()) if statement else []
        data = {
            "title": "Statement on rivers",
            "slug": "",
            "delivered_on": "2022-10-18",
            "kind": "statement",
            "language": "en",
            "status": "published",
            "country": self.qatar.pk,
            "event": self.event.pk,
            "topics": [self.water.pk, self.rivers.pk],
            "summary": "",
            "body": "First paragraph.\r\n\r\nSecond paragraph.",
            "source_name": "Test data",
            "source_url": "",
            "original_text": "",
            f"{self.inline}-TOTAL_FORMS": "0",
            f"{self.inline}-INITIAL_FORMS": str(len(links)),
            f"{self.inline}-MIN_NUM_FORMS": "0",
            f"{self.inline}-MAX_NUM_FORMS": "1000",
        }
        if statement is not None:
            data.update(title=statement.title, slug=statement.slug,
                        opened_version=statement.version)
        for i, link in enumerate(links):
            data.update({
                f"{self.inline}-{i}-id": link.pk, f"{self.inline}-{i}-statement": statement.pk,
                f"{self.inline}-{i}-speaker": link.speaker_id,
                f"{self.inline}-{i}-role": link.role, f"{self.inline}-{i}-order": str(i),
            })
        new = [s for s in (self.speaker, self.other_speaker)
               if not any(link.speaker_id == s.pk for link in links)]
        for j, speaker in enumerate(new, start=len(links)):
            data.update({f"{self.inline}-{j}-speaker": speaker.pk,
                         f"{self.inline}-{j}-role": "Envoy", f"{self.inline}-{j}-order": str(j)})
        data[f"{self.inline}-TOTAL_FORMS"] = str(len(links) + len(new))
        data.update(overrides)
        return data

    def test_adding_a_statement_with_two_speakers_and_topics(self):
        with queue_rows() as counts:
            response = self.client.post(self.url("statement_add"), self.statement_form())
        self.assertEqual(response.status_code, 302, getattr(response, "context", None))
        statement = Statement.objects.get(title="Statement on rivers")
        self.assertEqual(statement.statement_speakers.count(), 2)
        self.assert_queued_once(counts, {statement.pk})

    def test_changing_a_statement(self):
        with queue_rows() as counts:
            response = self.client.post(
                self.url("statement_change", self.first.pk),
                self.statement_form(self.first, summary="Now with a summary."),
            )
        self.assertEqual(response.status_code, 302, self.form_errors(response))
        self.assert_queued_once(counts, {self.first.pk})

    @staticmethod
    def form_errors(response):
        context = getattr(response, "context", None) or {}
        form = context.get("adminform")
        inlines = context.get("inline_admin_formsets") or []
        return (form.form.errors if form else None,
                [inline.formset.errors for inline in inlines])

    def test_publishing_from_the_list(self):
        drafts = [StatementFactory(draft=True) for _ in range(2)]
        with queue_rows() as counts:
            self.client.post(self.url("statement_changelist"), {
                "action": "publish_selected", ACTION_CHECKBOX_NAME: [d.pk for d in drafts],
            })
        self.assert_queued_once(counts, {d.pk for d in drafts})

    def test_renaming_a_speaker(self):
        with queue_rows() as counts:
            response = self.client.post(self.url("speaker_change", self.speaker.pk), {
                "name": "Amina K. Example", "slug": self.speaker.slug, "honorific": "Ms.",
                "country": "", "aliases": "", "notes": "",
            })
        self.assertEqual(response.status_code, 302)
        self.assert_queued_once(counts, {self.first.pk, self.second.pk})

    def test_editing_an_event(self):
        event = self.event
        with queue_rows() as counts:
            response = self.client.post(self.url("event_change", event.pk), {
                "name": event.name, "short_name": "", "slug": event.slug, "kind": event.kind,
                "series": "", "start_date": event.start_date.isoformat(),
                "end_date": event.end_date.isoformat(), "city": "Nairobi",
                "country": event.country_id, "organiser": "",
            })
        self.assertEqual(response.status_code, 302)
        self.assert_queued_once(counts, {self.first.pk})

    def test_merging_topics(self):
        with queue_rows() as counts:
            response = self.client.post(self.url("topic_changelist"), {
                "action": "merge_selected", "apply": "1", "into": self.water.pk,
                ACTION_CHECKBOX_NAME: [self.water.pk, self.rivers.pk],
            })
        self.assertEqual(response.status_code, 302)
        self.assert_queued_once(counts, {self.second.pk, self.third.pk})
        self.assertFalse(Topic.objects.filter(pk=self.rivers.pk).exists())

    def test_renaming_a_country(self):
        with queue_rows() as counts:
            response = self.client.post(self.url("country_change", self.kenya.pk), {
                "name": "Kenya (renamed)", "historical": "",
            })
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Country.objects.get(code="KEN").name, "Kenya (renamed)")
        self.assert_queued_once(counts, {self.first.pk, self.third.pk})
