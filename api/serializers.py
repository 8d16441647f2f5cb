"""Read-only representations of the archive's public records.

Each record carries its API address (``url``) and its page on the site (``html_url``, the
permalink to cite).  Nothing editorial (drafts, import keys, audit users, the text as
received) is exposed.
"""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from archive.models import Country, Event, Speaker, Statement, StatementSpeaker, Topic


def _absolute(request, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


class _Links(serializers.Serializer):
    """``url`` (this record in the API) and ``html_url`` (its page) for a model instance."""

    api_view_name: str = ""
    api_lookup: str = "slug"

    url = serializers.SerializerMethodField()
    html_url = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj) -> str:
        path = reverse(self.api_view_name, args=[getattr(obj, self.api_lookup)])
        return _absolute(self.context.get("request"), path)

    @extend_schema_field(OpenApiTypes.URI)
    def get_html_url(self, obj) -> str:
        return _absolute(self.context.get("request"), obj.get_absolute_url())


@extend_schema_field(
    {
        "type": "string",
        "maxLength": 1000,
        # Either branch may match "" when a validator does not assert formats, so anyOf, not
        # oneOf (which requires exactly one match).
        "anyOf": [{"format": "uri"}, {"maxLength": 0}],
        "description": "The source's web address, or an empty string when none is recorded.",
    }
)
class OptionalURLField(serializers.CharField):
    """A web address that may be empty: the model keeps "" rather than null for none."""


class CountryRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Country
        fields = ["code", "name"]


class CountrySerializer(_Links, serializers.ModelSerializer):
    api_view_name = "api:country-detail"
    api_lookup = "code"
    statement_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Country
        fields = ["code", "name", "historical", "statement_count", "url", "html_url"]


class SpeakerRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Speaker
        fields = ["slug", "name"]


class SpeakerSerializer(_Links, serializers.ModelSerializer):
    api_view_name = "api:speaker-detail"
    country = CountryRefSerializer(read_only=True, allow_null=True)
    aliases = serializers.ListField(source="alias_list", child=serializers.CharField())
    statement_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Speaker
        fields = [
            "slug", "name", "name_ar", "name_latin", "honorific", "display_name", "country",
            "aliases", "statement_count", "url", "html_url",
        ]
        extra_kwargs = {
            "name_ar": {"help_text": "The name in Arabic script; empty when not known."},
            "name_latin": {"help_text": "The name in Latin letters; empty when not known."},
        }


class EventRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Event
        fields = ["slug", "name"]


class EventSerializer(_Links, serializers.ModelSerializer):
    api_view_name = "api:event-detail"
    country = CountryRefSerializer(read_only=True, allow_null=True)
    statement_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Event
        fields = [
            "slug", "name", "short_name", "kind", "series", "city", "country", "place",
            "start_date", "end_date", "organiser", "statement_count", "url", "html_url",
        ]


class TopicRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Topic
        fields = ["slug", "name"]


class TopicSerializer(_Links, serializers.ModelSerializer):
    api_view_name = "api:topic-detail"
    statement_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Topic
        fields = ["slug", "name", "statement_count", "url", "html_url"]


class StatementSpeakerSerializer(serializers.ModelSerializer):
    slug = serializers.CharField(source="speaker.slug")
    name = serializers.CharField(source="speaker.name")
    name_ar = serializers.CharField(source="speaker.name_ar",
                                    help_text="The name in Arabic script, or empty.")
    name_latin = serializers.CharField(source="speaker.name_latin",
                                       help_text="The name in Latin letters, or empty.")
    honorific = serializers.CharField(source="speaker.honorific")

    class Meta:
        model = StatementSpeaker
        fields = ["slug", "name", "name_ar", "name_latin", "honorific", "role"]


class StatementVersionSerializer(_Links, serializers.ModelSerializer):
    """Another language version of a statement (a translation of it, or its original)."""

    api_view_name = "api:statement-detail"

    class Meta:
        model = Statement
        fields = ["slug", "title", "language", "is_original", "url", "html_url"]


class StatementSerializer(_Links, serializers.ModelSerializer):
    """A statement as a list row: everything but the text."""

    api_view_name = "api:statement-detail"
    country = CountryRefSerializer(read_only=True, allow_null=True)
    event = EventRefSerializer(read_only=True, allow_null=True)
    speakers = StatementSpeakerSerializer(source="statement_speakers", many=True, read_only=True)
    topics = TopicRefSerializer(many=True, read_only=True)
    source_url = OptionalURLField(read_only=True)
    is_original = serializers.BooleanField(
        read_only=True,
        help_text="This is the original of its language versions (they translate it).",
    )
    versions = StatementVersionSerializer(
        source="published_versions", many=True, read_only=True,
        help_text="The same statement in other languages (published ones), by language.",
    )

    class Meta:
        model = Statement
        fields = [
            "slug", "title", "delivered_on", "kind", "language", "is_original", "versions",
            "country", "event", "speakers", "topics", "summary", "source_name", "source_url",
            "url", "html_url",
        ]


class StatementDetailSerializer(StatementSerializer):
    """A statement with its full text (paragraphs separated by a blank line)."""

    class Meta(StatementSerializer.Meta):
        fields = [*StatementSerializer.Meta.fields, "body", "published_at", "updated_at"]


class FacetValueSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class FacetsSerializer(serializers.Serializer):
    speaker = FacetValueSerializer(many=True)
    event = FacetValueSerializer(many=True)
    series = FacetValueSerializer(many=True)
    country = FacetValueSerializer(many=True)
    topic = FacetValueSerializer(many=True)
    kind = FacetValueSerializer(many=True)
    language = FacetValueSerializer(many=True)
    year = FacetValueSerializer(many=True)


class ErrorSerializer(serializers.Serializer):
    """A 4xx answer: ``detail`` says what went wrong; ``errors`` names each bad parameter."""

    detail = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )


class ReuseUseSerializer(serializers.Serializer):
    """One statement a passage occurs in."""

    slug = serializers.CharField(source="statement.slug")
    title = serializers.CharField(source="statement.title")
    delivered_on = serializers.DateField(source="statement.delivered_on")
    country = CountryRefSerializer(source="statement.country", read_only=True, allow_null=True)
    is_this = serializers.BooleanField(
        help_text="This is the statement the passages were asked for."
    )
    url = serializers.SerializerMethodField()
    html_url = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, use) -> str:
        path = reverse("api:statement-detail", args=[use.statement.slug])
        return _absolute(self.context.get("request"), path)

    @extend_schema_field(OpenApiTypes.URI)
    def get_html_url(self, use) -> str:
        return _absolute(self.context.get("request"), use.statement.get_absolute_url())


class ReusePassageSerializer(serializers.Serializer):
    text = serializers.CharField(help_text="The passage as it reads in this statement.")
    start = serializers.IntegerField(min_value=0, help_text="Its first character in the text.")
    end = serializers.IntegerField(min_value=1, help_text="The character after its last.")
    words = serializers.IntegerField(min_value=1)
    first = ReuseUseSerializer(help_text="The earliest statement with the passage.")
    reuses = ReuseUseSerializer(many=True, help_text="Every later one, in date order.")


class ReuseSerializer(serializers.Serializer):
    passages = ReusePassageSerializer(many=True)
