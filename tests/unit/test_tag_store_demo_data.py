"""Demo tag store: deterministic per seed, chunked with progress, atomic rebuild, plausible population."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from tools.tag_store import DEFAULT_CATALOG_PATH, DemoDataError, TagCatalog, build_demo_tag_store

AS_OF = date(2026, 11, 20)
TABLES = ("customers", "contact_history", "opt_outs", "do_not_call")


def _dump(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    with duckdb.connect(str(path), read_only=True) as connection:
        return {
            table: connection.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall() for table in TABLES
        }


def _scalar(path: Path, sql: str) -> Any:
    with duckdb.connect(str(path), read_only=True) as connection:
        row = connection.execute(sql).fetchone()
    assert row is not None
    return row[0]


@pytest.fixture(scope="module")
def population(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("population") / "tags.duckdb"
    build_demo_tag_store(path, customers=20_000, seed=3, as_of=AS_OF)
    return path


def test_same_seed_same_data_and_progress_per_chunk(tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    first = build_demo_tag_store(
        tmp_path / "a.duckdb",
        2_500,
        5,
        lambda done, total: calls.append((done, total)),
        as_of=AS_OF,
        chunk_size=1_000,
    )
    second = build_demo_tag_store(tmp_path / "b.duckdb", 2_500, 5, as_of=AS_OF, chunk_size=1_000)
    other = build_demo_tag_store(tmp_path / "c.duckdb", 2_500, 6, as_of=AS_OF, chunk_size=1_000)
    assert calls == [(1_000, 2_500), (2_000, 2_500), (2_500, 2_500)]
    assert _dump(tmp_path / "a.duckdb") == _dump(tmp_path / "b.duckdb")
    assert _dump(tmp_path / "a.duckdb") != _dump(tmp_path / "c.duckdb")
    assert first.model_dump(exclude={"path"}) == second.model_dump(exclude={"path"})
    assert first.customers == 2_500 and other.prevalence != first.prevalence


def test_rebuild_replaces_the_file_atomically(tmp_path: Path) -> None:
    path = tmp_path / "store" / "tags.duckdb"
    build_demo_tag_store(path, customers=300, seed=1, as_of=AS_OF)
    build_demo_tag_store(path, customers=400, seed=1, as_of=AS_OF)
    assert _scalar(path, "SELECT count(*) FROM customers") == 400
    assert sorted(p.name for p in path.parent.iterdir()) == ["tags.duckdb"]  # no temp file, no WAL left


def test_ids_are_dense_and_every_catalog_tag_is_a_column(population: Path) -> None:
    catalog = TagCatalog.default()
    with duckdb.connect(str(population), read_only=True) as connection:
        columns = {row[0]: row[1] for row in connection.execute("DESCRIBE customers").fetchall()}
        ids = connection.execute(
            "SELECT min(customer_id), max(customer_id), count(DISTINCT customer_id) FROM customers"
        ).fetchone()
    assert ids == (1, 20_000, 20_000)
    assert set(catalog.codes) <= set(columns)
    assert columns["city"].startswith("ENUM(") and columns["age"] == "INTEGER" and columns["aum"] == "DOUBLE"
    assert columns["risk_test_expiry"] == "DATE"


def _share(path: Path, condition: str) -> float:
    return float(_scalar(path, f"SELECT avg(CASE WHEN {condition} THEN 1.0 ELSE 0 END) FROM customers"))


def test_population_shares_are_plausible(population: Path) -> None:
    assert 0.02 <= _share(population, "is_overdue") <= 0.045
    assert 0.06 <= _share(population, "NOT marketing_consent") <= 0.10
    assert 0.006 <= _scalar(population, "SELECT count(DISTINCT customer_id) / 20000 FROM opt_outs") <= 0.014
    active_dnc = f"SELECT count(*) / 20000 FROM do_not_call WHERE until >= DATE '{AS_OF}'"
    assert 0.003 <= _scalar(population, active_dnc) <= 0.008
    undrawn = _scalar(
        population,
        "SELECT avg(CASE WHEN credit_drawn THEN 0.0 ELSE 1 END) FROM customers WHERE credit_granted",
    )
    assert undrawn > 0.5  # 授信未借款 is most of the credit book


def test_students_are_young_cautious_and_rarely_granted_credit(population: Path) -> None:
    assert _scalar(population, "SELECT max(age) FROM customers WHERE is_student") <= 29
    levels = _scalar(
        population,
        "SELECT list(DISTINCT risk_level ORDER BY risk_level) FROM customers WHERE is_student AND risk_level IS NOT NULL",
    )
    assert levels == ["C1", "C2"]
    granted = _scalar(
        population, "SELECT avg(CASE WHEN credit_granted THEN 1.0 ELSE 0 END) FROM customers WHERE is_student"
    )
    assert granted < 0.05


def test_value_tier_follows_aum_and_geography_is_consistent(population: Path) -> None:
    medians = _scalar(
        population,
        "SELECT list(m ORDER BY value_tier) FROM (SELECT value_tier, median(aum) AS m FROM customers GROUP BY 1)",
    )
    assert medians == sorted(medians) and len(medians) == 6
    assert (
        _scalar(population, "SELECT count(*) FROM customers WHERE city = '广州' AND province <> '广东'") == 0
    )
    assert (
        _scalar(
            population,
            "SELECT count(*) FROM customers WHERE NOT regexp_full_match(name_masked, surname || '\\*{1,2}')",
        )
        == 0
    )


def test_catalog_tag_without_generator_is_refused(tmp_path: Path) -> None:
    document = copy.deepcopy(yaml.safe_load(DEFAULT_CATALOG_PATH.read_text(encoding="utf-8")))
    document["tags"].append(
        {"code": "pet_owner", "name": "养宠物", "type": "bool", "refresh": "T+1", "definition": "虚构"}
    )
    catalog = TagCatalog.from_data(document)
    with pytest.raises(DemoDataError, match=r"no data for catalog tag\(s\) \['pet_owner'\]"):
        build_demo_tag_store(tmp_path / "x.duckdb", customers=10, as_of=AS_OF, catalog=catalog)
    assert list(tmp_path.iterdir()) == []  # the failed build left nothing behind
    with pytest.raises(DemoDataError, match="customers must be at least 1"):
        build_demo_tag_store(tmp_path / "x.duckdb", customers=0)
