"""What an editor meets in the admin (issue 17): events offered with their dates and places,
a chosen event kind, statement dates within their event's, the import on the index page, an
edit history that says why, one honorific style, named inputs in the speakers table."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import Group, Permission
from django.contrib.messages import get_messages
from django.test import TestCase
from django.urls import reverse

from archive import services
from archive.importers.names import normalise_honorific
from archive.models import Event, EventKind, Speaker, Statement

from .factories import EventFactory, StatementFactory, UserFactory, country
from .test_admin import INLINE, AdminTestCase, admin_url


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


class EventChoiceTests(AdminTestCase):
    def setUp(self):
        self.client.force_login(self.editor)

    def autocomplete(self, term):
        response = self.client.get(
            reverse("admin:autocomplete"),
            {"app_label": "archive", "model_name": "statement", "field_name": "event",
             "term": term},
        )
        return [row["text"] for row in response.json()["results"]]

    def test_yearly_meetings_of_one_name_are_told_apart_by_dates_and_place(self):
        EventFactory(name="Annual Water Meeting", start_date=datetime.date(2021, 3, 22),
                     end_date=datetime.date(2021, 3, 23), city="Geneva")
        EventFactory(name="Annual Water Meeting", start_date=datetime.date(2023, 5, 10),
                     end_date=None, city="Nairobi", country=country("KEN"))
        self.assertEqual(
            self.autocomplete("Annual Water"),
            [
                "Annual Water Meeting (10 May 2023, Nairobi, Kenya)",
                "Annual Water Meeting (22–23 March 2021, Geneva, Switzerland)",
            ],
        )
        # A year among the words finds that year's meeting.
        self.assertEqual(
            self.autocomplete("Annual 2021"),
            ["Annual Water Meeting (22–23 March 2021, Geneva, Switzerland)"],
        )

    def test_the_chosen_event_reads_with_its_dates_on_the_form(self):
        statement = StatementFactory(event=self.event)
        response = self.client.get(admin_url("statement_change", statement.pk))
        self.assertContains(
            response, "Water Action Conference (18–19 October 2022, Dushanbe, Tajikistan)"
        )


class EventKindTests(AdminTestCase):
    def setUp(self):
        self.client.force_login(self.editor)

    def test_a_new_event_has_no_kind_until_the_editor_chooses_one(self):
        response = self.client.get(admin_url("event_add"))
        form = response.context["adminform"].form
        self.assertIsNone(form["kind"].value())
        self.assertContains(response, "Security Council meeting")  # the help says which is which
        data = {"name": "Security Council open debate", "slug": "sc-debate",
                "start_date": "2024-01-10"}
        response = self.client.post(admin_url("event_add"), data)
        self.assertEqual(response.status_code, 200)
        self.assertIn("kind", response.context["adminform"].form.errors)
        response = self.client.post(admin_url("event_add"), {**data, "kind": "meeting"})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Event.objects.get(slug="sc-debate").kind, EventKind.MEETING)

    def test_code_that_creates_an_event_from_a_name_guesses_its_kind(self):
        cases = {
            "Security Council meeting on the Middle East": EventKind.MEETING,
            "UN General Assembly, 78th session, general debate": EventKind.SESSION,
            "G20 Leaders' Summit": EventKind.SUMMIT,
            "Official visit to Brasília": EventKind.VISIT,
            "High-Level Conference on Border Security": EventKind.CONFERENCE,
            "Ministerial gathering": EventKind.OTHER,
        }
        for name, kind in cases.items():
            with self.subTest(name=name):
                self.assertEqual(EventKind.guess(name), kind)
        event = services.create_event(name="Security Council meeting", start_date=datetime.date(
            2024, 1, 10))
        self.assertEqual(event.kind, EventKind.MEETING)


class EventDatesTests(AdminTestCase):
    """The factory's event runs 18–19 October 2022."""

    def setUp(self):
        self.client.force_login(self.editor)

    def test_a_statement_outside_its_events_dates_stops_with_a_choice(self):
        data = self.statement_data(delivered_on="2022-10-21")
        response = self.client.post(admin_url("statement_add"), data)
        self.assertEqual(response.status_code, 200)
        error = response.context["adminform"].form.errors["delivered_on"][0]
        self.assertIn("21 October 2022 is outside the dates of", error)
        self.assertIn("18–19 October 2022", error)
        self.assertFalse(Statement.objects.exists())

        response = self.client.post(admin_url("statement_add"), {**data, "widen_event_dates": "on"})
        self.assertEqual(response.status_code, 302)
        self.event.refresh_from_db()
        self.assertEqual(
            (self.event.start_date, self.event.end_date),
            (datetime.date(2022, 10, 18), datetime.date(2022, 10, 21)),
        )
        self.assertTrue(any("are now 18–21 October 2022" in m for m in messages_of(response)))
        reason = self.event.history.first().history_change_reason
        self.assertEqual(reason, "Dates widened to include 2022-10-21")

    def test_a_statement_within_the_dates_needs_no_choice(self):
        response = self.client.post(admin_url("statement_add"), self.statement_data())
        self.assertEqual(response.status_code, 302)

    def test_narrowing_an_event_past_its_statements_warns(self):
        statement = StatementFactory(event=self.event, delivered_on=datetime.date(2022, 10, 19))
        response = self.client.post(
            admin_url("event_change", self.event.pk),
            {"name": self.event.name, "short_name": "", "slug": self.event.slug,
             "kind": "conference", "series": "", "start_date": "2022-10-18", "end_date": "",
             "city": "Dushanbe", "country": country("TJK").pk, "organiser": ""},
            follow=True,
        )
        warning = [m for m in messages_of(response) if "dated outside" in m]
        self.assertEqual(len(warning), 1, messages_of(response))
        self.assertIn("1 of this event's statements is dated outside 18 October 2022", warning[0])
        self.assertIn(f"event__id__exact={self.event.pk}", warning[0])
        self.event.refresh_from_db()
        self.assertEqual(list(Statement.objects.outside_dates_of(self.event)), [statement])


class IndexPageTests(TestCase):
    def test_the_admin_index_offers_the_press_release_import(self):
        editor = UserFactory(username="index-editor", is_staff=True)
        editor.groups.add(Group.objects.get(name="Editors"))
        self.client.force_login(editor)
        response = self.client.get(reverse("admin:index"))
        self.assertContains(response, f'href="{reverse("admin:archive_statement_import_page")}"')
        self.assertContains(response, "Import a press release")

    def test_not_for_staff_who_cannot_add_statements(self):
        viewer = UserFactory(username="index-viewer", is_staff=True)
        viewer.user_permissions.add(Permission.objects.get(codename="view_statement"))
        self.client.force_login(viewer)
        response = self.client.get(reverse("admin:index"))
        self.assertNotContains(response, reverse("admin:archive_statement_import_page"))


class HistoryTests(AdminTestCase):
    def setUp(self):
        self.client.force_login(self.editor)

    def test_every_version_says_why_and_none_reads_none(self):
        self.client.post(admin_url("statement_add"), self.statement_data())
        statement = Statement.objects.get()
        data = self.statement_data(
            title="Statement on water and energy", slug=statement.slug, body=statement.body
        )
        self.client.post(admin_url("statement_change", statement.pk), data)
        services.publish_statement(statement=Statement.objects.get())
        reasons = list(statement.history.values_list("history_change_reason", flat=True))
        # Setting the topics writes a version of its own (on adding here), with the same reason.
        self.assertEqual(
            reasons,
            ["Published", "Changed title in the admin", "Added in the admin",
             "Added in the admin"],
        )
        # An import's version (no user, no reason) reads as such, never "None".
        imported = services.create_statement(
            title="Imported one", body="Text.", delivered_on=datetime.date(2020, 1, 1)
        )
        response = self.client.get(admin_url("statement_history", imported.pk))
        self.assertEqual(response.status_code, 200)
        table = response.content.decode().split('id="change-history"')[1].split("</table>")[0]
        self.assertNotIn("None", table)
        self.assertIn("an import or command", table)
        self.assertNotIn("style=", response.content.decode().split('id="change-history"')[1])


class HonorificTests(AdminTestCase):
    def test_one_style_whatever_is_typed(self):
        cases = {
            "H.E.": "HE", "His Excellency": "HE", "h.e. dr": "HE Dr.", "HE Dr.": "HE Dr.",
            "Dr": "Dr.", "Her Royal Highness Princess": "HRH Princess", "Sheikh": "Sheikh",
            "Ms. Ms.": "Ms.", "": "",
        }
        for typed, kept in cases.items():
            with self.subTest(typed=typed):
                self.assertEqual(normalise_honorific(typed), kept)

    def test_the_admin_and_the_services_keep_it(self):
        self.client.force_login(self.superuser)
        response = self.client.post(
            admin_url("speaker_add"),
            {"name": "Jane Example", "slug": "jane-example", "honorific": "H.E. dr",
             "country": "", "aliases": "", "notes": ""},
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Speaker.objects.get(slug="jane-example").honorific, "HE Dr.")
        speaker = services.create_speaker(name="John Example", honorific="His Excellency")
        self.assertEqual(speaker.honorific, "HE")
        services.update_speaker(speaker=speaker, honorific="h.e. mr")
        self.assertEqual(Speaker.objects.get(pk=speaker.pk).honorific, "HE Mr.")


class SpeakersTableTests(AdminTestCase):
    def test_every_input_of_a_row_has_a_name(self):
        self.client.force_login(self.editor)
        statement = StatementFactory(event=self.event)
        services.set_statement_speakers(
            statement=statement, speakers=[services.SpeakerRole(speaker=self.minister)]
        )
        body = self.client.get(admin_url("statement_change", statement.pk)).content.decode()
        for name, label in (
            (f"{INLINE}-0-speaker", "Speaker 1"),
            (f"{INLINE}-0-role", "Role of speaker 1"),
            (f"{INLINE}-0-order", "Order of speaker 1"),
            (f"{INLINE}-0-DELETE", "Remove speaker 1"),
            (f"{INLINE}-1-role", "Role of speaker 2"),
            (f"{INLINE}-__prefix__-role", "Role of the new speaker"),
        ):
            with self.subTest(name=name):
                self.assertRegex(body, rf'name="{name}"[^>]*aria-label="{label}"|'
                                       rf'aria-label="{label}"[^>]*name="{name}"')

    def test_the_statement_list_shows_the_events_short_name(self):
        self.client.force_login(self.editor)
        StatementFactory(event=self.event)
        body = self.client.get(admin_url("statement_changelist")).content.decode()
        self.assertIn('<td class="field-event_name">Water Conf</td>', body)
        self.assertNotIn("nav-sidebar", body)

