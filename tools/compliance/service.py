"""The compliance check as callers use it: deterministic layer, then the LLM judge when a model is configured.

One function so the CLI, the REST API, the batch checker and the campaign graph all apply the same layers in
the same order (catalog §2) and report the same thing: the merged result plus how the judge took part
(``applied``, ``skipped_offline``, ``not_applicable``, ``failed``) and its notes.
"""

from __future__ import annotations

from datetime import date
from uuid import uuid4

from pydantic import BaseModel, Field

from core.domain import Channel, CheckResult, ProductType
from tools.compliance.engine import check
from tools.compliance.judge import JudgeStatus, judge
from tools.compliance.meta import CheckMeta
from tools.compliance.rules import RuleSet
from tools.products import default_catalog


class CheckOutcome(BaseModel):
    """A check's merged result and the judge's part in it."""

    result: CheckResult
    judge_status: JudgeStatus
    notes: list[str] = Field(default_factory=list)


def check_text(
    text: str,
    channel: Channel,
    product_type: ProductType | None = None,
    *,
    meta: CheckMeta | None = None,
    run_id: str | None = None,
    bank_short_name: str | None = None,
    on_date: date | None = None,
    rules: RuleSet | None = None,
) -> CheckOutcome:
    """Run every layer on one text. Raises ValueError for bad input (empty text, unknown channel…)."""
    deterministic = check(
        text, channel, product_type, bank_short_name=bank_short_name, on_date=on_date, rules=rules, meta=meta
    )
    if channel == "audience":
        # An audience is judged on its expression; there is no copy for the model to read.
        return CheckOutcome(result=deterministic, judge_status="not_applicable")
    product = default_catalog().get(meta.product_id) if meta is not None and meta.product_id else None
    judged = judge(
        text, channel, deterministic.product_type, deterministic, run_id=run_id or f"check-{uuid4().hex[:12]}",
        product=product, rules=rules, on_date=on_date,
    )  # fmt: skip
    return CheckOutcome(result=judged.result, judge_status=judged.judge_status, notes=judged.notes)
