"""Every write of the alerts app: subscribing, confirming, unsubscribing, sending digests.

A subscription follows a search: the search page's own parameters (``q`` and the facets),
read by the one ``search.request.SearchForm``; following a speaker, a country or an event is
the search with that facet selected.  Digests are matched through the search engine's
portable API (so they work on any engine), restricted to published statements that entered
the archive since the subscription last looked and that the index worker has already
applied; every statement sent is recorded, so a subscription never gets one twice.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from archive.models import Statement
from search.freshness import queued
from search.request import (
    FACET_TITLES,
    FACETS,
    BadSearchRequest,
    SearchForm,
    SearchRequest,
    build_queryset,
    read_request,
)

from .models import CONFIRM_DAYS, Frequency, SentStatement, Subscriber, Subscription

log = logging.getLogger("alerts")

# The parameters a subscription keeps: a search's criteria (its order and page do not matter).
CRITERIA = ("q", *FACETS, "from", "to")
# A digest lists at most this many statements and links to the search for the rest.
DIGEST_MAX_LISTED = 50
# Candidates are handed to the engine this many at a time.
MATCH_CHUNK = 500
# A second confirmation mail for the same subscription is not sent sooner than this.
RESEND_AFTER = datetime.timedelta(minutes=15)

_CONFIRM_SALT = "alerts.confirm"
_UNSUBSCRIBE_SALT = "alerts.unsubscribe"


class NoCriteria(ValueError):
    """The request names nothing to follow."""


# --- what a subscription follows ------------------------------------------------------------


def criteria_of(params: QueryDict) -> tuple[str, SearchRequest]:
    """The canonical query string of the search ``params`` describe, and the request itself.

    ``BadSearchRequest`` for parameters the search page would refuse, ``NoCriteria`` when
    they select nothing (a subscription to every statement is not offered).
    """
    wanted = QueryDict(mutable=True)
    for name in CRITERIA:
        for value in params.getlist(name):
            if str(value).strip():
                wanted.appendlist(name, str(value).strip())
    request = read_request(wanted, form=SearchForm(wanted))
    if not request.has_criteria:
        raise NoCriteria(
            _("Choose what to follow: search words, a speaker, a country or an event.")
        )
    canonical = QueryDict(mutable=True)
    if request.q.strip():
        canonical["q"] = request.q.strip()
    for name in FACETS:
        for key in sorted(request.selected.get(name, [])):
            canonical.appendlist(name, key)
    if request.date_from:
        canonical["from"] = request.date_from.isoformat()
    if request.date_to:
        canonical["to"] = request.date_to.isoformat()
    return canonical.urlencode(), request


def describe(request: SearchRequest) -> str:
    """The followed search in words: “climate” · Country: Norway."""
    parts = []
    if request.q.strip():
        parts.append(f"“{request.q.strip()}”")
    for name in FACETS:
        keys = request.selected.get(name, [])
        if keys:
            labels = request.labels.get(name, {})
            names = ", ".join(labels.get(key, key) for key in keys)
            parts.append(f"{_(FACET_TITLES[name])}: {names}")
    if request.date_from:
        parts.append(_("from %(date)s") % {"date": request.date_from.isoformat()})
    if request.date_to:
        parts.append(_("to %(date)s") % {"date": request.date_to.isoformat()})
    # One line: the label is also a mail's subject, where a line break would be a header.
    return " ".join(" · ".join(parts).split())[:500]


# --- tokens ---------------------------------------------------------------------------------


def _fingerprint(subscription: Subscription) -> str:
    """Ties a token to this subscription of this address (an id alone could be reused)."""
    text = f"{subscription.subscriber.email}|{subscription.created_at.isoformat()}"
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def confirm_token(subscription: Subscription) -> str:
    return signing.dumps({"s": subscription.pk, "f": _fingerprint(subscription)},
                         salt=_CONFIRM_SALT)


def unsubscribe_token(subscription: Subscription) -> str:
    return signing.dumps({"s": subscription.pk, "f": _fingerprint(subscription)},
                         salt=_UNSUBSCRIBE_SALT)


class BadToken(ValueError):
    pass


class ExpiredToken(BadToken):
    pass


def _read(token: str, *, salt: str, max_age=None) -> Subscription | None:
    """The subscription a token names (None: it is gone); ``BadToken`` if forged."""
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise ExpiredToken(str(exc)) from None
    except signing.BadSignature as exc:
        raise BadToken(str(exc)) from None
    if not isinstance(data, dict) or not isinstance(data.get("s"), int):
        raise BadToken("not a subscription token")
    subscription = (Subscription.objects.select_related("subscriber")
                    .filter(pk=data["s"]).first())
    if subscription is None or _fingerprint(subscription) != data.get("f"):
        return None
    return subscription


def subscription_to_confirm(token: str) -> Subscription | None:
    return _read(token, salt=_CONFIRM_SALT, max_age=datetime.timedelta(days=CONFIRM_DAYS))


def subscription_to_end(token: str) -> Subscription | None:
    return _read(token, salt=_UNSUBSCRIBE_SALT)


# --- links in mail --------------------------------------------------------------------------


def site_url(base: str | None = None) -> str:
    base = (base or settings.ARCHIVE_SITE_URL or "").rstrip("/")
    if not base:
        raise RuntimeError(
            "ARCHIVE_SITE_URL is not set: mail sent outside a request needs the site's address "
            "for its links (e.g. ARCHIVE_SITE_URL=https://archive.example.org)."
        )
    return base


def confirm_url(subscription: Subscription, base: str | None = None) -> str:
    return site_url(base) + reverse("alerts:confirm", args=[confirm_token(subscription)])


def unsubscribe_url(subscription: Subscription, base: str | None = None) -> str:
    return site_url(base) + reverse("alerts:unsubscribe", args=[unsubscribe_token(subscription)])


def search_url(subscription: Subscription, base: str | None = None) -> str:
    params = QueryDict(subscription.query, mutable=True)
    params["sort"] = "newest"
    return site_url(base) + reverse("search:search") + "?" + params.urlencode()


# --- subscribing ----------------------------------------------------------------------------


@dataclass
class Subscribed:
    subscription: Subscription
    mailed: bool


def subscribe(*, email: str, params: QueryDict, frequency: str = Frequency.DAILY,
              base_url: str | None = None) -> Subscribed:
    """Start (or restart) a subscription and mail its confirmation link.

    Raises ``BadSearchRequest`` or ``NoCriteria`` for a search that cannot be followed.  An
    address that already follows this search gets a confirmation mail again (at most one per
    ``RESEND_AFTER``), whether or not it had confirmed: the page says the same either way, so
    it tells nobody which addresses are subscribed.
    """
    email = email.strip().lower()
    query, request = criteria_of(params)
    label = describe(request)
    now = timezone.now()
    with transaction.atomic():
        subscriber, _created = Subscriber.objects.get_or_create(email=email)
        try:
            with transaction.atomic():
                subscription, _new = Subscription.objects.get_or_create(
                    subscriber=subscriber, query=query,
                    defaults={"label": label, "frequency": frequency},
                )
        except IntegrityError:  # the same request twice at once
            subscription = Subscription.objects.get(subscriber=subscriber, query=query)
        # A different frequency for an existing subscription takes effect when the link in
        # the new mail is followed (it carries the frequency), not before.
        recent = (subscription.confirmation_sent_at is not None
                  and now - subscription.confirmation_sent_at < RESEND_AFTER)
        if recent:
            return Subscribed(subscription, mailed=False)
        subscription.confirmation_sent_at = now
        subscription.save(update_fields=["confirmation_sent_at"])
    _send_confirmation(subscription, frequency=frequency, base_url=base_url)
    return Subscribed(subscription, mailed=True)


def _send_confirmation(subscription: Subscription, *, frequency: str,
                       base_url: str | None) -> None:
    link = confirm_url(subscription, base_url)
    if frequency != subscription.frequency:
        link += "?" + urlencode({"frequency": frequency})
    context = {
        "subscription": subscription,
        "frequency": Frequency(frequency).label,
        "confirm_url": link,
        "days": CONFIRM_DAYS,
        "site_url": site_url(base_url),
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Confirm your email alert: %(label)s") % {"label": subscription.label}
        body = render_to_string("alerts/email/confirm.txt", context)
    EmailMessage(subject[:200], body, to=[subscription.subscriber.email]).send()


def confirm(subscription: Subscription, *, frequency: str | None = None) -> Subscription:
    """The owner followed the link: digests start with statements published from now on."""
    now = timezone.now()
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
        fields = []
        if frequency in Frequency.values and frequency != subscription.frequency:
            subscription.frequency = frequency
            fields.append("frequency")
        if subscription.confirmed_at is None:
            subscription.confirmed_at = now
            subscription.checked_until = now
            fields += ["confirmed_at", "checked_until"]
        if fields:
            subscription.save(update_fields=fields)
    return subscription


def unsubscribe(subscription: Subscription) -> None:
    """End the subscription; an address left with none is forgotten altogether."""
    with transaction.atomic():
        subscriber_id = subscription.subscriber_id
        Subscription.objects.filter(pk=subscription.pk).delete()
        Subscriber.objects.filter(pk=subscriber_id, subscriptions__isnull=True).delete()


def forget_unconfirmed(now: datetime.datetime | None = None) -> int:
    """Drop subscriptions nobody confirmed in time, and addresses left with none."""
    with transaction.atomic():
        count, _ = Subscription.objects.expired_unconfirmed(now).delete()
        Subscriber.objects.filter(subscriptions__isnull=True).delete()
    return count


# --- digests --------------------------------------------------------------------------------


def matching_statements(subscription: Subscription, *, until: datetime.datetime,
                        ) -> tuple[list[int], datetime.datetime]:
    """Published statements new to this subscription that its search finds, newest first,
    and how far the next look may start.

    Candidates come from the database (published since ``checked_until``, never sent to
    it); those the index worker has not applied yet are left for the next run, which starts
    just before the oldest of them.  The search itself runs through the engine.
    """
    since = subscription.checked_until or subscription.confirmed_at
    candidates = dict(
        Statement.objects.published()
        .filter(published_at__gt=since, published_at__lte=until)
        .exclude(pk__in=SentStatement.objects.filter(subscription=subscription)
                 .values("statement_id"))
        .values_list("pk", "published_at")
    )
    waiting = queued(candidates)
    next_start = until
    if waiting:
        next_start = min(candidates[pk] for pk in waiting) - datetime.timedelta(microseconds=1)
    ready = sorted((pk for pk in candidates if pk not in waiting), reverse=True)
    if not ready:
        return [], next_start
    request = read_request(QueryDict(subscription.query))
    request.sort = "newest"
    found: list[int] = []
    for start in range(0, len(ready), MATCH_CHUNK):
        chunk = ready[start : start + MATCH_CHUNK]
        sqs = build_queryset(request).filter(django_id__in=[str(pk) for pk in chunk])
        found += [int(r.pk) for r in sqs[: len(chunk)]]
    newest = dict(Statement.objects.filter(pk__in=found).values_list("pk", "published_at"))
    found.sort(key=lambda pk: (newest.get(pk), pk), reverse=True)
    return found, next_start


@dataclass
class SendReport:
    due: int = 0
    sent: int = 0
    statements: int = 0
    failed: int = 0
    skipped: int = 0


def send_due(*, now: datetime.datetime | None = None, base_url: str | None = None,
             stdout=None) -> SendReport:
    """Send every digest that is due (one mail per subscription with something new)."""
    now = now or timezone.now()
    report = SendReport()
    forget_unconfirmed(now)
    base = site_url(base_url)
    ids = list(Subscription.objects.confirmed().order_by("pk").values_list("pk", flat=True))
    # One connection for the run, opened by the first digest that has something to send.
    connection = get_connection()
    try:
        for pk in ids:
            try:
                outcome = _send_one(pk, now=now, base=base, connection=connection)
            except BadSearchRequest as exc:
                # The followed speaker, event or country is no longer public: nothing can
                # match until it is again; the subscription stays.
                log.info("Subscription %s cannot run its search now: %s", pk, exc)
                report.skipped += 1
                continue
            except Exception:
                log.exception("The digest of subscription %s failed; it is tried next run", pk)
                report.failed += 1
                continue
            if outcome is None:
                continue
            report.due += 1
            if outcome:
                report.sent += 1
                report.statements += outcome
    finally:
        connection.close()
    if stdout is not None:
        stdout.write(
            f"{report.sent} digest(s) sent with {report.statements} statement(s); "
            f"{report.due} due, {report.failed} failed, {report.skipped} skipped."
        )
    return report


def _send_one(pk: int, *, now, base: str, connection) -> int | None:
    """None: not due; 0: due, nothing new; else the number of statements mailed."""
    with transaction.atomic():
        subscription = (Subscription.objects.select_for_update()
                        .select_related("subscriber").filter(pk=pk).first())
        if subscription is None or not subscription.is_due(now):
            return None
        found, next_start = matching_statements(subscription, until=now)
        subscription.checked_until = next_start
        if not found:
            subscription.save(update_fields=["checked_until"])
            return 0
        SentStatement.objects.bulk_create(
            [SentStatement(subscription=subscription, statement_id=s, sent_at=now) for s in found],
            ignore_conflicts=True,
        )
        subscription.last_sent_at = now
        subscription.save(update_fields=["checked_until", "last_sent_at"])
        message = digest_message(subscription, found, base=base)
        # Inside the transaction: a mail server that refuses it leaves nothing recorded, and
        # the same statements go out in the next run.
        connection.open()  # no-op once open
        connection.send_messages([message])
        return len(found)


def digest_message(subscription: Subscription, statement_ids: list[int], *, base: str
                   ) -> EmailMessage:
    listed_ids = statement_ids[:DIGEST_MAX_LISTED]
    by_pk = {s.pk: s for s in Statement.objects.published().for_listing()
             .filter(pk__in=listed_ids)}
    listed = [by_pk[pk] for pk in listed_ids if pk in by_pk]
    unsubscribe = unsubscribe_url(subscription, base)
    context = {
        "subscription": subscription,
        "statements": [
            {"statement": s, "url": base + s.get_absolute_url(),
             "speakers": ", ".join(link.speaker.display_name
                                   for link in s.statement_speakers.all())}
            for s in listed
        ],
        "more": len(statement_ids) - len(listed),
        "search_url": search_url(subscription, base),
        "unsubscribe_url": unsubscribe,
        "frequency": Frequency(subscription.frequency).label,
        "site_url": base,
    }
    with translation.override(settings.LANGUAGE_CODE):
        count = len(statement_ids)
        subject = translation.ngettext(
            "%(count)d new statement: %(label)s", "%(count)d new statements: %(label)s", count
        ) % {"count": count, "label": subscription.label}
        body = render_to_string("alerts/email/digest.txt", context)
    return EmailMessage(
        subject[:200], body, to=[subscription.subscriber.email],
        headers={
            # One-click unsubscribe in mail programs (RFC 2369 and RFC 8058).
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
