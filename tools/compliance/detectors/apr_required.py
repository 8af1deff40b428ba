"""APR-required detector: credit marketing that offers a loan or quotes a cost must state the 年化利率.

A daily or monthly rate (日息万三, 日利率0.02%, 每万元每天3元) may appear, but never without the annualised
rate; the hit then points at that periodic rate so the reviewer (and the auto-fix) can put the APR next to
it. A loan offer with no cost figure at all gets a span-less hit: the APR is a missing element.
"""

from __future__ import annotations

from pydantic import Field, field_validator

from tools.compliance.detectors.base import (
    DetectionContext,
    DetectorParams,
    Hit,
    compile_patterns,
    first_match,
)
from tools.compliance.normalize import normalize

# What counts as a disclosed annualised rate: 年化 followed closely by a percentage, in one clause
# ("年化利率(单利)3.6%起", "年化利率低至3.6%"), or an explicit APR figure.
DEFAULT_APR_PATTERNS: tuple[str, ...] = (
    r"年化[^\d。;!?\n]{0,12}?\d+(?:\.\d+)?\s*%",
    r"APR\s*:?\s*\d+(?:\.\d+)?\s*%",
)


class AprRequiredParams(DetectorParams):
    """Offer patterns gate the rule; periodic-rate patterns locate the hit; APR patterns clear it."""

    offer_patterns: list[str] = Field(min_length=1)
    periodic_rate_patterns: list[str] = Field(default_factory=list)
    apr_patterns: list[str] = Field(default_factory=lambda: list(DEFAULT_APR_PATTERNS), min_length=1)

    @field_validator("offer_patterns", "periodic_rate_patterns", "apr_patterns")
    @classmethod
    def _compile(cls, value: list[str]) -> list[str]:
        compile_patterns(value)
        return value


def states_annual_rate(text: str, apr_patterns: tuple[str, ...] = DEFAULT_APR_PATTERNS) -> bool:
    """True when ``text`` (any form; it is normalised here) discloses an annualised rate."""
    normalised = normalize(text).text
    return any(pattern.search(normalised) for pattern in compile_patterns(list(apr_patterns)))


class AprRequiredDetector:
    """Compiled APR-required rule."""

    def __init__(self, params: AprRequiredParams) -> None:
        self._offers = compile_patterns(params.offer_patterns)
        self._periodic = compile_patterns(params.periodic_rate_patterns)
        self._aprs = compile_patterns(params.apr_patterns)

    def detect(self, ctx: DetectionContext) -> list[Hit]:
        """Nothing when an APR is stated or no offer/cost appears; else one hit as described above."""
        text = ctx.norm.text
        if any(pattern.search(text) for pattern in self._aprs):
            return []
        periodic = first_match(self._periodic, text)
        if periodic is not None:
            return [Hit(start=periodic.start(), end=periodic.end(), detail="出现日/月利率但未明示年化利率")]
        if first_match(self._offers, text) is not None:
            return [Hit(detail="有借款、额度或费用表述，但无年化利率")]
        return []
