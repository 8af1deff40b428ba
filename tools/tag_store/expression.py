"""The audience DSL: a JSON boolean expression over catalog tags, as Pydantic models.

JSON form (each node is an object with exactly one kind of key)::

    {"and": [{"tag": "credit_granted", "op": "eq", "value": true},
             {"tag": "age", "op": "between", "value": [25, 35]},
             {"not": {"tag": "city", "op": "in", "value": ["上海"]}},
             {"not_contacted": {"channel": "sms", "days": 7}}]}

``validate_expression`` parses that JSON (structure, via a callable-discriminated union) and then checks it
against the tag catalog; every problem is reported with the JSON path of the node that causes it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from tools.tag_store.checks import check_against_catalog
from tools.tag_store.errors import ExpressionError, ExpressionIssue
from tools.tag_store.nodes import (
    NODE_KINDS,
    AndNode,
    AudienceExpression,
    ContactWindow,
    Node,
    NotContacted,
    NotNode,
    OrNode,
    TagCondition,
)

if TYPE_CHECKING:
    from tools.tag_store.catalog import TagCatalog

__all__ = [
    "AndNode",
    "AudienceExpression",
    "ContactWindow",
    "ExpressionError",
    "ExpressionIssue",
    "Node",
    "NotContacted",
    "NotNode",
    "OrNode",
    "TagCondition",
    "parse_expression",
    "validate_expression",
]


def parse_expression(raw: Any) -> AudienceExpression:
    """Check the structure only (not the catalog); ``ExpressionError`` with JSON paths on failure."""
    try:
        return AudienceExpression.model_validate(raw)
    except ValidationError as exc:
        raise ExpressionError(_issues_from(exc)) from None


def validate_expression(raw: dict[str, Any], catalog: TagCatalog) -> AudienceExpression:
    """Parse ``raw`` and check every node against ``catalog``; raise ``ExpressionError`` naming each bad node."""
    expression = parse_expression(raw)
    issues = check_against_catalog(expression.root, catalog)
    if issues:
        raise ExpressionError(issues)
    return expression


def _issues_from(exc: ValidationError) -> list[ExpressionIssue]:
    issues: list[ExpressionIssue] = []
    seen: set[str] = set()
    for error in exc.errors():
        path = _json_path(error["loc"])
        if path in seen:  # a failed union reports once per member; one message per node is enough
            continue
        seen.add(path)
        issues.append(ExpressionIssue(path=path, message=_readable(error)))
    return issues


def _json_path(loc: tuple[int | str, ...]) -> str:
    path = "$"
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part not in NODE_KINDS:  # skip pydantic's discriminator tags
            path += f".{part}"
    return path


def _readable(error: Any) -> str:
    kind = error["type"]
    if kind == "too_short":
        return "must hold at least one condition"
    if kind == "extra_forbidden":
        return "unexpected key"
    if kind == "missing":
        return "required key is missing"
    if kind == "value_error":
        return str(error["ctx"]["error"])
    return str(error["msg"])
