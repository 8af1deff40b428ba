"""Claim rules (lexicon/regex): AD-01, FM-01, FM-03, FM-04, WM-02, LN-03, LN-05, LN-06 — hits and must-not-flags."""

from __future__ import annotations

from datetime import date

import pytest

from core.domain import Finding
from tools.compliance import check

DAY = date(2026, 11, 23)


def findings(
    text: str, product_type: str | None, channel: str = "wechat", rule_id: str | None = None
) -> list[Finding]:
    result = check(text, channel, product_type, on_date=DAY, bank_short_name="示例银行")  # type: ignore[arg-type]
    return [f for f in result.findings if rule_id is None or f.rule_id == rule_id]


def quotes(text: str, product_type: str | None, rule_id: str) -> list[str]:
    return [f.span.quote for f in findings(text, product_type, rule_id=rule_id) if f.span is not None]


# --- AD-01 absolute terms ---------------------------------------------------------------------------


def test_absolute_term_warns() -> None:
    [hit] = findings("示例银行手机银行，您身边的首选银行", None, rule_id="AD-01")
    assert hit.severity == "warn" and hit.span is not None and hit.span.quote == "首选"
    assert "广告法第九条(三) [V]" in hit.citation and hit.category == "absolute_claim"


@pytest.mark.parametrize(
    ("text", "product_type", "quote"),
    [
        ("示例消费贷，全行最低利率，年化利率（单利）3.6%起", "consumer_loan", "最低"),
        ("这款理财收益最高，理财非存款、产品有风险、投资须谨慎", "wealth", "最高"),
        ("最安全的资金管家，理财非存款、产品有风险、投资须谨慎", "wealth", "最安全"),
        ("放款最快的贷款，年化利率（单利）3.6%起", "consumer_loan", "最快"),
    ],
)
def test_absolute_term_about_rate_yield_safety_or_speed_blocks(
    text: str, product_type: str, quote: str
) -> None:
    [hit] = findings(text, product_type, rule_id="AD-01")
    assert hit.severity == "block" and hit.span is not None and hit.span.quote == quote


@pytest.mark.parametrize(
    "text",
    [
        "第一次使用手机银行？三步即可开通",
        "定期存款最低起存50元",
        "预借现金手续费最低10元",
        "我们追求最好的服务体验",
        "最高可借20万元，额度以审批为准",
    ],
)
def test_absolute_term_exemptions_do_not_flag(text: str) -> None:
    assert findings(text, None, rule_id="AD-01") == []


def test_absolute_term_is_matched_case_and_width_insensitively() -> None:
    assert quotes("示例银行，服务ｎｏ．１", None, "AD-01") == ["ｎｏ．１"]


# --- FM-01 guaranteed return ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "quote"),
    [
        ("示例理财，保本保息，放心买", "保本保息"),
        ("稳赚不赔的好产品", "稳赚不赔"),
        ("零风险，年年有收益", "零风险"),
        ("保 本 又保息", "保 本"),
        ("保證收益的基金", "保證收益"),
        ("不仅保本，还能赚钱", "保本"),
        ("谨防错过！保本保息", "保本保息"),
    ],
)
def test_guaranteed_return_claims_block(text: str, quote: str) -> None:
    hits = findings(text, "fund", rule_id="FM-01")
    assert [h.span.quote for h in hits if h.span][:1] == [quote]
    assert all(h.severity == "block" for h in hits)


@pytest.mark.parametrize(
    "text",
    [
        "本产品不保本，投资须谨慎",
        "本产品为非保本浮动收益型产品",
        "本行不承诺保本，也不保证收益",
        "本产品并非无风险产品",
        '谨防"保本保息"骗局',
        "谨防“保本保息”骗局，理性投资",
        "凡是承诺保本保息的都是诈骗",
        "请确保本人操作，勿向他人透露验证码",
    ],
)
def test_negated_quoted_or_warning_mentions_do_not_flag(text: str) -> None:
    assert findings(text, "fund", rule_id="FM-01") == []


def test_guaranteed_return_does_not_apply_to_deposits() -> None:
    assert findings("整存整取定期存款，保本保息", "deposit", rule_id="FM-01") == []
    assert findings("整存整取定期存款，保本保息", "wealth", rule_id="FM-01") != []


# --- FM-03 inducement -------------------------------------------------------------------------------


def test_inducement_warns_and_escalates_with_a_guarantee() -> None:
    [alone] = findings("限时抢购，名额有限", "fund", rule_id="FM-03")[:1]
    assert alone.severity == "warn"
    with_guarantee = findings("限时抢购，保本保息", "fund", rule_id="FM-03")
    assert with_guarantee and all(f.severity == "block" for f in with_guarantee)


def test_risk_rating_is_not_inducement() -> None:
    assert findings("本产品风险等级为R2（中低风险）", "wealth", rule_id="FM-03") == []


def test_inducement_rule_is_not_in_force_before_its_effective_date() -> None:
    result = check("限时抢购", "wechat", "fund", on_date=date(2026, 1, 1), bank_short_name="示例银行")
    assert "FM-03" not in {f.rule_id for f in result.findings}


# --- FM-04 product confusion / WM-02 yield display -----------------------------------------------------------


def test_product_confusion() -> None:
    assert quotes("这款理财和存款一样安心", "wealth", "FM-04") == ["和存款一样"]
    assert findings("理财不等同于存款，请注意风险", "wealth", rule_id="FM-04") == []


def test_expected_yield_and_maximum_only_are_flagged_but_required_wording_is_not() -> None:
    assert quotes("预期年化收益率4.2%", "wealth", "WM-02") == ["预期年化收益率4.2%"]
    assert quotes("年化收益最高可达4.5%", "wealth", "WM-02") == ["年化收益最高可达4.5%"]
    assert findings("业绩比较基准不是预期收益率，不代表实际收益", "wealth", rule_id="WM-02") == []


# --- LN-03 fee concealment, LN-05 restricted audience, LN-06 approval claims ------------------------


def test_zero_interest_claims_block_but_the_grace_period_does_not() -> None:
    assert quotes("信用卡０利息分期", "credit_card", "LN-03") == ["０利息"]
    assert quotes("免息分期，轻松购物", "credit_card", "LN-03") == ["免息"]
    assert findings("消费享最长50天免息期", "credit_card", rule_id="LN-03") == []
    assert findings("享18至50天免息还款期", "credit_card", rule_id="LN-03") == []


def test_student_targeting_blocks_but_an_exclusion_statement_does_not() -> None:
    assert quotes("大学生专享消费贷", "consumer_loan", "LN-05") == ["大学生"]
    assert findings("本产品不面向在校学生及未成年人", "consumer_loan", rule_id="LN-05") == []
    assert findings("本产品不面向在校学生、未成年人", "consumer_loan", rule_id="LN-05") == []


@pytest.mark.parametrize("claim", ["不看征信", "100%下款", "秒批必过", "黑白户均可", "内部渠道"])
def test_approval_claims_block(claim: str) -> None:
    hits = findings(f"急用钱？{claim}，马上借", "consumer_loan", rule_id="LN-06")
    assert [h.span.quote for h in hits if h.span] == [claim]


def test_approval_claims_quoted_in_an_anti_fraud_warning_do_not_flag() -> None:
    text = "警惕“不看征信、100%下款”的虚假贷款广告"
    assert findings(text, "consumer_loan", rule_id="LN-06") == []


def test_loan_rules_do_not_apply_to_other_products() -> None:
    assert findings("不看征信", "wealth", rule_id="LN-06") == []
