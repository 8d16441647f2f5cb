"""Character folding: digits of every script, Arabic marks and letter variants, Latin accents.

Each fold is a ``str.translate`` table that fills itself: the first time a character is seen,
its folding is worked out once (from ``unicodedata`` and the small tables below) and kept, so a
long text costs one C-level ``translate`` per word and nothing per character in Python.
"""

from __future__ import annotations

import unicodedata

# --- Arabic ----------------------------------------------------------------------------------

ARABIC_MARKS = frozenset(
    [chr(c) for c in range(0x0610, 0x061B)]
    + [chr(c) for c in range(0x064B, 0x0660)]
    + ["\u0670"]
    + [chr(c) for c in range(0x06D6, 0x06EE)]
    + [chr(c) for c in range(0x08D3, 0x0900) if c != 0x08E2]
)
TATWEEL = "\u0640"

# Letter variants that only spelling habits or keyboards tell apart, folded before anything
# else looks at the word.  The hamza-carrying alefs are *not* here: whether a word starts
# with the article depends on them (see ``arabic.py``), so they are folded after that.
_ARABIC_BASE = {
    "\u0671": "\u0627",  # alef wasla -> alef (vowelled and Quranic text)
    "\u06cc": "\u064a",  # Persian/Urdu yeh -> Arabic yeh
    "\u06d2": "\u064a",  # yeh barree -> yeh
    "\u06a9": "\u0643",  # keheh (Persian kaf) -> kaf
    "\u06c0": "\u0647",  # heh with yeh above -> heh
    "\u06c1": "\u0647",  # heh goal -> heh
}

# The folds of the normalised form, after the prefix decision (Lucene's ArabicNormalizer,
# plus the two hamza seats; see README "Arabic: the hamza on waw and yeh" for the figures).
ARABIC_LETTER_FOLD = {
    "\u0622": "\u0627",  # alef with madda above -> alef
    "\u0623": "\u0627",  # alef with hamza above -> alef
    "\u0625": "\u0627",  # alef with hamza below -> alef
    "\u0649": "\u064a",  # alef maqsura -> yeh
    "\u0629": "\u0647",  # teh marbuta -> heh
    "\u0624": "\u0621",  # waw with hamza above -> hamza
    "\u0626": "\u0621",  # yeh with hamza above -> hamza
}
ARABIC_LETTER_TABLE = str.maketrans(ARABIC_LETTER_FOLD)

# --- Latin: letters with no Unicode decomposition ----------------------------------------------
# NFKD plus dropping the marks folds é, č, ñ, ö, ç, ą, ş, ﬁ, ² and the fullwidth letters.  These
# have no decomposition, so they are spelled out (the same choices as Lucene's
# ASCIIFoldingFilter for them).
_NO_DECOMPOSITION = {
    "Æ": "AE", "æ": "ae", "Ð": "D", "ð": "d", "Ø": "O", "ø": "o", "Þ": "TH", "þ": "th",
    "ß": "ss", "ẞ": "SS", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "ı": "i", "ĸ": "q",
    "Ŀ": "L", "ŀ": "l", "Ł": "L", "ł": "l", "Ŋ": "N", "ŋ": "n", "Œ": "OE", "œ": "oe",
    "Ŧ": "T", "ŧ": "t", "ƀ": "b", "Ɓ": "B", "Ƃ": "B", "ƃ": "b", "Ƈ": "C", "ƈ": "c",
    "Ɖ": "D", "Ɗ": "D", "Ƌ": "D", "ƌ": "d", "Ǝ": "E", "Ə": "E", "ǝ": "e", "ə": "e",
    "Ɛ": "E", "ɛ": "e", "Ƒ": "F", "ƒ": "f", "Ɠ": "G", "ɠ": "g", "Ɣ": "G", "ɣ": "g",
    "ƕ": "hv", "Ɩ": "I", "Ɨ": "I", "ɨ": "i", "Ƙ": "K", "ƙ": "k", "ƚ": "l", "Ɯ": "M",
    "Ɲ": "N", "ƞ": "n", "Ɵ": "O", "ɵ": "o", "Ƣ": "OI", "ƣ": "oi", "Ƥ": "P", "ƥ": "p",
    "ƫ": "t", "Ƭ": "T", "ƭ": "t", "Ʈ": "T", "ʈ": "t", "Ʋ": "V", "ʋ": "v", "Ƴ": "Y",
    "ƴ": "y", "Ƶ": "Z", "ƶ": "z", "Ȥ": "Z", "ȥ": "z", "ȴ": "l", "ȵ": "n", "ȶ": "t",
    "ȷ": "j", "ȸ": "db", "ȹ": "qp", "Ⱥ": "A", "Ȼ": "C", "ȼ": "c", "Ƚ": "L", "Ⱦ": "T",
    "ȿ": "s", "ɀ": "z", "Ƀ": "B", "Ʉ": "U", "Ʌ": "V", "Ɇ": "E", "ɇ": "e", "Ɉ": "J",
    "ɉ": "j", "Ɍ": "R", "ɍ": "r", "Ɏ": "Y", "ɏ": "y", "ɓ": "b", "ɕ": "c", "ɖ": "d",
    "ɗ": "d", "ɦ": "h", "ɫ": "l", "ɬ": "l", "ɭ": "l", "ɱ": "m", "ɲ": "n", "ɳ": "n",
    "ɼ": "r", "ɽ": "r", "ɾ": "r", "ʂ": "s", "ʐ": "z", "ʑ": "z", "ᵫ": "ue", "ꝏ": "oo",
    "Ꜳ": "AA", "ꜳ": "aa", "Ꜵ": "AO", "ꜵ": "ao", "Ꜷ": "AU", "ꜷ": "au", "Ꜹ": "AV",
    "ꜹ": "av", "Ꝏ": "OO", "ſ": "s", "ʻ": "", "ʼ": "", "ʽ": "", "ʹ": "", "ˈ": "",
}


def _is_latin_letter(ch: str) -> bool:
    return unicodedata.name(ch, "").startswith(("LATIN ", "FULLWIDTH LATIN "))


def _digit(ch: str) -> str | None:
    # Every script's decimal digits (Arabic-Indic ٠-٩, Persian ۰-۹, Devanagari, fullwidth...).
    value = unicodedata.decimal(ch, None)
    return None if value is None else str(value)


class _FoldTable(dict):
    """A ``str.translate`` table that works out each character's folding on first sight."""

    def __init__(self, fold_latin: bool):
        super().__init__()
        self.fold_latin = fold_latin

    def __missing__(self, codepoint: int):
        ch = chr(codepoint)
        out = self._fold(ch)
        self[codepoint] = out
        return out

    def _fold(self, ch: str):
        if ch in ARABIC_MARKS or ch == TATWEEL:
            return None
        if ch in _ARABIC_BASE:
            return _ARABIC_BASE[ch]
        if ch.isdigit():
            digit = _digit(ch)
            if digit is not None:
                return digit
        if "\u0300" <= ch <= "\u036f":
            # A mark NFC could not compose onto its letter: only the folded form drops it.
            return None if self.fold_latin else ch
        if not self.fold_latin:
            return _compat(ch)
        if ch in _NO_DECOMPOSITION:
            return _NO_DECOMPOSITION[ch]
        if _is_latin_letter(ch) or unicodedata.category(ch) == "No" or "\ufb00" <= ch <= "\ufb06":
            base = "".join(
                c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)
            )
            if base.isascii():
                return base
        return _compat(ch)


def _compat(ch: str) -> str:
    """Arabic presentation forms (old PDFs, some fonts) to the letters they draw."""
    if "\ufb50" <= ch <= "\ufdff" or "\ufe70" <= ch <= "\ufeff":
        return unicodedata.normalize("NFKC", ch)
    return ch


# Arabic marks, tatweel, letter variants and digits only: the exact (accent-keeping) form.
EXACT_TABLE = _FoldTable(fold_latin=False)
# The same plus Latin letters folded to ASCII: the form every searchable field is matched on.
FOLD_TABLE = _FoldTable(fold_latin=True)


def fold_latin(text: str) -> str:
    """``text`` lowercased with accents and letter variants folded to ASCII ("Łódź" -> "lodz").

    Arabic marks are dropped and digits folded too; Arabic letters are otherwise untouched.
    """
    if text.isascii():
        return text.lower()
    return unicodedata.normalize("NFC", text).lower().translate(FOLD_TABLE)


def fold_exact(text: str) -> str:
    """``text`` lowercased (NFC), Arabic marks and tatweel out, digits folded; accents kept."""
    if text.isascii():
        return text.lower()
    return unicodedata.normalize("NFC", text).lower().translate(EXACT_TABLE)
