"""What the tag store answers: an audience selection with its exclusion report, and one lead's record."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from core.domain import ProductType


class ExclusionCount(BaseModel):
    """How many matched customers one policy exclusion step removed (after the steps before it)."""

    model_config = ConfigDict(frozen=True)

    code: str
    label: str
    count: int = Field(ge=0)


class AudienceResult(BaseModel):
    """An audience selection: sizes before/after exclusions, per-step counts, a sample and the SQL used."""

    model_config = ConfigDict(frozen=True)

    size: int = Field(ge=0, description="Customers left after every exclusion.")
    matched: int = Field(ge=0, description="Customers matching the expression, before exclusions.")
    exclusions: list[ExclusionCount] = Field(description="Steps applied, in the order applied.")
    sample_ids: list[int] = Field(description="The lowest customer ids of the final audience, ascending.")
    product_type: ProductType | None
    channels: list[str]
    as_of: date = Field(description="The day the time windows (contacts, DNC, risk test) were computed for.")
    expression: dict[str, Any] = Field(description="The audience expression in its JSON form.")
    sql: str = Field(description="The final SQL text, with $name placeholders.")
    params: dict[str, Any] = Field(description="The values bound to the placeholders.")

    @property
    def excluded(self) -> int:
        return self.matched - self.size


class LeadRecord(BaseModel):
    """One customer as the voice bot's pull gate and script variables need it (name masked)."""

    model_config = ConfigDict(frozen=True)

    lead_id: int
    masked_name: str = Field(description="Surname plus one * per given-name character, e.g. 王**.")
    surname: str
    gender: str | None
    city: str | None
    age: int | None
    is_student: bool
    is_overdue: bool
    marketing_consent: bool
    opt_out_channels: list[str] = Field(description="Channels opted out of; 'all' means every channel.")
    on_dnc: bool = Field(description="On the do-not-call list today.")

    @property
    def opted_out(self) -> bool:
        """No marketing consent, or opted out of every channel."""
        return not self.marketing_consent or "all" in self.opt_out_channels

    def blocked_reasons(self, channel: str) -> list[str]:
        """Why this lead may not be contacted on ``channel`` (empty list: the lead may be contacted)."""
        reasons = []
        if self.opted_out or channel in self.opt_out_channels:
            reasons.append("opted_out")
        if channel == "call_script" and self.on_dnc:
            reasons.append("do_not_call")
        return reasons
