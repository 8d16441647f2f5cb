"""Words and where they are: the tokenizer every field and every engine shares."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

# Combining marks that Python's ``\w`` leaves out, plus the Arabic tatweel: Arabic harakat,
# Quranic annotation marks, decomposed Latin accents.  With them a fully vowelled Arabic word
# (or an "e" followed by U+0301) stays one token instead of breaking at every mark.
MARKS = (
    "\u0300-\u036f"  # combining diacritical marks (decomposed Latin accents)
    "\u0610-\u061a"  # Arabic signs above and below
    "\u064b-\u065f"  # Arabic harakat: fatha, damma, kasra, tanwin, shadda, sukun, ...
    "\u0670"  # superscript alef
    "\u06d6-\u06ed"  # Quranic annotation marks
    "\u08d3-\u08e1\u08e3-\u08ff"  # Arabic Extended-A marks
    "\u0640"  # tatweel (kashida), a stretching stroke, not a letter
)

# A word: letters, digits and those marks; "U.S." style dotted runs stay one word.  An
# apostrophe or a hyphen ends a word ("Al-Qahtani" is "al" "qahtani"), as it always has in
# this archive, so phrases and the existing index keep their meaning.
WORD_PATTERN = rf"(?:\w|[{MARKS}])+(?:\.(?:\w|[{MARKS}])+)*"
WORD_RE = re.compile(WORD_PATTERN)


@dataclass(frozen=True, slots=True)
class Token:
    """One word of a text as written: ``text[start:end] == surface``."""

    surface: str
    position: int
    start: int
    end: int


def tokenize(text: str) -> Iterator[Token]:
    """The words of ``text`` with their positions (0, 1, 2...) and character offsets."""
    for position, match in enumerate(WORD_RE.finditer(text or "")):
        yield Token(match.group(), position, match.start(), match.end())
