"""Audience agent: a marketer's description → a validated audience expression → a counted, explained selection.

With a model, the expression comes from a bounded tool-calling conversation over the tag catalog
(``search_tags``, ``describe_tag``, ``count_audience``) that ends with ``submit_audience`` — or, when the model
answers in words, with one structured answer. Offline, or when the endpoint fails or the round budget runs out,
the deterministic parser answers and the result says ``offline_fallback`` with a note. Either way the store then
applies every policy exclusion itself (opt-outs, do-not-call, students/minors and overdue customers for credit,
suitability), whatever the expression says, and the reviewer gets a deterministic Chinese explanation.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import openai
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.runnables import Runnable
from pydantic import BaseModel, Field

from agents.audience_live import live_counter
from agents.audience_parse import parse_audience
from agents.audience_tools import AudienceToolbox, Submission, explain
from agents.plan import CampaignPlan
from core.clock import now
from core.db import session_scope
from core.domain import GenerationMode, ProductType
from core.llm import LLMUnavailable, invoke_structured, load_chat_model, record_usage
from core.masking import mask_text
from core.settings import get_settings
from prompts.loader import render
from tools.campaign_api.contacts import do_not_call_ids
from tools.products import default_catalog
from tools.tag_store.bitmap_live import LiveCount
from tools.tag_store.catalog import TagCatalog
from tools.tag_store.errors import ExpressionError
from tools.tag_store.exclusions import ExtraExclusions, RiskLevel
from tools.tag_store.expression import validate_expression
from tools.tag_store.store import TagStore

MAX_TOOL_ROUNDS = 6
SAMPLE_SIZE = 10


class AudienceAnswer(BaseModel):
    """The model's audience expression (JSON text in the audience DSL) and what it assumed."""

    expression_json: str = Field(description='Audience DSL as a JSON object, e.g. {"and": [...]}.')
    assumptions: list[str] = Field(description="How vague words were read, e.g. 年轻 → 18–35岁.")


class AudienceSelection(BaseModel):
    """What the campaign records about its audience (a frozen snapshot once approved)."""

    expression: dict[str, Any]
    size: int
    matched: int
    exclusions: list[dict[str, Any]]
    sample_ids: list[int]
    sql: str
    mode: GenerationMode
    understood: list[str]
    notes: list[str]
    product_type: str | None
    product_risk_level: str | None
    channels: list[str]
    explanation: str = Field(default="", description="Chinese explanation for the reviewer.")
    sample: list[dict[str, Any]] = Field(
        default_factory=list,
        description="A few selected customers as a reviewer may see them: masked name, city, age.",
    )


@dataclass
class Drafted:
    """An expression and where it came from."""

    expression: dict[str, Any]
    understood: list[str]
    mode: GenerationMode
    notes: list[str] = field(default_factory=list)
    model_explanation: str = ""


def select_audience(plan: CampaignPlan, *, campaign_id: str, run_id: str) -> AudienceSelection:
    """The campaign step: the plan's audience description, its first product and its channels."""
    product = default_catalog().get(plan.product_ids[0])
    return draft_audience(
        plan.audience_description, product_type=product.type, channels=list(plan.channels),
        product_risk_level=product.risk_level, run_id=run_id,
    )  # fmt: skip


def draft_audience(
    description: str,
    *,
    product_type: ProductType | None,
    channels: list[str],
    product_risk_level: RiskLevel | None = None,
    run_id: str,
) -> AudienceSelection:
    """Description → expression (model or parser) → selection with exclusions and an explanation."""
    catalog = TagCatalog.default()
    store = TagStore(get_settings().tag_store_path, catalog)
    drafted = draft_expression(description, catalog, channels, store=store, run_id=run_id)
    result = store.select(
        validate_expression(drafted.expression, catalog), product_type=product_type, channels=channels,
        extra_excluded=operational_exclusions(), sample_size=SAMPLE_SIZE, product_risk_level=product_risk_level,
    )  # fmt: skip
    explanation = explain(result.expression, result, catalog, assumptions=drafted.understood,
                          model_explanation=drafted.model_explanation)  # fmt: skip
    return AudienceSelection(
        expression=result.expression, size=result.size, matched=result.matched,
        exclusions=[e.model_dump() for e in result.exclusions], sample_ids=result.sample_ids, sql=result.sql,
        mode=drafted.mode, understood=drafted.understood, notes=drafted.notes, product_type=product_type,
        product_risk_level=product_risk_level, channels=channels, explanation=explanation,
        sample=masked_sample(store, result.sample_ids),
    )  # fmt: skip


def masked_sample(store: TagStore, ids: list[int], limit: int = 5) -> list[dict[str, Any]]:
    """The first selected customers with masked names only (the reviewer checks the shape, not the people)."""
    rows = []
    for lead_id in ids[:limit]:
        lead = store.lead(lead_id)
        if lead is not None:
            rows.append(
                {"lead_id": lead.lead_id, "name": lead.masked_name, "city": lead.city, "age": lead.age}
            )
    return rows


def operational_exclusions() -> ExtraExclusions:
    """Refusals recorded in the operational database since the tag store was last refreshed."""
    with session_scope() as session:
        return ExtraExclusions(do_not_call=frozenset(do_not_call_ids(session, now())))


def draft_expression(
    description: str, catalog: TagCatalog, channels: list[str], *, store: TagStore | None, run_id: str
) -> Drafted:
    """The expression for ``description``: the model's when it delivers, else the parser's, labelled."""
    if get_settings().offline:
        parsed = parse_audience(description, catalog, channels=channels)
        return Drafted(parsed.expression, parsed.understood, "offline")
    try:
        submission = _ask_model(
            description, catalog, channels, AudienceToolbox(catalog, store), run_id=run_id
        )
    except (LLMUnavailable, ExpressionError) as exc:
        parsed = parse_audience(description, catalog, channels=channels)
        note = f"受众：大模型结果不可用，已降级为离线解析（{type(exc).__name__}: {str(exc)[:160]}）"
        return Drafted(parsed.expression, parsed.understood, "offline_fallback", [note])
    return Drafted(submission.expression.to_json(), submission.assumptions, "llm",
                   model_explanation=submission.explanation)  # fmt: skip


def _expression(
    plan: CampaignPlan, catalog: TagCatalog, channels: list[str], *, run_id: str
) -> tuple[dict[str, Any], list[str], GenerationMode, list[str]]:
    """The agent's expression step for a plan (the audience eval suite scores exactly this)."""
    store = TagStore(get_settings().tag_store_path, catalog)
    drafted = draft_expression(plan.audience_description, catalog, channels, store=store, run_id=run_id)
    return drafted.expression, drafted.understood, drafted.mode, drafted.notes


# ---- the tool-calling conversation ------------------------------------------------------------------------


def _ask_model(
    description: str, catalog: TagCatalog, channels: list[str], toolbox: AudienceToolbox, *, run_id: str
) -> Submission:
    """Up to ``MAX_TOOL_ROUNDS`` model turns; tool results and rejected submissions go back as ToolMessages."""
    model = load_chat_model("audience")
    if model is None:
        raise LLMUnavailable("offline mode: no LLM endpoint configured")
    tools = {tool.name: tool for tool in toolbox.langchain_tools()}
    bound = model.bind_tools(list(tools.values()))
    messages: list[BaseMessage] = _opening(description, catalog, channels)
    for _ in range(MAX_TOOL_ROUNDS):
        reply = _invoke(bound, messages, model.model_name, run_id=run_id)
        messages.append(reply)
        if not reply.tool_calls and not reply.invalid_tool_calls:
            return _structured_answer(messages, toolbox, run_id=run_id)  # it answered in words
        for broken in reply.invalid_tool_calls:
            messages.append(ToolMessage(f"工具参数不是合法 JSON：{broken.get('error') or ''}",
                                        tool_call_id=broken.get("id") or "", status="error"))  # fmt: skip
        for call in reply.tool_calls:
            if call["name"] == "submit_audience":
                verdict = toolbox.review(call["args"])
                if isinstance(verdict, Submission):
                    return verdict
                messages.append(ToolMessage(verdict, tool_call_id=call["id"] or "", status="error"))
            elif call["name"] in tools:
                messages.append(tools[call["name"]].invoke(call))
            else:
                messages.append(
                    ToolMessage(f"没有名为 {call['name']} 的工具。", tool_call_id=call["id"] or "")
                )
    raise LLMUnavailable(f"no accepted submit_audience within {MAX_TOOL_ROUNDS} model turns")


def _opening(description: str, catalog: TagCatalog, channels: list[str]) -> list[BaseMessage]:
    tags = [f"{tag.code}（{tag.name}，{tag.type}）" for tag in catalog.tags if not tag.is_sensitive]
    request = render("audience/request.j2", tags=tags, presets=catalog.presets, channels=channels,
                     description=description)  # fmt: skip
    return [SystemMessage(render("audience/system.j2")), HumanMessage(request)]


def _invoke(
    bound: Runnable[Sequence[BaseMessage], BaseMessage],
    messages: list[BaseMessage],
    model: str,
    *,
    run_id: str,
) -> AIMessage:
    """One model turn over masked messages, with its token usage recorded for the run."""
    masked = [_masked(message) for message in messages]
    try:
        reply = bound.invoke(masked)
    except openai.APIError as exc:
        record_usage(run_id, "audience", model, masked, None, outcome=f"error:{type(exc).__name__}")
        raise LLMUnavailable(f"{type(exc).__name__}: {exc}") from exc
    record_usage(run_id, "audience", model, masked, reply, outcome="ok")
    if not isinstance(reply, AIMessage):
        raise LLMUnavailable(f"the model answered with {type(reply).__name__}, not an assistant message")
    return reply


def _masked(message: BaseMessage) -> BaseMessage:
    # Whatever a description carried, the model never sees a full phone, ID or card number.
    if isinstance(message.content, str):
        return message.model_copy(update={"content": mask_text(message.content)})
    return message


def _structured_answer(messages: list[BaseMessage], toolbox: AudienceToolbox, *, run_id: str) -> Submission:
    """The model stopped calling tools: ask once for the final expression as a structured answer."""
    closing = HumanMessage("请给出最终的受众表达式（expression_json）和理解假设（assumptions）。")
    answer = invoke_structured("audience", AudienceAnswer, [*messages, closing], run_id=run_id)
    expression = toolbox.parse(answer.expression_json)  # ExpressionError → the caller's offline fallback
    return Submission(expression, None, answer.assumptions, "")


def expression_from_json(text: str, catalog: TagCatalog) -> dict[str, Any]:
    """``--dsl`` / API text → validated expression JSON; ``ExpressionError`` names the bad node or JSON problem."""
    return AudienceToolbox(catalog, None).parse(text).to_json()


class AudienceEstimate(BaseModel):
    """A live count: the audience size after exclusions, what each exclusion removed, and how it was counted."""

    size: int
    matched: int
    excluded: dict[str, int] = Field(
        description="Exclusion code → customers it removed (every applied step)."
    )
    engine: str = Field(description="What counted the exclusions: duckdb (the store of record).")
    elapsed_ms: float
    live: LiveCount = Field(
        description="The live match count (before exclusions) from the bitmap index or DuckDB."
    )


def estimate_audience(
    expression: dict[str, Any],
    *,
    product_type: ProductType | None,
    channels: list[str],
    product_risk_level: RiskLevel | None = None,
) -> AudienceEstimate:
    """Count ``expression`` with every policy exclusion applied (``ExpressionError`` / ``SelectionError`` on bad input)."""
    catalog = TagCatalog.default()
    validated = validate_expression(expression, catalog)
    started = time.perf_counter()
    result = TagStore(get_settings().tag_store_path, catalog).select(
        validated, product_type=product_type, channels=channels, extra_excluded=operational_exclusions(),
        sample_size=0, product_risk_level=product_risk_level,
    )  # fmt: skip
    elapsed = round((time.perf_counter() - started) * 1000, 2)
    excluded = {step.code: step.count for step in result.exclusions}
    live = live_counter(get_settings().tag_store_path).count(validated)
    return AudienceEstimate(size=result.size, matched=result.matched, excluded=excluded, engine="duckdb",
                            elapsed_ms=elapsed, live=live)  # fmt: skip
