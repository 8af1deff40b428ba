"""The voice bot's pull is the last gate: each reason a lead must not be called now, with its code.

``test_every_refusal_reason_is_answered`` walks one campaign through every code in ``REFUSAL_REASONS``, so a
new reason cannot be added without a test that produces it.
"""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import pytest
from sqlalchemy import func, select, update

from core.clock import set_clock
from core.db import session_scope
from core.models import ApiKey, ContactEvent, User
from core.security import hash_api_key
from core.settings import get_settings
from tests.e2e.conftest import auth
from tools.campaign_api.call_gate import REFUSAL_REASONS
from tools.campaign_api.users import issue_key

BRIEF = "下月给授信未借款的客户做消费贷促活，外呼"


def start_campaign(client, demo) -> dict:
    campaign = client.post("/v1/campaigns", json={"brief": BRIEF}, headers=auth(demo, "marketer")).json()
    assert campaign["status"] == "in_review", campaign
    return campaign


def approve_all(client, demo, campaign: dict) -> dict:
    for draft in campaign["drafts"]:
        response = client.post(
            f"/v1/drafts/{draft['draft_id']}/decision",
            json={"decision": "approve"},
            headers=auth(demo, "reviewer"),
        )
        assert response.status_code == 200, response.text
    return campaign


@pytest.fixture()
def published(client, demo) -> dict:
    return approve_all(client, demo, start_campaign(client, demo))


def _pull(client, demo, campaign: dict, lead: int):
    return client.get(
        f"/v1/call-scripts/{campaign['campaign_id']}/leads/{lead}", headers=auth(demo, "voicebot")
    )


def _post(client, demo, campaign: dict, lead: int, outcome: str, call_id: str):
    body = {"call_id": call_id, "campaign_id": campaign["campaign_id"], "lead_id": lead, "outcome": outcome}
    return client.post("/v1/call-outcomes", json=body, headers=auth(demo, "voicebot"))


def _calls_recorded(lead: int) -> int:
    with session_scope() as session:
        return int(
            session.scalar(select(func.count(ContactEvent.id)).where(ContactEvent.lead_id == lead)) or 0
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


def test_pull_at_half_past_nine_in_the_evening_is_refused(client, demo, published):
    lead = published["audience"]["sample_ids"][0]
    set_clock(lambda: datetime(2026, 11, 24, 13, 30, tzinfo=UTC))  # 21:30 in Shanghai
    response = _pull(client, demo, published, lead)
    assert response.status_code == 409 and response.json()["reason"] == "outside_calling_hours"
    set_clock(lambda: datetime(2026, 11, 24, 12, 59, tzinfo=UTC))  # 20:59: still inside
    assert _pull(client, demo, published, lead).status_code == 200


def test_unapproved_campaign_is_not_published(client, demo):
    campaign = start_campaign(client, demo)
    response = _pull(client, demo, campaign, campaign["audience"]["sample_ids"][0])
    assert response.status_code == 409 and response.json()["reason"] == "not_published"


def test_refusal_posted_twice_counts_once_and_refuses_the_next_pull(client, demo, published):
    lead = published["audience"]["sample_ids"][2]
    assert _pull(client, demo, published, lead).status_code == 200
    first = _post(client, demo, published, lead, "refused", "call-r1")
    again = _post(client, demo, published, lead, "refused", "call-r1")
    assert first.status_code == again.status_code == 200
    assert (first.json()["duplicate"], again.json()["duplicate"]) == (False, True)
    until = datetime.fromisoformat(first.json()["do_not_call_until"])
    assert (until - datetime(2026, 11, 24, 2, 0, tzinfo=UTC)).days >= get_settings().dnc_days >= 180
    assert _calls_recorded(lead) == 1
    response = _pull(client, demo, published, lead)  # at once: nothing about a refusal is cached
    assert response.status_code == 403 and response.json()["reason"] == "do_not_call"


def test_store_do_not_call_list_is_refused(client, demo, published):
    with duckdb.connect(str(get_settings().tag_store_path), read_only=True) as conn:
        (lead,) = conn.execute(
            "SELECT d.customer_id FROM do_not_call AS d JOIN customers AS c USING (customer_id) "
            "WHERE d.until >= DATE '2026-11-24' AND c.marketing_consent = true "
            "AND c.customer_id NOT IN (SELECT customer_id FROM opt_outs) LIMIT 1"
        ).fetchone()
    response = _pull(client, demo, published, lead)
    assert response.status_code == 403 and response.json()["reason"] == "do_not_call"


def test_unknown_ids_and_wrong_callers(client, demo, published):
    lead = published["audience"]["sample_ids"][0]
    assert _pull(client, demo, published, 10**9).json()["reason"] == "unknown_lead"
    missing = client.get(f"/v1/call-scripts/cmp_nope/leads/{lead}", headers=auth(demo, "voicebot"))
    assert missing.status_code == 404 and missing.json()["reason"] == "unknown_campaign"
    url = f"/v1/call-scripts/{published['campaign_id']}/leads/{lead}"
    assert client.get(url).json()["reason"] == "missing_api_key"
    assert client.get(url, headers={"Authorization": "Bearer mb_forged"}).status_code == 401
    marketer = client.get(url, headers=auth(demo, "marketer"))
    assert marketer.status_code == 403 and marketer.json()["reason"] == "role_not_allowed"


def test_a_revoked_key_is_refused_on_the_next_pull(client, demo, published):
    """The key is checked in the pull's one statement on every pull: nothing about it outlives a revocation."""
    lead = published["audience"]["sample_ids"][0]
    url = f"/v1/call-scripts/{published['campaign_id']}/leads/{lead}"
    with session_scope() as session:
        bot = session.scalars(select(User).where(User.username == "voicebot")).one()
        key = issue_key(session, user=bot)
    headers = {"Authorization": f"Bearer {key}"}
    assert client.get(url, headers=headers).status_code == 200
    with session_scope() as session:
        session.execute(
            update(ApiKey).where(ApiKey.key_hash == hash_api_key(key)).values(revoked_at=datetime.now(UTC))
        )
    refused = client.get(url, headers=headers)
    assert refused.status_code == 401 and refused.json() == {
        "reason": "invalid_api_key", "detail": "unknown or revoked API key"
    }  # fmt: skip
    unknown = client.get("/v1/call-scripts/cmp_nope/leads/1", headers=headers)  # the key is judged first
    assert unknown.status_code == 401
    assert (
        client.get(url, headers=auth(demo, "voicebot")).status_code == 200
    )  # the bot's other key still works


def test_every_refusal_reason_is_answered(client, demo, published):
    """One campaign, one lead per reason: the observed codes are exactly REFUSAL_REASONS, each with its status."""
    sample = published["audience"]["sample_ids"]
    (no_consent, *_) = _customers("marketing_consent = false")
    (outsider, *_) = _customers(
        "credit_granted = false AND marketing_consent = true AND customer_id NOT IN (SELECT customer_id FROM opt_outs) "
        "AND customer_id NOT IN (SELECT customer_id FROM do_not_call)"
    )
    _post(client, demo, published, sample[3], "refused", "every-1")
    _post(client, demo, published, sample[4], "no_answer", "every-2")
    observed = {
        "opted_out": _pull(client, demo, published, no_consent),
        "not_in_audience": _pull(client, demo, published, outsider),
        "do_not_call": _pull(client, demo, published, sample[3]),
        "frequency_cap": _pull(client, demo, published, sample[4]),
        "not_published": _pull(client, demo, start_campaign(client, demo), sample[0]),
    }
    set_clock(lambda: datetime(2026, 11, 24, 14, 0, tzinfo=UTC))
    observed["outside_calling_hours"] = _pull(client, demo, published, sample[0])
    set_clock(lambda: datetime(2027, 6, 1, 2, 0, tzinfo=UTC))
    observed["campaign_ended"] = _pull(client, demo, published, sample[0])
    answered = {reason: (r.status_code, r.json()["reason"]) for reason, r in observed.items()}
    assert answered == {reason: (status, reason) for reason, status in REFUSAL_REASONS.items()}
