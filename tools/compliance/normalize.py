"""Text normalisation for the deterministic compliance layer, with an offset map back to the original.

Detectors run on normalised text so that obfuscated or differently typed copy still matches: full-width
letters, digits and punctuation become ASCII, the ideographic space and other Unicode spaces become a plain
space, zero-width characters disappear, separators wedged inside a Chinese word (保 本, 保·本, 保🔥本) are
removed, and a small traditional → simplified table applies. Every normalised character remembers which
original character produced it, so a span found in normalised text maps back to exact [start, end) offsets
in the text the user wrote.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import overload

import numpy as np
import numpy.typing as npt

from core.domain import Span
from tools.compliance.tradsimp import TRAD_TO_SIMP

# Invisible characters used to split banned words without changing how they look.
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u180e\u00ad") | {
    chr(code)
    for code in range(0xFE00, 0xFE10)  # variation selectors trail emoji
}
# Spaces other than U+0020 that copy pasted from Word, web pages or IMEs carries.
_UNICODE_SPACES = frozenset(
    "\u3000\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f"
)
# Characters that are noise when they sit between two Chinese characters (never real punctuation there).
_INWORD_SEPARATORS = frozenset(" \t·•・_*|~^-./\\#+")
_ASCII_UPPER = re.compile("[A-Z]")


def ascii_lower(text: str) -> str:
    """Lower-case ASCII letters only (length-preserving, unlike str.lower on some non-ASCII letters).

    str.translate looks up every character of a non-ASCII string in its table, and a regex callback per
    capital is slow on copy full of APR/LPR/APP; shifting the code points of the capitals in one vectorised
    step costs the same whatever the mix.
    """
    if text.isascii():
        return text.lower()
    if _ASCII_UPPER.search(text) is None:
        return text
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).copy()
    codes[(codes >= 0x41) & (codes <= 0x5A)] += 0x20
    return codes.tobytes().decode("utf-32-le")


def is_cjk(char: str) -> bool:
    """True for a CJK unified ideograph (basic block or extension A)."""
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"


class SourceIndex(Sequence[int]):
    """The offset map of a text with a few characters removed, without one entry per character.

    Normalised position ``p`` came from original ``p + k``, where ``k`` counts the removals before it. The
    ``j``-th removal (original index ``r_j``) precedes ``p`` exactly when ``r_j - j <= p``, so ``k`` is one
    bisection over those values: O(removals) memory instead of a tuple as long as the text.
    """

    __slots__ = ("_kept_before", "_length")

    def __init__(self, removed: Sequence[int], original_length: int) -> None:
        self._kept_before = [index - rank for rank, index in enumerate(removed)]
        self._length = original_length - len(removed)

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, position: int) -> int: ...

    @overload
    def __getitem__(self, position: slice) -> list[int]: ...

    def __getitem__(self, position: int | slice) -> int | list[int]:
        if isinstance(position, slice):
            return [self[i] for i in range(*position.indices(self._length))]
        if position < 0:
            position += self._length
        if not 0 <= position < self._length:
            raise IndexError("source index out of range")
        return position + bisect_right(self._kept_before, position)


@dataclass(frozen=True)
class NormalizedText:
    """Normalised text plus, for each of its characters, the index of the original character it came from."""

    original: str
    text: str
    source_index: Sequence[int]
    folded: str = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if len(self.text) != len(self.source_index):
            raise ValueError("source_index must have one entry per normalised character")
        # ASCII-only case folding keeps the length identical, so offsets in `folded` equal offsets in `text`.
        object.__setattr__(self, "folded", ascii_lower(self.text))

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a non-empty normalised span [start, end) to the original [start, end) that produced it.

        Characters removed inside the span (zero-width, separators) are included in the original span.
        """
        if not 0 <= start < end <= len(self.text):
            raise ValueError(f"span [{start}, {end}) is not a non-empty range inside 0..{len(self.text)}")
        return self.source_index[start], self.source_index[end - 1] + 1

    def original_span(self, start: int, end: int) -> Span:
        """The original-text Span (offsets and quote) of the normalised span [start, end)."""
        orig_start, orig_end = self.to_original(start, end)
        return Span(start=orig_start, end=orig_end, quote=self.original[orig_start:orig_end])


def _one_to_one_table() -> dict[str, str]:
    """Length-preserving folds (width, spaces, traditional → simplified), character → character."""
    table = {chr(code): chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)}
    table.update({space: " " for space in _UNICODE_SPACES})
    table.update({trad: simp for trad, simp in TRAD_TO_SIMP.items() if len(simp) == 1})
    return table


def _class_of(codes: list[int]) -> str:
    """A compact regex character class body for the given code points (consecutive runs as ranges)."""
    runs: list[tuple[int, int]] = []
    for code in sorted(codes):
        if runs and runs[-1][1] == code - 1:
            runs[-1] = (runs[-1][0], code)
        else:
            runs.append((code, code))
    return "".join(
        re.escape(chr(low)) if low == high else f"{re.escape(chr(low))}-{re.escape(chr(high))}"
        for low, high in runs
    )


_ONE_TO_ONE = _one_to_one_table()
# Emoji-like symbols (So/Sk) of the Basic Multilingual Plane, computed once at import; astral-plane
# characters (emoji) are all treated as candidates and confirmed with unicodedata, which is rare.
_BMP_SYMBOLS = frozenset(chr(c) for c in range(0x10000) if unicodedata.category(chr(c)) in ("So", "Sk"))
# Every character normalisation may touch, in one class: sre matches a BMP class with a bitmap, so one
# scan finds them all at C speed; the usual Chinese text has only its full-width punctuation here.
_SPECIAL = re.compile(
    "[" + _class_of([ord(c) for c in set(_ONE_TO_ONE) | ZERO_WIDTH | _INWORD_SEPARATORS | _BMP_SYMBOLS]) + "]"
    "|[\U00010000-\U0010ffff]"
)


def _is_separator(char: str) -> bool:
    return (
        char in _INWORD_SEPARATORS
        or char in _BMP_SYMBOLS
        or (ord(char) > 0xFFFF and unicodedata.category(char) in ("So", "Sk"))
    )


# One table entry per code point: the folded code point in the low 21 bits and three flags above it, so a
# single lookup answers every question ``_fold`` asks of a character. Astral-plane code points map to
# themselves with no flags; the few emoji among them are classified one by one.
_CODE_BITS = 21
_CODE_MASK = (1 << _CODE_BITS) - 1
_FLAG_ZERO_WIDTH = 1
_FLAG_SEPARATOR = 2  # the *folded* character splits words (·, *, ., space, BMP symbols)
_FLAG_CHANGED = 4


_BMP_LIMIT = 0xFFFF


def _code_table() -> npt.NDArray[np.uint32]:
    table = np.arange(0x110000, dtype=np.uint32)
    flags = np.zeros(0x110000, dtype=np.uint32)
    for char, mapped in _ONE_TO_ONE.items():
        table[ord(char)] = ord(mapped)
        flags[ord(char)] |= _FLAG_CHANGED
    separators = np.array(sorted(ord(char) for char in _INWORD_SEPARATORS | _BMP_SYMBOLS), dtype=np.uint32)
    flags[: _BMP_LIMIT + 1][np.isin(table[: _BMP_LIMIT + 1], separators)] |= _FLAG_SEPARATOR
    for char in ZERO_WIDTH:
        flags[ord(char)] = _FLAG_ZERO_WIDTH  # zero-width characters are removed, never folded or joined
    combined: npt.NDArray[np.uint32] = table | (flags << np.uint32(_CODE_BITS))
    return combined


_CODE_TABLE = _code_table()


def _fold(text: str) -> tuple[str, list[int], list[int]]:
    """Map every foldable character; return the mapped text, zero-width and separator positions.

    Vectorised over UTF-32 code points: Chinese copy is full of full-width punctuation, and a Python step per
    such character cost more than every lexicon scan together. One table lookup classifies all characters at
    once; only astral-plane characters (emoji), which carry no flags in the table, are looked at one by one.
    """
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    entries = _CODE_TABLE.take(codes)
    flags = entries >> _CODE_BITS
    separators = np.flatnonzero(flags & _FLAG_SEPARATOR).tolist()
    zero_width = np.flatnonzero(flags & _FLAG_ZERO_WIDTH).tolist()
    if codes.size and int(codes.max()) > _BMP_LIMIT:
        emoji = [
            int(i)
            for i in np.flatnonzero(codes > _BMP_LIMIT)
            if unicodedata.category(text[i]) in ("So", "Sk")
        ]
        separators = sorted(separators + emoji)
    if not (flags & _FLAG_CHANGED).any():
        return text, zero_width, separators
    mapped = (entries & _CODE_MASK).tobytes().decode("utf-32-le")
    return mapped, zero_width, separators


def _neighbour(text: str, index: int, step: int, skip: frozenset[int]) -> int:
    """The next index from ``index`` by ``step`` that is not a zero-width character (-1 / len at the edges)."""
    index += step
    while 0 <= index < len(text) and index in skip:
        index += step
    return index


def _removable(text: str, run: list[int], skip: frozenset[int]) -> bool:
    """Whether the separator run (positions, zero-width ignored) splits one word or one grouped number."""
    before = _neighbour(text, run[0], -1, skip)
    after = _neighbour(text, run[-1], 1, skip)
    if before < 0 or after >= len(text):
        return False
    if is_cjk(text[before]) and is_cjk(text[after]):
        return True
    # A number written in groups of 3–4 digits ("138 0013 8000", "6228 4800 1234 5671") is one number;
    # only a single space is joined, so ranges (3-5年) and separate figures (8000 3年) stay apart.
    if len(run) != 1 or text[run[0]] not in " \t":
        return False
    return 3 <= _digit_run(text, before, -1, skip) <= 4 and 3 <= _digit_run(text, after, 1, skip) <= 4


def _digit_run(text: str, index: int, step: int, skip: frozenset[int] = frozenset()) -> int:
    """Digits in a row from ``index`` by ``step``; zero-width characters (``skip``) inside the run are stepped over,
    since normalisation drops them (138\u200b0 is the digit group 1380)."""
    length = 0
    while 0 <= index < len(text) and (index in skip or text[index].isdigit()):
        if index not in skip:
            length += 1
        index += step
    return length


def _separator_runs(text: str, separators: list[int], skip: frozenset[int]) -> list[list[int]]:
    """Group separator positions into runs (zero-width characters between them do not break a run)."""
    runs: list[list[int]] = []
    for index in separators:
        if runs and all(gap in skip for gap in range(runs[-1][-1] + 1, index)):
            runs[-1].append(index)
        else:
            runs.append([index])
    return runs


def _plain_removals(text: str, separators: list[int]) -> list[int]:
    """``normalize``'s removals when the text has no zero-width characters (nearly all real copy).

    Same decision as ``_separator_runs`` + ``_removable``, inlined: runs are plain consecutive positions and
    neighbours are the adjacent characters, so no skip set is consulted. The property test against the
    reference implementation covers both paths.
    """
    removed: list[int] = []
    length = len(text)
    index = 0
    while index < len(separators):
        first = last = separators[index]
        index += 1
        while index < len(separators) and separators[index] == last + 1:
            last = separators[index]
            index += 1
        before, after = first - 1, last + 1
        if before < 0 or after >= length:
            continue
        left, right = text[before], text[after]
        if ("\u4e00" <= left <= "\u9fff" or "\u3400" <= left <= "\u4dbf") and (
            "\u4e00" <= right <= "\u9fff" or "\u3400" <= right <= "\u4dbf"
        ):
            removed.extend(range(first, last + 1))
        elif (
            first == last
            and text[first] in " \t"
            and 3 <= _digit_run(text, before, -1) <= 4
            and 3 <= _digit_run(text, after, 1) <= 4
        ):
            removed.append(first)
    return removed


def normalize(text: str) -> NormalizedText:
    """Normalise ``text`` for matching and keep the map back to original offsets.

    One vectorised pass classifies every character (full-width forms, traditional characters, zero-width and
    separator characters); everything else is copied as is, and the offset map stays the identity unless a
    character is deleted.
    """
    if not isinstance(text, str):
        raise TypeError(f"normalize() expects str, got {type(text).__name__}")
    mapped, zero_width, separators = _fold(text)
    if zero_width:
        skip = frozenset(zero_width)
        removed_set = set(zero_width)
        for run in _separator_runs(mapped, separators, skip):
            if _removable(mapped, run, skip):
                removed_set.update(range(run[0], run[-1] + 1))
        removed = sorted(removed_set)
    else:
        removed = _plain_removals(mapped, separators)
    if not removed:
        return NormalizedText(original=text, text=mapped, source_index=range(len(mapped)))
    pieces: list[str] = []
    cursor = 0
    for index in removed:
        pieces.append(mapped[cursor:index])
        cursor = index + 1
    pieces.append(mapped[cursor:])
    return NormalizedText(original=text, text="".join(pieces), source_index=SourceIndex(removed, len(mapped)))
