"""Two editors on one statement (issue 13, item 4): every statement carries a version number,
every write moves it on, and a save made from an older version is refused with
``services.StatementConflict`` instead of silently overwriting the newer one.  In the admin
the second editor gets a 409 page with both versions and their differences (the speakers
included), the form still holding what they typed, and the choice: save theirs over, or take
the saved version."""

import datetime
import re

from django.test import TestCase

from archive import services
from archive.models import Statement
from archive.services import SpeakerRole, StatementConflict, StatementInput

from .factories import SpeakerFactory, StatementFactory, TopicFactory
from .test_admin import AdminTestCase, admin_url


class ServiceVersionTests(TestCase):
    def test_a_stale_copy_cannot_overwrite_a_newer_save(self):
        statement = StatementFactory(title="Original title")
        first, second = Statement.objects.get(pk=statement.pk), Statement.objects.get(
            pk=statement.pk
        )
        self.assertEqual((first.version, second.version), (1, 1))
        services.update_statement(first, title="First editor's title")
        self.assertEqual(first.version, 2)
        with self.assertRaises(StatementConflict) as caught:
            services.update_statement(second, summary="Second editor's summary")
        self.assertEqual((caught.exception.expected, caught.exception.current), (1, 2))
        self.assertIn("changed by someone else", str(caught.exception))
        statement.refresh_from_db()
        self.assertEqual((statement.title, statement.summary, statement.version),
                         ("First editor's title", "", 2))

    def test_the_version_a_form_started_from_is_checked(self):
        statement = StatementFactory()
        services.update_statement(Statement.objects.get(pk=statement.pk), title="Newer")
        fresh = Statement.objects.get(pk=statement.pk)
        fresh.title = "From a form opened at version 1"
        with self.assertRaises(StatementConflict):
            services.record_statement_saved(statement=fresh, expected_version=1)
        services.record_statement_saved(statement=fresh, expected_version=2)
        self.assertEqual(Statement.objects.get(pk=statement.pk).version, 3)

    def test_a_statement_deleted_meanwhile_is_a_conflict_not_a_resurrection(self):
        statement = StatementFactory()
        stale = Statement.objects.get(pk=statement.pk)
        services.delete_statement(statement=statement)
        with self.assertRaises(StatementConflict) as caught:
            services.update_statement(stale, title="Back from the dead?")
        self.assertIsNone(caught.exception.current)
        self.assertFalse(Statement.objects.filter(pk=stale.pk).exists())

    def test_every_write_moves_the_version_on(self):
        statement = StatementFactory(draft=True, import_key="test:versions")
        speaker, topic = SpeakerFactory(), TopicFactory()

        def version():
            return Statement.objects.get(pk=statement.pk).version

        steps = [
            ("publish", lambda s: services.publish_statement(statement=s)),
            ("unpublish", lambda s: services.unpublish_statement(statement=s)),
            ("speakers", lambda s: services.set_statement_speakers(
                statement=s, speakers=[SpeakerRole(speaker=speaker)])),
            ("topics", lambda s: services.set_statement_topics(statement=s, topics=[topic])),
            ("bulk import", lambda s: services.bulk_upsert_statements(items=[StatementInput(
                title="Re-imported", body="New text.", delivered_on=datetime.date(2022, 1, 1),
                import_key="test:versions")])),
        ]
        for label, step in steps:
            with self.subTest(label):
                before = version()
                step(Statement.objects.get(pk=statement.pk))
                self.assertEqual(version(), before + 1)


def hidden_version(response) -> str:
    match = re.search(r'<input type="hidden" name="opened_version" value="(\d+)"', response.content
                      .decode())
    assert match, "the change form carries the version it was opened at"
    return match.group(1)


class AdminConflictTests(AdminTestCase):
    def setUp(self):
        self.statement = StatementFactory(
            title="Statement on water cooperation", slug="water", event=self.event,
            summary="", body="First paragraph.\n\nSecond paragraph.",
        )
        self.statement.topics.add(self.water)

    def form(self, *, version, speakers=(), **changes):
        data = self.statement_data(speakers=speakers, slug="water", opened_version=version)
        data.update(changes)
        return data

    def test_the_second_editor_sees_both_versions_keeps_what_they_typed_and_chooses(self):
        url = admin_url("statement_change", self.statement.pk)
        self.client.force_login(self.editor)
        opened_at = hidden_version(self.client.get(url))
        self.assertEqual(opened_at, "1")

        # The first editor renames the statement and adds a speaker.
        first = self.client.post(url, self.form(
            version=opened_at, speakers=[(self.envoy, "Special Envoy")],
            title="Statement on regional water cooperation",
        ))
        self.assertEqual(first.status_code, 302)

        # The second, from the same opened form, writes a summary and another speaker.
        typed = "A summary the second editor typed."
        second = self.client.post(url, self.form(
            version=opened_at, speakers=[(self.minister, "Minister")], summary=typed,
            body="First paragraph.\n\nSecond paragraph, corrected.",
        ))
        self.assertEqual(second.status_code, 409)
        self.assertContains(second, "Another editor saved this statement", status_code=409)
        page = second.content.decode()
        conflict = page[page.index('id="edit-conflict"'):page.index("</section>")]
        # Both versions, field by field, only where they differ, speakers included.
        for text in ("Statement on regional water cooperation", "Statement on water cooperation",
                     "Rustam Sample (Special Envoy)", "Amina Example (Minister)", typed,
                     "Second paragraph, corrected."):
            self.assertIn(text, conflict)
        self.assertNotIn(">Event<", conflict)  # unchanged fields are not listed
        self.assertIn("<del", conflict)  # the text's differences, marked
        # What they typed is still in the form, and the form now answers the saved version.
        self.assertContains(second, typed, status_code=409)
        self.assertEqual(hidden_version(second), "2")
        self.assertIn(f'href="{url}"', conflict)  # "take the saved version"
        statement = Statement.objects.get(pk=self.statement.pk)
        self.assertEqual(statement.title, "Statement on regional water cooperation")
        self.assertEqual(statement.summary, "")

        # They choose theirs: the same form, saved again, replaces the first editor's version.
        again = self.client.post(url, self.form(
            version=hidden_version(second), speakers=[(self.minister, "Minister")],
            summary=typed, body="First paragraph.\n\nSecond paragraph, corrected.",
        ))
        self.assertEqual(again.status_code, 302)
        statement.refresh_from_db()
        self.assertEqual((statement.title, statement.summary, statement.version),
                         ("Statement on water cooperation", typed, 3))
        self.assertEqual(
            [(link.speaker, link.role) for link in statement.statement_speakers.all()],
            [(self.minister, "Minister")],
        )

    def test_a_form_without_its_version_is_refused(self):
        self.client.force_login(self.editor)
        data = self.form(version="", title="No version given")
        response = self.client.post(admin_url("statement_change", self.statement.pk), data)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(Statement.objects.get(pk=self.statement.pk).title,
                         "Statement on water cooperation")

    def test_publishing_a_statement_changed_meanwhile_says_so_and_publishes_nothing(self):
        from django.contrib.messages import get_messages

        from archive.admin import StatementAdmin

        draft = StatementFactory(draft=True, title="Draft read by the action")
        self.client.force_login(self.editor)
        request = self.client.get(admin_url("statement_changelist")).wsgi_request
        rows = list(Statement.objects.filter(pk=draft.pk))  # read before the other save
        services.update_statement(Statement.objects.get(pk=draft.pk), title="Renamed meanwhile")
        StatementAdmin(Statement, None).publish_selected(request, rows)
        draft.refresh_from_db()
        self.assertEqual((draft.status, draft.title), ("draft", "Renamed meanwhile"))
        self.assertIn("changed by someone else", " ".join(str(m) for m in get_messages(request)))

    def test_a_revert_opened_before_another_save_is_refused_too(self):
        from django.urls import reverse

        self.client.force_login(self.editor)
        url = admin_url("statement_change", self.statement.pk)
        self.client.post(url, self.form(version="1", title="Second version"))
        first = self.statement.history.earliest()
        revert = reverse("admin:archive_statement_simple_history",
                         args=[self.statement.pk, first.history_id])
        page = self.client.get(revert)
        self.assertEqual(hidden_version(page), "2")
        data = self.form(version="2")
        data["title"] = "Statement on water cooperation"
        # Meanwhile another editor saves again.
        services.update_statement(Statement.objects.get(pk=self.statement.pk), title="Third")
        response = self.client.post(revert, data)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Another editor saved this statement")
        self.assertEqual(Statement.objects.get(pk=self.statement.pk).title, "Third")
