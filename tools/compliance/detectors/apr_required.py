"""APR-required detector: credit marketing that offers a loan or quotes a cost must state the 年化利率.

A daily or monthly rate (日息万三, 日利率0.02%, 每万元每天3元) may appear, but never without the annualised
rate; the hit then points at that periodic rate so the reviewer (and the auto-fix) can put the APR next to
it. A loan offer with no cost figure at all gets a span-less hit: the APR is a missing element. When the
APR is stated, every periodic rate must agree with it once annualised (日利率万分之0.8 ≈ 2.92% a year does
not fit "年化利率3.6%起"): the two figures describe one price and the customer must not be misled by either.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from pydantic import Field, field_validator

from tools.compliance.anchored_search import anchored, first_anchored_match, tracked_literals
from tools.compliance.detectors.base import (
    DetectionContext,
    DetectorParams,
    Hit,
    compile_patterns,
)
from tools.compliance.detectors.framing import education_frame, is_quoted
from tools.compliance.detectors.rate_numbers import (
    find_annual_rates,
    find_periodic_rates,
    format_percent,
    is_consistent,
)
from tools.compliance.gate import patterns_anchors, union
from tools.compliance.normalize import normalize

# What counts as a disclosed annualised rate: 年化 followed closely by a percentage, in digits or spelled out
# ("年化利率(单利)3.6%起", "年化利率低至3.6%", "年化利率是百分之三点六"), or an explicit APR figure.
DEFAULT_APR_PATTERNS: tuple[str, ...] = (
    r"年化[^\d。;!?\n]{0,12}?\d+(?:\.\d+)?\s*%",
    r"APR\s*:?\s*\d+(?:\.\d+)?\s*%",
    # Voice scripts spell figures out for text-to-speech: 年化利率……是百分之三点六到百分之十八.
    r"年化[^\d。;!?\n]{0,12}?百分之[零〇一二两三四五六七八九十百点]+",
)


# A line of small print: an H5 block labelled as footer or fine print (【页脚小字】…), or a note (注：…, ※…).
# An APR that appears only there is less prominent than a daily cost in the headline (PBoC 2021 No. 3).
_SMALL_PRINT_LINE = re.compile(
    r"[ \t]*(【[^】\n]{0,8}(页脚|小字|脚注|底部|注释|备注)[^】\n]{0,8}】|注\s*:|※|\*)"
)


# A periodic rate shown with its own conversion (| 日利率0.0493% | 0.0493%×365 | 约18.0% |, 折合年化…) or quoted
# as what other ads say (广告喜欢写“月费率0.5%”) explains a price; it is not this offer's price.
_CONVERSION = re.compile(r"×\s*(365|360|12)|折合|折算|换算|约合|内部收益率|IRR")


def _explained(text: str, start: int, end: int) -> bool:
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line = text[line_start : len(text) if line_end == -1 else line_end]
    return _CONVERSION.search(line) is not None or is_quoted(text, start, end)


def _in_small_print(text: str, position: int) -> bool:
    line_start = text.rfind("\n", 0, position) + 1
    return _SMALL_PRINT_LINE.match(text, line_start) is not None


# A labelled headline line of a page or post (【主标题】…, 【副标题】…, 【首屏大字】…, 标题：…). The APR must be in the headline
# whenever a daily or monthly rate is (catalog LN-01), so a headline rate beside an APR lower down is a finding.
_HEADLINE_LINE = re.compile(
    r"[ \t]*(【[^】\n]{0,6}(标题|头图|横幅|首屏|大字|主视觉|banner|Banner)[^】\n]{0,4}】|(主|副)?标题\s*:)"
)


# Cheap test that some headline label occurs at all (literal first characters, unlike the line-anchored pattern).
_ANY_HEADLINE = re.compile(r"【[^】\n]{0,6}(标题|头图|横幅|首屏|大字|主视觉|banner|Banner)|标题\s*:")


def _in_headline(text: str, position: int) -> bool:
    line_start = text.rfind("\n", 0, position) + 1
    return _HEADLINE_LINE.match(text, line_start) is not None


class AprRequiredParams(DetectorParams):
    """Offer patterns gate the rule; periodic-rate patterns locate the hit; APR patterns clear it."""

    offer_patterns: list[str] = Field(min_length=1)
    periodic_rate_patterns: list[str] = Field(default_factory=list)
    apr_patterns: list[str] = Field(default_factory=lambda: list(DEFAULT_APR_PATTERNS), min_length=1)
    # Relative gap allowed between a periodic rate annualised (×365 or ×12) and the stated 年化利率;
    # None turns the consistency check off. 5 % absorbs rounding (0.0119% × 365 = 4.34% vs "4.35%起").
    consistency_tolerance: float | None = Field(default=0.05, ge=0.0, le=1.0)

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
        self._offers = anchored(compile_patterns(params.offer_patterns))
        self._periodic = anchored(compile_patterns(params.periodic_rate_patterns))
        self._aprs = anchored(compile_patterns(params.apr_patterns))
        self.tracked = tracked_literals(self._offers + self._periodic + self._aprs)
        self._tolerance = params.consistency_tolerance
        self.anchors = union(
            patterns_anchors(patterns)
            for patterns in (params.apr_patterns, params.periodic_rate_patterns, params.offer_patterns)
            if patterns
        )

    def _inconsistent_rates(self, text: str) -> list[Hit]:
        """A hit on each daily/monthly rate whose annualised value disagrees with every stated 年化 rate."""
        stated = find_annual_rates(text)
        if self._tolerance is None or not stated:
            return []
        shown = "、".join(
            format_percent(low) + "%" if low == high else f"{format_percent(low)}%-{format_percent(high)}%"
            for low, high in stated
        )
        return [
            Hit(
                start=rate.start,
                end=rate.end,
                detail=f"“{rate.quote}”折合年化约{format_percent(rate.annual_percent)}%，"
                f"与所示年化利率{shown}不一致",
            )
            for rate in find_periodic_rates(text)
            if not is_consistent(rate.annual_percent, stated, self._tolerance)
            and not _explained(text, rate.start, rate.end)
        ]

    def _less_prominent_apr(
        self, text: str, aprs: list[int], starts: Mapping[str, list[int]] | None
    ) -> list[Hit]:
        """A hit on the first daily/monthly rate or cost shown outside the small print, when the APR is only in it."""
        if not all(_in_small_print(text, position) for position in aprs):
            return []
        shown = sorted(
            (match.start(), match.end())
            for pattern in self._periodic
            for match in pattern.finditer(text, starts)
            if not _in_small_print(text, match.start())
        )
        if not shown:
            return []
        start, end = shown[0]
        return [
            Hit(
                start=start, end=end, detail="日/月利率或每日成本比年化利率更醒目：年化利率只出现在页脚小字中"
            )
        ]

    def _headline_without_apr(
        self, text: str, aprs: list[int], starts: Mapping[str, list[int]] | None
    ) -> list[Hit]:
        """A hit on a daily/monthly rate in a labelled headline when no headline line states the APR."""
        if _ANY_HEADLINE.search(text) is None or any(_in_headline(text, position) for position in aprs):
            return []
        in_headline = sorted(
            (match.start(), match.end())
            for pattern in self._periodic
            for match in pattern.finditer(text, starts)
            if _in_headline(text, match.start())
        )
        if not in_headline:
            return []
        start, end = in_headline[0]
        return [Hit(start=start, end=end, detail="标题突出日/月利率，但标题中没有同样醒目的年化利率")]

    def detect(self, ctx: DetectionContext) -> list[Hit]:
        """With an APR stated: hits only for periodic rates that contradict it; else as described above."""
        text = ctx.norm.text
        if education_frame(text):
            return []  # an anti-fraud lesson or a staff guide offers no loan, so there is no rate to disclose
        starts = ctx.literal_starts(self.tracked)
        aprs = [match.start() for pattern in self._aprs for match in pattern.finditer(text, starts)]
        if aprs:
            less_prominent = self._less_prominent_apr(text, aprs, starts)
            return (
                self._inconsistent_rates(text)
                + less_prominent
                + ([] if less_prominent else self._headline_without_apr(text, aprs, starts))
            )
        periodic = first_anchored_match(self._periodic, text, starts)
        if periodic is not None:
            return [Hit(start=periodic.start(), end=periodic.end(), detail="出现日/月利率但未明示年化利率")]
        if first_anchored_match(self._offers, text, starts) is not None:
            return [Hit(detail="有借款、额度或费用表述，但无年化利率")]
        return []
