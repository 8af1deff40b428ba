"""The H5 landing page as structured content (DESIGN §7, 示例银行H5活动页内容规范).

Every part a reviewer signs off is a typed field, so the rules of the internal H5 standard are enforced by the
schema rather than by reading HTML: length limits, benefits tied to a clause, consent boxes that can never be
pre-ticked, a structured 活动规则 and no 最终解释权 clause anywhere on the page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from core.domain import ProductType

# A clause is a compliance rule id (AD-01, LN-01, CALL-04) or a knowledge-base section: <doc-id>#<section>.
CLAUSE_PATTERN = r"^(?:[A-Z]{2,5}-\d{2}|[A-Za-z0-9][A-Za-z0-9-]*#[^#\s]+)$"

# 最终解释权 and any "解释权归…" clause: the bank may not reserve a unilateral right of interpretation
# (合同行政监督管理办法 2023; internal H5 standard). Separators between the characters do not hide it.
_GAP = r"[\s\W_]*"
FORBIDDEN_CLAUSES: tuple[re.Pattern[str], ...] = (
    re.compile(_GAP.join("最终解释权")),
    re.compile(_GAP.join("解释权归")),
)

ConsentPurpose = Literal[
    "data_processing", "callback_call", "marketing_call", "marketing_sms", "personalized"
]


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Hero(_Part):
    """首屏: title, subtitle, the action button and the condition line under it."""

    title: str = Field(min_length=1, max_length=20, description="主标题, at most 20 characters.")
    subtitle: str = Field(min_length=1, max_length=40, description="副标题, at most 40 characters.")
    cta: str = Field(min_length=1, max_length=8, description="Action button text, at most 8 characters.")
    cta_note: str = Field(
        min_length=1, max_length=40, description="Condition line under the button, e.g. 额度以审批结果为准."
    )


class Benefit(_Part):
    """One selling point and the clause it rests on; a point without a clause may not go live."""

    text: str = Field(min_length=1, max_length=60)
    clause: str = Field(
        pattern=CLAUSE_PATTERN,
        description="Rule id (e.g. LN-01) or knowledge-base section (e.g. product-CL-001#产品特点).",
    )


class Disclosure(_Part):
    """A disclosure block: a heading and its sentences, shown at normal size near the action button."""

    heading: str = Field(min_length=1, max_length=20)
    items: list[str] = Field(min_length=1)

    @field_validator("items")
    @classmethod
    def _no_blank_items(cls, items: list[str]) -> list[str]:
        if any(not item.strip() for item in items):
            raise ValueError("disclosure items must not be blank")
        return items


class FormField(_Part):
    """One lead-form input; its purpose is shown under it."""

    name: str = Field(pattern=r"^[a-z][a-z_]{0,30}$", description="Form parameter name.")
    label: str = Field(min_length=1, max_length=12)
    input_type: Literal["text", "tel"]
    placeholder: str = Field(default="", max_length=20)
    purpose: str = Field(min_length=1, max_length=60, description="Why the bank asks for this field.")
    required: bool = True


class Consent(_Part):
    """One authorisation, ticked by the customer alone: ``checked`` exists only so True can be refused."""

    purpose: ConsentPurpose
    label: str = Field(min_length=1, max_length=80)
    required: bool = Field(default=False, description="The form cannot be sent without this box ticked.")
    checked: bool = False

    @field_validator("checked")
    @classmethod
    def _never_pre_ticked(cls, checked: bool) -> bool:
        if checked:
            raise ValueError("consent boxes must not be pre-ticked (checked must be false)")
        return checked

    @property
    def shown_text(self) -> str:
        """The box's text exactly as the page prints it, 必选/可选 mark included (each lead stores this)."""
        return f"{self.label}（{'必选' if self.required else '可选'}）"


class LeadForm(_Part):
    """Consent-first lead form: at most five fields, one box per purpose, none ticked."""

    heading: str = Field(min_length=1, max_length=20)
    fields: list[FormField] = Field(min_length=1, max_length=5)
    consents: list[Consent] = Field(min_length=1)
    privacy_notice: str = Field(min_length=1, max_length=200, description="How the data is used and kept.")
    submit_label: str = Field(min_length=1, max_length=8)
    after_submit: str = Field(min_length=1, max_length=80, description="Who will call, from which number.")

    @model_validator(mode="after")
    def _distinct_and_processing_consent(self) -> LeadForm:
        purposes = [c.purpose for c in self.consents]
        if len(set(purposes)) != len(purposes):
            raise ValueError(f"one consent box per purpose, got {purposes}")
        if "data_processing" not in purposes:
            raise ValueError("the form needs a data_processing consent box")
        if not next(c for c in self.consents if c.purpose == "data_processing").required:
            # Without this authorisation the bank may not process the lead at all, so it can never be optional.
            raise ValueError("the data_processing consent box must be required")
        names = [f.name for f in self.fields]
        if len(set(names)) != len(names):
            raise ValueError(f"form field names must be unique, got {names}")
        return self


class ActivityRules(_Part):
    """结构化活动规则: who runs it, when, who may take part, how, rewards, and whom to ask."""

    name: str = Field(min_length=1, max_length=40)
    starts_on: date
    ends_on: date
    organizer: str = Field(min_length=1)
    eligibility: list[str] = Field(min_length=1)
    how_to_join: list[str] = Field(min_length=1)
    rewards: list[str] = Field(
        min_length=1, description="What is given, or a plain statement that nothing is."
    )
    contact_hotline: str = Field(pattern=r"^[0-9][0-9-]{4,19}$")
    closing: str = Field(min_length=1)

    @model_validator(mode="after")
    def _period_in_order(self) -> ActivityRules:
        if self.starts_on > self.ends_on:
            raise ValueError(f"activity starts {self.starts_on} after it ends {self.ends_on}")
        return self


class Institution(_Part):
    """页脚: the bank's full name, hotline and complaint channel."""

    legal_name: str = Field(min_length=1)
    hotline: str = Field(pattern=r"^[0-9][0-9-]{4,19}$")
    complaint_channel: str = Field(min_length=1)


class H5Page(_Part):
    """A complete landing page; the renderer turns it into a mobile HTML page."""

    product_id: str = Field(min_length=1)
    product_type: ProductType
    hero: Hero
    benefits: list[Benefit] = Field(min_length=1, max_length=6)
    steps: list[str] = Field(min_length=1, max_length=6)
    rate_and_fees: Disclosure
    risk_disclosure: Disclosure
    lead_form: LeadForm
    activity_rules: ActivityRules
    institution: Institution
    ai_label: str | None = Field(default=None, description="Visible AI-generated content label.")

    @model_validator(mode="after")
    def _no_unilateral_interpretation(self) -> H5Page:
        for where, text in _strings(self.model_dump(mode="json"), "page"):
            for pattern in FORBIDDEN_CLAUSES:
                if pattern.search(text):
                    raise ValueError(
                        f"{where} reserves a unilateral right of interpretation (最终解释权): {text!r}"
                    )
        return self


def _strings(value: Any, where: str) -> Iterator[tuple[str, str]]:
    """Every string inside a dumped model, with a dotted path naming where it sits."""
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{where}[{index}]")
