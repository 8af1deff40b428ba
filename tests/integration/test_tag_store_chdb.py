"""Cross-engine agreement: the same audience expressions counted by DuckDB and by ClickHouse's engine (chdb).

A 3,000-customer demo store is exported to Parquet and loaded into an in-process chdb session as MergeTree-free
Memory tables; every fixed expression is compiled once per dialect (ClickHouse SQL with inlined literals through
SQLGlot) and must count the same customers as DuckDB.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from chdb import session as chdb_session

from tests.unit.test_tag_store_dialects import AS_OF, CASES
from tools.tag_store import TagCatalog, validate_expression
from tools.tag_store.demo_data import build_demo_tag_store
from tools.tag_store.dialects import compile_for

CUSTOMERS = 3_000


@pytest.fixture(scope="module")
def engines(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[duckdb.DuckDBPyConnection, object]]:
    folder = tmp_path_factory.mktemp("chdb")
    store = folder / "tags.duckdb"
    build_demo_tag_store(store, customers=CUSTOMERS, seed=11, as_of=AS_OF)
    local = duckdb.connect(str(store), read_only=True)
    exports = {
        "customers": "SELECT * FROM customers",
        "contact_history": "SELECT customer_id, CAST(channel AS VARCHAR) AS channel, contacted_at, campaign_id "
        "FROM contact_history",
    }
    clickhouse = chdb_session.Session(str(folder / "chdb-session"))
    for table, select in exports.items():
        parquet = folder / f"{table}.parquet"
        local.execute(f"COPY ({select}) TO '{parquet}' (FORMAT PARQUET)")
        clickhouse.query(
            f"CREATE TABLE {table} ENGINE = Memory AS SELECT * FROM file('{_quoted(parquet)}', Parquet)"
        )
    try:
        yield local, clickhouse
    finally:
        clickhouse.close()
        local.close()


def _quoted(path: Path) -> str:
    return str(path).replace("\\", "\\\\").replace("'", "\\'")


def _count(clickhouse: object, sql: str) -> int:
    result = clickhouse.query(sql, "CSV")  # type: ignore[attr-defined]
    return int(str(result).strip().strip('"'))


def test_the_copy_is_complete(engines):
    local, clickhouse = engines
    for table in ("customers", "contact_history"):
        expected = local.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        assert expected > 0 and _count(clickhouse, f"SELECT count(*) FROM {table}") == expected


@pytest.mark.parametrize("case", list(CASES))
def test_clickhouse_counts_like_duckdb(case, engines):
    local, clickhouse = engines
    catalog = TagCatalog.default()
    expression = validate_expression(CASES[case], catalog)
    duck = compile_for(expression, catalog, "duckdb", today=AS_OF)
    expected = local.execute(duck.sql, duck.params).fetchone()[0]
    assert 0 < expected < CUSTOMERS  # a vacuous case would prove nothing
    clickhouse_sql = compile_for(expression, catalog, "clickhouse", today=AS_OF).sql
    assert _count(clickhouse, clickhouse_sql) == expected, clickhouse_sql
