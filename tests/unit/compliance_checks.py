"""Shared by the rule-behaviour tests: which rules fire on a text, checked as the bank 示例银行 on a fixed day."""

from __future__ import annotations

from datetime import date

from tools.compliance import check
from tools.compliance.meta import CheckMeta

DAY = date(2026, 11, 24)


def fired_rules(text: str, channel: str, product_type: str | None = None, **meta: object) -> set[str]:
    """Ids of the rules with findings on ``text`` (``meta`` as CheckMeta fields: product_id, audience…)."""
    result = check(
        text,
        channel,  # type: ignore[arg-type]
        product_type,  # type: ignore[arg-type]
        bank_short_name="示例银行",
        on_date=DAY,
        meta=CheckMeta.model_validate(meta) if meta else None,
    )
    return {finding.rule_id for finding in result.findings}
