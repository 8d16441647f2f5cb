"""factory_boy factories for the archive's models (tests only).

Rows made here bypass the services on purpose (fast fixtures); tests of behaviour that the
services own (hashing, validation) call the services instead.  Statements made here are
announced like a service's write would announce them, so the search queue hears of them.
"""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from archive import services
from archive.models import (
    Country,
    Event,
    EventKind,
    Kind,
    Speaker,
    Statement,
    StatementSpeaker,
    Status,
    Topic,
)


def country(code: str) -> Country:
    """A seeded country (the data migration loads every ISO code)."""
    return Country.objects.get(code=code)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")


class SpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Speaker

    name = factory.Sequence(lambda n: f"Sample Speaker {n}")
    slug = factory.Sequence(lambda n: f"sample-speaker-{n}")
    honorific = "Ms."


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    name = factory.Sequence(lambda n: f"Sample Conference {n}")
    slug = factory.Sequence(lambda n: f"sample-conference-{n}")
    kind = EventKind.CONFERENCE
    city = "Geneva"
    country = factory.LazyFunction(lambda: country("CHE"))
    start_date = datetime.date(2022, 10, 18)
    end_date = datetime.date(2022, 10, 19)


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Sample topic {n}")
    slug = factory.Sequence(lambda n: f"sample-topic-{n}")


class AnnouncedFactory(factory.django.DjangoModelFactory):
    """Announces the statement it wrote, as ``archive.services`` does for every write."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        obj = super()._create(model_class, *args, **kwargs)
        services.announce_statements([cls._statement_id(obj)])
        return obj

    @staticmethod
    def _statement_id(obj) -> int:
        return obj.pk


class StatementFactory(AnnouncedFactory):
    class Meta:
        model = Statement

    title = factory.Sequence(lambda n: f"Sample statement {n}")
    slug = factory.Sequence(lambda n: f"sample-statement-{n}")
    delivered_on = datetime.date(2022, 10, 18)
    kind = Kind.STATEMENT
    language = "en"
    status = Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)
    country = factory.LazyFunction(lambda: country("QAT"))
    event = factory.SubFactory(EventFactory)
    body = "First paragraph of a sample statement.\n\nSecond paragraph about border security."
    source_name = "Sample source (test data)"

    class Params:
        draft = factory.Trait(status=Status.DRAFT, published_at=None)


class StatementSpeakerFactory(AnnouncedFactory):
    class Meta:
        model = StatementSpeaker

    @staticmethod
    def _statement_id(obj) -> int:
        return obj.statement_id

    statement = factory.SubFactory(StatementFactory)
    speaker = factory.SubFactory(SpeakerFactory)
    role = "Minister for Foreign Affairs"
    order = 0
