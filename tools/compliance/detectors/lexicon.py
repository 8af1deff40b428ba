"""Lexicon detector: an Aho–Corasick automaton over a rule's terms, with exemption, negation and frame windows.

Chinese has no word boundaries, so terms are matched as substrings (pyahocorasick) on normalised,
ASCII-folded text; false friends are handled by the windows around each hit rather than by ``\\b``:

* exemptions: a longer phrase that contains the term and makes it harmless (最低起购 is a fact, not 最低),
  or a regex whose match covers the hit (最低10元 states a fee floor);
* negation: a negator shortly before the hit in the same clause (不保本, 非保本, 不承诺保本);
* frames: the hit is quoted or cited inside an anti-fraud/investor-education warning;
* escalation: the term qualifies something sensitive (最低 + 利率 → block instead of warn).
"""

from __future__ import annotations

import ahocorasick
from pydantic import Field, field_validator

from core.domain import Severity
from tools.compliance.anchored_search import AnchoredPattern, covers
from tools.compliance.detectors.base import (
    DetectionContext,
    DetectorParams,
    Hit,
    compile_patterns,
    drop_overlaps,
)
from tools.compliance.detectors.framing import (
    FramingParams,
    coordinated,
    is_framed_out,
    window_after,
    window_before,
)
from tools.compliance.normalize import normalize


def _match_form(term: str) -> str:
    """The form a term is matched in: normalised like the text, then ASCII case-folded."""
    return normalize(term).folded


def _check_terms(terms: list[str]) -> list[str]:
    """Refuse terms that vanish under normalisation (they would match everywhere or nowhere)."""
    for term in terms:
        if not _match_form(term).strip():
            raise ValueError(f"term {term!r} is empty after normalisation")
    return terms


class EscalationParams(DetectorParams):
    """Raise a hit's severity when a qualifier word sits in or next to the term (same clause)."""

    qualifiers: list[str] = Field(min_length=1)
    window: int = Field(default=6, ge=1, le=30)
    severity: Severity = "block"
    detail: str = "修饰利率、收益、安全性或审批速度"


class LexiconParams(FramingParams):
    """Parameters of the lexicon detector (see module docstring)."""

    terms: list[str] = Field(min_length=1)
    exemptions: list[str] = Field(default_factory=list)
    exempt_patterns: list[str] = Field(default_factory=list)
    escalate: EscalationParams | None = None

    @field_validator("terms", "exemptions")
    @classmethod
    def _terms_survive_normalisation(cls, value: list[str]) -> list[str]:
        return _check_terms(value)

    @field_validator("exempt_patterns")
    @classmethod
    def _patterns_compile(cls, value: list[str]) -> list[str]:
        compile_patterns(value)
        return value


class LexiconDetector:
    """Compiled lexicon: the automaton and the exemption offsets are built once, at rule-set load."""

    def __init__(self, params: LexiconParams) -> None:
        self.params = params
        self._automaton = ahocorasick.Automaton()
        for term in params.terms:
            form = _match_form(term)
            self._automaton.add_word(form, form)
        self._automaton.make_automaton()
        self.anchors: frozenset[str] | None = frozenset(_match_form(term) for term in params.terms)
        self.tracked: frozenset[str] = self.anchors
        self._term_lengths = {term: len(term) for term in self.tracked}
        self._exemptions = self._index_exemptions(params)
        # Searched only around a hit that survives its frames (``covers``), not over the whole text per check:
        # AD-01's dozen exemptions cost ~140 µs a draft as full scans.
        self._exempt_patterns = tuple(AnchoredPattern(p) for p in compile_patterns(params.exempt_patterns))
        self._qualifiers = [_match_form(q) for q in params.escalate.qualifiers] if params.escalate else []

    @staticmethod
    def _index_exemptions(params: LexiconParams) -> dict[str, list[tuple[str, int]]]:
        """For each term, the exemption phrases containing it and where the term sits inside them."""
        index: dict[str, list[tuple[str, int]]] = {}
        for term in (_match_form(t) for t in params.terms):
            for phrase in (_match_form(e) for e in params.exemptions):
                offset = phrase.find(term)
                while offset != -1:
                    index.setdefault(term, []).append((phrase, offset))
                    offset = phrase.find(term, offset + 1)
        return index

    def _is_exempt(self, text: str, start: int, end: int, term: str) -> bool:
        """Inside an exemption phrase, or inside a match of an exemption pattern."""
        if any(
            start >= offset and text.startswith(phrase, start - offset)
            for phrase, offset in self._exemptions.get(term, ())
        ):
            return True
        return any(covers(pattern, text, start, end) for pattern in self._exempt_patterns)

    def _escalation(self, text: str, start: int, end: int, term: str) -> tuple[Severity | None, str | None]:
        escalate = self.params.escalate
        if escalate is None:
            return None, None
        around = window_before(text, start, escalate.window) + term + window_after(text, end, escalate.window)
        if any(qualifier in around for qualifier in self._qualifiers):
            return escalate.severity, escalate.detail
        return None, None

    def detect(self, ctx: DetectionContext) -> list[Hit]:
        """Every unexempted, unnegated, unframed occurrence of a term, leftmost-longest first."""
        text = ctx.norm.folded
        starts = ctx.literal_starts(self.tracked)
        if starts is None:
            raw = [(end + 1 - len(term), end + 1, term) for end, term in self._automaton.iter(text)]
        else:  # the check's scan already found every term: no second pass over the text
            raw = [
                (start, start + length, term)
                for term, length in self._term_lengths.items()
                for start in starts.get(term, ())
            ]
        if not raw:
            return []
        hits: list[Hit] = []
        framed_until = -1  # end of the last hit a negation or frame removed
        for start, end, term in drop_overlaps(raw):
            # Coordinated terms share their frame: in 不会承诺保本保收益 the negation covers 保收益 too.
            if coordinated(text, framed_until, start) or is_framed_out(text, start, end, self.params):
                framed_until = end
                continue
            if self._is_exempt(text, start, end, term):
                continue
            severity, detail = self._escalation(text, start, end, term)
            hits.append(Hit(start=start, end=end, detail=detail, severity=severity))
        return hits
