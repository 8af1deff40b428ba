"""Run a rule regex only around the places where its anchors occur, with exactly the matches of a full scan.

Every match of a gated pattern contains one of its anchor literals (tools/compliance/gate.py), and a match is
at most ``max_width`` characters long. So every match lies within ``max_width`` characters of an anchor
occurrence, and a scan restricted to those windows, merged where they touch, finds the same matches in the
same order as a scan of the whole text. The one-pass anchor scan of a check already knows where every anchor
occurs, so a pattern whose anchors are absent costs nothing and one whose anchors occur twice costs two short
searches instead of a walk over 2,000 characters trying every alternative at every position.

Why the windows give identical results (and when they are not used):

* Left edge: ``Pattern.finditer(text, pos)`` still lets look-behinds see the text before ``pos``, and ``^``
  keeps meaning the real start of the text, so starting at a window's left edge changes nothing.
* Right edge: ``endpos`` makes the text look shorter. A match, or a look-ahead, that would read past it could
  behave differently, so each window is extended by the widest look-ahead of the pattern; patterns with an
  unbounded look-ahead, an unbounded width, or an end-sensitive assertion (``$``, ``\\Z``, ``\\b``, ``\\B``)
  always scan the whole text.
* Between windows no match can start: it would contain an anchor further than ``max_width`` away. A window's
  search stops at the window's end, so a match is never reported twice.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from re import _constants as sre_constants  # type: ignore[attr-defined]
from re import _parser as sre_parser  # type: ignore[attr-defined]
from typing import Any

from tools.compliance.gate import Anchors, anchor_candidates, regex_anchors, strongest

# Wider than any sensible rule pattern; a pattern that may match more (.*) scans the whole text.
MAX_WINDOWED_WIDTH = 400
# Once the windows would cover this share of the text, one full scan is cheaper than several short ones.
FULL_SCAN_SHARE = 0.5
_END_SENSITIVE = frozenset(
    {
        sre_constants.AT_END,
        sre_constants.AT_END_LINE,
        sre_constants.AT_END_STRING,
        sre_constants.AT_BOUNDARY,
        sre_constants.AT_NON_BOUNDARY,
        sre_constants.AT_LOC_BOUNDARY,
        sre_constants.AT_LOC_NON_BOUNDARY,
        sre_constants.AT_UNI_BOUNDARY,
        sre_constants.AT_UNI_NON_BOUNDARY,
    }
)
_UNBOUNDED = -1


def _lookahead_reach(items: Any) -> int:
    """The widest look-ahead in a parsed pattern (0 if none), or ``_UNBOUNDED`` when it cannot be windowed."""
    reach = 0
    for op, value in items:
        if op is sre_constants.AT:
            if value in _END_SENSITIVE:
                return _UNBOUNDED
            continue
        if op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            direction, body = value
            inner = _lookahead_reach(body)
            if inner == _UNBOUNDED:
                return _UNBOUNDED
            if direction == 1:
                width = body.getwidth()[1]
                if width > MAX_WINDOWED_WIDTH:
                    return _UNBOUNDED
                reach = max(reach, width + inner)
            continue
        for child in _children(op, value):
            inner = _lookahead_reach(child)
            if inner == _UNBOUNDED:
                return _UNBOUNDED
            reach = max(reach, inner)
    return reach


def _children(op: Any, value: Any) -> list[Any]:
    """The sub-sequences of one parsed item (groups, branches, repeats, conditionals)."""
    if op is sre_constants.SUBPATTERN:
        return [value[3]]
    if op is sre_constants.ATOMIC_GROUP:
        return [value]
    if op is sre_constants.BRANCH:
        return list(value[1])
    if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, sre_constants.POSSESSIVE_REPEAT):
        return [value[2]]
    if op is sre_constants.GROUPREF_EXISTS:
        return [branch for branch in value[1:] if branch is not None]
    return []


def _width(state: Any, items: Any) -> int:
    """Maximum width of a slice of a parsed sequence."""
    return int(sre_parser.SubPattern(state, list(items)).getwidth()[1])


def _start_reach(state: Any, items: Any) -> int:
    """How far before its anchor a match of a parsed sequence can start (an upper bound), or ``_UNBOUNDED``.

    ``regex_anchors`` picks the anchor set of one item of the sequence; a match starts at most the width of the
    items before that item, plus how far into the item its anchor can sit, before the anchor. So
    ``手续费[^,]{0,4}\\d+%`` has no bounded width, but its matches start at 手续费 and can be looked for there.
    """
    chosen = strongest(anchor_candidates(items))
    if chosen is None:
        return _UNBOUNDED
    _, index = chosen
    inner = _reach_inside(state, *items[index])
    if inner == _UNBOUNDED:
        return _UNBOUNDED
    reach = _width(state, items[:index]) + inner
    return reach if reach <= MAX_WINDOWED_WIDTH else _UNBOUNDED


def _reach_inside(state: Any, op: Any, value: Any) -> int:
    """How far from the start of one item its anchor can start (mirrors ``gate._item_anchors``)."""
    if op is sre_constants.LITERAL or op is sre_constants.IN:
        return 0
    if op is sre_constants.SUBPATTERN:
        return _start_reach(state, value[3])
    if op is sre_constants.ATOMIC_GROUP:
        return _start_reach(state, value)
    if op is sre_constants.BRANCH:
        reaches = [_start_reach(state, branch) for branch in value[1]]
        return _UNBOUNDED if _UNBOUNDED in reaches else max(reaches)
    if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, sre_constants.POSSESSIVE_REPEAT):
        return _start_reach(state, value[2])  # the first repetition already holds an anchor
    return _UNBOUNDED


class AnchoredPattern:
    """A compiled rule regex plus what is needed to search it only around its anchors."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.anchors: Anchors = regex_anchors(pattern.pattern)
        parsed = sre_parser.parse(pattern.pattern, pattern.flags)
        min_width, self.max_width = parsed.getwidth()
        self._reach = _lookahead_reach(parsed)
        # Any window around a given span will do (``covers``), anchors or not.
        self.windowable = self._reach != _UNBOUNDED and self.max_width <= MAX_WINDOWED_WIDTH
        self.reach = max(self._reach, 0)
        gated = self.anchors is not None and self._reach != _UNBOUNDED
        self.windowed = gated and self.max_width <= MAX_WINDOWED_WIDTH
        # Unbounded width but a bounded start: try ``match`` only at the few positions a match can start.
        self._start_reach = (
            _start_reach(parsed.state, parsed.data)
            if gated and not self.windowed and min_width > 0
            else _UNBOUNDED
        )
        self.start_bounded = self._start_reach != _UNBOUNDED

    def finditer(
        self, text: str, literal_starts: Mapping[str, Sequence[int]] | None
    ) -> Iterator[re.Match[str]]:
        """The matches ``pattern.finditer(text)`` would yield, in order.

        ``literal_starts`` maps each anchor found in the (case-folded, same-length) text to its start offsets;
        None means unknown, and the whole text is scanned.
        """
        if (
            literal_starts is not None
            and self.anchors is not None
            and literal_starts.keys().isdisjoint(self.anchors)
        ):
            return  # every match holds an anchor, and none occurs: most patterns of most checks end here, cheaply
        if literal_starts is None or self.anchors is None or not (self.windowed or self.start_bounded):
            yield from self.pattern.finditer(text)
            return
        if self.start_bounded:
            yield from self._match_at_starts(text, literal_starts)
            return
        windows = self._windows(literal_starts, len(text))
        if windows is None:
            yield from self.pattern.finditer(text)
            return
        for start, end in windows:
            for match in self.pattern.finditer(text, start, min(len(text), end + self._reach)):
                if match.start() >= end:
                    break  # a match starting past the window belongs to the next window (or is a cut-off artefact)
                yield match

    def _match_at_starts(
        self, text: str, literal_starts: Mapping[str, Sequence[int]]
    ) -> Iterator[re.Match[str]]:
        """finditer's matches, trying ``match`` only where one can start: up to ``_start_reach`` before an anchor.

        Matches are never empty here (``min_width > 0``), so after a match the next one starts at its end.
        """
        assert self.anchors is not None
        reach = self._start_reach
        occurrences = sorted(start for anchor in self.anchors for start in literal_starts.get(anchor, ()))
        if len(occurrences) * (reach + 1) > FULL_SCAN_SHARE * len(text):
            yield from self.pattern.finditer(text)
            return
        match_at = self.pattern.match
        resume = 0  # finditer's next search position
        tried = -1  # highest position already tried
        for anchor_start in occurrences:
            position = max(anchor_start - reach, resume, tried + 1)
            while position <= anchor_start:
                tried = position
                match = match_at(text, position)
                if match is None:
                    position += 1
                    continue
                yield match
                resume = match.end()
                position = resume

    def _windows(
        self, literal_starts: Mapping[str, Sequence[int]], length: int
    ) -> list[tuple[int, int]] | None:
        """Merged [start, end) stretches that hold every possible match; None when a full scan is cheaper."""
        assert self.anchors is not None
        found = [starts for anchor in self.anchors if (starts := literal_starts.get(anchor))]
        if sum(map(len, found)) * 2 * self.max_width > FULL_SCAN_SHARE * length:
            return None  # windows this many would cover most of the text anyway
        spans = sorted(
            (max(0, start - self.max_width), min(length, start + len(anchor) + self.max_width))
            for anchor in self.anchors
            for start in literal_starts.get(anchor, ())
        )
        merged: list[tuple[int, int]] = []
        covered = 0
        for start, end in spans:
            if merged and start <= merged[-1][1]:
                previous_start, previous_end = merged[-1]
                covered += max(0, end - previous_end)
                merged[-1] = (previous_start, max(previous_end, end))
            else:
                merged.append((start, end))
                covered += end - start
        if covered > FULL_SCAN_SHARE * length:
            return None
        return merged


def anchored(patterns: Sequence[re.Pattern[str]]) -> tuple[AnchoredPattern, ...]:
    return tuple(AnchoredPattern(pattern) for pattern in patterns)


def tracked_literals(patterns: Sequence[AnchoredPattern]) -> frozenset[str]:
    """Every anchor of ``patterns``: the literals whose positions a detector asks the check's scan for."""
    return frozenset().union(*(pattern.anchors or () for pattern in patterns))


def search(
    pattern: AnchoredPattern, text: str, literal_starts: Mapping[str, Sequence[int]] | None
) -> re.Match[str] | None:
    """``pattern.pattern.search(text)``, searched around the anchors when their positions are known."""
    return next(pattern.finditer(text, literal_starts), None)


def first_anchored_match(
    patterns: Sequence[AnchoredPattern], text: str, literal_starts: Mapping[str, Sequence[int]] | None
) -> re.Match[str] | None:
    """The earliest non-empty first match of any pattern (ties: the first listed), like ``base.first_match``."""
    matches = [
        m
        for m in (search(p, text, literal_starts) for p in patterns)
        if m is not None and m.end() > m.start()
    ]
    return min(matches, key=lambda m: m.start(), default=None)


def covers(pattern: AnchoredPattern, text: str, start: int, end: int) -> bool:
    """Whether some match of ``pattern`` contains [start, end): an exemption phrase around a lexicon hit.

    A match containing the hit is at most ``max_width`` long, so it starts no earlier than ``end - max_width`` and
    ends no later than ``start + max_width``; searching that stretch (plus the pattern's look-ahead reach) answers
    the question without scanning the whole text. Patterns of unbounded width or look-ahead scan it all.
    """
    if pattern.windowable:
        matches = pattern.pattern.finditer(
            text, max(0, end - pattern.max_width), min(len(text), start + pattern.max_width + pattern.reach)
        )
    else:
        matches = pattern.pattern.finditer(text)
    for match in matches:
        if match.start() > start:
            return False
        if match.end() >= end:
            return True
    return False
