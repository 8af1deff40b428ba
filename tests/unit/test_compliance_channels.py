"""Channel rules: SMS-01 signature, SMS-02 opt-out (sms only), CALL-02 opening, CALL-04 AI disclosure."""

from __future__ import annotations

from datetime import date

import pytest

from core.domain import Finding
from tools.compliance import check

DAY = date(2026, 11, 23)
OPT_OUT = "拒收请回复R"


def findings(text: str, channel: str, rule_id: str, bank: str = "示例银行") -> list[Finding]:
    result = check(text, channel, None, on_date=DAY, bank_short_name=bank)  # type: ignore[arg-type]
    return [f for f in result.findings if f.rule_id == rule_id]


# --- SMS-01 -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", [f"【示例银行】您的专属礼遇已到账。{OPT_OUT}", f"您的专属礼遇已到账。{OPT_OUT}【示例银行】"]
)
def test_signature_at_start_or_end_passes(text: str) -> None:
    assert findings(text, "sms", "SMS-01") == []


def test_missing_signature_blocks_without_span() -> None:
    [hit] = findings(f"您的专属礼遇已到账。{OPT_OUT}", "sms", "SMS-01")
    assert hit.span is None and hit.severity == "block" and hit.category == "sms_rule"


def test_signature_in_the_middle_does_not_count() -> None:
    assert findings(f"您好【示例银行】提醒您。{OPT_OUT}", "sms", "SMS-01") != []


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        (f"【示】礼遇到账。{OPT_OUT}", "2–16"),
        (f"【示例银行股份有限公司信用卡中心客户服务部】礼遇到账。{OPT_OUT}", "2–16"),
        (f"【理财小助手】礼遇到账。{OPT_OUT}", "本行名称"),
    ],
)
def test_malformed_or_anonymous_signature_points_at_it(text: str, detail: str) -> None:
    [hit] = findings(text, "sms", "SMS-01")
    assert hit.span is not None and hit.span.quote.startswith("【") and detail in hit.message


def test_sms_rules_do_not_apply_to_other_channels() -> None:
    assert findings("您的专属礼遇已到账", "push", "SMS-01") == []
    assert findings("您的专属礼遇已到账", "push", "SMS-02") == []


# --- SMS-02 -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "opt_out", ["拒收请回复R", "回T退订", "退订回T", "回复TD退订", "回复t退订", "拒收请回复Ｒ"]
)
def test_opt_out_variants_pass(opt_out: str) -> None:
    assert findings(f"【示例银行】礼遇到账。{opt_out}", "sms", "SMS-02") == []


def test_missing_opt_out_blocks() -> None:
    [hit] = findings("【示例银行】礼遇到账。", "sms", "SMS-02")
    assert hit.span is None and "退订" in hit.message


# --- CALL-02 / CALL-04 --------------------------------------------------------------------------------

GOOD_SCRIPT = "您好，我是示例银行的智能语音助手，来电向您介绍信用卡分期活动。\n客户：好的。"


def test_opening_naming_the_bank_and_disclosing_ai_passes() -> None:
    assert findings(GOOD_SCRIPT, "call_script", "CALL-02") == []
    assert findings(GOOD_SCRIPT, "call_script", "CALL-04") == []


def test_opening_without_the_bank_blocks_on_the_first_sentence() -> None:
    [hit] = findings("您好，我是理财服务中心的小王。请问您有兴趣吗？", "call_script", "CALL-02")
    assert hit.severity == "block" and hit.span is not None
    assert hit.span.start == 0 and hit.span.quote == "您好，我是理财服务中心的小王"


def test_bank_named_only_late_in_the_script_does_not_count() -> None:
    script = (
        "您好，打扰您一分钟，" + "我们近期有一项面向老客户的回馈活动，" * 3 + "我是示例银行的智能语音助手。"
    )
    assert findings(script, "call_script", "CALL-02") != []


def test_bank_short_name_comes_from_the_caller() -> None:
    assert findings(GOOD_SCRIPT, "call_script", "CALL-02", bank="样本银行") != []
    assert findings("您好，我是样本银行的AI助手。", "call_script", "CALL-02", bank="样本银行") == []


@pytest.mark.parametrize("disclosure", ["AI助手", "智能语音", "机器人助理", "人工智能客服"])
def test_ai_disclosure_variants_pass(disclosure: str) -> None:
    assert findings(f"您好，我是示例银行的{disclosure}。", "call_script", "CALL-04") == []


def test_missing_ai_disclosure_warns() -> None:
    [hit] = findings("您好，这里是示例银行，来电想介绍三年期定期存款。", "call_script", "CALL-04")
    assert hit.severity == "warn" and hit.category == "ai_disclosure"
    assert findings("您好，我是示例银行的客户经理，邮件detail请查收", "call_script", "CALL-04") != []
