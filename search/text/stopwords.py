"""English function words: the words a passage is never chosen for, never marked alone, and
that proximity ranking only counts as distance.

The index keeps every word (phrases need them) and the analysis flags only Arabic function
words (``QueryWord.stopword``); English ones are known here, by their lowercase spelling.
"""

from __future__ import annotations

_WORDS = """
    a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    few for from further had has have having he her here hers herself him himself his how i
    if in into is it its itself just may me might more most must my myself no nor not now
    of off on once only or other ought our ours ourselves out over own same shall she
    should so some such than that the their theirs them themselves then there these they
    this those through to too under until up upon very was we were what when where which
    while who whom why will with would you your yours yourself yourselves
"""
ENGLISH = frozenset(_WORDS.split())


def is_stopword(surface: str, *, flagged: bool = False) -> bool:
    """Whether a query or text word is a function word (``flagged``: the analysis said so,
    as it does for Arabic ones)."""
    return flagged or surface.lower() in ENGLISH
