"""CallScript model shape rules and content hashing."""

from __future__ import annotations

from datetime import time
from typing import Any

import pytest
from pydantic import ValidationError

from core.domain import Product
from core.settings import Settings
from tools.call_script import Institution, build_first_contact_script, content_hash, hash_matches
from tools.call_script.hashing import canonical_json
from tools.call_script.model import CallScript, Node, Prompt, RouteWhen, TimeWindow, Trigger

BANK = Institution(legal_name="示例银行股份有限公司", short_name="示例银行", hotline="400-000-0000")
LOAN = Product(
    id="CL-1", name="示例安心贷", type="consumer_loan", apr_min=3.6, apr_max=12.0, benefits=["按日计息"]
)


def built() -> CallScript:
    return build_first_contact_script(
        script_id="cs-001",
        campaign_id="cmp-001",
        institution=BANK,
        product=LOAN,
        purpose="向您介绍我行的个人消费贷款产品",
        value_points=[],
        calling_window=(time(9), time(21)),
        dnc_days=180,
    )


def reorder(value: Any) -> Any:
    """The same JSON value with every object's keys in reverse order."""
    if isinstance(value, dict):
        return {key: reorder(value[key]) for key in reversed(list(value))}
    if isinstance(value, list):
        return [reorder(item) for item in value]
    return value


VERBATIM = {"mode": "verbatim", "text": "您好。"}


@pytest.mark.parametrize(
    ("fields", "fragment"),
    [
        (
            {"type": "end", "routes": [{"when": {"intent": "affirm"}, "to": "x"}], "end_reason": "completed"},
            "no routes",
        ),
        ({"type": "end"}, "end_reason"),
        ({"type": "ask"}, "routes"),
        ({"type": "say"}, "next"),
        ({"type": "say", "next": "x", "action": "send_sms"}, "action"),
        ({"type": "say", "next": "@return"}, "@return"),
        ({"type": "answer", "next": "@repeat"}, "@repeat"),
        ({"type": "action", "next": "x"}, "needs an action"),
        ({"type": "say", "next": "x", "prompt": None}, "prompt"),
        (
            {
                "type": "say",
                "next": "x",
                "locked": True,
                "prompt": {"mode": "generative_bounded", "text": "嗨", "max_chars": 50},
            },
            "locked",
        ),
        ({"type": "say", "next": "x", "id": "Bad-Id"}, "id"),
    ],
)
def test_node_shape_errors(fields: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ValidationError, match=fragment):
        Node.model_validate({"id": "n1", "prompt": VERBATIM, **fields})


def test_prompt_modes_and_bounds() -> None:
    with pytest.raises(ValidationError, match="needs max_chars"):
        Prompt(mode="generative_bounded", text="你好")
    with pytest.raises(ValidationError, match="only to generative_bounded"):
        Prompt(mode="verbatim", text="你好", max_chars=10)
    with pytest.raises(ValidationError, match="over max_chars"):
        Prompt(mode="generative_bounded", text="你好你好", max_chars=3)


def test_triggers_windows_and_unknown_keys() -> None:
    with pytest.raises(ValidationError, match="exactly one"):
        Trigger(intent="refuse", event="no_input")
    with pytest.raises(ValidationError, match="not both"):
        RouteWhen(intent="affirm", event="always")
    with pytest.raises(ValidationError, match="start before"):
        TimeWindow(start=time(21), end=time(9))
    with pytest.raises(ValidationError, match="extra"):
        Node.model_validate({"id": "n1", "type": "say", "next": "x", "prompt": VERBATIM, "colour": "red"})


def test_script_level_constraints() -> None:
    document = built().model_dump(mode="json")
    duplicated = {**document, "nodes": [*document["nodes"], document["nodes"][0]]}
    with pytest.raises(ValidationError, match="duplicate node ids: opening"):
        CallScript.model_validate(duplicated)
    short_dnc = {**document, "compliance": {**document["compliance"], "dnc_cooldown_days": 90}}
    with pytest.raises(ValidationError, match="dnc_cooldown_days"):
        CallScript.model_validate(short_dnc)
    policy = {**document["call_policy"], "max_attempts_per_day": 2, "max_attempts_total": 1}
    with pytest.raises(ValidationError, match="max_attempts_total"):
        CallScript.model_validate({**document, "call_policy": policy})
    with pytest.raises(ValidationError, match="time zone"):
        CallScript.model_validate(
            {**document, "call_policy": {**document["call_policy"], "timezone": "Mars/Base"}}
        )


def test_institution_from_settings() -> None:
    settings = Settings(
        bank_name="示例银行股份有限公司", bank_short_name="示例银行", bank_hotline="400-000-0000"
    )
    assert Institution.from_settings(settings) == BANK


def test_hash_is_stable_under_key_order() -> None:
    script = built()
    shuffled = CallScript.model_validate(reorder(script.model_dump(mode="json")))
    assert content_hash(shuffled) == content_hash(script)
    assert canonical_json({"b": 1, "a": [{"y": 2, "x": "值"}]}) == canonical_json(
        {"a": [{"x": "值", "y": 2}], "b": 1}
    )


def test_hash_changes_with_text_but_not_with_lifecycle_fields() -> None:
    script = built()
    assert len(content_hash(script)) == 64 and hash_matches(script)
    published = script.model_copy(update={"status": "published", "version": 7, "content_hash": None})
    assert content_hash(published) == content_hash(script)
    document = script.model_dump(mode="json")
    document["nodes"][0]["prompt"]["text"] += "。"
    edited = CallScript.model_validate(document)
    assert content_hash(edited) != content_hash(script)
    assert not hash_matches(edited)
