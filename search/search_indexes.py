"""What the index holds for a statement (published statements only).

Result rows render from the stored short fields, so a results page needs no database query per
hit; the body is indexed (through the ``text`` document) but not stored.  Facet fields hold
stable keys (slugs and codes), matched exactly by every engine; their labels come from the
database.  ``search.documents.prepare`` turns a statement into the document engines index.
"""

from __future__ import annotations

import json

from django.db.models import Prefetch
from django.utils.text import slugify
from haystack import indexes
from haystack.fields import FacetCharField, FacetMultiValueField

from archive.models import Statement, StatementSpeaker


def statements_for_index():
    """Published statements with everything ``prepare`` reads, in a fixed number of queries."""
    return (
        Statement.objects.published()
        # The imported original (as large as the body) is not indexed.
        .defer("original_text")
        .select_related("country", "event", "event__country")
        .prefetch_related(
            Prefetch(
                "statement_speakers",
                queryset=StatementSpeaker.objects.select_related("speaker").order_by("order", "id"),
            ),
            "topics",
        )
    )


class StatementIndex(indexes.SearchIndex, indexes.Indexable):
    text = indexes.CharField(document=True, use_template=True)

    # Stored for the result row; not searchable on their own.
    title = indexes.CharField(model_attr="title", indexed=False)
    url = indexes.CharField(indexed=False)
    date = indexes.DateField(model_attr="delivered_on")
    speakers_json = indexes.CharField(indexed=False)
    event_label = indexes.CharField(indexed=False, null=True)
    place = indexes.CharField(indexed=False, null=True)
    country_name = indexes.CharField(indexed=False, null=True)

    # Indexed beside the body (which holds them too), so that an engine can weigh a word
    # found in the title or in a speaker's name above one found in the text.
    heading = indexes.CharField(model_attr="title", stored=False)
    speaker_names = indexes.CharField(stored=False)

    # Facets on stable keys, matched exactly.
    speaker = FacetMultiValueField(stored=False)
    topic = FacetMultiValueField(stored=False)
    country = FacetCharField(stored=False)
    event = FacetCharField(stored=False)
    series = FacetCharField(stored=False)
    kind = FacetCharField(model_attr="kind", stored=False)
    language = FacetCharField(model_attr="language", stored=False)
    year = FacetCharField(stored=False)

    def get_model(self):
        return Statement

    def index_queryset(self, using=None):
        return statements_for_index()

    def read_queryset(self, using=None):
        return Statement.objects.published()

    def prepare_url(self, obj):
        return obj.get_absolute_url()

    def prepare_speakers_json(self, obj):
        rows = []
        for link in obj.statement_speakers.all():
            row = {"name": link.speaker.display_name, "slug": link.speaker.slug,
                   "role": link.role}
            if link.speaker.other_names:
                row["other_names"] = link.speaker.other_names  # the name in the other script
            rows.append(row)
        return json.dumps(rows, ensure_ascii=False)

    def prepare_speaker_names(self, obj):
        names = []
        for link in obj.statement_speakers.all():
            speaker = link.speaker
            names += [speaker.name, speaker.name_latin, speaker.name_ar,
                      *(speaker.aliases or "").splitlines()]
        return "\n".join(n for n in names if n and n.strip())

    def prepare_event_label(self, obj):
        return obj.event.name if obj.event else None

    def prepare_place(self, obj):
        return obj.event.place if obj.event else None

    def prepare_country_name(self, obj):
        return obj.country.name if obj.country else None

    def prepare_speaker(self, obj):
        return [link.speaker.slug for link in obj.statement_speakers.all()]

    def prepare_topic(self, obj):
        return [topic.slug for topic in obj.topics.all()]

    def prepare_country(self, obj):
        return obj.country.code if obj.country else None

    def prepare_event(self, obj):
        return obj.event.slug if obj.event else None

    def prepare_series(self, obj):
        return series_key(obj.event.series) if obj.event and obj.event.series else None

    def prepare_year(self, obj):
        return str(obj.delivered_on.year)


def series_key(name: str) -> str:
    """The facet key of an event series (series are free text on Event)."""
    return slugify(name) or "series"
