"""Edit history: every save of a statement, speaker or event keeps the version before it, an
editor sees who changed what, and restores an earlier version from the admin."""

import datetime

from django.test import TestCase
from django.urls import reverse

from archive import services
from archive.models import Event, Speaker, Statement, Status
from archive.services import SpeakerRole, StatementInput
from search.models import IndexQueue

from .factories import EventFactory, SpeakerFactory, TopicFactory, UserFactory, country
from .signals import announced, announcements
from .test_admin import AdminTestCase, admin_url


def form_data(response) -> dict:
    """What a browser would send back for the admin form on this page, unchanged."""
    form = response.context["adminform"].form
    data = {}
    for bound in form:
        if bound.field.disabled:
            continue
        value = bound.value()
        if isinstance(value, list | tuple):
            data[bound.html_name] = [str(v) for v in value]
        elif value is None:
            data[bound.html_name] = ""
        elif isinstance(value, bool):
            if value:
                data[bound.html_name] = "on"
        else:
            data[bound.html_name] = str(value)
    return data


def errors_of(response) -> str:
    if response.context is None or "adminform" not in response.context:
        return f"status {response.status_code}"
    errors = [response.context["adminform"].form.errors]
    errors += [f.errors for f in response.context.get("inline_admin_formsets", [])
               for f in [f.formset]]
    return repr(errors)


class ServiceHistoryTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = UserFactory(username="historian", is_staff=True)

    def test_each_service_write_keeps_a_version_with_what_changed(self):
        water = services.get_or_create_topic(name="Water")
        statement = services.create_statement(
            title="Statement on rivers", body="The first text.",
            delivered_on=datetime.date(2022, 3, 1), topics=[water], user=self.editor,
        )
        services.update_statement(statement, title="Statement on shared rivers", user=self.editor)
        versions = list(statement.history.order_by("history_date", "history_id"))
        self.assertGreaterEqual(len(versions), 2)
        self.assertEqual(versions[0].history_type, "+")
        self.assertEqual(versions[0].title, "Statement on rivers")
        self.assertEqual(versions[-1].title, "Statement on shared rivers")
        delta = versions[-1].diff_against(versions[-2])
        self.assertEqual(delta.changed_fields, ["title"])
        # The topics of each version are kept beside it.
        self.assertEqual(
            list(versions[-1].topics.values_list("topic_id", flat=True)), [water.pk]
        )

    def test_a_deleted_statement_leaves_its_last_version(self):
        statement = services.create_statement(
            title="Soon gone", body="Text.", delivered_on=datetime.date(2022, 3, 1)
        )
        pk = statement.pk
        services.delete_statement(statement=statement)
        self.assertFalse(Statement.objects.filter(pk=pk).exists())
        last = Statement.history.filter(id=pk).order_by("-history_date").first()
        self.assertEqual(last.history_type, "-")
        self.assertEqual(last.title, "Soon gone")
        self.assertEqual(last.body, "Text.")

    def test_speakers_and_events_keep_versions(self):
        speaker = services.create_speaker(name="Amina Example")
        services.update_speaker(speaker=speaker, name="Amina K. Example")
        self.assertEqual(
            list(speaker.history.order_by("history_id").values_list("name", flat=True)),
            ["Amina Example", "Amina K. Example"],
        )
        event = services.create_event(name="Water Conference", start_date=datetime.date(2022, 1, 1))
        services.update_event(event=event, city="Dushanbe")
        self.assertEqual(
            list(event.history.order_by("history_id").values_list("city", flat=True)),
            ["", "Dushanbe"],
        )

    def test_a_bulk_import_writes_one_version_per_statement_marked_imported(self):
        water = services.get_or_create_topic(name="Water")
        result = services.bulk_upsert_statements(
            items=[
                StatementInput(
                    title="Imported", body="Imported text.",
                    delivered_on=datetime.date(2020, 9, 1), import_key="test:1", topics=(water,),
                )
            ]
        )
        statement = Statement.objects.get(pk=result.ids["test:1"])
        imported = statement.history.get()
        self.assertEqual(imported.history_change_reason, "Imported")
        self.assertEqual(list(imported.topics.values_list("topic_id", flat=True)), [water.pk])
        services.update_statement(statement, summary="Edited after import.")
        self.assertEqual(statement.history.count(), 2)


class AdminHistoryTests(AdminTestCase):
    def setUp(self):
        self.client.force_login(self.editor)

    def create_through_admin(self) -> Statement:
        response = self.client.post(
            admin_url("statement_add"),
            self.statement_data(speakers=[(self.envoy, "Special Envoy")]),
        )
        self.assertEqual(response.status_code, 302, response.content[:2000])
        return Statement.objects.get()

    def edit_through_admin(self, statement: Statement, **changes) -> None:
        page = self.client.get(admin_url("statement_change", statement.pk))
        data = form_data(page)
        management = page.context["inline_admin_formsets"][0].formset.management_form
        for bound in management:
            data[bound.html_name] = str(bound.value())
        links = list(statement.statement_speakers.all())
        data["statement_speakers-TOTAL_FORMS"] = str(len(links))  # no extra blank row
        for i, link in enumerate(links):
            prefix = f"statement_speakers-{i}-"
            data.update(
                {
                    prefix + "id": str(link.pk),
                    prefix + "statement": str(statement.pk),
                    prefix + "speaker": str(link.speaker_id),
                    prefix + "role": link.role,
                    prefix + "order": str(link.order),
                }
            )
        data.update(changes)
        response = self.client.post(admin_url("statement_change", statement.pk), data)
        self.assertEqual(response.status_code, 302, errors_of(response))

    def test_the_history_page_shows_who_changed_what(self):
        statement = self.create_through_admin()
        self.edit_through_admin(statement, title="Statement on regional water cooperation")
        latest = statement.history.latest()
        self.assertEqual(latest.history_user, self.editor)
        self.assertEqual(latest.title, "Statement on regional water cooperation")

        response = self.client.get(admin_url("statement_history", statement.pk))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "editor")
        # The difference is listed: the changed field, the old and the new value.
        self.assertContains(response, "Title")
        self.assertContains(response, "regional water cooperation")

    def test_an_editor_restores_an_earlier_version_and_the_search_queue_hears_it(self):
        statement = self.create_through_admin()
        # The version as the add form left it (fields first, then topics: two records).
        first = statement.history.latest()
        drought = TopicFactory(name="Drought")
        self.edit_through_admin(
            statement,
            title="Statement on drought",
            body="A rewritten text.",
            status="published",
            topics=[str(drought.pk)],
        )
        statement.refresh_from_db()
        self.assertEqual(statement.title, "Statement on drought")
        self.assertEqual(list(statement.topics.all()), [drought])

        revert_url = reverse(
            "admin:archive_statement_simple_history", args=[statement.pk, first.history_id]
        )
        page = self.client.get(revert_url)
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, "Revert")
        data = form_data(page)
        self.assertEqual(data["title"], "Statement on water cooperation")
        self.assertEqual(data["topics"], [str(self.water.pk)])
        IndexQueue.objects.all().delete()
        with announcements() as sent:
            response = self.client.post(revert_url, data)
        self.assertEqual(response.status_code, 302, errors_of(response))

        statement.refresh_from_db()
        self.assertEqual(statement.title, "Statement on water cooperation")
        self.assertEqual(statement.body, "First paragraph.\n\nSecond paragraph.")
        self.assertEqual(statement.status, Status.DRAFT)
        self.assertIsNone(statement.published_at)
        self.assertEqual(list(statement.topics.all()), [self.water])
        # Speakers are not part of a version; the revert leaves them as they are.
        self.assertEqual(
            [(link.speaker, link.role) for link in statement.statement_speakers.all()],
            [(self.envoy, "Special Envoy")],
        )
        # Through the services: announced, queued for the index, recorded as the editor's.
        self.assertIn(statement.pk, announced(sent))
        self.assertTrue(
            IndexQueue.objects.filter(statement_pk=statement.pk).exists()
        )
        self.assertEqual(statement.history.latest().history_user, self.editor)
        self.assertEqual(statement.updated_by, self.editor)

    def test_speaker_and_event_pages_have_history_and_revert(self):
        speaker = SpeakerFactory(name="Rustam Example")
        statement = services.create_statement(
            title="A statement", body="Text.", delivered_on=datetime.date(2022, 1, 1),
            speakers=[SpeakerRole(speaker=speaker, role="Envoy")],
        )
        services.update_speaker(speaker=speaker, name="Rustam B. Example")
        first = speaker.history.earliest()
        url = reverse("admin:archive_speaker_simple_history", args=[speaker.pk, first.history_id])
        page = self.client.get(url)
        self.assertEqual(page.status_code, 200)
        with announcements() as sent:
            response = self.client.post(url, form_data(page))
        self.assertEqual(response.status_code, 302, errors_of(response))
        self.assertEqual(Speaker.objects.get(pk=speaker.pk).name, "Rustam Example")
        self.assertIn(statement.pk, announced(sent))

        event = EventFactory(name="Summit on Water", country=country("TJK"))
        self.assertEqual(
            self.client.get(admin_url("event_history", event.pk)).status_code, 200
        )
        self.assertEqual(Event.history.filter(id=event.pk).count(), 1)

    def test_staff_outside_the_editors_group_see_no_history(self):
        statement = self.create_through_admin()
        self.client.force_login(UserFactory(username="visitor", is_staff=True))
        version = statement.history.earliest()
        for url in (
            admin_url("statement_history", statement.pk),
            reverse(
                "admin:archive_statement_simple_history", args=[statement.pk, version.history_id]
            ),
        ):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 403)
