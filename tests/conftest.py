"""Shared fixtures."""

import pytest


@pytest.fixture
def shared_dir():
    """The ../shared folder beside the project (read-only data), or a skip."""
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent.parent / "shared"
    if not path.is_dir():
        pytest.skip(f"{path} is absent: tests that read the shared data are skipped")
    return path


@pytest.fixture(autouse=True)
def _english_between_tests():
    """Each test starts in the default interface language.  A request under /ar/ activates
    Arabic in the thread that served it (the test's own, with the test client), and Django
    never switches back, so a later ``reverse()`` in another test would give /ar/ addresses."""
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_rate_counts():
    """Each test starts with no requests counted against the test client's address: the API's
    throttles count in the cache, and hundreds of earlier tests share that address."""
    yield
    import contextlib

    from django.core.cache import caches

    for alias in caches:
        # A database cache whose table a test dropped has nothing to clear.
        with contextlib.suppress(Exception):
            caches[alias].clear()


@pytest.fixture(scope="module")
def browser(site):
    """One Debian Chromium per test module, started once the module's ``site`` (each
    browser test module serves its own) is up."""
    from playwright.sync_api import sync_playwright

    from .e2e.browser import launch

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()
