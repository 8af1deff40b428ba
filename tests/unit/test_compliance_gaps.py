"""Gaps found by the compliance eval: LN-06 negation, traditional call wording, CALL-04 impersonation,
education texts and 理财 inference, WM-02 bare benchmark figures."""

from __future__ import annotations

from datetime import date

import pytest

from core.domain import Channel, Finding, ProductType
from tools.compliance import check, infer_product_type
from tools.compliance.detectors import build_detector
from tools.compliance.normalize import normalize

DAY = date(2026, 11, 23)


def findings(text: str, channel: Channel, product_type: ProductType | None, rule_id: str) -> list[Finding]:
    result = check(text, channel, product_type, on_date=DAY, bank_short_name="示例银行")
    return [f for f in result.findings if f.rule_id == rule_id]


# --- LN-06 honours explicit refusals ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "示例快贷需经综合审批，不承诺包过，年化利率3.6%起",
        "本行贷款不存在“包下款”，额度以审批为准",
        "我行从不承诺必过",
    ],
)
def test_refused_approval_claims_do_not_flag(text: str) -> None:
    assert findings(text, "wechat", "consumer_loan", "LN-06") == []


@pytest.mark.parametrize(
    ("text", "claim"), [("无抵押包下款", "包下款"), ("不用等，必过", "必过"), ("无需审核", "无需审核")]
)
def test_bare_negator_characters_do_not_cancel_a_claim(text: str, claim: str) -> None:
    hits = findings(text, "wechat", "consumer_loan", "LN-06")
    assert [h.span.quote for h in hits if h.span] == [claim]


# --- traditional call wording ----------------------------------------------------------------------


def test_traditional_call_wording_is_simplified() -> None:
    assert normalize("這裡是示例銀行，我是智能語音助手，來電介紹，如您暫不需要，我們將不再致電打擾").text == (
        "这里是示例银行,我是智能语音助手,来电介绍,如您暂不需要,我们将不再致电打扰"
    )
    assert normalize("機器人錄音並非").text == "机器人录音并非"


def test_traditional_ai_disclosure_counts() -> None:
    text = "您好，這裡是示例銀行，我是智能語音助手，來電想向您介紹定期存款。"
    assert findings(text, "call_script", "deposit", "CALL-04") == []
    assert findings(text, "call_script", "deposit", "CALL-02") == []


# --- CALL-04 impersonation blocks ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "quote"),
    [
        ("您好，我是示例银行的客户经理王芳，来电介绍定期存款。", "我是示例银行的客户经理"),
        ("您好，示例银行来电，我是真人客服小李。", "我是真人"),
        ("您好，这里是示例银行，我不是机器人，想介绍定期存款。", "我不是机器人"),
    ],
)
def test_claiming_to_be_human_without_ai_disclosure_blocks(text: str, quote: str) -> None:
    [hit] = findings(text, "call_script", "deposit", "CALL-04")
    assert hit.severity == "block" and hit.span is not None and hit.span.quote == quote
    assert "冒充" in hit.message


@pytest.mark.parametrize(
    "text",
    [
        "您好，我是示例银行的智能语音助手，客户经理王芳委托我向您介绍定期存款。",
        "您好，我是示例银行的AI助手，稍后可为您转接工作人员。",
    ],
)
def test_staff_mentioned_by_a_disclosed_bot_passes(text: str) -> None:
    assert findings(text, "call_script", "deposit", "CALL-04") == []


def test_plain_missing_disclosure_still_only_warns() -> None:
    [hit] = findings("您好，这里是示例银行，来电想介绍定期存款。", "call_script", "deposit", "CALL-04")
    assert hit.severity == "warn" and hit.span is None


# --- education frames are not 理财 promotions ------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "投资者教育：购买理财产品前，请先完成风险承受能力评估。",
        "谨防非法理财，认准持牌机构。",
        "理财知识小课堂：什么是净值型产品？",
    ],
)
def test_education_texts_get_no_product_type(text: str) -> None:
    assert infer_product_type(text) is None
    assert findings(text, "article", None, "WM-01") == []


def test_an_offer_inside_an_education_text_is_still_a_product() -> None:
    text = "投资者教育专栏：示例稳享理财业绩比较基准3%，1万元起购。"
    assert infer_product_type(text) == "wealth"
    assert findings(text, "article", None, "WM-01") != []


# --- WM-02 bare benchmark ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "quote"),
    [
        ("示例稳享理财业绩比较基准3.0%-4.5%，1万元起购。", "业绩比较基准3.0%-4.5%"),
        ("示例稳享理财业绩比较基准为年化3.2%。", "业绩比较基准为年化3.2%"),
    ],
)
def test_bare_benchmark_figures_block(text: str, quote: str) -> None:
    [hit] = findings(text, "article", "wealth", "WM-02")
    assert hit.severity == "block" and hit.span is not None and hit.span.quote == quote


@pytest.mark.parametrize(
    "text",
    [
        "示例理财业绩比较基准为年化2.6%-3.2%，该基准参考拟投资债券资产的市场收益水平测算。",
        "业绩比较基准及其测算依据请查阅产品说明书。",
        "业绩比较基准不是预期收益率，不代表实际收益。",
    ],
)
def test_benchmarks_with_their_basis_pass(text: str) -> None:
    assert findings(text, "article", "wealth", "WM-02") == []


# --- new detector params are validated at load -----------------------------------------------------


@pytest.mark.parametrize(
    ("detector_type", "params"),
    [
        (
            "required_phrase",
            {"all_of": [{"label": "x", "pattern": "x"}], "escalate": {"patterns": ["("], "detail": "d"}},
        ),
        (
            "required_phrase",
            {"all_of": [{"label": "x", "pattern": "x"}], "escalate": {"patterns": [], "detail": "d"}},
        ),
        ("apr_required", {"offer_patterns": ["贷"], "consistency_tolerance": 2.0}),
    ],
)
def test_bad_new_params_are_refused(detector_type: str, params: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        build_detector(detector_type, params)
