"""What agreed language is derived from and what it found; all of it can be made again from
the published statements (``manage.py rebuild_reuse``).

* ``Shingle``: one row per distinct run of ``ARCHIVE_REUSE_MIN_WORDS`` words of each
  published statement (its hash): the index that finds which other statements share a run.
* ``SharedPassage``: for a statement, a passage of it that also occurs in one other
  statement (character offsets in the statement's body); read by the statement page and the
  API in one query.
* ``ReuseQueue``: statements whose passages must be worked out again (filled inside the
  writer's transaction from the archive's announcement; applied when the index worker is idle).
"""

from __future__ import annotations

from django.db import models

from archive.models import Statement


class Shingle(models.Model):
    pk = models.CompositePrimaryKey("hash", "statement_id")
    hash = models.BigIntegerField()
    # No foreign key constraint: rows are written in bulk by the rebuild and removed with
    # the statement's passages by the worker; the statement's id is what is kept.  Its one
    # index is the named one below, which the rebuild drops and makes again around its bulk
    # insert (a second, automatic one would be kept up row by row in random order).
    statement = models.ForeignKey(
        Statement, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False,
        related_name="+",
    )

    class Meta:
        indexes = [models.Index(fields=["statement"], name="reuse_shingle_statement")]

    def __str__(self) -> str:
        return f"{self.hash} in {self.statement_id}"


class SharedPassage(models.Model):
    # Indexed by the two named indexes below (Django's automatic ones would repeat them).
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="+",
                                  db_index=False)
    other = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="+",
                              db_index=False)
    start = models.PositiveIntegerField(help_text="First character in the statement's body.")
    end = models.PositiveIntegerField(help_text="Character after the last, in the body.")
    words = models.PositiveIntegerField()

    class Meta:
        ordering = ["statement", "start", "end"]
        indexes = [
            models.Index(fields=["statement", "start"], name="reuse_passage_statement"),
            models.Index(fields=["other"], name="reuse_passage_other"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")),
                                   name="reuse_passage_not_empty"),
            models.CheckConstraint(condition=~models.Q(statement=models.F("other")),
                                   name="reuse_passage_other_statement"),
        ]

    def __str__(self) -> str:
        return f"{self.statement_id}[{self.start}:{self.end}] also in {self.other_id}"


class ReuseQueue(models.Model):
    statement_pk = models.BigIntegerField(unique=True)
    enqueued_at = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["enqueued_at", "id"]

    def __str__(self) -> str:
        return f"statement {self.statement_pk}"
