"""Statements as portable records: JSON Lines and CSV in one schema (docs/import-schema.md).

Export writes one record per statement with everything needed to rebuild it elsewhere
(speakers with roles and order, event, country, topics, source, provenance); import reads
the same records back, streaming, in batched transactions through the services.
"""

from __future__ import annotations

import csv
import datetime
import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO

from django.core.exceptions import ValidationError
from django.db import reset_queries, transaction
from django.utils.dateparse import parse_datetime

from archive import services
from archive.models import (
    Country,
    Event,
    EventKind,
    Kind,
    Language,
    Speaker,
    Statement,
    Status,
)

from .report import ImportReport

__all__ = ["CSV_COLUMNS", "export_records", "import_records", "statement_record"]

SCHEMA_VERSION = 1
CSV_COLUMNS = [
    "slug", "import_key", "title", "delivered_on", "kind", "language", "status",
    "published_at", "country", "event", "speakers", "topics", "summary", "body",
    "original_text", "source_name", "source_url", "version_of", "is_original",
]
# In CSV the nested fields are JSON inside their cell, so both formats carry one schema.
_NESTED = {"event", "speakers", "topics"}

csv.field_size_limit(sys.maxsize)


class RecordError(ValueError):
    """A record that cannot be imported, with the reason for the report."""


# --- export -------------------------------------------------------------------------------


def statement_record(statement: Statement) -> dict:
    event = statement.event
    return {
        **_record_fields(statement, event),
        **_version_fields(statement),
    }


def _version_fields(statement: Statement) -> dict:
    """``version_of``: the first-made other version (its import key, else its slug), so a
    file lists every version of a statement after the one it names; null for that one."""
    if statement.version_group_id is None:
        return {"version_of": None, "is_original": False}
    members = getattr(statement.version_group, "export_members", None)
    if members is None:
        members = list(statement.version_group.statements.order_by("pk"))
    first = min(members, key=lambda m: m.pk)
    return {
        "version_of": None if first.pk == statement.pk else (first.import_key or first.slug),
        "is_original": statement.is_original,
    }


def _record_fields(statement: Statement, event) -> dict:
    return {
        "slug": statement.slug,
        "import_key": statement.import_key,
        "title": statement.title,
        "delivered_on": statement.delivered_on.isoformat(),
        "kind": statement.kind,
        "language": statement.language,
        "status": statement.status,
        "published_at": statement.published_at.isoformat() if statement.published_at else None,
        "country": statement.country.code if statement.country else None,
        "event": None if event is None else {
            "slug": event.slug,
            "name": event.name,
            "short_name": event.short_name,
            "kind": event.kind,
            "series": event.series,
            "city": event.city,
            "country": event.country.code if event.country else None,
            "start_date": event.start_date.isoformat(),
            "end_date": event.end_date.isoformat() if event.end_date else None,
            "organiser": event.organiser,
        },
        "speakers": [
            {
                "slug": link.speaker.slug,
                "name": link.speaker.name,
                "name_ar": link.speaker.name_ar,
                "name_latin": link.speaker.name_latin,
                "honorific": link.speaker.honorific,
                "country": link.speaker.country.code if link.speaker.country else None,
                "aliases": link.speaker.alias_list,
                "notes": link.speaker.notes,
                "role": link.role,
                "order": link.order,
            }
            for link in statement.statement_speakers.all()
        ],
        "topics": sorted(topic.name for topic in statement.topics.all()),
        "summary": statement.summary,
        "body": statement.body,
        "original_text": statement.original_text,
        "source_name": statement.source_name,
        "source_url": statement.source_url,
    }


def _statements_for_export():
    from django.db.models import Prefetch

    from archive.models import StatementSpeaker

    return (
        Statement.objects.select_related("country", "event", "event__country")
        .prefetch_related(
            Prefetch(
                "statement_speakers",
                queryset=StatementSpeaker.objects.select_related(
                    "speaker", "speaker__country"
                ).order_by("order", "id"),
            ),
            "topics",
            Prefetch(
                "version_group__statements",
                queryset=Statement.objects.only("pk", "slug", "import_key", "version_group")
                .order_by("pk"),
                to_attr="export_members",
            ),
        )
        .order_by("pk")
        .iterator(chunk_size=500)
    )


def export_records(out: IO[str], *, fmt: str = "jsonl") -> int:
    """Write every statement to ``out``; returns how many were written."""
    count = 0
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        for statement in _statements_for_export():
            record = statement_record(statement)
            for key in _NESTED:
                record[key] = json.dumps(record[key], ensure_ascii=False)
            record["is_original"] = "true" if record["is_original"] else "false"
            writer.writerow({k: "" if v is None else v for k, v in record.items()})
            count += 1
    else:
        for statement in _statements_for_export():
            out.write(json.dumps(statement_record(statement), ensure_ascii=False) + "\n")
            count += 1
    return count


# --- import -------------------------------------------------------------------------------


def read_records(handle: IO[str], *, fmt: str) -> Iterator[tuple[int, dict | RecordError]]:
    """(line number, record or error) for each record, read as a stream."""
    if fmt == "csv":
        reader = csv.DictReader(handle)
        missing = {"title", "body", "delivered_on"} - set(reader.fieldnames or ())
        if missing:
            yield 1, RecordError(f"the CSV header lacks {', '.join(sorted(missing))}")
            return
        for row in reader:
            record: dict = dict(row)
            try:
                for key in _NESTED:
                    cell = record.get(key) or ""
                    record[key] = json.loads(cell) if cell.strip() else None
            except json.JSONDecodeError as exc:
                yield reader.line_num, RecordError(f"column {key!r} is not valid JSON: {exc}")
                continue
            yield reader.line_num, {k: (None if v == "" and k in {"import_key", "published_at",
                                                                    "country"} else v)
                                    for k, v in record.items()}
        return
    for number, line in enumerate(handle, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, RecordError(f"not valid JSON: {exc}")
            continue
        if not isinstance(record, dict):
            yield number, RecordError("a record must be a JSON object")
            continue
        yield number, record


@dataclass
class _Row:
    line: int
    item: services.StatementInput
    key: str
    version_of: str | None = None
    is_original: bool | None = None


_TRUE, _FALSE = {"true", "1", "yes"}, {"false", "0", "no", ""}


def _version_link(record: dict) -> tuple[str | None, bool | None]:
    """(``version_of``, ``is_original``) of a record: what the import links after writing."""
    ref = record.get("version_of")
    if ref is not None and (not isinstance(ref, str) or "\x00" in ref or len(ref) > 255):
        raise RecordError("version_of must be the import_key or slug of another statement")
    flag = record.get("is_original")
    if isinstance(flag, str):  # CSV cells
        if flag.strip().lower() not in _TRUE | _FALSE:
            raise RecordError("is_original must be true or false")
        flag = flag.strip().lower() in _TRUE if flag.strip() else None
    elif flag is not None and not isinstance(flag, bool):
        raise RecordError("is_original must be true or false")
    return (ref.strip() or None) if ref else None, flag


class _Related:
    """Countries, events, speakers and topics by their natural keys, created on demand."""

    def __init__(self) -> None:
        self.countries = {c.code: c for c in Country.objects.all()}
        self.events: dict[str, Event] = {}
        self.speakers: dict[str, Speaker] = {}
        self.topics: dict[str, object] = {}

    def forget(self) -> None:
        """Drop cached rows that a rolled-back savepoint may have taken with it."""
        self.events.clear()
        self.speakers.clear()
        self.topics.clear()

    def country(self, code) -> Country | None:
        if code in (None, ""):
            return None
        country = self.countries.get(str(code).upper())
        if country is None:
            raise RecordError(f"unknown country code {code!r}")
        return country

    def event(self, data) -> Event | None:
        if not data:
            return None
        if not isinstance(data, dict) or not data.get("name"):
            raise RecordError("event must be an object with at least a name")
        slug = data.get("slug") or ""
        event = self.events.get(slug) if slug else None
        if event is None and slug:
            event = Event.objects.filter(slug=slug).first()
        if event is None:
            kind = data.get("kind") or EventKind.guess(data["name"])
            if kind not in EventKind.values:
                raise RecordError(f"unknown event kind {kind!r}")
            event = services.create_event(
                name=data["name"],
                slug=slug or None,
                start_date=_date(data.get("start_date"), "event start_date"),
                end_date=_date(data["end_date"], "event end_date") if data.get("end_date")
                else None,
                short_name=data.get("short_name") or "",
                kind=kind,
                series=data.get("series") or "",
                city=data.get("city") or "",
                country=self.country(data.get("country")),
                organiser=data.get("organiser") or "",
            )
        self.events[event.slug] = event
        return event

    def speaker(self, data) -> Speaker:
        if not isinstance(data, dict) or not data.get("name"):
            raise RecordError("each speaker must be an object with at least a name")
        slug = data.get("slug") or ""
        speaker = self.speakers.get(slug) if slug else None
        if speaker is None and slug:
            speaker = Speaker.objects.filter(slug=slug).first()
        names = {key: data.get(key) or "" for key in ("name_ar", "name_latin")}
        if any(not isinstance(value, str) for value in names.values()):
            raise RecordError("a speaker's name_ar and name_latin must be text")
        if speaker is None:
            aliases = data.get("aliases") or []
            if isinstance(aliases, str):
                aliases = aliases.splitlines()
            speaker = services.create_speaker(
                name=data["name"], slug=slug or None, honorific=data.get("honorific") or "",
                country=self.country(data.get("country")), aliases=aliases,
                notes=data.get("notes") or "", **names,
            )
        else:
            # A known speaker keeps its record, but gains a script it did not have yet (an
            # Arabic release naming someone the English ones brought in).
            missing = {key: value for key, value in names.items()
                       if value.strip() and not getattr(speaker, key)}
            if missing:
                speaker = services.update_speaker(speaker=speaker, **missing)
        self.speakers[speaker.slug] = speaker
        return speaker

    def topic(self, name):
        if not isinstance(name, str) or not name.strip():
            raise RecordError("topics must be a list of names")
        key = name.strip().casefold()
        if key not in self.topics:
            self.topics[key] = services.get_or_create_topic(name=name)
        return self.topics[key]


def _date(value, label: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        raise RecordError(f"{label} must be a date as YYYY-MM-DD, not {value!r}") from None


def _text(record: dict, key: str, *, required: bool = False, max_length: int | None = None):
    value = record.get(key)
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise RecordError(f"{key} must be text")
    if required and not value.strip():
        raise RecordError(f"{key} is required")
    if max_length and len(value.strip()) > max_length:
        raise RecordError(f"{key} is longer than {max_length} characters")
    return value


def _to_item(record: dict, related: _Related) -> services.StatementInput:
    title = _text(record, "title", required=True, max_length=500)
    body = _text(record, "body", required=True)
    delivered_on = _date(record.get("delivered_on"), "delivered_on")
    kind = record.get("kind") or Kind.STATEMENT
    if kind not in Kind.values:
        raise RecordError(f"unknown kind {kind!r} (one of {', '.join(Kind.values)})")
    language = record.get("language") or Language.ENGLISH
    if language not in Language.values:
        raise RecordError(f"unknown language {language!r}")
    status = record.get("status") or Status.DRAFT
    if status not in Status.values:
        raise RecordError(f"unknown status {status!r}")
    published_at = None
    if record.get("published_at"):
        published_at = parse_datetime(str(record["published_at"]))
        if published_at is None:
            raise RecordError("published_at must be an ISO date and time")
    speakers_data = record.get("speakers") or []
    if not isinstance(speakers_data, list):
        raise RecordError("speakers must be a list")
    topics_data = record.get("topics") or []
    if not isinstance(topics_data, list):
        raise RecordError("topics must be a list of names")
    ordered = sorted(
        enumerate(speakers_data),
        key=lambda pair: (pair[1].get("order", pair[0]) if isinstance(pair[1], dict)
                          else pair[0], pair[0]),
    )
    speakers = tuple(
        services.SpeakerRole(speaker=related.speaker(data), role=str(data.get("role") or ""))
        for _, data in ordered
    )
    slug = record.get("slug") or None
    import_key = record.get("import_key") or None
    if not slug and not import_key:
        raise RecordError("a record needs a slug or an import_key to be matched on")
    return services.StatementInput(
        title=title,
        body=body,
        delivered_on=delivered_on,
        import_key=import_key,
        slug=slug,
        kind=kind,
        language=language,
        country=related.country(record.get("country")),
        event=related.event(record.get("event")),
        speakers=speakers,
        topics=tuple(related.topic(name) for name in topics_data),
        summary=_text(record, "summary"),
        source_name=_text(record, "source_name", max_length=300),
        source_url=_text(record, "source_url", max_length=1000),
        original_text=record.get("original_text") if isinstance(
            record.get("original_text"), str) else None,
        status=status,
        published_at=published_at,
    )


def import_records(
    records: Iterable[tuple[int, dict | RecordError]],
    *,
    dry_run: bool = False,
    batch_size: int = 250,
) -> ImportReport:
    """Create or update statements from records; a bad record is reported and skipped."""
    report = ImportReport(dry_run=dry_run)
    links: list[_Row] = []

    def run() -> None:
        related = _Related()
        batch: list[tuple[int, dict]] = []
        for line, record in records:
            if isinstance(record, RecordError):
                report.skipped.append((f"line {line}", str(record)))
                continue
            batch.append((line, record))
            if len(batch) >= batch_size:
                links.extend(_write(batch, related, report))
                batch = []
        if batch:
            links.extend(_write(batch, related, report))
        # Language versions last: a record may name a statement further down the file.
        _link_versions(links, report)

    if dry_run:
        with transaction.atomic():
            run()
            transaction.set_rollback(True)
    else:
        run()
    return report


def _write(batch: list[tuple[int, dict]], related: _Related, report: ImportReport
           ) -> list[_Row]:
    """Write a batch; returns its written rows that ask for a language version link."""
    reset_queries()
    part = ImportReport()
    try:
        with transaction.atomic():
            rows = _rows(batch, related, part)
            _upsert(rows, part)
    except Exception:  # noqa: BLE001 - the database refused the batch: find the bad rows
        # Whatever the failed batch created was rolled back with it.
        part, rows = ImportReport(), []
        for line, record in batch:
            related.forget()
            one = ImportReport()
            try:
                with transaction.atomic():
                    written = _rows([(line, record)], related, one)
                    _upsert(written, one)
                rows += written
            except Exception as exc:  # noqa: BLE001
                related.forget()
                one = ImportReport(skipped=[(f"line {line}", _reason(exc))])
            _merge(part, one)
    _merge(report, part)
    return [row for row in rows if row.version_of or row.is_original is not None]


def _statement_by_key(key: str) -> Statement | None:
    return (Statement.objects.filter(import_key=key).first()
            or Statement.objects.filter(slug=key).first())


def _link_versions(rows: list[_Row], report: ImportReport) -> None:
    """Link the statements of ``rows`` to the versions they name, then mark originals."""
    for row in rows:
        if not row.version_of:
            continue
        where = f"line {row.line}"
        statement, other = _statement_by_key(row.item.import_key or row.item.slug or ""), (
            _statement_by_key(row.version_of))
        if statement is None:
            continue
        if other is None:
            report.warnings.append((where, f"imported, but its version_of {row.version_of!r} "
                                           "names no statement: not linked"))
            continue
        if statement.version_group_id and statement.version_group_id == other.version_group_id:
            continue
        try:
            with transaction.atomic():
                services.link_versions(statement=statement, version_of=other)
        except ValidationError as exc:
            report.warnings.append((where, f"imported, but not linked to {row.version_of!r}: "
                                           + " ".join(exc.messages)))
            continue
        report.linked.append(f"{where} ({row.key})")
    for row in rows:
        if row.is_original is None:
            continue
        statement = _statement_by_key(row.item.import_key or row.item.slug or "")
        if statement is None or statement.is_original == row.is_original:
            continue
        try:
            with transaction.atomic():
                services.set_original_version(statement=statement, is_original=row.is_original)
        except ValidationError as exc:
            report.warnings.append((f"line {row.line}", "imported, but not marked as the "
                                    "original: " + " ".join(exc.messages)))


def _merge(into: ImportReport, part: ImportReport) -> None:
    into.created += part.created
    into.updated += part.updated
    into.unchanged += part.unchanged
    into.skipped += part.skipped


def _rows(batch, related: _Related, report: ImportReport) -> list[_Row]:
    rows, seen = [], set()
    for line, record in batch:
        try:
            with transaction.atomic():
                item = _to_item(record, related)
                version_of, is_original = _version_link(record)
        except RecordError as exc:
            related.forget()
            report.skipped.append((f"line {line}", str(exc)))
            continue
        key = f"import_key:{item.import_key}" if item.import_key else f"slug:{item.slug}"
        if key in seen:
            report.skipped.append(
                (f"line {line}", f"repeats the record of {key} earlier in the file")
            )
            continue
        seen.add(key)
        rows.append(_Row(line, item, key, version_of, is_original))
    return rows


def _upsert(rows: list[_Row], report: ImportReport) -> None:
    by_key = [r for r in rows if r.item.import_key]
    by_slug = [r for r in rows if not r.item.import_key]
    for match_on, group in (("import_key", by_key), ("slug", by_slug)):
        if not group:
            continue
        result = services.bulk_upsert_statements(
            items=[r.item for r in group], match_on=match_on, update_status=True
        )
        lines = {getattr(r.item, match_on): r.line for r in group}
        report.created += [f"line {lines[k]} ({k})" for k in result.created]
        report.updated += [f"line {lines[k]} ({k})" for k in result.updated]
        report.unchanged += [f"line {lines[k]} ({k})" for k in result.unchanged]


def _reason(exc: Exception) -> str:
    messages = getattr(exc, "message_dict", None)
    if messages:
        return "; ".join(f"{field}: {' '.join(errors)}" for field, errors in messages.items())
    return str(exc) or exc.__class__.__name__
