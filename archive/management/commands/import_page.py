"""``manage.py import_page FILE``: suggest (``--json``) or save (``--save``) a statement from a
ministry web page saved as .txt or .html."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from archive.importers.page import ConfirmedSpeaker, save_page_draft, suggest_from_page
from archive.models import Country, Language
from archive.services import find_duplicates

MAX_BYTES = 5 * 1024 * 1024


class Command(BaseCommand):
    help = "Suggest a statement's fields from a ministry web page (.txt or .html)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the page, as .txt (pasted text) or .html")
        action = parser.add_mutually_exclusive_group()
        action.add_argument("--json", action="store_true",
                            help="print the suggestions as JSON (the default action)")
        action.add_argument("--save", action="store_true",
                            help="save the suggestions as a draft statement")
        parser.add_argument("--published-on", metavar="YYYY-MM-DD",
                            help="the page's publication date (resolves weekdays)")

    def handle(self, *args, file, json: bool, save: bool, published_on, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{path} is not a file")
        if path.stat().st_size > MAX_BYTES:
            raise CommandError(f"{path} is larger than {MAX_BYTES // (1024 * 1024)} MB")
        if path.suffix.lower() not in {".txt", ".html", ".htm", ""}:
            raise CommandError("expected a .txt or .html file")
        try:
            content = path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CommandError(f"{path} is not UTF-8 text") from exc
        try:
            published = datetime.date.fromisoformat(published_on) if published_on else None
        except ValueError as exc:
            raise CommandError("--published-on must be YYYY-MM-DD") from exc
        is_html = path.suffix.lower() in {".html", ".htm"} or None
        suggestion = suggest_from_page(content, is_html=is_html, published_on=published)
        if not save:
            self.stdout.write(_dumps(suggestion.as_json()))
            return
        delivered_on = suggestion.date or published
        if delivered_on is None:
            raise CommandError("no date found in the page: give --published-on YYYY-MM-DD")
        country = _country(suggestion.country)
        for duplicate in find_duplicates(body=suggestion.body, title=suggestion.title,
                                         delivered_on=delivered_on):
            self.stderr.write(f"warning: likely duplicate of statement {duplicate.pk} "
                              f"({duplicate.title})")
        statement = save_page_draft(
            title=suggestion.title or path.stem,
            body=suggestion.body,
            delivered_on=delivered_on,
            kind=suggestion.kind,
            language=suggestion.language if suggestion.language in Language.values else "en",
            country=country,
            new_event_name=suggestion.event.name,
            new_event_city=suggestion.event.city,
            new_event_country=_country(suggestion.event.country),
            speakers=[ConfirmedSpeaker(s.name, s.honorific, s.role)
                      for s in suggestion.speakers],
            topics=suggestion.topics,
            source_name=suggestion.source,
            original_text=content,
        )
        self.stdout.write(f"Saved draft statement {statement.pk}: {statement.title}")


def _country(name: str):
    if not name:
        return None
    return (Country.objects.filter(name__iexact=name).first()
            or Country.objects.filter(name__istartswith=name).order_by("name").first())


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
