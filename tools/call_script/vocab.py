"""The first-contact script's fixed vocabularies: per-lead variables, intents and global handlers."""

from __future__ import annotations

from tools.call_script.model import GlobalHandler, Intent, Trigger, Variable
from tools.call_script.terms import REPEAT_TARGET, IntentCategory

# Node ids the handlers point to; build.py declares nodes under the same names.
REFUSAL_NODE = "refusal_dnc"
TRANSFER_NODE = "transfer_human"
ROBOT_ANSWER_NODE = "answer_robot"
RATES_ANSWER_NODE = "answer_rates"
CLOSING_NODE = "closing"
CALL_LATER_NODE = "closing_call_later"
WRONG_PERSON_NODE = "closing_wrong_person"
NO_RESPONSE_NODE = "closing_no_response"

FIRST_CONTACT_VARIABLES: tuple[Variable, ...] = (
    Variable(name="customer_surname", type="string", source="lead", required=True, pii="personal"),
    Variable(name="honorific", type="string", source="lead", required=True, pii="none"),
)

_INTENT_TABLE: tuple[tuple[str, IntentCategory, list[str], list[str]], ...] = (
    ("affirm", "affirm", ["好的", "可以，你说吧", "方便的"], ["好的", "可以", "方便", "行"]),
    ("deny", "deny", ["现在不方便", "不用了，谢谢"], ["不方便", "不用了"]),
    (
        "refuse",
        "refuse",
        ["不需要", "不感兴趣", "以后别再给我打电话了"],
        ["不需要", "不感兴趣", "别再打", "别打了", "不要再打"],
    ),
    ("request_human", "request_human", ["转人工", "我要找人工客服"], ["人工", "转人工"]),
    ("ask_rate", "question", ["利息是多少", "怎么收费的"], ["利率", "利息", "收费", "费用"]),
    ("objection", "objection", ["利息有点高", "我再考虑考虑", "我担心有风险"], ["太高", "考虑", "担心"]),
    ("busy", "busy", ["我在开会", "正在开车，晚点再说"], ["在忙", "开会", "开车", "晚点"]),
    ("wrong_person", "wrong_person", ["你打错了", "我不是他本人"], ["打错", "不是本人"]),
    ("complaint", "complaint", ["我要投诉你们"], ["投诉"]),
    ("repeat", "repeat", ["你说什么", "没听清，再说一遍"], ["再说一遍", "没听清"]),
    ("robot_check", "robot_check", ["你是机器人吗", "你是真人吗"], ["机器人", "真人"]),
)
FIRST_CONTACT_INTENTS: tuple[Intent, ...] = tuple(
    Intent(id=intent_id, category=category, examples=examples, keywords=keywords)
    for intent_id, category, examples, keywords in _INTENT_TABLE
)


def _on_intent(intent_id: str, to: str, priority: int) -> GlobalHandler:
    return GlobalHandler(when=Trigger(intent=intent_id), to=to, priority=priority)


# Highest priority first. A refusal outranks everything (CALL-03); complaints go to a human (channel-formats §4).
FIRST_CONTACT_HANDLERS: tuple[GlobalHandler, ...] = (
    _on_intent("refuse", REFUSAL_NODE, 100),
    GlobalHandler(when=Trigger(event="max_duration"), to=CLOSING_NODE, priority=95),
    _on_intent("complaint", TRANSFER_NODE, 90),
    _on_intent("request_human", TRANSFER_NODE, 80),
    _on_intent("robot_check", ROBOT_ANSWER_NODE, 70),
    _on_intent("ask_rate", RATES_ANSWER_NODE, 60),
    _on_intent("repeat", REPEAT_TARGET, 50),
    _on_intent("busy", CALL_LATER_NODE, 40),
    _on_intent("wrong_person", WRONG_PERSON_NODE, 40),
    GlobalHandler(when=Trigger(event="no_input_exhausted"), to=NO_RESPONSE_NODE, priority=10),
    GlobalHandler(when=Trigger(event="no_match_exhausted"), to=NO_RESPONSE_NODE, priority=10),
)
