"""The JSON API: published records only, the search page's filters, facets, errors, schema."""

import datetime

from django.core.cache import cache
from django.test import TestCase, override_settings

from archive import services
from archive.models import Kind, Statement
from search.freshness import enqueue
from search.testing import fresh_index, index_now
from tests.factories import (
    EventFactory,
    SpeakerFactory,
    StatementFactory,
    StatementSpeakerFactory,
    TopicFactory,
    country,
)


class ApiTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.speaker = SpeakerFactory(name="Amira Haddad", slug="amira-haddad")
        cls.event = EventFactory(name="Border Security Conference", slug="border-2022")
        cls.topic = TopicFactory(name="Border security", slug="border-security")
        cls.older = StatementFactory(
            title="Statement on water", slug="water-2021", delivered_on=datetime.date(2021, 3, 1),
            country=country("QAT"), event=cls.event, kind=Kind.SPEECH,
        )
        cls.newer = StatementFactory(
            title="Statement on borders", slug="borders-2022",
            delivered_on=datetime.date(2022, 10, 18), country=country("QAT"), event=cls.event,
        )
        cls.newer.topics.add(cls.topic)
        StatementSpeakerFactory(statement=cls.newer, speaker=cls.speaker, role="Envoy")
        cls.other = StatementFactory(
            title="Another delegation", slug="other-2022", country=country("FRA"),
            delivered_on=datetime.date(2022, 5, 5),
        )
        # A draft with its own speaker, event and topic: none of them may show.
        cls.secret_speaker = SpeakerFactory(name="Hidden Person", slug="hidden-person")
        cls.secret_event = EventFactory(slug="secret-summit")
        cls.secret_topic = TopicFactory(name="Embargoed", slug="embargoed")
        cls.draft = StatementFactory(
            draft=True, title="Draft not for release", slug="draft-2022",
            event=cls.secret_event, country=country("YUG"),
        )
        cls.draft.topics.add(cls.secret_topic)
        StatementSpeakerFactory(statement=cls.draft, speaker=cls.secret_speaker)
        # Factories skip the services, so queue every statement for the index by hand.
        fresh_index()
        enqueue(Statement.objects.values_list("pk", flat=True))
        index_now()

    def setUp(self):
        cache.clear()  # the throttle's history lives in the cache

    def get(self, path, **params):
        return self.client.get(path, params)


class StatementListTests(ApiTestCase):
    def test_lists_published_statements_newest_first(self):
        response = self.get("/api/statements/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/json")
        data = response.json()
        self.assertEqual(data["count"], 3)
        self.assertEqual(
            [row["slug"] for row in data["results"]], ["borders-2022", "other-2022", "water-2021"]
        )
        self.assertNotIn("facets", data)
        self.assertNotIn("Draft not for release", response.content.decode())

    def test_row_carries_speakers_with_roles_and_links(self):
        row = self.get("/api/statements/", speaker="amira-haddad").json()["results"][0]
        self.assertEqual(row["speakers"], [
            {"slug": "amira-haddad", "name": "Amira Haddad", "name_ar": "", "name_latin": "",
             "honorific": "Ms.", "role": "Envoy"}
        ])
        self.assertEqual(row["country"], {"code": "QAT", "name": "Qatar"})
        self.assertEqual(row["topics"], [{"slug": "border-security", "name": "Border security"}])
        self.assertEqual(row["url"], "http://testserver/api/statements/borders-2022/")
        self.assertEqual(row["html_url"], "http://testserver/statements/borders-2022/")
        self.assertNotIn("body", row)

    def test_filters_are_the_search_pages(self):
        cases = {
            "speaker": ({"speaker": "amira-haddad"}, ["borders-2022"]),
            "event": ({"event": "border-2022"}, ["borders-2022", "water-2021"]),
            "country": ({"country": "QAT"}, ["borders-2022", "water-2021"]),
            "country lower case": ({"country": "qat"}, ["borders-2022", "water-2021"]),
            "two countries": (
                {"country": ["QAT", "FRA"]}, ["borders-2022", "other-2022", "water-2021"]
            ),
            "topic": ({"topic": "border-security"}, ["borders-2022"]),
            "kind": ({"kind": "speech"}, ["water-2021"]),
            "year": ({"year": "2021"}, ["water-2021"]),
            "dates": ({"from": "2022-01-01", "to": "2022-06-30"}, ["other-2022"]),
            "combined": ({"country": "QAT", "from": "2022-01-01"}, ["borders-2022"]),
            "words": ({"q": "water"}, ["water-2021"]),
            "words and facet": ({"q": "water", "country": "FRA"}, []),
            "oldest first": ({"sort": "oldest"}, ["water-2021", "other-2022", "borders-2022"]),
            "draft's words": ({"q": "release"}, []),
        }
        for name, (params, expected) in cases.items():
            with self.subTest(name):
                cache.clear()
                response = self.get("/api/statements/", **params)
                self.assertEqual(response.status_code, 200, response.content)
                self.assertEqual([r["slug"] for r in response.json()["results"]], expected)

    def test_facets_count_every_matching_statement_and_no_draft(self):
        data = self.get("/api/statements/", country="QAT").json()
        self.assertEqual(data["count"], 2)
        facets = data["facets"]
        self.assertEqual(
            facets["event"],
            [{"value": "border-2022", "label": "Border Security Conference", "count": 2}],
        )
        # As on /search/, a selected facet is counted without its own selection, so that the
        # counts say what adding another value would bring.
        self.assertEqual(
            {row["value"]: row["count"] for row in facets["country"]}, {"QAT": 2, "FRA": 1}
        )
        self.assertEqual(facets["speaker"][0]["value"], "amira-haddad")
        self.assertEqual(
            {row["value"]: row["count"] for row in facets["year"]}, {"2022": 1, "2021": 1}
        )
        self.assertEqual(
            {row["value"]: row["count"] for row in facets["kind"]}, {"speech": 1, "statement": 1}
        )
        everything = str(self.get("/api/statements/", kind="statement").json()["facets"])
        for secret in ("hidden-person", "secret-summit", "embargoed", "YUG"):
            self.assertNotIn(secret, everything)

    def test_pagination(self):
        data = self.get("/api/statements/", page_size=2).json()
        self.assertEqual(len(data["results"]), 2)
        self.assertEqual(data["next"], "http://testserver/api/statements/?page=2&page_size=2")
        data = self.get("/api/statements/", page_size=2, page=2).json()
        self.assertEqual([r["slug"] for r in data["results"]], ["water-2021"])

    def test_bad_parameters_are_400_with_a_message(self):
        cases = {
            "date": {"from": "18 October 2022"},
            "impossible date": {"to": "2022-02-30"},
            "kind": {"kind": "poem"},
            "language": {"language": "xx"},
            "sort": {"sort": "title"},
            "slug with a space": {"speaker": "amira haddad"},
            "padded slug": {"speaker": " amira-haddad"},
            "empty facet value": {"topic": ""},
            "too many values": {"topic": [f"t{i}" for i in range(21)]},
            # As on the search page: a value no published statement has says so.
            "unknown slug": {"speaker": "nobody"},
            "draft's speaker": {"speaker": "hidden-person"},
            "reversed dates": {"from": "2023-01-01", "to": "2020-01-01"},
            "page size": {"page_size": "101"},
            "zero page size": {"page_size": "0"},
        }
        for name, params in cases.items():
            with self.subTest(name):
                response = self.get("/api/statements/", **params)
                self.assertEqual(response.status_code, 400)
                self.assertTrue(response.json()["detail"])

    def test_a_long_query_is_cut_with_a_notice_as_on_the_search_page(self):
        data = self.get("/api/statements/", q="water " + "x" * 1200).json()
        self.assertEqual([r["slug"] for r in data["results"]], ["water-2021"])
        self.assertIn("1000 characters", data["notices"][0])
        self.assertNotIn("notices", self.get("/api/statements/", q="water").json())

    def test_bad_page_size_names_the_parameter(self):
        self.assertIn("page_size", self.get("/api/statements/", page_size="x").json()["errors"])

    def test_page_past_the_end_or_not_a_number_is_404(self):
        for params in [{}, {"country": "QAT"}]:
            for page in ["99", "0", "abc", "last"]:
                with self.subTest(page=page, **params):
                    response = self.get("/api/statements/", page=page, **params)
                    self.assertEqual(response.status_code, 404)
                    self.assertIn("detail", response.json())

    def test_empty_page_parameters_are_refused(self):
        self.assertEqual(self.get("/api/statements/", page="").status_code, 404)
        self.assertEqual(self.get("/api/topics/", page_size="").status_code, 400)

    def test_queries_do_not_grow_with_the_page(self):
        for _ in range(5):
            link = StatementSpeakerFactory(statement=StatementFactory(country=country("QAT")))
            link.statement.topics.add(TopicFactory())
        with self.assertNumQueries(4):  # count, page, its speakers, its topics
            response = self.get("/api/statements/", page_size=3)
        self.assertEqual(response.status_code, 200)
        with self.assertNumQueries(4):
            response = self.get("/api/statements/", page_size=8)
        self.assertEqual(len(response.json()["results"]), 8)


class StatementDetailTests(ApiTestCase):
    def test_detail_has_full_text(self):
        data = self.get("/api/statements/borders-2022/").json()
        self.assertEqual(data["title"], "Statement on borders")
        self.assertEqual(data["body"], self.newer.body)
        self.assertEqual(data["event"]["slug"], "border-2022")
        self.assertEqual(data["delivered_on"], "2022-10-18")

    def test_draft_is_404(self):
        response = self.get("/api/statements/draft-2022/")
        self.assertEqual(response.status_code, 404)
        self.assertNotIn("Draft not for release", response.content.decode())

    def test_former_slug_redirects_permanently(self):
        statement = Statement.objects.get(slug="water-2021")
        services.update_statement(statement, slug="water-statement-2021")
        response = self.get("/api/statements/water-2021/")
        self.assertEqual(response.status_code, 301)
        self.assertEqual(response["Location"], "/api/statements/water-statement-2021/")

    def test_former_slug_of_a_draft_is_404(self):
        services.update_statement(self.draft, slug="draft-renamed")
        self.assertEqual(self.get("/api/statements/draft-2022/").status_code, 404)


class EntityTests(ApiTestCase):
    def test_lists_hold_only_what_published_statements_refer_to(self):
        cases = {
            "speakers": ("slug", {"amira-haddad"}),
            "events": ("slug", {"border-2022", self.other.event.slug}),
            "countries": ("code", {"QAT", "FRA"}),
            "topics": ("slug", {"border-security"}),
        }
        for endpoint, (key, expected) in cases.items():
            with self.subTest(endpoint):
                data = self.get(f"/api/{endpoint}/").json()
                self.assertEqual({row[key] for row in data["results"]}, expected)

    def test_details_and_counts(self):
        speaker = self.get("/api/speakers/amira-haddad/").json()
        self.assertEqual(speaker["statement_count"], 1)
        self.assertEqual(speaker["html_url"], "http://testserver/speakers/amira-haddad/")
        event = self.get("/api/events/border-2022/").json()
        self.assertEqual(event["statement_count"], 2)
        self.assertEqual(event["place"], "Geneva, Switzerland")
        self.assertEqual(self.get("/api/countries/qat/").json()["statement_count"], 2)
        self.assertEqual(self.get("/api/topics/border-security/").json()["name"], "Border security")

    def test_entities_of_drafts_are_404(self):
        for path in [
            "/api/speakers/hidden-person/",
            "/api/events/secret-summit/",
            "/api/topics/embargoed/",
            "/api/countries/YUG/",
            "/api/countries/CHE/",  # seeded, but no published statement speaks for it
        ]:
            with self.subTest(path):
                self.assertEqual(self.get(path).status_code, 404)

    def test_malformed_addresses_are_json_404s(self):
        for path in [
            "/api/statements/%C2%84/",
            "/api/statements/a%00b/",
            "/api/topics/%C2%84/",
            "/api/countries/Q1/",
            "/api/speakers/a%00b/",
            "/api/nothing/here/",
        ]:
            with self.subTest(path):
                response = self.client.get(path)
                self.assertEqual(response.status_code, 404)
                self.assertEqual(response["Content-Type"], "application/json")

    def test_entity_filters(self):
        self.assertEqual(
            [r["slug"] for r in self.get("/api/speakers/", country="QAT").json()["results"]], []
        )
        events = self.get("/api/events/", year="2022", kind="conference").json()["results"]
        self.assertEqual(len(events), 2)
        self.assertEqual(self.get("/api/events/", year="0").status_code, 400)
        self.assertEqual(self.get("/api/events/", kind="party").status_code, 400)


class SchemaAndDocsTests(ApiTestCase):
    def test_schema_describes_every_endpoint(self):
        response = self.get("/api/schema/", format="json")
        self.assertEqual(response.status_code, 200)
        schema = response.json()
        self.assertTrue(schema["openapi"].startswith("3."))
        for path in ["/api/statements/", "/api/statements/{slug}/", "/api/speakers/",
                     "/api/events/", "/api/countries/{code}/", "/api/topics/"]:
            self.assertIn(path, schema["paths"])
        params = {p["name"] for p in schema["paths"]["/api/statements/"]["get"]["parameters"]}
        self.assertLessEqual(
            {"q", "speaker", "event", "series", "country", "topic", "kind", "language", "year",
             "from", "to", "sort", "page", "page_size"},
            params,
        )

    def test_docs_page_is_rendered_on_the_server(self):
        response = self.get("/api/")
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertIn("GET /api/statements/{slug}/", html)
        self.assertIn("<code>speaker</code>", html)
        self.assertNotIn("<script", html)


class ThrottleTests(ApiTestCase):
    @override_settings(API_THROTTLE_RATE="2/minute")
    def test_too_many_requests_are_429(self):
        self.assertEqual(self.get("/api/topics/").status_code, 200)
        self.assertEqual(self.get("/api/topics/").status_code, 200)
        response = self.get("/api/topics/")
        self.assertEqual(response.status_code, 429)
        self.assertIn("Retry-After", response)
        self.assertIn("detail", response.json())
