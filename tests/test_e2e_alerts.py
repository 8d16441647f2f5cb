"""Email alerts in a real browser against the archive run as in production (gunicorn on a
scratch database), with a real SMTP server on loopback (aiosmtpd) receiving the mail.

A reader follows a search by email from the search page, confirms through the link the
mail brings, a matching statement is published (archive services, then the index applied),
``send_alerts`` sends one digest holding it, a second run sends nothing, and the reader
stops the alert through the link in the digest.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from tests.e2e.browser import skip_without_browser
from tests.e2e.site import ScratchSite
from tests.mailbox import Mailbox, body_of, links_in
from tests.test_e2e_browser import page  # noqa: F401  (the shared page fixture; browser is in conftest)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

QUERY = "desalination"


@pytest.fixture(scope="module")
def mailbox():
    with Mailbox() as box:
        yield box


@pytest.fixture(scope="module")
def site(tmp_path_factory, mailbox):
    skip_without_browser()
    with ScratchSite(tmp_path_factory.mktemp("e2e-alerts"), postgres=False) as scratch:
        scratch.env["EMAIL_URL"] = f"smtp://127.0.0.1:{mailbox.port}"
        scratch.prepare()
        # No index worker: this test applies the index itself (search.testing.index_now).
        scratch.start_server()
        scratch.env["ARCHIVE_SITE_URL"] = scratch.url
        yield scratch


def local(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_subscribe_confirm_receive_one_digest_and_unsubscribe(page, site, mailbox):  # noqa: F811
    mailbox.clear()
    page.goto(f"/search/?q={QUERY}")
    page.fill("#search-alert-email", "reader@example.org")
    page.locator("form.search-alert button[type=submit]").click()
    page.wait_for_url(re.compile(r"/alerts/check-your-mail/$"))
    assert "Check your mailbox" in page.locator("h1").inner_text()

    [confirmation] = mailbox.wait_for(1)
    assert confirmation["To"] == "reader@example.org"
    confirm_link = next(u for u in links_in(confirmation) if "/alerts/confirm/" in u)
    assert confirm_link.startswith(site.url)
    page.goto(local(confirm_link))
    page.get_by_role("button", name="Start the alerts").click()
    assert "Alerts confirmed" in page.locator("h1").inner_text()
    assert site.scalar(
        "SELECT COUNT(*) FROM alerts_subscription WHERE confirmed_at IS NOT NULL") == 1

    site.python(
        "import datetime\n"
        "from archive import services\n"
        "from archive.models import Country, Status\n"
        "from search.testing import index_now\n"
        "services.create_statement(title='Water for arid coasts',"
        " body='Our programme builds desalination plants powered by the sun.',"
        " delivered_on=datetime.date(2024, 5, 2), status=Status.PUBLISHED,"
        " country=Country.objects.get(code='NOR'))\n"
        "services.create_statement(title='Fisheries report',"
        " body='Nothing about water treatment here.',"
        " delivered_on=datetime.date(2024, 5, 3), status=Status.PUBLISHED)\n"
        "index_now()\n"
    )
    first = site.manage("send_alerts")
    assert "1 digest(s) sent with 1 statement(s)" in first.stdout
    [_, digest] = mailbox.wait_for(2)
    text = body_of(digest)
    assert "Water for arid coasts" in text
    assert "Fisheries report" not in text

    second = site.manage("send_alerts")
    assert "0 digest(s) sent" in second.stdout
    assert len(mailbox.messages) == 2, "the second run sends nothing"

    unsubscribe_link = next(u for u in links_in(digest) if "/alerts/unsubscribe/" in u)
    page.goto(local(unsubscribe_link))
    page.get_by_role("button", name="Stop the alerts").click()
    assert "Alert stopped" in page.locator("h1").inner_text()
    assert site.scalar("SELECT COUNT(*) FROM alerts_subscription") == 0
    assert site.scalar("SELECT COUNT(*) FROM alerts_subscriber") == 0
    assert page.errors == []
