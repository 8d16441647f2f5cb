"""Cleaning transcribed speech text: encodings, line ends, page furniture, hard wraps.

The rules are general (they know nothing about particular speeches) and deterministic: the
same input and vocabulary always give the same body, which is what makes re-imports report
"unchanged".
"""

from __future__ import annotations

import itertools
import re
import statistics
from collections import Counter
from collections.abc import Iterable

__all__ = [
    "Vocabulary",
    "clean_speech",
    "decode_text",
    "repair_c1_controls",
]

# A line that is only a page number (1-3 digits), or a UN document page header or footer
# such as "15-29425 31/34" or "A/70/PV.15 28/09/2015".
_PAGE_NUMBER = re.compile(r"^\s*\d{1,3}\s*$")
_PAGE_FURNITURE = re.compile(
    r"^\s*(?:"
    r"\d{2}-\d{5}\s+\d{1,3}/\d{1,3}"
    r"|\d{1,3}/\d{1,3}\s+\d{2}-\d{5}"
    r"|A/\d{1,3}/PV\.\d{1,3}\s+\d{2}/\d{2}/\d{4}"
    r"|\d{2}/\d{2}/\d{4}\s+A/\d{1,3}/PV\.\d{1,3}"
    r")\s*$"
)
# Where a sentence (and so possibly a paragraph) ends: . ! ? or : with closing quotes or
# brackets after it.
_ENDS_SENTENCE = re.compile(r"[.!?:][\"'”’»)\]]*$")
_STARTS_PARAGRAPH = re.compile(r"^[\"'“‘«(\[]*[A-Z0-9\u00c0-\u00de•\-–—]")
_STARTS_LOWER = re.compile(r"^[\"'“‘«(\[]*[a-z\u00df-\u00ff]")
# "inter-" at a line end: a word (letters only) broken by a hyphen.
_BROKEN_WORD_HEAD = re.compile(r"(?:^|(?<=[\s\"'“‘(\[]))([A-Za-z]+(?:-[A-Za-z]+)*)-$")
_WORD_TAIL = re.compile(r"^([A-Za-z]+)")
_WORDS = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")
# Runs of spacing within a line, except a lone plain space (no need to replace it).
_SPACES = re.compile(r"[\t\u00a0][ \t\u00a0]*| [ \t\u00a0]+")
# C0 controls other than tab, line feed and form feed (a page break, handled apart), and DEL.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0d-\x1f\x7f]")

# A file whose median line is shorter than this was hard-wrapped from a printed column
# (about 50 characters in the UN records); one paragraph per line runs to hundreds.
_WRAPPED_MEDIAN = 100


def decode_text(raw: bytes) -> str:
    """UTF-8 text with any byte-order mark removed; raises UnicodeDecodeError otherwise."""
    return raw.decode("utf-8-sig").replace("\ufeff", "")


def repair_c1_controls(text: str) -> str:
    """Map stray C1 controls (U+0080-U+009F) to the Windows-1252 characters they stood for.

    Text that went through a Windows code page and back keeps bytes like 0x92 (’) or 0x97
    (—) as C1 code points; the few with no Windows-1252 meaning (0x81, 0x8D, 0x8F, 0x90,
    0x9D) are dropped.
    """
    if not re.search(r"[\x80-\x9f]", text):
        return text

    def replace(match: re.Match) -> str:
        try:
            return bytes([ord(match.group())]).decode("cp1252")
        except UnicodeDecodeError:
            return ""

    return re.sub(r"[\x80-\x9f]", replace, text)


class Vocabulary:
    """Word counts over a body of text, to decide how a hyphen at a line end is read.

    Counting waits for the first question: most speeches one paragraph per line never ask.
    """

    def __init__(self, texts: Iterable[str] = ()) -> None:
        self._pending: list[str] = list(texts)
        self._counts: Counter[str] = Counter()

    def add(self, text: str) -> None:
        self._pending.append(text)

    @property
    def counts(self) -> Counter[str]:
        while self._pending:
            # "inter-" at a line end counts as the word "inter", which no lookup asks for.
            self._counts.update(_WORDS.findall(self._pending.pop().casefold()))
        return self._counts

    def join_broken_word(self, head: str, tail: str) -> str:
        """How "head-" at a line end and "tail" on the next line are written back.

        Joined ("international") when only the joined form is attested, hyphenated
        ("self-determination") when only the hyphenated one is or when the evidence is
        equal; the more frequent form otherwise.
        """
        joined = self.counts[(head + tail).casefold()]
        hyphenated = self.counts[f"{head}-{tail}".casefold()]
        if joined > hyphenated:
            return head + tail
        return f"{head}-{tail}"


def _lines(text: str) -> list[str]:
    text = text.replace("\ufeff", "").replace("\r\n", "\n").replace("\r", "\n")
    text = _SPACES.sub(" ", _CONTROLS.sub("", text))
    return text.replace("\f", "\n\f\n").split("\n")


def clean_speech(text: str, vocabulary: Vocabulary | None = None) -> str:
    """The body of a transcribed speech: paragraphs separated by one blank line.

    Handles byte-order marks, CR/CRLF line ends, form feeds, control characters, page
    numbers and UN page headers, pages that break a sentence, and hard-wrapped lines
    (joined into paragraphs, with end-of-line hyphenation repaired where the vocabulary
    settles it).
    """
    text = repair_c1_controls(text)
    raw_lines = _lines(text)
    # A lone number is a page number; in hard-wrapped text only beside a page break or a
    # blank line, since a wrapped sentence can put "242" of "resolution 242" on its own line.
    wrapped = _is_wrapped(raw_lines)
    lines: list[str | None] = []  # None marks a break (blank line or form feed)
    for index, line in enumerate(raw_lines):
        stripped = line.replace("\f", "").strip()
        if not stripped or "\f" in line:
            lines.append(None)
            continue
        if _PAGE_FURNITURE.match(stripped):
            lines.append(None)
            continue
        if _PAGE_NUMBER.match(stripped) and (not wrapped or _beside_break(raw_lines, index)):
            lines.append(None)
            continue
        lines.append(stripped)

    content = [line for line in lines if line is not None]
    if not content:
        return ""
    width = _wrap_width(content) if wrapped else 0
    vocabulary = vocabulary if vocabulary is not None else Vocabulary([text])

    paragraphs: list[str] = []
    current: list[str] = []  # the paragraph's lines, joined once it is complete
    last_line = ""
    gap = False
    for line in lines:
        if line is None:
            gap = True
            continue
        if not current:
            current, last_line, gap = [line], line, False
            continue
        if _continues(last_line, line, gap=gap, wrapped=wrapped, width=width):
            _join(current, line, vocabulary)
        else:
            paragraphs.append(" ".join(current))
            current = [line]
        last_line, gap = line, False
    if current:
        paragraphs.append(" ".join(current))
    return "\n\n".join(part for paragraph in paragraphs for part in _split_numbered(paragraph))


# "... as we said. 12. The Assembly ..." inside one very long line: numbered paragraphs of a
# record that lost its line ends.
_NUMBERED = re.compile(r"(?<=[.!?:;\"”’)]) (\d{1,3})\. (?=[\"“‘(]?[A-Z])")
_LONG_PARAGRAPH = 3000


def _split_numbered(paragraph: str) -> list[str]:
    """Split a very long paragraph at its paragraph numbers, when they run in sequence.

    Only a run of consecutive numbers (4., 5., 6., ...) counts, so a sentence that happens
    to end with "resolution 242." is not taken for a paragraph number.
    """
    if len(paragraph) < _LONG_PARAGRAPH:
        return [paragraph]
    marks = [(int(m.group(1)), m.start() + 1) for m in _NUMBERED.finditer(paragraph)]
    best: dict[int, list[int]] = {}  # number -> the longest run ending with it (positions)
    longest: list[int] = []
    for number, position in marks:
        run = [*best.get(number - 1, []), position]
        if len(run) > len(best.get(number, [])):
            best[number] = run
        if len(run) > len(longest):
            longest = run
    if len(longest) < 3:
        return [paragraph]
    cuts = [0, *longest, len(paragraph)]
    pieces = (paragraph[a:b].strip() for a, b in itertools.pairwise(cuts))
    return [piece for piece in pieces if piece]


def _is_wrapped(lines: list[str]) -> bool:
    lengths = [len(line.strip()) for line in lines if line.strip()]
    return bool(lengths) and statistics.median(lengths) < _WRAPPED_MEDIAN


def _beside_break(lines: list[str], index: int) -> bool:
    def is_break(i: int) -> bool:
        return i < 0 or i >= len(lines) or not lines[i].strip() or "\f" in lines[i]

    return is_break(index - 1) or is_break(index + 1)


def _wrap_width(lines: list[str]) -> int:
    lengths = sorted(len(line) for line in lines)
    return lengths[int(len(lengths) * 0.9)]


def _continues(previous: str, line: str, *, gap: bool, wrapped: bool, width: int) -> bool:
    """Whether ``line`` carries on the paragraph that ``previous`` (its last line) is in."""
    ends_sentence = bool(_ENDS_SENTENCE.search(previous))
    if previous.endswith("-") and _WORD_TAIL.match(line) and not previous.endswith("--"):
        return True
    if not ends_sentence:
        # A paragraph ends with a sentence; a page break or a stray line end inside a
        # sentence is not a paragraph break.  In one-paragraph-per-line files only a
        # lowercase continuation is trusted (a heading may lack a full stop).
        return wrapped or bool(_STARTS_LOWER.match(line))
    if gap or not wrapped:
        return False
    # Hard-wrapped: a sentence end on a line that stopped short of the column width (the
    # next word would have fitted) ends the paragraph.
    next_word = line.split(" ", 1)[0]
    stopped_short = len(previous) + 1 + len(next_word) <= width
    return not (stopped_short and _STARTS_PARAGRAPH.match(line))


def _join(parts: list[str], line: str, vocabulary: Vocabulary) -> None:
    """Add ``line`` to a paragraph's lines, mending a word broken across the line end."""
    previous = parts[-1]
    if previous.endswith("-") and not previous.endswith("--"):
        head_match = _BROKEN_WORD_HEAD.search(previous)
        tail_match = _WORD_TAIL.match(line)
        if head_match and tail_match:
            head, tail = head_match.group(1), tail_match.group(1)
            last_part = head.rsplit("-", 1)[-1]
            word = vocabulary.join_broken_word(last_part, tail)
            prefix = previous[: head_match.end(1) - len(last_part)]
            parts[-1] = prefix + word + line[len(tail):]
        else:
            parts[-1] = previous + line
        return
    parts.append(line)
