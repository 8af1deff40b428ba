"""The semantic rules the judge may decide, resolved against the deterministic rule set.

``semantic_rules.yaml`` says what the model must look for and when it may remove a deterministic hit. The
rule's identity (category, severity, citation, fix, scope, effective dates) comes from ``knowledge/rules``, so
a citation is written once; a semantic rule that rule set does not define is not offered to the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from core.domain import Category, Channel, ProductType, Severity
from tools.compliance.judge.models import SEMANTIC_RULE_IDS, ExemptionGround, SemanticRuleId
from tools.compliance.rules import RuleSet

SEMANTIC_RULES_FILE = Path(__file__).resolve().parent / "semantic_rules.yaml"


class JudgeCatalogError(ValueError):
    """``semantic_rules.yaml`` is missing, unreadable or invalid; the message names the file and the entry."""


class SemanticRuleSpec(BaseModel):
    """One entry of ``semantic_rules.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: SemanticRuleId
    guidance: str = Field(min_length=1)
    droppable_on: tuple[ExemptionGround, ...] = ()

    @field_validator("droppable_on")
    @classmethod
    def _none_is_not_a_ground(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if "none" in value:
            raise ValueError("'none' cannot be a ground for dropping a finding")
        return value


@dataclass(frozen=True)
class JudgeRule:
    """One semantic rule as the judge uses it: the rule set's metadata plus the judge's guidance and exemptions."""

    id: str
    title: str
    category: Category
    severity: Severity
    citation: str
    message: str
    fix: str
    guidance: str
    droppable_on: frozenset[str]
    escalate_with: tuple[str, ...]

    def may_drop(self, ground: str) -> bool:
        """Whether a deterministic hit of this rule may be removed on ``ground``."""
        return ground in self.droppable_on


def load_semantic_specs(path: Path = SEMANTIC_RULES_FILE) -> dict[str, SemanticRuleSpec]:
    """Parse and validate the semantic-rule file; every semantic rule id must appear exactly once."""
    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise JudgeCatalogError(f"{path}: cannot read semantic rules: {exc}") from exc
    if not isinstance(entries, list):
        raise JudgeCatalogError(f"{path}: top level must be a list of rules")
    specs: dict[str, SemanticRuleSpec] = {}
    for index, entry in enumerate(entries):
        try:
            spec = SemanticRuleSpec.model_validate(entry)
        except ValidationError as exc:
            raise JudgeCatalogError(f"{path}: entry #{index + 1}: {exc}") from exc
        if spec.id in specs:
            raise JudgeCatalogError(f"{path}: rule {spec.id} is listed twice")
        specs[spec.id] = spec
    missing = sorted(set(SEMANTIC_RULE_IDS) - set(specs))
    if missing:
        raise JudgeCatalogError(f"{path}: semantic rule(s) {missing} have no entry")
    return specs


@lru_cache(maxsize=1)
def default_semantic_specs() -> dict[str, SemanticRuleSpec]:
    """The shipped semantic-rule file, loaded once per process."""
    return load_semantic_specs()


def rules_in_scope(
    specs: dict[str, SemanticRuleSpec],
    rule_set: RuleSet,
    channel: Channel,
    product_type: ProductType | None,
    on_date: date,
) -> list[JudgeRule]:
    """The semantic rules that apply to this channel and product on this date, in catalog order."""
    in_scope: list[JudgeRule] = []
    for spec in specs.values():
        rule = _resolve(spec, rule_set, channel, product_type, on_date)
        if rule is not None:
            in_scope.append(rule)
    return in_scope


def _resolve(
    spec: SemanticRuleSpec,
    rule_set: RuleSet,
    channel: Channel,
    product_type: ProductType | None,
    on_date: date,
) -> JudgeRule | None:
    if spec.id not in rule_set:
        return None
    rule = rule_set.get(spec.id)
    if not rule.applies_to(channel, product_type, on_date):
        return None
    return JudgeRule(
        id=rule.id,
        title=rule.title,
        category=rule.category,
        severity=rule.severity,
        citation=rule.citation,
        message=rule.message,
        fix=rule.fix,
        guidance=spec.guidance,
        droppable_on=frozenset(spec.droppable_on),
        escalate_with=rule.escalate_with,
    )
