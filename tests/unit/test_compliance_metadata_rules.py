"""Rules judged from metadata and product sheets: times, placements, audiences, figures against the sheet."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from tools.compliance import check
from tools.compliance.meta import CallPolicy, CheckMeta

DAY = date(2026, 12, 1)
SMS = "【示例银行】一年期定期存款年利率1.10%，50元起存。拒收请回复R"


def fired(text: str, channel: str, product_type: str | None = None, **meta: Any) -> set[str]:
    result = check(text, channel, product_type, bank_short_name="示例银行", on_date=DAY,  # type: ignore[arg-type]
                   meta=CheckMeta.model_validate(meta) if meta else None)  # fmt: skip
    return {finding.rule_id for finding in result.findings}


@pytest.mark.parametrize(("at", "expected"), [("2026-12-01T22:40", True), ("2026-12-01T07:59", True),
                                              ("2026-12-01T08:00", False), ("2026-12-01T20:59", False)])  # fmt: skip
def test_sms_send_window_is_eight_to_nine(at: str, expected: bool) -> None:
    assert ("SMS-04" in fired(SMS, "sms", send_at=at)) is expected


def test_transactional_sms_is_exempt_from_window_and_consent() -> None:
    alert = "【示例银行】您尾号8821的账户于22:38支出1,200.00元，如非本人操作请致电400-000-0000。"
    audience = {"tag": "marketing_consent", "op": "eq", "value": False}
    assert not fired(
        alert, "sms", send_at="2026-12-01T22:40", message_type="transactional", audience=audience
    )
    assert {"SMS-02", "SMS-03", "SMS-04"} <= fired(
        alert, "sms", send_at="2026-12-01T22:40", audience=audience
    )


def test_calling_hours_follow_settings_unless_the_customer_asked() -> None:
    script = "您好，我是示例银行的智能语音助手，来电介绍一年期定期存款，年利率1.10%。如您不需要，我们将不再致电打扰。"
    assert "CALL-01" in fired(script, "call_script", call_at="2026-12-01T21:30")
    assert "CALL-01" not in fired(
        script, "call_script", call_at="2026-12-01T21:30", customer_requested_call=True
    )
    assert "CALL-01" not in fired(script, "call_script", call_at="2026-12-01T10:00")


def test_call_policy_above_bank_limits_warns() -> None:
    script = "您好，我是示例银行的智能语音助手，来电介绍一年期定期存款。如您不需要，我们将不再致电打扰。"
    policy = CallPolicy(max_attempts_per_day=5, max_attempts_per_30_days=3)
    assert "CALL-05" in fired(script, "call_script", call_policy=policy.model_dump())
    assert "CALL-05" not in fired(script, "call_script", call_policy={"max_attempts_per_day": 1})


@pytest.mark.parametrize(
    ("field", "value", "rule", "text"),
    [
        ("paid_placement", True, "AD-07", "示例银行信用卡新客礼遇，年化利率（单利）5.5%–17.0%。"),
        ("personalized", True, "PI-02", "根据您的偏好，为您推荐示例银行一年期定期存款，年利率1.10%。"),
        ("origin", "staff_personal", "FM-07", "示例银行一年期定期存款年利率1.10%，欢迎咨询。"),
        ("platform", "third_party", "DP-03", "示例银行一年期定期存款年利率1.10%，50元起存。"),
    ],
)
def test_metadata_flags_fire_only_with_their_value(field: str, value: object, rule: str, text: str) -> None:
    assert rule in fired(text, "push", **{field: value})
    assert rule not in fired(text, "push")


def test_labelled_ad_and_switch_off_link_satisfy_their_rules() -> None:
    assert "AD-07" not in fired("【广告】示例银行一年期定期存款年利率1.10%。", "wechat", paid_placement=True)
    text = "为您推荐示例银行一年期定期存款，年利率1.10%。可在“我的-设置”中关闭个性化推荐。"
    assert "PI-02" not in fired(text, "push", personalized=True)


def test_list_sorted_by_benchmark_warns() -> None:
    page = "示例理财精选，业绩比较基准3.0%-4.0%（测算依据见产品说明书）。理财非存款、产品有风险、投资须谨慎。"
    assert "WM-07" in fired(page, "h5", "wealth", sort_key="benchmark")
    assert "WM-07" not in fired(page, "h5", "wealth", sort_key="name")


STUDENTS = {"and": [{"tag": "credit_granted", "op": "eq", "value": True},
                    {"tag": "is_student", "op": "eq", "value": True}]}  # fmt: skip
NOT_STUDENTS = {"and": [{"tag": "credit_granted", "op": "eq", "value": True},
                        {"not": {"tag": "is_student", "op": "eq", "value": True}}]}  # fmt: skip


def test_credit_audience_selecting_students_or_minors_blocks() -> None:
    assert "LN-05" in fired("已授信客户", "audience", "consumer_loan", audience=STUDENTS)
    assert "LN-05" not in fired("已授信客户", "audience", "consumer_loan", audience=NOT_STUDENTS)
    minors = {"tag": "age", "op": "between", "value": [16, 30]}
    assert "LN-05" in fired("年轻客户", "audience", "consumer_loan", audience=minors)


def test_sensitive_tags_and_consent_in_audiences() -> None:
    assert "PI-04" in fired(
        "健康客户", "audience", audience={"tag": "health_flag", "op": "eq", "value": False}
    )
    no_consent = {"tag": "marketing_consent", "op": "ne", "value": True}
    assert "SMS-03" in fired("未授权客户", "audience", audience=no_consent)
    excluded = {"not": {"tag": "marketing_consent", "op": "eq", "value": False}}
    assert "SMS-03" not in fired("已授权客户", "audience", audience=excluded)


def test_suitability_needs_a_risk_level_at_or_above_the_product() -> None:
    too_low = {"tag": "risk_level", "op": "in", "value": ["C2", "C3", "C4"]}
    enough = {"tag": "risk_level", "op": "gte", "value": "C4"}
    assert "FM-05" in fired("理财客户", "audience", product_id="WM-R4-001", audience=too_low)
    assert "FM-05" not in fired("理财客户", "audience", product_id="WM-R4-001", audience=enough)
    assert "FM-05" in fired("理财客户", "audience", product_id="WM-R4-001", audience=STUDENTS)


@pytest.mark.parametrize(
    ("text", "product_id", "rule"),
    [
        ("示例e贷年化利率（单利）2.9%起，最高可借20万元。", "CL-001", "FM-06"),  # below the sheet's 3.6%
        ("示例e贷年化利率（单利）3.6%起，最高可借50万元。", "CL-001", "FM-06"),  # above the 20万 line
        ("示例成长优选混合基金申购费率仅0.6%，10元起购。", "FD-001", "FM-06"),
        ("示例挂钩黄金结构性存款，期限63天，1万元起购。", "SD-001", "FM-06"),
        ("一年期定期存款年利率1.50%，50元起存。", "DP-001", "DP-01"),
        ("结构性存款存续期内随时可取。", "SD-001", "AD-03"),
    ],
)
def test_figures_and_claims_are_checked_against_the_product_sheet(
    text: str, product_id: str, rule: str
) -> None:
    assert rule in fired(text, "wechat", product_id=product_id)
    assert rule not in fired(text, "wechat")  # without the sheet nothing is guessed


def test_figures_that_match_the_sheet_pass() -> None:
    text = "示例e贷年化利率（单利）3.6%–18.0%，年化综合融资成本3.6%–18.0%，最高可借20万元，1000元起借。"
    assert not {"FM-06", "AD-03"} & fired(text, "h5", product_id="CL-001")


def test_bad_metadata_is_refused_with_the_field_named() -> None:
    with pytest.raises(ValidationError, match="send_at"):
        CheckMeta.model_validate({"send_at": "tonight"})
    with pytest.raises(ValidationError, match="audience"):
        CheckMeta.model_validate({"audience": {"tag": "age", "op": "older", "value": 1}})
    with pytest.raises(ValueError, match="unknown product id 'XX-1'"):
        fired("示例银行定期存款", "sms", product_id="XX-1")
