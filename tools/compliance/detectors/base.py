"""What every detector shares: its input (DetectionContext), its output (Hit) and its interface."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from core.domain import Channel, Product, ProductType, Severity
from tools.compliance.gate import TextScan
from tools.compliance.meta import NO_META, CheckMeta
from tools.compliance.normalize import NormalizedText


@dataclass(frozen=True)
class DetectionContext:
    """Everything a detector may look at for one check: the normalised text and the check's metadata."""

    norm: NormalizedText
    channel: Channel
    product_type: ProductType | None
    bank_short_name: str
    meta: CheckMeta = NO_META
    product: Product | None = None
    """The product sheet named by ``meta.product_id`` (or the single catalog product the text names)."""
    scan: TextScan | None = None
    """The check's one automaton pass over ``norm.folded``; None when a detector runs on its own."""

    def literal_starts(self, literals: frozenset[str]) -> Mapping[str, list[int]] | None:
        """Where each of ``literals`` starts in the text, if the check's scan looked for all of them."""
        return self.scan.starts_of(literals) if self.scan is not None and literals else None


@dataclass(frozen=True)
class Hit:
    """One detector result in NORMALISED offsets; the engine maps it back to the original text.

    ``start``/``end`` are None when the problem is a missing element (nothing to point at). ``detail``
    refines the rule's message; ``severity`` overrides the rule's severity (escalation) when set.
    """

    start: int | None = None
    end: int | None = None
    detail: str | None = None
    severity: Severity | None = None
    detector: str | None = None
    """The detector kind that found it, when it differs from the rule's own (a composite rule's part)."""

    def __post_init__(self) -> None:
        if (self.start is None) != (self.end is None):
            raise ValueError("a hit has both start and end, or neither")
        if self.start is not None and self.end is not None and not 0 <= self.start < self.end:
            raise ValueError(f"hit span [{self.start}, {self.end}) is empty or negative")


class Detector(Protocol):
    """A compiled detector: built once per rule set, then called for every check.

    ``anchors``: literals (normalised, ASCII-folded) at least one of which must occur in the text for
    ``detect`` to return anything; None when the detector must always run (see tools/compliance/gate.py).
    """

    anchors: frozenset[str] | None
    tracked: frozenset[str]
    """Literals (normalised, ASCII-folded) whose positions the detector can use from the check's scan."""

    def detect(self, ctx: DetectionContext) -> list[Hit]:
        """Return the hits of this detector in ``ctx`` (empty when the text complies)."""
        ...


class DetectorParams(BaseModel):
    """Base for each detector's parameter model: strict, so a typo in a rule file fails at load."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """Compile a rule regex (case-insensitive: rules match ASCII like 回复R/TD regardless of case)."""
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from exc


def compile_patterns(patterns: list[str]) -> tuple[re.Pattern[str], ...]:
    """Compile several rule regexes, failing on the first invalid one."""
    return tuple(compile_pattern(pattern) for pattern in patterns)


def first_match(patterns: tuple[re.Pattern[str], ...], text: str) -> re.Match[str] | None:
    """The earliest match of any pattern in ``text`` (ties: the first pattern listed)."""
    matches = [m for m in (p.search(text) for p in patterns) if m is not None and m.end() > m.start()]
    return min(matches, key=lambda m: m.start(), default=None)


def drop_overlaps(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Keep the leftmost-longest of overlapping (start, end, label) spans, in text order."""
    kept: list[tuple[int, int, str]] = []
    for span in sorted(spans, key=lambda s: (s[0], s[0] - s[1])):
        if not kept or span[0] >= kept[-1][1]:
            kept.append(span)
    return kept
