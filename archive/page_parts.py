"""Parts of the statement page that apps following the archive add, without the archive
importing them (it imports none of ``search``, ``reuse`` ...; each registers here from its
``AppConfig.ready``).

* **The text renderer** (one): ``(statement, request, regions) -> dict`` with ``paragraphs``
  (safe HTML, one per ``#p<n>`` paragraph) and optional notes (``marks``, ``marked_words``,
  ``unmarked_url``, ``search_url``).  The search app's marks the words of the search that led
  to the page; without one the paragraphs are only escaped.
* **Region providers**: ``statement -> [(start, end, number), ...]``, ranges of the body the
  renderer shows in the text (the agreed-language passages).
* **Section providers**: ``(statement, request) -> safe HTML``, shown after the text in the
  order the apps are installed (the agreed-language list).
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.html import escape
from django.utils.safestring import mark_safe

from .models import paragraph_spans

_renderer: list[Callable] = []
_regions: list[Callable] = []
_sections: list[Callable] = []


def set_text_renderer(renderer: Callable) -> None:
    _renderer[:] = [renderer]


def add_regions(provider: Callable) -> None:
    if provider not in _regions:
        _regions.append(provider)


def add_section(provider: Callable) -> None:
    if provider not in _sections:
        _sections.append(provider)


def plain_text(statement, request=None, regions=()) -> dict:
    """The paragraphs escaped, line breaks kept: the page without any renderer."""
    body = statement.body or ""
    paragraphs = [
        mark_safe(escape(body[a:b]).replace("\r\n", "\n").replace("\n", "<br>\n"))
        for a, b in paragraph_spans(body)
    ]
    return {"paragraphs": paragraphs, "marks": 0, "marked_words": False}


def statement_text(statement, request=None) -> dict:
    regions = [region for provider in _regions for region in provider(statement)]
    renderer = _renderer[0] if _renderer else plain_text
    return renderer(statement, request, regions)


def statement_sections(statement, request=None) -> str:
    return mark_safe("".join(str(provider(statement, request)) for provider in _sections))
