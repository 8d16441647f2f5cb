"""Bidirectional text outside HTML markup: page titles, feed titles, plain-text lines.

In HTML a name or title of either script is isolated with ``<bdi>`` or ``dir="auto"``; where
no markup is possible (``<title>``, an Atom ``<title>``, a ``content`` attribute) the same is
done with Unicode's isolate characters, FIRST STRONG ISOLATE ... POP DIRECTIONAL ISOLATE.
They are added only to text holding letters of the other direction, so text of the page's
own direction stays exactly as it was.
"""

from __future__ import annotations

import unicodedata

FSI = "\u2068"
PDI = "\u2069"
_RTL_CLASSES = frozenset({"R", "AL"})


def has_direction(text: str, direction: str) -> bool:
    """Whether ``text`` holds a letter written in ``direction`` ("rtl" or "ltr")."""
    wanted = _RTL_CLASSES if direction == "rtl" else frozenset({"L"})
    return any(unicodedata.bidirectional(ch) in wanted for ch in text)


def isolate(text: str, base: str = "ltr") -> str:
    """``text`` between FSI and PDI when it holds letters of the direction opposite ``base``."""
    text = "" if text is None else str(text)
    other = "ltr" if base == "rtl" else "rtl"
    if text and has_direction(text, other) and not text.startswith(FSI):
        return f"{FSI}{text}{PDI}"
    return text
