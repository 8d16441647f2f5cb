"""Bringing pages into the archive as drafts: one page (the admin import) or many (harvest).

Both read the page with the same pipeline (``archive.importers.page``), keep the page as
received and its address, look for duplicates before anything is saved (the same text, or
nearly the same: an agency's repost, another headline), and write through the services.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from . import services
from .importers.harvest import HarvestedPage, SkippedPage, pages_from
from .importers.page import (
    ConfirmedSpeaker,
    PageSuggestion,
    PageTooLarge,
    save_page_draft,
    suggest_from_page,
)
from .importers.report import ImportReport
from .models import Country, IntakeItem, Language, Statement

__all__ = ["Duplicates", "country_named", "duplicates_of", "harvest", "save_suggestion"]


@dataclass
class Duplicates:
    exact: list[Statement]
    near: list[tuple[Statement, float]]

    def __bool__(self) -> bool:
        return bool(self.exact or self.near)

    @property
    def first(self) -> Statement | None:
        if self.exact:
            return self.exact[0]
        return self.near[0][0] if self.near else None


def duplicates_of(*, body: str, title: str = "", delivered_on=None, source_url: str = "",
                  exclude_pk=None) -> Duplicates:
    """Statements with the same normalised text (or title and date, or address), and those
    with nearly the same text."""
    exact = services.find_duplicates(body=body, title=title, delivered_on=delivered_on,
                                     exclude_pk=exclude_pk)
    if source_url:
        exact += [s for s in Statement.objects.filter(source_url=source_url.strip())
                  .exclude(pk=exclude_pk).order_by("pk")[:5] if s not in exact]
    near = [(s, score) for s, score in services.find_near_duplicates(
        body=body, delivered_on=delivered_on, exclude_pk=exclude_pk) if s not in exact]
    return Duplicates(exact, near)


def country_named(name: str) -> Country | None:
    if not name:
        return None
    return (Country.objects.filter(name__iexact=name).first()
            or Country.objects.filter(name__istartswith=name).order_by("name").first())


def save_suggestion(suggestion: PageSuggestion, *, delivered_on: datetime.date,
                    original_text: str, user=None) -> Statement:
    """A draft statement from the importer's suggestions, unchanged."""
    return save_page_draft(
        title=suggestion.title or suggestion.source_url or "Untitled page",
        body=suggestion.body or suggestion.title or "(no text found)",
        delivered_on=delivered_on,
        kind=suggestion.kind,
        language=suggestion.language if suggestion.language in Language.values else "en",
        country=country_named(suggestion.country),
        new_event_name=suggestion.event.name,
        new_event_city=suggestion.event.city,
        new_event_country=country_named(suggestion.event.country),
        speakers=[ConfirmedSpeaker(s.name, s.honorific, s.role) for s in suggestion.speakers],
        topics=suggestion.topics,
        source_name=suggestion.source,
        source_url=suggestion.source_url,
        original_text=original_text,
        user=user,
    )


def harvest(target: str, *, limit: int | None = None, user=None,
            progress: Callable[[str], None] | None = None) -> ImportReport:
    """One draft per new page of ``target``, each waiting in the review queue.

    Idempotent: a page whose address, or whose text, was harvested before is left alone
    (reported unchanged), so a second run adds nothing.  An exact duplicate of a statement
    already in the archive is kept as rejected, with the statement it repeats.
    """
    report = ImportReport()
    for page in pages_from(target, **({"limit": limit} if limit else {})):
        if progress is not None:
            progress(page.origin)
        if isinstance(page, SkippedPage):
            report.skipped.append((page.origin, page.reason))
            continue
        try:
            outcome = _harvest_one(page, user=user)
        except PageTooLarge as exc:
            report.skipped.append((page.origin, str(exc)))
            continue
        if outcome == "unchanged":
            report.unchanged.append(page.source_url or page.origin)
        elif outcome.startswith("skipped:"):
            report.skipped.append((page.origin, outcome.removeprefix("skipped:")))
        else:
            report.created.append(page.source_url or page.origin)
    return report


def _harvest_one(page: HarvestedPage, *, user) -> str:
    hash_ = services.content_hash(page.content)
    if page.source_url and IntakeItem.objects.filter(source_url=page.source_url).exists():
        return "unchanged"
    earlier = IntakeItem.objects.filter(content_hash=hash_).first()
    if earlier is not None:
        return "unchanged" if not page.source_url else (
            f"skipped:the same page as {earlier.source_url or earlier.origin}")
    suggestion = suggest_from_page(page.content, is_html=page.is_html or None,
                                   published_on=page.published_on, source_url=page.source_url)
    suggestion.source_url = suggestion.source_url or page.source_url
    if not suggestion.body.strip():
        services.record_harvested_page(
            source_url=page.source_url, origin=page.origin, original_text=page.content,
            statement=None, suggestions={"notes": {"body": "no article text was found"}},
        )
        return "skipped:no article text was found (kept as a page to look at)"
    delivered_on = suggestion.date or page.published_on
    notes = {}
    if delivered_on is None:
        delivered_on = timezone.localdate()
        notes["date"] = "No date was found on the page: the harvest date was used."
    found = duplicates_of(body=suggestion.body, title=suggestion.title,
                          delivered_on=delivered_on, source_url=suggestion.source_url)
    record = {**suggestion.as_json(), "notes": notes}
    record.pop("body", None)
    with transaction.atomic():
        if found.exact:
            item = services.record_harvested_page(
                source_url=page.source_url, origin=page.origin, original_text=page.content,
                statement=None, suggestions={**record, "notes": {
                    **notes, "duplicate": "The same text is already in the archive."}},
                duplicate_of=found.exact[0],
            )
            services.reject_intake_items(items=[item], user=user)
            return f"skipped:the same text as statement {found.exact[0].pk}"
        statement = save_suggestion(suggestion, delivered_on=delivered_on,
                                    original_text=page.content, user=user)
        services.record_harvested_page(
            source_url=page.source_url, origin=page.origin, original_text=page.content,
            statement=statement, suggestions=record,
            duplicate_of=found.near[0][0] if found.near else None,
        )
    return "created"
