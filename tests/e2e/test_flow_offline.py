"""The whole loop through the REST API, offline: brief → review → publish → voice-bot pull → refusal → DNC."""

from __future__ import annotations

from core.audit import verify_chain
from core.db import session_scope
from tests.e2e.conftest import auth

BRIEF = "下月给授信未借款的年轻客户做消费贷促活，短信+外呼"


def _start(client, demo) -> dict:
    response = client.post("/v1/campaigns", json={"brief": BRIEF}, headers=auth(demo, "marketer"))
    assert response.status_code == 201, response.text
    return response.json()


def _eligible_lead(campaign: dict) -> int:
    return campaign["audience"]["sample_ids"][0]


def test_brief_to_published_script_to_refusal(client, demo):
    campaign = _start(client, demo)
    assert campaign["status"] == "in_review"
    assert campaign["generation_mode"] == "offline"
    assert campaign["audience"]["size"] > 0
    channels = {d["channel"] for d in campaign["drafts"]}
    assert channels == {"sms", "call_script"}
    for summary in campaign["drafts"]:
        draft = client.get(f"/v1/drafts/{summary['draft_id']}", headers=auth(demo, "reviewer")).json()
        assert draft["verdict"] != "block", draft["findings"]
        assert draft["content"]["meta"]["ai_generated"] if draft["channel"] != "call_script" else True

    # The author may not approve (four eyes) and a voice bot may not pull before publication.
    first = campaign["drafts"][0]["draft_id"]
    refused = client.post(
        f"/v1/drafts/{first}/decision", json={"decision": "approve"}, headers=auth(demo, "marketer")
    )
    assert refused.status_code == 403
    lead = _eligible_lead(campaign)
    early = client.get(
        f"/v1/call-scripts/{campaign['campaign_id']}/leads/{lead}", headers=auth(demo, "voicebot")
    )
    assert early.status_code == 409 and early.json()["reason"] == "not_published"

    outcome = None
    for summary in campaign["drafts"]:
        response = client.post(
            f"/v1/drafts/{summary['draft_id']}/decision",
            json={"decision": "approve"},
            headers=auth(demo, "reviewer"),
        )
        assert response.status_code == 200, response.text
        outcome = response.json()
    assert outcome["resumed"] and outcome["campaign"]["status"] == "published"

    pulled = client.get(
        f"/v1/call-scripts/{campaign['campaign_id']}/leads/{lead}", headers=auth(demo, "voicebot")
    )
    assert pulled.status_code == 200, pulled.text
    body = pulled.json()
    assert body["version"] == 1 and len(body["content_hash"]) == 64
    assert body["call_policy"]["max_attempts_per_day"] >= 1
    assert "${" not in str(body["script"]["nodes"])

    call = {
        "call_id": "call-1",
        "campaign_id": campaign["campaign_id"],
        "lead_id": lead,
        "outcome": "refused",
    }
    first_post = client.post("/v1/call-outcomes", json=call, headers=auth(demo, "voicebot"))
    again = client.post("/v1/call-outcomes", json=call, headers=auth(demo, "voicebot"))
    assert first_post.status_code == 200 and again.json()["duplicate"] is True

    blocked = client.get(
        f"/v1/call-scripts/{campaign['campaign_id']}/leads/{lead}", headers=auth(demo, "voicebot")
    )
    assert blocked.status_code == 403 and blocked.json()["reason"] == "do_not_call"

    with session_scope() as session:
        assert verify_chain(session).ok


def test_bad_input_gets_clear_4xx_and_writes_nothing(client, demo):
    marketer = auth(demo, "marketer")
    assert client.post("/v1/campaigns", json={"brief": ""}, headers=marketer).status_code == 422
    malformed = client.post(
        "/v1/campaigns", content=b"{not json", headers={**marketer, "content-type": "application/json"}
    )
    assert malformed.status_code == 422 and malformed.json()["reason"] == "invalid_request"
    assert (
        client.post(
            "/v1/compliance/check", json={"channel": "fax", "text": "x"}, headers=marketer
        ).status_code
        == 422
    )
    assert (
        client.post("/v1/campaigns", json={"brief": BRIEF}, headers=auth(demo, "voicebot")).status_code == 403
    )
    assert client.post("/v1/campaigns", json={"brief": BRIEF}).status_code == 401
    assert client.get("/v1/campaigns", headers=marketer).json() == []


def test_unknown_lead_and_wrong_role_on_voicebot_endpoints(client, demo):
    campaign = _start(client, demo)
    cid = campaign["campaign_id"]
    for summary in campaign["drafts"]:
        client.post(
            f"/v1/drafts/{summary['draft_id']}/decision",
            json={"decision": "approve"},
            headers=auth(demo, "reviewer"),
        )
    missing = client.get(f"/v1/call-scripts/{cid}/leads/99999999", headers=auth(demo, "voicebot"))
    assert missing.status_code == 404 and missing.json()["reason"] == "unknown_lead"
    wrong_role = client.get(f"/v1/call-scripts/{cid}/leads/1", headers=auth(demo, "reviewer"))
    assert wrong_role.status_code == 403
    bad_outcome = client.post(
        "/v1/call-outcomes",
        json={"call_id": "c", "campaign_id": cid, "lead_id": 1, "outcome": "maybe"},
        headers=auth(demo, "voicebot"),
    )
    assert bad_outcome.status_code == 422
