"""One search request: a form that reads every public parameter, and the functions that run it.

The search page, the JSON API, the search feed and the CSV/JSON exports all read their query
string with :class:`SearchForm` and run it with the functions below, so they cannot disagree:
the same parameters find the same statements in the same order, and the same bad parameter
gets the same 400 and message everywhere.

Public parameters are whitelisted here: facet names map to index fields, values must look
like keys of that facet and belong to published statements, sort names map to orderings.
Only haystack's portable ``SearchQuerySet`` API is used to run a search; what an engine does
beyond it is reached through the engine contract (``search.engine``).
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import reduce
from operator import and_, or_

from django import forms
from django.db.models import Q
from django.http import QueryDict
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext as _
from haystack.inputs import Exact
from haystack.query import SQ, SearchQuerySet

from archive.models import Country, Event, Kind, Language, Speaker, Statement, Topic

from . import folded_names
from .engine import get_engine
from .errors import BadSearchRequest, SearchUnavailable
from .freshness import pending_removals
from .inputs import Near, Typed
from .parsing import (
    MAX_QUERY_CHARS,
    AnyOf,
    FieldFilter,
    ParsedQuery,
    Phrase,
    Word,
    format_query,
    has_words,
    parse_query,
)
from .search_indexes import series_key

__all__ = [
    "EXPORT_MAX_ROWS", "FACETS", "FACET_TITLES", "MAX_PAGE", "MAX_QUERY_CHARS",
    "MAX_VALUES_PER_FACET", "PAGE_SIZE", "SEARCH_PARAMETERS", "SORTS", "BadSearchRequest",
    "FacetValue", "Outcome", "Row", "SearchForm", "SearchRequest", "SearchUnavailable",
    "build_queryset", "count", "facets_for", "iter_statements", "latest_added", "read_page",
    "read_request",
    "run_search", "statements_for_page", "url_with",
]

PAGE_SIZE = 20
MAX_PAGE = 250
# The most statements one CSV or JSON export of a search holds (a larger one is refused).
EXPORT_MAX_ROWS = 5000
MAX_VALUES_PER_FACET = 20
SIDEBAR_LIMIT = 12

SORTS = {"relevance": None, "newest": "-date", "oldest": "date"}
FACETS = ("speaker", "country", "event", "series", "topic", "kind", "language", "year")
FACET_TITLES = {
    "speaker": gettext_lazy("Speaker"),
    "country": gettext_lazy("Country"),
    "event": gettext_lazy("Event"),
    "series": gettext_lazy("Series"),
    "topic": gettext_lazy("Topic"),
    "kind": gettext_lazy("Kind"),
    "language": gettext_lazy("Language"),
    "year": gettext_lazy("Year"),
}
# What a key of each facet looks like (the API's schema states the same patterns).
# Slugs may be in any script (archive/slugs.py): letters, digits, "-" and "_".
KEY_PATTERNS = {
    "speaker": r"[-\w]{1,220}",
    "event": r"[-\w]{1,220}",
    "series": r"[-\w]{1,220}",
    "topic": r"[-\w]{1,140}",
    "country": r"[A-Za-z]{2,3}",
    "kind": "|".join(Kind.values),
    "language": "|".join(Language.values),
    "year": r"\d{4}",
}
DATE_PATTERN = r"\d{4}-\d{2}-\d{2}"
SEARCH_PARAMETERS = ("q", *FACETS, "from", "to", "sort")


# --- reading the request -------------------------------------------------------------------


class FacetKeysField(forms.Field):
    """Repeated values of one facet: each must look like a key of it; duplicates collapse."""

    widget = forms.MultipleHiddenInput

    def __init__(self, name: str, **kwargs):
        super().__init__(required=False, **kwargs)
        self.facet = name
        self.pattern = re.compile(KEY_PATTERNS[name])

    def to_python(self, value) -> list[str]:
        values = value if isinstance(value, list | tuple) else ([value] if value else [])
        if len(values) > MAX_VALUES_PER_FACET:
            raise forms.ValidationError(
                _("Too many %(facet)s values (at most %(limit)d at once).")
                % {"facet": self.facet, "limit": MAX_VALUES_PER_FACET},
                code="too_many",
            )
        keys: list[str] = []
        for raw in values:
            raw = str(raw)
            if not self.pattern.fullmatch(raw):
                raise forms.ValidationError(
                    _("“%(value)s” is not a valid %(facet)s value.")
                    % {"value": raw[:60], "facet": self.facet}, code="invalid"
                )
            key = raw.upper() if self.facet == "country" else raw
            if key not in keys:
                keys.append(key)
        return keys


class IsoDateField(forms.Field):
    """A YYYY-MM-DD date; empty means none."""

    def __init__(self, label: str, **kwargs):
        super().__init__(required=False, label=label, **kwargs)

    def to_python(self, value) -> datetime.date | None:
        raw = (value or "").strip()
        if not raw:
            return None
        if not re.fullmatch(DATE_PATTERN, raw):
            raise forms.ValidationError(
                _("The “%(name)s” date must look like 2022-12-31.") % {"name": self.label},
                code="format",
            )
        try:
            return datetime.date.fromisoformat(raw)
        except ValueError as exc:
            raise forms.ValidationError(
                _("The “%(name)s” date %(date)s does not exist.")
                % {"name": self.label, "date": raw}, code="no_such_date",
            ) from exc


class QueryTextField(forms.Field):
    """The query box: any text is accepted; ``parse_query`` cleans it (control characters
    out, long text cut with a notice), so nothing typed makes the request fail."""

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def to_python(self, value) -> str:
        return "" if value is None else str(value)


class SearchForm(forms.Form):
    """Every public search parameter.  ``page`` is the caller's (a page out of range is a 404
    on the search page and the API alike, see ``read_page``)."""

    q = QueryTextField()
    sort = QueryTextField()

    def __init__(self, data: QueryDict, **kwargs):
        super().__init__(data, **kwargs)
        for name in FACETS:
            self.fields[name] = FacetKeysField(name)
        # "from" is a Python keyword: these two are added by name.
        self.fields["from"] = IsoDateField("from")
        self.fields["to"] = IsoDateField("to")
        self.labels: dict[str, dict[str, str]] = {}

    def clean_sort(self) -> str:
        sort = (self.cleaned_data.get("sort") or "").strip()
        if sort and sort not in SORTS:
            raise forms.ValidationError(
                _("Unknown sort order “%(sort)s” (%(sorts)s).")
                % {"sort": sort[:40], "sorts": ", ".join(SORTS)}, code="sort",
            )
        return sort

    def clean(self):
        data = super().clean()
        for name in ("q", "sort", "from", "to"):
            if len(self.data.getlist(name)) > 1:
                raise forms.ValidationError(
                    _("Give “%(name)s” at most once.") % {"name": name}, code="repeated"
                )
        start, end = data.get("from"), data.get("to")
        if start and end and start > end:
            self.add_error("to", forms.ValidationError(
                _("The “from” date is after the “to” date."), code="dates"
            ))
        # Every selected value must belong to a published statement: a draft-only speaker's
        # name is never confirmed, and a mistyped key says so instead of finding nothing.
        for name in FACETS:
            keys = data.get(name) or []
            if not keys:
                continue
            labels = facet_labels(name, keys, published_only=True)
            unknown = [key for key in keys if key not in labels]
            if unknown:
                self.add_error(name, forms.ValidationError(
                    _("There is no %(facet)s “%(value)s” in the archive.")
                    % {"facet": name, "value": unknown[0]}, code="unknown",
                ))
            self.labels[name] = labels
        return data

    def first_error(self) -> str:
        for errors in self.errors.values():
            if errors:
                return str(errors[0])
        return _("The search parameters are not valid.")

    def error_dict(self) -> dict[str, list[str]]:
        return {name: [str(e) for e in errors] for name, errors in self.errors.items()}


@dataclass
class SearchRequest:
    q: str = ""
    parsed: ParsedQuery = field(default_factory=ParsedQuery)
    selected: dict[str, list[str]] = field(default_factory=dict)
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    sort: str = "relevance"
    page: int = 1
    labels: dict[str, dict[str, str]] = field(default_factory=dict)  # of the selected values
    params: QueryDict = field(default_factory=QueryDict)
    # Statements the index may hold that the database no longer publishes (read once).
    pending_removals: list[int] | None = None

    @property
    def has_criteria(self) -> bool:
        return bool(self.parsed.clauses or self.selected or self.date_from or self.date_to)

    def without(self, *, date_from: bool = False, date_to: bool = False) -> SearchRequest:
        return SearchRequest(
            self.q, self.parsed, self.selected,
            None if date_from else self.date_from, None if date_to else self.date_to,
            self.sort, self.page, self.labels, self.params, self.pending_removals,
        )


def read_request(params: QueryDict, *, form: SearchForm | None = None) -> SearchRequest:
    """The request these parameters describe; ``BadSearchRequest`` (a 400) when they cannot
    be honoured, with the message the user sees."""
    form = form or SearchForm(params)
    if not form.is_valid():
        error = BadSearchRequest(form.first_error())
        error.errors = form.error_dict()
        raise error
    data = form.cleaned_data
    parsed = parse_query(data["q"] or "")
    selected = {name: data[name] for name in FACETS if data.get(name)}
    sort = data["sort"] or ("relevance" if parsed.positive_text() else "newest")
    return SearchRequest(
        q=data["q"] or "", parsed=parsed, selected=selected, date_from=data["from"],
        date_to=data["to"], sort=sort, labels=form.labels, params=params,
    )


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
_ENTITIES = {
    "speaker": (Speaker, "slug"),
    "event": (Event, "slug"),
    "topic": (Topic, "slug"),
    "country": (Country, "code"),
}


def index_generation():
    """The live index's generation key, or None (no index, or an engine without one)."""
    try:
        return get_engine().generation()
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
    if name in _ENTITIES:
        model, key_field = _ENTITIES[name]
        qs = model.objects.filter(**{f"{key_field}__in": keys})
        if published_only:
            qs = qs.public()
        return dict(qs.values_list(key_field, "name"))
    if name == "series":
        # The few series named, then (for keys a visitor typed) whether each has a published
        # statement: not an EXISTS for every event (70 ms at 100,000 statements).
        wanted = set(keys)
        names = (Event.objects.exclude(series="").order_by()
                 .values_list("series", flat=True).distinct())
        found = {series_key(s): s for s in names if series_key(s) in wanted}
        if published_only:
            found = {key: series for key, series in found.items()
                     if Statement.objects.published().filter(event__series=series).exists()}
        return found
    if name == "kind":
        return {k: str(Kind(k).label) for k in keys if k in Kind.values}
    if name == "language":
        return {k: str(Language(k).label) for k in keys if k in Language.values}
    if name == "year":
        return {k: k for k in keys}
    return {}


# --- building the SearchQuerySet -----------------------------------------------------------


def resolve_field(name: str, value: str) -> list[str] | None:
    """Index keys a field filter of the query box stands for (public entities only), found
    whatever the accents on either side (``folded_names``)."""
    if name == "speaker":
        qs = Speaker.objects.public().filter(
            Q(name__icontains=value) | Q(name_ar__icontains=value)
            | Q(name_latin__icontains=value) | Q(aliases__icontains=value) | Q(slug=value)
        )
    elif name == "event":
        qs = Event.objects.public().filter(
            Q(name__icontains=value)
            | Q(short_name__icontains=value)
            | Q(series__icontains=value)
            | Q(city__icontains=value)
            | Q(slug=value)
        )
    elif name == "country":
        qs = Country.objects.public().filter(Q(code__iexact=value) | Q(name__icontains=value))
        return _with_folded(name, value, list(qs.values_list("code", flat=True)[:50]))
    elif name == "topic":
        qs = Topic.objects.public().filter(Q(name__icontains=value) | Q(slug=value))
    else:
        return None
    return _with_folded(name, value, list(qs.values_list("slug", flat=True)[:50]))


def _with_folded(name: str, value: str, keys: list[str], limit: int = 50) -> list[str]:
    extra = folded_names.more(name, value, set(keys), limit - len(keys))
    return keys + [key for key, _label in extra]


def _clause_sq(clause, notices) -> SQ | None:
    if isinstance(clause, AnyOf):
        parts = [p for p in (_clause_sq(c, notices) for c in clause.items) if p is not None]
        return reduce(or_, parts) if parts else None
    if isinstance(clause, Word):
        if not has_words(clause.text):
            return None
        sq = SQ(content=Typed(clause.text))
    elif isinstance(clause, Phrase):
        if not has_words(clause.text):
            return None
        sq = SQ(content=Near(clause.text, clause.slop) if clause.slop else Exact(clause.text))
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
                notices.append(_("No %(field)s matches “%(value)s”.")
                               % {"field": clause.name, "value": clause.value})
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
    notices: list[str] | None = None,
):
    """The SearchQuerySet for this request (optionally leaving one selection out).

    Statements unpublished or deleted a moment ago are left out even while their documents
    wait in the index for the worker, so no count, facet or label shows a draft.
    """
    parsed = parsed if parsed is not None else request.parsed
    notices = notices if notices is not None else []
    sqs = SearchQuerySet()
    if request.pending_removals is None:
        request.pending_removals = pending_removals()
    if request.pending_removals:
        sqs = sqs.exclude(django_id__in=[str(pk) for pk in request.pending_removals])
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
    if request.date_from:
        sqs = sqs.filter(date__gte=request.date_from)
    if request.date_to:
        sqs = sqs.filter(date__lte=request.date_to)
    order = SORTS[request.sort]
    if order:
        sqs = sqs.order_by(order)
    return sqs


def _counts(request: SearchRequest, sqs) -> dict[str, list[tuple[str, int]]]:
    """Counts per facet over every match.  A facet with a selection is counted without that
    selection, so that its other values say what adding them would bring (OR within a facet,
    AND across facets)."""
    counts = dict(sqs.facet_counts().get("fields", {}))
    for name in request.selected:
        other = build_queryset(request, skip_facet=name).facet(name)
        other[:0]
        counts[name] = other.facet_counts().get("fields", {}).get(name, [])
    return counts


def _with_facets(request: SearchRequest, sqs):
    for name in FACETS:
        if name not in request.selected:
            sqs = sqs.facet(name)
    return sqs


def _engine_errors(call):
    """Run ``call``; an engine's read failure becomes ``SearchUnavailable``."""
    try:
        return call()
    except SearchUnavailable:
        raise
    except (OSError, EOFError) as exc:
        raise SearchUnavailable(f"The search index cannot be read: {exc}") from exc


# --- the search page -----------------------------------------------------------------------


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
    # The paragraph the snippet comes from (``#p<n>`` on the statement page; 0: none), and
    # the link to it with the query, whose words the statement page marks.
    passage: int = 0
    passage_url: str = ""
    # The hit's other language versions the public may see: language, label, title, url,
    # and whether that one is the original.
    versions: list[dict] = field(default_factory=list)


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
    # On a page without results: the same query asked another way, each with its count.
    alternatives: list[dict] = field(default_factory=list)


def run_search(request: SearchRequest, params: QueryDict | None = None) -> Outcome:
    """One page of results with facets; raises ``SearchUnavailable``."""
    params = params if params is not None else request.params
    notices = list(request.parsed.notices)
    sqs = _with_facets(request, build_queryset(request, notices=notices))
    start = (request.page - 1) * PAGE_SIZE

    def run():
        results = sqs[start : start + PAGE_SIZE]
        return results, sqs.count(), _counts(request, sqs)

    results, hits, counts = _engine_errors(run)
    rows = _rows(results, request.parsed)
    facets = _facets(counts, request, params)
    years = _years(counts.get("year", []), request, params)
    chips = _chips(request, params)
    outcome = Outcome(rows, hits, facets, years, chips, notices)
    if hits == 0 and request.has_criteria:
        outcome.suggestion = _suggestion(request, params)
        outcome.relax = _relax(request, params, chips)
        outcome.alternatives = _alternatives(request, params)
    return outcome


def _rows(results, parsed: ParsedQuery) -> list[Row]:
    from .passages import best_passage

    pks = [int(r.pk) for r in results]
    # One query for the page: the bodies for snippets, and a last check that every hit is
    # still published (the index may be a moment behind an unpublish).
    found = Statement.objects.published().filter(pk__in=pks).values_list(
        "pk", "body", "version_group_id"
    )
    bodies, groups = {}, {}
    for pk, body, group in found:
        bodies[pk] = body
        if group is not None:
            groups[pk] = group
    versions = _versions_of_groups(set(groups.values()))
    words = parsed.positive_text()
    query = urlencode({"q": parsed.text}) if words else ""
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
        passage = best_passage(bodies[pk], words)
        url = getattr(r, "url", "") or ""
        passage_url = url
        if url and query:
            passage_url = f"{url}?{query}" + (f"#p{passage.number}" if passage.number else "")
        rows.append(
            Row(
                pk=pk,
                title=getattr(r, "title", "") or "",
                url=url,
                date=date,
                speakers=speakers if isinstance(speakers, list) else [],
                event_label=getattr(r, "event_label", "") or "",
                place=getattr(r, "place", "") or "",
                country_name=getattr(r, "country_name", "") or "",
                snippet=passage.html,
                passage=passage.number,
                passage_url=passage_url,
                versions=[v for v in versions.get(groups.get(pk), ()) if v["pk"] != pk],
            )
        )
    return rows


def _versions_of_groups(groups: set[int]) -> dict[int, list[dict]]:
    """The published statements of these language version groups, by group (one query)."""
    if not groups:
        return {}
    out: dict[int, list[dict]] = {}
    rows = (Statement.objects.published().filter(version_group__in=groups)
            .order_by("language", "pk")
            .values("pk", "version_group", "language", "title", "slug", "is_original"))
    for row in rows:
        out.setdefault(row["version_group"], []).append({
            "pk": row["pk"],
            "language": row["language"],
            "label": str(Language(row["language"]).label)
            if row["language"] in Language.values else row["language"],
            "title": row["title"],
            "url": reverse("archive:statement-detail", args=[row["slug"]]),
            "is_original": row["is_original"],
        })
    return out


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


def _facets(counts, request, params) -> dict[str, list[FacetValue]]:
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
        selected_labels = request.labels.get(name, {})
        labels = facet_labels(
            name, [k for k, _ in shown if k not in selected_labels], generation=generation
        )
        labels.update(selected_labels)
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


def _chips(request, params) -> list[dict]:
    chips = []
    for name, values in request.selected.items():
        for value in values:
            chips.append(
                {
                    "kind": "facet",
                    "name": name,
                    "value": value,
                    "title": FACET_TITLES[name],
                    "label": request.labels.get(name, {}).get(value, value),
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
                    "title": _("From") if name == "from" else _("To"),
                    "label": value.isoformat(),
                    "url": url_with(params, drop=(name,)),
                }
            )
    return chips


def _suggestion(request, params) -> dict | None:
    """A spelling of the query's words that finds something, with its count."""
    words = request.parsed.positive_text()
    if not words:
        return None
    replacements = dict(_engine_errors(lambda: get_engine().spell(" ".join(words))))
    if not replacements:
        return None
    pattern = re.compile(
        r"(?<!\w)("
        + "|".join(re.escape(w) for w in sorted(replacements, key=len, reverse=True))
        + r")(?!\w)",
    )
    new_q = pattern.sub(lambda m: replacements.get(m.group(0), m.group(0)), request.parsed.text)
    if new_q == request.parsed.text:
        return None
    parsed = parse_query(new_q)
    hits = build_queryset(request, parsed=parsed).count()
    if not hits:
        return None
    return {"q": new_q, "hits": hits, "url": url_with(params, set_=("q", new_q))}


def _relax(request, params, chips) -> dict | None:
    """The narrowest filter: the one selection (a facet, a date, or a field of the query such
    as ``speaker:`` or ``year:``) whose removal alone brings back the most results."""
    best = None
    for chip in chips[:8]:
        if chip["kind"] == "facet":
            sqs = build_queryset(request, skip_value=(chip["name"], chip["value"]))
        else:
            sqs = build_queryset(request.without(date_from=chip["name"] == "from",
                                                 date_to=chip["name"] == "to"))
        hits = sqs.count()
        if hits and (best is None or hits > best["hits"]):
            best = {**chip, "hits": hits}
    clauses = request.parsed.clauses
    for index, clause in enumerate(clauses[:MAX_FIELD_RELAX]):
        if not isinstance(clause, FieldFilter) or clause.negated:
            continue
        rest = clauses[:index] + clauses[index + 1:]
        new_q = format_query(rest)
        hits = build_queryset(request, parsed=parse_query(new_q)).count()
        if hits and (best is None or hits > best["hits"]):
            best = {"kind": "query", "name": clause.name, "value": clause.value,
                    "title": clause.name, "label": clause.value, "hits": hits,
                    "url": url_with(params, set_=("q", new_q))}
    return best


MAX_FIELD_RELAX = 8


def _alternatives(request, params) -> list[dict]:
    """The same words asked more loosely: without the quotation marks, and with OR between
    them; each with its count, and only those that find something."""
    clauses = request.parsed.clauses
    offers = []
    if any(isinstance(c, Phrase) and not c.negated for c in clauses):
        loose = []
        for c in clauses:
            if isinstance(c, Phrase) and not c.negated:
                loose += [Word(w) for w in c.text.split()]
            else:
                loose.append(c)
        offers.append(("unquoted", gettext("The same words without quotation marks"), loose))
    positive = [c for c in clauses if isinstance(c, Word | Phrase) and not c.negated]
    words = [Word(w) for c in positive for w in c.text.split()]
    if len(words) > 1:
        rest = [c for c in clauses if c not in positive]
        offers.append(("any", gettext("Any of the words (OR)"), [AnyOf(tuple(words)), *rest]))
    out = []
    for kind, label, new_clauses in offers:
        new_q = format_query(new_clauses)
        if new_q == request.parsed.text:
            continue
        hits = build_queryset(request, parsed=parse_query(new_q)).count()
        if hits:
            out.append({"kind": kind, "label": label, "q": new_q, "hits": hits,
                        "url": url_with(params, set_=("q", new_q))})
    return out


# --- the API, the feed and the exports: statements from the database -----------------------


def _published_in_order(pks: list[int], *, with_body: bool) -> list[Statement]:
    statements = Statement.objects.published().for_detail().with_versions()
    if not with_body:
        statements = statements.defer("body", "original_text")
    found = statements.in_bulk(pks)
    # The index can be a moment behind an unpublish: such hits are dropped, as on the page.
    return [found[pk] for pk in pks if pk in found]


def statements_for_page(results, *, with_body: bool = False) -> list[Statement]:
    """The published statements of a page of search results, in its order."""
    return _published_in_order([int(r.pk) for r in results], with_body=with_body)


def iter_statements(request: SearchRequest, *, limit: int, batch: int = 200,
                    with_body: bool = False) -> Iterator[Statement]:
    """Up to ``limit`` matching statements in the page's order, a batch at a time."""
    sqs = build_queryset(request)
    for start in range(0, limit, batch):
        results = _engine_errors(lambda start=start: list(sqs[start : min(start + batch, limit)]))
        pks = [int(r.pk) for r in results]
        if not pks:
            return
        yield from _published_in_order(pks, with_body=with_body)
        if len(pks) < batch:
            return


# How many of the latest additions to the archive a feed of a search looks through (in
# batches), before it fills up with the search's newest statements by date.
FEED_WINDOW = 2000


def latest_added(request: SearchRequest, *, limit: int, batch: int = 200,
                 with_body: bool = False) -> list[Statement]:
    """Up to ``limit`` matching statements, those added to the archive last first (a feed's
    order: a statement published today about an old speech still reaches its readers).

    The candidates come from the database, the latest publications first, ``batch`` at a
    time, and the engine says which of them the search matches; the exact answer for every
    match added among the last ``FEED_WINDOW``.  When fewer match there, the rest are the
    search's newest by date, which were all added earlier.
    """
    request = dataclasses.replace(request, sort="newest")
    latest = (Statement.objects.published().order_by("-published_at", "-pk")
              .values_list("pk", flat=True))
    found: list[int] = []
    for start in range(0, FEED_WINDOW, batch):
        chunk = list(latest[start : start + batch])
        if not chunk:
            break
        sqs = build_queryset(request).filter(django_id__in=[str(pk) for pk in chunk])[: len(chunk)]
        matched = {int(r.pk) for r in _engine_errors(lambda sqs=sqs: list(sqs))}
        found += [pk for pk in chunk if pk in matched]
        if len(found) >= limit or len(chunk) < batch:
            break
    if len(found) < limit:
        seen = set(found)
        sqs = build_queryset(request)
        older = _engine_errors(lambda: list(sqs[: limit + len(found)]))
        found += [pk for pk in (int(r.pk) for r in older) if pk not in seen][: limit - len(found)]
    return _published_in_order(found[:limit], with_body=with_body)


def count(request: SearchRequest) -> int:
    return _engine_errors(build_queryset(request).count)


def facets_for(request: SearchRequest, *, limit: int = 20) -> dict[str, list[dict]]:
    """Counts per facet value over every match, labelled from the database, as on the page."""
    sqs = _with_facets(request, build_queryset(request))
    counts = _engine_errors(lambda: _counts(request, sqs))
    out = {}
    generation = index_generation()
    for name in FACETS:
        pairs = [(key, n) for key, n in counts.get(name, []) if key and n]
        if name == "year":
            pairs.sort(key=lambda pair: pair[0], reverse=True)
        else:
            pairs = pairs[:limit]
        labels = facet_labels(name, [key for key, _ in pairs], generation=generation)
        out[name] = [
            {"value": key, "label": labels[key], "count": n}
            for key, n in pairs
            if key in labels  # indexed a moment ago, since unpublished or renamed
        ]
    return out
