"""Small presentation helpers for the browsing templates."""

from __future__ import annotations

import datetime
from urllib.parse import urlsplit

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils import translation
from django.utils.dateformat import format as date_format

from archive import bidi, page_parts

register = template.Library()

_LINKABLE_SCHEMES = frozenset({"http", "https"})


@register.filter
def http_url(value: str) -> str:
    """The URL when it is an absolute http(s) address, else "" (never a javascript: link).

    Stored URLs arrive from importers and old records that skipped URLField validation, so the
    template checks again rather than trusting the column.
    """
    value = (value or "").strip()
    if not value or any(ch.isspace() or ord(ch) < 32 for ch in value):
        return ""
    try:
        parts = urlsplit(value)
    except ValueError:
        return ""
    if parts.scheme.lower() not in _LINKABLE_SCHEMES or not parts.netloc:
        return ""
    return value


@register.simple_tag
def date_range(start: datetime.date | None, end: datetime.date | None = None) -> str:
    """"18–19 October 2022", "30 September – 2 October 2022" or one date when ``end`` is empty."""
    if start is None:
        return ""
    if end is None or end == start:
        return date_format(start, "j F Y")
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}\u2013{date_format(end, 'j F Y')}"
    if start.year == end.year:
        return f"{date_format(start, 'j F')} \u2013 {date_format(end, 'j F Y')}"
    return f"{date_format(start, 'j F Y')} \u2013 {date_format(end, 'j F Y')}"


@register.simple_tag
def search_query_max_chars() -> int:
    """The longest query search takes (``settings.SEARCH_QUERY_MAX_CHARS``), for forms and help."""
    return settings.SEARCH_QUERY_MAX_CHARS


@register.filter
def text_direction(language: str) -> str:
    """"rtl" for the right-to-left languages the archive holds, else "ltr"."""
    return "rtl" if language in {"ar", "fa", "ur", "he"} else "ltr"


@register.filter
def isolate(value) -> str:
    """A name or title for text without markup (``<title>``, ``content=""``): isolated with
    Unicode's FSI/PDI when it holds letters of the direction opposite the interface's."""
    return bidi.isolate(value, "rtl" if translation.get_language_bidi() else "ltr")


@register.simple_tag(takes_context=True)
def other_languages(context) -> list[dict]:
    """The interface languages this page exists in besides the current one (for the switcher).

    A page outside the language prefixes (the API's documentation, an unknown address) has
    no other version, and gets no switcher rather than a button that changes nothing.
    """
    request = context.get("request")
    if request is None:
        return []
    here = request.get_full_path()
    current = translation.get_language()
    found = []
    for code, _name in settings.LANGUAGES:
        if code == current or translate_url(here, code) == here:
            continue
        info = translation.get_language_info(code)
        found.append({"code": code, "name_local": info["name_local"], "bidi": info["bidi"]})
    return found


@register.simple_tag
def statement_text(statement, request=None):
    """The statement's paragraphs as the installed apps render them (``archive.page_parts``):
    ``{% statement_text statement request as text %}``."""
    return page_parts.statement_text(statement, request)


@register.simple_tag
def statement_sections(statement, request=None):
    """What installed apps add after a statement's text (``archive.page_parts``)."""
    return page_parts.statement_sections(statement, request)
