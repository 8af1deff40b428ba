"""SMS signature detector: the sender's identity in 【】 at the start or end of the message."""

from __future__ import annotations

import re

from pydantic import Field, model_validator

from tools.compliance.detectors.base import DetectionContext, DetectorParams, Hit
from tools.compliance.normalize import normalize
from tools.compliance.sms_plan import PLAN_MESSAGE_MARK, PlanMessage, plan_messages

_HEAD = re.compile(r"^\s*(【([^【】]*)】)")
_TAIL = re.compile(r"(【([^【】]*)】)\s*$")


class SmsSignatureParams(DetectorParams):
    """Signature length bounds (carrier rules: 2–16) and whether it must contain the bank's short name."""

    min_length: int = Field(default=2, ge=1)
    max_length: int = Field(default=16, ge=1)
    require_bank_name: bool = True

    @model_validator(mode="after")
    def _bounds_ordered(self) -> SmsSignatureParams:
        if self.min_length > self.max_length:
            raise ValueError("min_length must not exceed max_length")
        return self


class SmsSignatureDetector:
    """Compiled SMS-signature rule."""

    anchors: frozenset[str] | None = None  # always runs (metadata, structure or missing elements)
    tracked: frozenset[str] = frozenset()

    def __init__(self, params: SmsSignatureParams) -> None:
        self.params = params

    def detect(self, ctx: DetectionContext) -> list[Hit]:
        """No hit for a well-formed signature; otherwise say whether it is missing, too long or anonymous."""
        text = ctx.norm.text
        bank = normalize(ctx.bank_short_name).text
        plan = plan_messages(text, bank)
        if plan:
            return self._plan_hits(text, plan)
        candidates = [m for m in (_HEAD.search(text), _TAIL.search(text)) if m is not None]
        if not candidates:
            return [Hit(detail="短信开头或结尾缺少【签名】")]
        low, high = self.params.min_length, self.params.max_length
        sized = [m for m in candidates if low <= len(m.group(2).strip()) <= high]
        if not sized:
            bad = candidates[0]
            return [Hit(start=bad.start(1), end=bad.end(1), detail=f"签名须为{low}–{high}个字符")]
        if self.params.require_bank_name and not any(bank in m.group(2) for m in sized):
            named = sized[0]
            return [Hit(start=named.start(1), end=named.end(1), detail=f"签名未包含本行名称“{bank}”")]
        return []

    def _plan_hits(self, text: str, plan: tuple[PlanMessage, ...]) -> list[Hit]:
        """A plan's title is not a signature: each of its messages must carry one of the right length."""
        low, high = self.params.min_length, self.params.max_length
        hits: list[Hit] = []
        for message in plan:
            start, end = message.signature_start, message.signature_end
            if start is None or end is None:
                detail = f"{PLAN_MESSAGE_MARK}短信缺少【签名】"
                hits.append(Hit(start=message.start, end=message.end, detail=detail))
            elif not low <= len(text[start + 1 : end - 1].strip()) <= high:
                hits.append(Hit(start=start, end=end, detail=f"签名须为{low}–{high}个字符"))
        return hits
