"""Email alerts: who asked to hear of what, and which statements each has already been sent.

Personal data is kept to the minimum: a subscriber is an email address and nothing else (no
name, no account, no address of the request); removing the last subscription of an address
removes the address.  Unconfirmed subscriptions are forgotten after ``CONFIRM_DAYS``.
"""

from __future__ import annotations

import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from archive.models import Statement

# How long a confirmation link works, and how long an unconfirmed address is kept.
CONFIRM_DAYS = 7


class Frequency(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")

    @property
    def period(self) -> datetime.timedelta:
        return datetime.timedelta(days=1 if self == Frequency.DAILY else 7)


class Subscriber(models.Model):
    email = models.EmailField(unique=True, help_text="Stored lower-cased.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email


class SubscriptionQuerySet(models.QuerySet):
    def confirmed(self) -> SubscriptionQuerySet:
        return self.filter(confirmed_at__isnull=False)

    def unconfirmed(self) -> SubscriptionQuerySet:
        return self.filter(confirmed_at__isnull=True)

    def expired_unconfirmed(self, now: datetime.datetime | None = None) -> SubscriptionQuerySet:
        now = now or timezone.now()
        return self.unconfirmed().filter(
            created_at__lt=now - datetime.timedelta(days=CONFIRM_DAYS)
        )


class Subscription(models.Model):
    """One followed search for one address: the search's canonical query string (the same
    parameters the search page reads, through ``search.request.SearchForm``)."""

    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="subscriptions"
    )
    query = models.CharField(
        max_length=2000, help_text="The followed search, as the search page's query string."
    )
    label = models.CharField(max_length=500, help_text="What the subscriber follows, in words.")
    frequency = models.CharField(
        max_length=10, choices=Frequency.choices, default=Frequency.DAILY
    )
    created_at = models.DateTimeField(auto_now_add=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # Statements published up to this moment have been looked at (those the index had not
    # caught up with yet are looked at again next time).
    checked_until = models.DateTimeField(null=True, blank=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["subscriber", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber", "query"], name="alerts_one_subscription_per_search",
            ),
            models.CheckConstraint(
                condition=models.Q(frequency__in=Frequency.values),
                name="alerts_frequency_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subscriber} · {self.label}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    def is_due(self, now: datetime.datetime) -> bool:
        """Confirmed, and the period has passed since the last digest (a tenth of it spare,
        so a cron line at a fixed hour is not put off by a run that took a minute)."""
        if not self.is_confirmed:
            return False
        if self.last_sent_at is None:
            return True
        period = Frequency(self.frequency).period
        return now >= self.last_sent_at + period - period / 10


class SentStatement(models.Model):
    """A statement that went out in a digest of a subscription: never sent to it again."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="sent"
    )
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "statement"], name="alerts_statement_sent_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subscription_id} → {self.statement_id}"
