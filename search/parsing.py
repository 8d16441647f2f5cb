"""The query language of the search box, parsed here (never by Whoosh's parser).

    water security          both words (every word must match; word forms are folded)
    water AND security      the same (AND is accepted, and changes nothing)
    "border security"       the exact phrase
    "border security"~5     the words within five words of each other, in any order
    -sanctions              without this word (also -"a phrase", -speaker:...)
    NOT sanctions           the same as -sanctions
    Geneva OR Vienna        either word (OR binds the clauses on each side of it)
    speaker:"Al Qahtani"    a speaker whose name or alias contains the text
    event:Dushanbe          an event whose name, short name, series or city contains the text
    country:QAT             a delegation by ISO code or name
    topic:"border security" a topic by name
    year:2022  from:2020-01-01  to:2022-12-31

Anything else with a colon is read as plain words.  Wildcards are not supported (a leading
wildcard would walk the whole term list).  The text is cleaned of control and direction
characters and capped in length and number of clauses, with a notice saying so.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext
from django.utils.translation import gettext as _

# One limit for the search page, the API, the feeds and the exports: longer text is cut
# here, with a notice, rather than refused (nothing the user typed makes the request fail).
MAX_QUERY_CHARS = 1000
MAX_CLAUSES = 24
FIELD_NAMES = ("speaker", "event", "country", "topic", "year", "from", "to")

_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"',
                         "\u00bb": '"', "\u2033": '"', "\uff02": '"'})


@dataclass(frozen=True)
class Word:
    text: str
    negated: bool = False


@dataclass(frozen=True)
class Phrase:
    text: str
    negated: bool = False
    # "..."~N: the words within N further words of each other, in any order (0: the phrase).
    slop: int = 0


@dataclass(frozen=True)
class FieldFilter:
    name: str
    value: str
    negated: bool = False


@dataclass(frozen=True)
class AnyOf:
    """Clauses joined by OR."""

    items: tuple


@dataclass
class ParsedQuery:
    clauses: list = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    text: str = ""

    @property
    def is_empty(self) -> bool:
        return not self.clauses

    def positive_text(self) -> list[str]:
        """Words and phrases the user wants to see (for highlighting and spelling)."""
        out: list[str] = []

        def walk(clause):
            if isinstance(clause, AnyOf):
                for item in clause.items:
                    walk(item)
            elif isinstance(clause, (Word, Phrase)) and not clause.negated:
                out.append(clause.text)

        for clause in self.clauses:
            walk(clause)
        return out

    def field_filters(self) -> list[FieldFilter]:
        return [c for c in self.clauses if isinstance(c, FieldFilter)]


_WORD_CHAR = re.compile(r"\w")
# "..."~N right after a closing quote.
_NEAR = re.compile(r"~(\d{1,3})(?![\w~])")
MAX_SLOP = 50


def has_words(text: str) -> bool:
    """Whether ``text`` holds anything searchable (a letter or a digit)."""
    return bool(_WORD_CHAR.search(text or ""))


def clean_text(raw: str) -> str:
    """NFC, straight quotes, no control/format characters (NUL, RTL marks), single spaces."""
    text = unicodedata.normalize("NFC", raw or "").translate(_QUOTES)
    chars = []
    for ch in text:
        category = unicodedata.category(ch)
        if category in ("Cc", "Zl", "Zp") or ch.isspace():
            chars.append(" ")
        elif category in ("Cf", "Cs", "Co", "Cn"):
            continue
        else:
            chars.append(ch)
    return re.sub(r" {2,}", " ", "".join(chars)).strip()


def parse_query(raw: str) -> ParsedQuery:
    result = ParsedQuery()
    text = clean_text(raw)
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS].rsplit(" ", 1)[0] or text[:MAX_QUERY_CHARS]
        result.notices.append(
            _("Your query was longer than %(limit)d characters; only the beginning was searched.")
            % {"limit": MAX_QUERY_CHARS}
        )
    result.text = text
    if any(ch in text for ch in "*?"):
        result.notices.append(
            _("Wildcards (* and ?) are not supported; the words around them were searched.")
        )

    tokens = _tokenise(text, result.notices)
    clauses: list = []
    pending_or = False
    negate_next = False
    for kind, value in tokens:
        if kind == "op":
            if value == "OR":
                pending_or = bool(clauses)
            elif value == "NOT":
                negate_next = True
            continue
        if pending_or and negate_next:
            # "a OR NOT b" has no meaning here (everything without b, or a?): read as "a -b".
            pending_or = False
        clause = _clause(kind, value, negate_next, result.notices)
        negate_next = False
        if clause is None:
            continue
        if pending_or and clauses:
            previous = clauses.pop()
            items = previous.items if isinstance(previous, AnyOf) else (previous,)
            clause = AnyOf((*items, clause))
        pending_or = False
        clauses.append(clause)

    if negate_next:
        result.notices.append(gettext("NOT at the end of the query had nothing to leave out."))
    if len(clauses) > MAX_CLAUSES:
        clauses = clauses[:MAX_CLAUSES]
        result.notices.append(
            _("Only the first %(count)d terms of your query were used.") % {"count": MAX_CLAUSES}
        )
    result.clauses = clauses
    _check_date_range(clauses, result.notices)
    return result


def _check_date_range(clauses, notices) -> None:
    """A ``to:`` before a ``from:`` can match nothing: say so rather than show no results."""
    starts = [c.value for c in clauses
              if isinstance(c, FieldFilter) and c.name == "from" and not c.negated]
    ends = [c.value for c in clauses
            if isinstance(c, FieldFilter) and c.name == "to" and not c.negated]
    if starts and ends and max(starts) > min(ends):
        notices.append(
            _("“to:%(end)s” is before “from:%(start)s”, so no statement can match.")
            % {"end": min(ends), "start": max(starts)}
        )


def _tokenise(text: str, notices: list[str]):
    """Yield (kind, value): ("op", "OR"), ("word", (neg, str)), ("phrase", ...), ("field", ...)."""
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == " ":
            i += 1
            continue
        negated = False
        if ch == "-" and i + 1 < n and text[i + 1] not in " -":
            negated = True
            i += 1
            ch = text[i]
        if ch == '"':
            end = text.find('"', i + 1)
            if end == -1:
                notices.append(_("A quotation mark was not closed; it was closed at the end."))
                end = n
            phrase = text[i + 1 : end].strip()
            i = end + 1
            near = _NEAR.match(text, i)
            if near:
                i = near.end()
                slop = min(int(near.group(1)), MAX_SLOP)
                yield "phrase", (negated, phrase, slop)
                continue
            yield "phrase", (negated, phrase, 0)
            continue
        j = i
        while j < n and text[j] not in ' "':
            j += 1
        token = text[i:j]
        i = j
        name, colon, value = token.partition(":")
        if colon and name.lower() in FIELD_NAMES:
            if not value and i < n and text[i] == '"':
                end = text.find('"', i + 1)
                if end == -1:
                    notices.append(_("A quotation mark was not closed; it was closed at the end."))
                    end = n
                value = text[i + 1 : end]
                i = end + 1
            if not value.strip():
                notices.append(_("“%(name)s:” needs a value, e.g. %(name)s:something.")
                               % {"name": name.lower()})
                continue
            yield "field", (negated, name.lower(), value.strip())
            continue
        if not negated and token in ("OR", "AND", "NOT"):
            if token != "AND":
                yield "op", token
            continue
        if colon:
            # An unknown prefix is not a field: its parts are ordinary words.
            for part in token.split(":"):
                if part:
                    yield "word", (negated, part)
            continue
        yield "word", (negated, token)


def _clause(kind, value, negate_next, notices):
    if kind == "word":
        negated, text = value
        return Word(text, negated or negate_next) if text else None
    if kind == "phrase":
        negated, text, slop = value
        return Phrase(text, negated or negate_next, slop) if text else None
    negated, name, text = value
    negated = negated or negate_next
    if name == "year":
        if not re.fullmatch(r"\d{4}", text):
            notices.append(_("“year:%(text)s” is not a year (use four digits, e.g. year:2022).")
                           % {"text": text})
            return None
    elif name in ("from", "to"):
        try:
            datetime.date.fromisoformat(text)
        except ValueError:
            notices.append(_("“%(name)s:%(text)s” is not a date (use YYYY-MM-DD).")
                           % {"name": name, "text": text})
            return None
    return FieldFilter(name, text[:200], negated)


def format_query(clauses) -> str:
    """Clauses written back in the query language (what ``parse_query`` reads as them)."""
    return " ".join(_format(c) for c in clauses)


def _format(clause) -> str:
    if isinstance(clause, AnyOf):
        return " OR ".join(_format(c) for c in clause.items)
    sign = "-" if getattr(clause, "negated", False) else ""
    if isinstance(clause, Word):
        return sign + clause.text
    if isinstance(clause, Phrase):
        return f'{sign}"{clause.text}"' + (f"~{clause.slop}" if clause.slop else "")
    value = f'"{clause.value}"' if " " in clause.value else clause.value
    return f"{sign}{clause.name}:{value}"
