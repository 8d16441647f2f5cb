"""Data entry through the admin, as an editor does it: real requests through the test client."""

import datetime

from django.contrib.auth.models import Group, Permission
from django.contrib.messages import get_messages
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

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

INLINE = "statement_speakers"


def admin_url(name: str, *args) -> str:
    return reverse(f"admin:archive_{name}", args=args)


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


class AdminTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editors = Group.objects.get(name="Editors")
        cls.editor = UserFactory(username="editor", is_staff=True)
        cls.editor.groups.add(cls.editors)
        cls.superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
        cls.minister = SpeakerFactory(name="Amina Example", aliases="A. Example")
        cls.envoy = SpeakerFactory(name="Rustam Sample")
        cls.event = EventFactory(
            name="Water Action Conference", short_name="Water Conf", city="Dushanbe",
            country=country("TJK"),
        )
        cls.water = TopicFactory(name="Water")

    def statement_data(self, *, speakers=(), **overrides) -> dict:
        """A complete add-form POST, inline management form included."""
        data = {
            "title": "Statement on water cooperation",
            "slug": "",
            "delivered_on": "2022-10-18",
            "kind": "statement",
            "language": "en",
            "status": "draft",
            "country": country("TJK").pk,
            "event": self.event.pk,
            "topics": [self.water.pk],
            "summary": "",
            "body": "First paragraph.\r\n\r\nSecond   paragraph.",
            "source_name": "Demo entry (test data)",
            "source_url": "",
            "original_text": "",
            # The version a change form was opened at (ignored when adding).
            "opened_version": "1",
            f"{INLINE}-TOTAL_FORMS": str(len(speakers)),
            f"{INLINE}-INITIAL_FORMS": "0",
            f"{INLINE}-MIN_NUM_FORMS": "0",
            f"{INLINE}-MAX_NUM_FORMS": "1000",
        }
        for i, (speaker, role) in enumerate(speakers):
            data[f"{INLINE}-{i}-speaker"] = speaker.pk
            data[f"{INLINE}-{i}-role"] = role
            data[f"{INLINE}-{i}-order"] = str(i)
        data.update(overrides)
        return data


class AccessTests(AdminTestCase):
    def test_anonymous_and_non_staff_users_are_sent_to_the_login(self):
        reader = UserFactory(username="reader")
        login = reverse("admin:login")
        for label, user in (("anonymous", None), ("non-staff", reader)):
            with self.subTest(label):
                if user is not None:
                    self.client.force_login(user)
                for url in (admin_url("statement_changelist"), admin_url("statement_add")):
                    response = self.client.get(url)
                    self.assertEqual(response.status_code, 302)
                    self.assertTrue(response["Location"].startswith(login))
                    self.assertIn("next=", response["Location"])
                self.client.logout()

    def test_staff_without_the_group_cannot_add_statements(self):
        self.client.force_login(UserFactory(username="staff", is_staff=True))
        self.assertEqual(self.client.get(admin_url("statement_add")).status_code, 403)
        response = self.client.post(
            admin_url("statement_add"), self.statement_data(speakers=[(self.envoy, "Envoy")])
        )
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Statement.objects.exists())

    def test_editors_may_view_countries_but_not_change_them(self):
        self.client.force_login(self.editor)
        qatar = country("QAT")
        self.assertEqual(self.client.get(admin_url("country_changelist")).status_code, 200)
        response = self.client.get(admin_url("country_change", qatar.pk))
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, 'name="_save"')
        self.assertEqual(self.client.get(admin_url("country_add")).status_code, 403)
        response = self.client.post(
            admin_url("country_change", qatar.pk), {"code": "QAT", "name": "Renamed"}
        )
        self.assertEqual(response.status_code, 403)
        self.assertEqual(country("QAT").name, "Qatar")

    def test_editors_cannot_delete_statements(self):
        statement = StatementFactory()
        self.client.force_login(self.editor)
        response = self.client.post(admin_url("statement_delete", statement.pk), {"post": "yes"})
        self.assertEqual(response.status_code, 403)
        self.assertTrue(Statement.objects.filter(pk=statement.pk).exists())

    def test_every_admin_page_an_editor_may_open_renders(self):
        statement = StatementSpeakerFactory(statement__event=self.event).statement
        statement.topics.add(self.water)
        self.client.force_login(self.editor)
        urls = [
            reverse("admin:index"),
            admin_url("statement_changelist"),
            admin_url("statement_add"),
            admin_url("statement_change", statement.pk),
            admin_url("speaker_changelist"),
            admin_url("speaker_add"),
            admin_url("speaker_change", self.minister.pk),
            admin_url("event_changelist"),
            admin_url("event_add"),
            admin_url("event_change", self.event.pk),
            admin_url("topic_changelist"),
            admin_url("topic_add"),
            admin_url("topic_change", self.water.pk),
            admin_url("country_changelist"),
        ]
        for url in urls:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 200)


class EditorWorkflowTests(AdminTestCase):
    """An editor adds a statement with two speakers, it stays a draft, then is published."""

    def test_add_two_speakers_then_publish(self):
        self.client.force_login(self.editor)
        page = self.client.get(admin_url("statement_add"))
        self.assertEqual(page.context["adminform"].form["status"].value(), Status.DRAFT)
        self.assertNotContains(page, "Possible duplicates")

        data = self.statement_data(
            speakers=[(self.envoy, "Special Envoy"), (self.minister, "Minister of Foreign Affairs")]
        )
        with announcements() as sent:
            response = self.client.post(admin_url("statement_add"), data)
        self.assertRedirects(response, admin_url("statement_changelist"))

        statement = Statement.objects.get()
        self.assertEqual(statement.status, Status.DRAFT)
        self.assertIsNone(statement.published_at)
        self.assertEqual(statement.slug, "statement-on-water-cooperation")
        self.assertEqual(statement.body, "First paragraph.\n\nSecond paragraph.")
        self.assertEqual(statement.content_hash, services.content_hash(statement.body))
        self.assertEqual((statement.created_by, statement.updated_by), (self.editor, self.editor))
        self.assertEqual(list(statement.topics.all()), [self.water])
        self.assertEqual(
            list(statement.statement_speakers.values_list("speaker", "role", "order")),
            [
                (self.envoy.pk, "Special Envoy", 0),
                (self.minister.pk, "Minister of Foreign Affairs", 1),
            ],
        )
        # The last announcement comes after the inline rows were saved, so the search queue
        # sees the statement with its speakers.
        self.assertEqual(sent[-1], frozenset({statement.pk}))

        self.assertFalse(Statement.objects.published().exists())
        self.client.logout()
        self.assert_public_page(statement, 404)

        self.client.force_login(self.editor)
        with announcements() as sent:
            response = self.client.post(
                admin_url("statement_changelist"),
                {"action": "publish_selected", "_selected_action": [statement.pk]},
            )
        self.assertEqual(response.status_code, 302)
        self.assertIn("1 statement published.", messages_of(response))
        statement.refresh_from_db()
        self.assertEqual(statement.status, Status.PUBLISHED)
        self.assertIsNotNone(statement.published_at)
        self.assertEqual(announced(sent), {statement.pk})
        self.client.logout()
        self.assert_public_page(statement, 200)

    def assert_public_page(self, statement, status):
        url = reverse("archive:statement-detail", args=[statement.slug])
        self.assertEqual(self.client.get(url).status_code, status)

    def test_unpublish_action_returns_statements_to_draft(self):
        published = [StatementFactory(), StatementFactory()]
        draft = StatementFactory(draft=True)
        self.client.force_login(self.editor)
        response = self.client.post(
            admin_url("statement_changelist"),
            {
                "action": "unpublish_selected",
                "_selected_action": [s.pk for s in [*published, draft]],
            },
        )
        self.assertIn("2 statements returned to draft.", messages_of(response))
        self.assertEqual(Statement.objects.drafts().count(), 3)
        self.assertFalse(Statement.objects.filter(published_at__isnull=False).exists())

    def test_publishing_through_the_status_field_sets_the_time(self):
        self.client.force_login(self.editor)
        response = self.client.post(
            admin_url("statement_add"), self.statement_data(status="published")
        )
        self.assertEqual(response.status_code, 302)
        self.assertIsNotNone(Statement.objects.get().published_at)

    def test_editing_a_published_statement_keeps_its_publication_time(self):
        statement = StatementFactory(title="Published earlier", event=self.event)
        first = statement.published_at
        self.client.force_login(self.editor)
        data = self.statement_data(
            title="Published earlier, corrected", slug=statement.slug, status="published"
        )
        response = self.client.post(admin_url("statement_change", statement.pk), data)
        self.assertEqual(response.status_code, 302)
        statement.refresh_from_db()
        self.assertEqual(statement.title, "Published earlier, corrected")
        self.assertEqual(statement.published_at, first)

    def test_change_form_shows_who_created_and_changed_it(self):
        self.client.force_login(self.editor)
        self.client.post(admin_url("statement_add"), self.statement_data())
        statement = Statement.objects.get()
        other = UserFactory(username="second-editor", is_staff=True)
        other.groups.add(self.editors)
        self.client.force_login(other)
        data = self.statement_data(title="Statement on water cooperation (revised)")
        data["slug"] = statement.slug
        response = self.client.post(admin_url("statement_change", statement.pk), data)
        self.assertEqual(response.status_code, 302)
        statement.refresh_from_db()
        self.assertEqual((statement.created_by, statement.updated_by), (self.editor, other))
        response = self.client.get(admin_url("statement_change", statement.pk))
        self.assertContains(response, "editor")
        self.assertContains(response, "second-editor")
        # Audit fields are shown, never offered as inputs.
        self.assertNotContains(response, 'name="created_by"')
        self.assertNotContains(response, 'name="published_at"')

    def test_an_editor_can_rename_a_speaker_and_their_statements_are_reannounced(self):
        on_record = StatementSpeakerFactory(speaker=self.minister).statement
        self.client.force_login(self.editor)
        with announcements() as sent:
            response = self.client.post(
                admin_url("speaker_change", self.minister.pk),
                {
                    "name": "Amina B. Example",
                    "slug": self.minister.slug,
                    "honorific": "Dr.",
                    "country": "",
                    "aliases": "A. Example",
                    "notes": "",
                },
            )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Speaker.objects.get(pk=self.minister.pk).name, "Amina B. Example")
        self.assertEqual(announced(sent), {on_record.pk})

    def test_an_editor_can_add_an_event_and_a_topic(self):
        self.client.force_login(self.editor)
        response = self.client.post(
            admin_url("event_add"),
            {
                "name": "Dushanbe Water Process meeting",
                "short_name": "",
                "slug": "dushanbe-water-process-meeting",
                "kind": "meeting",
                "series": "Dushanbe Water Process",
                "start_date": "2024-06-10",
                "end_date": "2024-06-13",
                "city": "Dushanbe",
                "country": country("TJK").pk,
                "organiser": "",
            },
        )
        self.assertEqual(response.status_code, 302)
        self.assertTrue(Event.objects.filter(series="Dushanbe Water Process").exists())
        response = self.client.post(
            admin_url("topic_add"), {"name": "Glaciers", "slug": "glaciers"}
        )
        self.assertEqual(response.status_code, 302)
        self.assertTrue(Topic.objects.filter(slug="glaciers").exists())


class ValidationTests(AdminTestCase):
    """Bad input comes back as a form error on the page, never a 500."""

    def setUp(self):
        self.client.force_login(self.editor)

    def test_event_ending_before_it_starts(self):
        response = self.client.post(
            admin_url("event_add"),
            {
                "name": "Backwards",
                "slug": "backwards",
                "kind": "conference",
                "start_date": "2024-06-13",
                "end_date": "2024-06-10",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "An event cannot end before it starts.")
        self.assertFalse(Event.objects.filter(slug="backwards").exists())

    def test_topic_with_a_comma_is_one_topic(self):
        # Facets hold slugs, so a comma in a name no longer splits a topic in the index.
        response = self.client.post(
            admin_url("topic_add"), {"name": "Water, energy", "slug": "water-energy"}
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Topic.objects.get(slug="water-energy").name, "Water, energy")

    def test_the_same_speaker_twice_on_a_new_statement(self):
        data = self.statement_data(
            speakers=[(self.minister, "Minister"), (self.minister, "Also minister")]
        )
        response = self.client.post(admin_url("statement_add"), data)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Please correct the duplicate data")
        self.assertFalse(Statement.objects.exists())

    def test_adding_a_speaker_already_on_the_statement(self):
        link = StatementSpeakerFactory(speaker=self.minister, statement__event=self.event)
        statement = link.statement
        data = self.statement_data(title=statement.title, slug=statement.slug, status="published")
        data.update(
            {
                f"{INLINE}-TOTAL_FORMS": "2",
                f"{INLINE}-INITIAL_FORMS": "1",
                f"{INLINE}-0-id": link.pk,
                f"{INLINE}-0-statement": statement.pk,
                f"{INLINE}-0-speaker": self.minister.pk,
                f"{INLINE}-0-role": link.role,
                f"{INLINE}-0-order": "0",
                f"{INLINE}-1-statement": statement.pk,
                f"{INLINE}-1-speaker": self.minister.pk,
                f"{INLINE}-1-role": "Again",
                f"{INLINE}-1-order": "1",
            }
        )
        response = self.client.post(admin_url("statement_change", statement.pk), data)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "duplicate data")
        self.assertEqual(statement.statement_speakers.count(), 1)

    def test_a_taken_slug(self):
        taken = StatementFactory()
        response = self.client.post(
            admin_url("statement_add"), self.statement_data(slug=taken.slug)
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Statement with this Slug already exists.")

    def test_a_slug_another_statement_had_before(self):
        moved = StatementFactory(slug="old-title")
        services.update_statement(moved, slug="new-title")
        response = self.client.post(
            admin_url("statement_add"), self.statement_data(slug="old-title")
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Another statement had this slug before")
        self.assertEqual(Statement.objects.count(), 1)
        # Its own former slug is shown on the statement, and may be taken back.
        page = self.client.get(admin_url("statement_change", moved.pk))
        self.assertContains(page, "old-title")
        data = self.statement_data(title=moved.title, slug="old-title", event="", topics=[],
                                   opened_version=str(moved.version))
        response = self.client.post(admin_url("statement_change", moved.pk), data)
        self.assertEqual(response.status_code, 302)
        moved.refresh_from_db()
        self.assertEqual(moved.slug, "old-title")

    def test_missing_body_and_bad_date(self):
        response = self.client.post(
            admin_url("statement_add"), self.statement_data(body="  ", delivered_on="18/31/2022")
        )
        self.assertEqual(response.status_code, 200)
        errors = response.context["adminform"].form.errors
        self.assertIn("body", errors)
        self.assertIn("delivered_on", errors)

    def test_deleting_a_speaker_in_use_is_refused_with_a_message(self):
        StatementSpeakerFactory(speaker=self.envoy)
        self.client.force_login(self.superuser)
        url = admin_url("speaker_delete", self.envoy.pk)
        for method in (self.client.get, self.client.post):
            with self.subTest(method=method.__name__):
                response = method(url, {"post": "yes"})
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "protected")
        self.assertTrue(Speaker.objects.filter(pk=self.envoy.pk).exists())

    def test_deleting_an_event_in_use_is_refused_with_a_message(self):
        StatementFactory(event=self.event)
        self.client.force_login(self.superuser)
        response = self.client.post(
            admin_url("event_changelist"),
            {"action": "delete_selected", "_selected_action": [self.event.pk], "post": "yes"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "protected")
        self.assertTrue(Event.objects.filter(pk=self.event.pk).exists())


class DuplicateWarningTests(AdminTestCase):
    def test_a_statement_with_the_same_text_is_pointed_out(self):
        earlier = services.create_statement(
            title="Earlier release", body="First paragraph. Second paragraph.",
            delivered_on=datetime.date(2022, 10, 17),
        )
        self.client.force_login(self.editor)
        response = self.client.post(admin_url("statement_add"), self.statement_data())
        self.assertEqual(response.status_code, 302)
        [message] = [m for m in messages_of(response) if "may duplicate" in m]
        self.assertIn("may duplicate a statement already in the archive", message)
        self.assertIn(admin_url("statement_change", earlier.pk), message)
        # The warning never blocks the save: the editor decides.
        self.assertEqual(Statement.objects.count(), 2)

        new = Statement.objects.exclude(pk=earlier.pk).get()
        response = self.client.get(admin_url("statement_change", new.pk))
        self.assertContains(response, admin_url("statement_change", earlier.pk))
        self.assertContains(response, "Earlier release")

    def test_titles_in_the_warning_are_escaped(self):
        services.create_statement(
            title="<script>alert(1)</script>", body="First paragraph. Second paragraph.",
            delivered_on=datetime.date(2022, 10, 17),
        )
        self.client.force_login(self.editor)
        response = self.client.post(admin_url("statement_add"), self.statement_data(), follow=True)
        self.assertNotContains(response, "<script>alert(1)</script>")
        self.assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt;")

    def test_no_warning_for_a_new_text(self):
        self.client.force_login(self.editor)
        response = self.client.post(admin_url("statement_add"), self.statement_data())
        [message] = messages_of(response)
        self.assertIn("was added successfully", message)


class ChangelistTests(AdminTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.old = StatementFactory(title="Old address", delivered_on=datetime.date(1999, 9, 23))
        StatementSpeakerFactory(statement=cls.old, speaker=cls.minister)
        cls.new = StatementFactory(
            title="New address", delivered_on=datetime.date(2022, 10, 18), event=cls.event,
            summary="On glaciers and rivers.",
        )
        StatementSpeakerFactory(statement=cls.new, speaker=cls.envoy, order=0)
        StatementSpeakerFactory(statement=cls.new, speaker=cls.minister, order=1)

    def setUp(self):
        self.client.force_login(self.editor)

    def changelist(self, **params):
        response = self.client.get(admin_url("statement_changelist"), params)
        self.assertEqual(response.status_code, 200)
        return response

    def titles(self, **params) -> set[str]:
        return {s.title for s in self.changelist(**params).context["cl"].result_list}

    def test_rows_show_speakers_in_order(self):
        response = self.changelist()
        self.assertContains(response, "Rustam Sample, Amina Example")

    def test_query_count_does_not_grow_with_the_rows(self):
        with CaptureQueriesContext(connection) as few:
            self.changelist()
        for n in range(8):
            statement = StatementFactory(delivered_on=datetime.date(2010 + n, 1, 1))
            StatementSpeakerFactory(statement=statement)
            StatementSpeakerFactory(statement=statement, order=1)
            statement.topics.add(self.water)
        with CaptureQueriesContext(connection) as many:
            response = self.changelist()
        self.assertEqual(response.context["cl"].result_count, 10)
        self.assertEqual(len(many), len(few), [q["sql"] for q in many.captured_queries])
        self.assertLess(len(many), 20)

    def test_search(self):
        cases = [
            ("title", "Old address", {"Old address"}),
            ("speaker name", "Rustam", {"New address"}),
            ("speaker alias", "A. Example", {"Old address", "New address"}),
            ("summary", "glaciers", {"New address"}),
            ("event short name", "Water Conf", {"New address"}),
            ("nothing", "nowhere to be found", set()),
        ]
        for label, term, expected in cases:
            with self.subTest(label):
                self.assertEqual(self.titles(q=term), expected)

    def test_a_statement_with_two_matching_speakers_is_listed_once(self):
        # "am" is in both speakers of "New address" (Rustam, Amina) and in none of the titles.
        response = self.changelist(q="am")
        titles = [s.title for s in response.context["cl"].result_list]
        self.assertCountEqual(titles, ["New address", "Old address"])
        self.assertEqual(response.context["cl"].result_count, 2)

    def test_filters(self):
        cases = [
            ({"year": "1999"}, {"Old address"}),
            ({"year": "2022"}, {"New address"}),
            ({"year": "not-a-year"}, set()),
            ({"year": "0"}, set()),
            ({"delivered_on__year": "2022"}, {"New address"}),
            ({"event__id__exact": str(self.event.pk)}, {"New address"}),
            ({"status__exact": "draft"}, set()),
            ({"status__exact": "published"}, {"Old address", "New address"}),
            ({"country__id__exact": str(country("QAT").pk)}, {"Old address", "New address"}),
        ]
        for params, expected in cases:
            with self.subTest(params=params):
                self.assertEqual(self.titles(**params), expected)

    def test_year_filter_offers_the_years_in_use(self):
        response = self.changelist()
        self.assertContains(response, "?year=1999")
        self.assertContains(response, "?year=2022")
        self.assertNotContains(response, "?year=2000")

    def test_related_lists_show_statement_counts(self):
        for name, needle in (
            ("speaker_changelist", "Amina Example"),
            ("event_changelist", "Water Action Conference"),
            ("topic_changelist", "Water"),
            ("country_changelist", "Qatar"),
        ):
            with self.subTest(name):
                response = self.client.get(admin_url(name), {"q": needle})
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, needle)
        counts = {
            s.name: s.statement_count
            for s in self.client.get(admin_url("speaker_changelist")).context["cl"].result_list
        }
        self.assertEqual(counts["Amina Example"], 2)
        self.assertEqual(counts["Rustam Sample"], 1)

    def test_related_searches(self):
        cases = [
            ("speaker_changelist", "A. Example", "name", {"Amina Example"}),
            ("event_changelist", "Water Conf", "name", {"Water Action Conference"}),
            ("event_changelist", "dushanbe", "name", {"Water Action Conference"}),
            ("country_changelist", "YUG", "code", {"YUG"}),
            ("country_changelist", "tajik", "code", {"TJK"}),
        ]
        for name, term, attr, expected in cases:
            with self.subTest(name=name, term=term):
                rows = self.client.get(admin_url(name), {"q": term}).context["cl"].result_list
                self.assertEqual({getattr(r, attr) for r in rows}, expected)


class AutocompleteTests(AdminTestCase):
    def setUp(self):
        self.client.force_login(self.editor)

    def autocomplete(self, model_name, field_name, term):
        response = self.client.get(
            reverse("admin:autocomplete"),
            {"app_label": "archive", "model_name": model_name, "field_name": field_name,
             "term": term},
        )
        self.assertEqual(response.status_code, 200)
        return [row["text"] for row in response.json()["results"]]

    def test_the_editor_can_look_up_every_autocomplete_field(self):
        cases = [
            ("statementspeaker", "speaker", "Rustam", ["Rustam Sample"]),
            ("statementspeaker", "speaker", "A. Example", ["Amina Example"]),
            # Events with their dates and place, so yearly meetings can be told apart.
            ("statement", "event", "Water",
             ["Water Action Conference (18–19 October 2022, Dushanbe, Tajikistan)"]),
            ("statement", "country", "QAT", ["Qatar"]),
            ("statement", "topics", "wat", ["Water"]),
        ]
        for model_name, field_name, term, expected in cases:
            with self.subTest(field=field_name, term=term):
                self.assertEqual(self.autocomplete(model_name, field_name, term), expected)


class DeleteTests(AdminTestCase):
    def setUp(self):
        self.client.force_login(self.superuser)

    def test_deleting_a_statement_goes_through_the_service(self):
        statement = StatementSpeakerFactory().statement
        pk = statement.pk
        with announcements() as sent:
            response = self.client.post(admin_url("statement_delete", pk), {"post": "yes"})
        self.assertEqual(response.status_code, 302)
        self.assertFalse(Statement.objects.filter(pk=pk).exists())
        self.assertFalse(StatementSpeaker.objects.filter(statement_id=pk).exists())
        self.assertEqual(announced(sent), {pk})

    def test_bulk_delete_announces_every_statement(self):
        statements = [StatementFactory(), StatementFactory(draft=True)]
        ids = {s.pk for s in statements}
        with announcements() as sent:
            response = self.client.post(
                admin_url("statement_changelist"),
                {"action": "delete_selected", "_selected_action": list(ids), "post": "yes"},
            )
        self.assertEqual(response.status_code, 302)
        self.assertFalse(Statement.objects.filter(pk__in=ids).exists())
        self.assertEqual(announced(sent), ids)

    def test_deleting_a_topic_reannounces_the_statements_that_lose_it(self):
        statement = StatementFactory()
        statement.topics.add(self.water)
        with announcements() as sent:
            response = self.client.post(admin_url("topic_delete", self.water.pk), {"post": "yes"})
        self.assertEqual(response.status_code, 302)
        self.assertFalse(Topic.objects.filter(pk=self.water.pk).exists())
        self.assertEqual(announced(sent), {statement.pk})

    def test_an_unused_speaker_can_be_deleted(self):
        unused = services.create_speaker(name="Unused Person")
        response = self.client.post(admin_url("speaker_delete", unused.pk), {"post": "yes"})
        self.assertEqual(response.status_code, 302)
        self.assertFalse(Speaker.objects.filter(pk=unused.pk).exists())

    def test_create_statement_service_and_admin_agree_on_speakers(self):
        # A statement made by an importer opens in the admin with its speakers in order.
        statement = services.create_statement(
            title="Imported", body="Text.", delivered_on=datetime.date(2020, 1, 1),
            speakers=[SpeakerRole(speaker=self.envoy, role="Envoy"),
                      SpeakerRole(speaker=self.minister, role="Minister")],
        )
        response = self.client.get(admin_url("statement_change", statement.pk))
        formset = response.context["inline_admin_formsets"][0].formset
        self.assertEqual(
            [form.instance.speaker for form in formset.initial_forms], [self.envoy, self.minister]
        )


class ImportLinkTests(TestCase):
    def test_the_statement_list_links_editors_to_the_press_release_import(self):
        editor = UserFactory(username="import-link-editor", is_staff=True)
        editor.groups.add(Group.objects.get(name="Editors"))
        self.client.force_login(editor)
        response = self.client.get(reverse("admin:archive_statement_changelist"))
        self.assertContains(response, reverse("admin:archive_statement_import_page"))

    def test_staff_without_the_add_permission_see_no_import_link(self):
        viewer = UserFactory(username="import-link-viewer", is_staff=True)
        viewer.user_permissions.add(Permission.objects.get(codename="view_statement"))
        self.client.force_login(viewer)
        response = self.client.get(reverse("admin:archive_statement_changelist"))
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, reverse("admin:archive_statement_import_page"))
