"""Load the demo data set (archive/demo.py) through the archive's services.

Going through ``archive.services`` means every new statement is announced, so the search
index queue hears about it exactly as it would for an editor's work.  Loading is idempotent:
speakers and events are matched by slug, topics by name, statements by ``import_key``
(``demo:<n>``); what already exists is left untouched, so a second run writes nothing.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from archive import demo, services
from archive.models import Country, Event, Speaker, Statement, Status, Topic

DEMO_KEY_PREFIX = "demo:"


class Command(BaseCommand):
    help = "Load the demo data set: one real, neutrally summarised record and fictional samples."

    def handle(self, *args, **options):
        counts = {"speakers": 0, "events": 0, "topics": 0, "statements": 0, "present": 0}
        with transaction.atomic():
            countries = self._countries()
            speakers = {row["slug"]: self._speaker(row, countries, counts) for row in demo.SPEAKERS}
            events = {row["slug"]: self._event(row, countries, counts) for row in demo.EVENTS}
            for row in demo.STATEMENTS:
                self._statement(row, countries, speakers, events, counts)
        self.stdout.write(
            "Demo data: created {statements} statements, {speakers} speakers, {events} events, "
            "{topics} topics; {present} statements were already present.".format(**counts)
        )

    def _countries(self) -> dict[str, Country]:
        codes = {row["country"] for row in demo.SPEAKERS + demo.EVENTS + demo.STATEMENTS}
        codes.discard(None)
        found = {c.code: c for c in Country.objects.filter(code__in=codes)}
        missing = sorted(codes - set(found))
        if missing:
            raise CommandError(
                f"Country codes missing from the database: {', '.join(missing)}. "
                "Run `manage.py migrate` first (migration 0002 seeds the countries)."
            )
        return found

    def _speaker(self, row, countries, counts) -> Speaker:
        speaker = Speaker.objects.filter(slug=row["slug"]).first()
        if speaker is None:
            speaker = services.create_speaker(
                name=row["name"],
                honorific=row["honorific"],
                country=countries.get(row["country"]),
                aliases=row["aliases"],
                notes=row["notes"],
                slug=row["slug"],
            )
            counts["speakers"] += 1
        return speaker

    def _event(self, row, countries, counts) -> Event:
        event = Event.objects.filter(slug=row["slug"]).first()
        if event is None:
            fields = {k: v for k, v in row.items() if k not in {"slug", "name", "start_date"}}
            fields["country"] = countries.get(row["country"])
            event = services.create_event(
                name=row["name"], start_date=row["start_date"], slug=row["slug"], **fields
            )
            counts["events"] += 1
        return event

    def _statement(self, row, countries, speakers, events, counts) -> None:
        import_key = f"{DEMO_KEY_PREFIX}{row['n']}"
        if Statement.objects.filter(import_key=import_key).exists():
            counts["present"] += 1
            return
        if Statement.objects.filter(slug=row["slug"]).exists():
            # A record of the archive's own took this address; never overwrite real data.
            self.stderr.write(f"Skipped {import_key}: the slug {row['slug']!r} is taken.")
            counts["present"] += 1
            return
        topics = []
        for name in row["topics"]:
            if not Topic.objects.filter(name__iexact=name).exists():
                counts["topics"] += 1
            topics.append(services.get_or_create_topic(name=name))
        services.create_statement(
            title=row["title"],
            body="\n\n".join(row["body"]),
            delivered_on=row["delivered_on"],
            kind=row["kind"],
            language=row["language"],
            country=countries.get(row["country"]) if row["country"] else None,
            event=events[row["event"]] if row["event"] else None,
            speakers=[
                services.SpeakerRole(speaker=speakers[slug], role=role)
                for slug, role in row["speakers"]
            ],
            topics=topics,
            summary=row["summary"],
            source_name=row.get("source_name", demo.FICTIONAL_SOURCE),
            source_url=row.get("source_url", ""),
            slug=row["slug"],
            status=Status.PUBLISHED if row["status"] == "published" else Status.DRAFT,
            import_key=import_key,
        )
        counts["statements"] += 1
