"""Content agent: one draft per channel deliverable (per A/B variant when the plan asks), grounded on the sheet.

Offline it fills a Jinja2 copy template per channel with product-sheet facts only; with a model it asks for the
channel's schema with the same facts in the prompt. Both carry an AI-generated label in the draft metadata, and an
A/B variant also its letter and angle there: each angle leads with a different phrase of the sheet.
"""

from __future__ import annotations

import json
from typing import Any

from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, Field

from agents.drafts import DraftState, checkable_text
from agents.plan import CampaignPlan
from agents.variants import (
    ANGLE_BRIEFS,
    VARIANT_ANGLES,
    Angle,
    angle_point,
    angle_points,
    angled_page,
    variant_meta,
)
from core.domain import Product
from core.llm import LLMUnavailable, invoke_structured
from core.settings import get_settings
from prompts.loader import render
from tools.channel_rules.validators import validate_channel
from tools.h5 import H5Page, build_offline_h5, ground_page
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
    "h5": H5Page,
}


def write_content(
    plan: CampaignPlan, channel: str, *, run_id: str, comment: str | None = None, variant: str | None = None,
    current: dict[str, Any] | None = None,
) -> DraftState:  # fmt: skip
    """Draft the channel's copy for the plan's primary product.

    ``variant`` (A, B, C) writes that A/B variant with its angle; None writes the single draft. A reviewer
    ``comment`` with the ``current`` content asks the model to change only what the comment asks.
    """
    if channel not in CHANNEL_SCHEMAS:
        raise ValueError(f"no content writer for channel {channel!r}")
    if variant is not None and variant not in VARIANT_ANGLES:
        raise ValueError(f"unknown variant {variant!r}; expected one of {', '.join(VARIANT_ANGLES)}")
    angle = VARIANT_ANGLES[variant] if variant else None
    product = default_catalog().get(plan.product_ids[0])
    meta = _meta(variant)
    if get_settings().offline:
        return _draft(channel, _offline(plan, channel, product, angle), "offline", [], meta)
    try:
        copy = _write_with_llm(
            plan, channel, product, run_id=run_id, comment=comment, angle=angle, current=current
        )
        return _draft(channel, copy, "llm", [], meta)
    except LLMUnavailable as exc:
        note = f"{channel}：大模型不可用，已降级为离线模板（{exc}）"
        return _draft(channel, _offline(plan, channel, product, angle), "offline_fallback", [note], meta)


def _offline(plan: CampaignPlan, channel: str, product: Product, angle: Angle | None) -> dict[str, Any]:
    # The single-draft call keeps write_offline's three-argument form, which evals and tests substitute.
    return (
        write_offline(plan, channel, product, angle=angle) if angle else write_offline(plan, channel, product)
    )


def write_offline(
    plan: CampaignPlan, channel: str, product: Product, *, angle: Angle | None = None
) -> dict[str, Any]:
    """Fill the channel's offline copy template; every fact comes from the product sheet or settings.

    An ``angle`` leads the copy with a sheet phrase that angle stands for: the first (``angle_points``) whose
    copy fits the channel's format, so a tight SMS or push quotes a shorter phrase rather than overflowing.
    """
    if channel == "h5":
        # A page is structured content, not copy fields: the H5 builder assembles it from the sheet.
        page = build_offline_h5(plan, product)
        return (angled_page(page, angle, angle_point(product, angle)) if angle else page).model_dump(
            mode="json"
        )
    copies = offline_copies(plan, channel, product, angle)
    # None fits: the best phrase's copy goes on, and the channel validators report what is over the limit.
    return next((copy for copy in copies if fits_channel(channel, copy, product)), copies[0])


def offline_copies(
    plan: CampaignPlan, channel: str, product: Product, angle: Angle | None
) -> list[dict[str, Any]]:
    """Every copy the offline template writes for ``angle``: one per sheet phrase the angle may lead with."""
    if channel not in CHANNEL_SCHEMAS or channel == "h5":
        raise ValueError(f"no offline copy template for channel {channel!r}")
    points = angle_points(product, angle) if angle else []
    return [_render_copy(plan, channel, product, angle, point) for point in points or [""]]


def _render_copy(
    plan: CampaignPlan, channel: str, product: Product, angle: Angle | None, point: str
) -> dict[str, Any]:
    settings = get_settings()
    rendered = {
        name: render(
            f"offline/{channel}.j2", field=name, product=product, objective=plan.objective,
            signature=settings.sms_signature, bank=settings.bank_short_name, hotline=settings.bank_hotline,
            key_disclosures=key_disclosures(product), short_name=short_product_name(product, settings.bank_short_name),
            angle=angle, angle_point=point,
        )
        for name in CHANNEL_SCHEMAS[channel].model_fields
    }  # fmt: skip
    return CHANNEL_SCHEMAS[channel].model_validate(rendered).model_dump()


def fits_channel(channel: str, content: dict[str, Any], product: Product) -> bool:
    """Whether the channel validators pass this copy (length, signature, opt-out, key disclosures)."""
    findings = validate_channel(channel, content, checkable_text(channel, content), product.type,
                                sms_signature=get_settings().sms_signature)  # fmt: skip
    return not any(finding.severity == "block" for finding in findings)


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
    plan: CampaignPlan, channel: str, product: Product, *, run_id: str, comment: str | None, angle: Angle | None,
    current: dict[str, Any] | None,
) -> dict[str, Any]:  # fmt: skip
    settings = get_settings()
    # The draft under review goes in as JSON text (non-ASCII kept) so the model can copy what must not change.
    shown = {key: value for key, value in (current or {}).items() if key != "meta"}
    current_json = json.dumps(shown, ensure_ascii=False, indent=1) if shown else None
    messages = [
        SystemMessage(render("content/system.j2", bank=settings.bank_short_name, channel=channel,
                             signature=settings.sms_signature)),
        HumanMessage(render("content/request.j2", plan=plan.model_dump(mode="json"), product=product,
                            channel=channel, comment=comment, guidance=_guidance(channel, product),
                            angle=ANGLE_BRIEFS[angle] if angle else None,
                            angle_point=angle_point(product, angle) if angle else None, current=current_json)),
    ]  # fmt: skip
    copy = invoke_structured("content", CHANNEL_SCHEMAS[channel], messages, run_id=run_id)
    if isinstance(copy, H5Page):
        return _grounded_h5(copy, plan, product)
    return copy.model_dump()


def _grounded_h5(page: H5Page, plan: CampaignPlan, product: Product) -> dict[str, Any]:
    """The model's page with sheet facts restored; a benefit citing no real clause sends it to the offline path."""
    try:
        return ground_page(page, plan, product).model_dump(mode="json")
    except ValueError as exc:  # H5BuildError, or the merged page failing the page rules
        raise LLMUnavailable(f"h5 page not usable: {exc}") from exc


CHANNEL_WORDS = {
    "sms": "短信",
    "push": "APP推送",
    "wechat": "公众号文章",
    "wecom": "企业微信消息",
    "h5": "H5活动页",
}


def _guidance(channel: str, product: Product) -> list[Passage]:
    """Brand-guide and policy passages for this channel and product, cited in the prompt."""
    kb = KnowledgeBase(get_settings().kb_dir)
    query = f"{CHANNEL_WORDS[channel]} {product.name} 文案 要求"
    return kb.search(query, 3, doc_type="brand_guide") + kb.search(query, 2, product_type=product.type)


def _meta(variant: str | None) -> dict[str, Any]:
    """The AI label, plus the variant letter and its angle for an A/B variant."""
    return {**AI_LABEL, **(variant_meta(variant) if variant else {})}


def _draft(
    channel: str, content: dict[str, Any], mode: str, notes: list[str], meta: dict[str, Any]
) -> DraftState:
    return DraftState.model_validate(
        {"channel": channel, "content": {**content, "meta": meta}, "mode": mode, "notes": notes}
    )
