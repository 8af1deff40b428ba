"""The LLM judge of the content suite: a rubric score for one draft, asked of the compliance-role model.

It runs only when a model is configured and only after the deterministic checks; offline there is no judge and
no score (a missing score is reported as missing, never filled in).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langchain_core.messages import HumanMessage
from pydantic import BaseModel, ConfigDict, Field

from core.domain import Product
from core.llm import invoke_structured
from core.settings import get_settings
from prompts.loader import render

CHANNEL_LABELS = {"sms": "短信", "push": "APP推送", "wechat": "公众号文章", "wecom": "企业微信消息"}
TEXT_FIELDS = ("title", "digest", "text", "body")


class JudgeRubric(BaseModel):
    """The judge's verdict on one draft: three 1–5 scores and the reasons behind them."""

    model_config = ConfigDict(extra="forbid")

    tone: int = Field(ge=1, le=5, description="Polite, restrained, on-brand; 5 = fully appropriate.")
    clarity: int = Field(
        ge=1, le=5, description="Product, key terms and next step are clear; 5 = very clear."
    )
    faithfulness: int = Field(
        ge=1,
        le=5,
        description="Every fact and number is on the product sheet, disclosures complete; 5 = fully.",
    )
    reasons: list[str] = Field(description="Why points were taken off, one short Chinese sentence each.")

    @property
    def mean(self) -> float:
        """The overall score: the mean of the three criteria."""
        return (self.tone + self.clarity + self.faithfulness) / 3


def judge_prompt(channel: str, content: Mapping[str, Any], product: Product) -> str:
    """The rendered judge prompt for one draft (its text fields only, not metadata)."""
    if channel not in CHANNEL_LABELS:
        raise ValueError(f"the judge scores {', '.join(CHANNEL_LABELS)} drafts, not {channel!r}")
    fields = {name: str(content[name]) for name in TEXT_FIELDS if content.get(name)}
    if not fields:
        raise ValueError(f"{channel} draft has none of the text fields {TEXT_FIELDS}")
    return render(
        "evals/judge.j2",
        bank=get_settings().bank_short_name,
        channel=channel,
        channel_label=CHANNEL_LABELS[channel],
        product=product,
        fields=fields,
    )


def judge_draft(channel: str, content: Mapping[str, Any], product: Product, *, run_id: str) -> JudgeRubric:
    """Score a draft with the compliance-role model; raises core.llm.LLMUnavailable when it cannot."""
    messages = [HumanMessage(judge_prompt(channel, content, product))]
    return invoke_structured("compliance", JudgeRubric, messages, run_id=run_id)
