"""The claims ledger: every number, rate, amount, term, date and named benefit in a draft, linked to its source.

An entry without a source is an invented fact. It becomes a blocking finding (FM-06) that sends the draft back to
its writer; the reviewer sees the whole ledger beside the copy, so every figure can be checked at a glance.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from core.domain import Finding, Product, Span
from core.settings import Settings, get_settings
from tools.claims.benefits import find_benefits
from tools.claims.kb import KbSection, kb_sections
from tools.claims.quantities import Quantity, extract_quantities
from tools.claims.sources import (
    SourceText,
    kb_source_for,
    keys_agree,
    plan_sources,
    product_sources,
    settings_sources,
)

ClaimKind = Literal["rate", "amount", "term", "date", "count", "code", "time", "phone", "benefit"]
RULE_ID = "FM-06"
DETECTOR = "claims_ledger"
CITATION = "《关于进一步规范金融营销宣传行为的通知》（银发〔2019〕316号）：不得引用不真实、不准确的数据"
KIND_WORDS: dict[str, str] = {
    "rate": "利率/费率", "amount": "金额", "term": "期限", "date": "日期", "count": "数量", "code": "等级/代码",
    "time": "时间", "phone": "电话号码", "benefit": "权益",
}  # fmt: skip


class LedgerEntry(BaseModel):
    """One claim: ``value`` exactly as written at ``text[start:end]``, its kind, unit and source (None: unlinked)."""

    model_config = ConfigDict(frozen=True)

    value: str
    kind: ClaimKind
    source: str | None = Field(
        description="Where the fact comes from, e.g. product:CL-001.apr_min; None = unlinked."
    )
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    unit: str = ""

    @property
    def linked(self) -> bool:
        return self.source is not None


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def _is_hotline(quantity: Quantity, hotline_digits: str) -> bool:
    """The bank's own hotline is contact data, not a claim (written with or without hyphens)."""
    return quantity.kind in ("phone", "count") and _digits(quantity.value) == hotline_digits


def _link_quantity(
    quantity: Quantity, text: str, facts: list[SourceText], sections: tuple[KbSection, ...], product: Product
) -> str | None:
    for fact in facts:
        if any(keys_agree(quantity.key, key) for key in fact.keys):
            return fact.source
    section = kb_source_for(quantity, text, sections, product.type)
    return section.source if section else None


def _link_benefit(phrase: str, facts: list[SourceText]) -> str | None:
    return next((fact.source for fact in facts if phrase in fact.text), None)


def build_ledger(
    text: str,
    product: Product,
    plan: BaseModel | Mapping[str, Any] | None,
    *,
    settings: Settings | None = None,
    sections: tuple[KbSection, ...] | None = None,
) -> list[LedgerEntry]:
    """Every claim in ``text`` in reading order, each linked to the first source that states it.

    Sources are tried from the most specific: product sheet (numeric fields, then its texts), the plan, the
    settings, then policy-KB sections for the product's type that state the number in the same context.
    """
    settings = settings or get_settings()
    sections = kb_sections() if sections is None else sections
    facts = [*product_sources(product), *plan_sources(plan), *settings_sources(settings)]
    hotline = _digits(settings.bank_hotline)
    entries = [
        LedgerEntry(value=q.value, kind=q.kind, unit=q.unit, start=q.start, end=q.end,
                    source=_link_quantity(q, text, facts, sections, product))
        for q in extract_quantities(text)
        if not _is_hotline(q, hotline)
    ]  # fmt: skip
    entries += [
        LedgerEntry(
            value=m.phrase, kind="benefit", start=m.start, end=m.end, source=_link_benefit(m.phrase, facts)
        )
        for m in find_benefits(text, list(product.benefits))
    ]
    return sorted(entries, key=lambda e: (e.start, e.end))


def sources_tried(product: Product) -> str:
    """The sources a claim was looked up in, for the finding's citation and fix."""
    return f"产品说明书 {product.id}（全部字段）、活动方案（plan.*）、系统设置（settings.*）、政策知识库（适用于 {product.type} 的条款）"


def unlinked_findings(ledger: list[LedgerEntry], product: Product) -> list[Finding]:
    """One blocking FM-06 finding per unlinked entry, quoting the value exactly as written."""
    tried = sources_tried(product)
    return [
        Finding(
            rule_id=RULE_ID,
            category="misleading_claim",
            severity="block",
            span=Span(start=entry.start, end=entry.end, quote=entry.value),
            message=f"{KIND_WORDS[entry.kind]}“{entry.value}{entry.unit}”找不到出处，疑为编造的事实",
            citation=f"{CITATION}；已核对：{tried}",
            detector=DETECTOR,
            fix=f"删除“{entry.value}{entry.unit}”，或改为产品说明书中的原值（已核对：{tried}）",
        )  # fmt: skip
        for entry in ledger
        if not entry.linked
    ]


def stored_ledger(content: Mapping[str, Any]) -> list[LedgerEntry]:
    """The ledger the check step stored on a draft (``content.meta.ledger``); empty before the first check."""
    meta = content.get("meta")
    raw = meta.get("ledger", []) if isinstance(meta, Mapping) else []
    return [LedgerEntry.model_validate(entry) for entry in raw]
