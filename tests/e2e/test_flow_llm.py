"""The same loop on the LLM path, against the fake OpenAI-compatible server on a loopback port.

Structured outputs are scripted per schema; one injected 500 is retried by the SDK and succeeds, another
keeps failing so the call-script agent degrades to its offline path with a visible label.
"""

from __future__ import annotations

import pytest

from core.settings import get_settings
from tests.e2e.conftest import auth

BRIEF = "下月给授信未借款的年轻客户做消费贷促活，短信+外呼"
PLAN = {
    "objective": "activation",
    "product_ids": ["CL-001"],
    "audience_description": "授信未借款的年轻客户",
    "channels": ["sms", "call_script"],
    "waves": [
        {
            "name": "第一波",
            "starts_on": "2026-12-01",
            "ends_on": "2026-12-31",
            "channels": ["sms", "call_script"],
        }
    ],
    "kpis": ["用信客户数"],
    "constraints": ["不得面向学生营销"],
    "assumptions": ["“年轻”按18–35岁理解"],
}
SMS = {
    "text": "【示例银行】您的示例e贷额度已可使用，年化利率（单利）3.6%起，随借随还。详询400-000-0000。拒收请回复R"
}
AUDIENCE = {
    "expression_json": '{"and": [{"tag": "credit_granted", "op": "eq", "value": true},'
    ' {"tag": "credit_drawn", "op": "eq", "value": false}, {"tag": "age", "op": "between", "value": [18, 35]}]}',
    "assumptions": ["年轻 → 18–35岁"],
}


@pytest.fixture()
def llm(demo, fake_llm_url, monkeypatch):
    monkeypatch.setenv("MBRAIN_LLM_BASE_URL", fake_llm_url.base_url)
    monkeypatch.setenv("MBRAIN_LLM_MODEL", "fake-chat")
    monkeypatch.setenv("MBRAIN_LLM_MAX_RETRIES", "2")
    monkeypatch.setenv("MBRAIN_LLM_TIMEOUT_S", "5")
    get_settings.cache_clear()
    yield fake_llm_url.fake
    get_settings.cache_clear()


def test_llm_path_with_retried_and_degraded_faults(client, demo, llm):
    llm.script("CampaignPlan", json=PLAN)
    llm.script("AudienceAnswer", json=AUDIENCE)
    llm.fail("SmsCopy", status=500, times=1)  # retried by the SDK, then succeeds
    llm.script("SmsCopy", json=SMS)
    llm.fail("ScriptTexts", status=500, times=10)  # outlasts the retries: degrade to offline

    response = client.post("/v1/campaigns", json={"brief": BRIEF}, headers=auth(demo, "marketer"))
    assert response.status_code == 201, response.text
    campaign = response.json()
    assert campaign["status"] == "in_review" and campaign["generation_mode"] == "llm"
    assert campaign["audience"]["mode"] == "llm" and campaign["audience"]["size"] > 0
    assert campaign["usage"]["calls"] >= 3 and campaign["usage"]["prompt_tokens"] > 0

    drafts = {d["channel"]: d for d in campaign["drafts"]}
    sms = client.get(f"/v1/drafts/{drafts['sms']['draft_id']}", headers=auth(demo, "reviewer")).json()
    assert sms["generation_mode"] == "llm" and sms["content"]["text"] == SMS["text"]
    assert len(llm.requests_for("SmsCopy")) == 2  # one 500, one success

    script = client.get(
        f"/v1/drafts/{drafts['call_script']['draft_id']}", headers=auth(demo, "reviewer")
    ).json()
    assert script["generation_mode"] == "offline_fallback"
    assert any("降级" in note for note in script["notes"])

    for draft in campaign["drafts"]:
        decided = client.post(
            f"/v1/drafts/{draft['draft_id']}/decision",
            json={"decision": "approve"},
            headers=auth(demo, "reviewer"),
        )
        assert decided.status_code == 200, decided.text
    assert decided.json()["campaign"]["status"] == "published"
    lead = campaign["audience"]["sample_ids"][0]
    pulled = client.get(
        f"/v1/call-scripts/{campaign['campaign_id']}/leads/{lead}", headers=auth(demo, "voicebot")
    )
    assert pulled.status_code == 200, pulled.text


def test_malformed_structured_output_degrades_the_planner(client, demo, llm):
    llm.malformed("CampaignPlan", times=2)
    response = client.post("/v1/campaigns", json={"brief": BRIEF}, headers=auth(demo, "marketer"))
    assert response.status_code == 201, response.text
    campaign = response.json()
    assert campaign["generation_mode"] == "offline_fallback"
    assert campaign["status"] == "in_review"


def test_prompts_sent_to_the_model_are_masked(client, demo, llm):
    llm.script("CampaignPlan", json=PLAN)
    brief = BRIEF + "，联系人手机13800138000"
    response = client.post("/v1/campaigns", json={"brief": brief}, headers=auth(demo, "marketer"))
    assert response.status_code == 201, response.text
    sent = str([r.body for r in llm.requests_for("CampaignPlan")])
    assert "13800138000" not in sent and "138****8000" in sent
