"""Pydantic models of one compliance rule as written in ``knowledge/rules/*.yaml`` (DESIGN §6).

Validation is strict and the messages name the offending value, because the rule files are edited by
compliance staff: an unknown category, channel, product type or detector type, a citation without its
evidence tag, or an end date before the start date must fail at load with a clear message.
"""

from __future__ import annotations

import re
from datetime import date
from string import Formatter
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from core.domain import (
    CATEGORIES,
    CHANNELS,
    PRODUCT_TYPES,
    TEXT_CHANNELS,
    Category,
    Channel,
    ProductType,
    Severity,
)
from tools.compliance.detectors import DETECTOR_TYPES

RuleGroup = Literal["general", "financial", "wealth", "loan", "deposit", "personal_info", "sms_call"]
FixAction = Literal["prepend_signature", "append_optout", "append_sentence", "insert_apr"]
# Placeholders a fix sentence may use; auto_fix fills them from its arguments and settings.
FIX_PLACEHOLDERS = frozenset({"bank_short_name", "issuer"})
_EVIDENCE_TAG = re.compile(r"\[(V|S|M)\]")


def _one_of(value: object, allowed: tuple[str, ...], what: str) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"unknown {what} {value!r}; expected one of: {', '.join(allowed)}")
    return value


def _list_of(value: object, allowed: tuple[str, ...], what: str) -> list[str]:
    if not isinstance(value, list | tuple):
        raise ValueError(f"expected a list of {what}s, got {value!r}")
    return [_one_of(item, allowed, what) for item in value]


class DetectorSpec(BaseModel):
    """Which detector a rule uses and its raw params (validated by the detector kind at compile time)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: str
    params: dict[str, object] = Field(default_factory=dict)

    @field_validator("type")
    @classmethod
    def _known_type(cls, value: str) -> str:
        return _one_of(value, DETECTOR_TYPES, "detector type")


class AutoFixSpec(BaseModel):
    """A deterministic repair ``auto_fix`` may apply for this rule's findings."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    action: FixAction
    text: str | None = Field(default=None, description="Sentence or opt-out wording to add.")

    @model_validator(mode="after")
    def _text_fits_action(self) -> AutoFixSpec:
        needs_text = self.action in ("append_sentence", "append_optout")
        if needs_text and not (self.text and self.text.strip()):
            raise ValueError(f"autofix action {self.action!r} needs a non-empty text")
        if self.text:
            names = {name for _, name, _, _ in Formatter().parse(self.text) if name is not None}
            unknown = names - FIX_PLACEHOLDERS
            if unknown:
                raise ValueError(
                    f"unknown placeholder(s) {sorted(unknown)} in autofix text; allowed: {sorted(FIX_PLACEHOLDERS)}"
                )
        return self


class Rule(BaseModel):
    """One rule of the catalog: metadata, scope, detector and the wording of its findings."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[A-Z]{2,5}-\d{2}$")
    group: RuleGroup
    category: Category
    title: str = Field(min_length=1)
    citation: str = Field(
        min_length=1, description="Law/regulation + article, with evidence tag [V]/[S]/[M]."
    )
    channels: tuple[Channel, ...] = Field(min_length=1, description='Channel names, or "all" text channels.')
    product_types: tuple[ProductType, ...] = Field(default=(), description="Empty = every product type.")
    excluded_product_types: tuple[ProductType, ...] = Field(
        default=(), description="Product types the rule never applies to (保本 is true of deposits)."
    )
    effective_from: date
    effective_to: date | None = Field(default=None, description="Last day in force; None = open-ended.")
    detector: DetectorSpec
    severity: Severity
    message: str = Field(min_length=1)
    fix: str = Field(min_length=1)
    escalate_with: tuple[str, ...] = Field(
        default=(), description="Rule ids whose findings in the same text raise this rule to block."
    )
    autofix: AutoFixSpec | None = None

    @field_validator("category", mode="before")
    @classmethod
    def _known_category(cls, value: object) -> str:
        return _one_of(value, CATEGORIES, "category")

    @field_validator("channels", mode="before")
    @classmethod
    def _known_channels(cls, value: object) -> list[str]:
        if value == "all":
            return list(TEXT_CHANNELS)
        return _list_of(value, CHANNELS, "channel")

    @field_validator("product_types", "excluded_product_types", mode="before")
    @classmethod
    def _known_product_types(cls, value: object) -> list[str]:
        return _list_of(value, PRODUCT_TYPES, "product type")

    @field_validator("citation")
    @classmethod
    def _cites_evidence(cls, value: str) -> str:
        if not _EVIDENCE_TAG.search(value):
            raise ValueError("citation must carry an evidence tag [V], [S] or [M] from the rule catalog")
        return value

    @model_validator(mode="after")
    def _scope_is_consistent(self) -> Rule:
        both = set(self.product_types) & set(self.excluded_product_types)
        if both:
            raise ValueError(f"product types {sorted(both)} are both included and excluded")
        return self

    @field_validator("effective_to")
    @classmethod
    def _ends_after_start(cls, value: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("effective_from")
        if value is not None and isinstance(start, date) and value < start:
            raise ValueError(f"effective_to {value} is before effective_from {start}")
        return value

    def applies_to(self, channel: Channel, product_type: ProductType | None, on_date: date) -> bool:
        """Whether this rule is in scope for a text on ``channel`` about ``product_type`` on ``on_date``.

        A rule limited to product types does not apply when the product type is unknown.
        """
        if channel not in self.channels:
            return False
        if self.product_types and product_type not in self.product_types:
            return False
        if product_type is not None and product_type in self.excluded_product_types:
            return False
        if on_date < self.effective_from:
            return False
        return self.effective_to is None or on_date <= self.effective_to
