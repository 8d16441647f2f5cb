"""Load N UN General Debate speeches into a scratch database (benchmarks only).

Not the importer (that is archive/importers): no speaker names, no cleaning beyond what the
services do.  Each speech becomes a published statement of its country at "UN General
Assembly, session N", written through ``archive.services.bulk_upsert_statements``.

    .venv/bin/python bench/quick_load.py --count 2000      # into var/bench/bench.sqlite3
"""

from __future__ import annotations

import argparse
import datetime
import os
import re
import sys
import tarfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "data" / "ungdc" / "ungdc-1946-2015.tgz"
BENCH_DIR = ROOT / "var" / "bench"
NAME = re.compile(r"TXT/Session (\d+) - (\d{4})/([A-Z]{2,3})_\d+_\d{4}\.txt$")


def configure(bench_dir: Path = BENCH_DIR) -> None:
    """Point Django at the scratch database and index (call before django.setup())."""
    bench_dir.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ["DATABASE_URL"] = f"sqlite:///{bench_dir / 'bench.sqlite3'}"
    os.environ["SEARCH_URL"] = f"whoosh:{bench_dir / 'whoosh'}"
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))


def pick_members(tar: tarfile.TarFile, count: int):
    members = sorted((m for m in tar.getmembers() if NAME.search(m.name)), key=lambda m: m.name)
    if count >= len(members):
        return members
    step = len(members) / count
    return [members[int(i * step)] for i in range(count)]


def load(count: int, *, corpus: Path = CORPUS, batch: int = 200, stdout=sys.stdout) -> int:
    from django.db import transaction

    from archive import services
    from archive.models import Country, Event, EventKind, Statement, Status

    if not corpus.exists():
        raise SystemExit(f"{corpus} is absent: the benchmark needs ../shared/data/ungdc")
    existing = Statement.objects.filter(import_key__startswith="bench:").count()
    if existing >= count:
        stdout.write(f"{existing} bench statements already loaded\n")
        return existing
    countries = {c.code: c for c in Country.objects.all()}
    events: dict[int, Event] = {}
    usa = countries.get("USA")
    started = time.monotonic()
    items = []
    written = 0
    with tarfile.open(corpus, "r:gz") as tar:
        for member in pick_members(tar, count):
            session, year, code = NAME.search(member.name).groups()
            country = countries.get(code)
            if country is None:
                continue
            session_no = int(session)
            if session_no not in events:
                slug = f"bench-unga-session-{session_no}"
                events[session_no] = Event.objects.filter(slug=slug).first() or (
                    services.create_event(
                        name=f"UN General Assembly, session {session_no} (general debate)",
                        short_name=f"UNGA {session_no}",
                        slug=slug,
                        start_date=datetime.date(int(year), 9, 15),
                        kind=EventKind.SESSION,
                        series="UN General Assembly general debate",
                        city="New York",
                        country=usa,
                    )
                )
            text = tar.extractfile(member).read().decode("utf-8-sig", errors="replace")
            items.append(
                services.StatementInput(
                    title=f"{country.name} at the general debate, session {session_no} ({year})",
                    body=text,
                    delivered_on=datetime.date(int(year), 9, 20),
                    import_key=f"bench:{code}:{session_no}",
                    kind="speech",
                    country=country,
                    event=events[session_no],
                    source_name="UN General Debate Corpus (benchmark sample)",
                    status=Status.PUBLISHED,
                    published_at=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC),
                )
            )
            if len(items) >= batch:
                with transaction.atomic():
                    services.bulk_upsert_statements(items=items)
                written += len(items)
                items = []
                stdout.write(f"  {written} speeches loaded\n")
        if items:
            with transaction.atomic():
                services.bulk_upsert_statements(items=items)
            written += len(items)
    stdout.write(f"Loaded {written} speeches in {time.monotonic() - started:.1f} s\n")
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    args = parser.parse_args(argv)
    configure()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--noinput", verbosity=0)
    load(args.count)


if __name__ == "__main__":
    main()
