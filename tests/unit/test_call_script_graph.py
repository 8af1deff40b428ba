"""Graph walks: @return goes back to the interrupted node only, and disclosure order is exact per path."""

from __future__ import annotations

from typing import Any

from tools.call_script.graph import ScriptGraph
from tools.call_script.model import CallScript


def say(node_id: str, text: str, to: str, *stages: str) -> dict[str, Any]:
    return {"id": node_id, "type": "say", "stages": list(stages), "next": to,
            "prompt": {"mode": "verbatim", "text": text}}  # fmt: skip


def ask(node_id: str, routes: dict[str, str]) -> dict[str, Any]:
    return {"id": node_id, "type": "ask", "prompt": {"mode": "verbatim", "text": "可以吗？"},
            "routes": [{"when": {"intent": i}, "to": t} for i, t in routes.items()]}  # fmt: skip


def script(nodes: list[dict[str, Any]], handlers: list[dict[str, Any]]) -> CallScript:
    return CallScript.model_validate(
        {
            "script_id": "g-1",
            "version": 1,
            "institution": {"legal_name": "示例银行股份有限公司", "short_name": "示例银行", "hotline": "400-000-0000"},
            "campaign": {"campaign_id": "c", "product_type": "deposit", "product_name": "示例定期"},
            "call_policy": {"allowed_windows": [{"start": "09:00", "end": "21:00"}], "max_call_duration_s": 180,
                            "max_attempts_per_day": 1, "max_attempts_total": 3},
            "intents": [{"id": i, "category": "other"} for i in ("affirm", "faq_question")],
            "global_handlers": handlers,
            "nodes": nodes,
            "start_node": "opening",
            "compliance": {"refusal_node": "bye", "dnc_cooldown_days": 180},
        }
    )  # fmt: skip


NODES = [
    say("opening", "您好，这里是示例银行。", "before_ai"),
    ask("before_ai", {"affirm": "ai_notice"}),
    say("ai_notice", "我是AI智能语音助理。", "after_ai", "ai_disclosure"),
    ask("after_ai", {"affirm": "pitch"}),
    say("pitch", "示例定期年利率1.45%。", "bye", "value_proposition"),
    {"id": "faq", "type": "answer", "next": "@return", "prompt": {"mode": "verbatim", "text": "答复。"}},
    {"id": "bye", "type": "end", "end_reason": "completed", "prompt": {"mode": "verbatim", "text": "再见！"}},
]
FAQ_HANDLER = {"when": {"intent": "faq_question"}, "to": "faq", "priority": 50}


def test_return_goes_back_to_the_interrupted_ask_node_only() -> None:
    graph = ScriptGraph(script(NODES, [FAQ_HANDLER]))
    states = graph.reachable_states()
    assert ("faq", "before_ai") in states and ("faq", "after_ai") in states
    assert [node for node, _ in graph.successors(("faq", "before_ai"))] == ["before_ai"]
    assert [node for node, _ in graph.successors(("faq", "after_ai"))] == ["after_ai"]


def test_faq_detour_does_not_fake_a_path_around_the_disclosure() -> None:
    # An over-approximating walk would go before_ai → faq → @return → after_ai → pitch without disclosure.
    graph = ScriptGraph(script(NODES, [FAQ_HANDLER]))
    assert graph.pitches_before("ai_disclosure") == {}
    assert graph.nodes_that_cannot_end() == [] and graph.unreachable_nodes() == []


def test_handler_that_jumps_to_the_pitch_is_a_path_around_the_disclosure() -> None:
    jump = {"when": {"intent": "faq_question"}, "to": "pitch", "priority": 50}
    graph = ScriptGraph(script(NODES, [jump]))
    assert graph.pitches_before("ai_disclosure") == {"pitch": ["opening", "before_ai", "pitch"]}
    assert graph.unreachable_nodes() == ["faq"]


def test_undeclared_start_node_has_no_states() -> None:
    broken = script(NODES, []).model_copy(update={"start_node": "missing"})
    graph = ScriptGraph(broken)
    assert graph.reachable_states() == set() and graph.pitches_before("ai_disclosure") == {}
