"""Bitmap index vs DuckDB: the same counts and ids for every supported expression, DuckDB for the rest.

The reference is the SQL compiler itself (``TagStore.count`` and ``compile_where``), so NULL handling, band
edges and NOT are checked against exactly what the store of record answers.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from tools.tag_store import (
    AudienceExpression,
    ParamBag,
    TagCatalog,
    TagStore,
    build_demo_tag_store,
    compile_count,
    compile_where,
)
from tools.tag_store import validate_expression as validate
from tools.tag_store.bitmap import BitmapIndex, BitmapIndexError, UnsupportedExpressionError
from tools.tag_store.bitmap_layout import IndexedTag, index_layout
from tools.tag_store.bitmap_live import LiveCounter

AS_OF = date(2026, 11, 20)
CUSTOMERS = 5_000
CATALOG = TagCatalog.default()
LAYOUT = index_layout(CATALOG)
PROPERTY_SETTINGS = settings(max_examples=80, deadline=None, derandomize=True, database=None)


def _plain(number: float) -> int | float:
    return int(number) if float(number).is_integer() else number


def _leaf(code: str, op: str, value: Any = None) -> dict[str, Any]:
    return {"tag": code, "op": op} if op == "exists" else {"tag": code, "op": op, "value": value}


def _bool_leaves(tag: IndexedTag) -> SearchStrategy[dict[str, Any]]:
    return st.builds(
        lambda op, value: _leaf(tag.code, op, value), st.sampled_from(["eq", "ne"]), st.booleans()
    )


def _category_leaves(tag: IndexedTag) -> SearchStrategy[dict[str, Any]]:
    values = st.sampled_from(tag.values)
    options = [
        st.builds(lambda op, value: _leaf(tag.code, op, value), st.sampled_from(["eq", "ne"]), values),
        st.lists(values, min_size=1, max_size=4, unique=True).map(lambda items: _leaf(tag.code, "in", items)),
    ]
    if tag.ordered:
        options.append(
            st.builds(lambda op, value: _leaf(tag.code, op, value), st.sampled_from(["gte", "lte"]), values)
        )
        pairs = st.lists(st.integers(0, len(tag.values) - 1), min_size=2, max_size=2).map(sorted)
        options.append(
            pairs.map(lambda ab: _leaf(tag.code, "between", [tag.values[ab[0]], tag.values[ab[1]]]))
        )
    return st.one_of(options)


def _number_leaves(tag: IndexedTag) -> SearchStrategy[dict[str, Any]]:
    """Conditions on the preset band edges: the only numeric ones the index answers exactly."""
    edges = st.sampled_from([_plain(edge) for edge in tag.edges])
    options = [edges.map(lambda edge: _leaf(tag.code, "gte", edge))]
    if tag.integer:
        pairs = st.lists(st.sampled_from(tag.edges), min_size=2, max_size=2, unique=True).map(sorted)
        whole = st.integers(-5, 120)
        options += [
            edges.map(lambda edge: _leaf(tag.code, "lte", edge - 1)),
            pairs.map(lambda ab: _leaf(tag.code, "between", [_plain(ab[0]), _plain(ab[1] - 1)])),
            # Fractions select no whole number: empty intervals, exact whatever the edges.
            whole.map(lambda n: _leaf(tag.code, "between", [n + 0.25, n + 0.75])),
            whole.map(lambda n: _leaf(tag.code, "eq", n + 0.5)),
            whole.map(lambda n: _leaf(tag.code, "ne", n + 0.5)),
        ]
    return st.one_of(options)


def supported_leaf(tag: IndexedTag) -> SearchStrategy[dict[str, Any]]:
    """Any leaf on ``tag`` that the bitmap index answers exactly."""
    typed = {"bool": _bool_leaves, "category": _category_leaves, "number": _number_leaves}[tag.kind](tag)
    return st.one_of(st.just(_leaf(tag.code, "exists")), typed)


SUPPORTED_LEAVES = st.sampled_from(sorted(LAYOUT)).flatmap(lambda code: supported_leaf(LAYOUT[code]))


def boolean_trees(
    leaves: SearchStrategy[dict[str, Any]], max_leaves: int = 10
) -> SearchStrategy[dict[str, Any]]:
    """and/or/not trees over ``leaves`` (bounded size)."""
    return st.recursive(
        leaves,
        lambda children: st.one_of(
            st.lists(children, min_size=1, max_size=4).map(lambda items: {"and": items}),
            st.lists(children, min_size=1, max_size=4).map(lambda items: {"or": items}),
            children.map(lambda item: {"not": item}),
        ),
        max_leaves=max_leaves,
    )


UNSUPPORTED_LEAVES = st.one_of(
    st.integers(0, 2_000_000)
    .filter(lambda n: n not in LAYOUT["aum"].edges)
    .map(lambda n: _leaf("aum", "gte", n)),
    st.integers(1, 99)
    .map(lambda n: _leaf("age", "between", [n, n + 7]))
    .filter(lambda leaf: leaf["value"][0] not in LAYOUT["age"].edges),
    st.integers(1, 400).map(lambda n: _leaf("last_txn_date", "within_days", n)),
    st.builds(
        lambda channel, days: {"not_contacted": {"channel": channel, "days": days}},
        st.sampled_from(["sms", "push", "call_script"]),
        st.integers(1, 60),
    ),
)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> TagStore:
    path = tmp_path_factory.mktemp("bitmap") / "tags.duckdb"
    build_demo_tag_store(path, customers=CUSTOMERS, seed=5, as_of=AS_OF, catalog=CATALOG)
    return TagStore(path, CATALOG, today=AS_OF)


@pytest.fixture(scope="module")
def index(store: TagStore) -> BitmapIndex:
    # Small chunks: the id-range chunking is exercised by every test below.
    return BitmapIndex.build(store.path, CATALOG, chunk_size=1_234)


class DuckDBReference:
    """The store's own SQL (``compile_count`` is what ``TagStore.count`` runs) over one open connection.

    ``TagStore`` opens a connection per call (~40 ms); sharing one keeps a hundred examples fast.
    """

    def __init__(self, path: Path) -> None:
        self.connection = duckdb.connect(str(path), read_only=True)

    def count(self, expression: AudienceExpression) -> int:
        query = compile_count(expression, CATALOG, today=AS_OF)
        return int(self.connection.execute(query.sql, query.params).fetchall()[0][0])

    def ids(self, expression: AudienceExpression) -> set[int]:
        params = ParamBag()
        where = compile_where(expression, CATALOG, params, today=AS_OF)
        sql = f"SELECT customer_id FROM customers AS c WHERE {where}"
        return {int(row[0]) for row in self.connection.execute(sql, params.values).fetchall()}


@pytest.fixture(scope="module")
def reference(store: TagStore) -> Iterator[DuckDBReference]:
    checker = DuckDBReference(store.path)
    yield checker
    checker.connection.close()


@PROPERTY_SETTINGS
@given(raw=boolean_trees(SUPPORTED_LEAVES))
def test_bitmap_count_and_ids_equal_duckdb(
    reference: DuckDBReference, index: BitmapIndex, raw: dict[str, Any]
) -> None:
    expression = validate(raw, CATALOG)
    assert index.supports(expression), index.plan(expression)
    assert index.count(expression) == reference.count(expression)
    assert set(index.ids(expression)) == reference.ids(expression)


# Few tags, so that and/or/not often combine leaves on the same tag (the planner folds those into code sets);
# last_login_days and occupation are nullable, so NOT over unknown values is exercised too.
FEW_TAG_LEAVES = st.sampled_from(["age", "last_login_days", "occupation", "value_tier"]).flatmap(
    lambda code: supported_leaf(LAYOUT[code])
)


@PROPERTY_SETTINGS
@given(raw=boolean_trees(FEW_TAG_LEAVES, max_leaves=8))
def test_same_tag_combinations_equal_duckdb(
    reference: DuckDBReference, index: BitmapIndex, raw: dict[str, Any]
) -> None:
    expression = validate(raw, CATALOG)
    assert set(index.ids(expression)) == reference.ids(expression)
    assert index.count(expression) == reference.count(expression)


@pytest.mark.parametrize(
    "raw",
    [
        {
            "and": [
                {"tag": "age", "op": "gte", "value": 25},
                {"not": {"tag": "age", "op": "gte", "value": 45}},
            ]
        },
        {
            "and": [
                {"tag": "last_login_days", "op": "lte", "value": 89},
                {"not": {"tag": "last_login_days", "op": "lte", "value": 6}},
            ]
        },
        {
            "and": [
                {"not": {"tag": "occupation", "op": "eq", "value": "学生"}},
                {"not": {"tag": "occupation", "op": "in", "value": ["退休"]}},
            ]
        },
        {
            "and": [
                {"tag": "value_tier", "op": "gte", "value": "V2"},
                {"tag": "value_tier", "op": "lte", "value": "V4"},
                {"not": {"tag": "value_tier", "op": "eq", "value": "V3"}},
            ]
        },
        {
            "or": [
                {"tag": "city", "op": "eq", "value": "北京"},
                {"tag": "city", "op": "eq", "value": "上海"},
                {"tag": "value_tier", "op": "gte", "value": "V4"},
            ]
        },
    ],
)
def test_leaves_on_one_tag_fold_exactly(
    reference: DuckDBReference, index: BitmapIndex, raw: dict[str, Any]
) -> None:
    expression = validate(raw, CATALOG)
    assert set(index.ids(expression)) == reference.ids(expression)
    assert index.count(expression) == reference.count(expression) > 0


@settings(PROPERTY_SETTINGS, max_examples=50)
@given(raw=boolean_trees(st.one_of(SUPPORTED_LEAVES, UNSUPPORTED_LEAVES), max_leaves=6))
def test_live_counter_uses_bitmap_exactly_when_supported(
    store: TagStore, reference: DuckDBReference, index: BitmapIndex, raw: dict[str, Any]
) -> None:
    expression = validate(raw, CATALOG)
    live = LiveCounter(store, index).count(expression)
    assert live.size == reference.count(expression)
    assert live.engine == ("bitmap" if index.supports(expression) else "duckdb")
    assert (live.fallback_reason is None) == (live.engine == "bitmap")


@pytest.mark.parametrize(
    "raw",
    [
        {"tag": "aum", "op": "gte", "value": 123_456},  # off the band edges
        {"tag": "aum", "op": "lte", "value": 50_000},  # closed upper bound on a continuous tag
        {"tag": "age", "op": "between", "value": [23, 31]},
        {"tag": "last_txn_date", "op": "within_days", "value": 30},  # dates move with today
        {"not_contacted": {"channel": "sms", "days": 7}},
        {
            "and": [
                {"tag": "credit_granted", "op": "eq", "value": True},
                {"tag": "age", "op": "gte", "value": 23},
            ]
        },
    ],
)
def test_unsupported_expressions_fall_back_to_duckdb(
    store: TagStore, index: BitmapIndex, raw: dict[str, Any]
) -> None:
    expression = validate(raw, CATALOG)
    assert not index.supports(expression)
    with pytest.raises(UnsupportedExpressionError, match="cannot answer"):
        index.count(expression)
    live = LiveCounter(store, index).count(expression)
    assert (live.engine, live.size) == ("duckdb", store.count(expression))
    assert live.fallback_reason


@pytest.mark.parametrize(
    ("raw", "engine"),
    [
        ({"tag": "age", "op": "between", "value": [18, 34]}, "bitmap"),  # the 年轻客户 preset: 2 age bands
        ({"tag": "last_login_days", "op": "lte", "value": 29}, "bitmap"),  # 近30天 on an integer tag
        ({"tag": "loan_balance", "op": "gte", "value": 0.01}, "bitmap"),
        ({"tag": "value_tier", "op": "gte", "value": "V4"}, "bitmap"),
    ],
)
def test_presets_and_band_edges_use_the_bitmap(
    store: TagStore, index: BitmapIndex, raw: dict[str, Any], engine: str
) -> None:
    live = LiveCounter(store, index).count(validate(raw, CATALOG))
    assert (live.engine, live.size) == (engine, store.count(validate(raw, CATALOG)))
    assert live.size > 0


def test_not_on_a_nullable_tag_keeps_customers_with_unknown_values(
    store: TagStore, index: BitmapIndex
) -> None:
    active = validate({"tag": "last_login_days", "op": "lte", "value": 29}, CATALOG)
    inactive = validate({"not": active.to_json()}, CATALOG)
    known = validate({"tag": "last_login_days", "op": "exists"}, CATALOG)
    assert index.count(known) < CUSTOMERS  # the demo has customers who never logged in
    assert index.count(active) + index.count(inactive) == CUSTOMERS == index.customers
    assert index.count(inactive) == store.count(inactive)


def test_build_reports_progress_and_memory(store: TagStore) -> None:
    calls: list[tuple[int, int]] = []
    index = BitmapIndex.build(store.path, CATALOG, progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (CUSTOMERS, CUSTOMERS)
    assert index.memory_bytes() > 0 and index.is_current()


def test_a_rebuilt_store_makes_the_index_stale(tmp_path: Path) -> None:
    path = tmp_path / "small.duckdb"
    build_demo_tag_store(path, customers=300, seed=1, as_of=AS_OF, catalog=CATALOG)
    index = BitmapIndex.build(path, CATALOG)
    build_demo_tag_store(path, customers=300, seed=2, as_of=AS_OF, catalog=CATALOG)
    assert not index.is_current()
    live = LiveCounter(TagStore(path, CATALOG, today=AS_OF), index).count(
        validate({"tag": "mortgage", "op": "eq", "value": True}, CATALOG)
    )
    assert live.engine == "duckdb"
    assert live.fallback_reason and "changed" in live.fallback_reason


def test_building_from_a_missing_store_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(BitmapIndexError, match="not found"):
        BitmapIndex.build(tmp_path / "absent.duckdb", CATALOG)


def test_live_counter_refuses_an_index_of_another_store(
    store: TagStore, index: BitmapIndex, tmp_path: Path
) -> None:
    other = TagStore(tmp_path / "other.duckdb", CATALOG, today=AS_OF)
    with pytest.raises(BitmapIndexError, match="built from"):
        LiveCounter(other, index)


def test_live_counter_without_an_index_uses_duckdb(store: TagStore) -> None:
    expression = validate({"tag": "has_fund", "op": "eq", "value": True}, CATALOG)
    live = LiveCounter(store).count(expression)
    assert (live.engine, live.size, live.fallback_reason) == (
        "duckdb",
        store.count(expression),
        "no bitmap index",
    )
