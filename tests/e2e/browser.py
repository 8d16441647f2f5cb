"""Chromium through Playwright, for the browser tests: Debian's own Chromium, never a download.

``launch()`` skips the calling test with a clear message when the browser or Playwright is
missing, so the suite still runs on a machine without them (CI installs Chromium).
"""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("ARCHIVE_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def skip_without_browser() -> None:
    if os.environ.get("ARCHIVE_BROWSER_TESTS", "1") == "0":
        pytest.skip("browser tests switched off (ARCHIVE_BROWSER_TESTS=0)")
    if not CHROMIUM.exists():
        pytest.skip(
            f"Chromium is not installed at {CHROMIUM}: `apt-get install -y chromium` (or set "
            "ARCHIVE_CHROMIUM) to run the browser tests"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("Playwright for Python is not installed (see requirements-dev.txt)")


def launch(playwright):
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)


def screenshot_on_failure(test):
    """Save a full-page screenshot of the test's page (its ``page`` fixture, or any other
    fixture that is a Playwright page) to tests/artifacts/ when the test fails."""

    @functools.wraps(test)
    def wrapper(*args, **kwargs):
        page = kwargs.get("page") or next(
            (value for value in kwargs.values() if hasattr(value, "screenshot")), None
        )
        try:
            return test(*args, **kwargs)
        except BaseException:
            ARTIFACTS.mkdir(exist_ok=True)
            name = re.sub(r"[^A-Za-z0-9_.-]+", "_", test.__name__)
            try:
                page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
                (ARTIFACTS / f"{name}.html").write_text(page.content())
            except Exception:  # the page may be gone; the test's own error matters more
                pass
            raise

    return wrapper
