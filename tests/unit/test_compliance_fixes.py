"""auto_fix: deterministic repairs that only insert text, after which the fixed rules pass."""

from __future__ import annotations

from datetime import date

import pytest

from core.domain import Channel, CheckResult, ProductType
from tools.compliance import auto_fix, check

DAY = date(2026, 11, 23)
BANK = "示例银行"


def run_check(text: str, channel: str, product_type: str | None) -> CheckResult:
    return check(text, channel, product_type, on_date=DAY, bank_short_name=BANK)  # type: ignore[arg-type]


def is_subsequence(original: str, fixed: str) -> bool:
    """Every character of ``original`` survives, in order (fixes never delete user content)."""
    remaining = iter(fixed)
    return all(char in remaining for char in original)


@pytest.mark.parametrize(
    ("text", "channel", "product_type", "apr_text", "fixed_rules"),
    [
        (
            "示例消费贷日息万三，最高可借20万元",
            "sms",
            "consumer_loan",
            "年化利率（单利）10.95%起",
            {"LN-01", "SMS-01", "SMS-02"},
        ),
        ("示例消费贷额度最高20万，随借随还", "h5", "consumer_loan", "年化利率（单利）3.6%起", {"LN-01"}),
        ("示例理财恒信新品上线，详询客户经理。拒收请回复R【示例银行】", "sms", "wealth", None, {"WM-01"}),
        ("示例理财恒信新品上线【示例银行】", "sms", "wealth", None, {"WM-01", "SMS-02"}),
        ("示例稳健基金近一年收益12%", "wechat", "fund", None, {"FM-02", "WM-05"}),
        ("示例人寿年金保险，守护家庭", "article", "insurance", None, {"WM-05"}),
    ],
)
def test_fixed_text_passes_the_fixed_rules_and_keeps_all_content(
    text: str, channel: Channel, product_type: ProductType, apr_text: str | None, fixed_rules: set[str]
) -> None:
    before = run_check(text, channel, product_type)
    assert fixed_rules <= {f.rule_id for f in before.findings}
    result = auto_fix(
        text,
        channel,
        product_type,
        before.findings,
        sms_signature=BANK,
        apr_text=apr_text,
        bank_short_name=BANK,
    )
    assert set(result.applied) == fixed_rules
    assert is_subsequence(text, result.text)
    after = run_check(result.text, channel, product_type)
    assert not fixed_rules & {f.rule_id for f in after.findings}


def test_sms_layout_is_signature_body_disclosure_opt_out() -> None:
    text = "示例理财恒信新品上线，详询客户经理"
    findings = run_check(text, "sms", "wealth").findings
    result = auto_fix(text, "sms", "wealth", findings, sms_signature=BANK)
    assert (
        result.text
        == "【示例银行】示例理财恒信新品上线，详询客户经理。理财非存款、产品有风险、投资须谨慎。拒收请回复R"
    )


def test_disclosure_goes_before_an_existing_opt_out_and_signature() -> None:
    text = "示例理财恒信新品上线。回T退订【示例银行】"
    result = auto_fix(text, "sms", "wealth", run_check(text, "sms", "wealth").findings, sms_signature=BANK)
    assert result.text == "示例理财恒信新品上线。理财非存款、产品有风险、投资须谨慎。回T退订【示例银行】"


def test_apr_is_inserted_right_after_the_daily_rate() -> None:
    text = "示例消费贷日息万三，随借随还"
    findings = run_check(text, "h5", "consumer_loan").findings
    result = auto_fix(
        text, "h5", "consumer_loan", findings, sms_signature=BANK, apr_text="年化利率（单利）10.95%"
    )
    assert result.text == "示例消费贷日息万三（年化利率（单利）10.95%），随借随还"


def test_agency_disclaimer_uses_issuer_and_bank_or_a_placeholder() -> None:
    text = "示例稳健基金，专业团队管理"
    findings = [f for f in run_check(text, "wechat", "fund").findings if f.rule_id == "WM-05"]
    named = auto_fix(
        text,
        "wechat",
        "fund",
        findings,
        sms_signature=BANK,
        issuer="示例基金管理有限公司",
        bank_short_name="样本银行",
    )
    assert "本产品由示例基金管理有限公司发行与管理，样本银行仅作为代理销售机构" in named.text
    skeleton = auto_fix(text, "wechat", "fund", findings, sms_signature=BANK, bank_short_name=BANK)
    assert "[基金管理人名称]" in skeleton.text


def test_unfixable_findings_remain_with_spans_shifted_to_the_new_text() -> None:
    text = "保本保息，限时抢购"
    findings = run_check(text, "sms", "wealth").findings
    result = auto_fix(text, "sms", "wealth", findings, sms_signature=BANK)
    remaining = {f.rule_id: f for f in result.remaining}
    assert {"FM-01", "FM-03"} <= set(remaining)
    assert "SMS-01" not in remaining and "WM-01" not in remaining
    for finding in result.remaining:
        if finding.span is not None:
            assert result.text[finding.span.start : finding.span.end] == finding.span.quote
    assert remaining["FM-01"].span is not None and remaining["FM-01"].span.start == len("【示例银行】")


def test_loan_rate_without_apr_text_is_left_for_the_author() -> None:
    text = "示例消费贷日息万三"
    findings = run_check(text, "h5", "consumer_loan").findings
    result = auto_fix(text, "h5", "consumer_loan", findings, sms_signature=BANK)
    assert result.text == text and result.applied == []
    assert [f.rule_id for f in result.remaining] == ["LN-01"]


def test_no_findings_means_no_change() -> None:
    text = "【示例银行】中秋快乐。拒收请回复R"
    assert auto_fix(text, "sms", None, [], sms_signature=BANK).text == text


@pytest.mark.parametrize(
    ("signature", "apr_text", "message"),
    [("示", None, "2–16"), ("【示例银行】", None, "2–16"), (BANK, "日息万三", "annualised")],
)
def test_bad_fix_arguments_are_rejected(signature: str, apr_text: str | None, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        auto_fix("示例消费贷", "sms", "consumer_loan", [], sms_signature=signature, apr_text=apr_text)


def test_bad_channel_or_product_type_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown channel"):
        auto_fix("文本", "fax", None, [], sms_signature=BANK)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown product type"):
        auto_fix("文本", "sms", "gold", [], sms_signature=BANK)  # type: ignore[arg-type]


def test_findings_from_a_joined_text_are_relocated_in_the_fixed_field() -> None:
    title = "示例消费贷，全网首选"
    body = "示例消费贷日息万三，随借随还"
    findings = run_check(f"{title}\n{body}", "h5", "consumer_loan").findings
    result = auto_fix(
        body, "h5", "consumer_loan", findings, sms_signature=BANK, apr_text="年化利率（单利）10.95%"
    )
    assert result.text == "示例消费贷日息万三（年化利率（单利）10.95%），随借随还"
    [title_finding] = [f for f in result.remaining if f.rule_id == "AD-01"]
    assert title_finding in findings  # its quote is not in the body, so it is returned unchanged
