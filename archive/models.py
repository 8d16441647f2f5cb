"""The archive's records: who spoke, where, for whom, about what, and what they said.

The database is the source of truth.  Writes go through ``archive.services``; nothing here
saves other rows or announces changes as a side effect.
"""

from __future__ import annotations

import datetime
import re

from django.conf import settings
from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class PublicQuerySet(models.QuerySet):
    """Speakers, events, topics and countries as the public may see them.

    An entity is public once a published statement refers to it, so that a draft's speaker,
    event or topic never shows before the draft is published.  ``statement_lookup`` is how a
    statement refers to the entity.
    """

    statement_lookup: str = ""

    def public(self):
        """Those a published statement refers to (one ``EXISTS`` per row, no join)."""
        published = Statement.objects.published().filter(
            **{self.statement_lookup: OuterRef("pk")}
        )
        return self.filter(Exists(published))

    def with_statement_counts(self, published_only: bool = True):
        """Annotated with ``statement_count``: their (published) statements."""
        condition = Q(statements__status=Status.PUBLISHED) if published_only else Q()
        return self.annotate(
            statement_count=Count("statements", filter=condition, distinct=True)
        )

    def public_with_counts(self):
        """Public ones, each with its count of published statements (list pages, the API)."""
        return self.with_statement_counts().filter(statement_count__gt=0)


class CountryQuerySet(PublicQuerySet):
    statement_lookup = "country"


class Country(models.Model):
    """A State or organisation a statement can speak for (ISO 3166-1 alpha-3, EU, historical)."""

    code = models.CharField(
        max_length=3,
        unique=True,
        help_text="ISO 3166-1 alpha-3 (QAT), a historical code (YUG, DDR) or EU.",
    )
    name = models.CharField(max_length=200)
    historical = models.BooleanField(
        default=False, help_text="The State no longer exists under this code."
    )

    objects = CountryQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "countries"
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[A-Z]{2,3}$"), name="country_code_upper_letters"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("archive:country-detail", args=[self.code])


class SpeakerQuerySet(PublicQuerySet):
    statement_lookup = "statement_speakers__speaker"


# Letters of the two scripts a speaker's name is kept in (CheckConstraints below).
ARABIC_LETTER = "[\u0620-\u064a\u066e-\u06d3\u06fa-\u06ff]"
LATIN_LETTER = "[A-Za-z\u00c0-\u024f\u1e00-\u1eff]"


class Speaker(models.Model):
    """A person who made statements; the role they held is kept per statement.

    ``name`` is the name as the archive files it, in whichever script; ``name_ar`` and
    ``name_latin`` hold it in Arabic and in Latin letters where known (either may repeat
    ``name``).  Search finds a speaker by any of them and the pages show each that differs.
    """

    name = models.CharField(max_length=200, help_text="Full name without honorific.")
    name_ar = models.CharField(
        "name in Arabic script", max_length=200, blank=True,
        help_text="The full name written in Arabic, where known (e.g. مطلق بن ماجد القحطاني).",
    )
    name_latin = models.CharField(
        "name in Latin script", max_length=200, blank=True,
        help_text="The full name in Latin letters, where known (e.g. Mutlaq bin Majed "
        "Al-Qahtani).",
    )
    slug = models.SlugField(max_length=220, unique=True, allow_unicode=True)
    sort_name = models.CharField(
        "filed under", max_length=200, blank=True, editable=False, db_index=True,
        help_text="The surname first, particles (al-, bin, de, van ...) after the given "
        "names, folded: the A-Z order of speakers (set from the name on every save; see "
        "archive/sorting.py).",
    )
    honorific = models.CharField(
        max_length=40,
        blank=True,
        help_text=(
            "In the archive's style: styles without stops (HE, HH, HM, HRH), other titles "
            "with them where abbreviated (Dr., Mr., Ms., Prof.), e.g. HE Dr. Any other "
            "spelling (H.E., His Excellency, Dr) is rewritten so when saved."
        ),
    )
    country = models.ForeignKey(
        Country, null=True, blank=True, on_delete=models.PROTECT, related_name="speakers"
    )
    aliases = models.TextField(
        blank=True, help_text="Other spellings of the name, one per line. Search uses them."
    )
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SpeakerQuerySet.as_manager()
    # Every save by a form or a service keeps the previous version (who, when, what).
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(Lower("name"), name="speaker_name_lower")]
        constraints = [
            models.CheckConstraint(
                condition=Q(name_ar="")
                | (Q(name_ar__regex=ARABIC_LETTER) & ~Q(name_ar__regex=LATIN_LETTER)),
                name="speaker_name_ar_is_arabic",
                violation_error_message="The name in Arabic script must be written in "
                "Arabic letters (no Latin letters).",
            ),
            models.CheckConstraint(
                condition=Q(name_latin="")
                | (Q(name_latin__regex=LATIN_LETTER) & ~Q(name_latin__regex=ARABIC_LETTER)),
                name="speaker_name_latin_is_latin",
                violation_error_message="The name in Latin script must be written in Latin "
                "letters (no Arabic letters).",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("archive:speaker-detail", args=[self.slug])

    @property
    def alias_list(self) -> list[str]:
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]

    @property
    def other_names(self) -> list[str]:
        """The name in the other script(s), where it is known and differs from ``name``."""
        seen = {self.name}
        out = []
        for value in (self.name_latin, self.name_ar):
            if value and value not in seen:
                seen.add(value)
                out.append(value)
        return out

    @property
    def names(self) -> list[str]:
        """Every form of the name: ``name``, then the other scripts'."""
        return [self.name, *self.other_names]

    @property
    def name_with_other_scripts(self) -> str:
        """"Mutlaq Al-Qahtani [مطلق القحطاني]": the name, the other scripts' in brackets."""
        others = self.other_names
        return f"{self.name} [{' / '.join(others)}]" if others else self.name

    @property
    def display_name(self) -> str:
        return f"{self.honorific} {self.name}".strip()


class EventKind(models.TextChoices):
    CONFERENCE = "conference", _("Conference")
    SESSION = "session", _("Session")
    SUMMIT = "summit", _("Summit")
    MEETING = "meeting", _("Meeting")
    VISIT = "visit", _("Visit")
    OTHER = "other", _("Other")

    @classmethod
    def guess(cls, name: str) -> EventKind:
        """The kind an event's name suggests ("... Security Council meeting" is a meeting),
        for importers that must create an event from a name alone; OTHER when none does."""
        words = set(re.findall(r"[a-z]+", (name or "").casefold()))
        for kind, cues in _EVENT_KIND_CUES:
            if words & cues:
                return kind
        return cls.OTHER


# Checked in this order: "Summit of the Conference of ..." is a summit, "Session of the
# Council" a session, "Meeting of the Council" a meeting.
_EVENT_KIND_CUES = [
    (EventKind.VISIT, {"visit"}),
    (EventKind.SUMMIT, {"summit"}),
    (EventKind.SESSION, {"session", "assembly"}),
    (EventKind.MEETING, {"meeting", "council", "committee", "talks", "consultations"}),
    (EventKind.CONFERENCE, {"conference", "forum", "congress", "symposium", "dialogue"}),
]

EVENT_KIND_HELP = (
    "Conference: delegations meeting on a theme (also a forum or dialogue). Session: a sitting "
    "of an assembly, e.g. a General Assembly session. Summit: heads of State or government. "
    "Meeting: a council or committee meeting (a Security Council meeting) or talks. Visit: an "
    "official visit. Other: anything else."
)


class EventQuerySet(PublicQuerySet):
    statement_lookup = "event"


class Event(models.Model):
    """Where statements are made: a conference, an Assembly session, a summit, a meeting."""

    name = models.CharField(max_length=400)
    short_name = models.CharField(max_length=120, blank=True)
    slug = models.SlugField(max_length=220, unique=True, allow_unicode=True)
    # No default: a Security Council meeting is no conference, and only the editor knows.
    kind = models.CharField(max_length=20, choices=EventKind.choices, help_text=EVENT_KIND_HELP)
    series = models.CharField(
        max_length=200,
        blank=True,
        db_index=True,
        help_text='A recurring series, e.g. "Dushanbe Process".',
    )
    city = models.CharField(max_length=120, blank=True)
    country = models.ForeignKey(
        Country,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hosted_events",
        verbose_name="host country",
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    organiser = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EventQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-start_date", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="event_end_not_before_start",
                violation_error_message="An event cannot end before it starts.",
            ),
        ]
        indexes = [models.Index(fields=["kind", "start_date"], name="event_kind_start")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("archive:event-detail", args=[self.slug])

    @property
    def place(self) -> str:
        parts = (self.city, self.country.name if self.country else "")
        return ", ".join(part for part in parts if part)

    @property
    def last_day(self) -> datetime.date:
        """The end date, or the start date for a one-day event (no end recorded)."""
        return self.end_date or self.start_date

    def covers(self, day: datetime.date) -> bool:
        return self.start_date <= day <= self.last_day


class TopicQuerySet(PublicQuerySet):
    statement_lookup = "topics"


class Topic(models.Model):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=140, unique=True, allow_unicode=True)

    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("archive:topic-detail", args=[self.slug])


class Kind(models.TextChoices):
    STATEMENT = "statement", _("Statement")
    SPEECH = "speech", _("Speech")
    PRESS_RELEASE = "press_release", _("Press release")
    JOINT_STATEMENT = "joint_statement", _("Joint statement")
    INTERVIEW = "interview", _("Interview")
    LETTER = "letter", _("Letter")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class Language(models.TextChoices):
    """ISO 639-1 codes of the languages statements arrive in (the UN six first)."""

    ENGLISH = "en", _("English")
    ARABIC = "ar", _("Arabic")
    CHINESE = "zh", _("Chinese")
    FRENCH = "fr", _("French")
    RUSSIAN = "ru", _("Russian")
    SPANISH = "es", _("Spanish")
    GERMAN = "de", _("German")
    PORTUGUESE = "pt", _("Portuguese")
    PERSIAN = "fa", _("Persian")
    TURKISH = "tr", _("Turkish")
    URDU = "ur", _("Urdu")
    HINDI = "hi", _("Hindi")
    JAPANESE = "ja", _("Japanese")
    ITALIAN = "it", _("Italian")
    TAJIK = "tg", _("Tajik")


PREVIEW_PERMISSION = "archive.view_statement"


_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n\s*")


def paragraph_spans(body: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph of a statement's text: the pieces between blank lines,
    with their surrounding whitespace left out, empty ones skipped.  The statement page
    numbers them from 1 (``#p1``); search passages point at the same numbers."""
    spans = []
    start = 0
    for match in [*_PARAGRAPH_BREAK.finditer(body or ""), None]:
        end = match.start() if match else len(body or "")
        piece = body[start:end]
        stripped = piece.strip()
        if stripped:
            lead = len(piece) - len(piece.lstrip())
            spans.append((start + lead, start + lead + len(stripped)))
        if match:
            start = match.end()
    return spans


def can_preview_drafts(user) -> bool:
    """Whether ``user`` may see draft statements: the view permission, never the staff flag
    alone (a staff account without permissions is the public as far as drafts go)."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.has_perm(PREVIEW_PERMISSION)
    )


class VersionGroup(models.Model):
    """One statement in several languages: each member is a language version of the others.

    A row of its own (rather than a link from each translation to its original) so that the
    database itself keeps the rules: a statement belongs to at most one group, a group holds
    one statement per language (``statement_one_version_per_language``) and at most one
    original (``statement_one_original_version``); the original may be unknown (the UN's six
    official languages).  ``archive.services.link_versions`` makes and changes groups.
    """

    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "language versions of a statement"
        verbose_name_plural = "language versions of statements"

    def __str__(self) -> str:
        return f"Versions #{self.pk}"


class StatementQuerySet(models.QuerySet):
    def published(self) -> StatementQuerySet:
        return self.filter(status=Status.PUBLISHED)

    def drafts(self) -> StatementQuerySet:
        return self.filter(status=Status.DRAFT)

    def visible_to(self, user) -> StatementQuerySet:
        """Everything for those who may preview drafts, published statements for the rest."""
        if can_preview_drafts(user):
            return self
        return self.published()

    def by_speaker(self, speaker: Speaker | int) -> StatementQuerySet:
        return self.filter(statement_speakers__speaker=speaker)

    def at_event(self, event: Event | int) -> StatementQuerySet:
        return self.filter(event=event)

    def for_country(self, country: Country | int) -> StatementQuerySet:
        return self.filter(country=country)

    def about(self, topic: Topic | int) -> StatementQuerySet:
        return self.filter(topics=topic)

    def between(
        self, start: datetime.date | None = None, end: datetime.date | None = None
    ) -> StatementQuerySet:
        """Delivered on or after ``start`` and on or before ``end`` (either may be open)."""
        qs = self
        if start is not None:
            qs = qs.filter(delivered_on__gte=start)
        if end is not None:
            qs = qs.filter(delivered_on__lte=end)
        return qs

    def outside_dates_of(self, event: Event) -> StatementQuerySet:
        """Statements at ``event`` dated before it starts or after it ends."""
        return self.at_event(event).exclude(
            delivered_on__range=(event.start_date, event.last_day)
        )

    def in_year(self, year: int) -> StatementQuerySet:
        return self.between(datetime.date(year, 1, 1), datetime.date(year, 12, 31))

    def newest_first(self) -> StatementQuerySet:
        return self.order_by("-delivered_on", "-id")

    def for_listing(self) -> StatementQuerySet:
        """What a list row shows, in a fixed number of queries whatever the page size."""
        return self.select_related("country", "event", "event__country").prefetch_related(
            models.Prefetch(
                "statement_speakers",
                queryset=StatementSpeaker.objects.select_related("speaker").order_by("order", "id"),
            ),
        )

    def for_detail(self) -> StatementQuerySet:
        return self.for_listing().prefetch_related("topics")

    def versions_of(self, statement: Statement) -> StatementQuerySet:
        """The other language versions of ``statement`` (none when it has none)."""
        if statement.version_group_id is None:
            return self.none()
        return (self.filter(version_group_id=statement.version_group_id)
                .exclude(pk=statement.pk).order_by("language", "pk"))

    def with_versions(self) -> StatementQuerySet:
        """Each statement's published language versions fetched with it (two queries for any
        number of rows, none when no row has versions): ``Statement.published_versions``."""
        return self.prefetch_related(
            models.Prefetch(
                "version_group__statements",
                queryset=Statement.objects.published()
                .only("title", "slug", "language", "is_original", "version_group",
                      "delivered_on", "status")
                .order_by("language", "pk"),
                to_attr="published_members",
            )
        )


class Statement(models.Model):
    title = models.CharField(max_length=500)
    slug = models.SlugField(max_length=255, unique=True, allow_unicode=True)
    delivered_on = models.DateField("date delivered")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.STATEMENT)
    language = models.CharField(
        max_length=8, choices=Language.choices, default=Language.ENGLISH, help_text="ISO 639-1"
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(null=True, blank=True)
    country = models.ForeignKey(
        Country,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="statements",
        help_text="The State or organisation the statement speaks for.",
        verbose_name="delegation",
    )
    event = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.PROTECT, related_name="statements"
    )
    speakers = models.ManyToManyField(
        Speaker, through="StatementSpeaker", related_name="statements", blank=True
    )
    topics = models.ManyToManyField(Topic, related_name="statements", blank=True)
    body = models.TextField(help_text="Plain text; paragraphs separated by a blank line.")
    summary = models.TextField(blank=True)
    version_group = models.ForeignKey(
        VersionGroup, null=True, blank=True, on_delete=models.PROTECT, related_name="statements",
        editable=False, verbose_name="language versions",
        help_text="The same statement in other languages (set by archive.services).",
    )
    is_original = models.BooleanField(
        "original version", default=False, editable=False,
        help_text="The version first delivered or published; its other language versions are "
        "translations of it.",
    )
    source_name = models.CharField(max_length=300, blank=True)
    source_url = models.URLField(max_length=1000, blank=True)
    original_text = models.TextField(
        blank=True, help_text="The text exactly as received, kept for provenance."
    )
    content_hash = models.CharField(
        max_length=64, blank=True, db_index=True, editable=False,
        help_text="SHA-256 of the normalised body, to warn about duplicates.",
    )
    import_key = models.CharField(
        max_length=200, null=True, blank=True, unique=True, editable=False,
        help_text="Natural key of an imported record, e.g. ungdc:QAT:77.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Moved on by every write (archive.services): a save made from an older version is a
    # conflict, not a silent overwrite of someone else's edit.
    version = models.PositiveIntegerField(
        default=1, editable=False, help_text="Number of the saved version, for edit conflicts."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", editable=False,
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", editable=False,
    )

    objects = StatementQuerySet.as_manager()
    # Versions of every save by a form or a service, topics included (bulk imports write one
    # version per statement themselves).  The text as received never changes after import;
    # keeping it in every version doubled the database on the full UN corpus, so it is left out.
    # The version number is bookkeeping, not content: no history record differs by it alone.
    history = HistoricalRecords(
        m2m_fields=[topics], excluded_fields=["original_text", "version"]
    )

    class Meta:
        ordering = ["-delivered_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=Status.DRAFT) | Q(published_at__isnull=False),
                name="statement_published_has_date",
                violation_error_message="A published statement needs a publication time.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="statement_status_valid"
            ),
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="statement_kind_valid"),
            models.UniqueConstraint(
                fields=["version_group", "language"],
                name="statement_one_version_per_language",
                violation_error_message="This statement already has a version in that "
                "language.",
            ),
            models.UniqueConstraint(
                fields=["version_group"],
                condition=Q(is_original=True),
                name="statement_one_original_version",
                violation_error_message="Only one version of a statement can be the original.",
            ),
            models.CheckConstraint(
                condition=Q(is_original=False) | Q(version_group__isnull=False),
                name="statement_original_has_versions",
                violation_error_message="Only a statement with versions in other languages "
                "can be marked as their original.",
            ),
        ]
        indexes = [
            # Lists are ordered newest first with the id as tie-breaker; with both in the index
            # a page of keys is read from the index alone.
            models.Index(fields=["status", "-delivered_on", "-id"], name="statement_status_date"),
            models.Index(
                fields=["country", "status", "-delivered_on", "-id"],
                name="statement_country_date",
            ),
            models.Index(fields=["event", "country"], name="statement_event_country"),
            # The feeds: newest in the archive first.
            models.Index(
                fields=["status", "-published_at", "-id"], name="statement_status_published"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("archive:statement-detail", args=[self.slug])

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED

    @property
    def paragraphs(self) -> list[str]:
        """The text's paragraphs; the n-th (from 1) is ``#p<n>`` on the statement page."""
        return [self.body[start:end] for start, end in paragraph_spans(self.body)]

    @property
    def published_versions(self) -> list[Statement]:
        """The other language versions the public may see, by language (uses
        ``with_versions()`` when the queryset had it, else one query)."""
        if self.version_group_id is None:
            return []
        members = None
        if Statement.version_group.is_cached(self):
            members = getattr(self.version_group, "published_members", None)
        if members is None:
            members = list(Statement.objects.published().versions_of(self))
        return [m for m in members if m.pk != self.pk]

    @property
    def original_version(self) -> Statement | None:
        """The published original this statement is a translation of, if one is marked."""
        if self.is_original:
            return None
        return next((v for v in self.published_versions if v.is_original), None)


class StatementSpeaker(models.Model):
    """A speaker of a statement, with the role they held when they made it."""

    statement = models.ForeignKey(
        Statement, on_delete=models.CASCADE, related_name="statement_speakers"
    )
    speaker = models.ForeignKey(
        Speaker, on_delete=models.PROTECT, related_name="statement_links"
    )
    role = models.CharField(
        max_length=400, blank=True, help_text="The post held at the time, e.g. Minister of State."
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = "speaker of the statement"
        verbose_name_plural = "speakers of the statement"
        constraints = [
            models.UniqueConstraint(
                fields=["statement", "speaker"],
                name="statement_speaker_once",
                violation_error_message="This speaker is already listed on the statement.",
            ),
        ]
        indexes = [models.Index(fields=["speaker", "statement"], name="stmtspeaker_speaker")]

    def __str__(self) -> str:
        return f"{self.speaker} ({self.role})" if self.role else str(self.speaker)


class StatementSlugHistory(models.Model):
    """A slug a statement had before, so that its old permalinks keep working (301)."""

    old_slug = models.SlugField(max_length=255, unique=True, allow_unicode=True)
    statement = models.ForeignKey(
        Statement, on_delete=models.CASCADE, related_name="slug_history"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = "former slug of a statement"
        verbose_name_plural = "former slugs of statements"

    def __str__(self) -> str:
        return f"{self.old_slug} -> {self.statement_id}"


class IntakeStatus(models.TextChoices):
    PENDING = "pending", "Waiting for review"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


class IntakeItem(models.Model):
    """A page brought in by ``harvest`` (or a URL import), waiting in the review queue.

    It keeps the page as received and where it came from; its draft statement holds the
    suggestions for the editor to accept, correct or reject.  A rejected item stays, so the
    next harvest of the same site does not bring the page back.
    """

    source_url = models.URLField(max_length=1000, blank=True)
    origin = models.CharField(
        max_length=1000, help_text="Where the page was read: an address, a file, a WARC record."
    )
    content_hash = models.CharField(max_length=64, db_index=True, editable=False)
    original_text = models.TextField(help_text="The page exactly as received.")
    statement = models.OneToOneField(
        Statement, null=True, blank=True, on_delete=models.SET_NULL, related_name="intake"
    )
    status = models.CharField(
        max_length=10, choices=IntakeStatus.choices, default=IntakeStatus.PENDING, db_index=True
    )
    suggestions = models.JSONField(default=dict, blank=True, editable=False)
    duplicate_of = models.ForeignKey(
        Statement, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="A statement already in the archive with the same or nearly the same text.",
    )
    harvested_at = models.DateTimeField(auto_now_add=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", editable=False,
    )

    class Meta:
        ordering = ["status", "-harvested_at", "-id"]
        verbose_name = "harvested page"
        verbose_name_plural = "review queue (harvested pages)"
        constraints = [
            models.UniqueConstraint(
                fields=["source_url"], condition=~Q(source_url=""),
                name="intake_source_url_once",
            ),
            models.CheckConstraint(
                condition=Q(status__in=IntakeStatus.values), name="intake_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.source_url or self.origin
