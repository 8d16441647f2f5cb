"""The README's production steps, followed as written (issue 13, item 12): with only the
required variables and ``collectstatic`` run, ``check --deploy`` reports nothing (no HSTS
without the HTTPS redirect, security.W008); without the collected files and their manifest,
``check --deploy`` says so and the WSGI application refuses to start, rather than answering
500 on every page."""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from django.test import SimpleTestCase

ROOT = Path(__file__).resolve().parent.parent
# The README's required production variables, and nothing else.
REQUIRED = {
    "DJANGO_SECRET_KEY": "t3st-only-" + "k7Qp2xVz9LmN4rTb8WcY6HdJ1sFgA5eU0iOq3nRyXw" * 2,
    "DJANGO_ALLOWED_HOSTS": "archive.example.org",
}
_collected: dict[str, str] = {}


def collected_var_dir() -> str:
    """A var/ folder where ``collectstatic`` ran as the README says (once per test process)."""
    if "path" not in _collected:
        folder = tempfile.mkdtemp(prefix="archive-static-")
        result = run_manage("collectstatic", "--noinput", "-v", "0", var_dir=folder)
        assert result.returncode == 0, result.stderr[-2000:]
        _collected["path"] = folder
        import atexit

        atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return _collected["path"]


def production_env(var_dir: str, **extra) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DJANGO_", "ARCHIVE_", "DATABASE_URL", "CACHE_URL"))}
    env.update(REQUIRED, ARCHIVE_VAR_DIR=var_dir, DJANGO_SETTINGS_MODULE="config.settings",
               SEARCH_URL=f"whoosh:{Path(var_dir) / 'whoosh'}", **extra)
    return env


def run_manage(*args, var_dir: str, **extra):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=production_env(var_dir, **extra),
        capture_output=True, text=True, timeout=180,
    )


class ProductionStepsTests(SimpleTestCase):
    def test_check_deploy_is_clean_with_the_required_variables_and_collected_static(self):
        result = run_manage("check", "--deploy", "--fail-level", "WARNING",
                            var_dir=collected_var_dir())
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("System check identified no issues", result.stdout)

    def test_https_defaults_agree_and_plain_http_is_one_switch(self):
        code = ("import json, django; from django.conf import settings; django.setup();"
                "print(json.dumps([settings.SECURE_SSL_REDIRECT, settings.SECURE_HSTS_SECONDS,"
                " settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE]))")
        for label, extra, expected in [
            ("production", {}, "[true, 31536000, true, true]"),
            ("plain HTTP", {"DJANGO_SSL_REDIRECT": "0"}, "[false, 0, false, false]"),
        ]:
            with self.subTest(label):
                result = subprocess.run(
                    [sys.executable, "-c", code], cwd=ROOT,
                    env=production_env(collected_var_dir(), **extra), capture_output=True,
                    text=True, timeout=120,
                )
                self.assertEqual(result.returncode, 0, result.stderr)
                self.assertEqual(result.stdout.strip().splitlines()[-1], expected)

    def test_a_missing_manifest_is_reported_by_check_deploy(self):
        with tempfile.TemporaryDirectory() as empty:
            result = run_manage("check", "--deploy", var_dir=empty)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("site.E001", result.stderr + result.stdout)
        self.assertIn("collectstatic", result.stderr + result.stdout)

    def test_the_application_refuses_to_start_without_the_manifest(self):
        code = "import config.wsgi; print('started')"
        with tempfile.TemporaryDirectory() as empty:
            result = subprocess.run([sys.executable, "-c", code], cwd=ROOT,
                                    env=production_env(empty), capture_output=True, text=True,
                                    timeout=120)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("collectstatic", result.stderr)
        self.assertNotIn("started", result.stdout)
        result = subprocess.run([sys.executable, "-c", code], cwd=ROOT,
                                env=production_env(collected_var_dir()), capture_output=True,
                                text=True, timeout=120)
        self.assertEqual(result.returncode, 0, result.stderr[-2000:])
        self.assertIn("started", result.stdout)

    def test_a_per_process_cache_is_a_deployment_warning(self):
        result = run_manage("check", "--deploy", "--fail-level", "WARNING",
                            var_dir=collected_var_dir(), CACHE_URL="locmem://")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("site.W001", result.stderr + result.stdout)
