"""The key a speaker is filed under in A-Z lists: the surname first, without its particles.

``surname_key("Mutlaq bin Majed Al Qahtani") == "qahtani, mutlaq bin majed al"``: the person
files under Q.  The rules, in order:

* The name is split with ``nameparser`` (given names, surname, suffixes such as "Jr." or
  "III", which are left out).  A name of one word ("Sukarno") is its own surname.
* **Particles** at the start of the surname are moved behind the given names, so the surname
  proper decides the letter: the Arabic article in any spelling (al-, al, el-, ad-, ash-, as-,
  at-, az-, ar-, an-, and "ال" joined to an Arabic-script word), the patronymic markers bin,
  bint, ibn, ben, and the European prepositions and articles de, da, das, do, dos, du, del,
  della, des, di, la, le, van, von, der, den, ter, ten, zu.  "Charles de Gaulle" files
  under G, "Ursula von der Leyen" under L, "Mohammed bin Salman" under S.  "Abu" and "Abd"
  are part of the name, not particles ("Ahmed Abu Gheit" files under A).
* **Family name first**: for a speaker of a delegation that writes the family name first
  (China, Taiwan, Hong Kong, Macao and both Koreas), the first word is the surname: "Xi
  Jinping" files under X, "Ban Ki-moon" under B.
* In Arabic script the last word is the surname, and a joined "ال" is set aside.
* Accents and case are folded ("Émile" beside "Emil").

Known limits: a Spanish or Portuguese double surname files under its last part ("José Luis
Rodríguez Zapatero" under Z), and a surname whose particle is its first letter by custom
(Dutch "Van" in Belgium) under the word after it.  The key is stored on the record
(``Speaker.sort_name``), kept by ``archive.services`` on every save, so an editor can see
it; a migration fills it for existing speakers.
"""

from __future__ import annotations

import re
import unicodedata

_PARTICLE_WORDS = """
    al el ad as ash at az ar an bin bint ibn ben de da das do dos du del della des di la le
    van von der den ter ten zu
"""
PARTICLES = frozenset(_PARTICLE_WORDS.split())
# Delegations whose people write the family name first.
FAMILY_NAME_FIRST = frozenset({"CHN", "TWN", "HKG", "MAC", "KOR", "PRK"})
_ARTICLE_JOINED = re.compile(r"^(?:al|el|ad|as|ash|at|az|ar|an)-(?=\w)", re.IGNORECASE)
_ARABIC_ARTICLE = "ال"
_ARABIC_LETTER = re.compile(r"[\u0600-\u06ff]")


def fold(text: str) -> str:
    """Lowercase without accents ("Émile" -> "emile")."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def surname_key(name: str, *, country_code: str = "") -> str:
    """The sort key of a person's name (see the module's rules)."""
    name = " ".join((name or "").split())
    if not name:
        return ""
    words = name.split(" ")
    if country_code.upper() in FAMILY_NAME_FIRST and len(words) > 1:
        surname, given = [words[0]], words[1:]
    elif _ARABIC_LETTER.search(name):
        # Arabic script: the last word is the family or tribal name ("... القحطاني").
        surname, given = [words[-1]], words[:-1]
    else:
        surname, given = _split(name)
    particles = []
    while len(surname) > 1 and fold(surname[0]) in PARTICLES:
        particles.append(surname.pop(0))
    first = surname[0]
    joined = _ARTICLE_JOINED.match(first)
    if joined and len(first) > joined.end():
        particles.append(first[: joined.end() - 1])
        surname[0] = first[joined.end():]
    elif first.startswith(_ARABIC_ARTICLE) and len(first) > 4:
        particles.append(_ARABIC_ARTICLE)
        surname[0] = first[len(_ARABIC_ARTICLE):]
    rest = " ".join([*given, *particles])
    key = " ".join(surname) + (", " + rest if rest else "")
    return fold(key)[:200]


def _split(name: str) -> tuple[list[str], list[str]]:
    """(surname words, given-name words) by nameparser; suffixes and titles left out."""
    from nameparser import HumanName

    parsed = HumanName(name)
    last = parsed.last.split()
    given = (parsed.first + " " + parsed.middle).split()
    if not last:
        # One word, or nothing nameparser calls a surname: the last word files the name.
        words = [w for w in (parsed.first + " " + parsed.middle).split() if w] or name.split()
        return [words[-1]], words[:-1]
    return last, given
