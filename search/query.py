"""The thin layer the views call: request parameters in, a page of results and facets out.

Everything here speaks haystack's portable ``SearchQuerySet`` API (``filter`` with ``SQ``,
``facet``, ``order_by``, ``spelling_suggestion``), so moving to Elasticsearch or Solr is a
``SEARCH_URL`` change; the Whoosh specifics live in ``search/backends.py``.

Public parameters are whitelisted here: facet names map to index fields, values must look
like keys of that facet and exist among published statements (else ``BadSearchRequest``,
a 400), sort names map to index orderings.
"""

from __future__ import annotations

import datetime
import json
import re
import threading
from dataclasses import dataclass, field
from functools import reduce
from operator import and_, or_

from django.db.models import Exists, OuterRef, Q
from django.http import QueryDict
from django.utils.http import urlencode
from haystack.inputs import Exact
from haystack.query import SQ, SearchQuerySet

from archive.models import Country, Event, Kind, Language, Speaker, Statement, Topic

from .analysis import query_terms, word_analyzer
from .backends import SearchUnavailable
from .parsing import AnyOf, FieldFilter, ParsedQuery, Phrase, Word, parse_query
from .search_indexes import series_key

PAGE_SIZE = 20
MAX_PAGE = 250
MAX_VALUES_PER_FACET = 20
SIDEBAR_LIMIT = 12

SORTS = {"relevance": None, "newest": "-date", "oldest": "date"}
FACETS = ("speaker", "country", "event", "series", "topic", "kind", "language", "year")
FACET_TITLES = {
    "speaker": "Speaker",
    "country": "Country",
    "event": "Event",
    "series": "Series",
    "topic": "Topic",
    "kind": "Kind",
    "language": "Language",
    "year": "Year",
}
_KEY_PATTERNS = {
    "speaker": r"[-a-zA-Z0-9_]{1,220}",
    "event": r"[-a-zA-Z0-9_]{1,220}",
    "series": r"[-a-zA-Z0-9_]{1,220}",
    "topic": r"[-a-zA-Z0-9_]{1,140}",
    "country": r"[A-Za-z]{2,3}",
    "kind": r"[a-z_]{1,20}",
    "language": r"[a-z]{2,8}",
    "year": r"\d{4}",
}


class BadSearchRequest(ValueError):
    """A parameter the page cannot honour; the message is shown to the user (400)."""


@dataclass
class SearchRequest:
    q: str = ""
    parsed: ParsedQuery = field(default_factory=ParsedQuery)
    selected: dict[str, list[str]] = field(default_factory=dict)
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    sort: str = "relevance"
    page: int = 1

    @property
    def has_criteria(self) -> bool:
        return bool(self.parsed.clauses or self.selected or self.date_from or self.date_to)


@dataclass
class Row:
    pk: int
    title: str
    url: str
    date: datetime.date | None
    speakers: list[dict]
    event_label: str
    place: str
    country_name: str
    snippet: str = ""


@dataclass
class FacetValue:
    key: str
    label: str
    count: int
    selected: bool
    url: str


@dataclass
class Outcome:
    rows: list[Row]
    hits: int
    facets: dict[str, list[FacetValue]]
    years: list[tuple[int, int, bool, str]]
    chips: list[dict]
    notices: list[str]
    suggestion: dict | None = None
    relax: dict | None = None


# --- reading the request -------------------------------------------------------------------


def read_request(params: QueryDict) -> SearchRequest:
    """Validate the GET parameters (format only; existence is checked with the labels)."""
    q = params.get("q", "")
    parsed = parse_query(q)
    selected: dict[str, list[str]] = {}
    for name in FACETS:
        values = []
        for raw in params.getlist(name):
            value = raw.strip()
            if not value:
                continue
            if not re.fullmatch(_KEY_PATTERNS[name], value):
                raise BadSearchRequest(f"“{value[:60]}” is not a valid {name} value.")
            if name == "country":
                value = value.upper()
            if value not in values:
                values.append(value)
        if len(values) > MAX_VALUES_PER_FACET:
            raise BadSearchRequest(
                f"Too many {name} values (at most {MAX_VALUES_PER_FACET} at once)."
            )
        if values:
            selected[name] = values
    date_from = _date_param(params, "from")
    date_to = _date_param(params, "to")
    if date_from and date_to and date_from > date_to:
        raise BadSearchRequest("The “from” date is after the “to” date.")
    default_sort = "relevance" if parsed.positive_text() else "newest"
    sort = params.get("sort", "").strip() or default_sort
    if sort not in SORTS:
        raise BadSearchRequest(f"Unknown sort order “{sort[:40]}” (relevance, newest, oldest).")
    return SearchRequest(q, parsed, selected, date_from, date_to, sort)


def _date_param(params, name):
    raw = params.get(name, "").strip()
    if not raw:
        return None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        raise BadSearchRequest(f"The “{name}” date must look like 2022-12-31.")
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError as exc:
        raise BadSearchRequest(f"The “{name}” date {raw} does not exist.") from exc


def read_page(raw: str | None) -> int | None:
    """The page number, or None for nonsense (the view answers 404)."""
    if raw in (None, ""):
        return 1
    if not re.fullmatch(r"[1-9]\d{0,5}", raw.strip()):
        return None
    page = int(raw)
    return page if page <= MAX_PAGE else None


# --- labels from the database (one query per facet) ----------------------------------------


# Labels of keys read from the index, for the index generation they were read from: a rename
# re-indexes the statements concerned, so a new generation brings new labels.
_LABELS: dict = {"generation": None}
_LABELS_LOCK = threading.Lock()
_CACHED_LABELS = ("speaker", "event", "topic", "country", "series")


def index_generation():
    """The live index generation's key, or None (no index, or an engine without one)."""
    from haystack import connections

    backend = connections["default"].get_backend()
    generation_key = getattr(backend, "generation_key", None)
    try:
        return generation_key() if generation_key else None
    except SearchUnavailable:
        return None


def facet_labels(name: str, keys, *, published_only: bool = False,
                 generation=None) -> dict[str, str]:
    """Labels of facet keys, in one query (or none, for keys seen in this index generation).

    Keys read from the index belong to published statements already; keys a visitor typed
    (``published_only``) must also have a published statement, so a draft-only speaker's
    name is never shown; those are always checked in the database.  ``generation``: what
    ``index_generation()`` gave, when a caller labels several facets at once.
    """
    keys = list(dict.fromkeys(keys))
    if not keys:
        return {}
    if published_only or name not in _CACHED_LABELS:
        return _labels_from_database(name, keys, published_only=published_only)
    generation = generation if generation is not None else index_generation()
    if generation is None:
        return _labels_from_database(name, keys)
    with _LABELS_LOCK:
        if _LABELS["generation"] != generation:
            _LABELS.clear()
            _LABELS["generation"] = generation
        known = _LABELS.setdefault(name, {})
        missing = [k for k in keys if k not in known]
    if missing:
        found = _labels_from_database(name, missing)
        with _LABELS_LOCK:
            if _LABELS["generation"] == generation:
                for key in missing:
                    known[key] = found.get(key)
    return {k: known[k] for k in keys if known.get(k) is not None}


def _labels_from_database(name: str, keys, *, published_only: bool = False) -> dict[str, str]:
    if name in ("speaker", "event", "topic", "country"):
        model, key_field = {
            "speaker": (Speaker, "slug"),
            "event": (Event, "slug"),
            "topic": (Topic, "slug"),
            "country": (Country, "code"),
        }[name]
        qs = model.objects.filter(**{f"{key_field}__in": keys})
        if published_only:
            qs = qs.filter(Exists(published_statements_of(name)))
        return dict(qs.values_list(key_field, "name"))
    if name == "series":
        events = Event.objects.exclude(series="")
        if published_only:
            events = events.filter(Exists(published_statements_of("event")))
        wanted = set(keys)
        names = events.values_list("series", flat=True).distinct()
        return {series_key(s): s for s in names if series_key(s) in wanted}
    if name == "kind":
        return {k: str(Kind(k).label) for k in keys if k in Kind.values}
    if name == "language":
        return {k: str(Language(k).label) for k in keys if k in Language.values}
    if name == "year":
        return {k: k for k in keys}
    return {}


def published_statements_of(name: str):
    """Published statements of the outer speaker/event/topic/country (for ``Exists``)."""
    published = Statement.objects.published()
    if name == "speaker":
        return published.filter(statement_speakers__speaker=OuterRef("pk"))
    if name == "topic":
        return published.filter(topics=OuterRef("pk"))
    return published.filter(**{name: OuterRef("pk")})


# --- building the SearchQuerySet -----------------------------------------------------------


def resolve_field(name: str, value: str) -> list[str] | None:
    """Index keys a field filter of the query box stands for (published entities only)."""
    if name == "speaker":
        qs = Speaker.objects.filter(
            Q(name__icontains=value) | Q(aliases__icontains=value) | Q(slug=value)
        ).filter(Exists(published_statements_of("speaker")))
        return list(qs.values_list("slug", flat=True)[:50])
    if name == "event":
        qs = Event.objects.filter(
            Q(name__icontains=value)
            | Q(short_name__icontains=value)
            | Q(series__icontains=value)
            | Q(city__icontains=value)
            | Q(slug=value)
        ).filter(Exists(published_statements_of("event")))
        return list(qs.values_list("slug", flat=True)[:50])
    if name == "country":
        qs = Country.objects.filter(Q(code__iexact=value) | Q(name__icontains=value)).filter(
            Exists(published_statements_of("country"))
        )
        return list(qs.values_list("code", flat=True)[:50])
    if name == "topic":
        qs = Topic.objects.filter(Q(name__icontains=value) | Q(slug=value)).filter(
            Exists(published_statements_of("topic"))
        )
        return list(qs.values_list("slug", flat=True)[:50])
    return None


def _clause_sq(clause, notices) -> SQ | None:
    if isinstance(clause, AnyOf):
        parts = [p for p in (_clause_sq(c, notices) for c in clause.items) if p is not None]
        return reduce(or_, parts) if parts else None
    if isinstance(clause, Word):
        if not query_terms(clause.text):
            return None
        sq = SQ(content=clause.text)
    elif isinstance(clause, Phrase):
        if not query_terms(clause.text):
            return None
        sq = SQ(content=Exact(clause.text))
    elif isinstance(clause, FieldFilter):
        if clause.name == "year":
            sq = SQ(year=clause.value)
        elif clause.name == "from":
            sq = SQ(date__gte=datetime.date.fromisoformat(clause.value))
        elif clause.name == "to":
            sq = SQ(date__lte=datetime.date.fromisoformat(clause.value))
        else:
            keys = resolve_field(clause.name, clause.value)
            if not keys:
                notices.append(f"No {clause.name} matches “{clause.value}”.")
            sq = SQ(**{f"{clause.name}__in": keys or []})
    else:
        return None
    return ~sq if clause.negated else sq


def build_queryset(
    request: SearchRequest,
    *,
    parsed: ParsedQuery | None = None,
    skip_facet: str | None = None,
    skip_value: tuple[str, str] | None = None,
    skip_dates: bool = False,
    notices: list[str] | None = None,
):
    """The SearchQuerySet for this request (optionally leaving one selection out)."""
    parsed = parsed if parsed is not None else request.parsed
    notices = notices if notices is not None else []
    sqs = SearchQuerySet()
    parts = [p for p in (_clause_sq(c, notices) for c in parsed.clauses) if p is not None]
    if parts:
        sqs = sqs.filter(reduce(and_, parts))
    for name, values in request.selected.items():
        if name == skip_facet:
            continue
        if skip_value and skip_value[0] == name:
            values = [v for v in values if v != skip_value[1]]
            if not values:
                continue
        sqs = sqs.filter(**{f"{name}__in": values})
    if not skip_dates:
        if request.date_from:
            sqs = sqs.filter(date__gte=request.date_from)
        if request.date_to:
            sqs = sqs.filter(date__lte=request.date_to)
    order = SORTS[request.sort]
    if order:
        sqs = sqs.order_by(order)
    return sqs


# --- running it ----------------------------------------------------------------------------


def run_search(request: SearchRequest, params: QueryDict) -> Outcome:
    """One page of results with facets; raises SearchUnavailable or BadSearchRequest."""
    labels_selected = {
        name: facet_labels(name, values, published_only=True)
        for name, values in request.selected.items()
    }
    for name, values in request.selected.items():
        unknown = [v for v in values if v not in labels_selected[name]]
        if unknown:
            raise BadSearchRequest(f"There is no {name} “{unknown[0]}” in the archive.")

    notices = list(request.parsed.notices)
    sqs = build_queryset(request, notices=notices)
    for name in FACETS:
        if name not in request.selected:
            sqs = sqs.facet(name)
    start = (request.page - 1) * PAGE_SIZE
    try:
        results = sqs[start : start + PAGE_SIZE]
        hits = sqs.count()
        counts = dict(sqs.facet_counts().get("fields", {}))
        for name in request.selected:
            # Counts of a facet with a selection ignore that selection, so other values can
            # be added (OR within a facet, AND across facets).
            other = build_queryset(request, skip_facet=name).facet(name)
            other[:0]
            counts[name] = other.facet_counts().get("fields", {}).get(name, [])
    except SearchUnavailable:
        raise
    except (OSError, EOFError) as exc:
        raise SearchUnavailable(f"The search index cannot be read: {exc}") from exc

    rows = _rows(results, request.parsed)
    facets = _facets(counts, request, params, labels_selected)
    years = _years(counts.get("year", []), request, params)
    chips = _chips(request, params, labels_selected)
    outcome = Outcome(rows, hits, facets, years, chips, notices)
    if hits == 0 and request.has_criteria:
        outcome.suggestion = _suggestion(request, params)
        outcome.relax = _relax(request, params, chips)
    return outcome


def _rows(results, parsed: ParsedQuery) -> list[Row]:
    from .highlight import snippet

    pks = [int(r.pk) for r in results]
    # One query for the page: the bodies for snippets, and a last check that every hit is
    # still published (the index may be a moment behind an unpublish).
    bodies = dict(
        Statement.objects.published().filter(pk__in=pks).values_list("pk", "body")
    )
    terms = set(query_terms(" ".join(parsed.positive_text())))
    rows = []
    for r in results:
        pk = int(r.pk)
        if pk not in bodies:
            continue
        try:
            speakers = json.loads(getattr(r, "speakers_json", "") or "[]")
        except ValueError:
            speakers = []
        date = getattr(r, "date", None)
        if isinstance(date, datetime.datetime):
            date = date.date()
        rows.append(
            Row(
                pk=pk,
                title=getattr(r, "title", "") or "",
                url=getattr(r, "url", "") or "",
                date=date,
                speakers=speakers if isinstance(speakers, list) else [],
                event_label=getattr(r, "event_label", "") or "",
                place=getattr(r, "place", "") or "",
                country_name=getattr(r, "country_name", "") or "",
                snippet=snippet(bodies[pk], terms),
            )
        )
    return rows


def url_with(params: QueryDict, *, add=None, remove=None, set_=None, drop=()) -> str:
    """``?…`` for these parameters with one value added/removed/set; the page always resets."""
    # Plain lists rather than QueryDict.copy() (a deep copy): a results page builds a link
    # like this for every facet value and year shown, a hundred or more.
    lists = {key: list(values) for key, values in params.lists()
             if key != "page" and key not in drop}
    if add:
        name, value = add
        values = lists.setdefault(name, [])
        if value not in values:
            values.append(value)
    if remove:
        name, value = remove
        if name in lists:
            lists[name] = [v for v in lists[name] if v.strip() != value]
    if set_:
        name, value = set_
        lists[name] = [value]
    encoded = urlencode([(key, v) for key, values in lists.items() for v in values if v.strip()])
    return "?" + encoded if encoded else "?"


def _facets(counts, request, params, labels_selected) -> dict[str, list[FacetValue]]:
    out = {}
    generation = index_generation()
    for name in FACETS:
        if name == "year":
            continue
        pairs = [(k, c) for k, c in counts.get(name, []) if k]
        selected = request.selected.get(name, [])
        shown = pairs[:SIDEBAR_LIMIT]
        shown_keys = {k for k, _ in shown}
        # A selected value always stays visible (with its count, or 0).
        pair_counts = dict(pairs)
        for key in selected:
            if key not in shown_keys:
                shown.append((key, pair_counts.get(key, 0)))
        labels = facet_labels(
            name, [k for k, _ in shown if k not in labels_selected.get(name, {})],
            generation=generation,
        )
        labels.update(labels_selected.get(name, {}))
        values = []
        for key, count in shown:
            if key not in labels:
                continue  # indexed a moment ago, since unpublished or renamed
            is_selected = key in selected
            url = url_with(
                params, remove=(name, key)) if is_selected else url_with(params, add=(name, key)
            )
            values.append(FacetValue(key, labels[key], count, is_selected, url))
        if values:
            out[name] = values
    return out


def _years(pairs, request, params) -> list[tuple[int, int, bool, str]]:
    counts = {int(k): c for k, c in pairs if k and str(k).isdigit()}
    if not counts:
        return []
    low, high = min(counts), max(counts)
    # Every year of the span (gaps show as gaps), unless the span is too long to draw.
    years = sorted(counts) if high - low > 80 else list(range(low, high + 1))
    selected = set(request.selected.get("year", []))
    return [
        (y, counts.get(y, 0), str(y) in selected, url_with(params, set_=("year", str(y))))
        for y in years
    ]


def _chips(request, params, labels_selected) -> list[dict]:
    chips = []
    for name, values in request.selected.items():
        for value in values:
            chips.append(
                {
                    "kind": "facet",
                    "name": name,
                    "value": value,
                    "title": FACET_TITLES[name],
                    "label": labels_selected[name].get(value, value),
                    "url": url_with(params, remove=(name, value)),
                }
            )
    for name in ("from", "to"):
        value = getattr(request, f"date_{name}")
        if value:
            chips.append(
                {
                    "kind": "date",
                    "name": name,
                    "value": value.isoformat(),
                    "title": name.capitalize(),
                    "label": value.isoformat(),
                    "url": url_with(params, drop=(name,)),
                }
            )
    return chips


def _suggestion(request, params) -> dict | None:
    words = request.parsed.positive_text()
    if not words:
        return None
    original = [t.text for t in word_analyzer()(" ".join(words))][:20]
    # A fresh queryset: one that has run keeps its (empty) suggestion.
    suggested = build_queryset(request).spelling_suggestion(" ".join(words))
    if not suggested:
        return None
    replacement = dict(zip(original, suggested.split(), strict=False))
    replacement = {a: b for a, b in replacement.items() if a != b}
    if not replacement:
        return None
    pattern = re.compile(
        r"(?<!\w)(" + "|".join(re.escape(w) for w in sorted(replacement, key=len, reverse=True))
        + r")(?!\w)",
        re.IGNORECASE,
    )
    new_q = pattern.sub(lambda m: replacement.get(m.group(0).lower(), m.group(0)),
                        request.parsed.text)
    if new_q == request.parsed.text:
        return None
    parsed = parse_query(new_q)
    hits = build_queryset(request, parsed=parsed).count()
    if not hits:
        return None
    return {"q": new_q, "hits": hits, "url": url_with(params, set_=("q", new_q))}


def _relax(request, params, chips) -> dict | None:
    """The one selection whose removal brings back the most results."""
    best = None
    for chip in chips[:8]:
        if chip["kind"] == "facet":
            sqs = build_queryset(request, skip_value=(chip["name"], chip["value"]))
        else:
            trimmed = SearchRequest(
                request.q, request.parsed, request.selected,
                None if chip["name"] == "from" else request.date_from,
                None if chip["name"] == "to" else request.date_to,
                request.sort,
            )
            sqs = build_queryset(trimmed)
        hits = sqs.count()
        if hits and (best is None or hits > best["hits"]):
            best = {**chip, "hits": hits}
    return best
