"""Who sees drafts (issue 13, item 5): the permission ``archive.view_statement``, not the staff
flag.  A staff account without permissions (an intern's, one made for the search queue) is
the public as far as drafts go, on every page that could show one."""

from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.test import TestCase

from archive.models import Statement

from .factories import (
    EventFactory,
    SpeakerFactory,
    StatementFactory,
    StatementSpeakerFactory,
    TopicFactory,
    UserFactory,
    country,
)


class DraftPermissionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.speaker = SpeakerFactory(name="Embargoed Envoy", slug="embargoed-envoy")
        cls.event = EventFactory(slug="embargoed-meeting")
        cls.topic = TopicFactory(name="Embargoed topic", slug="embargoed-topic")
        cls.draft = StatementFactory(
            draft=True, title="Embargoed draft statement", slug="embargoed", event=cls.event,
            country=country("QAT"),
        )
        cls.draft.topics.add(cls.topic)
        StatementSpeakerFactory(statement=cls.draft, speaker=cls.speaker)
        StatementFactory(title="Published statement", slug="published", country=country("QAT"))

        cls.bare_staff = UserFactory(username="bare-staff", is_staff=True)
        cls.viewer = UserFactory(username="viewer")  # the permission alone, not staff
        cls.viewer.user_permissions.add(Permission.objects.get(codename="view_statement"))
        cls.editor = UserFactory(username="editor", is_staff=True)
        cls.editor.groups.add(Group.objects.get(name="Editors"))
        cls.inactive = UserFactory(username="gone", is_staff=True, is_active=False)
        cls.inactive.user_permissions.add(Permission.objects.get(codename="view_statement"))

    DRAFT_PAGES = [
        "/statements/embargoed/",
        "/speakers/embargoed-envoy/",
        "/events/embargoed-meeting/",
        "/topics/embargoed-topic/",
    ]
    LISTS = ["/statements/", "/countries/QAT/", "/years/2022/"]

    def test_staff_without_the_permission_sees_no_draft_anywhere(self):
        self.client.force_login(self.bare_staff)
        for path in self.DRAFT_PAGES:
            with self.subTest(path):
                self.assertEqual(self.client.get(path).status_code, 404)
        for path in self.LISTS:
            with self.subTest(path):
                response = self.client.get(path)
                self.assertEqual(response.status_code, 200)
                self.assertNotContains(response, "Embargoed draft statement")

    def test_the_permission_lets_an_editor_or_a_viewer_preview_drafts(self):
        for user in (self.editor, self.viewer):
            self.client.force_login(user)
            for path in self.DRAFT_PAGES:
                with self.subTest(user=user.username, path=path):
                    response = self.client.get(path)
                    self.assertEqual(response.status_code, 200)
                    self.assertContains(response, "Embargoed draft statement")
            response = self.client.get("/statements/embargoed/")
            self.assertContains(response, "Draft — not public.")
            self.assertContains(response, "permission to preview drafts")

    def test_visible_to_checks_the_permission(self):
        everything = Statement.objects.count()
        cases = [
            ("bare staff", self.bare_staff, everything - 1),
            ("editor", self.editor, everything),
            ("viewer", self.viewer, everything),
            ("inactive with the permission", self.inactive, everything - 1),
            ("anonymous", AnonymousUser(), everything - 1),
            ("nobody", None, everything - 1),
        ]
        for label, user, expected in cases:
            with self.subTest(label):
                self.assertEqual(Statement.objects.visible_to(user).count(), expected)
