"""Required-element rules: FM-02 risk warning, WM-01 理财 sentence, WM-05 agency disclaimer, LN-01 APR."""

from __future__ import annotations

from datetime import date

import pytest

from core.domain import Finding
from tools.compliance import check

DAY = date(2026, 11, 23)


def findings(text: str, product_type: str | None, rule_id: str, channel: str = "wechat") -> list[Finding]:
    result = check(text, channel, product_type, on_date=DAY, bank_short_name="示例银行")  # type: ignore[arg-type]
    return [f for f in result.findings if f.rule_id == rule_id]


# --- FM-02 ------------------------------------------------------------------------------------------


def test_return_statement_without_risk_warning_points_at_the_return() -> None:
    [hit] = findings("示例稳健基金近一年收益12%，欢迎选购", "fund", "FM-02")
    assert hit.severity == "block" and hit.span is not None and hit.span.quote == "收益12%"
    assert "风险提示" in hit.message


@pytest.mark.parametrize("warning", ["基金有风险，投资须谨慎", "过往业绩不代表未来表现", "具有投资风险"])
def test_return_statement_with_a_risk_warning_passes(warning: str) -> None:
    assert findings(f"示例稳健基金近一年收益12%。{warning}。", "fund", "FM-02") == []


def test_return_rule_skips_texts_without_returns_and_deposits() -> None:
    assert findings("示例稳健基金，专业团队管理", "fund", "FM-02") == []
    assert findings("三年期大额存单，年利率2.15%", "large_cd", "FM-02") == []


# --- WM-01 ------------------------------------------------------------------------------------------


def test_wealth_promotion_without_the_sentence_is_blocked_without_a_span() -> None:
    [hit] = findings("示例理财恒信180天持有期，稳健之选", "wealth", "WM-01")
    assert hit.span is None and hit.severity == "block" and hit.category == "missing_risk_disclosure"


@pytest.mark.parametrize(
    "sentence",
    [
        "理财非存款、产品有风险、投资须谨慎",
        "理财非存款，产品有风险，投资须谨慎",
        "理财非存款,产品有风险,投资须谨慎",
        "理财非存款　产品有风险　投资须谨慎",
        "理财非存款产品有风险投资需谨慎",
        "理財非存款、產品有風險、投資須謹慎",
    ],
)
def test_wealth_sentence_punctuation_and_script_variants_are_accepted(sentence: str) -> None:
    assert findings(f"示例理财恒信180天持有期。{sentence}。", "wealth", "WM-01") == []


def test_wealth_sentence_is_not_required_for_other_products() -> None:
    assert findings("示例稳健基金，专业团队管理", "fund", "WM-01") == []


# --- WM-05 ------------------------------------------------------------------------------------------


def test_agency_product_without_issuer_and_disclaimer_warns_listing_both() -> None:
    [hit] = findings("示例稳健基金，专业团队管理。基金有风险，投资须谨慎。", "fund", "WM-05")
    assert hit.severity == "warn"
    assert "发行机构或管理人" in hit.message and "代销机构的声明" in hit.message


@pytest.mark.parametrize(
    ("text", "product_type"),
    [
        (
            "本基金由示例基金管理有限公司发行与管理，示例银行仅作为代理销售机构，不承担产品的投资、兑付和风险管理责任。",
            "fund",
        ),
        (
            "本产品由示例人寿保险股份有限公司承保，示例银行仅作为代理销售机构，不承担保险责任和投资风险。",
            "insurance",
        ),
    ],
)
def test_agency_disclaimer_passes(text: str, product_type: str) -> None:
    assert findings(text, product_type, "WM-05") == []


def test_agency_disclaimer_names_only_the_missing_part() -> None:
    [hit] = findings("本基金由示例基金管理有限公司管理。", "fund", "WM-05")
    assert "代销机构的声明" in hit.message and "发行机构或管理人" not in hit.message


# --- LN-01 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "quote"),
    [
        ("示例消费贷，日息万三，最高可借20万元", "日息万三"),
        ("示例消费贷日利率0.02%，随借随还", "日利率0.02%"),
        ("每万元每天仅3元，轻松借", "每万元每天仅3元"),
        ("示例消费贷日息低至万分之三", "日息低至万分之三"),
    ],
)
def test_periodic_rate_without_annual_rate_blocks_at_the_rate(text: str, quote: str) -> None:
    [hit] = findings(text, "consumer_loan", "LN-01")
    assert hit.severity == "block" and hit.span is not None and hit.span.quote == quote
    assert "日/月利率" in hit.message


def test_loan_offer_without_any_rate_is_a_missing_element() -> None:
    [hit] = findings("示例消费贷，额度最高20万，随借随还", "consumer_loan", "LN-01")
    assert hit.span is None


@pytest.mark.parametrize(
    "text",
    [
        "示例消费贷，日息万三（年化利率（单利）10.95%），最高可借20万元",
        "示例消费贷年化利率低至3.6%，额度最高20万",
        "信用卡分期按年化利率（单利）5.5%–17.0%计息",
        "示例银行信用卡，办卡送好礼",
        "示例银行信用卡（贷记卡）可绑定借记卡自动还款",
    ],
)
def test_disclosed_annual_rate_or_no_offer_passes(text: str) -> None:
    product_type = "credit_card" if "信用卡" in text else "consumer_loan"
    assert findings(text, product_type, "LN-01") == []


def test_annual_rate_rule_only_applies_to_credit_products() -> None:
    assert findings("定期存款利率2.15%", "deposit", "LN-01") == []
