"""``manage.py import_page FILE | --url URL``: suggest (``--json``) or save (``--save``) a
statement from a ministry web page saved as .txt or .html, or fetched from its address."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from archive.importers.fetch import FetchError, fetch_page
from archive.importers.page import PageTooLarge, suggest_from_page
from archive.intake import duplicates_of, save_suggestion

MAX_BYTES = 5 * 1024 * 1024


class Command(BaseCommand):
    help = "Suggest a statement's fields from a ministry web page (.txt, .html or a URL)."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="the page, as .txt (pasted text) or .html")
        parser.add_argument("--url", help="fetch the page from this http(s) address instead")
        action = parser.add_mutually_exclusive_group()
        action.add_argument("--json", action="store_true",
                            help="print the suggestions as JSON (the default action)")
        action.add_argument("--save", action="store_true",
                            help="save the suggestions as a draft statement")
        parser.add_argument("--published-on", metavar="YYYY-MM-DD",
                            help="the page's publication date (resolves weekdays)")

    def handle(self, *args, file, url, json: bool, save: bool, published_on, **options):
        if bool(file) == bool(url):
            raise CommandError("give a FILE or --url URL (one of them)")
        try:
            published = datetime.date.fromisoformat(published_on) if published_on else None
        except ValueError as exc:
            raise CommandError("--published-on must be YYYY-MM-DD") from exc
        content, is_html, source_url = self._read(file, url)
        try:
            suggestion = suggest_from_page(content, is_html=is_html, published_on=published,
                                           source_url=source_url)
        except PageTooLarge as exc:
            raise CommandError(str(exc)) from exc
        if not save:
            self.stdout.write(_dumps(suggestion.as_json()))
            return
        delivered_on = suggestion.date or published
        if delivered_on is None:
            raise CommandError("no date found in the page: give --published-on YYYY-MM-DD")
        found = duplicates_of(body=suggestion.body, title=suggestion.title,
                              delivered_on=delivered_on, source_url=suggestion.source_url)
        if found.exact:
            raise CommandError(
                f"the same text is already statement {found.exact[0].pk} "
                f"({found.exact[0].title}); nothing saved")
        for duplicate, share in found.near:
            self.stderr.write(f"warning: nearly the same text ({share:.0%}) as statement "
                              f"{duplicate.pk} ({duplicate.title})")
        statement = save_suggestion(suggestion, delivered_on=delivered_on,
                                    original_text=content)
        self.stdout.write(f"Saved draft statement {statement.pk}: {statement.title}")

    def _read(self, file, url) -> tuple[str, bool | None, str]:
        if url:
            try:
                page = fetch_page(url)
            except FetchError as exc:
                raise CommandError(str(exc)) from exc
            return page.text, page.is_html or None, page.url
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
        return content, path.suffix.lower() in {".html", ".htm"} or None, ""


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
