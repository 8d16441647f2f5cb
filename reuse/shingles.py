"""Words, shingles and shared runs: the text side of agreed language (pure Python, no ORM).

A statement's text is cut into words (letters and digits; case, accents and Arabic
diacritics folded away, so "Développement" and "developpement" are one word).  Every run of
``k`` consecutive words (a *shingle*; ``k`` is ``ARCHIVE_REUSE_MIN_WORDS``, 12 by default) is
hashed to a 61-bit number with a rolling polynomial hash, so a statement of n words costs n
multiplications, whatever ``k``.

Two statements share a passage where they share consecutive shingles: a passage is the
union of overlapping shared shingles, at least ``k`` words long, and every ``k`` words of it
occur in the other statement.  Shingles found in very many statements are boilerplate
("Mr. President, allow me to congratulate you on your election"), not reuse: see
``boilerplate_limit``.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

WORD = re.compile(r"\w+")
MODULUS = (1 << 61) - 1  # a Mersenne prime: hashes fit a signed 64-bit column
BASE = 1_000_003

_word_ids: dict[str, int] = {}


def fold(word: str) -> str:
    word = word.casefold()
    if word.isascii():
        return word
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def word_id(word: str) -> int:
    """A stable number for a folded word (the same in every process and on every run)."""
    found = _word_ids.get(word)
    if found is None:
        digest = hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest()
        found = int.from_bytes(digest, "big") % MODULUS
        if len(_word_ids) < 2_000_000:
            _word_ids[word] = found
    return found


@dataclass(frozen=True)
class Words:
    """The words of one text: their ids and where each starts and ends in the text."""

    ids: list[int]
    starts: list[int]
    ends: list[int]

    def __len__(self) -> int:
        return len(self.ids)


def words(text: str) -> Words:
    ids, starts, ends = [], [], []
    for match in WORD.finditer(text):
        ids.append(word_id(fold(match.group())))
        starts.append(match.start())
        ends.append(match.end())
    return Words(ids, starts, ends)


def shingles(ids: list[int], k: int) -> list[int]:
    """The hash of every run of ``k`` words, by its first word's position."""
    n = len(ids)
    if n < k:
        return []
    high = pow(BASE, k - 1, MODULUS)
    h = 0
    for i in range(k):
        h = (h * BASE + ids[i]) % MODULUS
    out = [h]
    for i in range(k, n):
        h = ((h - ids[i - k] * high) * BASE + ids[i]) % MODULUS
        out.append(h)
    return out


def boilerplate_limit(published: int, *, minimum: int, share: float) -> int:
    """The most statements a shingle may be found in and still count as reuse.

    A run of words that the larger of ``minimum`` statements and ``share`` of all published
    statements contain is a formula of the genre (greetings, thanks, the closing), not
    wording one statement took from another.
    """
    return max(minimum, int(published * share))


def runs(positions: Iterable[int], k: int) -> list[tuple[int, int]]:
    """Word ranges [start, end) covered by shingles starting at these positions, merged
    where they overlap (so every ``k`` words of a range are one of the shingles)."""
    merged: list[list[int]] = []
    for p in sorted(set(positions)):
        if merged and p < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], p + k)
        else:
            merged.append([p, p + k])
    return [(a, b) for a, b in merged]
