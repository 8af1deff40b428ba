"""Audience agent: the plan's audience description → a validated audience expression → a counted selection.

The expression comes from the offline parser or, with a model, from a structured answer over the tag
catalog; the store then applies every policy exclusion itself (opt-outs, do-not-call, students/minors and
overdue customers for credit, suitability), whatever the expression says.
"""

from __future__ import annotations

import json
from typing import Any

from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, Field

from agents.audience_parse import parse_audience
from agents.plan import CampaignPlan
from core.clock import now
from core.db import session_scope
from core.domain import GenerationMode
from core.llm import LLMUnavailable, invoke_structured
from core.settings import get_settings
from prompts.loader import render
from tools.campaign_api.contacts import do_not_call_ids
from tools.products import default_catalog
from tools.tag_store.catalog import TagCatalog
from tools.tag_store.errors import ExpressionError
from tools.tag_store.exclusions import ExtraExclusions
from tools.tag_store.expression import validate_expression
from tools.tag_store.store import TagStore


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
    product_type: str
    product_risk_level: str | None
    channels: list[str]


def select_audience(plan: CampaignPlan, *, campaign_id: str, run_id: str) -> AudienceSelection:
    settings = get_settings()
    catalog = TagCatalog.default()
    channels: list[str] = list(plan.channels)
    raw, understood, mode, notes = _expression(plan, catalog, channels, run_id=run_id)
    expression = validate_expression(raw, catalog)
    product = default_catalog().get(plan.product_ids[0])
    with session_scope() as session:
        dnc = frozenset(do_not_call_ids(session, now()))
    result = TagStore(settings.tag_store_path, catalog).select(
        expression, product_type=product.type, channels=channels, extra_excluded=ExtraExclusions(do_not_call=dnc),
        sample_size=10, product_risk_level=product.risk_level,
    )  # fmt: skip
    return AudienceSelection(
        expression=result.expression, size=result.size, matched=result.matched,
        exclusions=[e.model_dump() for e in result.exclusions], sample_ids=result.sample_ids, sql=result.sql,
        mode=mode, understood=understood, notes=notes, product_type=product.type,
        product_risk_level=product.risk_level, channels=channels,
    )  # fmt: skip


def _expression(
    plan: CampaignPlan, catalog: TagCatalog, channels: list[str], *, run_id: str
) -> tuple[dict[str, Any], list[str], GenerationMode, list[str]]:
    if get_settings().offline:
        parsed = parse_audience(plan.audience_description, catalog, channels=channels)
        return parsed.expression, parsed.understood, "offline", []
    try:
        answer = _ask_model(plan, catalog, run_id=run_id)
        raw = json.loads(answer.expression_json)
        validate_expression(raw, catalog)
        return raw, answer.assumptions, "llm", []
    except (LLMUnavailable, ValueError, ExpressionError) as exc:
        parsed = parse_audience(plan.audience_description, catalog, channels=channels)
        note = f"受众：大模型结果不可用，已降级为离线解析（{type(exc).__name__}: {str(exc)[:160]}）"
        return parsed.expression, parsed.understood, "offline_fallback", [note]


def _ask_model(plan: CampaignPlan, catalog: TagCatalog, *, run_id: str) -> AudienceAnswer:
    tags = [catalog.describe(tag.code) for tag in catalog.tags if not tag.is_sensitive]
    messages = [
        SystemMessage(render("audience/system.j2")),
        HumanMessage(render("audience/request.j2", tags=tags, presets=catalog.presets,
                            description=plan.audience_description)),
    ]  # fmt: skip
    return invoke_structured("audience", AudienceAnswer, messages, run_id=run_id)
