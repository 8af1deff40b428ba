"""Policy property: whatever the expression, a credit selection never reaches a customer policy forbids.

For random expressions (bitmap-supported or not, some written to aim at forbidden customers) the selection is
checked against an oracle computed from the raw tables in Python: the kept ids are exactly the matched ids
minus the forbidden ones, and each exclusion step's count is the number of matched customers it removes first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.domain import CREDIT_PRODUCT_TYPES, TEXT_CHANNELS
from tests.unit.test_tag_store_bitmap import SUPPORTED_LEAVES, UNSUPPORTED_LEAVES, boolean_trees
from tools.tag_store import (
    FREQUENCY_CAPS_30D,
    ParamBag,
    TagCatalog,
    TagStore,
    build_demo_tag_store,
    compile_where,
    validate_expression,
)
from tools.tag_store.compile import day_start
from tools.tag_store.exclusions import ADULT_AGE, FREQUENCY_WINDOW_DAYS
from tools.tag_store.store import MAX_SAMPLE_SIZE

AS_OF = date(2026, 11, 20)
CUSTOMERS = 4_000  # below MAX_SAMPLE_SIZE, so the sample is the whole final audience
CATALOG = TagCatalog.default()
OTHER_CHANNELS = sorted(channel for channel in TEXT_CHANNELS if channel != "call_script")

# Leaves that try to pick exactly the customers policy forbids.
AIMED_AT_FORBIDDEN = st.sampled_from(
    [
        {"tag": "is_student", "op": "eq", "value": True},
        {"tag": "is_overdue", "op": "eq", "value": True},
        {"tag": "marketing_consent", "op": "eq", "value": False},
        {"tag": "age", "op": "lte", "value": 17},
        {"tag": "age", "op": "between", "value": [12, 20]},
        {"not": {"tag": "is_overdue", "op": "eq", "value": False}},
        {"tag": "occupation", "op": "eq", "value": "学生"},
    ]
)
EXPRESSIONS = boolean_trees(st.one_of(AIMED_AT_FORBIDDEN, SUPPORTED_LEAVES, UNSUPPORTED_LEAVES), max_leaves=6)


@dataclass(frozen=True)
class Oracle:
    """Policy facts per customer, read from the raw tables without the store's SQL."""

    customers: dict[
        int, tuple[bool | None, int | None, bool | None, bool | None]
    ]  # consent, age, student, overdue
    opt_outs: dict[int, set[str]]
    dnc: set[int]
    contacts_30d: Counter[tuple[int, str]]

    def first_violation(self, customer_id: int, channels: set[str]) -> str | None:
        """The first exclusion step (in the store's order) that must remove this customer from a credit list."""
        consent, age, student, overdue = self.customers[customer_id]
        if consent is not True or self.opt_outs.get(customer_id, set()) & (channels | {"all"}):
            return "opted_out"
        checks = [
            ("do_not_call", "call_script" in channels and customer_id in self.dnc),
            ("minor", age is None or age < ADULT_AGE),
            ("student", student is not False),
            ("overdue", overdue is not False),
            (
                "frequency_cap",
                any(self.contacts_30d[(customer_id, ch)] >= FREQUENCY_CAPS_30D[ch] for ch in channels),
            ),
        ]
        return next((code for code, violated in checks if violated), None)


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("policy") / "tags.duckdb"
    build_demo_tag_store(path, customers=CUSTOMERS, seed=23, as_of=AS_OF, catalog=CATALOG)
    return path


@pytest.fixture(scope="module")
def connection(store_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect(str(store_path), read_only=True) as opened:
        yield opened


@pytest.fixture(scope="module")
def oracle(connection: duckdb.DuckDBPyConnection) -> Oracle:
    rows = connection.execute(
        "SELECT customer_id, marketing_consent, age, is_student, is_overdue FROM customers"
    ).fetchall()
    opt_outs: dict[int, set[str]] = {}
    for customer_id, channel in connection.execute("SELECT customer_id, channel FROM opt_outs").fetchall():
        opt_outs.setdefault(customer_id, set()).add(channel)
    dnc = {
        row[0]
        for row in connection.execute(
            "SELECT customer_id FROM do_not_call WHERE until >= $d", {"d": AS_OF}
        ).fetchall()
    }
    since = day_start(AS_OF - timedelta(days=FREQUENCY_WINDOW_DAYS))
    contacts = connection.execute(
        "SELECT customer_id, channel FROM contact_history WHERE contacted_at >= $since", {"since": since}
    ).fetchall()
    return Oracle(
        customers={row[0]: (row[1], row[2], row[3], row[4]) for row in rows},
        opt_outs=opt_outs,
        dnc=dnc,
        contacts_30d=Counter((customer_id, channel) for customer_id, channel in contacts),
    )


def matched_ids(connection: duckdb.DuckDBPyConnection, raw: dict[str, Any]) -> set[int]:
    params = ParamBag()
    where = compile_where(validate_expression(raw, CATALOG), CATALOG, params, today=AS_OF)
    rows = connection.execute(
        f"SELECT customer_id FROM customers AS c WHERE {where}", params.values
    ).fetchall()
    return {int(row[0]) for row in rows}


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(
    raw=EXPRESSIONS,
    product_type=st.sampled_from(sorted(CREDIT_PRODUCT_TYPES)),
    other_channels=st.sets(st.sampled_from(OTHER_CHANNELS), max_size=3),
)
def test_credit_selection_never_reaches_forbidden_customers(
    store_path: Path,
    connection: duckdb.DuckDBPyConnection,
    oracle: Oracle,
    raw: dict[str, Any],
    product_type: Any,
    other_channels: set[str],
) -> None:
    channels = {"call_script", *other_channels}
    store = TagStore(store_path, CATALOG, today=AS_OF)
    result = store.select(
        validate_expression(raw, CATALOG),
        product_type=product_type,
        channels=sorted(channels),
        sample_size=MAX_SAMPLE_SIZE,
    )
    kept = set(result.sample_ids)
    assert len(kept) == result.size  # the whole audience came back
    violations = {customer_id: oracle.first_violation(customer_id, channels) for customer_id in kept}
    assert {cid: why for cid, why in violations.items() if why} == {}

    matched = matched_ids(connection, raw)
    assert result.matched == len(matched)
    assert result.matched - result.size == sum(step.count for step in result.exclusions)
    expected_removed = Counter(oracle.first_violation(cid, channels) for cid in matched)
    expected_removed.pop(None, None)
    assert kept == {cid for cid in matched if oracle.first_violation(cid, channels) is None}
    assert {step.code: step.count for step in result.exclusions if step.count} == dict(expected_removed)


def test_the_oracle_sees_every_kind_of_forbidden_customer(oracle: Oracle) -> None:
    """Guards the property above against a store in which there is nothing to exclude."""
    everyone = oracle.customers.keys()
    reasons = Counter(oracle.first_violation(cid, {"call_script", "sms"}) for cid in everyone)
    assert {"opted_out", "do_not_call", "minor", "student", "overdue", "frequency_cap"} <= set(reasons)
