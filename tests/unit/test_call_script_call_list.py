"""The call list agrees with the tag store's own per-lead answer, for every kind of verdict."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from tools.call_script.call_list import (
    CALLABLE,
    HONORIFICS,
    UNKNOWN_HONORIFIC,
    VERDICTS,
    CallList,
    build_call_list,
)
from tools.tag_store import TagStore, TagStoreError, build_demo_tag_store, validate_expression

AS_OF = date(2026, 11, 20)
LOAN_CALLS = {
    "expression": {"and": [{"tag": "credit_granted", "op": "eq", "value": True},
                           {"tag": "credit_drawn", "op": "eq", "value": False}]},
    "product_type": "consumer_loan",
    "channels": ["sms"],  # the call list adds call_script itself
}  # fmt: skip


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> TagStore:
    path = tmp_path_factory.mktemp("tags") / "tags.duckdb"
    build_demo_tag_store(path, customers=3_000, seed=5, as_of=AS_OF)
    return TagStore(path, today=AS_OF)


@pytest.fixture(scope="module")
def call_list(store: TagStore) -> CallList:
    return build_call_list(store, LOAN_CALLS)


def test_callable_leads_are_the_call_audience(store: TagStore, call_list: CallList) -> None:
    expression = validate_expression(LOAN_CALLS["expression"], store.catalog)
    selected = store.select(
        expression, product_type="consumer_loan", channels=["sms", "call_script"], sample_size=10_000
    )
    assert len(call_list) == 3_000 and call_list.callable_count == selected.size > 0
    assert call_list.ids_with(CALLABLE, 10_000) == selected.sample_ids


def test_each_verdict_matches_the_store_for_that_lead(store: TagStore, call_list: CallList) -> None:
    expression = validate_expression(LOAN_CALLS["expression"], store.catalog)
    seen = set()
    for verdict in VERDICTS:
        for lead_id in call_list.ids_with(verdict, 3):
            seen.add(verdict)
            lead = store.lead(lead_id)
            assert lead is not None
            in_store = store.lead_exclusion(
                lead_id, expression, product_type="consumer_loan", channels=["sms", "call_script"]
            )
            opted_out = lead.opted_out or bool({"sms", "call_script"} & set(lead.opt_out_channels))
            if opted_out:
                assert verdict == "opted_out", lead_id
            elif lead.on_dnc:
                assert verdict == "do_not_call", lead_id
            else:  # neither: the audience decides, exactly as the store's own per-lead query does
                assert (in_store or CALLABLE) == verdict, lead_id
    assert {CALLABLE, "opted_out", "do_not_call", "not_matched"} <= seen
    assert seen & {"minor", "student", "overdue"}


def test_script_variables_and_unknown_leads(store: TagStore, call_list: CallList) -> None:
    lead_id = call_list.ids_with(CALLABLE, 1)[0]
    lead = store.lead(lead_id)
    assert lead is not None
    assert call_list.script_variables(lead_id) == {
        "customer_surname": lead.surname,
        "honorific": HONORIFICS.get(lead.gender or "", UNKNOWN_HONORIFIC),
    }
    assert call_list.verdict(10**9) is None and call_list.verdict(0) is None
    with pytest.raises(KeyError):
        call_list.script_variables(call_list.ids_with("opted_out", 1)[0])
    with pytest.raises(ValueError, match="unknown verdict"):
        call_list.ids_with("maybe", 1)


def test_bad_inputs_are_refused(tmp_path: Path) -> None:
    with pytest.raises(TagStoreError, match="increasing"):
        CallList(np.array([2, 1], dtype=np.int64), np.zeros(2, dtype=np.uint8), {})
    with pytest.raises(TagStoreError, match="not found"):
        build_call_list(TagStore(tmp_path / "none.duckdb", today=AS_OF), LOAN_CALLS)
