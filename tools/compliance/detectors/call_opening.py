"""Call-opening detector: the first words of an outbound call script must name the bank."""

from __future__ import annotations

import re

from pydantic import Field

from tools.compliance.detectors.base import DetectionContext, DetectorParams, Hit
from tools.compliance.normalize import normalize

_LINE_OR_SENTENCE_END = "\n。!?"
# A bracketed heading with no speaker after it (【外呼策略】未接通时间隔2小时重拨…) is a note for the dialler or
# the agent, not words the callee hears; 【开场】机器人：您好… is spoken.
_NOTE_LINE = re.compile(r"[ \t]*【[^】\n]{1,12}】(?![ \t]*[^\s:【】]{1,6}[ \t]*:)[^\n]*(?:\n|$)")
# A script that labels its opening node (【N01 开场｜固定话术】, 开场白：) is heard from there: the lines before it
# (script id, version, dialling policy, variables) are for staff.
_OPENING_LABEL = re.compile(
    r"【[^】\n]{0,20}开场[^】\n]{0,20}】|(?m:^)[ \t]*开场(白|话术)?[ \t]*:"
    r"|(?m:^)[ \t]*(?:[A-Z]?\d{1,3}|[一二三四五六七八九十]{1,2}、)[ \t]*开场[^\n]{0,20}(?=\n)"
)


class CallOpeningParams(DetectorParams):
    """How many leading characters count as the opening the callee hears first."""

    opening_chars: int = Field(default=60, ge=10, le=500)


class CallOpeningDetector:
    """Compiled call-opening rule; the bank short name comes from the check's context."""

    anchors: frozenset[str] | None = None  # always runs (metadata, structure or missing elements)
    tracked: frozenset[str] = frozenset()

    def __init__(self, params: CallOpeningParams) -> None:
        self.params = params

    def detect(self, ctx: DetectionContext) -> list[Hit]:
        """A hit on the first sentence when the opening window does not contain the bank's short name."""
        text = ctx.norm.text
        label = _OPENING_LABEL.search(text)
        start = label.end() if label is not None else 0
        start += len(text[start:]) - len(text[start:].lstrip())
        while (note := _NOTE_LINE.match(text, start)) is not None and note.end() < len(text):
            start = note.end() + len(text[note.end() :]) - len(text[note.end() :].lstrip())
        opening = text[start : start + self.params.opening_chars]
        bank = normalize(ctx.bank_short_name).text
        if not opening or bank in opening:
            return []
        cut = min(
            (pos for pos in (opening.find(c) for c in _LINE_OR_SENTENCE_END) if pos > 0), default=len(opening)
        )
        first_sentence = opening[:cut].rstrip()
        end = start + max(len(first_sentence), 1)
        return [Hit(start=start, end=end, detail=f"开场白未说明机构名称“{bank}”")]
