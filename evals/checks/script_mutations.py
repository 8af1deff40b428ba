"""A fixed set of ways to break a built call script, each a known compliance or structural fault.

A mutation edits the script as a JSON document and, unless it is about the hash itself, recomputes the content
hash so that only the intended fault is present. Which rule ids a correct validator must report for each fault
is the dataset's label (``expected_rules`` in evals/datasets/call_script.yaml), not this module's.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Literal, get_args

from tools.call_script.hashing import with_content_hash
from tools.call_script.model import CallScript

MutationName = Literal[
    "ai_disclosure_after_pitch",
    "ai_disclosure_without_ai_words",
    "refusal_routes_to_pitch",
    "refusal_handler_low_priority",
    "no_refusal_node",
    "no_refuse_intent",
    "refusal_node_not_locked",
    "dnc_check_off",
    "window_outside_hours",
    "asks_for_otp",
    "undeclared_variable",
    "dangling_route",
    "unreachable_end",
    "no_silence_handler",
    "opening_without_bank",
    "claims_to_be_human",
    "forbidden_phrase",
    "generative_disclosure",
    "stale_hash",
]
MUTATIONS: tuple[str, ...] = get_args(MutationName)
Document = dict[str, Any]
_AI_CLAUSE = re.compile(r"[^，。]*(?:AI|智能语音|人工智能)[^，。]*[，。]")


class MutationError(ValueError):
    """The script lacks what a mutation edits (e.g. a node id), so the fault cannot be planted."""


def _node(doc: Document, node_id: str) -> Document:
    found = next((n for n in doc["nodes"] if n["id"] == node_id), None)
    if found is None:
        raise MutationError(f"script has no node {node_id!r} to mutate")
    return found  # type: ignore[no-any-return]


def _set_text(doc: Document, node_id: str, text: str) -> None:
    _node(doc, node_id)["prompt"]["text"] = text


def _refuse_handlers(doc: Document) -> list[Document]:
    refuse = {i["id"] for i in doc["intents"] if i["category"] == "refuse"}
    handlers = [h for h in doc["global_handlers"] if h["when"].get("intent") in refuse]
    if not handlers:
        raise MutationError("script has no global refusal handler to mutate")
    return handlers


def _strip_ai_clause(doc: Document) -> Document:
    opening = _node(doc, doc["start_node"])
    stripped = _AI_CLAUSE.sub("", opening["prompt"]["text"])
    if stripped == opening["prompt"]["text"]:
        raise MutationError("opening does not say the caller is an AI")
    opening["prompt"]["text"] = stripped
    return opening


def ai_disclosure_after_pitch(doc: Document) -> None:
    """The opening no longer says it is an AI; the offer after the pitch does."""
    _strip_ai_clause(doc)["stages"].remove("ai_disclosure")
    offer = _node(doc, "interest_check")
    offer["stages"].append("ai_disclosure")
    offer["prompt"]["text"] = (
        f"我是{doc['institution']['short_name']}的AI智能语音助理。" + offer["prompt"]["text"]
    )


def ai_disclosure_without_ai_words(doc: Document) -> None:
    """The opening keeps its ai_disclosure tag but no longer says AI."""
    _strip_ai_clause(doc)


def refusal_routes_to_pitch(doc: Document) -> None:
    for handler in _refuse_handlers(doc):
        handler["to"] = "value_proposition"


def refusal_handler_low_priority(doc: Document) -> None:
    for handler in _refuse_handlers(doc):
        handler["priority"] = 30


def no_refusal_node(doc: Document) -> None:
    refusal = _node(doc, doc["compliance"]["refusal_node"])
    doc["nodes"].remove(refusal)


def no_refuse_intent(doc: Document) -> None:
    refuse = {i["id"] for i in doc["intents"] if i["category"] == "refuse"}
    handlers = _refuse_handlers(doc)
    doc["intents"] = [i for i in doc["intents"] if i["id"] not in refuse]
    doc["global_handlers"] = [h for h in doc["global_handlers"] if h not in handlers]


def refusal_node_not_locked(doc: Document) -> None:
    _node(doc, doc["compliance"]["refusal_node"])["locked"] = False


def dnc_check_off(doc: Document) -> None:
    doc["call_policy"]["dnc_check_required"] = False


def window_outside_hours(doc: Document) -> None:
    doc["call_policy"]["allowed_windows"] = [{"start": "07:30:00", "end": "22:30:00"}]


def asks_for_otp(doc: Document) -> None:
    _set_text(doc, "interest_check", "为核实身份，请您告诉我刚收到的短信验证码，我马上为您办理，可以吗？")


def undeclared_variable(doc: Document) -> None:
    _set_text(doc, "interest_check", "${card_tail}尾号账户的客户可优先办理，需要为您转接人工客服吗？")


def dangling_route(doc: Document) -> None:
    offer = _node(doc, "interest_check")
    offer["routes"] = [
        {**r, "to": "apply_now"} if r["when"].get("intent") == "affirm" else r for r in offer["routes"]
    ]


def unreachable_end(doc: Document) -> None:
    """A failed transfer goes into a waiting loop that never ends the call."""
    doc["nodes"].append(
        {"id": "hold_loop", "type": "say", "stages": ["transfer"], "next": "hold_loop",
         "prompt": {"mode": "verbatim", "text": "请您稍候，正在为您继续等待。"}}
    )  # fmt: skip
    _node(doc, "transfer_human")["routes"] = [{"when": {"event": "transfer_failed"}, "to": "hold_loop"}]


def no_silence_handler(doc: Document) -> None:
    doc["global_handlers"] = [
        h for h in doc["global_handlers"] if h["when"].get("event") != "no_input_exhausted"
    ]


def opening_without_bank(doc: Document) -> None:
    opening = _node(doc, doc["start_node"])
    for name in (doc["institution"]["legal_name"], doc["institution"]["short_name"]):
        opening["prompt"]["text"] = opening["prompt"]["text"].replace(name, "我们")


def claims_to_be_human(doc: Document) -> None:
    offer = _node(doc, "interest_check")
    offer["prompt"]["text"] = "我是您的专属客户经理，" + offer["prompt"]["text"]


def forbidden_phrase(doc: Document) -> None:
    offer = _node(doc, "interest_check")
    offer["prompt"]["text"] = "这款产品稳赚不赔，" + offer["prompt"]["text"]


def generative_disclosure(doc: Document) -> None:
    """The opening (identity, AI and recording disclosures) is handed to the model to rephrase."""
    opening = _node(doc, doc["start_node"])
    opening["locked"] = False
    opening["prompt"] = {**opening["prompt"], "mode": "generative_bounded", "max_chars": 300}


def stale_hash(doc: Document) -> None:
    """An edit after hashing: the content no longer matches the hash the bot would check."""
    _set_text(doc, "closing", _node(doc, "closing")["prompt"]["text"] + "祝您生活愉快！")


_APPLY: dict[str, Callable[[Document], None]] = {
    "ai_disclosure_after_pitch": ai_disclosure_after_pitch,
    "ai_disclosure_without_ai_words": ai_disclosure_without_ai_words,
    "refusal_routes_to_pitch": refusal_routes_to_pitch,
    "refusal_handler_low_priority": refusal_handler_low_priority,
    "no_refusal_node": no_refusal_node,
    "no_refuse_intent": no_refuse_intent,
    "refusal_node_not_locked": refusal_node_not_locked,
    "dnc_check_off": dnc_check_off,
    "window_outside_hours": window_outside_hours,
    "asks_for_otp": asks_for_otp,
    "undeclared_variable": undeclared_variable,
    "dangling_route": dangling_route,
    "unreachable_end": unreachable_end,
    "no_silence_handler": no_silence_handler,
    "opening_without_bank": opening_without_bank,
    "claims_to_be_human": claims_to_be_human,
    "forbidden_phrase": forbidden_phrase,
    "generative_disclosure": generative_disclosure,
    "stale_hash": stale_hash,
}
if set(_APPLY) != set(MUTATIONS):  # the Literal and the table must name the same mutations
    raise RuntimeError(f"mutation table out of sync: {sorted(set(_APPLY) ^ set(MUTATIONS))}")


def mutate(script: CallScript, mutation: str) -> CallScript:
    """A copy of ``script`` with one fault planted; MutationError when the script lacks what it edits."""
    if mutation not in _APPLY:
        raise MutationError(f"unknown mutation {mutation!r}; expected one of {', '.join(MUTATIONS)}")
    document = script.model_dump(mode="json")
    _APPLY[mutation](document)
    try:
        broken = CallScript.model_validate(document)
    except ValueError as exc:
        raise MutationError(f"mutation {mutation!r} produced an unloadable script: {exc}") from exc
    return broken if mutation == "stale_hash" else with_content_hash(broken)
