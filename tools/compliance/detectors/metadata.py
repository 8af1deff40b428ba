"""Detectors that judge a draft's metadata rather than (only) its words.

* ``metadata_flag``: a metadata field has a value that needs something in the text, or is never allowed
  (a paid placement without a 广告 label, personalised copy without a way to switch it off, copy a member of
  staff wrote outside the review workflow, a deposit ad on a third-party platform, a list sorted by benchmark);
* ``time_window``: a scheduled send or call time outside the allowed window (SMS-04, CALL-01);
* ``call_policy``: a script's requested attempts or duration above the bank's policy (CALL-05).

A field that is absent (None) means "not known", so these detectors stay silent about it.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Literal

from pydantic import Field, field_validator, model_validator

from core.settings import get_settings, parse_window
from tools.compliance.detectors.base import (
    DetectionContext,
    DetectorParams,
    Hit,
    compile_pattern,
    compile_patterns,
    first_match,
)
from tools.compliance.normalize import normalize
from tools.compliance.sms_plan import plan_messages

FlagField = Literal["paid_placement", "personalized", "origin", "platform", "sort_key", "message_type"]


class MetadataFlagParams(DetectorParams):
    """Fire when ``field`` has one of ``values`` and none of ``unless_text`` patterns is in the text."""

    field: FlagField
    values: list[str | bool] = Field(default_factory=list)
    value_pattern: str | None = Field(default=None, description="Regex a string value must match (search).")
    unless_text: list[str] = Field(default_factory=list)
    detail: str = Field(min_length=1)

    @field_validator("unless_text")
    @classmethod
    def _patterns_compile(cls, value: list[str]) -> list[str]:
        compile_patterns(value)
        return value

    @model_validator(mode="after")
    def _has_a_condition(self) -> MetadataFlagParams:
        if not self.values and self.value_pattern is None:
            raise ValueError("a metadata flag needs values or a value_pattern")
        if self.value_pattern is not None:
            compile_pattern(self.value_pattern)
        return self


class MetadataFlagDetector:
    """Compiled metadata-flag rule."""

    anchors: frozenset[str] | None = None  # always runs (metadata, structure or missing elements)
    tracked: frozenset[str] = frozenset()

    def __init__(self, params: MetadataFlagParams) -> None:
        self.params = params
        self._unless = compile_patterns(params.unless_text)
        self._value_pattern = compile_pattern(params.value_pattern) if params.value_pattern else None

    def _matches(self, value: object) -> bool:
        if value in self.params.values:
            return True
        return (
            self._value_pattern is not None
            and isinstance(value, str)
            and bool(self._value_pattern.search(value))
        )

    def detect(self, ctx: DetectionContext) -> list[Hit]:
        value = getattr(ctx.meta, self.params.field)
        if value is None or not self._matches(value):
            return []
        if self._unless and first_match(self._unless, ctx.norm.text) is not None:
            return []
        return [Hit(detail=f"{self.params.detail}（{self.params.field}={value}）")]


class TimeWindowParams(DetectorParams):
    """``when`` names the metadata time; ``window`` is HH:MM-HH:MM, or "calling_hours" for the bank setting."""

    when: Literal["send_at", "call_at"]
    window: str = Field(min_length=1)
    exempt_if_requested: bool = False
    marketing_only: bool = Field(default=False, description="Transactional messages are exempt (SMS-04).")
    plan_times: bool = Field(
        default=False,
        description="Also judge the send times a plan of several SMS states in its text (tools/compliance/sms_plan).",
    )

    @field_validator("window")
    @classmethod
    def _window_parses(cls, value: str) -> str:
        if value != "calling_hours":
            parse_window(value)
        return value


class TimeWindowDetector:
    """Compiled send-window / calling-hours rule."""

    anchors: frozenset[str] | None = None  # always runs (metadata, structure or missing elements)
    tracked: frozenset[str] = frozenset()

    def __init__(self, params: TimeWindowParams) -> None:
        self.params = params

    def _window(self) -> tuple[time, time]:
        if self.params.window == "calling_hours":
            return get_settings().calling_window
        return parse_window(self.params.window)

    def detect(self, ctx: DetectionContext) -> list[Hit]:
        if self.params.marketing_only and ctx.meta.message_type == "transactional":
            return []
        hits = self._plan_hits(ctx) if self.params.plan_times else []
        scheduled: datetime | None = getattr(ctx.meta, self.params.when)
        if scheduled is None:
            return hits
        if self.params.exempt_if_requested and ctx.meta.customer_requested_call:
            return []
        local = scheduled.astimezone(get_settings().tz) if scheduled.tzinfo else scheduled
        start, end = self._window()
        if start <= local.time() < end:
            return hits
        return [*hits, Hit(detail=f"计划时间 {local:%H:%M} 不在允许时段 {self._label(start, end)} 内")]

    @staticmethod
    def _label(start: time, end: time) -> str:
        return f"{start:%H:%M}-{'24:00' if end == time.max else f'{end:%H:%M}'}"

    def _plan_hits(self, ctx: DetectionContext) -> list[Hit]:
        """Waves of an SMS plan whose stated send time is outside the window (the time is only in the text)."""
        start, end = self._window()
        hits: list[Hit] = []
        for message in plan_messages(ctx.norm.text, normalize(ctx.bank_short_name).text):
            sent = message.send_time
            if sent is None or message.time_start is None or message.time_end is None or start <= sent < end:
                continue
            detail = f"方案写明的发送时间 {sent:%H:%M} 不在允许时段 {self._label(start, end)} 内"
            hits.append(Hit(start=message.time_start, end=message.time_end, detail=detail))
        return hits


class CallPolicyParams(DetectorParams):
    """The bank's limits; a script may ask for less, never for more."""

    max_attempts_per_day: int = Field(ge=1)
    max_attempts_per_30_days: int = Field(ge=1)
    max_duration_s: int = Field(ge=1)


class CallPolicyDetector:
    """Compiled call-frequency rule (CALL-05)."""

    anchors: frozenset[str] | None = None  # always runs (metadata, structure or missing elements)
    tracked: frozenset[str] = frozenset()

    def __init__(self, params: CallPolicyParams) -> None:
        self.params = params

    def detect(self, ctx: DetectionContext) -> list[Hit]:
        policy = ctx.meta.call_policy
        if policy is None:
            return []
        excess = [
            f"{label} {asked} > {limit}"
            for label, asked, limit in (
                ("每日外呼次数", policy.max_attempts_per_day, self.params.max_attempts_per_day),
                ("30天外呼次数", policy.max_attempts_per_30_days, self.params.max_attempts_per_30_days),
                ("单通时长(秒)", policy.max_duration_s, self.params.max_duration_s),
            )
            if asked is not None and asked > limit
        ]
        return [Hit(detail="；".join(excess))] if excess else []
