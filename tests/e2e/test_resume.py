"""A run that dies mid-way resumes from its last checkpoint; a run waiting at review survives a restart."""

from __future__ import annotations

import agents.nodes
from tests.e2e.conftest import auth

BRIEF = "给授信未借款客户做消费贷促活，短信+外呼"


def test_crash_in_compliance_then_resume_from_checkpoint(client, demo, monkeypatch):
    real = agents.nodes.check_draft
    calls = {"n": 0}

    def flaky(draft, plan):
        calls["n"] += 1
        raise RuntimeError("checker process killed")

    monkeypatch.setattr(agents.nodes, "check_draft", flaky)
    crashed = client.post("/v1/campaigns", json={"brief": BRIEF}, headers=auth(demo, "marketer"))
    assert crashed.status_code == 500 and crashed.json()["reason"] == "run_failed"
    assert "/resume" in crashed.json()["detail"]
    campaigns = client.get("/v1/campaigns", headers=auth(demo, "marketer")).json()
    assert [c["status"] for c in campaigns] == ["failed"]
    campaign_id = campaigns[0]["campaign_id"]

    monkeypatch.setattr(agents.nodes, "check_draft", real)
    writes_before = calls["n"]
    resumed = client.post(f"/v1/campaigns/{campaign_id}/resume", headers=auth(demo, "marketer"))
    assert resumed.status_code == 200, resumed.text
    body = resumed.json()
    assert body["status"] == "in_review" and len(body["drafts"]) == 2
    assert calls["n"] == writes_before  # the failed checker was not called again; the real one was

    again = client.post(f"/v1/campaigns/{campaign_id}/resume", headers=auth(demo, "marketer"))
    assert again.status_code == 409 and again.json()["reason"] == "waiting_for_human"


def test_review_survives_a_new_app_instance(demo):
    from fastapi.testclient import TestClient

    from api.main import create_app

    first = TestClient(create_app())
    campaign = first.post("/v1/campaigns", json={"brief": BRIEF}, headers=auth(demo, "marketer")).json()
    second = TestClient(create_app())  # a restarted server: new process state, same data dir
    for draft in campaign["drafts"]:
        response = second.post(
            f"/v1/drafts/{draft['draft_id']}/decision",
            json={"decision": "approve"},
            headers=auth(demo, "reviewer"),
        )
        assert response.status_code == 200, response.text
    assert response.json()["campaign"]["status"] == "published"
