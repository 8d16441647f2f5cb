"""Query parameters no page can use (issue 13, item 9): NUL and the other control characters,
and Unicode non-characters, are refused with a 400 that says so, before any view or database
sees them.  PostgreSQL cannot hold a NUL in a string at all, so without this the admin's list
filters and autocomplete answered 500 there; a line break in the schema's ``version`` ended up
in a response header.  The suite runs on SQLite and on PostgreSQL (``DATABASE_URL``)."""

from django.test import TestCase

from .factories import EventFactory, StatementFactory
from .test_admin import AdminTestCase, admin_url

IMPOSSIBLE = {
    "NUL": "\x00",
    "NUL inside": "a\x00b",
    "CR LF": "\r\n",
    "header injection": "1\r\nX-Injected: yes",
    "bare LF": "\n",
    "escape": "\x1b[31m",
    "DEL": "\x7f",
    "non-character U+FFFE": "\ufffe",
    "non-character U+FDD0": "\ufdd0",
    "non-character U+FFFF": "\uffff",
}


class SchemaVersionTests(TestCase):
    def test_a_control_character_in_the_schema_version_is_a_400_with_a_message(self):
        for label, value in IMPOSSIBLE.items():
            with self.subTest(label):
                response = self.client.get("/api/schema/", {"version": value})
                self.assertEqual(response.status_code, 400)
                self.assertIn("cannot contain", response.json()["detail"])

    def test_an_unknown_schema_version_is_a_400_and_the_one_version_is_served(self):
        response = self.client.get("/api/schema/", {"version": "2"})
        self.assertEqual(response.status_code, 400)
        self.assertIn("version 1", response.json()["detail"])
        for query in ({}, {"version": "1"}):
            with self.subTest(query):
                response = self.client.get("/api/schema/", query)
                self.assertEqual(response.status_code, 200)
                self.assertIn(b"version: '1'\n", response.content)


class PublicParameterTests(TestCase):
    def test_pages_and_the_api_refuse_impossible_characters_with_a_400(self):
        for path in ("/search/", "/statements/", "/events/", "/feeds/search/",
                     "/search/autocomplete/", "/exports/statements.csv"):
            for label, value in IMPOSSIBLE.items():
                with self.subTest(path=path, value=label):
                    response = self.client.get(path, {"q": value})
                    self.assertEqual(response.status_code, 400)
                    self.assertIn(b"cannot contain", response.content)
        response = self.client.get("/api/statements/", {"country": "QAT\x00"})
        self.assertEqual(response.status_code, 400)
        self.assertIn("cannot contain", response.json()["detail"])

    def test_a_parameter_name_is_checked_too(self):
        response = self.client.get("/statements/?a%00b=1")
        self.assertEqual(response.status_code, 400)

    def test_tabs_and_ordinary_text_pass(self):
        StatementFactory(title="Statement on water")
        for value in ("water\tsecurity", "مطلق القحطاني", "\u202etxet", "漢字", "a%00b",
                      "😀 \U0001fffe"):
            with self.subTest(value):
                self.assertEqual(self.client.get("/statements/", {"page": "1", "x": value})
                                 .status_code, 200)


class AdminParameterTests(AdminTestCase):
    def test_nul_in_admin_list_filters_and_search_is_a_400_with_a_message(self):
        EventFactory(series="Dushanbe Process")
        StatementFactory(event=self.event)
        self.client.force_login(self.superuser)
        cases = [
            ("statement_changelist", {"q": "water\x00"}),
            ("statement_changelist", {"status__exact": "draft\x00"}),
            ("statement_changelist", {"event__id__exact": "1\x00"}),
            ("statement_changelist", {"year": "2022\x00"}),
            ("statement_changelist", {"delivered_on__year": "2022\x00"}),
            ("speaker_changelist", {"q": "\x00"}),
            ("event_changelist", {"series": "Dushanbe\x00"}),
            ("event_changelist", {"series__exact": "Dushanbe\x00"}),
            ("topic_changelist", {"q": "Wa\x00ter"}),
        ]
        for name, query in cases:
            with self.subTest(name=name, query=query):
                response = self.client.get(admin_url(name), query)
                self.assertEqual(response.status_code, 400)
                self.assertContains(response, "cannot contain", status_code=400)

    def test_nul_in_admin_autocomplete_is_a_400_with_a_message(self):
        self.client.force_login(self.superuser)
        response = self.client.get(
            "/admin/autocomplete/",
            {"term": "Wa\x00", "app_label": "archive", "model_name": "statement",
             "field_name": "event"},
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "cannot contain", status_code=400)
        # The same request without the NUL works.
        response = self.client.get(
            "/admin/autocomplete/",
            {"term": "Wa", "app_label": "archive", "model_name": "statement",
             "field_name": "event"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.json()["results"][0]["text"],
            "Water Action Conference (18–19 October 2022, Dushanbe, Tajikistan)",
        )
