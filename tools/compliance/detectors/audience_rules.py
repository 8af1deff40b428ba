"""Audience-expression checks: who a draft is sent to (FM-05, LN-05, PI-04, SMS-03).

The tag store already applies the policy exclusions when it counts an audience (DESIGN §4); the checker
re-checks what the marketer *asked for*, so a selection that targets students for a loan or uses a sensitive
tag is caught at review, with the offending condition named, even though the store would filter it.

Conditions are read with their polarity: a condition under an odd number of ``not`` nodes excludes people,
so ``{"not": {"tag": "is_student", ...}}`` is the compliant way to write the same tag.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

from core.domain import CREDIT_PRODUCT_TYPES
from tools.compliance.detectors.base import DetectionContext, DetectorParams, Hit
from tools.tag_store.catalog import TagCatalog

AudienceCheck = Literal["suitability", "students_minors", "sensitive_tags", "consent"]
RISK_LEVELS = ("C1", "C2", "C3", "C4", "C5")
ADULT_AGE = 18
CHILD_AGE = 14  # PIPL art. 31: under-14s' data is sensitive and needs a guardian's consent


class AudienceParams(DetectorParams):
    check: AudienceCheck


def conditions(node: Any, positive: bool = True) -> Iterator[tuple[dict[str, Any], bool]]:
    """Every tag condition of a JSON expression with its polarity (True = it selects people)."""
    if not isinstance(node, dict):
        return
    if "tag" in node:
        yield node, positive
    elif "not" in node:
        yield from conditions(node["not"], not positive)
    else:
        for key in ("and", "or"):
            for child in node.get(key, []) or []:
                yield from conditions(child, positive)


def admitted_risk_levels(node: Any) -> set[str]:
    """The C-levels an expression can let in, following and/or: one OR branch without a risk condition
    (风险测评C3及以上…，或现有基金持有客户) admits every level, however strict the other branch is.

    An over-approximation where NOT wraps more than one risk condition: it then admits every level.
    """
    everyone = set(RISK_LEVELS)
    if not isinstance(node, dict):
        return everyone
    if "tag" in node:
        return _risk_levels_selected(node) if node.get("tag") == "risk_level" else everyone
    if "not" in node:
        inner = node["not"]
        if isinstance(inner, dict) and inner.get("tag") == "risk_level":
            return everyone - _risk_levels_selected(inner)
        return everyone
    if node.get("and"):
        admitted = everyone
        for child in node["and"]:
            admitted = admitted & admitted_risk_levels(child)
        return admitted
    if node.get("or"):
        return set().union(*(admitted_risk_levels(child) for child in node["or"]))
    return everyone


def _admits_age_below(condition: dict[str, Any], age: int) -> bool:
    """Whether a positive age condition lets in someone younger than ``age``."""
    op, value = condition.get("op"), condition.get("value")
    if op == "between" and isinstance(value, list) and value:
        return isinstance(value[0], int | float) and value[0] < age
    if op in ("lte", "eq", "gte") and isinstance(value, int | float):
        return value < age  # gte 16 lets in 16- and 17-year-olds as surely as lte 17 does
    if op == "in" and isinstance(value, list):
        return any(isinstance(v, int | float) and v < age for v in value)
    return False


def _selects_value(condition: dict[str, Any], wanted: object) -> bool:
    op, value = condition.get("op"), condition.get("value")
    if op == "eq":
        return bool(value == wanted)
    if op == "in" and isinstance(value, list):
        return wanted in value
    return False


def _selects_non_consent(condition: dict[str, Any], positive: bool) -> bool:
    """eq false / ne true select people without consent; under a ``not`` the reading flips."""
    op, value = condition.get("op"), condition.get("value")
    excludes_consent = (op == "eq" and value is False) or (op == "ne" and value is True)
    includes_consent = (op == "eq" and value is True) or (op == "ne" and value is False)
    return excludes_consent if positive else includes_consent


def _describe(condition: dict[str, Any]) -> str:
    return f"{condition.get('tag')} {condition.get('op')} {condition.get('value')}"


def _risk_levels_selected(condition: dict[str, Any]) -> set[str]:
    """The C-levels a positive risk_level condition admits (ordered-category ranges included)."""
    op, value = condition.get("op"), condition.get("value")
    if op == "eq" and value in RISK_LEVELS:
        return {str(value)}
    if op == "in" and isinstance(value, list):
        return {str(v) for v in value if v in RISK_LEVELS}
    if op == "gte" and value in RISK_LEVELS:
        return set(RISK_LEVELS[RISK_LEVELS.index(str(value)) :])
    if op == "lte" and value in RISK_LEVELS:
        return set(RISK_LEVELS[: RISK_LEVELS.index(str(value)) + 1])
    if op == "between" and isinstance(value, list) and len(value) == 2 and set(value) <= set(RISK_LEVELS):
        low, high = sorted(RISK_LEVELS.index(str(v)) for v in value)
        return set(RISK_LEVELS[low : high + 1])
    return set(RISK_LEVELS)  # exists / ne: no real restriction


class AudienceDetector:
    """Compiled audience rule; the catalog gives tag sensitivity."""

    anchors: frozenset[str] | None = None  # always runs (metadata, structure or missing elements)
    tracked: frozenset[str] = frozenset()

    def __init__(self, params: AudienceParams) -> None:
        self.params = params

    def detect(self, ctx: DetectionContext) -> list[Hit]:
        expression = ctx.meta.audience
        if expression is None:
            return []
        found = list(conditions(expression))
        problems = {
            "suitability": self._suitability,
            "students_minors": self._students_minors,
            "sensitive_tags": self._sensitive_tags,
            "consent": self._consent,
        }[self.params.check](found, ctx)
        return [Hit(detail=problem) for problem in problems]

    @staticmethod
    def _suitability(found: list[tuple[dict[str, Any], bool]], ctx: DetectionContext) -> list[str]:
        product_level = ctx.product.risk_level if ctx.product is not None else None
        required = RISK_LEVELS[int(product_level[1]) - 1] if product_level else "C1"
        admitted = admitted_risk_levels(ctx.meta.audience)
        # With a risk condition somewhere, the levels that get through on any path are judged (an OR branch
        # without one lets every level in).
        restricted = any(condition.get("tag") == "risk_level" for condition, _ in found)
        if not restricted:
            return [f"圈选条件未限定风险承受能力等级（产品需 {required} 及以上）"]
        too_low = sorted(
            level for level in admitted if RISK_LEVELS.index(level) < RISK_LEVELS.index(required)
        )
        if too_low:
            return [f"风险承受能力等级 {'、'.join(too_low)} 低于产品要求的 {required}"]
        return []

    @staticmethod
    def _students_minors(found: list[tuple[dict[str, Any], bool]], ctx: DetectionContext) -> list[str]:
        if ctx.product_type is not None and ctx.product_type not in CREDIT_PRODUCT_TYPES:
            return []
        hits = []
        for condition, positive in found:
            tag = condition.get("tag")
            if not positive:
                continue
            if (tag == "is_student" and _selects_value(condition, True)) or (
                tag == "occupation" and _selects_value(condition, "学生")
            ):
                hits.append(f"信贷营销圈选学生：{_describe(condition)}")
            elif tag == "age" and _admits_age_below(condition, ADULT_AGE):
                hits.append(f"信贷营销圈选未成年人：{_describe(condition)}")
        return hits

    @staticmethod
    def _sensitive_tags(found: list[tuple[dict[str, Any], bool]], ctx: DetectionContext) -> list[str]:
        catalog = TagCatalog.default()
        hits = []
        for condition, positive in found:
            tag = catalog.get(str(condition.get("tag")))
            if tag is not None and tag.is_sensitive:
                hits.append(f"使用敏感标签圈选：{tag.name}（{_describe(condition)}）")
            elif condition.get("tag") == "age" and positive and _admits_age_below(condition, CHILD_AGE):
                hits.append(f"圈选不满14周岁的未成年人：{_describe(condition)}")
        return hits

    @staticmethod
    def _consent(found: list[tuple[dict[str, Any], bool]], ctx: DetectionContext) -> list[str]:
        if ctx.meta.message_type == "transactional":
            return []  # security and account notices go to everyone; SMS-03 covers marketing (catalog §1.8)
        return [
            f"圈选未同意营销的客户：{_describe(condition)}"
            for condition, positive in found
            if condition.get("tag") == "marketing_consent" and _selects_non_consent(condition, positive)
        ]
