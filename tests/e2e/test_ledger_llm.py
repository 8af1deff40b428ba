"""LLM path: the SMS writer invents a rate, the claims ledger flags it and the graph revises instead of asking for
review; the revised draft (scripted clean) reaches review with every claim linked, and the ledger is shown."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cli.main import app
from core.settings import get_settings
from tests.e2e.conftest import auth

BRIEF = "下月给授信未借款的客户做消费贷促活，短信"
PLAN = {
    "objective": "activation",
    "product_ids": ["CL-001"],
    "audience_description": "授信未借款的客户",
    "channels": ["sms"],
    "waves": [{"name": "第一波", "starts_on": "2026-12-01", "ends_on": "2026-12-31", "channels": ["sms"]}],
    "kpis": ["用信客户数"],
    "constraints": ["不得面向学生营销"],
    "assumptions": [],
}
AUDIENCE = {
    "expression_json": '{"and": [{"tag": "credit_granted", "op": "eq", "value": true},'
    ' {"tag": "credit_drawn", "op": "eq", "value": false}]}',
    "assumptions": [],
}
INVENTED = {
    "text": "【示例银行】您的示例e贷额度已可使用，年化利率（单利）2.88%起。详询400-000-0000。拒收请回复R"
}
CLEAN = {
    "text": "【示例银行】您的示例e贷额度已可使用，年化利率（单利）3.6%起，最高可借20万元。详询400-000-0000。拒收请回复R"
}


@pytest.fixture()
def llm(demo, fake_llm_url, monkeypatch):
    monkeypatch.setenv("MBRAIN_LLM_BASE_URL", fake_llm_url.base_url)
    monkeypatch.setenv("MBRAIN_LLM_MODEL", "fake-chat")
    monkeypatch.setenv("MBRAIN_LLM_MAX_RETRIES", "0")
    get_settings.cache_clear()
    yield fake_llm_url.fake
    get_settings.cache_clear()


def test_invented_rate_is_revised_before_review(client, demo, llm):
    llm.script("CampaignPlan", json=PLAN)
    llm.script("AudienceAnswer", json=AUDIENCE)
    llm.script("SmsCopy", json=INVENTED)
    llm.script("SmsCopy", json=CLEAN)

    response = client.post("/v1/campaigns", json={"brief": BRIEF}, headers=auth(demo, "marketer"))
    assert response.status_code == 201, response.text
    campaign = response.json()
    assert campaign["status"] == "in_review"

    # The first draft never reached review: the writer was asked again with the FM-06 finding as instruction.
    requests = llm.requests_for("SmsCopy")
    assert len(requests) == 2
    assert "FM-06" in json.dumps(requests[1].body, ensure_ascii=False)

    (draft,) = campaign["drafts"]
    shown = client.get(f"/v1/drafts/{draft['draft_id']}", headers=auth(demo, "reviewer")).json()
    assert shown["content"]["text"] == CLEAN["text"] and shown["version"] == 1
    assert "FM-06" not in {f["rule_id"] for f in shown["findings"]}
    ledger = {(e["value"], e["kind"]): e["source"] for e in shown["ledger"]}
    assert ledger == {
        ("3.6", "rate"): "product:CL-001.apr_min",
        ("20万", "amount"): "product:CL-001.max_amount",
    }

    cli = CliRunner().invoke(app, ["review", "show", draft["draft_id"], "--json"])
    assert cli.exit_code == 0, cli.output
    assert json.loads(cli.output)["ledger"] == shown["ledger"]
