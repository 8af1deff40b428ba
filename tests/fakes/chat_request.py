"""Read a ``/v1/chat/completions`` body into what the fake needs: its key, tools, schema and stream options.

The *key* is how tests address a request: the ``json_schema`` name for structured outputs, the forced tool's
name for function calling (LangChain names that tool after the schema), ``chat`` for everything else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tests.fakes.state import WILDCARD_KEY

CHAT_KEY = "chat"
EMBEDDINGS_KEY = "embeddings"


class InvalidRequestError(ValueError):
    """The request body is not a chat-completion request the fake understands (answered with HTTP 400)."""


@dataclass(frozen=True)
class OfferedTool:
    """A function tool from the request's ``tools`` list."""

    name: str
    parameters: Mapping[str, Any]


@dataclass(frozen=True)
class ChatRequest:
    """The parts of a chat-completion request that decide the fake's answer."""

    model: str
    messages: tuple[Mapping[str, Any], ...]
    tools: tuple[OfferedTool, ...]
    forced_tool: str | None
    tools_disabled: bool
    response_format: Mapping[str, Any] | None
    stream: bool
    include_usage: bool

    @property
    def schema_name(self) -> str | None:
        """The ``json_schema`` name of a structured-output request, else None."""
        if self.response_format is None or self.response_format.get("type") != "json_schema":
            return None
        return str(self.response_format.get("json_schema", {}).get("name", "response"))

    @property
    def json_schema(self) -> Mapping[str, Any] | None:
        """The JSON schema a structured-output request asks for, else None."""
        if self.schema_name is None or self.response_format is None:
            return None
        schema = self.response_format.get("json_schema", {}).get("schema", {})
        return schema if isinstance(schema, Mapping) else {}

    @property
    def wants_json_object(self) -> bool:
        """True for JSON mode (``response_format: {type: json_object}``), which carries no schema."""
        return self.response_format is not None and self.response_format.get("type") == "json_object"

    @property
    def key(self) -> str:
        """The key scripts and faults are matched against."""
        return self.schema_name or self.forced_tool or CHAT_KEY

    @property
    def tool_was_answered(self) -> bool:
        """True when the last message is a tool result, so the model should now answer in words."""
        return bool(self.messages) and self.messages[-1].get("role") == "tool"

    def tool_named(self, name: str) -> OfferedTool | None:
        """The offered tool called ``name``, if any."""
        return next((tool for tool in self.tools if tool.name == name), None)

    def candidate_keys(self) -> list[str]:
        """Keys to try, in order: the request key, then (unforced tools) each tool's name, then ``*``."""
        keys = [self.key]
        if self.key == CHAT_KEY:
            keys.extend(tool.name for tool in self.tools)
        keys.append(WILDCARD_KEY)
        return list(dict.fromkeys(keys))


def parse_chat_request(body: Any) -> ChatRequest:
    """Validate the shape of a chat-completion body; raise :class:`InvalidRequestError` naming the problem."""
    if not isinstance(body, Mapping):
        raise InvalidRequestError("request body must be a JSON object")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages or not all(isinstance(m, Mapping) for m in messages):
        raise InvalidRequestError("'messages' must be a non-empty list of objects")
    if not isinstance(body.get("model"), str):
        raise InvalidRequestError("'model' must be a string")
    response_format = body.get("response_format")
    if response_format is not None and not isinstance(response_format, Mapping):
        raise InvalidRequestError("'response_format' must be an object")
    stream_options = body.get("stream_options") or {}
    tools = _parse_tools(body.get("tools") or [])
    forced_tool = _forced_tool(body.get("tool_choice"))
    if forced_tool is not None and forced_tool not in {tool.name for tool in tools}:
        raise InvalidRequestError(f"'tool_choice' forces {forced_tool!r}, which is not in 'tools'")
    return ChatRequest(
        model=body["model"],
        messages=tuple(messages),
        tools=tools,
        forced_tool=forced_tool,
        tools_disabled=body.get("tool_choice") == "none",
        response_format=response_format,
        stream=bool(body.get("stream")),
        include_usage=bool(stream_options.get("include_usage")),
    )


def _parse_tools(raw: Any) -> tuple[OfferedTool, ...]:
    if not isinstance(raw, list):
        raise InvalidRequestError("'tools' must be a list")
    tools = []
    for index, entry in enumerate(raw):
        function = entry.get("function") if isinstance(entry, Mapping) else None
        if not isinstance(function, Mapping) or not isinstance(function.get("name"), str):
            raise InvalidRequestError(
                f"tools[{index}] must be {{type: function, function: {{name, parameters}}}}"
            )
        tools.append(OfferedTool(name=function["name"], parameters=function.get("parameters") or {}))
    return tuple(tools)


def _forced_tool(choice: Any) -> str | None:
    if isinstance(choice, Mapping):
        function = choice.get("function")
        if isinstance(function, Mapping) and isinstance(function.get("name"), str):
            return str(function["name"])
        raise InvalidRequestError("'tool_choice' object must be {type: function, function: {name}}")
    return None
