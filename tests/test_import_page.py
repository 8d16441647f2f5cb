"""import_page on the seed page and on pages of other shapes written for these tests."""

import datetime
import io
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from archive.importers.page import suggest_from_page
from archive.models import Statement, Status
from tests.factories import UserFactory

PAGES = Path(__file__).parent / "data" / "pages"
SEED = "seeds/000_1d78c931a1c408e6.txt"


@pytest.mark.django_db
def test_seed_page_suggestions(shared_dir):
    path = shared_dir / SEED
    out = io.StringIO()
    call_command("import_page", str(path), "--json", stdout=out)
    data = json.loads(out.getvalue())
    first_line = next(line for line in path.read_text().splitlines()
                      if len(line.split()) > 5)
    assert data["title"] == first_line.strip()
    assert data["source"] == "Ministry of Foreign Affairs"
    assert data["country"] == "Qatar"
    assert data["event"]["city"] == "Dushanbe" and data["event"]["country"] == "Tajikistan"
    assert data["event"]["name"].startswith("High-Level International Conference on ")
    assert data["event"]["name"].endswith("Prevent the Movement of Terrorists")
    [speaker] = data["speakers"]
    assert speaker["name"] == "Mutlaq bin Majed Al Qahtani"
    assert set(speaker["honorific"].split()) == {"HE", "Dr."}
    assert speaker["role"].startswith("Special Envoy of the Minister of Foreign Affairs")
    assert speaker["role"].endswith("Mediation in Conflict Resolution")
    for chrome in ("Search", "Close this search box.", "Recent post", "Source:"):
        assert chrome not in data["body"]
    weekday = suggest_from_page(path.read_text(), published_on=datetime.date(2022, 10, 20))
    assert weekday.date == datetime.date(2022, 10, 18)  # "Tuesday" before the 20th


def test_an_ambassadors_speech():
    s = suggest_from_page((PAGES / "ambassador_speech.txt").read_text())
    assert s.title.startswith("Ambassador Addresses")
    assert s.date == datetime.date(2024, 3, 12)
    assert [(p.name, p.honorific) for p in s.speakers] == [("Ingrid Falk Moreau", "HE Ms.")]
    assert s.speakers[0].role == "Permanent Representative of Norway to the United Nations"
    assert (s.event.city, s.event.country) == ("New York", "United States")
    assert "Share this" not in s.body and "Related news" not in s.body
    assert "Minister visits" not in s.body


def test_a_joint_statement():
    s = suggest_from_page((PAGES / "joint_statement.txt").read_text())
    assert s.kind == "joint_statement"
    assert [p.role for p in s.speakers] == ["Minister of Foreign Affairs of Chile",
                                            "Minister of Foreign Affairs of Portugal"]
    assert s.date == datetime.date(2023, 5, 3)
    assert "cookies" not in s.body and "©" not in s.body and "Lisbon, 3 May" not in s.body


def test_a_ministers_remarks_at_a_summit_from_html():
    s = suggest_from_page((PAGES / "summit_remarks.html").read_text())
    assert s.title == "Minister's remarks at the Regional Energy Summit"
    assert s.source == "Ministry of External Relations (demo)"
    assert s.date == datetime.date(2023, 6, 14)
    assert s.speakers[0].name == "Amara Keita Diallo"
    assert s.speakers[0].role == "Minister for External Relations"
    assert (s.event.name, s.event.city, s.event.country) == (
        "Regional Energy Summit", "Dakar", "Senegal")
    assert "Recent posts" not in s.body and "Another story" not in s.body


def test_an_arabic_release():
    s = suggest_from_page((PAGES / "arabic_release.txt").read_text())
    assert s.language == "ar"
    assert s.source == "وزارة الخارجية"
    assert s.speakers[0].name == "سالم بن راشد الكعبي"
    assert s.speakers[0].honorific == "HE Dr."
    assert "بحث" not in s.body.split("\n\n")[0]


@pytest.mark.django_db
def test_admin_import_saves_a_draft_and_keeps_input_on_errors(client):
    editor = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(editor)
    url = reverse("admin:archive_statement_import_page")
    assert client.get(url).status_code == 200
    bad = client.post(url, {"step": "source", "upload": SimpleUploadedFile("x.pdf", b"%PDF")})
    assert bad.status_code == 400 and "Upload a .txt or .html file." in bad.content.decode()
    page = (PAGES / "ambassador_speech.txt").read_text()
    step2 = client.post(url, {"step": "source", "text": page})
    assert step2.status_code == 200
    form = step2.context["form"]
    assert form.initial["speaker_0_name"] == "Ingrid Falk Moreau"
    assert 'type="date" name="delivered_on" value="2024-03-12"' in step2.content.decode()
    data = {"step": "confirm", **{k: ("" if v is None else getattr(v, "pk", v))
                                  for k, v in form.initial.items()}}
    data["title"] = ""
    invalid = client.post(url, data)
    assert invalid.status_code == 400
    assert "Ingrid Falk Moreau" in invalid.content.decode()  # the editor's input survives
    data["title"] = "Ambassador on water (demo)"
    saved = client.post(url, data)
    statement = Statement.objects.get(title="Ambassador on water (demo)")
    assert saved.status_code == 302 and str(statement.pk) in saved["Location"]
    assert statement.status == Status.DRAFT
    assert statement.speakers.get().name == "Ingrid Falk Moreau"
    repeat = client.post(url, data)
    assert "may already be in the archive" in repeat.content.decode()


@pytest.mark.django_db
def test_the_admin_view_needs_the_add_permission(client):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse("admin:archive_statement_import_page")).status_code == 403
