"""Readable slugs in every script.

A slug keeps the letters of its title: Latin letters are folded to ASCII as they always were
("Łódź" gives ``lodz``, "Marčić" ``marcic``), and every other script is kept as written, so an
Arabic title gives an Arabic slug (``بيان-وزير-الخارجية-2025-05-20``) instead of an empty one.
Browsers show such a path as written and send it percent-encoded; Django decodes it before
routing, and ``archive.converters.UnicodeSlugConverter`` accepts it.  Why Unicode rather than a
transliteration: README, "Slugs".
"""

from __future__ import annotations

import unicodedata

from django.utils.text import slugify

# Latin letters that have no Unicode decomposition, so NFKD alone would drop them.
_LATIN_EXTRA = str.maketrans({
    "Æ": "AE", "æ": "ae", "Ð": "D", "ð": "d", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h",
    "ı": "i", "Ł": "L", "ł": "l", "Ø": "O", "ø": "o", "Œ": "OE", "œ": "oe", "ß": "ss",
    "Þ": "TH", "þ": "th", "Ŧ": "T", "ŧ": "t", "Ŋ": "N", "ŋ": "n", "Ə": "E", "ə": "e",
})
# Arabic marks (harakat, Quranic signs) and the tatweel: never part of a slug.
_ARABIC_MARKS = dict.fromkeys(
    [*range(0x0610, 0x061B), *range(0x064B, 0x0660), 0x0670, 0x0640, *range(0x06D6, 0x06EE)]
)


def _fold_latin(ch: str) -> str:
    if ch.isascii() or not unicodedata.name(ch, "").startswith("LATIN "):
        return ch
    return unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode("ascii")


def _ascii_digit(ch: str) -> str:
    value = unicodedata.decimal(ch, None) if not ch.isascii() else None
    return ch if value is None else str(value)


def readable_slug(value: str, *, max_length: int = 200) -> str:
    """A slug of ``value`` in its own script ("" when nothing is left)."""
    value = unicodedata.normalize("NFKC", value or "").translate(_LATIN_EXTRA)
    value = value.translate(_ARABIC_MARKS)
    value = "".join(_ascii_digit(_fold_latin(ch)) for ch in value)
    return slugify(value, allow_unicode=True)[:max_length].strip("-")
