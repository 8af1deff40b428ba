"""Audience SQL for other engines: the DuckDB query of :mod:`tools.tag_store.compile`, transpiled with SQLGlot.

DuckDB stays the source of truth: the expression is compiled once to DuckDB SQL with ``$pN`` placeholders,
parsed by SQLGlot, adjusted where an engine needs a different shape, and printed in the target dialect.

Parameters:

* ``duckdb`` and ``postgres`` keep named parameters (``$p0`` / psycopg's ``%(p0)s``), so no value ever
  enters the SQL text.
* ``clickhouse``, ``doris`` and ``starrocks`` get the values inlined as SQLGlot literal nodes, escaped by the
  target dialect's generator (quotes and backslashes alike): chdb and ClickHouse's HTTP queries take a bare
  SQL string, and the MySQL protocol Doris and StarRocks speak only has positional ``?`` placeholders. Only
  typed values (bool, int, finite float, str, date, datetime) are accepted; anything else raises.

Engine-specific shape: ClickHouse does not run correlated subqueries (experimental at best), so the
contact-history anti-join ``NOT EXISTS (SELECT 1 FROM contact_history AS h WHERE h.customer_id =
c.customer_id AND ...)`` becomes ``NOT c.customer_id IN (SELECT h.customer_id FROM contact_history AS h
WHERE ...)``; both ids are NOT NULL, so the two forms select the same customers.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any, Literal, get_args

import sqlglot
from sqlglot import exp

from tools.tag_store.catalog import TagCatalog
from tools.tag_store.compile import CompiledQuery, ParamBag, compile_count, compile_where
from tools.tag_store.nodes import AudienceExpression, Node

Dialect = Literal["duckdb", "postgres", "clickhouse", "doris", "starrocks"]
DIALECTS: tuple[Dialect, ...] = get_args(Dialect)
# Dialects whose usual Python drivers bind named parameters; the others get safely inlined literals.
NAMED_PARAMETER_DIALECTS: frozenset[Dialect] = frozenset({"duckdb", "postgres"})
_SOURCE_DIALECT = "duckdb"


class DialectError(ValueError):
    """An unknown dialect, or a parameter value that cannot be written as a SQL literal."""


def compile_for(
    expression: AudienceExpression, catalog: TagCatalog, dialect: Dialect, *, today: date
) -> CompiledQuery:
    """``SELECT count(*)`` of the customers matching ``expression``, in ``dialect`` (no policy exclusions).

    For ``duckdb`` this is exactly :func:`tools.tag_store.compile.compile_count`'s output.
    """
    return transpile(compile_count(expression, catalog, today=today), dialect)


def compile_where_for(
    expression: AudienceExpression | Node, catalog: TagCatalog, dialect: Dialect, *, today: date
) -> CompiledQuery:
    """Only the boolean condition over ``customers AS c``, in ``dialect``, for embedding in larger queries."""
    params = ParamBag()
    where = compile_where(expression, catalog, params, today=today)
    return transpile(CompiledQuery(where, params.values), dialect, fragment=True)


def transpile(query: CompiledQuery, dialect: Dialect, *, fragment: bool = False) -> CompiledQuery:
    """Rewrite a DuckDB query (``$name`` placeholders) for ``dialect``; ``fragment``: a bare condition."""
    _check_dialect(dialect)
    if dialect == _SOURCE_DIALECT:
        return query
    tree = sqlglot.parse_one(query.sql, read=_SOURCE_DIALECT, into=exp.Condition if fragment else None)
    if dialect == "clickhouse":
        tree = anti_joins_as_not_in(tree)
    if dialect in NAMED_PARAMETER_DIALECTS:
        _check_placeholders(tree, query.params)
        return CompiledQuery(tree.sql(dialect=dialect), dict(query.params))
    return CompiledQuery(inline_parameters(tree, query.params).sql(dialect=dialect), {})


def inline_parameters(tree: exp.Expr, params: dict[str, Any]) -> exp.Expr:
    """A copy of ``tree`` with every ``$name`` placeholder replaced by a literal node of its value."""
    _check_placeholders(tree, params)

    def replace(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Placeholder):
            return literal(params[str(node.name)])
        return node

    return tree.copy().transform(replace)


def literal(value: Any) -> exp.Expr:
    """A SQLGlot node for one parameter value; the target dialect's generator does the escaping."""
    if isinstance(value, bool):  # before int: bool is an int subclass
        return exp.Boolean(this=value)
    if isinstance(value, int):
        return exp.Literal.number(str(value))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise DialectError(f"cannot write the non-finite number {value!r} as a SQL literal")
        return exp.Literal.number(repr(value))
    if isinstance(value, str):
        return exp.Literal.string(value)
    if isinstance(value, datetime):  # before date: datetime is a date subclass
        text = value.isoformat(sep=" ", timespec="microseconds" if value.microsecond else "seconds")
        return _typed_string(text, exp.DType.TIMESTAMP)
    if isinstance(value, date):
        return _typed_string(value.isoformat(), exp.DType.DATE)
    raise DialectError(f"cannot write a {type(value).__name__} value as a SQL literal: {value!r}")


def _typed_string(text: str, type_: exp.DType) -> exp.Expr:
    # nullable=False keeps ClickHouse from printing CAST(... AS Nullable(Date)) for a constant.
    return exp.Cast(this=exp.Literal.string(text), to=exp.DataType(this=type_, nullable=False))


def anti_joins_as_not_in(tree: exp.Expr) -> exp.Expr:
    """A copy of ``tree`` with each correlated ``EXISTS (... WHERE inner.id = outer.id AND rest)`` as ``IN``."""

    def replace(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Exists):
            return _exists_as_in(node)
        return node

    return tree.copy().transform(replace)


def _exists_as_in(node: exp.Exists) -> exp.Expr:
    select = node.this
    where = select.args.get("where") if isinstance(select, exp.Select) else None
    if not isinstance(select, exp.Select) or where is None:
        return node
    conjuncts = list(where.this.flatten()) if isinstance(where.this, exp.And) else [where.this]
    inner_tables = {source.alias_or_name for source in select.find_all(exp.Table)}
    for index, conjunct in enumerate(conjuncts):
        pair = _correlation(conjunct, inner_tables)
        if pair is None:
            continue
        inner, outer = pair
        rest = conjuncts[:index] + conjuncts[index + 1 :]
        subquery = select.copy().select(inner.copy(), append=False)
        subquery.set("where", exp.Where(this=exp.and_(*rest)) if rest else None)
        return exp.In(this=outer.copy(), query=exp.Subquery(this=subquery))
    return node


def _correlation(conjunct: exp.Expr, inner_tables: set[str]) -> tuple[exp.Column, exp.Column] | None:
    """(inner column, outer column) when ``conjunct`` is ``inner.col = outer.col``."""
    if not isinstance(conjunct, exp.EQ):
        return None
    left, right = conjunct.this, conjunct.expression
    if not (isinstance(left, exp.Column) and isinstance(right, exp.Column)):
        return None
    if left.table in inner_tables and right.table not in inner_tables:
        return left, right
    if right.table in inner_tables and left.table not in inner_tables:
        return right, left
    return None


def _check_dialect(dialect: str) -> None:
    if dialect not in DIALECTS:
        raise DialectError(f"unknown SQL dialect {dialect!r}; expected one of {', '.join(DIALECTS)}")


def _check_placeholders(tree: exp.Expr, params: dict[str, Any]) -> None:
    names = {str(node.name) for node in tree.find_all(exp.Placeholder)}
    missing = sorted(names - params.keys())
    if missing:
        raise DialectError(f"the query uses placeholders without values: {', '.join(missing)}")
