"""Regex detector: every match of a rule's patterns, optionally filtered by negation and warning frames."""

from __future__ import annotations

from pydantic import Field, field_validator

from core.domain import Severity
from tools.compliance.anchored_search import AnchoredPattern, anchored, covers, tracked_literals
from tools.compliance.detectors.base import DetectionContext, Hit, compile_patterns, drop_overlaps
from tools.compliance.detectors.framing import FramingParams, coordinated, is_framed_out
from tools.compliance.gate import patterns_anchors


class RegexParams(FramingParams):
    """Patterns match the normalised text (half-width punctuation, simplified characters), ignoring case.

    Unlike lexicons, regexes usually describe structures rather than claims, so the negation and frame
    filters are off unless a rule turns them on.
    """

    patterns: list[str] = Field(min_length=1)
    exempt_patterns: list[str] = Field(
        default_factory=list, description="A hit inside a match of one of these is not a finding."
    )
    negation: bool = False
    quote_frame: bool = False
    severity: Severity | None = Field(
        default=None, description="Overrides the rule's severity for this detector's hits (a composite part)."
    )

    @field_validator("patterns", "exempt_patterns")
    @classmethod
    def _patterns_compile(cls, value: list[str]) -> list[str]:
        compile_patterns(value)
        return value


class RegexDetector:
    """Compiled regex rule."""

    def __init__(self, params: RegexParams) -> None:
        self.params = params
        self._patterns = anchored(compile_patterns(params.patterns))
        # Searched only around each hit (``covers``), not over the whole text.
        self._exempt = tuple(AnchoredPattern(p) for p in compile_patterns(params.exempt_patterns))
        self.anchors = patterns_anchors(params.patterns)
        self.tracked = tracked_literals(self._patterns)

    def detect(self, ctx: DetectionContext) -> list[Hit]:
        """Non-overlapping matches of any pattern that survive the configured filters."""
        text = ctx.norm.text
        starts = ctx.literal_starts(self.tracked)
        raw = [
            (m.start(), m.end(), m.group(0))
            for pattern in self._patterns
            for m in pattern.finditer(text, starts)
            if m.end() > m.start()
        ]
        if not raw:
            return []
        hits: list[Hit] = []
        framed_until = -1  # end of the last hit a negation or frame removed
        for start, end, _ in drop_overlaps(raw):
            if any(covers(pattern, text, start, end) for pattern in self._exempt):
                continue
            if coordinated(text, framed_until, start) or is_framed_out(text, start, end, self.params):
                framed_until = end
                continue
            hits.append(Hit(start=start, end=end, severity=self.params.severity))
        return hits
