"""Limits that one address cannot get around (issue 13, item 6): the admin login is locked per
address as well as per username and address, related statements spend a budget of their own,
views declare their budget themselves (``config.ratelimit.rate_limited``), and the default
cache is shared by every worker process (the database cache)."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.test import TestCase, override_settings
from django.urls import path, reverse

from archive.models import Statement
from config.ratelimit import rate_limited

from .factories import StatementFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent
LIMITS_OFF = {"search": "off", "autocomplete": "off", "related": "off"}


@rate_limited("related")
def declared_view(request):
    return HttpResponse("ok")


@rate_limited("autocomplete", json=True)
def declared_json_view(request):
    return HttpResponse("{}", content_type="application/json")


urlpatterns = [
    # No URL names: the budget comes from the view itself.
    path("declared/", declared_view),
    path("declared.json", declared_json_view),
]


@override_settings(AXES_FAILURE_LIMIT=3, ARCHIVE_LOGIN_ADDRESS_FAILURE_LIMIT=6)
class LoginLockoutPerAddressTests(TestCase):
    def login(self, username, password="wrong password", address="192.0.2.50"):
        return self.client.post(
            reverse("admin:login"), {"username": username, "password": password},
            REMOTE_ADDR=address,
        )

    def test_one_address_trying_a_password_on_many_usernames_is_locked(self):
        UserFactory(username="real-editor", is_staff=True)
        for n in range(5):
            self.assertEqual(self.login(f"guess-{n}").status_code, 200)  # the form again
        response = self.login("guess-99")  # the sixth failure from the address
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, "locked", status_code=429)
        # Even the right password from that address waits for the cool-off...
        self.assertEqual(
            self.login("real-editor", "correct horse battery").status_code, 429
        )
        # ...while another address signs in.
        self.assertEqual(
            self.login("real-editor", "correct horse battery", address="192.0.2.51")
            .status_code, 302,
        )

    def test_one_username_is_still_locked_sooner_and_a_success_clears_only_its_own(self):
        UserFactory(username="owned", is_staff=True)
        for n in range(5):
            self.assertEqual(self.login(f"guess-{n}").status_code, 200)
        # A valid account's sign-in does not wipe the address's count of guessed names.
        self.assertEqual(self.login("owned", "correct horse battery").status_code, 302)
        self.client.logout()
        self.assertEqual(self.login("guess-5").status_code, 429)
        # One username from a fresh address is locked at its own, lower limit.
        for _ in range(2):
            self.assertEqual(self.login("owned", address="192.0.2.60").status_code, 200)
        self.assertEqual(self.login("owned", address="192.0.2.60").status_code, 429)


@override_settings(ROOT_URLCONF=__name__)
class DeclaredBudgetTests(TestCase):
    def setUp(self):
        cache.clear()

    @override_settings(ARCHIVE_RATE_LIMITS={**LIMITS_OFF, "related": "2/m"})
    def test_a_view_declares_its_budget_without_a_url_name(self):
        for _ in range(2):
            self.assertEqual(self.client.get("/declared/").status_code, 200)
        response = self.client.get("/declared/")
        self.assertEqual(response.status_code, 429)
        self.assertIn("Retry-After", response)
        self.assertEqual(self.client.get("/declared/", REMOTE_ADDR="192.0.2.9").status_code, 200)

    @override_settings(ARCHIVE_RATE_LIMITS={**LIMITS_OFF, "autocomplete": "1/m"})
    def test_a_json_view_is_refused_in_json(self):
        self.assertEqual(self.client.get("/declared.json").status_code, 200)
        response = self.client.get("/declared.json")
        self.assertEqual(response.status_code, 429)
        self.assertIn("try again", response.json()["detail"])

    def test_an_unknown_budget_stops_the_server_at_start(self):
        with self.assertRaisesMessage(ImproperlyConfigured, "ARCHIVE_RATE_LIMITS"):
            rate_limited("nonsense")


class RelatedBudgetTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        from search.freshness import enqueue
        from search.testing import fresh_index, index_now

        cls.statement = StatementFactory(slug="water-2022")
        StatementFactory(slug="water-2023")
        fresh_index()
        enqueue(Statement.objects.values_list("pk", flat=True))
        index_now()

    def setUp(self):
        cache.clear()

    @override_settings(ARCHIVE_RATE_LIMITS={**LIMITS_OFF, "related": "3/m"})
    def test_related_statements_answer_429_once_the_budget_is_spent(self):
        url = reverse("search:related", args=[self.statement.slug])
        for query in ({}, {"fragment": "1"}, {}):
            self.assertEqual(self.client.get(url, query).status_code, 200)
        response = self.client.get(url, {"fragment": "1"})
        self.assertEqual(response.status_code, 429)
        self.assertTrue(1 <= int(response["Retry-After"]) <= 60)
        # The search page's own budget is another one.
        self.assertEqual(self.client.get("/search/", {"q": "water"}).status_code, 200)


RATE_LIMIT_IN_A_WORKER = """
import json, sys
import django
django.setup()
from django.conf import settings
from django.test import RequestFactory, override_settings
from django.urls import resolve

from config.middleware import RateLimitMiddleware

request = RequestFactory().get("/search/autocomplete/", {"q": "wa"}, REMOTE_ADDR=sys.argv[1])
request.resolver_match = resolve("/search/autocomplete/")
with override_settings(ARCHIVE_RATE_LIMITS={"search": "off", "autocomplete": "3/d",
                                            "related": "off"}):
    middleware = RateLimitMiddleware(lambda r: None)
    view = request.resolver_match.func
    print(json.dumps([settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]]
                     + [getattr(middleware.process_view(request, view, (), {}), "status_code",
                                200) for _ in range(2)]))
"""


class DefaultSharedCacheTests(TestCase):
    def test_by_default_every_worker_process_spends_one_budget_in_the_database_cache(self):
        folder = Path(self.enterContext(_temporary_folder()))
        env = {
            k: v for k, v in os.environ.items()
            if not k.startswith(("DJANGO_", "ARCHIVE_", "CACHE_URL", "REDIS_URL"))
        }
        # A scratch SQLite file on either suite: what is shared is the cache table, and the
        # suite's PostgreSQL database is not this test's to migrate.
        env.update(DJANGO_SETTINGS_MODULE="config.settings", DJANGO_DEBUG="1",
                   ARCHIVE_VAR_DIR=str(folder), SEARCH_URL=f"whoosh:{folder / 'whoosh'}",
                   DATABASE_URL=f"sqlite:///{folder / 'archive.sqlite3'}")
        migrate = subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT,
            env=env, capture_output=True, text=True, timeout=300,
        )
        self.assertEqual(migrate.returncode, 0, migrate.stderr[-2000:])
        address = f"198.18.{uuid.uuid4().int % 256}.{uuid.uuid4().int % 254 + 1}"
        answers = []
        for _worker in range(2):
            result = subprocess.run(
                [sys.executable, "-c", RATE_LIMIT_IN_A_WORKER, address], cwd=ROOT, env=env,
                capture_output=True, text=True, timeout=120,
            )
            self.assertEqual(result.returncode, 0, result.stderr[-2000:])
            answers.append(json.loads(result.stdout.strip().splitlines()[-1]))
        # Three allowed a day in all: the second process's second request is refused.
        self.assertEqual(answers, [["DatabaseCache", 200, 200], ["DatabaseCache", 200, 429]])


def _temporary_folder():
    import tempfile

    return tempfile.TemporaryDirectory(prefix="archive-cache-test-")
