"""TagStore over a small generated store: exclusions really exclude, counts add up, leads, contacts.

The expected numbers come from an independent oracle: the raw tables read into Python and filtered there.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tools.tag_store import (
    FREQUENCY_CAPS_30D,
    ExtraExclusions,
    SelectionError,
    TagCatalog,
    TagStore,
    TagStoreError,
    build_demo_tag_store,
    validate_expression,
)
from tools.tag_store.store import MAX_SAMPLE_SIZE

AS_OF = date(2026, 11, 20)
CUSTOMERS = 5_000
EVERYONE = {"tag": "age", "op": "exists"}


@dataclass(frozen=True)
class Oracle:
    """The raw tables, read once, for checks computed without the store's SQL."""

    customers: dict[int, dict[str, Any]]
    opt_outs: dict[int, set[str]]
    dnc: set[int]
    contacts_30d: Counter[tuple[int, str]]
    contacts: list[tuple[int, str, datetime]]


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tags") / "tags.duckdb"
    build_demo_tag_store(path, customers=CUSTOMERS, seed=11, as_of=AS_OF)
    return path


@pytest.fixture(scope="module")
def store(store_path: Path) -> TagStore:
    return TagStore(store_path, today=AS_OF)


@pytest.fixture(scope="module")
def oracle(store_path: Path) -> Oracle:
    with duckdb.connect(str(store_path), read_only=True) as connection:
        cursor = connection.execute("SELECT * FROM customers")
        names = [column[0] for column in cursor.description]
        customers = {row[0]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}
        opt_outs: dict[int, set[str]] = {}
        for customer_id, channel in connection.execute(
            "SELECT customer_id, channel FROM opt_outs"
        ).fetchall():
            opt_outs.setdefault(customer_id, set()).add(channel)
        dnc = {
            row[0]
            for row in connection.execute(
                "SELECT customer_id FROM do_not_call WHERE until >= $d", {"d": AS_OF}
            ).fetchall()
        }
        contacts = connection.execute(
            "SELECT customer_id, channel, contacted_at FROM contact_history"
        ).fetchall()
    since = datetime.combine(AS_OF - timedelta(days=30), datetime.min.time())
    recent = Counter((cid, channel) for cid, channel, at in contacts if at >= since)
    return Oracle(customers, opt_outs, dnc, recent, contacts)


def _select(store: TagStore, raw: dict[str, Any], **kwargs: Any) -> Any:
    expression = validate_expression(raw, store.catalog)
    return store.select(expression, sample_size=MAX_SAMPLE_SIZE, **kwargs)


def _expected_exclusion(oracle: Oracle, cid: int, channels: list[str], extra_dnc: set[int]) -> str | None:
    """The credit-campaign exclusion order, written out plainly."""
    row = oracle.customers[cid]
    if not row["marketing_consent"] or oracle.opt_outs.get(cid, set()) & {"all", *channels}:
        return "opted_out"
    if "call_script" in channels and (cid in oracle.dnc or cid in extra_dnc):
        return "do_not_call"
    if row["age"] < 18:
        return "minor"
    if row["is_student"]:
        return "student"
    if row["is_overdue"]:
        return "overdue"
    if any(oracle.contacts_30d[(cid, ch)] >= FREQUENCY_CAPS_30D[ch] for ch in channels):
        return "frequency_cap"
    return None


def test_credit_call_campaign_counts_match_the_oracle(store: TagStore, oracle: Oracle) -> None:
    channels = ["sms", "call_script"]
    extra = {7, 8, 9}
    result = _select(
        store,
        EVERYONE,
        product_type="consumer_loan",
        channels=channels,
        extra_excluded=ExtraExclusions(do_not_call=frozenset(extra)),
    )
    expected = Counter(_expected_exclusion(oracle, cid, channels, extra) for cid in oracle.customers)
    assert result.matched == CUSTOMERS
    assert result.size == expected[None]
    assert {e.code: e.count for e in result.exclusions} == {
        code: expected[code]
        for code in ("opted_out", "do_not_call", "minor", "student", "overdue", "frequency_cap")
    }
    assert [e.code for e in result.exclusions] == [
        "opted_out",
        "do_not_call",
        "minor",
        "student",
        "overdue",
        "frequency_cap",
    ]
    assert all(e.count > 0 for e in result.exclusions), "the demo data should exercise every credit exclusion"
    assert result.matched - result.size == sum(e.count for e in result.exclusions)


def test_no_excluded_customer_reaches_a_credit_call_audience(store: TagStore, oracle: Oracle) -> None:
    result = _select(
        store,
        EVERYONE,
        product_type="credit_card",
        channels=["call_script"],
        extra_excluded=ExtraExclusions(do_not_call=frozenset({1, 2, 3})),
    )
    selected = set(result.sample_ids)
    assert len(selected) == result.size
    rows = [oracle.customers[cid] for cid in selected]
    assert not any(row["is_student"] or row["is_overdue"] or row["age"] < 18 for row in rows)
    assert all(row["marketing_consent"] for row in rows)
    assert not selected & (oracle.dnc | {1, 2, 3})
    assert not any(oracle.opt_outs.get(cid, set()) & {"all", "call_script"} for cid in selected)
    assert all(
        oracle.contacts_30d[(cid, "call_script")] < FREQUENCY_CAPS_30D["call_script"] for cid in selected
    )


@pytest.mark.parametrize(
    ("raw", "step"),
    [
        ({"tag": "is_student", "op": "eq", "value": True}, "student"),
        ({"tag": "is_overdue", "op": "eq", "value": True}, "overdue"),
        ({"tag": "marketing_consent", "op": "eq", "value": False}, "opted_out"),
        ({"tag": "age", "op": "lte", "value": 17}, "minor"),
    ],
)
def test_exclusions_hold_whatever_the_expression_asks_for(
    store: TagStore, raw: dict[str, Any], step: str
) -> None:
    result = _select(store, raw, product_type="consumer_loan", channels=["sms"])
    assert result.size == 0 and result.sample_ids == []
    assert result.matched > 0
    assert sum(e.count for e in result.exclusions if e.code == step) > 0


def test_suitability_for_investment_products(store: TagStore, oracle: Oracle) -> None:
    result = _select(store, EVERYONE, product_type="wealth", channels=["push"], product_risk_level="R3")
    assert [e.code for e in result.exclusions] == ["opted_out", "suitability", "frequency_cap"]
    assert result.exclusions[1].count > 0
    for cid in result.sample_ids:
        row = oracle.customers[cid]
        assert row["risk_level"] in {"C3", "C4", "C5"}
        assert row["risk_test_expiry"] >= AS_OF
    eligible = {
        cid for cid, row in oracle.customers.items()
        if row["marketing_consent"] and not oracle.opt_outs.get(cid, set()) & {"all", "push"}
        and row["risk_level"] in {"C3", "C4", "C5"} and row["risk_test_expiry"] >= AS_OF
        and oracle.contacts_30d[(cid, "push")] < FREQUENCY_CAPS_30D["push"]
    }  # fmt: skip
    assert set(result.sample_ids) == eligible


def test_deposit_push_campaign_keeps_students_and_dnc(store: TagStore, oracle: Oracle) -> None:
    result = _select(store, EVERYONE, product_type="deposit", channels=["push"])
    assert [e.code for e in result.exclusions] == ["opted_out", "frequency_cap"]
    selected = set(result.sample_ids)
    assert any(oracle.customers[cid]["is_student"] for cid in selected)
    assert selected & oracle.dnc  # do-not-call only matters to calls


def test_channel_opt_out_only_excludes_that_channel(store: TagStore, oracle: Oracle) -> None:
    sms_only = {
        cid
        for cid, channels in oracle.opt_outs.items()
        if channels == {"sms"} and oracle.customers[cid]["marketing_consent"]
    }
    assert sms_only
    sms = set(_select(store, EVERYONE, product_type=None, channels=["sms"]).sample_ids)
    wecom = set(_select(store, EVERYONE, product_type=None, channels=["wecom"]).sample_ids)
    assert not sms & sms_only
    assert wecom & sms_only


def test_extra_opt_outs_from_the_operational_database(store: TagStore) -> None:
    baseline = _select(store, EVERYONE, product_type=None, channels=["sms"])
    keep = baseline.sample_ids[:3]
    result = _select(
        store,
        EVERYONE,
        product_type=None,
        channels=["sms"],
        extra_excluded=ExtraExclusions(opted_out=frozenset(keep)),
    )
    assert result.size == baseline.size - 3
    assert not set(keep) & set(result.sample_ids)


def test_count_and_selection_agree_with_the_oracle(store: TagStore, oracle: Oracle) -> None:
    raw = {
        "and": [
            {"tag": "credit_granted", "op": "eq", "value": True},
            {"tag": "credit_drawn", "op": "eq", "value": False},
            {"tag": "age", "op": "between", "value": [25, 40]},
            {"not": {"tag": "city", "op": "in", "value": ["上海", "北京"]}},
            {"not_contacted": {"channel": "sms", "days": 7}},
        ]
    }
    since = datetime.combine(AS_OF - timedelta(days=7), datetime.min.time())
    contacted = {cid for cid, channel, at in oracle.contacts if channel == "sms" and at >= since}
    expected = {
        cid for cid, row in oracle.customers.items()
        if row["credit_granted"] and not row["credit_drawn"] and 25 <= row["age"] <= 40
        and row["city"] not in {"上海", "北京"} and cid not in contacted
    }  # fmt: skip
    expression = validate_expression(raw, store.catalog)
    assert store.count(expression) == len(expected) > 0
    result = store.select(expression, product_type="consumer_loan", channels=["sms"], sample_size=5)
    assert result.matched == len(expected)
    assert len(result.sample_ids) == 5 and result.sample_ids == sorted(result.sample_ids)
    assert set(result.sample_ids) <= expected
    assert result.expression == raw and "$p0" in result.sql and result.as_of == AS_OF


def test_not_includes_unknown_values(store: TagStore, oracle: Oracle) -> None:
    expression = validate_expression({"not": {"tag": "risk_level", "op": "eq", "value": "C3"}}, store.catalog)
    assert store.count(expression) == sum(row["risk_level"] != "C3" for row in oracle.customers.values())
    assert any(row["risk_level"] is None for row in oracle.customers.values())


def test_bad_selection_arguments(store: TagStore) -> None:
    expression = validate_expression(EVERYONE, store.catalog)
    with pytest.raises(SelectionError, match="pass product_risk_level"):
        store.select(expression, product_type="fund", channels=["sms"])
    with pytest.raises(SelectionError, match=r"unknown channel\(s\) \['fax'\]"):
        store.select(expression, product_type=None, channels=["fax"])
    with pytest.raises(SelectionError, match="unknown product type 'bitcoin'"):
        store.select(expression, product_type="bitcoin", channels=["sms"])  # type: ignore[arg-type]
    with pytest.raises(SelectionError, match="sample_size"):
        store.select(expression, product_type=None, channels=["sms"], sample_size=-1)


def test_lead_lookup(store: TagStore, oracle: Oracle) -> None:
    cid = next(
        cid for cid in oracle.dnc if oracle.customers[cid]["marketing_consent"] and cid not in oracle.opt_outs
    )
    lead = store.lead(cid)
    row = oracle.customers[cid]
    assert lead is not None
    assert (lead.surname, lead.city, lead.age, lead.gender) == (
        row["surname"],
        row["city"],
        row["age"],
        row["gender"],
    )
    assert lead.masked_name.startswith(lead.surname) and set(lead.masked_name[len(lead.surname) :]) == {"*"}
    assert lead.on_dnc and not lead.opted_out
    assert lead.blocked_reasons("call_script") == ["do_not_call"] and lead.blocked_reasons("sms") == []
    opted = next(cid for cid, channels in oracle.opt_outs.items() if "all" in channels)
    opted_lead = store.lead(opted)
    assert (
        opted_lead is not None and opted_lead.opted_out and "opted_out" in opted_lead.blocked_reasons("push")
    )
    assert store.lead(CUSTOMERS + 1) is None


def test_contact_count(store: TagStore, oracle: Oracle) -> None:
    (cid, channel), _ = oracle.contacts_30d.most_common(1)[0]
    assert store.contact_count(cid, channel, 30) == oracle.contacts_30d[(cid, channel)] > 0
    assert store.contact_count(cid, channel, 90) == sum(
        1 for c, ch, _ in oracle.contacts if (c, ch) == (cid, channel)
    )
    with pytest.raises(SelectionError, match="days must be at least 1"):
        store.contact_count(cid, channel, 0)


def test_missing_or_foreign_store_files(tmp_path: Path) -> None:
    expression = validate_expression(EVERYONE, TagCatalog.default())
    with pytest.raises(TagStoreError, match="tag store not found"):
        TagStore(tmp_path / "none.duckdb").count(expression)
    foreign = tmp_path / "foreign.duckdb"
    with duckdb.connect(str(foreign)) as connection:
        connection.execute("CREATE TABLE customers (customer_id BIGINT)")
    with pytest.raises(TagStoreError, match=r"lacks table\(s\) \['contact_history'"):
        TagStore(foreign).count(expression)
