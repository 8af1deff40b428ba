"""SMS opt-out detector: a marketing SMS must tell the recipient how to refuse further messages."""

from __future__ import annotations

from pydantic import Field, field_validator

from tools.compliance.detectors.base import DetectionContext, DetectorParams, Hit, compile_patterns
from tools.compliance.normalize import normalize
from tools.compliance.sms_plan import PLAN_MESSAGE_MARK, plan_messages


class SmsOptoutParams(DetectorParams):
    """Accepted opt-out wordings (拒收请回复R, 回T退订, 退订回T, 回复TD退订 …) as regexes."""

    patterns: list[str] = Field(min_length=1)

    @field_validator("patterns")
    @classmethod
    def _patterns_compile(cls, value: list[str]) -> list[str]:
        compile_patterns(value)
        return value


class SmsOptoutDetector:
    """Compiled SMS opt-out rule."""

    anchors: frozenset[str] | None = None  # always runs (metadata, structure or missing elements)
    tracked: frozenset[str] = frozenset()

    def __init__(self, params: SmsOptoutParams) -> None:
        self._patterns = compile_patterns(params.patterns)

    def detect(self, ctx: DetectionContext) -> list[Hit]:
        """A span-less hit when no accepted opt-out wording appears anywhere in a marketing message."""
        if ctx.meta.message_type == "transactional":
            return []  # balance changes and bills are exempt (catalog §1.8)
        text = ctx.norm.text
        # In a plan, each wave (a message with a send time) must carry its own opt-out; a template without a
        # send time (a transaction notice triggered by an event) is not a marketing wave and is not judged alone.
        waves = [
            m for m in plan_messages(text, normalize(ctx.bank_short_name).text) if m.send_time is not None
        ]
        if waves:
            return [
                Hit(start=wave.start, end=wave.end, detail=f"{PLAN_MESSAGE_MARK}营销短信缺少退订方式")
                for wave in waves
                if not any(pattern.search(text, wave.start, wave.end) for pattern in self._patterns)
            ]
        if any(pattern.search(ctx.norm.text) for pattern in self._patterns):
            return []
        return [Hit(detail="营销短信缺少退订方式")]
