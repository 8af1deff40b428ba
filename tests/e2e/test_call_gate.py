"""The voice bot's pull is the last gate: each reason a lead must not be called now, with its code."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import pytest

from core.clock import set_clock
from core.settings import get_settings
from tests.e2e.conftest import auth

BRIEF = "下月给授信未借款的客户做消费贷促活，外呼"


@pytest.fixture()
def published(client, demo) -> dict:
    campaign = client.post("/v1/campaigns", json={"brief": BRIEF}, headers=auth(demo, "marketer")).json()
    assert campaign["status"] == "in_review", campaign
    for draft in campaign["drafts"]:
        response = client.post(
            f"/v1/drafts/{draft['draft_id']}/decision",
            json={"decision": "approve"},
            headers=auth(demo, "reviewer"),
        )
        assert response.status_code == 200, response.text
    return campaign


def _pull(client, demo, campaign: dict, lead: int):
    return client.get(
        f"/v1/call-scripts/{campaign['campaign_id']}/leads/{lead}", headers=auth(demo, "voicebot")
    )


def _customers(where: str) -> list[int]:
    with duckdb.connect(str(get_settings().tag_store_path), read_only=True) as conn:
        return [
            row[0]
            for row in conn.execute(f"SELECT customer_id FROM customers WHERE {where} LIMIT 3").fetchall()
        ]


def test_outside_calling_hours_is_refused(client, demo, published):
    lead = published["audience"]["sample_ids"][0]
    set_clock(lambda: datetime(2026, 11, 24, 14, 30, tzinfo=UTC))  # 22:30 in Shanghai
    response = _pull(client, demo, published, lead)
    assert response.status_code == 409 and response.json()["reason"] == "outside_calling_hours"


def test_opted_out_and_excluded_leads_are_refused(client, demo, published):
    (no_consent, *_) = _customers("marketing_consent = false")
    response = _pull(client, demo, published, no_consent)
    assert response.status_code == 403 and response.json()["reason"] == "opted_out"
    (student, *_) = _customers(
        "is_student = true AND marketing_consent = true AND credit_granted = true "
        "AND credit_drawn = false AND customer_id NOT IN (SELECT customer_id FROM opt_outs) "
        "AND customer_id NOT IN (SELECT customer_id FROM do_not_call)"
    )
    response = _pull(client, demo, published, student)
    assert response.status_code == 403 and response.json()["reason"] == "not_in_audience"
    assert "student" in response.json()["detail"]


def test_frequency_cap_counts_outcomes_but_not_pulls(client, demo, published):
    lead = published["audience"]["sample_ids"][1]
    for _ in range(3):  # pulling again after a dropped line is allowed
        assert _pull(client, demo, published, lead).status_code == 200
    body = _pull(client, demo, published, lead).json()
    cap = body["call_policy"]["max_attempts_per_day"]
    for n in range(cap):
        outcome = {
            "call_id": f"cap-{n}",
            "campaign_id": published["campaign_id"],
            "lead_id": lead,
            "outcome": "no_answer",
        }
        assert (
            client.post("/v1/call-outcomes", json=outcome, headers=auth(demo, "voicebot")).status_code == 200
        )
    response = _pull(client, demo, published, lead)
    assert response.status_code == 409 and response.json()["reason"] == "frequency_cap"


def test_reused_call_id_with_other_values_is_a_conflict(client, demo, published):
    lead = published["audience"]["sample_ids"][0]
    base = {"call_id": "dup", "campaign_id": published["campaign_id"], "lead_id": lead}
    assert (
        client.post(
            "/v1/call-outcomes", json={**base, "outcome": "no_answer"}, headers=auth(demo, "voicebot")
        ).status_code
        == 200
    )
    conflict = client.post(
        "/v1/call-outcomes", json={**base, "outcome": "refused"}, headers=auth(demo, "voicebot")
    )
    assert conflict.status_code == 409 and conflict.json()["reason"] == "call_id_reused"


def test_ended_campaign_is_refused(client, demo, published):
    lead = published["audience"]["sample_ids"][0]
    set_clock(lambda: datetime(2027, 6, 1, 2, 0, tzinfo=UTC))
    response = _pull(client, demo, published, lead)
    assert response.status_code == 409 and response.json()["reason"] == "campaign_ended"
