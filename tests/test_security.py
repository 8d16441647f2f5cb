"""Security settings and the defences in front of the views: deployment checks, the Content
Security Policy, headers, admin login lockout, rate limits, request size, error pages and
editor permissions."""

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from django.core.cache import cache
from django.test import Client, TestCase, override_settings
from django.urls import reverse

from archive.models import Statement

from .factories import StatementFactory, UserFactory
from .test_admin import AdminTestCase, admin_url

ROOT = Path(__file__).resolve().parent.parent
# A production environment as the README documents it (the key is a test value, 50+ chars).
PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "t3st-only-" + "k7Qp2xVz9LmN4rTb8WcY6HdJ1sFgA5eU0iOq3nRyXw" * 2,
    "DJANGO_ALLOWED_HOSTS": "archive.example.org",
    "DJANGO_SSL_REDIRECT": "1",
    "DJANGO_BEHIND_PROXY": "1",
}


def run_manage(*args: str, env: dict, settings: str = "config.settings"):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "ARCHIVE_"))}
    clean.update(env, DJANGO_SETTINGS_MODULE=settings)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120,
    )


def run_python(code: str, *, env: dict):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "ARCHIVE_"))}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True,
        timeout=120,
    )


class DeploymentCheckTests(TestCase):
    def test_check_deploy_is_clean_with_the_documented_production_environment(self):
        from .test_deployment import collected_var_dir

        env = {**PRODUCTION_ENV, "ARCHIVE_VAR_DIR": collected_var_dir()}
        result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("System check identified no issues", result.stdout)

    def test_check_deploy_fails_when_a_protection_is_switched_off(self):
        # The same check is not vacuous: HSTS off is reported.
        from .test_deployment import collected_var_dir

        result = run_manage(
            "check", "--deploy", "--fail-level", "WARNING",
            env={**PRODUCTION_ENV, "DJANGO_HSTS_SECONDS": "0",
                 "ARCHIVE_VAR_DIR": collected_var_dir()},
        )
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("security.W004", result.stdout + result.stderr)

    def test_production_refuses_to_start_without_a_secret_key(self):
        env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DJANGO_SECRET_KEY"}
        result = run_manage("check", env=env)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("DJANGO_SECRET_KEY is not set", result.stderr)

    def test_https_settings_follow_the_environment(self):
        code = (
            "import json, django; from django.conf import settings; django.setup();"
            "print(json.dumps([settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE,"
            " settings.SECURE_HSTS_SECONDS, settings.SECURE_SSL_REDIRECT,"
            " settings.SECURE_PROXY_SSL_HEADER, settings.CLIENT_PROXY_COUNT,"
            " settings.REST_FRAMEWORK['NUM_PROXIES']]))"
        )
        cases = {
            "production": (
                PRODUCTION_ENV,
                [True, True, 31536000, True, ["HTTP_X_FORWARDED_PROTO", "https"], 1, 1],
            ),
            "plain http on a private network": (
                {
                    **PRODUCTION_ENV, "DJANGO_SECURE_COOKIES": "0", "DJANGO_HSTS_SECONDS": "0",
                    "DJANGO_SSL_REDIRECT": "0", "DJANGO_BEHIND_PROXY": "0",
                },
                [False, False, 0, False, None, 0, 0],
            ),
        }
        for label, (env, expected) in cases.items():
            with self.subTest(label):
                result = run_python(
                    code, env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"}
                )
                self.assertEqual(result.returncode, 0, result.stderr)
                self.assertEqual(json.loads(result.stdout.strip().splitlines()[-1]), expected)

    def test_the_admin_path_comes_from_the_environment(self):
        code = (
            "import django; django.setup();"
            "from django.test.utils import setup_test_environment; setup_test_environment();"
            "from django.test import Client; c = Client();"
            "a = c.get('/backoffice-7f3/'); b = c.get('/admin/');"
            "print(a.status_code, a.get('Location'), b.status_code)"
        )
        result = run_python(
            code,
            env={"DJANGO_SETTINGS_MODULE": "config.settings_test",
                 "DJANGO_ADMIN_PATH": "backoffice-7f3"},
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        status, location, old_status = result.stdout.split()[-3:]
        self.assertEqual(status, "302")
        self.assertTrue(location.startswith("/backoffice-7f3/login/"), location)
        self.assertEqual(old_status, "404")


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/ld\+json)[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I)


class ContentSecurityPolicyTests(AdminTestCase):
    def policy(self, response) -> dict[str, list[str]]:
        header = response["Content-Security-Policy"]
        return {
            part.split()[0]: part.split()[1:]
            for part in (p.strip() for p in header.split(";"))
            if part
        }

    def test_pages_and_admin_send_a_policy_without_inline_code(self):
        statement = StatementFactory()
        self.client.force_login(self.editor)
        for url in (
            "/", statement.get_absolute_url(), reverse("search:search"),
            admin_url("statement_change", statement.pk), "/no-such-page/",
        ):
            with self.subTest(url=url):
                policy = self.policy(self.client.get(url))
                self.assertEqual(policy["script-src"], ["'self'"])
                self.assertEqual(policy["style-src"], ["'self'"])
                self.assertEqual(policy["object-src"], ["'none'"])
                self.assertEqual(policy["frame-ancestors"], ["'none'"])
                self.assertNotIn("'unsafe-inline'", policy.get("default-src", []))

    def test_project_templates_hold_no_inline_script_style_or_handler(self):
        # JSON-LD is data (not run), and allowed; everything else must be a file from 'self'.
        templates = [
            path for folder in ("templates", "archive", "search", "api")
            for path in (ROOT / folder).rglob("*.html")
        ]
        self.assertGreater(len(templates), 20)
        for path in templates:
            text = path.read_text(encoding="utf-8")
            with self.subTest(template=str(path.relative_to(ROOT))):
                self.assertIsNone(INLINE_SCRIPT.search(text))
                self.assertIsNone(EVENT_HANDLER.search(text))
                self.assertIsNone(STYLE_ATTRIBUTE.search(text))

    def test_rendered_admin_pages_run_no_inline_script(self):
        statement = StatementFactory()
        self.client.force_login(self.superuser)
        for url in (
            admin_url("statement_changelist"), admin_url("statement_add"),
            admin_url("statement_change", statement.pk),
            admin_url("statement_history", statement.pk), reverse("admin:index"),
        ):
            with self.subTest(url=url):
                html = self.client.get(url).content.decode()
                self.assertIsNone(INLINE_SCRIPT.search(html))
                self.assertIsNone(EVENT_HANDLER.search(html))

    def test_security_headers(self):
        response = self.client.get("/")
        self.assertEqual(response["X-Frame-Options"], "DENY")
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertEqual(response["Referrer-Policy"], "same-origin")
        self.assertEqual(response["Cross-Origin-Opener-Policy"], "same-origin")


LOGIN_LIMITS = {"AXES_FAILURE_LIMIT": 3}


@override_settings(**LOGIN_LIMITS)
class LoginLockoutTests(AdminTestCase):
    def attempt(self, password: str, *, username="editor", address="198.51.100.7"):
        return self.client.post(
            reverse("admin:login"),
            {"username": username, "password": password, "next": reverse("admin:index")},
            REMOTE_ADDR=address,
        )

    def test_failures_lock_the_username_from_that_address_with_a_page_that_says_when(self):
        for _ in range(2):
            response = self.attempt("wrong")
            self.assertEqual(response.status_code, 200)  # the form again, with its error
            self.assertContains(response, "Please enter the correct username and password")
        response = self.attempt("wrong")
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, "Sign-in locked", status_code=429)
        self.assertContains(response, "15 minutes", status_code=429)
        self.assertEqual(response["Retry-After"], "900")
        # Locked means locked: the right password does not get in either.
        response = self.attempt("correct horse battery")
        self.assertEqual(response.status_code, 429)
        self.assertNotIn("_auth_user_id", self.client.session)

        # The lock is on this username from this address only.
        self.assertEqual(self.attempt("correct horse battery", address="203.0.113.9").status_code,
                         302)
        self.client.logout()
        self.assertEqual(self.attempt("wrong", username="root").status_code, 200)

    def test_a_successful_sign_in_clears_the_failures(self):
        self.attempt("wrong")
        self.attempt("wrong")
        self.assertEqual(self.attempt("correct horse battery").status_code, 302)
        self.client.logout()
        self.assertEqual(self.attempt("wrong").status_code, 200)
        self.assertEqual(self.attempt("wrong").status_code, 200)

    def test_an_administrator_lifts_the_lock(self):
        from django.core.management import call_command

        for _ in range(3):
            self.attempt("wrong")
        self.assertEqual(self.attempt("correct horse battery").status_code, 429)
        call_command("axes_reset_username", "editor", stdout=io.StringIO())
        self.assertEqual(self.attempt("correct horse battery").status_code, 302)


@override_settings(ARCHIVE_RATE_LIMITS={"search": "3/m", "autocomplete": "2/m"})
class RateLimitTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        StatementFactory(title="Statement on water cooperation")

    def setUp(self):
        from search.testing import fresh_index, index_now

        cache.clear()
        fresh_index()
        from search.freshness import enqueue

        enqueue(Statement.objects.values_list("pk", flat=True))
        index_now()

    def search(self, address="192.0.2.1", **extra):
        return self.client.get("/search/", {"q": "water"}, REMOTE_ADDR=address, **extra)

    def test_search_answers_429_with_retry_after_once_the_budget_is_spent(self):
        for _ in range(3):
            self.assertEqual(self.search().status_code, 200)
        response = self.search()
        self.assertEqual(response.status_code, 429)
        retry_after = int(response["Retry-After"])
        self.assertTrue(1 <= retry_after <= 60)
        self.assertContains(response, "Too many requests", status_code=429)
        self.assertContains(response, f"try again in {retry_after} second", status_code=429)
        # Another address has its own budget; browsing is not limited.
        self.assertEqual(self.search(address="192.0.2.2").status_code, 200)
        for _ in range(5):
            self.assertEqual(self.client.get("/", REMOTE_ADDR="192.0.2.1").status_code, 200)

    def test_autocomplete_answers_429_in_json(self):
        url = reverse("search:autocomplete")
        for _ in range(2):
            self.assertEqual(self.client.get(url, {"q": "wa"}).status_code, 200)
        response = self.client.get(url, {"q": "wa"})
        self.assertEqual(response.status_code, 429)
        self.assertIn("Retry-After", response)
        self.assertIn("try again", response.json()["detail"])

    def test_a_forged_forwarded_for_header_does_not_buy_a_new_budget(self):
        for n in range(3):
            self.search(HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
        self.assertEqual(self.search(HTTP_X_FORWARDED_FOR="10.0.0.99").status_code, 429)

    @override_settings(CLIENT_PROXY_COUNT=1)
    def test_behind_a_proxy_the_address_it_saw_is_counted(self):
        # The proxy appends the address it saw; whatever the client wrote before it is ignored.
        for n in range(3):
            response = self.search(
                address="10.0.0.1", HTTP_X_FORWARDED_FOR=f"forged-{n}, 198.51.100.20"
            )
            self.assertEqual(response.status_code, 200)
        self.assertEqual(
            self.search(address="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.20").status_code,
            429,
        )
        self.assertEqual(
            self.search(address="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.21").status_code,
            200,
        )

    @override_settings(API_THROTTLE_RATE="2/minute")
    def test_the_api_counts_per_the_same_address(self):
        for n in range(2):
            response = self.client.get("/api/statements/", HTTP_X_FORWARDED_FOR=f"10.1.0.{n}")
            self.assertEqual(response.status_code, 200)
        response = self.client.get("/api/statements/", HTTP_X_FORWARDED_FOR="10.1.0.9")
        self.assertEqual(response.status_code, 429)
        self.assertIn("Retry-After", response)

    def test_a_mistyped_rate_stops_the_server_at_start(self):
        from django.core.exceptions import ImproperlyConfigured

        from config.middleware import RateLimitMiddleware

        with (
            override_settings(ARCHIVE_RATE_LIMITS={"search": "sixty a minute"}),
            self.assertRaisesMessage(ImproperlyConfigured, "ARCHIVE_RATE_LIMIT_SEARCH"),
        ):
            RateLimitMiddleware(lambda request: None)


@override_settings(MAX_REQUEST_BYTES=2000, DATA_UPLOAD_MAX_MEMORY_SIZE=2000)
class RequestSizeTests(AdminTestCase):
    def test_an_oversized_body_is_refused_with_413_before_it_is_read(self):
        response = self.client.post(
            reverse("admin:login"), {"username": "editor", "password": "x" * 5000}
        )
        self.assertEqual(response.status_code, 413)
        self.assertContains(response, "Request too large", status_code=413)
        # Nothing reached the login: no failed attempt was recorded for the user.
        from axes.models import AccessAttempt

        self.assertFalse(AccessAttempt.objects.exists())

    def test_an_oversized_upload_is_refused_too(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        self.client.force_login(self.editor)
        upload = SimpleUploadedFile("release.html", b"<p>" + b"a" * 5000 + b"</p>")
        url = reverse("admin:archive_statement_import_page")
        response = self.client.post(url, {"file": upload})
        self.assertEqual(response.status_code, 413)

    @override_settings(MAX_REQUEST_BYTES=10_000)
    def test_form_data_over_the_form_limit_is_a_413_not_a_400(self):
        # The body passes the size check but holds more form data than Django parses.
        response = self.client.post(
            reverse("admin:login"), {"username": "editor", "password": "x" * 5000}
        )
        self.assertEqual(response.status_code, 413)


class ErrorPageTests(AdminTestCase):
    def test_an_unknown_host_gets_the_400_page(self):
        response = self.client.get("/", HTTP_HOST="attacker.example")
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Bad request", status_code=400)

    def test_a_refused_permission_gets_the_403_page(self):
        self.client.force_login(UserFactory(username="visitor", is_staff=True))
        response = self.client.get(admin_url("statement_add"))
        self.assertEqual(response.status_code, 403)
        self.assertContains(response, "Editors group", status_code=403)

    def test_a_form_without_its_csrf_token_gets_a_page_that_says_what_to_do(self):
        client = Client(enforce_csrf_checks=True)
        response = client.post(reverse("admin:login"), {"username": "a", "password": "b"})
        self.assertEqual(response.status_code, 403)
        self.assertContains(response, "reload the page", status_code=403)


class EditorPermissionTests(AdminTestCase):
    def test_staff_without_the_editors_group_cannot_add_or_change_statements(self):
        statement = StatementFactory(title="Original title")
        self.client.force_login(UserFactory(username="intern", is_staff=True))
        change = admin_url("statement_change", statement.pk)
        for url in (admin_url("statement_add"), change, admin_url("statement_changelist")):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 403)
        response = self.client.post(change, {"title": "Changed by an intern"})
        self.assertEqual(response.status_code, 403)
        statement.refresh_from_db()
        self.assertEqual(statement.title, "Original title")

    def test_the_editors_group_can(self):
        statement = StatementFactory()
        self.client.force_login(self.editor)
        for url in (admin_url("statement_add"), admin_url("statement_change", statement.pk)):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 200)


RATE_LIMIT_IN_A_WORKER = """
import sys
import django

django.setup()
from django.test import RequestFactory, override_settings
from django.urls import resolve

from config.middleware import RateLimitMiddleware

request = RequestFactory().get("/search/autocomplete/", {"q": "wa"}, REMOTE_ADDR=sys.argv[1])
request.resolver_match = resolve("/search/autocomplete/")
with override_settings(ARCHIVE_RATE_LIMITS={"search": "off", "autocomplete": "3/d"}):
    middleware = RateLimitMiddleware(lambda r: None)
    view = request.resolver_match.func
    print([getattr(middleware.process_view(request, view, (), {}), "status_code", 200)
           for _ in range(2)])
"""


class SharedCacheTests(TestCase):
    def test_with_a_redis_cache_url_every_worker_process_spends_one_budget(self):
        import random
        import socket

        try:
            socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        except OSError:
            self.skipTest("no Redis at 127.0.0.1:6379")
        # A fresh address per run, so an earlier run's count in Redis cannot interfere.
        address = f"198.18.{random.randrange(256)}.{random.randrange(1, 255)}"
        env = {"DJANGO_SETTINGS_MODULE": "config.settings_test",
               "CACHE_URL": "redis://127.0.0.1:6379/15"}
        answers = []
        for _worker in range(2):
            result = subprocess.run(
                [sys.executable, "-c", RATE_LIMIT_IN_A_WORKER, address], cwd=ROOT,
                env={**{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
                     **env},
                capture_output=True, text=True, timeout=120,
            )
            self.assertEqual(result.returncode, 0, result.stderr[-2000:])
            answers.append(json.loads(result.stdout.strip().splitlines()[-1]))
        # Three allowed per day in all: the second process's second request is refused.
        self.assertEqual(answers, [[200, 200], [200, 429]])
