"""A/B variants of a channel draft: the variant letters, the angle of each, and the sheet phrases an angle leads with.

An A/B test only teaches something when its variants differ on purpose. Each letter has one angle — the reason
to act the copy puts first: A 利益型 (the product's figures), B 便捷型 (how easy it is to use), C 安心型 (what a
customer should know before deciding). The angled phrases are quoted verbatim from the product sheet, so every
variant stays as grounded as the single draft, and the writer's templates decide where the phrase goes.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from core.domain import Product
from tools.h5 import H5Page, wording

Angle = Literal["benefit", "convenience", "reassurance"]
VARIANT_ANGLES: dict[str, Angle] = {"A": "benefit", "B": "convenience", "C": "reassurance"}
ANGLE_LABELS: dict[Angle, str] = {"benefit": "利益型", "convenience": "便捷型", "reassurance": "安心型"}
# What each angle asks of a model writing the variant (prompts/content/request.j2).
ANGLE_BRIEFS: dict[Angle, str] = {
    "benefit": "利益型：开头突出产品资料中的关键数字（利率、期限、起点金额等）",
    "convenience": "便捷型：开头突出办理和使用是否方便（渠道、流程、灵活性）",
    "reassurance": "安心型：开头先讲客户办理前应当了解的保障、费用或限制",
}
# Words marking a sheet clause as one an angle may lead with, most telling first. The benefit angle leads with
# the key figures the templates state anyway, so it quotes nothing extra.
ANGLE_WORDS: dict[Angle, tuple[str, ...]] = {
    "benefit": (),
    "convenience": (
        "手机银行", "线上", "随借随还", "提前还款", "可循环", "自动", "开放期", "赎回", "转让", "可选", "领取",
    ),
    "reassurance": (
        "存款保险", "无其他费用", "不另收", "犹豫期", "业绩比较基准不是预期收益率", "过往业绩不代表",
        "不可提前支取",
    ),
}  # fmt: skip
POINT_MAX = 24  # longest sheet clause quoted whole; longer ones are cut to the comma part holding the word
SUBTITLE_MAX = 40  # the H5 hero subtitle's limit (tools.h5.model.Hero)
_SENTENCE_END = re.compile(r"[；。;]")


def variant_letters(count: int) -> list[str]:
    """The variant letters of an A/B test with ``count`` variants: [A], [A, B] or [A, B, C]."""
    if not 1 <= count <= len(VARIANT_ANGLES):
        raise ValueError(f"variant count must be 1..{len(VARIANT_ANGLES)}, got {count}")
    return list(VARIANT_ANGLES)[:count]


def variant_meta(variant: str) -> dict[str, Any]:
    """What a variant's draft metadata records besides the AI label: its letter, angle and angle label."""
    if variant not in VARIANT_ANGLES:
        raise ValueError(f"unknown variant {variant!r}; expected one of {', '.join(VARIANT_ANGLES)}")
    angle = VARIANT_ANGLES[variant]
    return {"variant": variant, "angle": angle, "angle_label": ANGLE_LABELS[angle]}


def variant_of(content: dict[str, Any]) -> str | None:
    """The A/B variant a draft's content was written as (from its metadata), None for a single draft."""
    meta = content.get("meta")
    letter = meta.get("variant") if isinstance(meta, dict) else None
    return letter if isinstance(letter, str) else None


def angle_points(product: Product, angle: Angle) -> list[str]:
    """Sheet phrases a variant with ``angle`` may lead with, best first (empty for the benefit angle).

    Clauses are the sentences of the sheet's benefits, disclosures and fees; those holding one of the angle's
    words come first, in word order, and a long one is cut to the comma part holding the word. Then, so a tight
    channel always finds one that fits, the other benefits (convenience) or disclosures (reassurance).
    """
    if angle == "benefit":
        return []
    clauses = [c.strip() for text in product_texts(product) for c in _SENTENCE_END.split(text) if c.strip()]
    points = [
        clause if len(clause) <= POINT_MAX else next(part for part in clause.split("，") if word in part)
        for word in ANGLE_WORDS[angle]
        for clause in clauses
        if word in clause
    ]
    fallback = product.benefits if angle == "convenience" else product.disclosures
    points += [_SENTENCE_END.split(text)[0].split("，")[0] for text in fallback]
    return list(dict.fromkeys(point for point in points if point))


def angle_point(product: Product, angle: Angle) -> str:
    """The sheet phrase a variant with ``angle`` leads with ("" for the benefit angle)."""
    points = angle_points(product, angle)
    return points[0] if points else ""


def product_texts(product: Product) -> list[str]:
    """The sheet's sentences an angle may quote: benefits, then disclosures, then fees."""
    return [*product.benefits, *product.disclosures, *product.fees]


def angled_page(page: H5Page, angle: Angle, point: str) -> H5Page:
    """The H5 page of one variant: its angle's phrase as subtitle, the benefit it quotes first, its own button."""
    data = page.model_dump(mode="json")
    if point and len(point) <= SUBTITLE_MAX:
        data["hero"]["subtitle"] = point
    data["hero"]["cta"] = wording.ANGLE_CTAS[angle]
    data["benefits"].sort(key=lambda benefit: not (point and point in benefit["text"]))
    return H5Page.model_validate(data)  # validated again: the page rules hold for every variant
