"""OpenAI wire formats: chat-completion JSON, SSE chunks, usage blocks and error bodies.

Shapes follow what the openai SDK and ``langchain_openai.ChatOpenAI`` parse (engineering notes B.5): streamed
tool calls open with ``index, id, type, function.name, arguments: ""`` and continue with argument fragments;
the usage chunk (``choices: []``) is sent only when ``stream_options.include_usage`` was requested.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from tests.fakes.replies import AssistantTurn

# A fixed timestamp keeps responses byte-for-byte reproducible.
CREATED_AT = 1767225600
_CONTENT_PIECE = 8
_ARGUMENT_PIECE = 16

_ERROR_TYPES = {
    400: ("invalid_request_error", "invalid_request"),
    401: ("authentication_error", "invalid_api_key"),
    403: ("permission_error", "forbidden"),
    404: ("invalid_request_error", "not_found"),
    408: ("timeout_error", "timeout"),
    429: ("rate_limit_error", "rate_limit_exceeded"),
}


def estimate_tokens(text: str) -> int:
    """Rough token count: a quarter token per ASCII character, one per other character (CJK)."""
    ascii_chars = sum(1 for char in text if char.isascii())
    return math.ceil(ascii_chars / 4) + (len(text) - ascii_chars)


def _message_text(message: Mapping[str, Any]) -> str:
    content = message.get("content")
    parts: list[str] = [content] if isinstance(content, str) else []
    if isinstance(content, list):
        parts.extend(str(part.get("text", "")) for part in content if isinstance(part, Mapping))
    for call in message.get("tool_calls") or []:
        function = call.get("function", {}) if isinstance(call, Mapping) else {}
        parts.append(f"{function.get('name', '')}{function.get('arguments', '')}")
    return "".join(parts)


def usage_block(messages: Sequence[Mapping[str, Any]], turn: AssistantTurn) -> dict[str, int]:
    """The ``usage`` object for a request's messages and the turn answering them (character estimate)."""
    # Every message costs a few tokens of framing, as with real chat models.
    prompt = sum(estimate_tokens(_message_text(message)) + 4 for message in messages)
    answer = (turn.content or "") + "".join(call.name + call.arguments for call in turn.tool_calls)
    completion = max(estimate_tokens(answer), 1)
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _tool_calls_json(turn: AssistantTurn) -> list[dict[str, Any]]:
    return [
        {"id": call.id, "type": "function", "function": {"name": call.name, "arguments": call.arguments}}
        for call in turn.tool_calls
    ]


def completion_body(
    turn: AssistantTurn, *, model: str, completion_id: str, usage: dict[str, int]
) -> dict[str, Any]:
    """A non-streamed ``chat.completion`` object."""
    message: dict[str, Any] = {"role": "assistant", "content": turn.content, "refusal": None}
    if turn.tool_calls:
        message["tool_calls"] = _tool_calls_json(turn)
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": CREATED_AT,
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": turn.finish_reason, "logprobs": None}],
        "usage": usage,
    }


def _chunk(completion_id: str, model: str, choices: list[dict[str, Any]], **extra: Any) -> str:
    body = {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": CREATED_AT,
        "model": model,
        "choices": choices,
        **extra,
    }
    return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"


def _delta(delta: dict[str, Any], finish_reason: str | None = None) -> list[dict[str, Any]]:
    return [{"index": 0, "delta": delta, "finish_reason": finish_reason, "logprobs": None}]


def _pieces(text: str, size: int) -> list[str]:
    return [text[start : start + size] for start in range(0, len(text), size)]


def _turn_deltas(turn: AssistantTurn) -> Iterator[dict[str, Any]]:
    yield {"role": "assistant", "content": "" if turn.content is not None else None}
    for piece in _pieces(turn.content or "", _CONTENT_PIECE):
        yield {"content": piece}
    for index, call in enumerate(turn.tool_calls):
        opening = {"index": index, "id": call.id, "type": "function"}
        yield {"tool_calls": [{**opening, "function": {"name": call.name, "arguments": ""}}]}
        for piece in _pieces(call.arguments, _ARGUMENT_PIECE):
            yield {"tool_calls": [{"index": index, "function": {"arguments": piece}}]}


def sse_events(
    turn: AssistantTurn, *, model: str, completion_id: str, usage: dict[str, int] | None
) -> Iterator[str]:
    """The SSE stream for ``turn``; ``usage`` is sent as a final ``choices: []`` chunk when given."""
    for delta in _turn_deltas(turn):
        yield _chunk(completion_id, model, _delta(delta))
    yield _chunk(completion_id, model, _delta({}, turn.finish_reason))
    if usage is not None:
        yield _chunk(completion_id, model, [], usage=usage)
    yield "data: [DONE]\n\n"


def error_body(status: int, message: str) -> dict[str, Any]:
    """An OpenAI-style error object for ``status``."""
    error_type, code = _ERROR_TYPES.get(
        status, ("server_error" if status >= 500 else "invalid_request_error", None)
    )
    return {"error": {"message": message, "type": error_type, "param": None, "code": code}}
