"""Metadata a compliance check may receive besides the text (catalog §1: "checkable from text plus metadata").

Several rules cannot be judged from the words alone: the SMS send window needs the scheduled time, suitability
needs the audience expression, a rate that contradicts the product sheet needs the sheet, an ad label is only
required on a paid placement. Callers pass what they know; a rule whose metadata is absent stays silent rather
than guessing (the review UI shows which metadata was checked).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tools.tag_store.expression import parse_expression

MessageType = Literal["marketing", "transactional"]
Origin = Literal["workflow", "staff_personal", "forwarded"]
Platform = Literal["own", "third_party"]


class CallPolicy(BaseModel):
    """The call policy a script asks for; checked against the bank's own limits (CALL-05)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_attempts_per_day: int | None = Field(default=None, ge=1)
    max_attempts_per_30_days: int | None = Field(default=None, ge=1)
    max_duration_s: int | None = Field(default=None, ge=1)


class CheckMeta(BaseModel):
    """Everything about a draft that is not its text. Every field is optional; absent means "not known"."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    message_type: MessageType = Field(
        default="marketing",
        description="SMS-02/03 apply to marketing messages only; transactional notices are exempt.",
    )
    send_at: datetime | None = Field(
        default=None, description="Scheduled send time; a naive time is bank-local (SMS-04)."
    )
    call_at: datetime | None = Field(default=None, description="Scheduled call time, bank-local (CALL-01).")
    customer_requested_call: bool = Field(
        default=False,
        description="The customer asked to be called back: calling hours do not apply (CALL-01).",
    )
    product_id: str | None = Field(
        default=None, description="The product sheet the draft promotes (FM-05, FM-06, AD-03, DP-01, LN-02)."
    )
    audience: dict[str, Any] | None = Field(
        default=None, description="The audience expression (tag-store JSON DSL) the draft is sent to."
    )
    personalized: bool = Field(
        default=False, description="Targeted by automated decisions or personal characteristics (PI-02)."
    )
    paid_placement: bool = Field(
        default=False, description="A paid placement that must be labelled 广告 (AD-07)."
    )
    sort_key: str | None = Field(default=None, description="What a product list is ordered by (WM-07).")
    origin: Origin = Field(
        default="workflow",
        description="workflow = drafted and reviewed in Marketing Brain; staff_personal / forwarded = not (FM-07).",
    )
    platform: Platform = Field(
        default="own", description="Published on the bank's own platform or a third party's."
    )
    call_policy: CallPolicy | None = Field(
        default=None, description="The call policy a script requests (CALL-05)."
    )

    @field_validator("audience")
    @classmethod
    def _audience_parses(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        # Structure only: a malformed expression must fail here with its JSON path, not inside a detector.
        if value is not None:
            parse_expression(value)
        return value

    @field_validator("product_id")
    @classmethod
    def _not_blank(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("product_id must not be blank")
        return value


NO_META = CheckMeta()
"""The metadata of a bare text check: nothing known beyond channel and product type."""
