"""Content agent: one draft per channel deliverable, grounded on the product sheet.

Offline it fills a Jinja2 copy template per channel with product-sheet facts only; with a model it asks for the
channel's schema with the same facts in the prompt. Both carry an AI-generated label in the draft metadata.
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, Field

from agents.drafts import DraftState
from agents.plan import CampaignPlan
from core.domain import Product
from core.llm import LLMUnavailable, invoke_structured
from core.settings import get_settings
from prompts.loader import render
from tools.policy_kb.index import KnowledgeBase
from tools.policy_kb.models import Passage
from tools.products import default_catalog

AI_LABEL = {"ai_generated": True, "label": "本内容由AI辅助生成，经人工审核后发布"}


class SmsCopy(BaseModel):
    """An SMS body including 【signature】 at the start and the opt-out wording at the end."""

    text: str = Field(description="Full SMS text, ≤ 70 characters preferred, at most 134.")


class PushCopy(BaseModel):
    title: str = Field(description="Push title, at most 20 Chinese characters.")
    text: str = Field(description="Push body, at most 50 Chinese characters.")


class WechatCopy(BaseModel):
    title: str = Field(description="公众号 article title, at most 32 characters.")
    digest: str = Field(description="Digest shown in the feed, at most 128 characters.")
    body: str = Field(description="Article body in Markdown.")


class WecomCopy(BaseModel):
    text: str = Field(description="企业微信 message a relationship manager sends to a customer.")


CHANNEL_SCHEMAS: dict[str, type[BaseModel]] = {
    "sms": SmsCopy,
    "push": PushCopy,
    "wechat": WechatCopy,
    "wecom": WecomCopy,
}


def write_content(plan: CampaignPlan, channel: str, *, run_id: str, comment: str | None = None) -> DraftState:
    """Draft the channel's copy for the plan's primary product (a reviewer comment steers a rewrite)."""
    if channel not in CHANNEL_SCHEMAS:
        raise ValueError(f"no content writer for channel {channel!r}")
    product = default_catalog().get(plan.product_ids[0])
    if get_settings().offline:
        return _draft(channel, write_offline(plan, channel, product), "offline", [])
    try:
        copy = _write_with_llm(plan, channel, product, run_id=run_id, comment=comment)
        return _draft(channel, copy, "llm", [])
    except LLMUnavailable as exc:
        note = f"{channel}：大模型不可用，已降级为离线模板（{exc}）"
        return _draft(channel, write_offline(plan, channel, product), "offline_fallback", [note])


def write_offline(plan: CampaignPlan, channel: str, product: Product) -> dict[str, Any]:
    """Fill the channel's offline copy template; every fact comes from the product sheet or settings."""
    settings = get_settings()
    fields = CHANNEL_SCHEMAS[channel].model_fields
    rendered = {
        name: render(
            f"offline/{channel}.j2",
            field=name,
            product=product,
            objective=plan.objective,
            signature=settings.sms_signature,
            bank=settings.bank_short_name,
            hotline=settings.bank_hotline,
            key_disclosures=key_disclosures(product),
            short_name=short_product_name(product, settings.bank_short_name),
        )
        for name in fields
    }
    return CHANNEL_SCHEMAS[channel].model_validate(rendered).model_dump()


# The sentence(s) short channels must still carry per product type (理财 risk wording, structured-deposit
# wording, distributor identity); long-form channels carry every disclosure on the sheet.
KEY_DISCLOSURE_WORDS: dict[str, tuple[str, ...]] = {
    "wealth": ("理财非存款",),
    "structured_deposit": ("不同于一般性存款",),
    "fund": ("基金有风险", "代理销售"),
    "insurance": ("代理销售", "不是存款"),
}
PUSH_TITLE_MAX = 20


def key_disclosures(product: Product) -> list[str]:
    """The product sheet's mandatory sentences that short channels (SMS, push, 企业微信) must carry."""
    words = KEY_DISCLOSURE_WORDS.get(product.type, ())
    return [d for d in product.disclosures if any(word in d for word in words)]


def short_product_name(product: Product, bank_short_name: str) -> str:
    """The product name for tight titles: without the bank's own name, then without a parenthetical."""
    name = product.name
    if len(name) > PUSH_TITLE_MAX and name.startswith(bank_short_name):
        name = name[len(bank_short_name) :]
    if len(name) > PUSH_TITLE_MAX and "（" in name:
        name = name[: name.index("（")]
    return name


def _write_with_llm(
    plan: CampaignPlan, channel: str, product: Product, *, run_id: str, comment: str | None
) -> dict[str, Any]:
    settings = get_settings()
    messages = [
        SystemMessage(render("content/system.j2", bank=settings.bank_short_name, channel=channel,
                             signature=settings.sms_signature)),
        HumanMessage(render("content/request.j2", plan=plan.model_dump(mode="json"), product=product,
                            channel=channel, comment=comment, guidance=_guidance(channel, product))),
    ]  # fmt: skip
    copy = invoke_structured("content", CHANNEL_SCHEMAS[channel], messages, run_id=run_id)
    return copy.model_dump()


CHANNEL_WORDS = {"sms": "短信", "push": "APP推送", "wechat": "公众号文章", "wecom": "企业微信消息"}


def _guidance(channel: str, product: Product) -> list[Passage]:
    """Brand-guide and policy passages for this channel and product, cited in the prompt."""
    kb = KnowledgeBase(get_settings().kb_dir)
    query = f"{CHANNEL_WORDS[channel]} {product.name} 文案 要求"
    return kb.search(query, 3, doc_type="brand_guide") + kb.search(query, 2, product_type=product.type)


def _draft(channel: str, content: dict[str, Any], mode: str, notes: list[str]) -> DraftState:
    return DraftState.model_validate(
        {"channel": channel, "content": {**content, "meta": AI_LABEL}, "mode": mode, "notes": notes}
    )
