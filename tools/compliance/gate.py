"""One Aho–Corasick pass that decides which rules can possibly fire on a text.

Most rules can only produce a hit when some literal occurs in the text: a lexicon term, or a literal every
match of a regex must contain (年化, 收益, 存款保险…). At load, each detector names these *anchors*; the
rule set builds one automaton over all of them, and a check runs a rule's detector only when one of its
anchors is present (rules without anchors — missing-element and metadata checks — always run). This keeps
the deterministic layer close to a single raw scan of the lexicon instead of one regex scan per pattern.

Anchors for a regex are derived from its parse tree (``re._parser``): the longest literal run that every
match contains, or, for an alternation, one anchor per branch. When no such literal exists the regex is
ungated. Soundness (a gated rule never misses a hit it would have found) is property-tested against the
ungated engine.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from re import _constants as sre_constants  # type: ignore[attr-defined]
from re import _parser as sre_parser  # type: ignore[attr-defined]
from typing import Any

import ahocorasick

_ASCII_FOLD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
MAX_CLASS_ANCHORS = 16  # a character class wider than this is not worth gating on
Anchors = frozenset[str] | None


def fold(anchor: str) -> str:
    """Anchors are matched against ASCII-case-folded normalised text (rules compile with IGNORECASE)."""
    return anchor.translate(_ASCII_FOLD)


def _strength(anchors: frozenset[str]) -> tuple[int, int]:
    """Prefer anchors whose shortest member is longest (fewer false gate-ins), then fewer members."""
    return (min(len(a) for a in anchors), -len(anchors))


def _class_literals(items: Any) -> frozenset[str] | None:
    chars: list[str] = []
    for op, value in items:
        if op is not sre_constants.LITERAL:
            return None
        chars.append(chr(value))
    return frozenset(chars) if 0 < len(chars) <= MAX_CLASS_ANCHORS else None


def _item_anchors(op: Any, value: Any) -> Anchors:
    """Anchors of one parsed item other than a plain literal (None = it guarantees no literal)."""
    if op is sre_constants.SUBPATTERN:
        return _sequence_anchors(value[3])
    if op is sre_constants.ATOMIC_GROUP:
        return _sequence_anchors(value)
    if op is sre_constants.BRANCH:
        branches = [_sequence_anchors(branch) for branch in value[1]]
        if any(branch is None for branch in branches):
            return None
        return frozenset().union(*(b for b in branches if b is not None))
    if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, sre_constants.POSSESSIVE_REPEAT):
        low, _, body = value
        return _sequence_anchors(body) if low >= 1 else None
    if op is sre_constants.IN:
        return _class_literals(value)
    return None  # ANY, CATEGORY, assertions, anchors (^ $), back-references…


def anchor_candidates(items: Any) -> list[tuple[frozenset[str], int]]:
    """Each anchor set a sequence offers, with the index of the item where it starts, in sequence order.

    A run of literals is one candidate (starting at its first literal); any other item offers its own anchors.
    """
    candidates: list[tuple[frozenset[str], int]] = []
    run = ""
    run_start = 0
    for index, (op, value) in enumerate(items):
        if op is sre_constants.LITERAL:
            if not run:
                run_start = index
            run += chr(value)
            continue
        if run:
            candidates.append((frozenset({run}), run_start))
            run = ""
        anchors = _item_anchors(op, value)
        if anchors:
            candidates.append((anchors, index))
    if run:
        candidates.append((frozenset({run}), run_start))
    return candidates


def strongest(candidates: list[tuple[frozenset[str], int]]) -> tuple[frozenset[str], int] | None:
    """The candidate ``_sequence_anchors`` picks (the first of the strongest), or None if there is none."""
    return max(candidates, key=lambda candidate: _strength(candidate[0])) if candidates else None


def _sequence_anchors(items: Any) -> Anchors:
    """The strongest anchor set among the items of a sequence (each item must match, so any one will do)."""
    chosen = strongest(anchor_candidates(items))
    return chosen[0] if chosen else None


def regex_anchors(pattern: str) -> Anchors:
    """Literals of which every match of ``pattern`` contains at least one, case-folded; None if unknown."""
    anchors = _sequence_anchors(sre_parser.parse(pattern, re.IGNORECASE))
    return frozenset(fold(a) for a in anchors) if anchors else None


def union(anchor_sets: Iterable[Anchors]) -> Anchors:
    """Anchors of "any of these matches": None as soon as one member is ungated."""
    merged: set[str] = set()
    for anchors in anchor_sets:
        if anchors is None:
            return None
        merged |= anchors
    return frozenset(merged) if merged else None


def patterns_anchors(patterns: Iterable[str]) -> Anchors:
    return union(regex_anchors(pattern) for pattern in patterns)


@dataclass(frozen=True)
class TextScan:
    """What the one automaton pass found: the rules to run and where each tracked literal starts."""

    open_rules: set[str]
    literal_starts: dict[str, list[int]]
    tracked: frozenset[str]
    """Every literal the automaton looked for: a literal in here but not in ``literal_starts`` is absent."""

    def starts_of(self, literals: frozenset[str]) -> Mapping[str, list[int]] | None:
        """Start offsets of ``literals`` (absent ones have none), or None if this scan did not track them all."""
        return self.literal_starts if literals <= self.tracked else None


class Gate:
    """The automaton over every gated rule's anchors; ``ungated`` rules always run.

    ``tracked`` literals (lexicon terms, regex anchors of every detector, gated or not) are in the same
    automaton, so the pass that decides which rules run also tells each detector where its literals are:
    lexicons read their hits from it and regexes search only around their anchors.
    """

    def __init__(self, anchors_by_rule: Mapping[str, Anchors], tracked: Iterable[str] = ()) -> None:
        self.ungated = frozenset(rule for rule, anchors in anchors_by_rule.items() if anchors is None)
        rules_by_literal: dict[str, set[str]] = {literal: set() for literal in tracked}
        for rule, anchors in anchors_by_rule.items():
            for anchor in anchors or ():
                rules_by_literal.setdefault(anchor, set()).add(rule)
        self._automaton = ahocorasick.Automaton()
        for literal, rules in rules_by_literal.items():
            self._automaton.add_word(literal, (literal, len(literal) - 1, frozenset(rules)))
        self.tracked = frozenset(rules_by_literal)
        self._empty = not rules_by_literal
        if not self._empty:
            self._automaton.make_automaton()

    def scan(self, folded_text: str) -> TextScan:
        """One pass over ``folded_text``: open rules (ungated ones included) and literal start offsets."""
        found = set(self.ungated)
        starts: dict[str, list[int]] = {}
        if self._empty:
            return TextScan(found, starts, self.tracked)
        for end, (literal, offset, rules) in self._automaton.iter(folded_text):
            positions = starts.get(literal)
            if positions is None:
                starts[literal] = [end - offset]
                found |= rules
            else:
                positions.append(end - offset)
        return TextScan(found, starts, self.tracked)

    def open_rules(self, folded_text: str) -> set[str]:
        """Ids of the rules whose detectors may fire on ``folded_text`` (ungated ones included)."""
        return self.scan(folded_text).open_rules
