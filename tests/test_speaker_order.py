"""Speakers A-Z by surname: the key kept on the record by the services, and the page's order."""

import re

import pytest

from archive import services
from archive.models import Speaker
from archive.sorting import surname_key

from .factories import StatementSpeakerFactory, country

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "code", "key"),
    [
        ("Mutlaq bin Majed Al Qahtani", "QAT", "qahtani, mutlaq bin majed al"),
        ("Abdullah al-Mutawa", "KWT", "mutawa, abdullah al"),
        ("Mohammed bin Salman", "SAU", "salman, mohammed bin"),
        ("Charles de Gaulle", "FRA", "gaulle, charles de"),
        ("Ursula von der Leyen", "DEU", "leyen, ursula von der"),
        ("Ludwig van Beethoven", "NLD", "beethoven, ludwig van"),
        ("Martin Luther King Jr.", "USA", "king, martin luther"),
        ("Ahmed Abu Gheit", "EGY", "abu gheit, ahmed"),
        ("Sukarno", "IDN", "sukarno"),
        ("Xi Jinping", "CHN", "xi, jinping"),
        ("Ban Ki-moon", "KOR", "ban, ki-moon"),
        ("Émile Zola", "FRA", "zola, emile"),
        ("مطلق بن ماجد القحطاني", "QAT", "قحطاني, مطلق بن ماجد ال"),
    ],
)
def test_surname_key_files_people_under_their_surname(name, code, key):
    assert surname_key(name, country_code=code) == key


def test_services_keep_the_key_on_create_and_rename():
    speaker = services.create_speaker(name="Charles de Gaulle", country=country("FRA"))
    assert Speaker.objects.get(pk=speaker.pk).sort_name == "gaulle, charles de"
    services.update_speaker(speaker=speaker, name="Georges Pompidou")
    assert Speaker.objects.get(pk=speaker.pk).sort_name == "pompidou, georges"


def test_speakers_page_lists_by_surname(client):
    names = ["Zainab Abbas", "Mutlaq bin Majed Al Qahtani", "Charles de Gaulle",
             "Aaron Young", "Ursula von der Leyen"]
    for name in names:
        speaker = services.create_speaker(name=name)
        StatementSpeakerFactory(speaker=speaker)
    page = client.get("/speakers/").content.decode()
    shown = [n for n in re.findall(r'dir="auto">([^<]+)</a>', page) if n in names]
    assert shown == ["Zainab Abbas", "Charles de Gaulle", "Ursula von der Leyen",
                     "Mutlaq bin Majed Al Qahtani", "Aaron Young"]
    # Each under its surname's letter.
    groups = dict(re.findall(r'<h2 id="letter-\d+">(\S+)</h2>\s*<ul class="index-list">\s*'
                             r'<li><a [^>]*dir="auto">([^<]+)</a>', page))
    assert groups["Q"] == "Mutlaq bin Majed Al Qahtani"
    assert groups["G"] == "Charles de Gaulle"
