"""What the research tools keep per statement: counts read from its text, never edited by hand.

A row is derived data, like the index: ``research.stats`` computes it from the database (the
statement and the document text the index is given), the receiver drops it whenever the
archive announces the statement changed, and readers compute missing rows on demand
(``manage.py research_stats`` computes them all at once, after a bulk import).
"""

from django.db import models

from archive.models import Statement


class StatementStats(models.Model):
    statement = models.OneToOneField(
        Statement, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    # Words of the body, counted as search.text.tokenize counts them.
    words = models.PositiveIntegerField()
    # The position of the body's first word in the document text the index holds (title,
    # speakers, event and topics come first): index positions from here to
    # body_start + words are the body's.
    body_start = models.PositiveIntegerField()
    delivered_on = models.DateField()
    country = models.CharField(max_length=3, blank=True)  # the delegation's code
    speakers = models.TextField(blank=True)  # speaker slugs, one per line, in order
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "statement statistics"
        verbose_name_plural = "statement statistics"
        # research.stats asks for the row count and the latest computation on every read.
        indexes = [models.Index(fields=["computed_at"], name="research_stats_computed")]

    def __str__(self) -> str:
        return f"statement {self.statement_id}: {self.words} words"

    @property
    def speaker_slugs(self) -> list[str]:
        return [s for s in self.speakers.splitlines() if s]


class StatementWords(models.Model):
    """A statement's content words and their counts (``research.words``: zlib-compressed
    JSON), for comparing two sides without analysing their texts again.  Apart from
    ``StatementStats`` so that the small rows read on every request stay small."""

    statement = models.OneToOneField(
        Statement, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    counts = models.BinaryField()

    class Meta:
        verbose_name = "statement words"
        verbose_name_plural = "statement words"

    def __str__(self) -> str:
        return f"words of statement {self.statement_id}"
