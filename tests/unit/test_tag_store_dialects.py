"""Audience SQL in every dialect: DuckDB unchanged, PostgreSQL parameterised, others inlined and golden.

Golden files: ``tests/unit/snapshots/dialects/<dialect>.sql`` hold the compiled COUNT SQL of ``CASES`` for
ClickHouse, Doris and StarRocks. After an intended change to the compiler or the catalog, regenerate them with

    UPDATE_DIALECT_SNAPSHOTS=1 .venv/bin/pytest tests/unit/test_tag_store_dialects.py -k golden

and review the diff. ``CASES`` is also the fixed list the PostgreSQL agreement test
(``tests/integration/test_tag_store_postgres.py``) runs on both engines.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import closing
from datetime import date
from pathlib import Path
from typing import Any, get_args

import duckdb
import numpy as np
import pytest
import sqlglot
from sqlglot import exp

from tools.tag_store import TagCatalog, validate_expression
from tools.tag_store.compile import CompiledQuery, compile_count
from tools.tag_store.demo_customers import generate_customers
from tools.tag_store.demo_data import build_demo_tag_store
from tools.tag_store.dialects import (
    DIALECTS,
    DialectError,
    anti_joins_as_not_in,
    compile_for,
    compile_where_for,
    inline_parameters,
    literal,
    transpile,
)
from tools.tag_store.nodes import AndNode, NotContacted, NotNode, OrNode, TagCondition, iter_conditions
from tools.tag_store.tags import Op

AS_OF = date(2025, 6, 30)
SNAPSHOT_DIR = Path(__file__).parent / "snapshots" / "dialects"
GOLDEN_DIALECTS = ("clickhouse", "doris", "starrocks")
INLINED_DIALECTS = ("clickhouse", "doris", "starrocks")

# Every operator, node kind and tag type; nullable columns with and without NOT; contact-history anti-joins.
CASES: dict[str, dict[str, Any]] = {
    "bool_eq": {"tag": "credit_granted", "op": "eq", "value": True},
    "bool_ne": {"tag": "credit_drawn", "op": "ne", "value": True},
    "granted_not_drawn": {"and": [{"tag": "credit_granted", "op": "eq", "value": True},
                                  {"tag": "credit_drawn", "op": "eq", "value": False}]},
    "int_between": {"tag": "age", "op": "between", "value": [25, 35]},
    "float_gte": {"tag": "aum", "op": "gte", "value": 50000.5},
    "nullable_int_lte": {"tag": "last_login_days", "op": "lte", "value": 29},
    "not_nullable_int_lte": {"not": {"tag": "last_login_days", "op": "lte", "value": 29}},
    "int_in": {"tag": "birthday_month", "op": "in", "value": [1, 2, 3]},
    "nullable_int_eq": {"tag": "card_bill_day", "op": "eq", "value": 10},
    "int_ne": {"tag": "app_active_days_30", "op": "ne", "value": 0},
    "category_in": {"tag": "city", "op": "in", "value": ["上海", "北京", "深圳"]},
    "nullable_category_eq": {"tag": "preferred_channel", "op": "eq", "value": "网点柜面"},
    "nullable_category_ne": {"tag": "occupation", "op": "ne", "value": "学生"},
    "not_nullable_category_in": {"not": {"tag": "preferred_channel", "op": "in", "value": ["移动端"]}},
    "ordered_gte": {"tag": "value_tier", "op": "gte", "value": "V3"},
    "ordered_nullable_between": {"tag": "risk_level", "op": "between", "value": ["C2", "C4"]},
    "ordered_nullable_lte": {"tag": "risk_level", "op": "lte", "value": "C2"},
    "exists": {"tag": "credit_limit", "op": "exists"},
    "not_exists": {"not": {"tag": "risk_level", "op": "exists"}},
    "nullable_date_within_days": {"tag": "last_txn_date", "op": "within_days", "value": 30},
    "date_between": {"tag": "account_open_date", "op": "between", "value": ["2020-01-01", "2023-12-31"]},
    "nullable_date_gte": {"tag": "risk_test_expiry", "op": "gte", "value": "2025-06-30"},
    "date_lte": {"tag": "account_open_date", "op": "lte", "value": "2015-01-01"},
    "or_nested": {"or": [{"tag": "has_wealth", "op": "eq", "value": True},
                         {"tag": "has_fund", "op": "eq", "value": True},
                         {"and": [{"tag": "wealth_maturing_90d", "op": "gte", "value": 50000},
                                  {"not": {"tag": "complaint_12m", "op": "eq", "value": True}}]}]},
    "not_contacted_sms_7": {"not_contacted": {"channel": "sms", "days": 7}},
    "contacted_push_14": {"not": {"not_contacted": {"channel": "push", "days": 14}}},
    "mixed": {"and": [{"or": [{"tag": "city", "op": "in", "value": ["广州", "成都"]},
                              {"tag": "city_tier", "op": "eq", "value": "一线"}]},
                      {"not": {"or": [{"tag": "is_student", "op": "eq", "value": True},
                                      {"tag": "age", "op": "lte", "value": 22}]}},
                      {"not_contacted": {"channel": "call_script", "days": 30}},
                      {"tag": "mobile_txn_count_30", "op": "between", "value": [1, 19]}]},
}  # fmt: skip


@pytest.fixture(scope="module")
def catalog() -> TagCatalog:
    return TagCatalog.default()


@pytest.fixture(scope="module")
def store(
    tmp_path_factory: pytest.TempPathFactory, catalog: TagCatalog
) -> Iterator[duckdb.DuckDBPyConnection]:
    path = tmp_path_factory.mktemp("dialects") / "store.duckdb"
    build_demo_tag_store(path, customers=3_000, seed=11, as_of=AS_OF, catalog=catalog)
    with closing(duckdb.connect(str(path), read_only=True)) as connection:
        yield connection


def _count(connection: duckdb.DuckDBPyConnection, query: CompiledQuery) -> int:
    row = connection.execute(query.sql, query.params).fetchone()
    assert row is not None
    return int(row[0])


def _duckdb_query(case: str, catalog: TagCatalog) -> CompiledQuery:
    return compile_count(validate_expression(CASES[case], catalog), catalog, today=AS_OF)


def test_the_cases_cover_every_operator_and_node_kind(catalog: TagCatalog) -> None:
    expressions = [validate_expression(raw, catalog) for raw in CASES.values()]
    ops = {condition.op for e in expressions for condition in iter_conditions(e.root)}
    assert ops == set(get_args(Op))
    kinds: set[type] = set()
    for raw in CASES.values():
        kinds |= _node_kinds(validate_expression(raw, catalog).root)
    assert kinds == {AndNode, OrNode, NotNode, TagCondition, NotContacted}
    types = {catalog.require(code).type for e in expressions for code in e.tag_codes()}
    assert types == {"bool", "number", "category", "date"}


def _node_kinds(node: Any) -> set[type]:
    children = getattr(node, "items", None) or ([node.operand] if isinstance(node, NotNode) else [])
    return {type(node)}.union(*(_node_kinds(child) for child in children))


@pytest.mark.parametrize("case", list(CASES))
def test_every_case_selects_some_but_not_all(case: str, catalog: TagCatalog, store: Any) -> None:
    # A case that matches nobody or everybody would let the agreement tests pass vacuously.
    assert 0 < _count(store, _duckdb_query(case, catalog)) < 3_000


@pytest.mark.parametrize("case", list(CASES))
def test_duckdb_output_is_exactly_compile_count(case: str, catalog: TagCatalog) -> None:
    expression = validate_expression(CASES[case], catalog)
    assert compile_for(expression, catalog, "duckdb", today=AS_OF) == _duckdb_query(case, catalog)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_output_parses_back_in_its_own_dialect(dialect: str, catalog: TagCatalog) -> None:
    for case, raw in CASES.items():
        sql = compile_for(validate_expression(raw, catalog), catalog, dialect, today=AS_OF).sql  # type: ignore[arg-type]
        reparsed = sqlglot.parse_one(sql, read=dialect)
        assert isinstance(reparsed, exp.Select), case
        if dialect != "duckdb":  # DuckDB SQL is compile.py's own text, not SQLGlot's printout
            assert reparsed.sql(dialect=dialect) == sql, case


def test_postgres_keeps_values_out_of_the_sql(catalog: TagCatalog) -> None:
    query = compile_for(validate_expression(CASES["mixed"], catalog), catalog, "postgres", today=AS_OF)
    assert "%(p0)s" in query.sql and "广州" not in query.sql and "'" not in query.sql
    assert query.params == _duckdb_query("mixed", catalog).params
    assert "NOT EXISTS" in query.sql


@pytest.mark.parametrize("dialect", INLINED_DIALECTS)
def test_inlined_dialects_carry_no_placeholders(dialect: str, catalog: TagCatalog) -> None:
    query = compile_for(validate_expression(CASES["mixed"], catalog), catalog, dialect, today=AS_OF)  # type: ignore[arg-type]
    assert query.params == {}
    assert "'广州'" in query.sql and "$p" not in query.sql and ":p" not in query.sql
    assert not list(sqlglot.parse_one(query.sql, read=dialect).find_all(exp.Placeholder))


def test_clickhouse_has_no_correlated_subquery(catalog: TagCatalog) -> None:
    sql = compile_for(validate_expression(CASES["mixed"], catalog), catalog, "clickhouse", today=AS_OF).sql
    assert "EXISTS" not in sql
    assert "NOT (c.customer_id IN (SELECT h.customer_id FROM contact_history AS h WHERE h.channel = " in sql


@pytest.mark.parametrize("case", list(CASES))
def test_rewrites_select_the_same_customers_on_duckdb(case: str, catalog: TagCatalog, store: Any) -> None:
    """The anti-join rewrite and the inlined literals, printed back as DuckDB SQL, count the same."""
    original = _duckdb_query(case, catalog)
    tree = sqlglot.parse_one(original.sql, read="duckdb")
    rewritten = CompiledQuery(anti_joins_as_not_in(tree).sql(dialect="duckdb"), original.params)
    inlined = CompiledQuery(inline_parameters(tree, original.params).sql(dialect="duckdb"), {})
    expected = _count(store, original)
    assert _count(store, rewritten) == expected
    assert _count(store, inlined) == expected


@pytest.mark.parametrize("dialect", GOLDEN_DIALECTS)
def test_golden_sql(dialect: str, catalog: TagCatalog) -> None:
    rendered = "".join(
        f"-- {case}\n{compile_for(validate_expression(raw, catalog), catalog, dialect, today=AS_OF).sql};\n\n"  # type: ignore[arg-type]
        for case, raw in CASES.items()
    )
    golden = SNAPSHOT_DIR / f"{dialect}.sql"
    if os.environ.get("UPDATE_DIALECT_SNAPSHOTS") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(rendered, encoding="utf-8")
    assert golden.read_text(encoding="utf-8") == rendered


def _catalog_with_value(value: str) -> TagCatalog:
    tag = {"code": "segment", "name": "分群", "type": "category", "values": ["普通", value],
           "refresh": "T+1", "definition": "测试用分群。"}  # fmt: skip
    return TagCatalog.from_data({"version": 1, "tags": [tag]})


@pytest.mark.parametrize("dialect", INLINED_DIALECTS)
def test_quotes_and_backslashes_survive_inlining(dialect: str) -> None:
    nasty = "O'Brien\\' OR 1=1 --"
    catalog = _catalog_with_value(nasty)
    expression = validate_expression({"tag": "segment", "op": "eq", "value": nasty}, catalog)
    sql = compile_for(expression, catalog, dialect, today=AS_OF).sql  # type: ignore[arg-type]
    literals = [node.this for node in sqlglot.parse_one(sql, read=dialect).find_all(exp.Literal)]
    assert literals == [nasty]


def test_where_fragment_for_every_dialect(catalog: TagCatalog) -> None:
    expression = validate_expression(CASES["granted_not_drawn"], catalog)
    assert compile_where_for(expression, catalog, "doris", today=AS_OF).sql == (
        "((c.`credit_granted` = TRUE) AND (c.`credit_drawn` = FALSE))"
    )
    postgres = compile_where_for(expression, catalog, "postgres", today=AS_OF)
    assert postgres.sql == '((c."credit_granted" = %(p0)s) AND (c."credit_drawn" = %(p1)s))'
    assert postgres.params == {"p0": True, "p1": False}


def test_literals_reject_values_that_are_not_plain_sql(catalog: TagCatalog) -> None:
    assert literal(True).sql() == "TRUE" and literal(7).sql() == "7"
    for bad in (float("nan"), float("inf"), b"bytes", None, [1]):
        with pytest.raises(DialectError):
            literal(bad)
    with pytest.raises(DialectError, match="unknown SQL dialect 'oracle'"):
        transpile(_duckdb_query("bool_eq", catalog), "oracle")  # type: ignore[arg-type]
    with pytest.raises(DialectError, match="placeholders without values: p0"):
        transpile(CompiledQuery("SELECT 1 WHERE 1 = $p0", {}), "doris")


# ----- catalog additions and the demo data behind them -----

# SHA-256 of the 37 columns that existed before the later tags, for seed 7, chunk 0, 5,000 customers.
# The audience eval compares id sets on a seed-7 store, so these must never change by accident.
_ORIGINAL_COLUMNS_SHA256 = "f060020737a9f38ed8c72d01335c1ff7d4e2666f27bff5f2e2b9ca409b0cb118"
_LATER_TAGS = (
    "card_bill_day",
    "wealth_maturing_90d",
    "mobile_txn_count_30",
    "preferred_channel",
    "complaint_12m",
)


def test_later_tags_leave_the_original_columns_unchanged() -> None:
    chunk = generate_customers(np.random.default_rng([7, 0]), 5_000)
    digest = hashlib.sha256()
    for name in sorted(set(chunk.arrays) - set(_LATER_TAGS)):
        digest.update(name.encode())
        digest.update(np.ascontiguousarray(chunk.arrays[name]).tobytes())
    for name in sorted(set(chunk.text) - set(_LATER_TAGS)):
        digest.update(name.encode())
        digest.update(repr(chunk.text[name].labels).encode())
        digest.update(chunk.text[name].codes.tobytes())
    assert digest.hexdigest() == _ORIGINAL_COLUMNS_SHA256
    assert set(_LATER_TAGS) <= chunk.columns()


def test_later_tags_are_consistent_with_the_rest(catalog: TagCatalog, store: Any) -> None:
    assert len(catalog) >= 40
    inconsistent = store.execute(
        "SELECT count(*) FILTER (WHERE (card_bill_day IS NULL) = has_credit_card OR card_bill_day NOT BETWEEN 1 AND 28),"
        " count(*) FILTER (WHERE wealth_maturing_90d > 0 AND NOT has_wealth),"
        " count(*) FILTER (WHERE mobile_txn_count_30 > 0 AND app_active_days_30 = 0),"
        " count(*) FILTER (WHERE preferred_channel = '移动端' AND NOT has_mobile_banking)"
        " FROM customers"
    ).fetchone()
    assert inconsistent == (0, 0, 0, 0)
    rates = store.execute(
        "SELECT avg(complaint_12m::INT), avg((preferred_channel IS NULL)::INT), avg((wealth_maturing_90d > 0)::INT)"
        " FROM customers"
    ).fetchone()
    assert 0.005 < rates[0] < 0.05 and 0.05 < rates[1] < 0.4 and 0.02 < rates[2] < 0.15
