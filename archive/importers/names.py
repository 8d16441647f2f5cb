"""People's names as transcripts and spreadsheets give them: honorifics, capitals, OCR slips.

``split_name("  Mr. GROMYKO ")`` gives ``ParsedName(honorific="Mr.", name="Gromyko")``; the
same person written "Mr. Gromyko" elsewhere gets the same ``name_key``, so imports can keep
one Speaker for them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .text import repair_c1_controls

__all__ = [
    "ParsedName", "clean_cell", "name_key", "normalise_honorific", "repair_ocr_digits",
    "split_name",
]

# Honorifics and styles, longest first, in the spelling the archive keeps.  Titles that are
# offices (President, Minister) are roles, not honorifics, and stay out of this list.
_HONORIFICS = [
    ("his excellency", "HE"),
    ("her excellency", "HE"),
    ("his majesty", "HM"),
    ("her majesty", "HM"),
    ("his royal highness", "HRH"),
    ("her royal highness", "HRH"),
    ("his highness", "HH"),
    ("her highness", "HH"),
    ("h.r.h.", "HRH"),
    ("hrh", "HRH"),
    ("h.e.", "HE"),
    ("he", "HE"),
    ("h.m.", "HM"),
    ("h.h.", "HH"),
    ("mr.", "Mr."),
    ("mr", "Mr."),
    ("mrs.", "Mrs."),
    ("mrs", "Mrs."),
    ("ms.", "Ms."),
    ("ms", "Ms."),
    ("miss", "Miss"),
    ("dr.", "Dr."),
    ("dr", "Dr."),
    ("prof.", "Prof."),
    ("professor", "Prof."),
    ("sir", "Sir"),
    ("dame", "Dame"),
    ("sheikh", "Sheikh"),
    ("sheikha", "Sheikha"),
    ("shaikh", "Shaikh"),
    ("shaikha", "Shaikha"),
    ("emir", "Emir"),
    ("prince", "Prince"),
    ("princess", "Princess"),
    ("king", "King"),
    ("queen", "Queen"),
    ("archbishop", "Archbishop"),
    ("cardinal", "Cardinal"),
    ("monsignor", "Monsignor"),
    ("msgr.", "Monsignor"),
    ("general", "General"),
    ("gen.", "General"),
    ("lieutenant general", "Lieutenant General"),
    ("major general", "Major General"),
    ("colonel", "Colonel"),
    ("col.", "Colonel"),
    ("ambassador", "Ambassador"),
]
_HONORIFIC_ALTERNATIVES = "|".join(
    re.escape(h) for h, _ in sorted(_HONORIFICS, key=lambda pair: -len(pair[0]))
)
_HONORIFIC_RE = re.compile(rf"^({_HONORIFIC_ALTERNATIVES})(?=[\s,]|$)[\s,]*", re.IGNORECASE)
_HONORIFIC_FORMS = dict(_HONORIFICS)
# Honorifics too short or too common as name parts to strip unless written with a period or
# in capitals ("HE Dr. X", not "He" as in a name).
_STRICT_CASE = {"he": "HE", "hm": "HM", "hh": "HH"}

_ROMAN = re.compile(r"^(?=[MDCLXVI])M*(?:C[MD]|D?C{0,3})(?:X[CL]|L?X{0,3})(?:I[XV]|V?I{0,3})$")
_LOWER_PARTICLES = {"bin", "bint", "ibn", "al", "el", "de", "da", "del", "della", "der", "di",
                    "do", "dos", "du", "la", "le", "van", "von", "y", "e", "ben", "ould"}
_MISSING = {"", "missing", "n/a", "na", "none", "-", "?", "unknown"}


@dataclass(frozen=True)
class ParsedName:
    honorific: str
    name: str


def clean_cell(value) -> str:
    """A spreadsheet cell as one clean line: no stray spaces, newlines, trailing commas, or
    placeholder values such as ``missing``."""
    if value is None:
        return ""
    text = repair_c1_controls(str(value))
    text = re.sub(r"\s+", " ", text).strip().strip(",;").strip()
    return "" if text.casefold() in _MISSING else text


def repair_ocr_digits(name: str) -> str:
    """Repair digits that OCR put inside names, where the reading is unambiguous.

    0 inside a word of letters is O (o in a lowercase word); 1 inside a capitalised word
    is I, and the Arabic article "A1" before a name is "Al"; 5 ending a capitalised word
    is S.  Other digits (6 for Ó or Ğ, 8 for S or B) are left for an editor.
    """

    def fix(match: re.Match) -> str:
        word = match.group()
        letters = [c for c in word if c.isalpha()]
        if not letters or not any(c.isdigit() for c in word):
            return word
        upper = sum(c.isupper() for c in letters) >= len(letters) / 2
        if word == "A1":
            return "Al"
        word = re.sub(r"(?<=[^\W\d_])0|0(?=[^\W\d_])", "O" if upper else "o", word)
        if upper:
            word = re.sub(r"(?<=[A-Z])1(?=[A-Z])|^1(?=[A-Z]{2})", "I", word)
            word = re.sub(r"(?<=[A-Z]{3})5$", "S", word)
        return word

    return re.sub(r"\b[\w]+\b", fix, name)


def split_name(raw) -> ParsedName:
    """Split the honorifics off a name and normalise capitals, spacing and OCR digits."""
    text = repair_ocr_digits(clean_cell(raw))
    honorifics: list[str] = []
    while True:
        match = _HONORIFIC_RE.match(text)
        if not match:
            break
        found = match.group(1)
        key = found.casefold()
        if key in _STRICT_CASE and found not in {_STRICT_CASE[key], found.upper()}:
            break
        rest = text[match.end():]
        if not rest.strip():
            break  # "Sheikh" alone is a name, not an honorific with nothing after it
        form = _HONORIFIC_FORMS[key]
        if form not in honorifics:
            honorifics.append(form)
        text = rest
    return ParsedName(honorific=" ".join(honorifics), name=fix_capitals(text.strip(" ,")))


def normalise_honorific(raw: str) -> str:
    """An honorific field in the archive's one style: "H.E. dr" -> "HE Dr.",
    "His Excellency Sheikh" -> "HE Sheikh".  Words it does not know are kept as written;
    a word given twice is kept once."""
    text = clean_cell(raw)
    parts: list[str] = []
    while text:
        match = _HONORIFIC_RE.match(text)
        if match:
            form, text = _HONORIFIC_FORMS[match.group(1).casefold()], text[match.end():]
        else:
            form, _, text = text.partition(" ")
            form = form.strip(",;")
            text = text.lstrip(" ,;")
        if form and form not in parts:
            parts.append(form)
    return " ".join(parts)


def fix_capitals(name: str) -> str:
    """Words written in capitals become capitalised ("GROMYKO" -> "Gromyko"); roman numerals
    ("FREDERIK IX") and initials ("J.") stay as they are; mixed-case words are trusted."""
    words = []
    for word in name.split(" "):
        letters = [c for c in word if c.isalpha()]
        if (
            len(letters) > 1
            and all(c.isupper() for c in letters)
            and not any(c.isdigit() for c in word)
            and not _ROMAN.match(word)
            and not re.fullmatch(r"(?:[A-Z]\.)+", word)
        ):
            word = _capitalise(word)
        words.append(word)
    return " ".join(words)


def _capitalise(word: str) -> str:
    # Each part after a hyphen or apostrophe starts a capital: AL-SABAH -> Al-Sabah,
    # O'BRIEN -> O'Brien; McX/MacX are left to the editor.
    return re.sub(r"[^\W\d_]+", lambda m: m.group().capitalize(), word.lower())


def name_key(name: str) -> str:
    """What two spellings of one person's name share: no accents, case, dots or hyphens."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = re.sub(r"[\W_]+", " ", plain.casefold())
    return " ".join(plain.split())
