"""Shared vocabularies and value objects (DESIGN §6): channels, product types, finding schema.

These names are stable: rules, tags, evals, the CLI and the API all key on them.
"""

from __future__ import annotations

from datetime import date
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

Channel = Literal["sms", "push", "wechat", "article", "h5", "wecom", "call_script", "audience"]
CHANNELS: tuple[str, ...] = get_args(Channel)
TEXT_CHANNELS: tuple[str, ...] = tuple(c for c in CHANNELS if c != "audience")

ProductType = Literal[
    "deposit",
    "large_cd",
    "structured_deposit",
    "wealth",
    "fund",
    "insurance",
    "consumer_loan",
    "business_loan",
    "credit_card",
]
PRODUCT_TYPES: tuple[str, ...] = get_args(ProductType)
CREDIT_PRODUCT_TYPES: frozenset[str] = frozenset({"consumer_loan", "business_loan", "credit_card"})
INVESTMENT_PRODUCT_TYPES: frozenset[str] = frozenset({"wealth", "fund", "insurance", "structured_deposit"})

Category = Literal[
    "absolute_claim",
    "false_endorsement",
    "misleading_claim",
    "unsourced_data",
    "unfair_comparison",
    "guaranteed_return",
    "missing_risk_disclosure",
    "inducement",
    "product_confusion",
    "yield_display",
    "rate_disclosure",
    "fee_concealment",
    "approval_claim",
    "restricted_audience",
    "deposit_rule",
    "personal_data",
    "personalization_optout",
    "sms_rule",
    "call_rule",
    "ai_disclosure",
    "ad_label",
    "unreviewed_content",
]
CATEGORIES: tuple[str, ...] = get_args(Category)

Severity = Literal["block", "warn"]
Verdict = Literal["block", "warn", "pass"]
GenerationMode = Literal["offline", "llm", "offline_fallback"]


class Span(BaseModel):
    """A half-open character range [start, end) into the ORIGINAL text, with the quoted characters."""

    model_config = ConfigDict(frozen=True)

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    quote: str


class Finding(BaseModel):
    """One compliance finding (DESIGN §6). ``span`` is None for a missing element (nothing to point at)."""

    model_config = ConfigDict(frozen=True)

    rule_id: str
    category: Category
    severity: Severity
    span: Span | None = None
    message: str
    citation: str
    fix: str
    detector: str
    source: dict[str, str] | None = Field(
        default=None, description="The knowledge-base passage behind the citation: doc_id, title, section."
    )


class CheckResult(BaseModel):
    """Aggregated outcome of checking one text on one channel."""

    verdict: Verdict
    product_type: ProductType | None = Field(
        default=None,
        description="The product type the rules were applied for (given, from the sheet, or inferred).",
    )
    findings: list[Finding] = Field(default_factory=list)


def verdict_of(findings: list[Finding]) -> Verdict:
    """The worst severity among findings: any block → block, any warn → warn, else pass."""
    severities = {f.severity for f in findings}
    if "block" in severities:
        return "block"
    if "warn" in severities:
        return "warn"
    return "pass"


class Product(BaseModel):
    """A product sheet: the only source of product facts a draft may state."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(description="Stable product code, e.g. CL-001.")
    name: str = Field(description="Marketing name shown to customers.")
    type: ProductType
    keywords: list[str] = Field(default_factory=list, description="Words a brief may use for this product.")
    risk_level: Literal["R1", "R2", "R3", "R4", "R5"] | None = Field(
        default=None, description="Product risk level for investment products (suitability)."
    )
    issuer: str | None = Field(default=None, description="Issuer/manager for agency-sold products.")
    apr_min: float | None = Field(default=None, description="Lowest annualised rate, percent (loans, cards).")
    apr_max: float | None = Field(
        default=None, description="Highest annualised rate, percent (loans, cards)."
    )
    rate: float | None = Field(default=None, description="Annual interest rate, percent (deposits, CDs).")
    benchmark: str | None = Field(default=None, description="业绩比较基准 text with its basis (wealth).")
    min_amount: float | None = Field(default=None, description="Minimum amount in yuan.")
    max_amount: float | None = Field(default=None, description="Maximum amount or credit line in yuan.")
    term: str | None = Field(default=None, description="Term or tenor in words, e.g. 3年, 最长36期.")
    fees: list[str] = Field(default_factory=list, description="Every fee item, in words.")
    eligibility: list[str] = Field(default_factory=list, description="Who may apply.")
    disclosures: list[str] = Field(
        default_factory=list, description="Mandatory disclosure sentences, verbatim."
    )
    benefits: list[str] = Field(default_factory=list, description="Factual selling points.")
    effective_from: date | None = None
    effective_to: date | None = None
