"""Semantic checks of a parsed audience expression against the tag catalog.

Structure (node shapes, op names, channel names) is already checked by the models in
:mod:`tools.tag_store.nodes`; here we check what only the catalog knows: the tag exists, may be used for
marketing, supports the operator, and the value has the tag's type and vocabulary.
"""

from __future__ import annotations

import difflib
from datetime import date
from typing import TYPE_CHECKING

from tools.tag_store.errors import ExpressionIssue
from tools.tag_store.nodes import AndNode, ConditionValue, Node, NotNode, OrNode, Scalar, TagCondition
from tools.tag_store.tags import TagDef

if TYPE_CHECKING:
    from tools.tag_store.catalog import TagCatalog

MAX_WITHIN_DAYS = 3650
_MAX_VALUES_SHOWN = 12


def check_against_catalog(node: Node, catalog: TagCatalog, path: str = "$") -> list[ExpressionIssue]:
    """Every catalog problem under ``node``; an empty list means the expression is usable."""
    issues: list[ExpressionIssue] = []
    _walk(node, path, catalog, issues)
    return issues


def _walk(node: Node, path: str, catalog: TagCatalog, issues: list[ExpressionIssue]) -> None:
    if isinstance(node, AndNode | OrNode):
        key = "and" if isinstance(node, AndNode) else "or"
        for index, item in enumerate(node.items):
            _walk(item, f"{path}.{key}[{index}]", catalog, issues)
    elif isinstance(node, NotNode):
        _walk(node.operand, f"{path}.not", catalog, issues)
    elif isinstance(node, TagCondition):
        issues.extend(check_condition(node, path, catalog))
    # NotContacted is fully checked by its model (channel vocabulary, day range).


def check_condition(condition: TagCondition, path: str, catalog: TagCatalog) -> list[ExpressionIssue]:
    """Problems of one leaf, each anchored at the offending key (tag, op or value)."""
    tag = catalog.get(condition.tag)
    if tag is None:
        return [ExpressionIssue(path=f"{path}.tag", message=_unknown_tag(condition.tag, catalog))]
    if tag.is_sensitive:
        message = (
            f"tag '{tag.code}' ({tag.name}) is sensitive personal information "
            "and may not be used to select a marketing audience"
        )
        return [ExpressionIssue(path=f"{path}.tag", message=message, sensitive_tag=True)]
    if condition.op not in tag.allowed_ops:
        message = (
            f"op '{condition.op}' does not apply to {tag.type} tag '{tag.code}'; "
            f"use one of: {', '.join(tag.allowed_ops)}"
        )
        return [ExpressionIssue(path=f"{path}.op", message=message)]
    problem = value_problem(tag, condition.op, condition.value)
    return [ExpressionIssue(path=f"{path}.value", message=problem)] if problem else []


def value_problem(tag: TagDef, op: str, value: ConditionValue) -> str | None:
    """Why ``value`` does not fit ``tag`` under ``op``, or None when it does."""
    if op == "exists":
        return None if value is None else "exists takes no value"
    if op == "within_days":
        if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_WITHIN_DAYS:
            return None
        return f"within_days needs a whole number of days from 1 to {MAX_WITHIN_DAYS}, not {value!r}"
    if op == "in":
        if not isinstance(value, list) or not value:
            return "in needs a non-empty list of values"
        return next(filter(None, (scalar_problem(tag, item) for item in value)), None)
    if op == "between":
        return _between_problem(tag, value)
    if value is None or isinstance(value, list):
        return f"{op} needs a single value"
    return scalar_problem(tag, value)


def scalar_problem(tag: TagDef, value: Scalar) -> str | None:
    """Why one value is not of the tag's type (or vocabulary), or None."""
    if tag.type == "bool":
        return (
            None
            if isinstance(value, bool)
            else f"{tag.code} is a yes/no tag: use true or false, not {value!r}"
        )
    if tag.type == "number":
        if isinstance(value, int | float) and not isinstance(value, bool):
            return None
        unit = f" ({tag.unit})" if tag.unit else ""
        return f"{tag.code} is a number tag{unit}: {value!r} is not a number"
    if tag.type == "date":
        return (
            None if _parse_date(value) else f"{tag.code} is a date tag: {value!r} is not a date (YYYY-MM-DD)"
        )
    if isinstance(value, str) and value in tag.values:
        return None
    shown = f" (values: {', '.join(tag.values)})" if len(tag.values) <= _MAX_VALUES_SHOWN else ""
    return f"{tag.code} has no value {value!r}{shown}"


def order_key(tag: TagDef, value: Scalar) -> float:
    """A sortable key for a valid value of a number, date or ordered category tag."""
    if tag.type == "date":
        parsed = _parse_date(value)
        assert parsed is not None  # callers pass values that scalar_problem accepted
        return float(parsed.toordinal())
    if tag.type == "category":
        return float(tag.values.index(str(value)))
    return float(value)


def _between_problem(tag: TagDef, value: ConditionValue) -> str | None:
    if not isinstance(value, list) or len(value) != 2:
        return "between needs a list of two bounds [low, high]"
    problem = next(filter(None, (scalar_problem(tag, item) for item in value)), None)
    if problem:
        return problem
    low, high = value
    if order_key(tag, low) > order_key(tag, high):
        return f"between bounds are reversed: {low!r} is above {high!r}"
    return None


def _unknown_tag(word: str, catalog: TagCatalog) -> str:
    known = catalog.find(word)
    if known is not None:
        return f"unknown tag '{word}'; did you mean '{known.code}' ({known.name})?"
    preset = catalog.find_preset(word)
    if preset is not None:
        return f"unknown tag '{word}'; it is the preset '{preset.name}': use its expression instead"
    close = difflib.get_close_matches(word, catalog.codes, n=3)
    hint = f"; close codes: {', '.join(close)}" if close else ""
    return f"unknown tag '{word}'{hint}"


def _parse_date(value: Scalar) -> date | None:
    if not isinstance(value, str) or len(value) != 10:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None
