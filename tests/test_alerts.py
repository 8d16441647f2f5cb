"""Email alerts, end to end in-process: a real SMTP server on loopback (aiosmtpd), a real
index, the archive's own services.  Every mail is read as it arrived at the server."""

from __future__ import annotations

import datetime
import io
from urllib.parse import urlsplit

from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import TestCase, override_settings
from django.utils import timezone

from alerts import services as alerts
from alerts.models import SentStatement, Subscriber, Subscription
from archive import services
from archive.models import Status
from search.testing import fresh_index, index_now
from tests.factories import EventFactory, SpeakerFactory, country
from tests.mailbox import Mailbox, body_of, links_in


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


class MailTestCase(TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mailbox = Mailbox().__enter__()
        cls.addClassCleanup(cls.mailbox.__exit__, None, None, None)
        cls.mail_settings = override_settings(**cls.mailbox.settings)
        cls.mail_settings.enable()
        cls.addClassCleanup(cls.mail_settings.disable)

    def setUp(self):
        fresh_index()
        index_now()
        self.mailbox.clear()
        cache.clear()

    # --- helpers -------------------------------------------------------------------------

    def publish(self, title, body, *, index=True, **fields):
        statement = services.create_statement(
            title=title, body=body, delivered_on=datetime.date(2024, 3, 1),
            status=Status.PUBLISHED, country=fields.pop("country", country("NOR")), **fields,
        )
        if index:
            index_now()
        return statement

    def subscribe(self, email="reader@example.org", **params):
        response = self.client.post("/alerts/", {"email": email, **params})
        self.assertEqual(response.status_code, 302, response.content[:2000])
        self.assertEqual(response["Location"], "/alerts/check-your-mail/")
        return response

    def confirm_from_mail(self, message):
        link = next(u for u in links_in(message) if "/alerts/confirm/" in u)
        page = self.client.get(path_of(link))
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, "Start the alerts")
        response = self.client.post(path_of(link))
        self.assertContains(response, "Alerts confirmed")
        return link

    def subscribed_and_confirmed(self, email="reader@example.org", **params):
        self.subscribe(email, **params)
        message = self.mailbox.wait_for(1)[-1]
        self.confirm_from_mail(message)
        self.mailbox.clear()
        return Subscription.objects.get(subscriber__email=email)


class SubscribeTests(MailTestCase):
    def test_a_subscription_starts_with_a_confirmation_mail_and_only_the_address_is_kept(self):
        self.subscribe("Reader@Example.org", q="water security")
        [message] = self.mailbox.wait_for(1)
        self.assertEqual(message["To"], "reader@example.org")
        self.assertIn("water security", message["Subject"])
        self.assertIn("http://testserver/alerts/confirm/", body_of(message))
        subscription = Subscription.objects.get()
        self.assertFalse(subscription.is_confirmed)
        self.assertEqual(subscription.query, "q=water+security")
        self.assertEqual([f.name for f in Subscriber._meta.concrete_fields],
                         ["id", "email", "created_at"])
        self.assertEqual(Subscriber.objects.get().email, "reader@example.org")

    def test_a_program_posts_a_subscription_without_a_csrf_token(self):
        from django.test import Client

        program = Client(enforce_csrf_checks=True)
        response = program.post("/alerts/", {"email": "desk@example.org", "q": "water"})
        self.assertEqual(response.status_code, 302, response.content[:500])
        [message] = self.mailbox.wait_for(1)
        self.assertEqual(message["To"], "desk@example.org")
        self.assertFalse(Subscription.objects.get().is_confirmed, "only the mailed link does")

    def test_opening_the_link_shows_a_button_and_only_the_button_confirms(self):
        self.subscribe(q="water")
        [message] = self.mailbox.wait_for(1)
        link = next(u for u in links_in(message) if "/alerts/confirm/" in u)
        self.client.get(path_of(link))
        self.assertFalse(Subscription.objects.get().is_confirmed, "a mail scanner's GET")
        self.client.post(path_of(link))
        subscription = Subscription.objects.get()
        self.assertTrue(subscription.is_confirmed)
        self.assertEqual(subscription.checked_until, subscription.confirmed_at)

    def test_asking_twice_sends_one_mail_and_keeps_one_subscription(self):
        self.subscribe(q="water")
        self.subscribe(q="water")
        self.mailbox.wait_for(1)
        self.assertEqual(len(self.mailbox.messages), 1)
        self.assertEqual(Subscription.objects.count(), 1)

    def test_a_weekly_choice_made_on_a_second_request_applies_once_confirmed(self):
        self.subscribe(q="water")
        subscription = Subscription.objects.get()
        subscription.confirmation_sent_at = timezone.now() - datetime.timedelta(hours=1)
        subscription.save()
        self.subscribe(q="water", frequency="weekly")
        message = self.mailbox.wait_for(2)[-1]
        self.assertEqual(Subscription.objects.get().frequency, "daily")
        self.confirm_from_mail(message)
        self.assertEqual(Subscription.objects.get().frequency, "weekly")

    def test_following_a_speaker_country_or_event_is_the_search_with_that_facet(self):
        speaker = SpeakerFactory(name="Amira Haddad", slug="amira-haddad")
        statement = self.publish("Statement by Haddad", "Words on rivers.",
                                 event=EventFactory(name="River Talks", slug="river-talks"),
                                 speakers=[services.SpeakerRole(speaker, "Envoy")])
        page = self.client.get(speaker.get_absolute_url())
        self.assertContains(page, 'action="/alerts/"')
        self.assertContains(page, '<input type="hidden" name="speaker" value="amira-haddad">',
                            html=True)
        self.subscribe(speaker="amira-haddad")
        self.subscribe(country="nor")
        self.subscribe(event=statement.event.slug)
        labels = sorted(Subscription.objects.values_list("label", flat=True))
        self.assertIn("Speaker: Amira Haddad", labels)
        self.assertIn("Country: Norway", labels)
        self.assertIn("Event: River Talks", labels)
        self.assertEqual(Subscription.objects.get(label="Country: Norway").query, "country=NOR")

    def test_the_search_page_offers_the_search_by_email_with_its_criteria(self):
        self.publish("Rivers", "Words on rivers.")
        page = self.client.get("/search/", {"q": "rivers", "country": "NOR"})
        self.assertContains(page, "Follow this search by email")
        self.assertContains(page, '<input type="hidden" name="q" value="rivers">', html=True)
        self.assertContains(page, '<input type="hidden" name="country" value="NOR">', html=True)
        self.assertNotContains(self.client.get("/search/"), "Follow this search by email")

    def test_bad_input_is_a_400_with_the_form_and_the_input_kept(self):
        response = self.client.post("/alerts/", {"email": "not-an-address", "q": "water rights"})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Enter a valid email address", status_code=400)
        self.assertContains(response, 'value="water rights"', status_code=400)
        self.assertContains(response, 'value="not-an-address"', status_code=400)

        response = self.client.post("/alerts/", {"email": "a@example.org", "speaker": "nobody"})
        self.assertContains(response, "There is no speaker “nobody”", status_code=400)
        self.assertContains(response, 'value="a@example.org"', status_code=400)

        response = self.client.post("/alerts/", {"email": "a@example.org"})
        self.assertContains(response, "Choose what to follow", status_code=400)

        response = self.client.get("/alerts/", {"from": "2024-02-31", "q": "x"})
        self.assertContains(response, "does not exist", status_code=400)
        self.assertEqual(Subscription.objects.count(), 0)
        self.assertEqual(self.mailbox.messages, [])

    def test_line_breaks_in_the_query_do_not_reach_the_mail_headers(self):
        self.subscribe(q="water\r\nBcc: victim@example.org")
        [message] = self.mailbox.wait_for(1)
        self.assertNotIn("Bcc", message)
        self.assertEqual(self.mailbox.envelopes[0][1], ["reader@example.org"])
        self.assertIn("water Bcc: victim@example.org", message["Subject"])

    def test_a_draft_only_speaker_cannot_be_followed(self):
        hidden = SpeakerFactory(slug="hidden-person")
        services.create_statement(
            title="Draft", body="Secret.", delivered_on=datetime.date(2024, 1, 1),
            speakers=[services.SpeakerRole(hidden, "")],
        )
        response = self.client.post("/alerts/", {"email": "a@example.org",
                                                 "speaker": "hidden-person"})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(Subscription.objects.count(), 0)

    @override_settings(ARCHIVE_RATE_LIMITS={"search": "off", "autocomplete": "off",
                                            "related": "off", "alerts": "2/m"})
    def test_subscribing_is_rate_limited_per_address(self):
        self.subscribe("a@example.org", q="one")
        self.subscribe("b@example.org", q="two")
        response = self.client.post("/alerts/", {"email": "c@example.org", "q": "three"})
        self.assertEqual(response.status_code, 429)
        self.assertTrue(response.has_header("Retry-After"))
        self.assertEqual(Subscription.objects.count(), 2)


class TokenTests(MailTestCase):
    def test_a_tampered_or_foreign_token_is_a_400(self):
        self.subscribe(q="water")
        subscription = Subscription.objects.get()
        confirm = alerts.confirm_token(subscription)
        self.assertEqual(self.client.get(f"/alerts/confirm/{confirm}x/").status_code, 400)
        # A confirmation token does not unsubscribe, nor the reverse (different salts).
        self.assertEqual(self.client.post(f"/alerts/unsubscribe/{confirm}/").status_code, 400)
        stop = alerts.unsubscribe_token(subscription)
        self.assertEqual(self.client.post(f"/alerts/confirm/{stop}/").status_code, 400)
        self.assertTrue(Subscription.objects.exists())
        self.assertFalse(Subscription.objects.get().is_confirmed)

    def test_an_expired_confirmation_link_says_so(self):
        self.subscribe(q="water")
        subscription = Subscription.objects.get()
        token = alerts.confirm_token(subscription)
        with self.assertRaises(alerts.ExpiredToken):
            alerts._read(token, salt="alerts.confirm", max_age=-1)
        forged = signing.dumps({"s": subscription.pk, "f": "0" * 12}, salt="alerts.confirm")
        self.assertContains(self.client.get(f"/alerts/confirm/{forged}/"),
                            "no longer exists", status_code=400)

    def test_unconfirmed_addresses_are_forgotten_after_a_week(self):
        self.subscribe(q="water")
        self.assertEqual(alerts.forget_unconfirmed(timezone.now() + datetime.timedelta(days=6)), 0)
        self.assertEqual(alerts.forget_unconfirmed(timezone.now() + datetime.timedelta(days=8)), 1)
        self.assertFalse(Subscriber.objects.exists())


class DigestTests(MailTestCase):
    def test_one_digest_holds_the_new_matching_statements_and_a_second_run_sends_nothing(self):
        subscription = self.subscribed_and_confirmed(q="desalination")
        hit = self.publish("Water and desalination", "We fund desalination plants.")
        self.publish("Unrelated", "Fisheries and the sea.")
        services.create_statement(
            title="Draft on desalination", body="Desalination plans, not yet public.",
            delivered_on=datetime.date(2024, 3, 2),
        )
        index_now()
        report = alerts.send_due()
        self.assertEqual((report.sent, report.statements), (1, 1))
        [digest] = self.mailbox.wait_for(1)
        text = body_of(digest)
        self.assertIn("Water and desalination", text)
        self.assertIn("http://testserver" + hit.get_absolute_url(), text)
        self.assertNotIn("Unrelated", text)
        self.assertNotIn("Draft on desalination", text)
        self.assertIn("1 new statement", digest["Subject"])
        self.assertRegex(digest["List-Unsubscribe"].strip(), r"^<http://testserver/alerts/unsubscribe/")
        self.assertEqual(digest["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click")

        # Again now: not due.  Again in two days: due, but nothing new.
        self.assertEqual(alerts.send_due().sent, 0)
        later = timezone.now() + datetime.timedelta(days=2)
        self.assertEqual(alerts.send_due(now=later).sent, 0)
        self.assertEqual(len(self.mailbox.messages), 1)
        self.assertEqual(SentStatement.objects.filter(subscription=subscription).count(), 1)

    def test_the_same_statement_is_never_sent_twice_even_if_republished(self):
        subscription = self.subscribed_and_confirmed(q="desalination")
        hit = self.publish("Water and desalination", "We fund desalination plants.")
        alerts.send_due()
        self.mailbox.wait_for(1)
        services.unpublish_statement(statement=hit)
        services.publish_statement(statement=hit)
        index_now()
        self.assertEqual(alerts.send_due(now=timezone.now() + datetime.timedelta(days=2)).sent, 0)
        self.assertEqual(len(self.mailbox.messages), 1)
        self.assertEqual(SentStatement.objects.filter(subscription=subscription).count(), 1)

    def test_a_statement_waits_for_the_index_before_it_is_matched(self):
        self.subscribed_and_confirmed(q="desalination")
        self.publish("Water and desalination", "We fund desalination plants.", index=False)
        self.assertEqual(alerts.send_due().sent, 0, "not indexed yet: nothing is sent")
        index_now()
        self.assertEqual(alerts.send_due().sent, 1, "and it is not skipped afterwards")
        self.assertIn("Water and desalination", body_of(self.mailbox.wait_for(1)[0]))

    def test_weekly_digests_wait_a_week(self):
        subscription = self.subscribed_and_confirmed(q="desalination", frequency="weekly")
        self.assertEqual(subscription.frequency, "weekly")
        self.publish("Desalination one", "Desalination.")
        self.assertEqual(alerts.send_due().sent, 1)
        self.publish("Desalination two", "Desalination again.")
        self.assertEqual(alerts.send_due(now=timezone.now() + datetime.timedelta(days=2)).sent, 0)
        report = alerts.send_due(now=timezone.now() + datetime.timedelta(days=7))
        self.assertEqual((report.sent, report.statements), (1, 1))
        second = body_of(self.mailbox.wait_for(2)[1])
        self.assertIn("Desalination two", second)
        self.assertNotIn("Desalination one", second)

    def test_a_speaker_subscription_gets_that_speakers_statements(self):
        speaker = SpeakerFactory(name="Amira Haddad", slug="amira-haddad")
        self.publish("Earlier", "Before.", speakers=[services.SpeakerRole(speaker, "Envoy")])
        self.subscribed_and_confirmed(speaker="amira-haddad")
        self.publish("By Haddad", "Rivers.", speakers=[services.SpeakerRole(speaker, "Envoy")])
        self.publish("By someone else", "Rivers.")
        alerts.send_due()
        text = body_of(self.mailbox.wait_for(1)[0])
        self.assertIn("By Haddad", text)
        self.assertNotIn("By someone else", text)
        self.assertNotIn("Earlier", text)

    def test_a_refusing_mail_server_loses_nothing(self):
        self.subscribed_and_confirmed(q="desalination")
        self.publish("Water and desalination", "We fund desalination plants.")
        closed = Mailbox()  # a port nothing listens on
        with override_settings(EMAIL_PORT=closed.port):
            report = alerts.send_due()
        self.assertEqual((report.sent, report.failed), (0, 1))
        self.assertFalse(SentStatement.objects.exists())
        self.assertEqual(alerts.send_due().sent, 1)
        self.assertIn("Water and desalination", body_of(self.mailbox.wait_for(1)[0]))

    def test_the_command_reports_and_the_unsubscribe_link_works_without_login(self):
        self.subscribed_and_confirmed(q="desalination")
        self.publish("Water and desalination", "We fund desalination plants.")
        out = io.StringIO()
        call_command("send_alerts", stdout=out)
        self.assertIn("1 digest(s) sent with 1 statement(s)", out.getvalue())
        [digest] = self.mailbox.wait_for(1)
        link = next(u for u in links_in(digest) if "/alerts/unsubscribe/" in u)
        self.assertContains(self.client.get(path_of(link)), "Stop the alerts")
        self.assertTrue(Subscription.objects.exists(), "opening the link changes nothing")
        # A mail program's one-click POST: no cookie, no CSRF token.
        from django.test import Client

        response = Client(enforce_csrf_checks=True).post(
            path_of(link), {"List-Unsubscribe": "One-Click"})
        self.assertContains(response, "no more mail")
        self.assertFalse(Subscription.objects.exists())
        self.assertFalse(Subscriber.objects.exists(), "the address goes with its last alert")
        self.assertContains(self.client.get(path_of(link)), "already been stopped")


class EmailUrlTests(TestCase):
    def test_the_addresses_email_url_takes(self):
        from config.email import email_settings

        self.assertEqual(email_settings("")["EMAIL_BACKEND"],
                         "django.core.mail.backends.console.EmailBackend")
        smtp = email_settings("smtp://mail.example.org:2525")
        self.assertEqual((smtp["EMAIL_HOST"], smtp["EMAIL_PORT"], smtp["EMAIL_USE_TLS"]),
                         ("mail.example.org", 2525, False))
        tls = email_settings("smtp+tls://user%40x:p%3Ass@mail.example.org?timeout=3")
        self.assertEqual((tls["EMAIL_PORT"], tls["EMAIL_USE_TLS"], tls["EMAIL_HOST_USER"],
                          tls["EMAIL_HOST_PASSWORD"], tls["EMAIL_TIMEOUT"]),
                         (587, True, "user@x", "p:ss", 3.0))
        self.assertTrue(email_settings("smtps://mail.example.org")["EMAIL_USE_SSL"])
        for bad in ("gopher://x", "smtp://", "smtp://host:notaport", "file://"):
            with self.subTest(bad), self.assertRaises(ImproperlyConfigured):
                email_settings(bad)
