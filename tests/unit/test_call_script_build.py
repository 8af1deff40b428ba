"""The offline first-contact builder and the one edit the LLM path may make (with_value_texts)."""

from __future__ import annotations

from datetime import time

import pytest

from core.domain import Product
from tools.call_script import (
    CallScriptError,
    Institution,
    NodeNotEditableError,
    ScriptBuildError,
    ScriptNotEditableError,
    UnknownNodeError,
    build_first_contact_script,
    content_hash,
    hash_matches,
    validate_script,
    with_value_texts,
)
from tools.call_script.build import editable_node_ids
from tools.call_script.model import CallScript

BANK = Institution(legal_name="示例银行股份有限公司", short_name="示例银行", hotline="400-000-0000")
WINDOW = (time(9, 0), time(21, 0))
LOAN = Product(
    id="CL-001",
    name="示例安心贷",
    type="consumer_loan",
    apr_min=3.6,
    apr_max=12.0,
    max_amount=200_000,
    term="最长36期",
    fees=["无提前还款违约金"],
    benefits=["线上申请，随借随还", "按日计息", "额度循环使用"],
)


def build(product: Product = LOAN, **overrides: object) -> CallScript:
    arguments: dict[str, object] = {
        "script_id": "cs-loan-001",
        "campaign_id": "cmp-001",
        "institution": BANK,
        "product": product,
        "purpose": "向您介绍我行的个人消费贷款产品",
        "value_points": [],
        "calling_window": WINDOW,
        "dnc_days": 180,
    }
    arguments.update(overrides)
    return build_first_contact_script(**arguments)  # type: ignore[arg-type]


def text_of(script: CallScript, node_id: str) -> str:
    node = script.node(node_id)
    assert node is not None and node.prompt is not None
    return node.prompt.text


def test_opening_names_bank_ai_recording_and_purpose_with_lead_variables() -> None:
    opening = text_of(build(), "opening")
    assert opening.startswith("${customer_surname}${honorific}")
    for part in ("示例银行", "AI智能语音助理", "录音", "向您介绍我行的个人消费贷款产品"):
        assert part in opening


def test_loan_value_text_states_apr_and_only_sheet_benefits() -> None:
    script = build(value_points=["按日计息"])
    value = text_of(script, "value_proposition")
    assert "年化利率（单利）3.6%至12%" in value
    assert "最高额度20万元" in value and "按日计息" in value
    assert "线上申请" not in value  # not chosen
    assert "以审批结果为准" in value


def test_refusal_node_is_locked_verbatim_dnc_end() -> None:
    script = build(dnc_days=365)
    node = script.node("refusal_dnc")
    assert node is not None and node.prompt is not None
    assert (node.type, node.locked, node.action, node.prompt.mode) == (
        "end",
        True,
        "register_dnc",
        "verbatim",
    )
    assert node.prompt.text.startswith("好的，不再打扰您。我们会将您的号码列入免打扰名单")
    assert "365天" in node.prompt.text
    assert script.compliance.dnc_cooldown_days == 365


def test_global_handlers_cover_refusal_human_repeat_and_robot_check() -> None:
    handlers = {h.when.intent: (h.to, h.priority) for h in build().global_handlers if h.when.intent}
    assert handlers["refuse"] == ("refusal_dnc", 100)
    assert handlers["request_human"][0] == "transfer_human"
    assert handlers["repeat"][0] == "@repeat"
    assert handlers["robot_check"][0] == "answer_robot"


def test_wealth_script_carries_locked_risk_disclosure_after_value() -> None:
    wealth = Product(
        id="WM-001",
        name="示例稳享1号",
        type="wealth",
        benchmark="年化2.8%-3.2%（依据历史资产配置测算）",
        risk_level="R2",
        benefits=["每日开放申赎"],
    )
    script = build(wealth, purpose="向您介绍一款理财产品")
    value = script.node("value_proposition")
    disclosure = script.node("risk_disclosure")
    assert value is not None and value.next == "risk_disclosure"
    assert disclosure is not None and disclosure.locked and disclosure.prompt is not None
    assert disclosure.prompt.text == "理财非存款、产品有风险、投资须谨慎。"


def test_build_is_deterministic_and_hashed() -> None:
    first, second = build(), build()
    assert first == second
    assert first.content_hash is not None and hash_matches(first)
    assert first.metadata.ai_generated is True and first.status == "draft" and first.version == 1


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"dnc_days": 90}, "dnc_days"),
        ({"value_points": ["全网最低利率"]}, "全网最低利率"),
        ({"purpose": "   "}, "purpose"),
        ({"purpose": "介绍" * 40}, "purpose"),
        ({"purpose": "介绍${product}"}, "variables"),
        ({"calling_window": (time(21, 0), time(9, 0))}, "calling window"),
        ({"value_points": ["按日计息", "额度循环使用", "线上申请，随借随还", "按日计息"]}, "value points"),
    ],
)
def test_bad_builder_input_raises_naming_the_problem(overrides: dict[str, object], fragment: str) -> None:
    with pytest.raises(ScriptBuildError, match=fragment):
        build(**overrides)


def test_loan_without_apr_cannot_be_pitched() -> None:
    no_rate = LOAN.model_copy(update={"apr_min": None, "apr_max": None})
    with pytest.raises(ScriptBuildError, match="CL-001"):
        build(no_rate)


def test_with_value_texts_replaces_only_given_editable_nodes_and_rehashes() -> None:
    script = build()
    edited = with_value_texts(
        script, {"value_proposition": "示例安心贷年化利率（单利）3.6%至12%，按日计息。"}
    )
    assert text_of(edited, "value_proposition") == "示例安心贷年化利率（单利）3.6%至12%，按日计息。"
    assert text_of(edited, "opening") == text_of(script, "opening")
    assert edited.content_hash == content_hash(edited) != script.content_hash
    assert validate_script(edited, bank_short_name="示例银行", calling_window=WINDOW) == []


@pytest.mark.parametrize("node_id", ["opening", "refusal_dnc", "answer_robot"])
def test_with_value_texts_refuses_locked_nodes(node_id: str) -> None:
    with pytest.raises(NodeNotEditableError, match="locked"):
        with_value_texts(build(), {node_id: "随便说点什么"})


def test_with_value_texts_refuses_verbatim_unknown_and_published() -> None:
    script = build()
    with pytest.raises(NodeNotEditableError, match="verbatim"):
        with_value_texts(script, {"permission_check": "方便吗？"})
    with pytest.raises(UnknownNodeError, match="no_such_node"):
        with_value_texts(script, {"no_such_node": "文本"})
    with pytest.raises(ScriptNotEditableError, match="published"):
        with_value_texts(script.model_copy(update={"status": "published"}), {"value_proposition": "文本"})


def test_with_value_texts_rejects_overlong_text() -> None:
    with pytest.raises(CallScriptError, match="value_proposition"):
        with_value_texts(build(), {"value_proposition": "长" * 301})


def test_points_that_do_not_fit_one_turn_are_dropped_in_order() -> None:
    long_points = ["第一项权益" + "详" * 100, "第二项权益" + "详" * 100, "第三项权益" + "详" * 100]
    product = LOAN.model_copy(update={"benefits": long_points})
    value = text_of(build(product, value_points=long_points), "value_proposition")
    assert "第一项权益" in value and "第二项权益" in value and "第三项权益" not in value
    assert len(value) <= 300


def test_fees_that_do_not_fit_are_referred_to_the_product_documents() -> None:
    fees = [f"第{i}项费用：" + "说明" * 30 for i in range(1, 6)]
    answer = text_of(build(LOAN.model_copy(update={"fees": fees})), "answer_rates")
    assert "第1项费用" in answer and "第5项费用" not in answer
    assert "其余费用详见产品说明" in answer and len(answer) <= 300
    assert "其余费用" not in text_of(build(), "answer_rates")


def test_agency_product_names_issuer_and_benchmark_is_not_doubled() -> None:
    wealth = Product(
        id="WM-002",
        name="示例恒信理财",
        type="wealth",
        issuer="示例理财有限责任公司",
        benchmark="业绩比较基准为年化2.6%–3.2%，测算依据见说明书，不代表产品实际收益",
        risk_level="R2",
    )
    value = text_of(build(wealth, purpose="向您介绍一款理财产品"), "value_proposition")
    assert "示例银行代销的理财产品，由示例理财有限责任公司发行" in value
    assert value.count("业绩比较基准为") == 1


def test_editable_node_ids_match_what_with_value_texts_accepts() -> None:
    script = build()
    editable = editable_node_ids(script)
    assert editable == ["value_proposition", "interest_check", "objection_handling", "answer_rates"]
    edited = with_value_texts(script, {node_id: "示例文本。" for node_id in editable})
    assert all(text_of(edited, node_id) == "示例文本。" for node_id in editable)
