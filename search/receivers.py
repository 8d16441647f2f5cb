"""Turn archive changes into index queue rows, inside the writer's transaction.

The archive's services announce changed statements (``statements_changed``); the model
signals below are a safety net for writes that bypass the services (fixtures, the shell,
inline formsets).  Duplicates are harmless: rows are upserted per (model, pk).  Nothing here
touches the index, so a rolled-back save leaves no trace and an indexing error can never undo
an editor's save.
"""

from __future__ import annotations

from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save

from archive.models import Country, Event, Speaker, Statement, StatementSpeaker, Topic
from archive.signals import statements_changed

from .indexer import STATEMENT_LABEL, enqueue


def on_statements_changed(sender, ids=(), **kwargs):
    enqueue(STATEMENT_LABEL, ids)


def on_statement_saved(sender, instance, **kwargs):
    enqueue(STATEMENT_LABEL, [instance.pk])


def on_statement_speaker_changed(sender, instance, **kwargs):
    enqueue(STATEMENT_LABEL, [instance.statement_id])


def on_topics_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not reverse:
        if action in ("post_add", "post_remove", "post_clear"):
            enqueue(STATEMENT_LABEL, [instance.pk])
    elif action in ("post_add", "post_remove") and pk_set:
        enqueue(STATEMENT_LABEL, pk_set)
    elif action == "pre_clear":
        enqueue(STATEMENT_LABEL, instance.statements.values_list("pk", flat=True))


def on_related_saved(sender, instance, created=False, **kwargs):
    if created:
        return
    if isinstance(instance, Speaker):
        ids = StatementSpeaker.objects.filter(speaker=instance).values_list(
            "statement_id", flat=True
        )
    elif isinstance(instance, Event):
        ids = Statement.objects.filter(event=instance).values_list("pk", flat=True)
    elif isinstance(instance, Topic):
        ids = Statement.objects.filter(topics=instance).values_list("pk", flat=True)
    elif isinstance(instance, Country):
        ids = Statement.objects.filter(
            Q(country=instance) | Q(event__country=instance)
        ).values_list("pk", flat=True)
    else:
        return
    enqueue(STATEMENT_LABEL, ids)


def connect() -> None:
    uid = "search.receivers"
    statements_changed.connect(on_statements_changed, dispatch_uid=f"{uid}.announced")
    post_save.connect(on_statement_saved, sender=Statement, dispatch_uid=f"{uid}.st_save")
    post_delete.connect(on_statement_saved, sender=Statement, dispatch_uid=f"{uid}.st_delete")
    for signal, name in ((post_save, "save"), (post_delete, "delete")):
        signal.connect(
            on_statement_speaker_changed, sender=StatementSpeaker, dispatch_uid=f"{uid}.ss_{name}"
        )
    m2m_changed.connect(
        on_topics_changed, sender=Statement.topics.through, dispatch_uid=f"{uid}.topics"
    )
    for model in (Speaker, Event, Topic, Country):
        post_save.connect(
            on_related_saved, sender=model, dispatch_uid=f"{uid}.{model._meta.model_name}"
        )
