"""The original per-character normaliser, kept as the executable specification of ``normalize``.

The production normaliser (tools/compliance/normalize.py) is a rewrite for speed; a property test checks
that both produce the same text and offset map on random strings. Original docstring follows.


Detectors run on normalised text so that obfuscated or differently typed copy still matches: full-width
letters, digits and punctuation become ASCII, the ideographic space and other Unicode spaces become a plain
space, zero-width characters disappear, separators wedged inside a Chinese word (保 本, 保·本, 保🔥本) are
removed, and a small traditional → simplified table applies. Every normalised character remembers which
original character produced it, so a span found in normalised text maps back to exact [start, end) offsets
in the text the user wrote.
"""

from __future__ import annotations

import unicodedata
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
_ASCII_FOLD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def is_cjk(char: str) -> bool:
    """True for a CJK unified ideograph (basic block or extension A)."""
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"


def _map_char(char: str) -> str:
    """Width-fold, space-fold and simplify one character; length is always preserved (one in, one out)."""
    code = ord(char)
    if 0xFF01 <= code <= 0xFF5E:  # full-width ASCII block maps 1:1 onto printable ASCII
        return chr(code - 0xFEE0)
    if char in _UNICODE_SPACES:
        return " "
    return TRAD_TO_SIMP.get(char, char)


def _is_inword_separator(char: str) -> bool:
    """Separator or emoji-like symbol that may be stripped when it is wedged inside a Chinese word."""
    return char in _INWORD_SEPARATORS or unicodedata.category(char) in ("So", "Sk")


@dataclass(frozen=True)
class NormalizedText:
    """Normalised text plus, for each of its characters, the index of the original character it came from."""

    original: str
    text: str
    source_index: tuple[int, ...]
    folded: str = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if len(self.text) != len(self.source_index):
            raise ValueError("source_index must have one entry per normalised character")
        # ASCII-only case folding keeps the length identical, so offsets in `folded` equal offsets in `text`.
        object.__setattr__(self, "folded", self.text.translate(_ASCII_FOLD))

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


def _fold_characters(text: str) -> tuple[list[str], list[int]]:
    """First pass: drop zero-width characters and map every other character, remembering its origin."""
    chars: list[str] = []
    sources: list[int] = []
    for index, char in enumerate(text):
        if char in ZERO_WIDTH:
            continue
        chars.append(_map_char(char))
        sources.append(index)
    return chars, sources


def _digit_group_length(chars: list[str], index: int, step: int) -> int:
    """Length of the run of digits starting at ``index`` and walking by ``step`` (-1 left, +1 right)."""
    length = 0
    while 0 <= index < len(chars) and chars[index].isdigit():
        length += 1
        index += step
    return length


def _removable_run(chars: list[str], run_start: int, run_end: int) -> bool:
    """Whether separators chars[run_start:run_end] split one word or one grouped number."""
    if run_start == 0 or run_end >= len(chars):
        return False
    if is_cjk(chars[run_start - 1]) and is_cjk(chars[run_end]):
        return True
    # A number written in groups of 3–4 digits ("138 0013 8000", "6228 4800 1234 5671") is one number;
    # only a single space is joined, so ranges (3-5年) and separate figures (8000 3年) stay apart.
    if run_end - run_start != 1 or chars[run_start] not in " \t":
        return False
    left = _digit_group_length(chars, run_start - 1, -1)
    right = _digit_group_length(chars, run_end, 1)
    return 3 <= left <= 4 and 3 <= right <= 4


def _drop_inword_separators(chars: list[str], sources: list[int]) -> tuple[list[str], list[int]]:
    """Second pass: remove runs of separators that sit inside a word."""
    kept_chars: list[str] = []
    kept_sources: list[int] = []
    index = 0
    while index < len(chars):
        if not _is_inword_separator(chars[index]):
            kept_chars.append(chars[index])
            kept_sources.append(sources[index])
            index += 1
            continue
        run_end = index
        while run_end < len(chars) and _is_inword_separator(chars[run_end]):
            run_end += 1
        if not _removable_run(chars, index, run_end):
            kept_chars.extend(chars[index:run_end])
            kept_sources.extend(sources[index:run_end])
        index = run_end
    return kept_chars, kept_sources


def reference_normalize(text: str) -> NormalizedText:
    """Normalise ``text`` for matching and keep the map back to original offsets."""
    if not isinstance(text, str):
        raise TypeError(f"normalize() expects str, got {type(text).__name__}")
    chars, sources = _fold_characters(text)
    chars, sources = _drop_inword_separators(chars, sources)
    return NormalizedText(original=text, text="".join(chars), source_index=tuple(sources))
