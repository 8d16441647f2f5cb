"""Every write to the archive goes through here: admin, importers and the API alike.

Functions are keyword-only, validate with ``full_clean()`` before saving, and announce the
statements whose public form changed (``archive.signals.statements_changed``) inside the
same transaction: once per touched statement, however many service calls one write makes
(``collected_announcements``).  Nothing else in the project saves archive rows directly.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import hashlib
import logging
import random
import re
import threading
import time
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import OperationalError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.text import slugify

from .importers.names import normalise_honorific
from .models import (
    Country,
    Event,
    EventKind,
    IntakeItem,
    IntakeStatus,
    Kind,
    Language,
    Speaker,
    Statement,
    StatementSlugHistory,
    StatementSpeaker,
    Status,
    Topic,
    VersionGroup,
)
from .signals import statements_changed
from .slugs import readable_slug
from .sorting import surname_key

__all__ = [
    "BulkUpsertResult",
    "SpeakerRole",
    "StatementConflict",
    "StatementInput",
    "announce_statements",
    "bulk_upsert_statements",
    "collected_announcements",
    "clean_line",
    "clean_text",
    "content_hash",
    "create_event",
    "create_speaker",
    "create_statement",
    "delete_statement",
    "delete_topics",
    "accept_intake_items",
    "find_duplicates",
    "find_near_duplicates",
    "record_harvested_page",
    "reject_intake_items",
    "find_versions",
    "get_or_create_topic",
    "link_versions",
    "merge_topics",
    "normalise_body",
    "publish_statement",
    "publish_statements",
    "readable_statement_slugs",
    "record_saved",
    "record_statement_saved",
    "set_statement_speakers",
    "set_original_version",
    "set_statement_topics",
    "touched_statements",
    "storable_text",
    "unique_slug",
    "unlink_version",
    "unpublish_statement",
    "unpublish_statements",
    "update_country",
    "update_event",
    "update_speaker",
    "update_statement",
    "update_topic",
    "widen_event_dates",
    "version_link_problem",
]


class StatementConflict(Exception):
    """A save made from an older version of a statement than the one stored (or from one
    deleted meanwhile): someone else saved it in between.  Nothing was written.

    ``expected`` is the version the caller started from, ``current`` the stored one (None when
    the statement is gone).  Callers show both versions and let the person choose; an HTTP
    answer for it is 409 Conflict.
    """

    http_status = 409

    def __init__(self, *, statement_id: int, expected: int | None, current: int | None):
        self.statement_id = statement_id
        self.expected = expected
        self.current = current
        if current is None:
            detail = "it was deleted"
        else:
            detail = f"it is at version {current}, the change was made to version {expected}"
        super().__init__(
            f"Statement {statement_id} was changed by someone else meanwhile ({detail}); "
            "nothing was saved."
        )


@dataclass(frozen=True)
class SpeakerRole:
    """One speaker of a statement and the role they held then."""

    speaker: Speaker
    role: str = ""


# --- text -------------------------------------------------------------------------------

# Runs of spacing, except a lone plain space (replacing it by itself only costs time).
_SPACING = r"[ \t\u00a0\u2000-\u200b\u3000]"
_WS = re.compile(rf"[\t\u00a0\u2000-\u200b\u3000]{_SPACING}*| {_SPACING}+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
# Unicode non-characters (U+FDD0..U+FDEF and the last two code points of every plane): never
# text, and XML cannot carry U+FFFE or U+FFFF at all, so a feed holding one is malformed.
_NONCHARACTERS = r"\ufdd0-\ufdef" + "".join(
    rf"\U{plane:04x}fffe\U{plane:04x}ffff" for plane in range(17)
)
# Unicode category Cc except \t and \n, the non-characters and the byte-order mark, as one
# regex: imports normalise millions of characters.
_CONTROL_CHARS = re.compile(rf"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufeff{_NONCHARACTERS}]")
_LINE_BREAKS = {"\x0b": "\n", "\x85": "\n", "\u2028": "\n", "\u2029": "\n\n"}
_LINE_BREAK_CONTROLS = re.compile("[\x0b\x85\u2028\u2029]")  # str.translate is slow on long text


def normalise_body(text: str) -> str:
    """Plain text with ``\\n\\n`` between paragraphs, single spaces, no control characters."""
    text = unicodedata.normalize("NFC", text or "").replace("\ufeff", "")
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n")
    # Line breaks that are control characters would otherwise be dropped below, gluing two
    # words together: Word's manual line break (\v), NEL (\x85), and the Unicode separators.
    text = _LINE_BREAK_CONTROLS.sub(lambda m: _LINE_BREAKS[m.group()], text)
    text = _CONTROL_CHARS.sub("", text)
    paragraphs = []
    for block in _BLANK_LINES.split(text):
        line = _WS.sub(" ", " ".join(part.strip() for part in block.split("\n"))).strip()
        if line:
            paragraphs.append(line)
    return "\n\n".join(paragraphs)


def storable_text(text: str) -> str:
    """Text as received, with NUL (which PostgreSQL cannot store in text) as U+FFFD."""
    return (text or "").replace("\x00", "\ufffd")


def clean_line(value: str | None) -> str:
    """One line of text as stored: NFC, line breaks and spacing runs made one space, no control
    characters or non-characters (titles, names, roles, places, sources)."""
    text = unicodedata.normalize("NFC", value or "")
    text = _LINE_BREAK_CONTROLS.sub(" ", text.replace("\r", " ").replace("\n", " "))
    return _WS.sub(" ", _CONTROL_CHARS.sub("", text.replace("\t", " "))).strip()


def clean_text(value: str | None) -> str:
    """Text of several lines as stored (summaries, notes, aliases): each line cleaned like
    ``clean_line``, line breaks kept as ``\n``."""
    text = unicodedata.normalize("NFC", value or "").replace("\r\n", "\n").replace("\r", "\n")
    text = _LINE_BREAK_CONTROLS.sub(lambda m: _LINE_BREAKS[m.group()], text)
    return "\n".join(clean_line(line) for line in text.split("\n")).strip()


def content_hash(text: str) -> str:
    """Hash of the body with case, punctuation and spacing folded, to spot duplicates."""
    return _hash_normalised(normalise_body(text))


def _hash_normalised(body: str) -> str:
    folded = re.sub(r"[\W_]+", " ", body.casefold()).strip()
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()


def unique_slug(model, value: str, *, max_length: int = 200, exclude_pk=None) -> str:
    """A slug of ``value`` not yet used by ``model`` (suffixed -2, -3... when taken)."""
    base = readable_slug(value, max_length=max_length) or model._meta.model_name
    candidate, n = base, 1
    while True:
        qs = model._default_manager.filter(slug=candidate)
        if exclude_pk is not None:
            qs = qs.exclude(pk=exclude_pk)
        if not qs.exists() and not _former_statement_slug(model, candidate, exclude_pk):
            return candidate
        n += 1
        suffix = f"-{n}"
        candidate = base[: max_length - len(suffix)].rstrip("-") + suffix


def find_duplicates(
    *, body: str = "", title: str = "", delivered_on=None, exclude_pk=None
) -> list[Statement]:
    """Statements with the same normalised text, or the same title on the same date."""
    condition = Q(pk__in=[])
    if body:
        condition |= Q(content_hash=content_hash(body))
    if title and delivered_on:
        condition |= Q(title__iexact=title.strip(), delivered_on=delivered_on)
    qs = Statement.objects.filter(condition)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return list(qs.order_by("pk")[:10])


_SHINGLE_WORDS = 5
_NEAR_CANDIDATES = 200
_NEAR_TEXT = 8_000


_SHINGLE_WORD = re.compile(r"[^\W_]+")


def shingles(text: str) -> set[tuple[str, ...]]:
    """The overlapping five-word runs of a text (case, punctuation and spacing folded): two
    copies of one release share most of them whatever their chrome or headline."""
    words = _SHINGLE_WORD.findall(unicodedata.normalize("NFC", text[:_NEAR_TEXT]).casefold())
    if len(words) < _SHINGLE_WORDS:
        return {tuple(words)} if words else set()
    return set(zip(*(words[i:] for i in range(_SHINGLE_WORDS)), strict=False))


def find_near_duplicates(
    *, body: str, delivered_on=None, exclude_pk=None, threshold: float = 0.6
) -> list[tuple[Statement, float]]:
    """Statements whose text mostly repeats ``body`` (the same release reposted by an agency,
    or under another headline), with the share of ``body``'s five-word runs they hold.

    The candidates are the statements delivered within ten days of ``delivered_on`` (the
    latest ones when no date is known), at most 200, compared on their first 8,000
    characters: a repost is published within days of the release.
    """
    mine = shingles(body)
    if len(mine) < 3:
        return []
    candidates = Statement.objects.all()
    if delivered_on is not None:
        window = datetime.timedelta(days=10)
        candidates = candidates.filter(delivered_on__range=(delivered_on - window,
                                                            delivered_on + window))
    if exclude_pk is not None:
        candidates = candidates.exclude(pk=exclude_pk)
    found = []
    rows = candidates.order_by("-delivered_on", "-id").only(
        "pk", "title", "slug", "delivered_on", "status").annotate(
        head=Substr("body", 1, _NEAR_TEXT))[:_NEAR_CANDIDATES]
    for statement in rows:
        theirs = shingles(statement.head)
        if not theirs:
            continue
        shared = len(mine & theirs)
        # Containment either way: a repost may trim a paragraph or add a line of its own.
        similarity = max(shared / len(mine), shared / len(theirs))
        if similarity >= threshold:
            found.append((statement, round(similarity, 2)))
    found.sort(key=lambda pair: -pair[1])
    return found[:10]


# --- announcements ----------------------------------------------------------------------

_collecting = threading.local()


@contextlib.contextmanager
def collected_announcements() -> Iterator[None]:
    """Announce each statement touched inside the block once, when the outermost block ends.

    Service calls nest (an admin save writes the statement, then its speakers and topics;
    publishing many statements publishes each): the statements they announce are gathered
    and sent in one announcement.  Use it inside the writing transaction, so the
    announcement (and the queue row a listener writes) commits or rolls back with the
    change; an exception discards what was gathered.
    """
    stack = getattr(_collecting, "stack", None)
    if stack is None:
        stack = _collecting.stack = []
    stack.append(set())
    try:
        yield
    except BaseException:
        stack.pop()
        raise
    ids = stack.pop()
    if stack:
        stack[-1] |= ids
    elif ids:
        statements_changed.send(sender=Statement, ids=frozenset(ids))


def announce_statements(ids: Iterable[int]) -> None:
    """Tell listeners (the search queue) that these statements' public form may have changed."""
    ids = {int(i) for i in ids if i is not None}
    if not ids:
        return
    stack = getattr(_collecting, "stack", None)
    if stack:
        stack[-1] |= ids
    else:
        statements_changed.send(sender=Statement, ids=frozenset(ids))


# PostgreSQL aborts one of two transactions that wait for each other (deadlock_detected) and
# may refuse a transaction it cannot serialise (serialization_failure); both ask the client
# to run the transaction again.  Writers touching shared rows (a speaker on many statements,
# the queue rows of those statements) can meet so, however carefully each orders its locks.
log = logging.getLogger(__name__)
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})
SERVICE_ATTEMPTS = 4


def _retryable(exc: BaseException) -> bool:
    cause = getattr(exc, "__cause__", None)
    return getattr(cause, "pgcode", None) in RETRYABLE_SQLSTATES


def _service(function):
    """A service: one transaction, and one announcement per statement touched within it.

    Called outside any transaction, a service whose transaction the database aborted as a
    deadlock runs again (from the start, a short random wait later), so a writer never sees
    the other writer's bad luck.  Inside a caller's transaction it cannot: the caller's
    whole transaction is gone, and the error goes up to it.
    """

    @functools.wraps(function)
    def run(*args, **kwargs):
        outermost = not transaction.get_connection().in_atomic_block
        for attempt in range(1, SERVICE_ATTEMPTS + 1):
            try:
                with transaction.atomic(), collected_announcements():
                    return function(*args, **kwargs)
            except OperationalError as exc:
                if not (outermost and attempt < SERVICE_ATTEMPTS and _retryable(exc)):
                    raise
                log.warning("%s: the database aborted the transaction (%s); running it again",
                            function.__name__, exc.__cause__.pgcode)
                time.sleep(random.uniform(0.01, 0.05) * attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    return run


def touched_statements(instance) -> set[int]:
    """The statements whose indexed form a change to this speaker, event, topic or country
    changes: the index holds speakers' names and roles, the event's name, series and place
    (with its host country's name), the delegation's name and topics' names."""
    if isinstance(instance, Speaker):
        rows = StatementSpeaker.objects.filter(speaker=instance).values_list("statement_id",
                                                                              flat=True)
    elif isinstance(instance, Event):
        rows = Statement.objects.filter(event=instance).values_list("pk", flat=True)
    elif isinstance(instance, Topic):
        rows = Statement.objects.filter(topics=instance).values_list("pk", flat=True)
    elif isinstance(instance, Country):
        rows = Statement.objects.filter(
            Q(country=instance) | Q(event__country=instance)
        ).values_list("pk", flat=True)
    else:
        raise TypeError(f"No statements are touched by a {type(instance).__name__}.")
    return set(rows)


# --- statements -------------------------------------------------------------------------

_STATEMENT_FIELDS = {
    "title", "slug", "delivered_on", "kind", "language", "country", "event", "body", "summary",
    "source_name", "source_url", "original_text", "import_key",
}


@_service
def create_statement(
    *,
    title: str,
    body: str,
    delivered_on,
    kind: str = Kind.STATEMENT,
    language: str = Language.ENGLISH,
    country: Country | None = None,
    event: Event | None = None,
    speakers: Sequence[SpeakerRole] = (),
    topics: Iterable[Topic] = (),
    summary: str = "",
    source_name: str = "",
    source_url: str = "",
    original_text: str | None = None,
    slug: str | None = None,
    status: str = Status.DRAFT,
    import_key: str | None = None,
    user=None,
) -> Statement:
    statement = Statement(
        title=clean_line(title),
        body=normalise_body(body),
        delivered_on=delivered_on,
        kind=kind,
        language=language,
        country=country,
        event=event,
        summary=clean_text(summary),
        source_name=clean_line(source_name),
        source_url=clean_line(source_url),
        original_text=storable_text(body if original_text is None else original_text),
        import_key=clean_line(import_key) or None,
        created_by=user if _is_user(user) else None,
        updated_by=user if _is_user(user) else None,
    )
    statement.slug = slug or unique_slug(
        Statement,
        f"{statement.title} {delivered_on:%Y-%m-%d}" if delivered_on else statement.title,
        max_length=200,
    )
    if status == Status.PUBLISHED:
        statement.status = Status.PUBLISHED
        statement.published_at = timezone.now()
    statement.content_hash = content_hash(statement.body)
    statement.full_clean()
    statement.save()
    _replace_speakers(statement, speakers)
    statement.topics.set(list(topics))
    announce_statements([statement.pk])
    return statement


@_service
def update_statement(
    statement: Statement,
    *,
    user=None,
    speakers: Sequence[SpeakerRole] | None = None,
    topics: Iterable[Topic] | None = None,
    **changes,
) -> Statement:
    """Change the named fields (and, when given, the speakers or topics) of a statement."""
    unknown = set(changes) - _STATEMENT_FIELDS
    if unknown:
        raise TypeError(f"update_statement() got unknown fields: {', '.join(sorted(unknown))}")
    for field, value in changes.items():
        setattr(statement, field, value)
    record_statement_saved(statement=statement, user=user)
    if speakers is not None:
        _replace_speakers(statement, speakers)
    if topics is not None:
        statement.topics.set(list(topics))
    return statement


@_service
def record_statement_saved(
    *, statement: Statement, user=None, expected_version: int | None = None
) -> Statement:
    """Validate and save a statement whose fields were set elsewhere (e.g. by an admin form).

    Keeps the derived fields (body normalised, content hash, publication time, audit users)
    right.  The save is made from ``expected_version`` (by default the version the instance
    was read at); if the stored statement has moved on since, ``StatementConflict`` is raised
    and nothing is written.
    """
    # A browser submits a textarea with CRLF line ends; paragraphs are split on "\n\n".
    statement.body = normalise_body(statement.body)
    _clean_statement_text(statement)
    statement.content_hash = content_hash(statement.body)
    if statement.status == Status.PUBLISHED and statement.published_at is None:
        statement.published_at = timezone.now()
    if statement.status == Status.DRAFT:
        statement.published_at = None
    if _is_user(user):
        statement.updated_by = user
        if statement.pk is None:
            statement.created_by = user
    if not statement.slug:
        statement.slug = unique_slug(Statement, statement.title, exclude_pk=statement.pk)
    statement.full_clean()
    previous_slug = None
    if statement.pk is not None:
        # The row is locked until commit (PostgreSQL; SQLite's writers already take turns), so
        # two saves from the same version cannot both pass the check.
        stored = (
            Statement.objects.select_for_update()
            .filter(pk=statement.pk)
            .values_list("version", "slug")
            .first()
        )
        expected = statement.version if expected_version is None else expected_version
        if stored is None or stored[0] != expected:
            raise StatementConflict(
                statement_id=statement.pk, expected=expected,
                current=stored[0] if stored else None,
            )
        statement.version, previous_slug = stored[0] + 1, stored[1]
    statement.save()
    if previous_slug and previous_slug != statement.slug:
        _remember_former_slug(statement, previous_slug)
    announce_statements([statement.pk])
    return statement


def readable_statement_slugs(*, apply: bool = True) -> list[tuple[str, str]]:
    """Give statements still on a slug of the ASCII-only rule a slug in their own script.

    Before slugs kept every script, an Arabic title left only its date (``2025-05-20``, or
    ``statement``).  Each such statement gets the slug a new one would get; its old slug is
    kept as a former slug, so old links answer 301.  Returns (old, new) pairs; with
    ``apply=False`` nothing is written.
    """
    changed = []
    for statement in Statement.objects.only("pk", "slug", "title", "delivered_on").iterator():
        value = f"{statement.title} {statement.delivered_on:%Y-%m-%d}"
        old_base = slugify(value)[:200].strip("-") or "statement"
        new_base = readable_slug(value)
        if not new_base or new_base == old_base:
            continue
        if not re.fullmatch(rf"{re.escape(old_base)}(-\d+)?", statement.slug):
            continue  # an editor chose this slug: keep it
        with transaction.atomic():
            statement = Statement.objects.select_for_update().get(pk=statement.pk)
            new = unique_slug(Statement, value, exclude_pk=statement.pk)
            changed.append((statement.slug, new))
            if apply:
                update_statement(statement, slug=new)
    return changed


_STATEMENT_LINES = ("title", "slug", "source_name", "source_url")


def _clean_statement_text(statement: Statement) -> None:
    """Every stored text field of a statement as ``clean_line``/``clean_text`` leave it."""
    for field in _STATEMENT_LINES:
        setattr(statement, field, clean_line(getattr(statement, field)))
    statement.summary = clean_text(statement.summary)
    statement.original_text = storable_text(statement.original_text)
    if statement.import_key is not None:
        statement.import_key = clean_line(statement.import_key) or None


def _remember_former_slug(statement: Statement, old_slug: str) -> None:
    # The old permalink now redirects here; a slug that is live again needs no redirect.
    StatementSlugHistory.objects.update_or_create(
        old_slug=old_slug, defaults={"statement": statement}
    )
    StatementSlugHistory.objects.filter(old_slug=statement.slug).delete()


def _former_statement_slug(model, slug: str, exclude_pk) -> bool:
    # A former slug stays reserved for the statement it redirects to, so old links never
    # start pointing at a different statement.
    if model is not Statement:
        return False
    former = StatementSlugHistory.objects.filter(old_slug=slug)
    return former.exclude(statement_id=exclude_pk).exists()


@_service
def set_statement_speakers(
    *, statement: Statement, speakers: Sequence[SpeakerRole], new_version: bool = True
) -> None:
    """Replace the speakers of a statement with ``speakers``, in that order.

    ``new_version=False`` when the statement itself was just saved in the same transaction
    (the admin's form): that save already moved the version on.
    """
    _replace_speakers(statement, speakers)
    if new_version:
        _next_version(statement)
    announce_statements([statement.pk])


@_service
def set_statement_topics(*, statement: Statement, topics: Iterable[Topic]) -> None:
    statement.topics.set(list(topics))
    _next_version(statement)
    announce_statements([statement.pk])


def _next_version(statement: Statement) -> None:
    Statement.objects.filter(pk=statement.pk).update(version=F("version") + 1)
    statement.version = Statement.objects.values_list("version", flat=True).get(pk=statement.pk)


def _replace_speakers(statement: Statement, speakers: Sequence[SpeakerRole]) -> None:
    seen: set[int] = set()
    rows = []
    for order, item in enumerate(speakers):
        if item.speaker.pk in seen:
            continue
        seen.add(item.speaker.pk)
        row = StatementSpeaker(
            statement=statement, speaker=item.speaker, role=clean_line(item.role), order=order
        )
        row.full_clean(exclude=["statement"])
        rows.append(row)
    StatementSpeaker.objects.filter(statement=statement).delete()
    StatementSpeaker.objects.bulk_create(rows)


@_service
def publish_statement(*, statement: Statement, user=None, at=None) -> Statement:
    if statement.status != Status.PUBLISHED:
        statement.status = Status.PUBLISHED
        statement.published_at = at or timezone.now()
        statement._change_reason = "Published"
        record_statement_saved(statement=statement, user=user)
        # The reason is this version's; simple_history would give it to the next save too.
        del statement._change_reason
    return statement


@_service
def unpublish_statement(*, statement: Statement, user=None) -> Statement:
    if statement.status != Status.DRAFT:
        statement.status = Status.DRAFT
        statement._change_reason = "Returned to draft"
        record_statement_saved(statement=statement, user=user)
        # The reason is this version's; simple_history would give it to the next save too.
        del statement._change_reason
    return statement


@_service
def publish_statements(*, statements: Iterable[Statement], user=None) -> int:
    changed = 0
    for statement in statements:
        if statement.status != Status.PUBLISHED:
            publish_statement(statement=statement, user=user)
            changed += 1
    return changed


@_service
def unpublish_statements(*, statements: Iterable[Statement], user=None) -> int:
    changed = 0
    for statement in statements:
        if statement.status != Status.DRAFT:
            unpublish_statement(statement=statement, user=user)
            changed += 1
    return changed


@_service
def delete_statement(*, statement: Statement, user=None) -> None:
    pk, group = statement.pk, statement.version_group_id
    others = _group_members(group, exclude=pk)
    # A copy is deleted, so the caller's instance keeps its pk should the transaction be run
    # again after a deadlock (Django clears the pk of the instance it deletes).  Locking it
    # first makes a transaction still adding rows that refer to it (the worker's passages)
    # finish before Django collects those rows, and one starting later wait and then fail
    # its own check, instead of this delete failing on a row it never saw.
    Statement.objects.select_for_update().get(pk=pk).delete()
    _dissolve_if_alone(group)
    announce_statements([pk, *others])


# --- language versions ------------------------------------------------------------------


def version_link_problem(*, statement: Statement, version_of: Statement,
                         language: str | None = None) -> str | None:
    """Why ``statement`` (in ``language``, by default its own) cannot become a language
    version of ``version_of``, or None when it can."""
    language = language or statement.language
    if statement.pk is not None and statement.pk == version_of.pk:
        return "A statement cannot be a version of itself."
    if language == version_of.language:
        return (f"Both statements are in {Language(language).label}: language versions are "
                "in different languages.")
    # The statement joins the versions of ``version_of``, or, when only it has versions,
    # ``version_of`` joins its versions.
    if version_of.version_group_id is not None:
        group, joining, joining_language = version_of.version_group_id, statement, language
    elif statement.version_group_id is not None:
        group, joining, joining_language = (statement.version_group_id, version_of,
                                            version_of.language)
    else:
        return None
    taken = (Statement.objects.filter(version_group_id=group, language=joining_language)
             .exclude(pk=joining.pk).first())
    if taken is not None:
        return (f"The versions already include one in {Language(joining_language).label}: "
                f"“{taken.title}”.")
    return None


@_service
def link_versions(*, statement: Statement, version_of: Statement,
                  original: Statement | None = None, user=None) -> VersionGroup:
    """Record that ``statement`` is ``version_of`` in another language.

    ``statement`` joins the versions of ``version_of`` (made when it has none) and leaves any
    versions it belonged to.  ``original``: which of them is the original (a translation's
    source), when known; unchanged when None.  A ``ValidationError`` says why a link cannot
    be made (the same statement, the same language, a language the versions already have).
    """
    problem = version_link_problem(statement=statement, version_of=version_of)
    if problem:
        raise ValidationError(problem, code="version")
    if version_of.version_group_id is None and statement.version_group_id is not None:
        # Only the statement has versions: the other one joins them.
        return link_versions(statement=version_of, version_of=statement, original=original,
                             user=user)
    group = version_of.version_group
    if group is None:
        group = VersionGroup.objects.create()
        version_of.version_group = group
        record_statement_saved(statement=version_of, user=user)
    previous = statement.version_group_id
    if previous != group.pk:
        left_behind = _group_members(previous, exclude=statement.pk)
        statement.version_group = group
        statement.is_original = False
        record_statement_saved(statement=statement, user=user)
        _dissolve_if_alone(previous)
        announce_statements(left_behind)
    if original is not None:
        set_original_version(statement=original, user=user)
    announce_statements(_group_members(group.pk))
    return group


@_service
def unlink_version(*, statement: Statement, user=None) -> None:
    """Take ``statement`` out of its language versions (the others stay versions of each
    other; a single one left is no longer a version of anything)."""
    group = statement.version_group_id
    if group is None:
        return
    others = _group_members(group, exclude=statement.pk)
    statement.version_group = None
    statement.is_original = False
    record_statement_saved(statement=statement, user=user)
    _dissolve_if_alone(group)
    announce_statements(others)


@_service
def set_original_version(*, statement: Statement, is_original: bool = True, user=None) -> None:
    """Mark ``statement`` as the original of its language versions (the others are then its
    translations), or, with ``is_original=False``, say that the original is not known."""
    if statement.version_group_id is None:
        if is_original:
            raise ValidationError(
                "Only a statement with versions in other languages can be their original.",
                code="version",
            )
        return
    if is_original:
        for other in Statement.objects.filter(version_group_id=statement.version_group_id,
                                              is_original=True).exclude(pk=statement.pk):
            other.is_original = False
            record_statement_saved(statement=other, user=user)
    if statement.is_original != is_original:
        statement.is_original = is_original
        record_statement_saved(statement=statement, user=user)


def find_versions(*, speaker: Speaker | None = None, event: Event | None = None,
                  delivered_on, language: str, exclude_pk=None) -> list[Statement]:
    """Statements that may be this one in another language: for pairing an Arabic and an
    English release of the same statement.

    Delivered on ``delivered_on``, by ``speaker`` (one of their speakers) and at ``event``
    when those are given (None: not known, not a condition; with neither, nothing is
    proposed), in another language than ``language``, and not already having a version in
    ``language``.  Drafts too (a release is entered as a draft).  ``exclude_pk``: the
    statement being paired (it and its versions are left out).  At most ten, newest first.
    """
    if speaker is None and event is None:
        return []
    qs = Statement.objects.filter(delivered_on=delivered_on).exclude(language=language)
    if speaker is not None:
        qs = qs.filter(statement_speakers__speaker=speaker)
    if event is not None:
        qs = qs.filter(event=event)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
        own = Statement.objects.filter(pk=exclude_pk).values_list("version_group", flat=True)
        qs = qs.exclude(version_group__in=own.exclude(version_group=None))  # linked already
    has_language = Statement.objects.filter(
        version_group=OuterRef("version_group"), language=language
    )
    if exclude_pk is not None:
        has_language = has_language.exclude(pk=exclude_pk)
    return list(qs.exclude(Exists(has_language)).order_by("-pk")[:10])


def _group_members(group_id, *, exclude=None) -> list[int]:
    if group_id is None:
        return []
    members = Statement.objects.filter(version_group_id=group_id)
    if exclude is not None:
        members = members.exclude(pk=exclude)
    return list(members.values_list("pk", flat=True))


def _dissolve_if_alone(group_id) -> None:
    """A group of one is no group: its last statement is a version of nothing."""
    if group_id is None:
        return
    members = list(Statement.objects.filter(version_group_id=group_id))
    if len(members) > 1:
        return
    for last in members:
        last.version_group = None
        last.is_original = False
        record_statement_saved(statement=last)
    VersionGroup.objects.filter(pk=group_id).delete()


# --- speakers, events, topics -----------------------------------------------------------


@_service
def create_speaker(
    *,
    name: str,
    honorific: str = "",
    country: Country | None = None,
    aliases: Iterable[str] = (),
    notes: str = "",
    slug: str | None = None,
    name_ar: str = "",
    name_latin: str = "",
) -> Speaker:
    speaker = Speaker(
        name=name, name_ar=name_ar, name_latin=name_latin,
        honorific=normalise_honorific(honorific), country=country,
        aliases=_alias_lines(aliases), notes=notes,
    )
    _clean_record_text(speaker)
    speaker.slug = slug or unique_slug(Speaker, speaker.name)
    speaker.full_clean()
    speaker.save()
    return speaker


def _alias_lines(aliases: Iterable[str]) -> str:
    # One alias per line: a line break inside one given alias does not make two.
    return "\n".join(line for line in (clean_line(a) for a in aliases) if line)


@_service
def update_speaker(*, speaker: Speaker, **changes) -> Speaker:
    """Rename or edit a speaker; every statement they appear on is re-announced."""
    if "aliases" in changes and not isinstance(changes["aliases"], str):
        changes["aliases"] = _alias_lines(changes["aliases"])
    if "honorific" in changes:
        changes["honorific"] = normalise_honorific(changes["honorific"])
    for field, value in changes.items():
        setattr(speaker, field, value)
    return record_saved(instance=speaker)


@_service
def create_event(
    *, name: str, start_date, slug: str | None = None, kind: str | None = None, **fields
) -> Event:
    """A new event; without ``kind``, the kind its name suggests (``EventKind.guess``)."""
    kind = kind or EventKind.guess(name)
    event = Event(name=name, start_date=start_date, kind=kind, **fields)
    _clean_record_text(event)
    event.slug = slug or unique_slug(Event, f"{event.name} {start_date:%Y}")
    event.full_clean()
    event.save()
    return event


@_service
def update_event(*, event: Event, **changes) -> Event:
    for field, value in changes.items():
        setattr(event, field, value)
    result = record_saved(instance=event)
    event.__dict__.pop("_change_reason", None)
    return result


@_service
def widen_event_dates(*, event: Event, to_include) -> bool:
    """Move an event's start or end so that it covers the day ``to_include`` (a statement made
    there); True when the dates changed."""
    if event.covers(to_include):
        return False
    start, end = min(event.start_date, to_include), max(event.last_day, to_include)
    event._change_reason = f"Dates widened to include {to_include:%Y-%m-%d}"
    update_event(event=event, start_date=start, end_date=end if end != start else None)
    return True


@_service
def get_or_create_topic(*, name: str) -> Topic:
    name = clean_line(name)
    topic = Topic.objects.filter(name__iexact=name).first()
    if topic is None:
        topic = Topic(name=name, slug=unique_slug(Topic, name, max_length=120))
        topic.full_clean()
        topic.save()
    return topic


@_service
def update_topic(*, topic: Topic, **changes) -> Topic:
    for field, value in changes.items():
        setattr(topic, field, value)
    return record_saved(instance=topic)


@_service
def update_country(*, country: Country, **changes) -> Country:
    """Correct a country's name or historical flag (its code is its identity)."""
    if "code" in changes and changes["code"] != country.code:
        raise ValueError("A country's code cannot change; it is how records refer to it.")
    for field, value in changes.items():
        setattr(country, field, value)
    return record_saved(instance=country)


@_service
def record_saved(*, instance):
    """Validate and save a speaker, event, topic or country whose fields were set elsewhere
    (an admin form, the update services): its text cleaned as every stored text is, then
    validated, saved, and the statements it touches announced."""
    _clean_record_text(instance)
    instance.full_clean()
    is_new = instance.pk is None
    instance.save()
    if not is_new:
        announce_statements(touched_statements(instance))
    return instance


@_service
def merge_topics(*, topics: Iterable[Topic], into: Topic) -> int:
    """File every statement of ``topics`` under ``into`` instead, and delete ``topics``;
    returns how many statements were touched."""
    others = [t for t in topics if t.pk != into.pk]
    if not others:
        return 0
    through = Statement.topics.through
    touched = set(
        through.objects.filter(topic__in=others).values_list("statement_id", flat=True)
    )
    already = set(
        through.objects.filter(topic=into, statement_id__in=touched)
        .values_list("statement_id", flat=True)
    )
    through.objects.bulk_create(
        [through(statement_id=pk, topic_id=into.pk) for pk in sorted(touched - already)]
    )
    Topic.objects.filter(pk__in=[t.pk for t in others]).delete()
    announce_statements(touched)
    return len(touched)


@_service
def delete_topics(*, topics: Iterable[Topic]) -> int:
    """Delete topics; their statements lose them (a to-many link, not a protected key)."""
    topics = list(topics)
    touched = set(
        Statement.objects.filter(topics__in=topics).values_list("pk", flat=True)
    )
    Topic.objects.filter(pk__in=[t.pk for t in topics]).delete()
    announce_statements(touched)
    return len(touched)


# The text fields of speakers, events and topics, and how each is cleaned.
_RECORD_TEXT = {
    Speaker: {"name": clean_line, "name_ar": clean_line, "name_latin": clean_line,
              "slug": clean_line, "honorific": clean_line,
              "aliases": clean_text, "notes": clean_text},
    Event: {"name": clean_line, "short_name": clean_line, "slug": clean_line,
            "series": clean_line, "city": clean_line, "organiser": clean_line},
    Topic: {"name": clean_line, "slug": clean_line},
    Country: {"name": clean_line},
    StatementSpeaker: {"role": clean_line},
}


def _clean_record_text(instance) -> None:
    for field, clean in _RECORD_TEXT.get(type(instance), {}).items():
        setattr(instance, field, clean(getattr(instance, field)))
    if isinstance(instance, Speaker):
        # Derived from the name on every save, so the A-Z order follows a rename.
        instance.sort_name = speaker_sort_name(instance)


def speaker_sort_name(speaker: Speaker) -> str:
    """The key ``speaker`` is filed under in A-Z lists (``archive.sorting``)."""
    code = speaker.country.code if speaker.country_id and speaker.country else ""
    return surname_key(speaker.name, country_code=code)





def _is_user(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.pk is not None


# --- bulk import ------------------------------------------------------------------------


@dataclass(frozen=True)
class StatementInput:
    """One statement as an importer describes it, for ``bulk_upsert_statements``.

    ``status`` and ``published_at`` apply when the statement is created; an existing
    statement keeps its editorial status unless the caller asks otherwise.
    """

    title: str
    body: str
    delivered_on: object
    import_key: str | None = None
    slug: str | None = None
    kind: str = Kind.STATEMENT
    language: str = Language.ENGLISH
    country: Country | None = None
    event: Event | None = None
    speakers: tuple[SpeakerRole, ...] = ()
    topics: tuple[Topic, ...] = ()
    summary: str = ""
    source_name: str = ""
    source_url: str = ""
    original_text: str | None = None
    status: str = Status.DRAFT
    published_at: object = None


@dataclass
class BulkUpsertResult:
    """What one batch did, by the batch's keys (import keys or slugs)."""

    created: list[str]
    updated: list[str]
    unchanged: list[str]
    ids: dict[str, int]


# Fields an import may set and compare; slug, status and audit fields are handled apart.
_BULK_FIELDS = (
    "title", "body", "delivered_on", "kind", "language", "country_id", "event_id", "summary",
    "source_name", "source_url", "original_text", "import_key", "content_hash",
)


@_service
def bulk_upsert_statements(
    *,
    items: Sequence[StatementInput],
    match_on: str = "import_key",
    update_status: bool = False,
    user=None,
) -> BulkUpsertResult:
    """Create or update a batch of statements in a few queries, matched by a natural key.

    Each row is validated like ``create_statement`` does (field validation; the database
    enforces the unique and check constraints), unchanged rows are not written, and the
    created and updated statements are announced once for the whole batch.
    """
    if match_on not in {"import_key", "slug"}:
        raise ValueError("match_on must be 'import_key' or 'slug'")
    keys = [getattr(item, match_on) for item in items]
    if any(not key for key in keys):
        raise ValueError(f"every item needs a {match_on} to be matched on")
    if len(set(keys)) != len(keys):
        raise ValueError(f"a batch cannot hold the same {match_on} twice")
    existing = {
        getattr(statement, match_on): statement
        for statement in Statement.objects.filter(**{f"{match_on}__in": keys}).prefetch_related(
            "statement_speakers", "topics"
        )
    }
    now = timezone.now()
    audit_user = user if _is_user(user) else None
    result = BulkUpsertResult(created=[], updated=[], unchanged=[], ids={})
    new: list[tuple[StatementInput, Statement]] = []
    changed: list[tuple[StatementInput, Statement, bool, bool]] = []
    changed_fields: set[str] = set()
    taken_slugs: set[str] = set()

    new_items = [item for key, item in zip(keys, items, strict=True) if key not in existing]
    taken_slugs |= _slugs_in_use([_bulk_slug_base(item) for item in new_items])
    for key, item in zip(keys, items, strict=True):
        values = _bulk_values(item)
        statement = existing.get(key)
        if statement is None:
            statement = Statement(**values, created_by=audit_user, updated_by=audit_user)
            statement.status = item.status
            if item.status == Status.PUBLISHED:
                statement.published_at = item.published_at or now
            statement.slug = _bulk_slug(item, taken_slugs)
            _validate_for_bulk(statement)
            new.append((item, statement))
            continue
        differing = {name for name, value in values.items() if getattr(statement, name) != value}
        if update_status and item.status != statement.status:
            statement.status = item.status
            statement.published_at = (
                (item.published_at or now) if item.status == Status.PUBLISHED else None
            )
            differing |= {"status", "published_at"}
        speakers_differ = _speaker_rows(statement) != _wanted_speaker_rows(item)
        topics_differ = {t.pk for t in statement.topics.all()} != {t.pk for t in item.topics}
        if not (differing or speakers_differ or topics_differ):
            result.unchanged.append(key)
            result.ids[key] = statement.pk
            continue
        for name in differing:
            setattr(statement, name, values.get(name, getattr(statement, name)))
        statement.updated_at = now
        if audit_user is not None:
            statement.updated_by = audit_user
            differing.add("updated_by")
        _validate_for_bulk(statement)
        # In the database's own arithmetic: an editor's save meanwhile is not counted over.
        statement.version = F("version") + 1
        changed_fields |= differing | {"updated_at", "version"}
        changed.append((item, statement, speakers_differ, topics_differ))

    if new:
        Statement.objects.bulk_create([statement for _, statement in new], batch_size=500)
    if changed:
        Statement.objects.bulk_update(
            [statement for _, statement, _, _ in changed], sorted(changed_fields), batch_size=500
        )
    speaker_rows: list[StatementSpeaker] = []
    topic_rows = []
    through = Statement.topics.through
    replace_speakers = [s.pk for _, s, speakers_differ, _ in changed if speakers_differ]
    replace_topics = [s.pk for _, s, _, topics_differ in changed if topics_differ]
    if replace_speakers:
        StatementSpeaker.objects.filter(statement_id__in=replace_speakers).delete()
    if replace_topics:
        through.objects.filter(statement_id__in=replace_topics).delete()
    writes = [(item, statement, True, True) for item, statement in new] + changed
    for item, statement, speakers_differ, topics_differ in writes:
        if speakers_differ:
            for speaker_id, role, order in _wanted_speaker_rows(item):
                row = StatementSpeaker(
                    statement=statement, speaker_id=speaker_id, role=role, order=order
                )
                row.full_clean(exclude=["statement", "speaker"], validate_constraints=False)
                speaker_rows.append(row)
        if topics_differ:
            topic_rows += [
                through(statement_id=statement.pk, topic_id=pk)
                for pk in sorted({t.pk for t in item.topics})
            ]
    StatementSpeaker.objects.bulk_create(speaker_rows, batch_size=500)
    through.objects.bulk_create(topic_rows, batch_size=500)
    _record_bulk_history(
        created=[s for _, s in new], updated=[s for _, s, _, _ in changed], user=audit_user
    )

    for item, statement in new:
        key = getattr(item, match_on)
        result.created.append(key)
        result.ids[key] = statement.pk
    for item, statement, _, _ in changed:
        key = getattr(item, match_on)
        result.updated.append(key)
        result.ids[key] = statement.pk
    announce_statements(
        [s.pk for _, s in new] + [s.pk for _, s, _, _ in changed]
    )
    return result


def _record_bulk_history(*, created: list[Statement], updated: list[Statement], user) -> None:
    """Keep the edit history that single saves keep (bulk writes send no post_save): one
    version per written statement, with its topics, so a later edit can be reverted."""
    history = getattr(Statement, "history", None)
    if history is None or not (created or updated):
        return
    versions = []
    for statements, update in ((created, False), (updated, True)):
        if statements:
            versions += history.bulk_history_create(
                statements, batch_size=500, update=update, default_user=user,
                default_change_reason="Imported",
            )
    topic_versions = getattr(history.model, "topics", None)
    if topic_versions is None:
        return
    through = Statement.topics.through
    links: dict[int, list] = {}
    for link in through.objects.filter(statement_id__in=[v.id for v in versions]):
        links.setdefault(link.statement_id, []).append(link)
    topic_versions.model.objects.bulk_create(
        [
            topic_versions.model(
                history=version, id=link.pk, statement_id=link.statement_id,
                topic_id=link.topic_id,
            )
            for version in versions
            for link in links.get(version.id, ())
        ],
        batch_size=500,
    )


def _bulk_values(item: StatementInput) -> dict:
    body = normalise_body(item.body)
    return {
        "title": clean_line(item.title),
        "body": body,
        "delivered_on": item.delivered_on,
        "kind": item.kind,
        "language": item.language,
        "country_id": item.country.pk if item.country else None,
        "event_id": item.event.pk if item.event else None,
        "summary": clean_text(item.summary),
        "source_name": clean_line(item.source_name),
        "source_url": clean_line(item.source_url),
        "original_text": storable_text(item.body if item.original_text is None
                                      else item.original_text),
        "import_key": item.import_key or None,
        "content_hash": _hash_normalised(body),
    }


def _wanted_speaker_rows(item: StatementInput) -> list[tuple[int, str, int]]:
    rows, seen = [], set()
    for order, entry in enumerate(item.speakers):
        if entry.speaker.pk in seen:
            continue
        seen.add(entry.speaker.pk)
        rows.append((entry.speaker.pk, clean_line(entry.role), order))
    return rows


def _speaker_rows(statement: Statement) -> list[tuple[int, str, int]]:
    links = sorted(statement.statement_speakers.all(), key=lambda link: (link.order, link.pk))
    return [(link.speaker_id, link.role, link.order) for link in links]


def _bulk_slug_base(item: StatementInput) -> str:
    base = item.slug or readable_slug(f"{item.title} {item.delivered_on:%Y-%m-%d}")
    return base or "statement"


def _slugs_in_use(candidates: list[str]) -> set[str]:
    """Which of these slugs a statement has now or had before (two queries for a batch)."""
    if not candidates:
        return set()
    live = Statement.objects.filter(slug__in=candidates).values_list("slug", flat=True)
    former = StatementSlugHistory.objects.filter(old_slug__in=candidates).values_list(
        "old_slug", flat=True
    )
    return set(live) | set(former)


def _bulk_slug(item: StatementInput, taken: set[str]) -> str:
    # ``taken`` holds the batch's own slugs and those of its candidates already in use, so
    # the common case (a free slug) costs no query; a clash walks -2, -3... like unique_slug.
    base = _bulk_slug_base(item)
    candidate, n = base, 1
    while candidate in taken or (n > 1 and _slugs_in_use([candidate])):
        n += 1
        suffix = f"-{n}"
        candidate = base[: 200 - len(suffix)].rstrip("-") + suffix
    taken.add(candidate)
    return candidate


def _validate_for_bulk(statement: Statement) -> None:
    # Foreign keys come from loaded rows, and the database enforces uniqueness and the
    # check constraints when the batch is written, so those per-row queries are skipped.
    statement.full_clean(
        exclude=["country", "event", "created_by", "updated_by"],
        validate_unique=False,
        validate_constraints=False,
    )


# --- intake: harvested pages and their review --------------------------------------------


@_service
def record_harvested_page(
    *, source_url: str, origin: str, original_text: str, statement: Statement | None,
    suggestions: dict, duplicate_of: Statement | None = None,
) -> IntakeItem:
    """Keep a harvested page (and its draft) in the review queue."""
    original_text = storable_text(original_text)
    item = IntakeItem(
        source_url=source_url.strip(), origin=storable_text(clean_line(origin))[:1000],
        content_hash=content_hash(original_text), original_text=original_text,
        statement=statement, suggestions=suggestions, duplicate_of=duplicate_of,
    )
    item.full_clean()
    item.save()
    return item


@_service
def accept_intake_items(*, items: Iterable[IntakeItem], user=None, publish: bool = False) -> int:
    """Accept pages of the review queue: their drafts stay in the archive (and are published
    when ``publish``)."""
    changed = 0
    for item in items:
        if item.status != IntakeStatus.PENDING or item.statement is None:
            continue
        if publish:
            publish_statement(statement=item.statement, user=user)
        item.status = IntakeStatus.ACCEPTED
        _mark_reviewed(item, user)
        changed += 1
    return changed


@_service
def reject_intake_items(*, items: Iterable[IntakeItem], user=None) -> int:
    """Reject pages of the review queue: their drafts are deleted, the pages are kept as
    rejected so a later harvest does not bring them back."""
    changed = 0
    for item in items:
        if item.status == IntakeStatus.REJECTED:
            continue
        statement = item.statement
        item.status = IntakeStatus.REJECTED
        item.statement = None
        _mark_reviewed(item, user)
        if statement is not None and statement.status == Status.DRAFT:
            delete_statement(statement=statement, user=user)
        changed += 1
    return changed


def _mark_reviewed(item: IntakeItem, user) -> None:
    item.reviewed_at = timezone.now()
    item.reviewed_by = user if _is_user(user) else None
    item.full_clean()
    item.save()
