"""The fake's raw HTTP surface: wire shapes, error bodies, admin endpoints and the stand-alone process."""

from __future__ import annotations

import base64
import json
import struct
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.process import fake_server_process

TOOL: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "search_tags",
        "description": "Search tags.",
        "parameters": {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]},
    },
}


@pytest.fixture
def http(fake_llm: FakeOpenAI) -> httpx.Client:
    return fake_llm.clients()[0]


def _chat(http: httpx.Client, **body: Any) -> httpx.Response:
    return http.post(
        "/v1/chat/completions", json={"model": "m", "messages": [{"role": "user", "content": "hi"}], **body}
    )


def _sse_payloads(response: httpx.Response) -> list[Any]:
    events = [event for event in response.text.split("\n\n") if event]
    assert all(event.startswith("data: ") for event in events)
    return [event[len("data: ") :] if event == "data: [DONE]" else json.loads(event[6:]) for event in events]


def test_non_streamed_completion_shape(http: httpx.Client) -> None:
    body = _chat(http).json()
    assert body["object"] == "chat.completion"
    assert body["choices"][0]["message"] == {"role": "assistant", "content": "ok", "refusal": None}
    assert body["choices"][0]["finish_reason"] == "stop"
    usage = body["usage"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"] > 0


def test_stream_shape_with_usage_chunk(http: httpx.Client) -> None:
    response = _chat(http, stream=True, stream_options={"include_usage": True})
    assert response.headers["content-type"].startswith("text/event-stream")
    *chunks, done = _sse_payloads(response)
    assert done == "[DONE]"
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert chunks[-2]["choices"][0]["finish_reason"] == "stop"
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"]["total_tokens"] > 0


def test_stream_without_include_usage_sends_no_usage_chunk(http: httpx.Client) -> None:
    *chunks, _ = _sse_payloads(_chat(http, stream=True))
    assert all(chunk["choices"] for chunk in chunks)
    assert all("usage" not in chunk for chunk in chunks)


def test_streamed_tool_call_deltas(http: httpx.Client) -> None:
    *chunks, _ = _sse_payloads(_chat(http, stream=True, tools=[TOOL]))
    deltas = [chunk["choices"][0]["delta"].get("tool_calls") for chunk in chunks]
    opening, *fragments = [d[0] for d in deltas if d]
    assert opening["function"] == {"name": "search_tags", "arguments": ""}
    assert {"index", "id", "type"} <= opening.keys()
    assert all(set(f) == {"index", "function"} for f in fragments)
    arguments = json.loads("".join(f["function"]["arguments"] for f in fragments))
    assert isinstance(arguments["query"], str)
    assert chunks[-1]["choices"][0]["finish_reason"] == "tool_calls"


def test_tool_message_turns_into_text_answer(http: httpx.Client) -> None:
    messages = [
        {"role": "user", "content": "hi"},
        {
            "role": "assistant",
            "tool_calls": [
                {"id": "c1", "type": "function", "function": TOOL["function"] | {"arguments": "{}"}}
            ],
        },
        {"role": "tool", "tool_call_id": "c1", "content": "结果"},
    ]
    body = http.post(
        "/v1/chat/completions", json={"model": "m", "messages": messages, "tools": [TOOL]}
    ).json()
    assert body["choices"][0]["message"]["content"] == "ok"


def test_injected_error_has_openai_body_and_retry_header(fake_llm: FakeOpenAI, http: httpx.Client) -> None:
    fake_llm.fail("chat", status=429, retry_after_ms=250)
    response = _chat(http)
    assert response.status_code == 429
    assert response.headers["retry-after-ms"] == "250"
    assert response.json()["error"]["type"] == "rate_limit_error"
    assert _chat(http).status_code == 200


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"model": "m", "messages": []}, "messages"),
        (
            {
                "model": "m",
                "messages": [{"role": "user", "content": "x"}],
                "tool_choice": {"type": "function", "function": {"name": "nope"}},
            },
            "not in 'tools'",
        ),
        ({"messages": [{"role": "user", "content": "x"}]}, "model"),
    ],
)
def test_invalid_chat_requests_get_400(http: httpx.Client, body: dict[str, Any], problem: str) -> None:
    response = http.post("/v1/chat/completions", json=body)
    assert response.status_code == 400
    assert problem in response.json()["error"]["message"]


def test_embeddings_float_and_base64_agree(http: httpx.Client) -> None:
    texts = ["示例银行", "大额存单"]
    floats = http.post("/v1/embeddings", json={"model": "e", "input": texts, "dimensions": 16}).json()
    packed = http.post(
        "/v1/embeddings", json={"model": "e", "input": texts, "dimensions": 16, "encoding_format": "base64"}
    ).json()
    for plain, encoded in zip(floats["data"], packed["data"], strict=True):
        decoded = struct.unpack("<16f", base64.b64decode(encoded["embedding"]))
        assert decoded == pytest.approx(plain["embedding"], abs=1e-6)
    assert floats["data"][0]["embedding"] != floats["data"][1]["embedding"]
    assert floats["usage"]["prompt_tokens"] > 0
    tokens = http.post("/v1/embeddings", json={"model": "e", "input": [[1, 2, 3]]}).json()
    assert len(tokens["data"][0]["embedding"]) == 64
    assert http.post("/v1/embeddings", json={"model": "e", "input": [{"x": 1}]}).status_code == 400


def test_models_endpoint(http: httpx.Client) -> None:
    ids = [model["id"] for model in http.get("/v1/models").json()["data"]]
    assert "fake-chat" in ids


def test_admin_endpoints_mirror_python_api(fake_llm: FakeOpenAI, http: httpx.Client) -> None:
    assert http.post("/_fake/script", json={"key": "chat", "text": "管理接口"}).json()["replies"] == {
        "chat": 1
    }
    assert http.post("/_fake/fail", json={"key": "chat", "status": 500}).status_code == 200
    assert http.post("/_fake/malformed", json={"key": "Plan"}).status_code == 200
    assert http.post("/_fake/delay", json={"key": "Plan", "seconds": 0.01}).json()["faults"] == {
        "chat": 1,
        "Plan": 2,
    }
    assert _chat(http).status_code == 500
    assert _chat(http).json()["choices"][0]["message"]["content"] == "管理接口"
    logged = http.get("/_fake/requests").json()
    assert [(r["key"], r["fault"], r["reply_key"]) for r in logged] == [
        ("chat", "fail 500", None),
        ("chat", None, "chat"),
    ]
    assert http.post("/_fake/reset").json() == {"replies": {}, "faults": {}}
    assert http.get("/_fake/requests").json() == [] and fake_llm.requests == []


def test_admin_rejects_bad_bodies(http: httpx.Client) -> None:
    assert http.post("/_fake/script", json={"key": "chat"}).status_code == 422  # no payload
    assert http.post("/_fake/script", json={"key": "chat", "text": "a", "json": {}}).status_code == 422
    assert http.post("/_fake/fail", json={"key": "chat", "status": 200}).status_code == 422


def test_load_script_file_queues_replies_and_faults(
    fake_llm: FakeOpenAI, http: httpx.Client, tmp_path: Path
) -> None:
    script = tmp_path / "script.json"
    script.write_text(
        json.dumps(
            {
                "replies": {"chat": [{"text": "来自文件"}]},
                "faults": {"chat": [{"kind": "fail", "status": 429}]},
            }
        )
    )
    fake_llm.load_script(script)
    assert _chat(http).status_code == 429
    assert _chat(http).json()["choices"][0]["message"]["content"] == "来自文件"


@pytest.mark.slow  # starts a Python process (imports FastAPI and uvicorn: a few seconds)
def test_stand_alone_process_serves_script_and_admin(tmp_path: Path) -> None:
    script = tmp_path / "script.json"
    script.write_text(json.dumps({"replies": {"Plan": [{"json": {"title": "子进程"}}]}}), encoding="utf-8")
    request = {
        "model": "m",
        "messages": [{"role": "user", "content": "x"}],
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "Plan", "schema": {"type": "object"}},
        },
    }
    with fake_server_process(script) as base_url, httpx.Client(base_url=base_url) as client:
        assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/v1")
        content = client.post("/chat/completions", json=request).json()["choices"][0]["message"]["content"]
        assert json.loads(content) == {"title": "子进程"}
        root = base_url.removesuffix("/v1")
        assert (
            client.post(f"{root}/_fake/script", json={"key": "chat", "text": "远程脚本"}).status_code == 200
        )
        chat = client.post(
            "/chat/completions", json={"model": "m", "messages": [{"role": "user", "content": "x"}]}
        )
        assert chat.json()["choices"][0]["message"]["content"] == "远程脚本"
        assert [r["key"] for r in client.get(f"{root}/_fake/requests").json()] == ["Plan", "chat"]
