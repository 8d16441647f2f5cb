"""Settings for the test suite: the real settings, the engine under test, fast hashing."""

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key")
# ARCHIVE_TEST_ENGINE chooses the engine the suite runs on: "whoosh" (the default: a throwaway
# index folder per test process) or "postgres" (the PostgreSQL engine in the test database;
# DATABASE_URL must be PostgreSQL).  CI runs the suite once per engine.
TEST_ENGINE = os.environ.get("ARCHIVE_TEST_ENGINE", "whoosh").strip().lower() or "whoosh"
if TEST_ENGINE not in ("whoosh", "postgres"):
    raise RuntimeError(f"ARCHIVE_TEST_ENGINE={TEST_ENGINE!r}: use whoosh or postgres.")
_index_dir = tempfile.mkdtemp(prefix="archive-test-whoosh-")
# Each test process gets its own index folder; leave nothing behind in /tmp.
atexit.register(shutil.rmtree, _index_dir, ignore_errors=True)
if TEST_ENGINE == "postgres" and not os.environ.get("DATABASE_URL", "").startswith("postgres"):
    # A process a test starts with a SQLite database of its own (and these settings, which it
    # inherits) cannot hold the PostgreSQL engine: it gets the Whoosh folder, and says so.
    import sys

    print("settings_test: ARCHIVE_TEST_ENGINE=postgres needs DATABASE_URL=postgres://...; "
          "this process uses Whoosh.", file=sys.stderr)
    TEST_ENGINE = "whoosh"
os.environ["SEARCH_URL"] = "postgres:" if TEST_ENGINE == "postgres" else "whoosh:" + _index_dir

from .settings import *  # noqa: E402,F403

# The processes tests start inherit the environment, often with a SQLite database of their
# own, where postgres: is refused: they get the Whoosh folder.
os.environ["SEARCH_URL"] = "whoosh:" + _index_dir

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
# Searches are rate-limited per address; the suite runs hundreds from one address.  The tests
# of the limits turn them on with override_settings.
ARCHIVE_RATE_LIMITS = dict.fromkeys(ARCHIVE_RATE_LIMITS, "off")  # noqa: F405
# One test process needs no shared count, and the database cache would add its queries to
# every assertNumQueries of a throttled page.  The default (the database cache, shared by
# worker processes) is tested in its own processes: tests/test_throttling.py.
if not os.environ.get("CACHE_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The test client speaks plain HTTP; production's redirect to HTTPS is tested with the real
# settings in subprocesses (tests/test_deployment.py, tests/test_security.py).
SECURE_SSL_REDIRECT = False
ARCHIVE_SITE_URL = "http://testserver"
# A stand-in replica for the router's tests (tests/test_db_router.py): the test database under
# a second alias, serving no reads until a test lists it in DATABASE_READ_REPLICAS.  A real
# streaming replica is tested against clusters made for it (tests/test_replica_cluster.py).
if "replica_test" not in DATABASES:  # noqa: F405
    DATABASES["replica_test"] = {  # noqa: F405
        **DATABASES["default"],  # noqa: F405
        "OPTIONS": dict(DATABASES["default"].get("OPTIONS", {})),  # noqa: F405
        "TEST": {"MIRROR": "default"},
    }
