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
from collections.abc import Sequence
from dataclasses import dataclass, field

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
_ASCII_UPPER = re.compile("[A-Z]+")


def ascii_lower(text: str) -> str:
    """Lower-case ASCII letters only (length-preserving, unlike str.lower on some non-ASCII letters).

    A regex over the few capitals is far cheaper than str.translate, which looks up every character of a
    non-ASCII string in the table.
    """
    return _ASCII_UPPER.sub(lambda match: match.group().lower(), text)


def is_cjk(char: str) -> bool:
    """True for a CJK unified ideograph (basic block or extension A)."""
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"


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


def _fold(text: str) -> tuple[str, list[int], list[int]]:
    """Map every foldable character; return the mapped text, zero-width and separator positions."""
    pieces: list[str] = []
    zero_width: list[int] = []
    separators: list[int] = []
    cursor = 0
    for match in _SPECIAL.finditer(text):
        index = match.start()
        char = match.group()
        if char in ZERO_WIDTH:
            zero_width.append(index)
            continue
        mapped = _ONE_TO_ONE.get(char)
        if mapped is not None:
            pieces.append(text[cursor:index])
            pieces.append(mapped)
            cursor = index + 1
            char = mapped
        if _is_separator(char):
            separators.append(index)
    if not pieces:
        return text, zero_width, separators
    pieces.append(text[cursor:])
    return "".join(pieces), zero_width, separators


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
    return 3 <= _digit_run(text, before, -1) <= 4 and 3 <= _digit_run(text, after, 1) <= 4


def _digit_run(text: str, index: int, step: int) -> int:
    length = 0
    while 0 <= index < len(text) and text[index].isdigit():
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


def normalize(text: str) -> NormalizedText:
    """Normalise ``text`` for matching and keep the map back to original offsets.

    One regex scan finds the few characters that matter (full-width forms, traditional characters,
    zero-width and separator characters); everything else is copied as is, and the offset map stays the
    identity unless a character is deleted.
    """
    if not isinstance(text, str):
        raise TypeError(f"normalize() expects str, got {type(text).__name__}")
    mapped, zero_width, separators = _fold(text)
    skip = frozenset(zero_width)
    removed = set(zero_width)
    for run in _separator_runs(mapped, separators, skip):
        if _removable(mapped, run, skip):
            removed.update(range(run[0], run[-1] + 1))
    if not removed:
        return NormalizedText(original=text, text=mapped, source_index=range(len(mapped)))
    pieces: list[str] = []
    sources: list[int] = []
    cursor = 0
    for index in sorted(removed):
        if index > cursor:
            pieces.append(mapped[cursor:index])
            sources.extend(range(cursor, index))
        cursor = index + 1
    pieces.append(mapped[cursor:])
    sources.extend(range(cursor, len(mapped)))
    return NormalizedText(original=text, text="".join(pieces), source_index=tuple(sources))
