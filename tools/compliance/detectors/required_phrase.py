"""Required-phrase detector: mandatory wording must be present, optionally only when a trigger is.

Used for fixed disclosures (理财非存款、产品有风险、投资须谨慎), for agency-product disclaimers whose parts
are each required, and for conditional requirements such as "a return figure needs a risk warning". A missing element can be made
worse by what is there instead: a voice bot that gives no AI disclosure *and* says 我是客户经理王芳 is
impersonating a person, so ``escalate`` raises such a hit (pointing at the claim) to a higher severity.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from pydantic import Field, field_validator

from core.domain import Severity
from tools.compliance.anchored_search import (
    AnchoredPattern,
    anchored,
    first_anchored_match,
    search,
    tracked_literals,
)
from tools.compliance.detectors.base import (
    DetectionContext,
    DetectorParams,
    Hit,
    compile_pattern,
    compile_patterns,
)
from tools.compliance.detectors.framing import (
    education_frame,
    in_customer_turn,
    is_quoted,
    quotes_declared_bad,
    refuted_quote,
)
from tools.compliance.gate import patterns_anchors


class RequiredPart(DetectorParams):
    """One required element: a regex and the label used in the finding when it is missing."""

    label: str = Field(min_length=1)
    pattern: str = Field(min_length=1)
    # A match on a line that opens with one of these labels does not count: a call script's title line
    # (话术名称：…（智能外呼机器人）) is a note to staff, not something said to the customer.
    not_on_lines_starting: list[str] = Field(default_factory=list)

    @field_validator("pattern")
    @classmethod
    def _pattern_compiles(cls, value: str) -> str:
        compile_pattern(value)
        return value


class MissingEscalation(DetectorParams):
    """When a part is missing and one of ``patterns`` matches, the hit points there with ``severity``."""

    patterns: list[str] = Field(min_length=1)
    severity: Severity = "block"
    detail: str = Field(min_length=1)

    @field_validator("patterns")
    @classmethod
    def _patterns_compile(cls, value: list[str]) -> list[str]:
        compile_patterns(value)
        return value


def _quoted_as_bad(text: str, start: int, end: int, education: bool) -> bool:
    if not is_quoted(text, start, end):
        return False
    return education or quotes_declared_bad(text, start, end) or refuted_quote(text, start, end)


def _present(
    pattern: AnchoredPattern, text: str, starts: Mapping[str, list[int]] | None, skipped: tuple[str, ...]
) -> bool:
    """Whether the part occurs, outside lines that open with one of the ``skipped`` labels."""
    if not skipped:
        return search(pattern, text, starts) is not None
    for match in pattern.finditer(text, starts):
        position = text.rfind("\n", 0, match.start()) + 1
        while position < match.start() and text[position] in " \t":
            position += 1
        if not text.startswith(skipped, position):
            return True
    return False


class RequiredPhraseParams(DetectorParams):
    """``all_of`` parts must each match; with ``trigger``, only texts matching a trigger are checked; a text
    matching one of ``unless`` is outside the rule (a human agent's script needs no AI disclosure); a text of
    unknown product type is checked only when it matches one of ``untyped_scope`` (when that is given)."""

    all_of: list[RequiredPart] = Field(min_length=1)
    trigger: list[str] = Field(default_factory=list)
    unless: list[str] = Field(default_factory=list)
    untyped_scope: list[str] = Field(
        default_factory=list,
        description="Words that put a text with no product type in scope (积存金 for products the vocabulary lacks).",
    )
    escalate: MissingEscalation | None = None

    @field_validator("trigger", "unless", "untyped_scope")
    @classmethod
    def _triggers_compile(cls, value: list[str]) -> list[str]:
        compile_patterns(value)
        return value


class RequiredPhraseDetector:
    """Compiled required-phrase rule."""

    def __init__(self, params: RequiredPhraseParams) -> None:
        self.params = params
        self._parts = tuple(
            (part.label, AnchoredPattern(compile_pattern(part.pattern)), tuple(part.not_on_lines_starting))
            for part in params.all_of
        )
        self._triggers = anchored(compile_patterns(params.trigger))
        self._unless = compile_patterns(params.unless)
        self._untyped_scope = compile_patterns(params.untyped_scope)
        # Without a trigger the detector reports what is missing, so it must run on every text.
        self.anchors = patterns_anchors(params.trigger) if params.trigger else None
        self._escalate = params.escalate
        self._escalate_patterns = (
            anchored(compile_patterns(params.escalate.patterns)) if params.escalate else ()
        )
        self.tracked = tracked_literals(
            self._triggers + tuple(p for _, p, _ in self._parts) + self._escalate_patterns
        )

    def _first_own_trigger(
        self, text: str, starts: Mapping[str, list[int]] | None, *, education: bool
    ) -> re.Match[str] | None:
        """The first trigger the text itself states.

        What the customer says (客户：听说去年年化有3%?) asks for no disclosure, nor does a trigger quoted as a
        bad example: in a training or anti-fraud text (错误示范：“…名列前茅。”), under a note that the quotes are
        scam wording, or as a statement judged false.
        """
        matches = sorted(
            (m for pattern in self._triggers for m in pattern.finditer(text, starts) if m.end() > m.start()),
            key=lambda m: m.start(),
        )
        return next(
            (
                m
                for m in matches
                if not in_customer_turn(text, m.start(), m.end())
                and not _quoted_as_bad(text, m.start(), m.end(), education)
            ),
            None,
        )

    def detect(self, ctx: DetectionContext) -> list[Hit]:
        """One hit naming every missing part; it points at the trigger when there is one."""
        text = ctx.norm.text
        starts = ctx.literal_starts(self.tracked)
        trigger = first_anchored_match(self._triggers, text, starts) if self._triggers else None
        if trigger is not None and (
            in_customer_turn(text, trigger.start(), trigger.end())
            or is_quoted(text, trigger.start(), trigger.end())
            or education_frame(text)
        ):
            trigger = self._first_own_trigger(text, starts, education=education_frame(text))
        if self._triggers and trigger is None:
            return []
        if any(pattern.search(text) for pattern in self._unless):
            return []
        if (
            ctx.product_type is None
            and self._untyped_scope
            and not any(pattern.search(text) for pattern in self._untyped_scope)
        ):
            return []
        missing = [
            label for label, pattern, skipped in self._parts if not _present(pattern, text, starts, skipped)
        ]
        if not missing:
            return []
        detail = "缺少：" + "、".join(missing)
        escalation = first_anchored_match(self._escalate_patterns, text, starts) if self._escalate else None
        if self._escalate is not None and escalation is not None:
            return [
                Hit(
                    start=escalation.start(),
                    end=escalation.end(),
                    detail=f"{detail}；{self._escalate.detail}",
                    severity=self._escalate.severity,
                )
            ]
        if trigger is None:
            return [Hit(detail=detail)]
        return [Hit(start=trigger.start(), end=trigger.end(), detail=detail)]
