"""validate_script: the built script is clean; each broken variant yields the right finding."""

from __future__ import annotations

from collections.abc import Callable
from datetime import time
from typing import Any

import pytest

from core.domain import Finding, Product
from tools.call_script import CallScriptError, Institution, build_first_contact_script, validate_script
from tools.call_script.model import CallScript

BANK = Institution(legal_name="示例银行股份有限公司", short_name="示例银行", hotline="400-000-0000")
WINDOW = (time(9, 0), time(21, 0))
PRODUCTS = [
    Product(
        id="CL-1", name="示例安心贷", type="consumer_loan", apr_min=3.6, apr_max=12.0, benefits=["按日计息"]
    ),
    Product(id="BL-1", name="示例经营贷", type="business_loan", apr_min=3.2, max_amount=1_000_000),
    Product(id="CC-1", name="示例白金卡", type="credit_card", fees=["年费600元，刷卡6次免次年年费"]),
    Product(id="DP-1", name="示例定期", type="deposit", rate=1.45, term="1年", min_amount=50),
    Product(id="CD-1", name="示例大额存单", type="large_cd", rate=1.9, min_amount=200_000, term="3年"),
    Product(
        id="WM-1", name="示例稳享", type="wealth", benchmark="年化2.8%（依据历史配置测算）", risk_level="R2"
    ),
    Product(id="SD-1", name="示例结构性存款", type="structured_deposit", term="91天", risk_level="R1"),
    Product(id="FD-1", name="示例成长混合", type="fund", issuer="示例基金管理有限公司", risk_level="R3"),
    Product(id="IN-1", name="示例安康保", type="insurance", issuer="示例人寿保险股份有限公司"),
]


def build(product: Product = PRODUCTS[0]) -> CallScript:
    return build_first_contact_script(
        script_id="cs-001",
        campaign_id="cmp-001",
        institution=BANK,
        product=product,
        purpose="向您介绍我行的一款产品",
        value_points=[],
        calling_window=WINDOW,
        dnc_days=180,
    )


def broken(mutate: Callable[[dict[str, Any]], None]) -> CallScript:
    """The built script, edited as a JSON document (hash cleared so only the edit is reported)."""
    document = build().model_dump(mode="json")
    document["content_hash"] = None
    mutate(document)
    return CallScript.model_validate(document)


def node(document: dict[str, Any], node_id: str) -> dict[str, Any]:
    return next(n for n in document["nodes"] if n["id"] == node_id)


def check(script: CallScript) -> list[Finding]:
    return validate_script(script, bank_short_name="示例银行", calling_window=WINDOW)


def rules(findings: list[Finding]) -> set[str]:
    return {f.rule_id for f in findings}


@pytest.mark.parametrize("product", PRODUCTS, ids=lambda p: p.type)
def test_built_script_has_no_findings(product: Product) -> None:
    assert check(build(product)) == []


def test_ai_disclosure_missing_on_one_path_blocks_only_that_pitch() -> None:
    def mutate(doc: dict[str, Any]) -> None:
        opening = node(doc, "opening")
        opening["stages"].remove("ai_disclosure")
        opening["prompt"]["text"] = opening["prompt"]["text"].replace("我是示例银行的AI智能语音助理，", "")
        doc["nodes"].append(
            {
                "id": "ai_notice",
                "type": "say",
                "stages": ["ai_disclosure"],
                "next": "value_proposition",
                "prompt": {"mode": "verbatim", "text": "先说明一下，我是AI智能语音助理。"},
            }
        )
        node(doc, "permission_check")["routes"] = [
            {"when": {"intent": "affirm"}, "to": "ai_notice"},
            {"when": {"intent": "objection"}, "to": "objection_handling"},
            {"when": {"intent": "deny"}, "to": "closing"},
        ]

    findings = check(broken(mutate))
    assert rules(findings) == {"CALL-04"}
    (finding,) = findings
    assert finding.category == "ai_disclosure" and finding.severity == "block" and finding.span is None
    assert "'objection_handling'" in finding.message
    assert "opening → permission_check → objection_handling" in finding.message


def test_refusal_routed_to_the_pitch_blocks() -> None:
    def mutate(doc: dict[str, Any]) -> None:
        node(doc, "permission_check")["routes"].append(
            {"when": {"intent": "refuse"}, "to": "value_proposition"}
        )

    findings = check(broken(mutate))
    assert rules(findings) == {"CALL-03"}
    assert "permission_check" in findings[0].message and "value_proposition" in findings[0].message
    assert findings[0].citation.startswith("消保法实施条例第二十四条")


def test_missing_refusal_node_blocks() -> None:
    def mutate(doc: dict[str, Any]) -> None:
        doc["nodes"] = [n for n in doc["nodes"] if n["id"] != "refusal_dnc"]

    findings = check(broken(mutate))
    assert rules(findings) == {"CALL-03", "CALL-S01"}
    assert any("refusal node 'refusal_dnc' is not declared" in f.message for f in findings)


def test_refusal_without_any_handler_blocks_every_ask_node() -> None:
    def mutate(doc: dict[str, Any]) -> None:
        doc["global_handlers"] = [h for h in doc["global_handlers"] if h["when"].get("intent") != "refuse"]

    findings = check(broken(mutate))
    assert rules(findings) == {"CALL-03", "CALL-S05"}  # the refusal node is now unreachable, too
    flagged = {f.message.split("'")[1] for f in findings if f.rule_id == "CALL-03"}
    assert flagged == {"permission_check", "interest_check", "objection_handling"}


def test_weak_refusal_node_and_handler_priority_block() -> None:
    def mutate(doc: dict[str, Any]) -> None:
        refusal = node(doc, "refusal_dnc")
        refusal["locked"] = False
        refusal["prompt"]["mode"] = "template"
        refusal["action"] = "none"
        doc["global_handlers"][0]["priority"] = 90
        doc["call_policy"]["dnc_check_required"] = False

    messages = " | ".join(f.message for f in check(broken(mutate)))
    for fragment in (
        "not locked",
        "not verbatim",
        "not register_dnc",
        "priority 90",
        "do-not-call check off",
    ):
        assert fragment in messages


def test_window_outside_bank_hours_blocks() -> None:
    def mutate(doc: dict[str, Any]) -> None:
        doc["call_policy"]["allowed_windows"] = [{"start": "08:00:00", "end": "22:00:00"}]

    findings = check(broken(mutate))
    assert rules(findings) == {"CALL-01"}
    assert "08:00-22:00" in findings[0].message and "09:00-21:00" in findings[0].message


def test_prompt_asking_for_sms_code_blocks_with_span() -> None:
    text = "为了核实身份，请告诉我您收到的验证码。"

    def mutate(doc: dict[str, Any]) -> None:
        node(doc, "interest_check")["prompt"]["text"] = text

    findings = check(broken(mutate))
    assert rules(findings) == {"CALL-PI"}
    span = findings[0].span
    assert findings[0].category == "personal_data" and span is not None
    assert (span.quote, text[span.start : span.end]) == ("验证码", "验证码")


def test_anti_fraud_warning_and_last_four_digits_are_not_requests() -> None:
    def mutate(doc: dict[str, Any]) -> None:
        node(doc, "interest_check")["prompt"]["text"] = (
            "银行不会向您索要验证码或密码。请问您的卡号后四位是多少？"
        )

    assert check(broken(mutate)) == []


def test_undeclared_variable_blocks() -> None:
    def mutate(doc: dict[str, Any]) -> None:
        node(doc, "value_proposition")["prompt"]["text"] += "您的预估额度是${credit_limit}。"

    findings = check(broken(mutate))
    assert rules(findings) == {"CALL-S02"}
    assert "value_proposition" in findings[0].message and "credit_limit" in findings[0].message


def test_node_that_cannot_reach_an_end_and_orphan_end() -> None:
    def mutate(doc: dict[str, Any]) -> None:
        node(doc, "interest_check")["routes"][1]["to"] = "loop_a"  # deny → a loop with no exit
        doc["nodes"] += [
            {
                "id": "loop_a",
                "type": "say",
                "next": "loop_b",
                "prompt": {"mode": "verbatim", "text": "好的。"},
            },
            {"id": "loop_b", "type": "say", "next": "loop_a", "prompt": {"mode": "verbatim", "text": "嗯。"}},
            {
                "id": "orphan_end",
                "type": "end",
                "end_reason": "completed",
                "prompt": {"mode": "verbatim", "text": "再见！"},
            },
        ]

    findings = check(broken(mutate))
    cannot_end = [f.message for f in findings if f.rule_id == "CALL-S03"]
    assert cannot_end == [
        "node 'loop_a' cannot reach any end node",
        "node 'loop_b' cannot reach any end node",
    ]
    (orphan,) = [f for f in findings if f.rule_id == "CALL-S05"]
    assert "orphan_end" in orphan.message and orphan.severity == "warn"


def test_undeclared_target_and_intent_block() -> None:
    def mutate(doc: dict[str, Any]) -> None:
        node(doc, "interest_check")["routes"].append({"when": {"intent": "haggle"}, "to": "discount_offer"})

    messages = [f.message for f in check(broken(mutate))]
    assert "node 'interest_check' route points to undeclared target 'discount_offer'" in messages
    assert "node 'interest_check' routes on undeclared intent 'haggle'" in messages


def test_ask_without_exhaustion_handling_blocks() -> None:
    def mutate(doc: dict[str, Any]) -> None:
        doc["global_handlers"] = [
            h for h in doc["global_handlers"] if h["when"].get("event") != "no_match_exhausted"
        ]

    findings = check(broken(mutate))
    assert rules(findings) == {"CALL-S04"} and len(findings) == 3
    assert all("no_match_exhausted" in f.message for f in findings)


def test_opening_without_bank_name_or_purpose_blocks() -> None:
    def mutate(doc: dict[str, Any]) -> None:
        opening = node(doc, "opening")
        opening["prompt"]["text"] = "您好，我是理财服务中心的AI智能语音助理，本次通话会被录音。"
        opening["stages"].remove("purpose_disclosure")

    messages = [f.message for f in check(broken(mutate)) if f.rule_id == "CALL-02"]
    assert any("does not name the bank" in m for m in messages)
    assert any("purpose_disclosure" in m and "value_proposition" in m for m in messages)


def test_missing_recording_notice_only_warns() -> None:
    def mutate(doc: dict[str, Any]) -> None:
        node(doc, "opening")["stages"].remove("recording_notice")

    findings = check(broken(mutate))
    assert rules(findings) == {"CALL-02"} and {f.severity for f in findings} == {"warn"}


def test_impersonation_and_untruthful_ai_tag_block() -> None:
    def mutate(doc: dict[str, Any]) -> None:
        node(doc, "answer_robot")["prompt"]["text"] = "我是您的专属客户经理小王。"

    messages = [f.message for f in check(broken(mutate)) if f.rule_id == "CALL-04"]
    assert "node 'answer_robot' claims to be human" in messages
    assert "node 'answer_robot' is tagged ai_disclosure but does not say it is an AI" in messages


def test_forbidden_phrase_blocks_unless_negated() -> None:
    def mutate(doc: dict[str, Any]) -> None:
        node(doc, "value_proposition")["prompt"]["text"] = "本产品保本，收益稳赚不赔。"
        node(doc, "objection_handling")["prompt"]["text"] = "本产品不保本，请您谨慎考虑，需要转人工吗？"

    findings = check(broken(mutate))
    assert [f.span.quote for f in findings if f.span] == ["稳赚不赔", "保本"]
    assert all("value_proposition" in f.message for f in findings)


def test_generative_disclosure_and_stale_hash_block() -> None:
    def mutate(doc: dict[str, Any]) -> None:
        node(doc, "interest_check")["stages"].append("risk_disclosure")
        node(doc, "interest_check")["prompt"].update(mode="generative_bounded", max_chars=120)

    script = broken(mutate).model_copy(update={"content_hash": "0" * 64})
    assert rules(check(script)) == {"CALL-S06", "CALL-S07"}


def test_attempt_caps_above_policy_warn() -> None:
    def mutate(doc: dict[str, Any]) -> None:
        doc["call_policy"].update(max_attempts_per_day=3, max_attempts_total=6)

    findings = check(broken(mutate))
    assert [(f.rule_id, f.severity) for f in findings] == [("CALL-05", "warn")]


def test_script_for_another_bank_is_flagged() -> None:
    findings = validate_script(build(), bank_short_name="另一家银行", calling_window=WINDOW)
    assert rules(findings) == {"CALL-02"}


def test_bad_validator_arguments_raise() -> None:
    with pytest.raises(CallScriptError, match="bank_short_name"):
        validate_script(build(), bank_short_name=" ", calling_window=WINDOW)
    with pytest.raises(CallScriptError, match="calling window"):
        validate_script(build(), bank_short_name="示例银行", calling_window=(time(21), time(9)))
