"""A/B variants through the whole loop, offline: a brief asking for A/B gets one draft per variant and channel,
each with its own angle; each is reviewed on its own and approving both publishes both."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from agents.runner import campaign_graph
from cli.main import app
from tests.e2e.conftest import auth

AB_BRIEF = "下月给授信未借款的年轻客户做消费贷促活，短信做A/B测试"


def _start(client, demo, brief: str = AB_BRIEF) -> dict:
    response = client.post("/v1/campaigns", json={"brief": brief}, headers=auth(demo, "marketer"))
    assert response.status_code == 201, response.text
    return response.json()


def _decide(client, demo, draft_id: str, body: dict) -> dict:
    response = client.post(f"/v1/drafts/{draft_id}/decision", json=body, headers=auth(demo, "reviewer"))
    assert response.status_code == 200, response.text
    return response.json()


def _sms_by_variant(campaign: dict) -> dict[str, dict]:
    return {d["variant"]: d for d in campaign["drafts"] if d["channel"] == "sms"}


def test_ab_brief_gets_two_sms_variants_and_approving_both_publishes_both(client, demo):
    campaign = _start(client, demo)
    assert campaign["plan"]["variant_count"] == 2 and campaign["status"] == "in_review"
    sms = _sms_by_variant(campaign)
    assert set(sms) == {"A", "B"}
    assert {d["angle"] for d in sms.values()} == {"benefit", "convenience"}
    assert all(d["status"] == "pending_review" for d in sms.values())

    shown = {
        v: client.get(f"/v1/drafts/{d['draft_id']}", headers=auth(demo, "reviewer")).json()
        for v, d in sms.items()
    }
    assert shown["A"]["content"]["text"] != shown["B"]["content"]["text"]
    for variant, draft in shown.items():
        meta = draft["content"]["meta"]
        assert meta["ai_generated"] is True and meta["variant"] == variant
        assert meta["angle_label"] == {"A": "利益型", "B": "便捷型"}[variant]
        assert draft["verdict"] != "block", draft["findings"]
        assert draft["ledger"] and all(entry["source"] for entry in draft["ledger"])
    queue = client.get("/v1/reviews/queue", headers=auth(demo, "reviewer")).json()
    assert {(d["channel"], d["variant"]) for d in queue} >= {("sms", "A"), ("sms", "B")}

    # The graph keeps the two variants under separate keys: variant A keeps the plain channel key.
    with campaign_graph() as graph:
        state = graph.get_state({"configurable": {"thread_id": campaign["campaign_id"]}}).values
    assert {"sms", "sms#B"} <= set(state["drafts"])

    cli = CliRunner().invoke(app, ["review", "show", sms["B"]["draft_id"], "--json"])
    assert cli.exit_code == 0, cli.output
    assert json.loads(cli.stdout)["variant"] == "B" and json.loads(cli.stdout)["angle"] == "convenience"

    outcome = None
    for draft in campaign["drafts"]:
        outcome = _decide(client, demo, draft["draft_id"], {"decision": "approve"})
    assert outcome is not None and outcome["campaign"]["status"] == "published"
    publications = client.get(
        f"/v1/campaigns/{campaign['campaign_id']}/publications", headers=auth(demo, "reviewer")
    ).json()
    published = {p["draft_id"]: p for p in publications if p["channel"] == "sms"}
    assert set(published) == {sms["A"]["draft_id"], sms["B"]["draft_id"]}
    assert {p["content"]["meta"]["variant"] for p in published.values()} == {"A", "B"}


def test_changes_to_one_variant_leave_the_other_alone(client, demo):
    campaign = _start(client, demo)
    sms = _sms_by_variant(campaign)
    before = {
        v: client.get(f"/v1/drafts/{d['draft_id']}", headers=auth(demo, "reviewer")).json()["content"]
        for v, d in sms.items()
    }
    _decide(client, demo, sms["A"]["draft_id"], {"decision": "approve"})
    outcome = _decide(
        client, demo, sms["B"]["draft_id"], {"decision": "request_changes", "comment": "正文换一种说法"}
    )
    assert outcome["resumed"] and outcome["campaign"]["status"] == "in_review"
    after = _sms_by_variant(outcome["campaign"])
    assert after["A"]["status"] == "approved" and after["A"]["version"] == 1
    assert after["B"]["status"] == "pending_review" and after["B"]["version"] == 2
    revised = client.get(f"/v1/drafts/{sms['B']['draft_id']}", headers=auth(demo, "reviewer")).json()
    # Rewritten on its own angle: still 便捷型, different from its first version and from variant A.
    assert revised["content"]["meta"]["angle"] == "convenience"
    assert revised["content"]["text"] not in (before["B"]["text"], before["A"]["text"])
    assert revised["verdict"] != "block", revised["findings"]

    final = _decide(client, demo, sms["B"]["draft_id"], {"decision": "approve"})
    assert final["campaign"]["status"] == "published"


def test_single_variant_brief_keeps_one_draft_per_channel(client, demo):
    campaign = _start(client, demo, "下月给授信未借款的年轻客户做消费贷促活，短信")
    assert campaign["plan"]["variant_count"] == 1
    sms = [d for d in campaign["drafts"] if d["channel"] == "sms"]
    assert len(sms) == 1 and sms[0]["variant"] == "A" and sms[0]["angle"] is None
