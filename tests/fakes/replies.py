"""Decide what the fake assistant says: a scripted reply applied to the request, or one generated from it.

Generated answers follow what a well-behaved model would do: call the forced (else first) tool with arguments
valid for its schema, answer in words once a tool result came back, and emit JSON valid for a requested
``json_schema``. Scripted replies override the content but are checked against the request, so a script that
cannot apply (``tool_args`` for a request without tools) fails loudly instead of producing a confusing answer.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from tests.fakes.chat_request import ChatRequest, OfferedTool
from tests.fakes.schema_instance import instance_from_schema
from tests.fakes.specs import ReplySpec

DEFAULT_TEXT = "ok"


class ScriptMismatchError(ValueError):
    """A scripted reply cannot answer the request it matched (answered with HTTP 400 naming the script)."""


@dataclass(frozen=True)
class ToolCall:
    """A tool call in the assistant message; ``arguments`` is the JSON text sent on the wire."""

    id: str
    name: str
    arguments: str


@dataclass(frozen=True)
class AssistantTurn:
    """The assistant message the fake sends back."""

    content: str | None
    tool_calls: tuple[ToolCall, ...] = ()

    @property
    def finish_reason(self) -> str:
        """``tool_calls`` when the turn calls tools, else ``stop``."""
        return "tool_calls" if self.tool_calls else "stop"


def plan_turn(
    request: ChatRequest, scripted: tuple[str, ReplySpec] | None, *, malformed: bool
) -> AssistantTurn:
    """Build the assistant turn for ``request``: from the scripted ``(key, reply)`` if any, else generated."""
    turn = _scripted_turn(request, *scripted) if scripted else _generated_turn(request)
    return _break_json(turn) if malformed else turn


def _generated_turn(request: ChatRequest) -> AssistantTurn:
    if request.tools and not request.tools_disabled and not request.tool_was_answered:
        forced = request.tool_named(request.forced_tool) if request.forced_tool else None
        tool = forced or request.tools[0]
        return _call(request, [(tool.name, instance_from_schema(tool.parameters))])
    if request.json_schema is not None:
        return AssistantTurn(content=_dumps(instance_from_schema(request.json_schema)))
    if request.wants_json_object:
        return AssistantTurn(content="{}")
    return AssistantTurn(content=DEFAULT_TEXT)


def _scripted_turn(request: ChatRequest, key: str, reply: ReplySpec) -> AssistantTurn:
    if reply.text is not None:
        return AssistantTurn(content=reply.text)
    if reply.tool_calls is not None:
        for call in reply.tool_calls:
            if request.tools and request.tool_named(call.name) is None:
                raise ScriptMismatchError(
                    f"script for {key!r} calls {call.name!r}, which the request does not offer"
                )
        return _call(request, [(call.name, call.args) for call in reply.tool_calls])
    if reply.tool_args is not None:
        return _call(request, [(_target_tool(request, key).name, reply.tool_args)])
    if request.forced_tool is not None or request.tool_named(key) is not None:
        # Function-calling structured output: the "JSON" travels as the forced tool's arguments.
        if not isinstance(reply.json_value, dict):
            raise ScriptMismatchError(f"script for {key!r} must be a JSON object to become tool arguments")
        return _call(request, [(_target_tool(request, key).name, reply.json_value)])
    return AssistantTurn(content=_dumps(reply.json_value))


def _target_tool(request: ChatRequest, key: str) -> OfferedTool:
    """The tool a scripted ``tool_args`` applies to: forced, else named by the key, else the first offered."""
    for name in (request.forced_tool, key):
        tool = request.tool_named(name) if name else None
        if tool is not None:
            return tool
    if request.tools:
        return request.tools[0]
    raise ScriptMismatchError(f"script for {key!r} has tool arguments but the request offers no tools")


def _call(request: ChatRequest, calls: list[tuple[str, Any]]) -> AssistantTurn:
    # Ids must be unique within a conversation (ToolMessages refer to them) yet stable across runs.
    seed = _dumps(list(request.messages))
    tool_calls = tuple(
        ToolCall(id=_call_id(seed, index, name), name=name, arguments=_dumps(args))
        for index, (name, args) in enumerate(calls)
    )
    return AssistantTurn(content=None, tool_calls=tool_calls)


def _call_id(seed: str, index: int, name: str) -> str:
    digest = hashlib.sha256(f"{seed}|{index}|{name}".encode()).hexdigest()
    return f"call_{digest[:24]}"


def _break_json(turn: AssistantTurn) -> AssistantTurn:
    if turn.tool_calls:
        broken = tuple(
            ToolCall(id=call.id, name=call.name, arguments=_truncated(call.arguments))
            for call in turn.tool_calls
        )
        return AssistantTurn(content=None, tool_calls=broken)
    return AssistantTurn(content=_truncated(turn.content or ""))


def _truncated(text: str) -> str:
    """An unterminated JSON object, so no parser can accept it whatever ``text`` was."""
    return '{"truncated": ' + json.dumps(text[: len(text) // 2], ensure_ascii=False)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
