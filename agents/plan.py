"""Planner agent: brief → CampaignPlan (objective, products, audience, channels, waves, KPIs, assumptions).

Offline it reads the brief with rules over the product catalog and a small vocabulary; with a model it asks for
the same schema. Either way anything the brief leaves open becomes a stated assumption, never a silent guess.
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Literal, TypeVar

from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, Field

from core.clock import now
from core.llm import LLMUnavailable, invoke_structured
from core.settings import get_settings
from prompts.loader import render
from tools.products import ProductCatalog, default_catalog

T = TypeVar("T")
Objective = Literal["acquisition", "activation", "cross_sell", "retention", "reactivation", "education"]
DeliverableChannel = Literal["sms", "push", "wechat", "wecom", "h5", "call_script"]

OBJECTIVE_WORDS: dict[str, Objective] = {
    "促活": "activation", "激活": "activation", "用信": "activation", "动户": "activation", "提额": "activation",
    "拉新": "acquisition", "获客": "acquisition", "新客": "acquisition", "开户": "acquisition",
    "交叉": "cross_sell", "推荐": "cross_sell", "配置": "cross_sell",
    "挽留": "retention", "防流失": "retention", "续作": "retention", "到期": "retention",
    "唤醒": "reactivation", "沉睡": "reactivation", "召回": "reactivation",
    "投教": "education", "宣教": "education", "知识": "education",
}  # fmt: skip
CHANNEL_WORDS: dict[str, DeliverableChannel] = {
    "短信": "sms", "sms": "sms", "外呼": "call_script", "电话": "call_script", "电销": "call_script",
    "推送": "push", "push": "push", "app": "push", "公众号": "wechat", "推文": "wechat",
    "企业微信": "wecom", "企微": "wecom", "h5": "h5", "落地页": "h5", "活动页": "h5",
}  # fmt: skip
KPIS: dict[Objective, list[str]] = {
    "acquisition": ["新增申请户数", "申请转化率"],
    "activation": ["用信/动户客户数", "触达后7日转化率"],
    "cross_sell": ["新购产品客户数", "交叉购买率"],
    "retention": ["到期资金留存率", "流失率"],
    "reactivation": ["唤醒客户数", "30日活跃率"],
    "education": ["阅读/收听完成率", "投诉率不上升"],
}

MAX_VARIANTS = 3
# How a brief asks for A/B testing. Three versions are named explicitly; A/B, two versions, or an unnumbered
# 多版本 mean two (the smallest test that compares anything).
_THREE_VARIANTS = re.compile(r"(?:三|3)\s*个?\s*版|(?<![a-z])a\s*/?\s*b\s*/?\s*c(?![a-z])")
_TWO_VARIANTS = re.compile(r"(?:两|二|2|双)\s*个?\s*版|(?<![a-z])a\s*/?\s*b(?![a-z])")
_UNNUMBERED_VARIANTS = re.compile(r"多\s*个?\s*版本|多版")


class Wave(BaseModel):
    """One 波段 of the campaign: when it runs and on which channels."""

    name: str
    starts_on: date
    ends_on: date
    channels: list[DeliverableChannel]


class CampaignPlan(BaseModel):
    """The planner's decision about what this campaign is."""

    objective: Objective = Field(description="What the campaign must achieve.")
    product_ids: list[str] = Field(
        min_length=1, description="Product codes from the catalog, most relevant first."
    )
    audience_description: str = Field(description="Who to reach, in the marketer's words (Chinese).")
    channels: list[DeliverableChannel] = Field(
        min_length=1, description="Deliverable channels, no duplicates."
    )
    waves: list[Wave] = Field(min_length=1)
    kpis: list[str]
    constraints: list[str] = Field(description="Policy and risk constraints the campaign must honour.")
    assumptions: list[str] = Field(description="Everything inferred rather than stated by the marketer.")
    variant_count: int = Field(
        default=1, ge=1, le=MAX_VARIANTS,
        description="Copy variants per text channel for A/B testing: 1 unless the brief asks for A/B or versions.",
    )  # fmt: skip


class ClarificationNeeded(BaseModel):
    """Returned instead of a plan when the brief does not say what to market."""

    question: str
    missing: list[Literal["product", "objective"]]


def plan_campaign(brief: str, *, run_id: str) -> tuple[CampaignPlan | ClarificationNeeded, str, list[str]]:
    """Plan from the brief; returns (plan or clarification, generation mode, reviewer notes)."""
    catalog = default_catalog()
    if get_settings().offline:
        return plan_offline(brief, catalog), "offline", []
    try:
        return _plan_with_llm(brief, catalog, run_id=run_id), "llm", []
    except LLMUnavailable as exc:
        note = f"规划：大模型不可用，已降级为离线规则（{exc}）"
        return plan_offline(brief, catalog), "offline_fallback", [note]


def plan_offline(brief: str, catalog: ProductCatalog) -> CampaignPlan | ClarificationNeeded:
    """Deterministic planning from words in the brief."""
    products = catalog.match(brief)
    if not products:
        names = "、".join(p.name for p in catalog.all()[:6])
        return ClarificationNeeded(
            question=f"请问本次活动推广哪款产品？可选：{names}等。", missing=["product"]
        )
    assumptions: list[str] = []
    lowered = brief.lower()
    objective = next((o for word, o in OBJECTIVE_WORDS.items() if word in brief), None)
    if objective is None:
        objective = "activation"
        assumptions.append("简报未写明营销目标，按“促活/转化”规划")
    channels = _ordered_unique(ch for word, ch in CHANNEL_WORDS.items() if word in lowered)
    if not channels:
        channels = ["sms"]
        assumptions.append("简报未写明渠道，默认使用短信")
    starts_on, ends_on, schedule_note = _schedule(brief, now().astimezone(get_settings().tz).date())
    if schedule_note:
        assumptions.append(schedule_note)
    if len(products) > 1:
        assumptions.append(f"简报匹配到多款产品，以“{products[0].name}”为主推产品")
    variant_count, variant_note = requested_variants(brief)
    if variant_note:
        assumptions.append(variant_note)
    return CampaignPlan(
        objective=objective,
        product_ids=[p.id for p in products[:3]],
        audience_description=brief,
        channels=channels,
        waves=[Wave(name="第一波", starts_on=starts_on, ends_on=ends_on, channels=channels)],
        kpis=KPIS[objective],
        constraints=_constraints(products[0].type),
        assumptions=assumptions,
        variant_count=variant_count,
    )


def requested_variants(brief: str) -> tuple[int, str | None]:
    """How many copy variants the brief asks for (1 = no A/B test), with an assumption when it names no number."""
    lowered = brief.lower()
    if _THREE_VARIANTS.search(lowered):
        return 3, None
    if _TWO_VARIANTS.search(lowered):
        return 2, None
    if _UNNUMBERED_VARIANTS.search(lowered):
        return 2, "简报要求多版本但未写明数量，按A/B两个版本准备"
    return 1, None


def _plan_with_llm(brief: str, catalog: ProductCatalog, *, run_id: str) -> CampaignPlan | ClarificationNeeded:
    today = now().astimezone(get_settings().tz).date()
    messages = [
        SystemMessage(
            render("plan/system.j2", bank_name=get_settings().bank_short_name, today=today.isoformat())
        ),
        HumanMessage(render("plan/brief.j2", brief=brief, products=catalog.all())),
    ]
    plan = invoke_structured("planner", CampaignPlan, messages, run_id=run_id)
    unknown = [pid for pid in plan.product_ids if pid not in {p.id for p in catalog.all()}]
    if unknown:
        raise LLMUnavailable(f"plan names products not in the catalog: {unknown}")
    primary = catalog.get(plan.product_ids[0])
    # Policy constraints are the bank's, not the model's: always state them whatever the model wrote.
    constraints = _ordered_unique([*plan.constraints, *_constraints(primary.type)])
    # An explicit A/B request in the brief is honoured even when the model left the count at its default.
    variants = max(plan.variant_count, requested_variants(brief)[0])
    return plan.model_copy(
        update={
            "channels": _ordered_unique(plan.channels),
            "constraints": constraints,
            "variant_count": variants,
        }
    )


def _constraints(product_type: str) -> list[str]:
    settings = get_settings()
    rules = [
        "仅向有营销授权、未退订的客户发送营销信息",
        f"外呼仅在{settings.calling_hours}进行，拒绝即列入免打扰名单{settings.dnc_days}天",
        "所有内容须经人工审核后发布",
    ]
    if product_type in {"consumer_loan", "business_loan", "credit_card"}:
        rules.insert(0, "信贷产品不得面向学生、未成年人及逾期客户营销，须明示年化利率")
    if product_type in {"wealth", "fund", "insurance", "structured_deposit"}:
        rules.insert(0, "投资类产品须匹配客户风险承受能力，并充分揭示风险")
    return rules


def _schedule(brief: str, today: date) -> tuple[date, date, str | None]:
    if "下月" in brief or "下个月" in brief:
        first = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
        return first, first.replace(day=monthrange(first.year, first.month)[1]), None
    if "本月" in brief or "这个月" in brief:
        return today, today.replace(day=monthrange(today.year, today.month)[1]), None
    if "下周" in brief:
        monday = today + timedelta(days=7 - today.weekday())
        return monday, monday + timedelta(days=6), None
    month = re.search(r"(\d{1,2})月", brief)
    if month and 1 <= int(month.group(1)) <= 12:
        m = int(month.group(1))
        year = today.year + (1 if m < today.month else 0)
        return date(year, m, 1), date(year, m, monthrange(year, m)[1]), None
    start = today + timedelta(days=1)
    return start, start + timedelta(days=13), "简报未写明时间，默认明日起两周"


def _ordered_unique(items: Iterable[T]) -> list[T]:
    seen: list[T] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen
