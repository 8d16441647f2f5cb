"""import_ungdc on a small synthetic release (each corpus defect reproduced) and, where
../shared is present, on a sample of the real archive taken at test time."""

import io
import os
import signal
import sqlite3
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from archive.importers.ungdc import import_ungdc
from archive.models import Speaker, Statement, Status

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent
PARAGRAPH = "The Assembly meets again to consider the questions of peace and development. " * 3


def _speech(n: int) -> str:
    return f"{PARAGRAPH}\nSpeech number {n} ends here with its own words.\n"


def make_release(folder: Path, speeches: dict[str, bytes], rows: list[tuple]) -> Path:
    for name, data in speeches.items():
        code, session, year = name[:-4].split("_")
        path = folder / "TXT" / f"Session {session} - {year}" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Sheet1"
    sheet.append(["Year", "Session", "ISO Code", "Country", "Name of Person Speaking", "Post"])
    for row in rows:
        sheet.append(list(row))
    workbook.save(folder / "Speakers_by_session.xlsx")
    return folder


@pytest.fixture
def release(tmp_path):
    speeches = {
        "USA_01_1946.txt": ("\ufeff" + _speech(1)).encode(),  # BOM
        "RUS_01_1946.txt": _speech(2).replace("\n", "\r").encode(),  # bare CR
        "YMD_23_1968.txt": _speech(3).replace("\n", "\r\n").encode(),  # CRLF, sheet code YDYE
        "RUS_13_1958.txt": (_speech(4) + "\f" + _speech(5)).encode(),  # form feed, 2 rows
        "SWE_56_2001.txt": _speech(6).encode(),
        "EU_66_2011.txt": _speech(7).encode(),  # sheet code EC
        "XXX_01_1946.txt": _speech(8).encode(),  # unknown country
    }
    rows = [
        (1946, 1, "USA ", "United States", " Mr. AUSTIN ", None),
        (1946, 1, "RUS", "USSR", "Mr. GROMYKO", "missing"),
        (1958, 13, "RUS", "USSR", "Mr. Gromyko", None),
        (1958, 13, "RUS", "USSR", "Mr. GROMYKO ", "Minister for Foreign Affairs"),
        (1968, 23, "YDYE", "Democratic Yemen", "Mr. AL-ASNAG", None),
        (2001, 56, "CHE", "Sweden", "Anna Lindh,", "Minister for Foreign Affairs"),
        (2001, 56, "SWE", "Swaziland", "Clifford Mamba", "Minister"),
        (2011, 66, "EC", "European Council", "Herman Van\nRompuy", "President"),
    ]
    return make_release(tmp_path / "release", speeches, rows)


def test_import_creates_one_published_statement_per_speech_with_speakers(release):
    report = import_ungdc(release)
    assert len(report.created) == 6
    assert report.skipped == [("TXT/Session 01 - 1946/XXX_01_1946.txt",
                               "unknown country code 'XXX'")]
    usa = Statement.objects.get(import_key="ungdc:USA:1")
    assert usa.status == Status.PUBLISHED and usa.kind == "speech" and usa.language == "en"
    assert usa.delivered_on.year == 1946 and usa.country.code == "USA"
    assert usa.event.name == "UN General Assembly, 1st session, general debate"
    assert usa.event.city == "New York" and usa.event.country.code == "USA"
    assert usa.original_text.startswith("The Assembly")  # BOM gone, text otherwise as given
    assert "\ufeff" not in usa.body and "\r" not in Statement.objects.get(
        import_key="ungdc:RUS:1").body
    # One Gromyko across sessions, honorific apart, capitals and duplicate rows merged.
    gromyko = Speaker.objects.get(name="Gromyko")
    assert gromyko.honorific == "Mr."
    assert Statement.objects.by_speaker(gromyko).count() == 2
    links = Statement.objects.get(import_key="ungdc:RUS:13").statement_speakers.all()
    assert [(link.speaker.name, link.role) for link in links] == [
        ("Gromyko", "Minister for Foreign Affairs")]
    assert Statement.objects.get(import_key="ungdc:RUS:1").statement_speakers.get().role == ""
    # The sheet's wrong codes, repaired by the alias table.
    assert Statement.objects.get(import_key="ungdc:YMD:23").speakers.get().name == "Al-Asnag"
    assert Statement.objects.get(import_key="ungdc:EU:66").speakers.get().name == (
        "Herman Van Rompuy")
    assert Statement.objects.get(import_key="ungdc:SWE:56").speakers.get().name == "Anna Lindh"


def test_second_run_is_unchanged_and_a_changed_file_updates(release):
    import_ungdc(release)
    again = import_ungdc(release)
    assert (len(again.created), len(again.updated), len(again.unchanged)) == (0, 0, 6)
    path = release / "TXT" / "Session 66 - 2011" / "EU_66_2011.txt"
    path.write_text(_speech(7) + "A new closing paragraph was added to this speech.\n")
    third = import_ungdc(release)
    assert third.updated == ["ungdc:EU:66"] and len(third.unchanged) == 5
    assert "new closing paragraph" in Statement.objects.get(import_key="ungdc:EU:66").body
    assert Statement.objects.count() == 6


def test_dry_run_writes_nothing_and_limit_and_sessions_select(release):
    report = import_ungdc(release, dry_run=True)
    assert len(report.created) == 6 and Statement.objects.count() == 0
    assert len(import_ungdc(release, sessions={1}, limit=1).created) == 1
    assert len(import_ungdc(release, sessions={1, 13}, status=Status.DRAFT).created) == 2
    assert Statement.objects.drafts().count() == 2


def test_command_reports_counts_and_reasons(release):
    out = io.StringIO()
    call_command("import_ungdc", str(release), "--draft", stdout=out)
    assert "6 created, 0 updated, 0 unchanged, 1 skipped" in out.getvalue()
    assert "unknown country code 'XXX'" in out.getvalue()


def test_a_tgz_release_reads_like_its_folder(release, tmp_path):
    archive = tmp_path / "release.tgz"
    with tarfile.open(archive, "w:gz") as tar:
        for path in sorted(release.rglob("*")):
            tar.add(path, arcname=path.relative_to(release).as_posix(), recursive=False)
    assert len(import_ungdc(archive).created) == 6


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_run_killed_mid_way_resumes_with_exact_counts(tmp_path):
    # Real country codes, so every speech imports: the first 200 seeded alpha-3 codes.
    from archive.models import Country
    codes = sorted(Country.objects.filter(code__regex=r"^[A-Z]{3}$").values_list(
        "code", flat=True))[:200]
    speeches = {f"{code}_70_2015.txt": _speech(i).encode() for i, code in enumerate(codes)}
    release = make_release(tmp_path / "release", speeches, [])
    database = tmp_path / "resume.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "DJANGO_DEBUG": "1",
           "DJANGO_SETTINGS_MODULE": "config.settings"}
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0", "--skip-checks"], env=env, check=True, cwd=ROOT)
    command = [*manage, "import_ungdc", str(release), "--batch-size", "2", "--skip-checks"]
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE)

    def imported() -> int:
        try:
            with sqlite3.connect(database, timeout=5) as db:
                return db.execute("select count(*) from archive_statement").fetchone()[0]
        except sqlite3.OperationalError:
            return 0

    deadline = time.monotonic() + 60
    while imported() < 10 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert 0 < imported() < 200, "the run should have been killed part-way"
    finished = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True,
                              check=True)
    done = imported()
    assert done == 200
    created = int(finished.stdout.split(" created")[0].split()[-1])
    unchanged = int(finished.stdout.split(" unchanged")[0].split()[-1])
    assert created + unchanged == 200 and created > 0
    with sqlite3.connect(database) as db:
        keys = db.execute("select count(distinct import_key) from archive_statement").fetchone()
    assert keys[0] == 200


@pytest.mark.corpus
def test_sample_of_the_real_archive(shared_dir, tmp_path):
    """Files with each known defect, taken from the archive now, cleaned by the rules."""
    wanted = {
        "TXT/Session 16 - 1961/USA_16_1961.txt",  # BOM
        "TXT/Session 20 - 1965/USA_20_1965.txt",  # CR or CRLF line ends
        "TXT/Session 50 - 1995/USA_50_1995.txt",  # hard-wrapped with page numbers
        "TXT/Session 68 - 2013/FRA_68_2013.txt",  # form feeds, hard-wrapped
        "TXT/Session 39 - 1984/YMD_39_1984.txt",  # sheet code YDYE
        "TXT/Session 15 - 1960/IND_15_1960.txt",  # two sheet rows, two people
        "TXT/Session 13 - 1958/RUS_13_1958.txt",  # two sheet rows, one person
    }
    archive = shared_dir / "data" / "ungdc" / "ungdc-1946-2015.tgz"
    if not archive.exists():
        pytest.skip(f"{archive} is absent")
    release = tmp_path / "sample"
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            if member.name in wanted or member.name == "Speakers_by_session.xlsx":
                target = release / member.name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(tar.extractfile(member).read())
    raw = {name: (release / name).read_bytes() for name in wanted}
    assert raw["TXT/Session 16 - 1961/USA_16_1961.txt"].startswith(b"\xef\xbb\xbf")
    assert b"\r" in raw["TXT/Session 20 - 1965/USA_20_1965.txt"]
    assert b"\f" in raw["TXT/Session 68 - 2013/FRA_68_2013.txt"]

    report = import_ungdc(release)
    assert len(report.created) == len(wanted) and not report.skipped
    for name in wanted:
        code, session = Path(name).stem.split("_")[:2]
        statement = Statement.objects.get(import_key=f"ungdc:{code}:{int(session)}")
        with subTestless(name):
            assert statement.original_text == raw[name].decode("utf-8-sig")
            body = statement.body
            assert "\r" not in body and "\f" not in body and "\ufeff" not in body
            for paragraph in body.split("\n\n"):
                assert "\n" not in paragraph
                assert not paragraph.strip().isdigit(), "a page number was kept"
            # Hard-wrapped sources become paragraphs far longer than their 50-character lines.
            lengths = sorted(len(p) for p in body.split("\n\n"))
            assert lengths[len(lengths) // 2] > 150
    assert Statement.objects.get(import_key="ungdc:YMD:39").speakers.exists()
    assert Statement.objects.get(import_key="ungdc:IND:15").speakers.count() == 2
    assert Statement.objects.get(import_key="ungdc:RUS:13").speakers.count() == 1
    assert len(import_ungdc(release).unchanged) == len(wanted)


class subTestless:
    """A labelled block: an assertion error inside names the file it was about."""

    def __init__(self, label: str) -> None:
        self.label = label

    def __enter__(self):
        return self

    def __exit__(self, kind, value, tb):
        if isinstance(value, AssertionError):
            raise AssertionError(f"{self.label}: {value}") from value
        return False
