"""The durable queue between the archive and the index worker."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone


class IndexQueueQuerySet(models.QuerySet):
    def due(self, now=None) -> IndexQueueQuerySet:
        """Rows the worker should take now (new, or past their retry time)."""
        return self.filter(next_attempt_at__lte=now or timezone.now())

    def failing(self) -> IndexQueueQuerySet:
        return self.exclude(last_error="")


class IndexQueue(models.Model):
    """One statement whose index document must be brought in line with the database.

    A row says only "look at this statement again": the worker indexes it if it is published
    and removes it from the index otherwise (it may have been deleted, so this is a plain
    number, not a foreign key).  Rows are upserted, so repeated changes collapse into one
    row; ``token`` changes on every upsert, so the worker deletes a row only if nobody queued
    the statement again while it was being indexed.
    """

    statement_pk = models.BigIntegerField(unique=True)
    token = models.UUIDField(default=uuid.uuid4, editable=False)
    enqueued_at = models.DateTimeField(default=timezone.now, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = IndexQueueQuerySet.as_manager()

    class Meta:
        ordering = ["enqueued_at", "id"]
        verbose_name = "index queue entry"
        verbose_name_plural = "index queue"

    def __str__(self) -> str:
        return f"statement #{self.statement_pk}"


class SearchDocument(models.Model):
    """One statement's document in the PostgreSQL engine's table (``search/engine/postgres``).

    Not managed by Django: migration 0003 creates the table, its text-search indexes and the
    engine's other tables on PostgreSQL only, and the engine reads and writes them in SQL.
    The model names the table for database routers: the engine reads through
    ``router.db_for_read(SearchDocument)`` and writes through ``router.db_for_write``.
    """

    identifier = models.TextField(primary_key=True)
    django_ct = models.TextField()
    django_id = models.BigIntegerField()
    fingerprint = models.TextField()
    stored = models.JSONField()
    date = models.DateField(null=True)

    class Meta:
        managed = False
        db_table = "search_document"

    def __str__(self) -> str:
        return self.identifier
