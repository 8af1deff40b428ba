"""Channel validators: SMS signature, opt-out and segments; push, 公众号 and 企业微信 limits; required disclosures
per product type; forbidden constructs. Every offline template draft passes them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from agents.content import write_offline
from agents.drafts import checkable_text
from agents.plan import CampaignPlan, Wave
from core.settings import get_settings
from tools.channel_rules.limits import hanzi_width, sms_segments
from tools.channel_rules.validators import validate_channel
from tools.products import default_catalog

SIG = "示例银行"
GOOD_SMS = "【示例银行】定期存款年利率1.1%，50元起存。详询400-000-0000。拒收请回复R"


@pytest.fixture(autouse=True)
def offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("MBRAIN_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("MBRAIN_LLM_BASE_URL", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def rule_ids(channel: str, content: dict[str, str], product_type: str = "deposit") -> list[str]:
    text = checkable_text(channel, content)
    return [f.rule_id for f in validate_channel(channel, content, text, product_type, sms_signature=SIG)]


def test_sms_segments_follow_70_then_67():
    assert [sms_segments("字" * n) for n in (70, 71, 134, 135)] == [1, 2, 2, 3]


def test_a_well_formed_sms_passes():
    assert rule_ids("sms", {"text": GOOD_SMS}) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (GOOD_SMS.replace("【示例银行】", ""), ["CH-01"]),
        (GOOD_SMS.replace("详询", "【活动】详询"), ["CH-02"]),
        (GOOD_SMS.replace("拒收请回复R", ""), ["CH-03"]),
        (GOOD_SMS.replace("详询", "字" * 100 + "详询"), ["CH-04"]),
        (GOOD_SMS.replace("详询", "★详询"), ["CH-05"]),
    ],
)
def test_sms_violations_are_named(text, expected):
    assert rule_ids("sms", {"text": text}) == expected


def test_push_counts_half_width_characters_as_half():
    assert hanzi_width("ab字") == 2.0
    assert rule_ids("push", {"title": "字" * 20, "text": "a" * 100}) == []
    assert rule_ids("push", {"title": "字" * 21, "text": "字" * 51}) == ["CH-06", "CH-07"]
    assert rule_ids("push", {"title": "标题", "text": " "}) == ["CH-10"]


def test_wechat_and_wecom_limits():
    long_title = {"title": "字" * 33, "digest": "字" * 129, "body": "正文"}
    assert rule_ids("wechat", long_title) == ["CH-08", "CH-09"]
    assert rule_ids("wecom", {"text": "字" * 4001}) == ["CH-12"]


def test_required_disclosures_per_product_type():
    assert rule_ids("wecom", {"text": "稳健理财，1元起购"}, "wealth") == ["CH-13", "CH-13", "CH-13"]
    assert rule_ids("wecom", {"text": "理财非存款、产品有风险、投资须谨慎。"}, "wealth") == []
    assert rule_ids("wecom", {"text": "消费贷额度已可使用"}, "consumer_loan") == ["CH-14"]
    assert rule_ids("wecom", {"text": "年化利率（单利）3.6%起"}, "consumer_loan") == []


def test_a_final_interpretation_clause_is_forbidden_with_its_span():
    text = "活动详情见页面。本行保留本活动的最终解释权。"
    (finding,) = validate_channel("h5", {}, text, "deposit", sms_signature=SIG)
    assert finding.rule_id == "CH-15" and finding.severity == "block"
    assert finding.span is not None and text[finding.span.start : finding.span.end] == "最终解释权"


@pytest.mark.parametrize("channel", ["sms", "push", "wechat", "wecom"])
def test_every_offline_template_draft_passes_its_channel(channel):
    wave = Wave(name="第一波", starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 31), channels=[channel])
    for product in default_catalog().all():
        plan = CampaignPlan(
            objective="activation", product_ids=[product.id], audience_description="存量客户", channels=[channel],
            waves=[wave], kpis=["转化率"], constraints=[], assumptions=[],
        )  # fmt: skip
        content = write_offline(plan, channel, product)
        assert rule_ids(channel, content, product.type) == [], (product.id, content)
