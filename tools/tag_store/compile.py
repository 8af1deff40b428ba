"""Compile an audience expression to a parameterised DuckDB ``WHERE`` clause.

Values never enter the SQL text: every one becomes a named parameter (``$p0``, ``$p1``...). Column names do,
but only tag codes, which the catalog restricts to ``[a-z][a-z0-9_]*``, and they are quoted anyway.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from tools.tag_store.catalog import TagCatalog
from tools.tag_store.nodes import (
    AndNode,
    AudienceExpression,
    Node,
    NotContacted,
    NotNode,
    OrNode,
    Scalar,
    TagCondition,
)
from tools.tag_store.tags import ORDERED_CATEGORY_OPS, TagDef

_COMPARISON = {"eq": "=", "ne": "<>", "gte": ">=", "lte": "<="}


@dataclass
class ParamBag:
    """Collects query parameters and hands out DuckDB named placeholders."""

    values: dict[str, Any] = field(default_factory=dict)

    def add(self, value: Any) -> str:
        name = f"p{len(self.values)}"
        self.values[name] = value
        return f"${name}"

    def add_all(self, values: list[Any]) -> str:
        """Placeholders for an ``IN (...)`` list."""
        return ", ".join(self.add(value) for value in values)


@dataclass(frozen=True)
class CompiledQuery:
    """SQL text with ``$name`` placeholders and the values to bind."""

    sql: str
    params: dict[str, Any]


def column(code: str, alias: str = "c") -> str:
    return f'{alias}."{code}"'


def day_start(day: date) -> datetime:
    """Midnight at the start of ``day``; contact windows count whole days back from it."""
    return datetime.combine(day, time.min)


def compile_where(
    expression: AudienceExpression | Node,
    catalog: TagCatalog,
    params: ParamBag,
    *,
    today: date,
    alias: str = "c",
) -> str:
    """The boolean SQL for ``expression`` over ``customers AS {alias}``; values go into ``params``."""
    node = expression.root if isinstance(expression, AudienceExpression) else expression
    return _Compiler(catalog, params, today, alias).node(node)


def compile_count(expression: AudienceExpression, catalog: TagCatalog, *, today: date) -> CompiledQuery:
    """``SELECT count(*)`` of the customers matching ``expression`` (no policy exclusions)."""
    params = ParamBag()
    where = compile_where(expression, catalog, params, today=today)
    return CompiledQuery(f"SELECT count(*) FROM customers AS c WHERE {where}", params.values)


@dataclass(frozen=True)
class _Compiler:
    catalog: TagCatalog
    params: ParamBag
    today: date
    alias: str

    def node(self, node: Node) -> str:
        if isinstance(node, AndNode):
            return "(" + " AND ".join(self.node(item) for item in node.items) + ")"
        if isinstance(node, OrNode):
            return "(" + " OR ".join(self.node(item) for item in node.items) + ")"
        if isinstance(node, NotNode):
            return f"(NOT {self.node(node.operand)})"
        if isinstance(node, NotContacted):
            return self.not_contacted(node)
        return self.condition(node)

    def not_contacted(self, node: NotContacted) -> str:
        window = node.not_contacted
        since = day_start(self.today - timedelta(days=window.days))
        return (
            "(NOT EXISTS (SELECT 1 FROM contact_history AS h "
            f"WHERE h.customer_id = {self.alias}.customer_id AND h.channel = {self.params.add(window.channel)} "
            f"AND h.contacted_at >= {self.params.add(since)}))"
        )

    def condition(self, condition: TagCondition) -> str:
        tag = self.catalog.require(condition.tag)
        col = column(tag.code, self.alias)
        if condition.op == "exists":
            return f"({col} IS NOT NULL)"
        predicate = self.predicate(tag, col, condition)
        # A nullable column makes SQL three-valued; the guard keeps every leaf true/false so that
        # NOT means "everyone else" (customers with an unknown value included).
        return f"({col} IS NOT NULL AND {predicate})" if tag.nullable else f"({predicate})"

    def predicate(self, tag: TagDef, col: str, condition: TagCondition) -> str:
        op, value = condition.op, condition.value
        if tag.type == "category" and op in ORDERED_CATEGORY_OPS:
            return f"{col} IN ({self.params.add_all(_ordered_values(tag, op, value))})"
        if op == "within_days":
            assert isinstance(value, int)
            since = self.today - timedelta(days=value)
            return f"{col} BETWEEN {self.params.add(since)} AND {self.params.add(self.today)}"
        values = [_sql_value(tag, item) for item in (value if isinstance(value, list) else [value])]
        if op == "in":
            return f"{col} IN ({self.params.add_all(values)})"
        if op == "between":
            return f"{col} BETWEEN {self.params.add(values[0])} AND {self.params.add(values[1])}"
        return f"{col} {_COMPARISON[op]} {self.params.add(values[0])}"


def _sql_value(tag: TagDef, value: Scalar | None) -> Any:
    return date.fromisoformat(value) if tag.type == "date" and isinstance(value, str) else value


def _ordered_values(tag: TagDef, op: str, value: Any) -> list[str]:
    """The slice of an ordered category's values that a range operator selects."""
    if op == "between":
        low, high = tag.values.index(value[0]), tag.values.index(value[1])
    elif op == "gte":
        low, high = tag.values.index(value), len(tag.values) - 1
    else:
        low, high = 0, tag.values.index(value)
    return list(tag.values[low : high + 1])
