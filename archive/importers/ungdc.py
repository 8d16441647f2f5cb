"""The UN General Debate Corpus (UNGDC) in the layout of its public release.

Harvard Dataverse, doi:10.7910/DVN/0TJX8Y: a ``.tgz`` (or the folder it unpacks to) holding
``TXT/Session NN - YYYY/CODE_NN_YYYY.txt`` and ``Speakers_by_session.xlsx``.  One statement
per speech file, keyed ``ungdc:<CODE>:<session>`` so that a re-run finds what it made.

Speakers come from the spreadsheet, joined on (code, session) after the alias table below
repairs the sheet's wrong codes.  The same person is one Speaker across years when their
normalised name (``names.name_key``) and delegation match: a bare "Mr. Ali" of two countries
is two people, and "Mr. Gromyko" and "Andrei Gromyko" stay apart (too little evidence).

The corpus gives only the year of a speech, so statements and session events are dated
1 January of that year; the event name carries the session.
"""

from __future__ import annotations

import datetime
import io
import re
import tarfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.db import reset_queries, transaction
from django.utils.text import slugify

from archive import services
from archive.models import Country, Event, EventKind, Kind, Language, Speaker, Status

from .names import clean_cell, name_key, split_name
from .report import ImportReport
from .text import Vocabulary, clean_speech, decode_text

__all__ = [
    "SHEET_CODE_ALIASES",
    "SHEET_SESSION_CODE_FIXES",
    "CorpusSource",
    "SheetSpeaker",
    "import_ungdc",
    "import_key",
    "parse_sessions",
    "read_speaker_sheet",
]

CORPUS = "ungdc"
SERIES = "UN General Assembly general debate"
SOURCE_NAME = "UN General Debate Corpus (UNGDC), Harvard Dataverse"
SOURCE_URL = "https://doi.org/10.7910/DVN/0TJX8Y"
SHEET_NAME = "Speakers_by_session.xlsx"
FIRST_YEAR = 1945  # year = session + 1945

# Codes the speakers' sheet uses where the speech files use another.  Each was checked
# against the sheet's Country column and the speech it then joins to.
SHEET_CODE_ALIASES: dict[str, str] = {
    "YDYE": "YMD",  # Democratic Yemen (South Yemen), sessions 23-44
    "EC": "EU",  # "European Council", the EU's speeches of 2011 and 2013
    "CZK": "CSK",  # Czechoslovakia, 1947
    "PAR": "PRY",  # Paraguay, 1961
    "POR": "PRT",  # Portugal, 1962 (and later years beyond this archive)
    "DKN": "DNK",  # Denmark, 1969
    "PKR": "PRK",  # Democratic People's Republic of Korea (2017)
    "ZFA": "ZAF",  # South Africa (2016)
}
# Fixes that hold for one session only: (session, sheet code) -> speech code.
SHEET_SESSION_CODE_FIXES: dict[tuple[int, str], str] = {
    **{(session, "ARE"): "EGY" for session in range(13, 26)},  # United Arab Republic
    (56, "CHE"): "SWE",  # 2001: Sweden's row is coded CHE...
    (56, "SWE"): "SWZ",  # ...and Swaziland's SWE
}

_SPEECH_NAME = re.compile(r"^(?P<code>[A-Z]{2,3})_(?P<session>\d{2})_(?P<year>\d{4})\.txt$")
_SESSION_FOLDER = re.compile(r"^Session (?P<session>\d{2}) - (?P<year>\d{4})$")


def import_key(code: str, session: int) -> str:
    return f"{CORPUS}:{code}:{session}"


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def parse_sessions(value: str) -> set[int]:
    """``"70-78"``, ``"5"`` or ``"1-3,70"`` as a set of session numbers."""
    sessions: set[int] = set()
    for part in value.split(","):
        part = part.strip()
        match = re.fullmatch(r"(\d+)(?:\s*-\s*(\d+))?", part)
        if not match:
            raise ValueError(f"not a session or range of sessions: {part!r}")
        first, last = int(match.group(1)), int(match.group(2) or match.group(1))
        if first < 1 or last < first:
            raise ValueError(f"not a range of sessions: {part!r}")
        sessions.update(range(first, last + 1))
    return sessions


# --- the release's files ------------------------------------------------------------------


@dataclass(frozen=True)
class SpeechEntry:
    """A speech file in the release, by its path relative to the release's root."""

    path: str
    code: str
    session: int
    year: int


class CorpusSource:
    """Read a release as a ``.tgz`` (streamed, never unpacked to disk) or as a folder."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._tar: tarfile.TarFile | None = None
        self._files: dict[str, object] = {}
        if self.path.is_dir():
            for file in sorted(self.path.rglob("*")):
                if file.is_file():
                    self._files[file.relative_to(self.path).as_posix()] = file
        elif self.path.is_file():
            try:
                self._tar = tarfile.open(self.path, "r:*")  # noqa: SIM115 (closed by close())
            except tarfile.TarError as exc:
                raise ValueError(f"{self.path} is not a readable tar archive: {exc}") from exc
            for member in self._tar.getmembers():
                if member.isfile():
                    self._files[member.name.removeprefix("./")] = member
        else:
            raise ValueError(f"{self.path} does not exist")

    def close(self) -> None:
        if self._tar is not None:
            self._tar.close()

    def __enter__(self) -> CorpusSource:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def read(self, name: str) -> bytes:
        handle = self._files[name]
        if isinstance(handle, Path):
            return handle.read_bytes()
        extracted = self._tar.extractfile(handle)
        return extracted.read()

    def sheet_name(self) -> str | None:
        names = [n for n in self._files if PurePosixPath(n).name == SHEET_NAME]
        return min(names, key=len) if names else None

    def text_names(self) -> list[str]:
        """Every file under a ``TXT`` folder, in name order (the archive's own order)."""
        return sorted(n for n in self._files if "TXT" in PurePosixPath(n).parts[:-1])

    def entries(self) -> tuple[list[SpeechEntry], list[tuple[str, str]]]:
        """The speech files, and the other files under TXT with why they are not speeches."""
        speeches, skipped = [], []
        seen: dict[tuple[str, int], str] = {}
        for name in self.text_names():
            path = PurePosixPath(name)
            match = _SPEECH_NAME.match(path.name)
            if not match:
                skipped.append((name, "not a speech file (expected CODE_NN_YYYY.txt)"))
                continue
            code, session, year = match["code"], int(match["session"]), int(match["year"])
            folder = _SESSION_FOLDER.match(path.parent.name)
            if year != session + FIRST_YEAR:
                skipped.append((name, f"year {year} is not the year of session {session}"))
            elif folder and (int(folder["session"]), int(folder["year"])) != (session, year):
                skipped.append(
                    (name, f"file is in the folder of another session ({path.parent.name})")
                )
            elif (code, session) in seen:
                skipped.append((name, f"a second file for {code} in session {session} "
                                      f"(first: {seen[(code, session)]})"))
            else:
                seen[(code, session)] = name
                speeches.append(SpeechEntry(name, code, session, year))
        return speeches, skipped


# --- the speakers' sheet ------------------------------------------------------------------


@dataclass(frozen=True)
class SheetSpeaker:
    honorific: str
    name: str
    post: str


def read_speaker_sheet(data: bytes) -> dict[tuple[str, int], list[SheetSpeaker]]:
    """Speakers by (speech code, session), with codes repaired and names cleaned.

    Rows that repeat a person (same normalised name) are merged, keeping the first post
    given; rows naming different people (IND 1960: Nehru, then Krishna Menon) are kept in
    the sheet's order.  Rows without a usable name give no speaker.
    """
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = workbook["Sheet1"] if "Sheet1" in workbook.sheetnames else workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = [clean_cell(h).casefold() for h in next(rows, ())]
        column = {name: index for index, name in enumerate(header)}
        try:
            i_session = column["session"]
            i_code = column["iso code"]
            i_name = column["name of person speaking"]
        except KeyError as exc:
            raise ValueError(f"{SHEET_NAME} lacks the column {exc}") from exc
        i_post = column.get("post")
        speakers: dict[tuple[str, int], list[SheetSpeaker]] = defaultdict(list)
        for row in rows:
            try:
                session = int(row[i_session])
            except (TypeError, ValueError, IndexError):
                continue
            code = clean_cell(row[i_code]).upper()
            code = SHEET_SESSION_CODE_FIXES.get((session, code), SHEET_CODE_ALIASES.get(code, code))
            parsed = split_name(row[i_name])
            if not code or not parsed.name:
                continue
            post = clean_cell(row[i_post]) if i_post is not None and i_post < len(row) else ""
            people = speakers[(code, session)]
            key = name_key(parsed.name)
            for index, known in enumerate(people):
                if name_key(known.name) == key:
                    if not known.post and post:
                        people[index] = SheetSpeaker(known.honorific, known.name, post)
                    break
            else:
                people.append(SheetSpeaker(parsed.honorific, parsed.name, post))
        return dict(speakers)
    finally:
        workbook.close()


# --- the import ---------------------------------------------------------------------------


@dataclass
class _Prepared:
    entry: SpeechEntry
    original: str
    body: str


class _Lookups:
    """Rows an import run reuses, loaded once: countries, session events, speakers."""

    def __init__(self) -> None:
        self.countries = {c.code: c for c in Country.objects.all()}
        self.events: dict[int, Event] = {
            event.start_date.year - FIRST_YEAR: event
            for event in Event.objects.filter(series=SERIES)
        }
        self.speakers: dict[tuple[int | None, str], Speaker] = {}
        for speaker in Speaker.objects.all():
            self.speakers.setdefault((speaker.country_id, name_key(speaker.name)), speaker)

    def event(self, session: int, year: int) -> Event:
        event = self.events.get(session)
        if event is None:
            event = services.create_event(
                name=f"UN General Assembly, {ordinal(session)} session, general debate",
                short_name=f"UNGA {session} general debate",
                kind=EventKind.SESSION,
                series=SERIES,
                city="New York",
                country=self.countries.get("USA"),
                start_date=datetime.date(year, 1, 1),
                organiser="United Nations General Assembly",
            )
            self.events[session] = event
        return event

    def speaker(self, person: SheetSpeaker, country: Country) -> Speaker:
        key = (country.pk, name_key(person.name))
        speaker = self.speakers.get(key)
        if speaker is None:
            speaker = services.create_speaker(
                name=person.name, honorific=person.honorific, country=country
            )
            self.speakers[key] = speaker
        return speaker


def import_ungdc(
    path: str | Path,
    *,
    sessions: set[int] | None = None,
    limit: int | None = None,
    status: str = Status.PUBLISHED,
    dry_run: bool = False,
    batch_size: int = 250,
    progress: Callable[[int], None] | None = None,
    on_total: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import (or re-import) the release at ``path``; see the module docstring."""
    report = ImportReport(dry_run=dry_run)
    with CorpusSource(path) as source:
        entries, skipped = source.entries()
        report.skipped.extend(skipped)
        if sessions:
            entries = [e for e in entries if e.session in sessions]
        if limit is not None:
            entries = entries[: max(limit, 0)]
        if on_total:
            on_total(len(entries))
        sheet_name = source.sheet_name()
        speakers = read_speaker_sheet(source.read(sheet_name)) if sheet_name else {}

        def run() -> None:
            lookups = _Lookups()
            batch: list[_Prepared] = []
            for prepared in _prepare(source, entries, report, progress):
                batch.append(prepared)
                if len(batch) >= batch_size:
                    _write_batch(batch, lookups, speakers, status, report)
                    batch = []
            if batch:
                _write_batch(batch, lookups, speakers, status, report)

        if dry_run:
            # Everything runs as it would, then rolls back: the counts are the real ones.
            with transaction.atomic():
                run()
                transaction.set_rollback(True)
        else:
            run()
    return report


def _prepare(
    source: CorpusSource,
    entries: list[SpeechEntry],
    report: ImportReport,
    progress: Callable[[int], None] | None,
) -> Iterator[_Prepared]:
    """Clean the speeches one session at a time.

    Line-end hyphens are settled by the words of the whole session (every file of it, not
    only the ones selected), so a speech cleans the same way whatever --limit or --sessions
    selected, and a re-run finds it unchanged.
    """
    by_session: dict[int, list[SpeechEntry]] = defaultdict(list)
    for entry in entries:
        by_session[entry.session].append(entry)
    session_files: dict[int, list[str]] = defaultdict(list)
    for name in source.text_names():
        if match := _SPEECH_NAME.match(PurePosixPath(name).name):
            session_files[int(match["session"])].append(name)
    for session in sorted(by_session):
        texts: dict[str, str] = {}
        for name in session_files[session]:
            try:
                texts[name] = decode_text(source.read(name))
            except UnicodeDecodeError:
                continue
        vocabulary = Vocabulary(texts.values())
        for entry in by_session[session]:
            if progress:
                progress(1)
            original = texts.get(entry.path)
            if original is None:
                report.skipped.append((entry.path, "not valid UTF-8 text"))
                continue
            body = clean_speech(original, vocabulary)
            if not body:
                report.skipped.append((entry.path, "no text after cleaning"))
                continue
            yield _Prepared(entry, original, body)


def _write_batch(
    batch: list[_Prepared],
    lookups: _Lookups,
    speakers: dict[tuple[str, int], list[SheetSpeaker]],
    status: str,
    report: ImportReport,
) -> None:
    # One transaction per batch: a run killed mid-way keeps whole batches only, and the
    # next run finds them by their import keys and carries on.  With DEBUG on, Django logs
    # every query (bodies included); a long import must not keep that log.
    reset_queries()
    with transaction.atomic():
        items = []
        for prepared in batch:
            entry = prepared.entry
            country = lookups.countries.get(entry.code)
            if country is None:
                report.skipped.append((entry.path, f"unknown country code {entry.code!r}"))
                continue
            roles = tuple(
                services.SpeakerRole(speaker=lookups.speaker(person, country), role=person.post)
                for person in speakers.get((entry.code, entry.session), ())
            )
            items.append(
                services.StatementInput(
                    import_key=import_key(entry.code, entry.session),
                    slug=slugify(f"{country.name} UN general debate {entry.year}"),
                    title=(
                        f"{country.name} in the general debate of the "
                        f"{ordinal(entry.session)} session of the UN General Assembly "
                        f"({entry.year})"
                    ),
                    body=prepared.body,
                    original_text=prepared.original,
                    delivered_on=datetime.date(entry.year, 1, 1),
                    kind=Kind.SPEECH,
                    language=Language.ENGLISH,
                    country=country,
                    event=lookups.event(entry.session, entry.year),
                    speakers=roles,
                    source_name=f"{SOURCE_NAME}, {entry.path}",
                    source_url=SOURCE_URL,
                    status=status,
                )
            )
        if not items:
            return
        result = services.bulk_upsert_statements(items=items)
    report.created.extend(result.created)
    report.updated.extend(result.updated)
    report.unchanged.extend(result.unchanged)
