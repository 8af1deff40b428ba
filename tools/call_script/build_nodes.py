"""The nodes of the first-contact script, built from the bank, the product sheet and the call's purpose.

The graph (channel-formats §2, §4 derived behaviours):

    opening (bank + AI assistant + recording + purpose) → permission_check ─affirm→ value_proposition
        → [risk_disclosure] → interest_check ─affirm→ transfer_human ─transfer_failed→ closing_transfer_failed
                                             ─objection→ objection_handling (one rebuttal) ─affirm→ transfer_human
    deny → closing · refusal (global, priority 100) → refusal_dnc (locked, verbatim, register_dnc)
    global: complaint / request_human → transfer_human · robot_check → answer_robot · ask_rate → answer_rates
            (both return to the interrupted question) · repeat · busy · wrong_person · silence / no-match caps
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from core.domain import Product
from tools.call_script.errors import ScriptBuildError
from tools.call_script.facts import answer_rates_text, risk_disclosure_text, value_text
from tools.call_script.model import Institution, Node, Prompt, Route, RouteWhen
from tools.call_script.terms import PROMPT_MAX_CHARS, RETURN_TARGET, Action, EndReason, PromptMode, Stage
from tools.call_script.vocab import (
    CALL_LATER_NODE,
    CLOSING_NODE,
    NO_RESPONSE_NODE,
    RATES_ANSWER_NODE,
    REFUSAL_NODE,
    ROBOT_ANSWER_NODE,
    TRANSFER_NODE,
    WRONG_PERSON_NODE,
)

OPENING_STAGES: tuple[Stage, ...] = (
    "opening",
    "identity_disclosure",
    "ai_disclosure",
    "recording_notice",
    "purpose_disclosure",
)
TRANSFER_FAILED_NODE = "closing_transfer_failed"


def _prompt(node_id: str, mode: PromptMode, text: str) -> Prompt:
    if len(text) > PROMPT_MAX_CHARS:
        raise ScriptBuildError(f"node {node_id!r}: text has {len(text)} chars, over {PROMPT_MAX_CHARS}")
    return Prompt(mode=mode, text=text)


def _say(
    node_id: str, stages: Sequence[Stage], mode: PromptMode, text: str, to: str, locked: bool = False
) -> Node:
    prompt = _prompt(node_id, mode, text)
    return Node(id=node_id, type="say", stages=list(stages), prompt=prompt, next=to, locked=locked)


def _ask(node_id: str, stage: Stage, mode: PromptMode, text: str, routes: Mapping[str, str]) -> Node:
    """An ask node routing each listed intent locally; refusal, silence and the rest come from global handlers."""
    return Node(
        id=node_id,
        type="ask",
        stages=[stage],
        prompt=_prompt(node_id, mode, text),
        routes=[Route(when=RouteWhen(intent=intent), to=target) for intent, target in routes.items()],
    )


def _answer(node_id: str, stages: Sequence[Stage], mode: PromptMode, text: str, locked: bool = False) -> Node:
    """An answer to a global question; it returns to the ask node the customer interrupted."""
    prompt = _prompt(node_id, mode, text)
    return Node(
        id=node_id, type="answer", stages=list(stages), prompt=prompt, next=RETURN_TARGET, locked=locked
    )


def _end(node_id: str, text: str, reason: EndReason, action: Action = "none", locked: bool = False) -> Node:
    stages: list[Stage] = ["dnc_confirmation", "closing"] if action == "register_dnc" else ["closing"]
    prompt = _prompt(node_id, "verbatim", text)
    return Node(
        id=node_id, type="end", stages=stages, prompt=prompt, action=action, end_reason=reason, locked=locked
    )


def opening_nodes(institution: Institution, purpose: str) -> list[Node]:
    """Disclosures first (locked, one bot turn), then permission before any product talk."""
    short = institution.short_name
    opening = (
        f"${{customer_surname}}${{honorific}}您好，这里是{short}，我是{short}的AI智能语音助理，"
        f"本次通话会被录音。今天来电是想{purpose}。"
    )
    return [
        _say("opening", OPENING_STAGES, "template", opening, "permission_check", locked=True),
        _ask(
            "permission_check",
            "permission_check",
            "verbatim",
            "请问现在方便占用您一分钟时间吗？",
            {"affirm": "value_proposition", "deny": CLOSING_NODE},
        ),
    ]


def pitch_nodes(institution: Institution, product: Product, points: list[str]) -> list[Node]:
    """Value proposition from product facts, the product's risk wording if any, the offer and one rebuttal."""
    disclosure = risk_disclosure_text(product)
    after_value = "risk_disclosure" if disclosure else "interest_check"
    value = value_text(product, institution.short_name, points)
    nodes = [_say("value_proposition", ["value_proposition"], "template", value, after_value)]
    if disclosure:
        nodes.append(
            _say("risk_disclosure", ["risk_disclosure"], "verbatim", disclosure, "interest_check", True)
        )
    nodes += [
        _ask(
            "interest_check",
            "next_step_offer",
            "template",
            "如果您有兴趣，我可以现在为您转接人工客服详细介绍和办理，您看可以吗？",
            {"affirm": TRANSFER_NODE, "deny": CLOSING_NODE, "objection": "objection_handling"},
        ),
        _ask(
            "objection_handling",
            "objection_handling",
            "template",
            "理解您的顾虑，是否办理完全由您决定。如果您愿意，人工客服可以为您详细解答，需要为您转接吗？",
            # One rebuttal only: a second objection ends the call politely (channel-formats §2 modelling notes).
            {"affirm": TRANSFER_NODE, "deny": CLOSING_NODE, "objection": CLOSING_NODE},
        ),
    ]
    return nodes


def service_nodes(institution: Institution, product: Product) -> list[Node]:
    """What global handlers reach: the robot-check and rates answers, and the hand-off to a human."""
    short, hotline = institution.short_name, institution.hotline
    robot = f"我是{short}的AI智能语音助理，不是真人。如需人工服务，请直接说“转人工”。"
    return [
        _answer(ROBOT_ANSWER_NODE, ["ai_disclosure", "faq"], "verbatim", robot, locked=True),
        _answer(RATES_ANSWER_NODE, ["faq"], "template", answer_rates_text(product, short, hotline)),
        Node(
            id=TRANSFER_NODE,
            type="transfer",
            stages=["transfer"],
            prompt=_prompt(TRANSFER_NODE, "verbatim", "好的，正在为您转接人工客服，请稍候。"),
            routes=[Route(when=RouteWhen(event="transfer_failed"), to=TRANSFER_FAILED_NODE)],
        ),
    ]


def ending_nodes(institution: Institution, dnc_days: int) -> list[Node]:
    """Every way the call ends; the refusal end is locked and verbatim and registers do-not-call (CALL-03)."""
    short, hotline = institution.short_name, institution.hotline
    refusal = f"好的，不再打扰您。我们会将您的号码列入免打扰名单，{dnc_days}天内不再向您进行营销来电。再见！"
    return [
        _end(REFUSAL_NODE, refusal, "refused_dnc", action="register_dnc", locked=True),
        _end(
            CLOSING_NODE,
            f"好的，感谢您的接听。如有需要，欢迎拨打{short}客服热线{hotline}。再见！",
            "not_interested",
        ),
        _end(
            CALL_LATER_NODE,
            "好的，不打扰您了，我们换个时间再联系您。再见！",
            "call_later",
            "schedule_callback",
        ),
        _end(WRONG_PERSON_NODE, "抱歉打扰您了，祝您生活愉快，再见！", "wrong_person"),
        _end(
            NO_RESPONSE_NODE,
            f"抱歉没有听清您的回复。如有需要，欢迎拨打{short}客服热线{hotline}。再见！",
            "no_response",
        ),
        _end(
            TRANSFER_FAILED_NODE,
            f"抱歉，人工客服暂时繁忙，您可以稍后拨打{short}客服热线{hotline}咨询。感谢您的接听，再见！",
            "transfer_failed",
        ),
    ]
