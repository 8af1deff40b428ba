"""The fake OpenAI server, exercised through the real ``langchain_openai.ChatOpenAI`` and the openai SDK."""

from __future__ import annotations

from typing import Any, Literal, cast

import openai
import pytest
from langchain_core.messages import AIMessageChunk, HumanMessage, ToolMessage
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI, OpenAIEmbeddings
from pydantic import BaseModel, Field, SecretStr, ValidationError

from tests.fakes.openai_server import FAKE_API_KEY, FakeOpenAI, LoopbackFake


class Wave(BaseModel):
    """One send wave of a campaign."""

    channel: Literal["sms", "push", "wechat"]
    day_offset: int = Field(ge=0, le=30)
    share: float = Field(gt=0, le=1)


class CampaignPlan(BaseModel):
    """A small stand-in for the planner's output schema."""

    objective: str = Field(min_length=4, max_length=40)
    product_code: str = Field(pattern=r"^CL-\d{4}$")
    waves: list[Wave] = Field(min_length=2)
    kpi_target: int | None = Field(default=None, ge=100)
    assumptions: list[str]


@tool
def search_tags(query: str, limit: int = 5) -> str:
    """Search the tag catalog."""
    return f"{limit} tags for {query}"


@tool
def count_audience(expression: str) -> int:
    """Count customers matching an audience expression."""
    return len(expression)


def _joined(chunks: list[Any]) -> AIMessageChunk:
    total: AIMessageChunk = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    return total


StructuredMethod = Literal["json_schema", "function_calling"]


def _dot(left: list[float], right: list[float]) -> float:
    return sum(a * b for a, b in zip(left, right, strict=True))


def test_invoke_returns_default_text_with_usage(fake_llm: FakeOpenAI) -> None:
    reply = fake_llm.chat_model().invoke("你好")
    assert reply.content == "ok"
    assert reply.usage_metadata is not None and reply.usage_metadata["input_tokens"] > 0
    [record] = fake_llm.requests
    assert (record.path, record.key, record.reply_key) == ("/v1/chat/completions", "chat", None)
    assert record.body["messages"] == [{"role": "user", "content": "你好"}]
    assert record.headers["authorization"] == f"Bearer {FAKE_API_KEY}"


def test_scripted_replies_are_consumed_fifo_then_generated(fake_llm: FakeOpenAI) -> None:
    fake_llm.script("chat", text="第一条")
    fake_llm.script("chat", text="第二条")
    llm = fake_llm.chat_model()
    assert [llm.invoke("x").content for _ in range(3)] == ["第一条", "第二条", "ok"]
    assert [r.reply_key for r in fake_llm.requests] == ["chat", "chat", None]


def test_wildcard_script_answers_any_key_until_reset(fake_llm: FakeOpenAI) -> None:
    wave = {"channel": "sms", "day_offset": 1, "share": 0.5}
    fake_llm.script("*", json=wave, times=None)
    fake_llm.script("chat", text="具体键优先")
    llm = fake_llm.chat_model()
    assert llm.invoke("a").content == "具体键优先"
    assert llm.with_structured_output(Wave).invoke("b") == Wave.model_validate(wave)
    assert llm.with_structured_output(Wave, method="function_calling").invoke("c") == Wave.model_validate(
        wave
    )
    assert [r.reply_key for r in fake_llm.requests] == ["chat", "*", "*"]
    fake_llm.reset()
    assert llm.invoke("d").content == "ok"
    assert len(fake_llm.requests) == 1


def test_stream_with_usage(fake_llm: FakeOpenAI) -> None:
    text = "示例银行消费贷限时活动，详询客服。" * 3
    fake_llm.script("chat", text=text)
    chunks = list(fake_llm.chat_model(stream_usage=True).stream("写短信"))
    assert len(chunks) > 3  # really streamed in pieces
    total = _joined(chunks)
    assert total.content == text
    assert total.usage_metadata is not None and total.usage_metadata["output_tokens"] > 0
    assert fake_llm.requests[0].body["stream_options"] == {"include_usage": True}


async def test_async_stream_without_usage(fake_llm: FakeOpenAI) -> None:
    chunks = [chunk async for chunk in fake_llm.chat_model().astream("hi")]
    assert _joined(chunks).content == "ok"
    assert _joined(chunks).usage_metadata is None  # custom base_url: no stream_options sent


def test_bind_tools_round_trip(fake_llm: FakeOpenAI) -> None:
    llm = fake_llm.chat_model().bind_tools([search_tags, count_audience])
    first = llm.invoke("找标签")
    [call] = first.tool_calls
    assert call["name"] == "search_tags"  # unforced: the first tool
    cast(type[BaseModel], search_tags.args_schema).model_validate(
        call["args"]
    )  # generated args fit the tool schema
    answer = llm.invoke([HumanMessage("找标签"), first, ToolMessage("3 tags", tool_call_id=call["id"])])
    assert answer.content == "ok" and not answer.tool_calls


def test_forced_tool_choice_and_scripted_args(fake_llm: FakeOpenAI) -> None:
    fake_llm.script("count_audience", tool_args={"expression": "age < 30"})
    llm = fake_llm.chat_model().bind_tools([search_tags, count_audience], tool_choice="count_audience")
    [call] = llm.invoke("数一数").tool_calls
    assert call == {**call, "name": "count_audience", "args": {"expression": "age < 30"}}
    record = fake_llm.requests[0]
    assert record.key == "count_audience"
    assert record.body["tool_choice"] == {"type": "function", "function": {"name": "count_audience"}}


def test_unforced_tools_scripted_by_tool_name_and_explicit_calls(fake_llm: FakeOpenAI) -> None:
    fake_llm.script("count_audience", tool_args={"expression": "vip"})
    fake_llm.script(
        "chat", tool_calls=[("search_tags", {"query": "学生"}), ("count_audience", {"expression": "a"})]
    )
    llm = fake_llm.chat_model().bind_tools([search_tags, count_audience])
    assert [c["name"] for c in llm.invoke("1").tool_calls] == ["search_tags", "count_audience"]
    assert llm.invoke("2").tool_calls[0]["args"] == {"expression": "vip"}


def test_streamed_tool_call_deltas_assemble(fake_llm: FakeOpenAI) -> None:
    fake_llm.script("search_tags", tool_args={"query": "授信未借款的年轻客户", "limit": 20})
    llm = fake_llm.chat_model().bind_tools([search_tags])
    total = _joined(list(llm.stream("找")))
    assert total.tool_calls[0]["args"] == {"query": "授信未借款的年轻客户", "limit": 20}


@pytest.mark.parametrize("method", ["json_schema", "function_calling"])
def test_structured_output_generated_from_schema(fake_llm: FakeOpenAI, method: StructuredMethod) -> None:
    plan = fake_llm.chat_model().with_structured_output(CampaignPlan, method=method).invoke("做个计划")
    assert isinstance(plan, CampaignPlan)
    assert len(plan.waves) >= 2 and plan.product_code.startswith("CL-")
    assert fake_llm.requests[0].key == "CampaignPlan"


@pytest.mark.parametrize("method", ["json_schema", "function_calling"])
def test_structured_output_scripted(fake_llm: FakeOpenAI, method: StructuredMethod) -> None:
    scripted = {
        "objective": "消费贷促活",
        "product_code": "CL-0001",
        "waves": [
            {"channel": "sms", "day_offset": 0, "share": 0.5},
            {"channel": "push", "day_offset": 3, "share": 0.5},
        ],
        "kpi_target": 1000,
        "assumptions": ["按月结算"],
    }
    fake_llm.script("CampaignPlan", json=scripted)
    plan = fake_llm.chat_model().with_structured_output(CampaignPlan, method=method).invoke("做个计划")
    assert plan == CampaignPlan.model_validate(scripted)
    body = fake_llm.requests[0].body
    assert ("response_format" in body) == (method == "json_schema")


async def test_async_structured_output(fake_llm: FakeOpenAI) -> None:
    plan = await fake_llm.chat_model().with_structured_output(CampaignPlan).ainvoke("做个计划")
    assert isinstance(plan, CampaignPlan)


def test_rate_limit_once_is_retried_by_sdk(fake_llm: FakeOpenAI) -> None:
    fake_llm.fail("chat", status=429)
    assert fake_llm.chat_model(max_retries=1).invoke("x").content == "ok"
    first, second = fake_llm.requests
    assert (first.fault, second.fault) == ("fail 429", None)
    assert second.headers["x-stainless-retry-count"] == "1"


def test_server_error_forever_raises_internal_server_error(fake_llm: FakeOpenAI) -> None:
    fake_llm.fail("chat", status=500, times=None)
    with pytest.raises(openai.InternalServerError, match="injected 500"):
        fake_llm.chat_model(max_retries=1).invoke("x")
    assert [r.fault for r in fake_llm.requests] == ["fail 500", "fail 500"]


def test_malformed_json_fails_structured_parsing(fake_llm: FakeOpenAI) -> None:
    fake_llm.malformed("CampaignPlan")
    with pytest.raises(ValidationError, match="Invalid JSON"):
        fake_llm.chat_model().with_structured_output(CampaignPlan).invoke("x")


def test_malformed_tool_arguments_land_in_invalid_tool_calls(fake_llm: FakeOpenAI) -> None:
    # LangChain's function-calling parser returns None for unparsable arguments rather than raising.
    fake_llm.malformed("CampaignPlan")
    llm = fake_llm.chat_model().with_structured_output(
        CampaignPlan, method="function_calling", include_raw=True
    )
    result = llm.invoke("x")
    assert result["parsed"] is None
    assert result["raw"].invalid_tool_calls[0]["name"] == "CampaignPlan"


def test_delay_beyond_timeout_raises_and_keeps_the_script(fake_llm: FakeOpenAI) -> None:
    fake_llm.delay("chat", 30)
    fake_llm.script("chat", text="迟到的回答")
    llm = fake_llm.chat_model(timeout=0.2)
    with pytest.raises(openai.APITimeoutError):
        llm.invoke("x")
    assert llm.invoke("x").content == "迟到的回答"  # the abandoned request consumed no reply


async def test_async_delay_beyond_timeout_raises(fake_llm: FakeOpenAI) -> None:
    fake_llm.delay("chat", 30)
    with pytest.raises(openai.APITimeoutError):
        await fake_llm.chat_model(timeout=0.2).ainvoke("x")


def test_script_that_cannot_apply_is_a_clear_bad_request(fake_llm: FakeOpenAI) -> None:
    fake_llm.script("chat", tool_args={"query": "x"})
    with pytest.raises(openai.BadRequestError, match="offers no tools"):
        fake_llm.chat_model().invoke("x")


def test_embeddings_are_deterministic_and_similarity_aware(fake_llm: FakeOpenAI) -> None:
    http_client, _ = fake_llm.clients()
    embedder = OpenAIEmbeddings(
        model="fake-embedding",
        openai_api_base="http://fake/v1",
        openai_api_key=SecretStr(FAKE_API_KEY),
        http_client=http_client,
        check_embedding_ctx_length=False,
        max_retries=0,
    )
    deposit, loan = embedder.embed_documents(["存款保险最高偿付五十万元", "消费贷年化利率"])
    query = embedder.embed_query("存款保险偿付限额")
    assert query == embedder.embed_query("存款保险偿付限额")
    assert abs(sum(v * v for v in query) - 1.0) < 1e-5
    assert _dot(query, deposit) > _dot(query, loan)
    assert fake_llm.requests[0].body["encoding_format"] == "base64"


def test_loopback_mode_with_plain_chat_openai(fake_llm_url: LoopbackFake) -> None:
    llm = ChatOpenAI(
        model="fake-chat",
        base_url=fake_llm_url.base_url,
        api_key=FAKE_API_KEY,
        use_responses_api=False,
        max_retries=0,
    )
    fake_llm_url.fake.script("chat", text="经由回环端口")
    assert fake_llm_url.base_url.startswith("http://127.0.0.1:")
    assert llm.invoke("x").content == "经由回环端口"


def test_loopback_delay_times_out_over_a_real_socket(fake_llm_url: LoopbackFake) -> None:
    fake_llm_url.fake.delay("chat", 30)
    llm = ChatOpenAI(
        model="m",
        base_url=fake_llm_url.base_url,
        api_key="k",
        use_responses_api=False,
        max_retries=0,
        timeout=0.2,
    )
    with pytest.raises(openai.APITimeoutError):
        llm.invoke("x")
