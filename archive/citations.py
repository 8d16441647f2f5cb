"""Citations of a statement: a readable reference, BibTeX, RIS and CSL-JSON.

Every format is built from one ``Citation`` so they agree with each other.  Names are kept
whole (BibTeX braces, CSL ``literal``): splitting "Sheikh Mohammed bin Abdulrahman Al Thani"
into given and family names would be a guess, and a wrong guess ends up in bibliographies.
A name known in two scripts is cited as both, the other script in brackets ("Mutlaq
Al-Qahtani [مطلق القحطاني]").  A statement's other language versions are cited with it: the
original a translation was made from (BibTeX/biblatex ``origtitle``/``origlanguage``, CSL
``original-title``), and every version's address.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import translation
from django.utils.dateformat import format as date_format
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from .models import Kind, Language, Statement

SITE_NAME = "Diplomatic Statements Archive"


@dataclass(frozen=True)
class CitedVersion:
    """Another language version of the cited statement."""

    title: str
    language: str
    url: str
    is_original: bool

    @property
    def language_name(self) -> str:
        if self.language in Language.values:
            return str(Language(self.language).label)
        return self.language


@dataclass(frozen=True)
class Citation:
    key: str
    title: str
    authors: tuple[str, ...]
    roles: tuple[str, ...]
    kind: str
    delivered_on: datetime.date
    event: str
    place: str
    country: str
    source: str
    source_url: str
    url: str
    accessed: datetime.date
    language: str
    summary: str
    topics: tuple[str, ...]
    versions: tuple[CitedVersion, ...] = ()

    @property
    def original(self) -> CitedVersion | None:
        """The original this statement translates, when the archive has it."""
        return next((v for v in self.versions if v.is_original), None)


def citation_for(statement: Statement, *, url: str, accessed: datetime.date,
                 absolute: Callable[[str], str] = str) -> Citation:
    """``url`` is the statement's absolute permalink; ``accessed`` the day it was read;
    ``absolute`` makes a path absolute (for the other language versions' addresses)."""
    links = list(statement.statement_speakers.all())
    event = statement.event
    return Citation(
        key="dsa-" + re.sub(r"[^A-Za-z0-9-]", "", statement.slug)[:60],
        title=statement.title,
        authors=tuple(link.speaker.name_with_other_scripts for link in links),
        roles=tuple(link.role for link in links),
        kind=str(Kind(statement.kind).label) if statement.kind in Kind.values else statement.kind,
        delivered_on=statement.delivered_on,
        event=event.name if event else "",
        place=event.place if event else "",
        country=statement.country.name if statement.country else "",
        source=statement.source_name,
        source_url=statement.source_url,
        url=url,
        accessed=accessed,
        language=statement.language,
        summary=statement.summary,
        topics=tuple(topic.name for topic in statement.topics.all()),
        versions=tuple(
            CitedVersion(v.title, v.language, absolute(v.get_absolute_url()), v.is_original)
            for v in statement.published_versions
        ),
    )


def _plain(value: str) -> str:
    return value


def _html_text(value: str) -> str:
    return str(conditional_escape(value))


_BRACKETED = re.compile(r"\[([^\[\]]+)\]")


def _html_isolated(value: str) -> str:
    # A name or title may be in Arabic inside an English reference: isolated, it keeps its own
    # order and does not reorder the punctuation around it.  A name known in two scripts is
    # cited "Name [الاسم]": the bracketed one is isolated again inside, or its brackets and
    # parentheses would be drawn by the other script's order.
    inner = _BRACKETED.sub(r"[<bdi>\1</bdi>]", str(conditional_escape(value)))
    return f"<bdi>{inner}</bdi>"


def _versions_sentence(c: Citation, text=_plain, iso=_plain) -> str:
    """"Translated from the Arabic original, “...”, URL." and/or the other versions."""
    parts = []
    original = c.original
    if original:
        parts.append(f"Translated from the {text(original.language_name)} original, "
                     f"“{iso(original.title.rstrip('.'))}”, {text(original.url)}.")
    others = [v for v in c.versions if not v.is_original]
    if others:
        listed = "; ".join(f"{text(v.language_name)}, {text(v.url)}" for v in others)
        parts.append(f"Also in {listed}.")
    return " ".join(parts)


# --- a readable reference ---------------------------------------------------------------


def formatted(c: Citation) -> str:
    """One reference in plain text (escaped by the template that shows it)."""
    return _formatted(c, _plain, _plain)


def formatted_html(c: Citation) -> SafeString:
    """The same reference as HTML, each name, title and place isolated in a ``<bdi>``."""
    return mark_safe(_formatted(c, _html_text, _html_isolated))  # noqa: S308 - every part escaped


def _formatted(c: Citation, text, iso) -> str:
    # A reference in the English style whatever the interface language: the same words,
    # months and labels as the downloads, which reference managers read.
    with translation.override("en"):
        return _reference(c, text, iso)


def _reference(c: Citation, text, iso) -> str:
    parts = []
    pairs = zip(c.authors, c.roles, strict=True)
    who = _join_names([f"{iso(name)} ({iso(role)})" if role else iso(name) for name, role in pairs])
    if not who and c.country:
        who = iso(c.country)
    if who:
        parts.append(f"{who}.")
    parts.append(f"“{iso(c.title.rstrip('.'))}.”")
    where = text(c.kind)
    if c.event:
        where += f", {iso(c.event)}"
    if c.place:
        where += f", {iso(c.place)}"
    parts.append(f"{where}, {date_format(c.delivered_on, 'j F Y')}.")
    if c.source:
        parts.append(f"{iso(c.source.rstrip('.'))}.")
    parts.append(f"{SITE_NAME}, {text(c.url)} (accessed {date_format(c.accessed, 'j F Y')}).")
    if c.versions:
        parts.append(_versions_sentence(c, text, iso))
    return " ".join(parts)


def _join_names(names: list[str]) -> str:
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + ", and " + names[-1]


# --- BibTeX ------------------------------------------------------------------------------

_BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_BIBTEX_RE = re.compile("|".join(re.escape(ch) for ch in _BIBTEX_SPECIAL))


def _tex(value: str) -> str:
    # Escaping every brace keeps the field balanced, whatever the stored text holds.
    return _BIBTEX_RE.sub(lambda m: _BIBTEX_SPECIAL[m.group()], " ".join(value.split()))


def _bib_url(value: str) -> str:
    # URLs are verbatim in BibTeX, but a brace or backslash would still end the field.
    return value.replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D").replace(" ", "%20")


def bibtex(c: Citation) -> str:
    """A biblatex/BibTeX ``@misc`` entry (biblatex reads ``date`` and ``urldate``)."""
    fields = []
    if c.authors:
        fields.append(("author", " and ".join("{" + _tex(name) + "}" for name in c.authors)))
    fields.append(("title", "{" + _tex(c.title) + "}"))
    howpublished = ", ".join(part for part in (c.kind, c.event, c.place) if part)
    fields.append(("howpublished", _tex(howpublished)))
    fields.append(("date", c.delivered_on.isoformat()))
    fields.append(("year", str(c.delivered_on.year)))
    fields.append(("month", str(c.delivered_on.month)))
    if c.source:
        fields.append(("organization", _tex(c.source)))
    fields.append(("url", _bib_url(c.url)))
    fields.append(("urldate", c.accessed.isoformat()))
    fields.append(("language", c.language))
    if c.original:
        fields.append(("origlanguage", c.original.language))
        fields.append(("origtitle", "{" + _tex(c.original.title) + "}"))
    fields.append(
        ("note", _tex(f"{SITE_NAME}, accessed {date_format(c.accessed, 'j F Y')}"))
    )
    if c.versions:
        fields.append(("addendum", _tex(_versions_sentence(c))))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@misc{{{c.key},\n{body}\n}}\n"


# --- RIS ---------------------------------------------------------------------------------


def _ris_line(value: str) -> str:
    # RIS is line-based: a newline in a title would start a bogus tag.
    return " ".join(value.split())


def ris(c: Citation) -> str:
    lines = [("TY", "GEN")]
    lines += [("AU", name) for name in c.authors]
    lines.append(("TI", c.title))
    lines.append(("M3", c.kind))
    if c.event:
        lines.append(("T2", c.event))
    if c.place:
        lines.append(("CY", c.place))
    if c.source:
        lines.append(("PB", c.source))
    lines.append(("PY", str(c.delivered_on.year)))
    lines.append(("DA", c.delivered_on.strftime("%Y/%m/%d")))
    lines.append(("UR", c.url))
    lines.append(("Y2", c.accessed.strftime("%Y/%m/%d")))
    lines.append(("LA", c.language))
    lines += [("KW", topic) for topic in c.topics]
    if c.original:
        lines.append(("N1", f"Translation of: {c.original.title} ({c.original.language}), "
                            f"{c.original.url}"))
    lines += [("N1", f"Also in {v.language}: {v.url}") for v in c.versions if not v.is_original]
    if c.summary:
        lines.append(("AB", c.summary))
    lines.append(("ID", c.key))
    text = "".join(f"{tag}  - {_ris_line(value)}\r\n" for tag, value in lines)
    return text + "ER  - \r\n"


# --- CSL-JSON ----------------------------------------------------------------------------


def _date_parts(day: datetime.date) -> dict:
    return {"date-parts": [[day.year, day.month, day.day]]}


def csl(c: Citation) -> dict:
    item = {
        "id": c.key,
        "type": "speech",
        "title": c.title,
        "genre": c.kind,
        "issued": _date_parts(c.delivered_on),
        "accessed": _date_parts(c.accessed),
        "URL": c.url,
        "language": c.language,
    }
    if c.authors:
        item["author"] = [{"literal": name} for name in c.authors]
    if c.event:
        item["event-title"] = c.event
        item["event"] = c.event  # CSL 1.0.1 processors read the older name
    if c.place:
        item["event-place"] = c.place
    if c.source:
        item["publisher"] = c.source
    if c.summary:
        item["abstract"] = c.summary
    if c.topics:
        item["keyword"] = ", ".join(c.topics)
    if c.original:
        item["original-title"] = c.original.title
    if c.versions:
        item["note"] = _versions_sentence(c)
    return item


def csl_json(c: Citation) -> str:
    return json.dumps([csl(c)], ensure_ascii=False, indent=2) + "\n"
