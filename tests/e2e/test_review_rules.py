"""Review rules and the revise loop: request changes, reviewer edits, blocking findings and overrides."""

from __future__ import annotations

from tests.e2e.conftest import auth

BRIEF = "给授信未借款客户做消费贷促活，短信"


def _start(client, demo, brief: str = BRIEF) -> dict:
    response = client.post("/v1/campaigns", json={"brief": brief}, headers=auth(demo, "marketer"))
    assert response.status_code == 201, response.text
    return response.json()


def _decide(client, demo, draft_id: str, user: str = "reviewer", **body):
    return client.post(f"/v1/drafts/{draft_id}/decision", json=body, headers=auth(demo, user))


def test_request_changes_loops_back_to_review_with_a_new_version(client, demo):
    campaign = _start(client, demo)
    (draft,) = campaign["drafts"]
    response = _decide(client, demo, draft["draft_id"], decision="request_changes", comment="再短一点")
    assert response.status_code == 200, response.text
    after = response.json()["campaign"]
    assert after["status"] == "in_review"
    view = client.get(f"/v1/drafts/{draft['draft_id']}", headers=auth(demo, "reviewer")).json()
    assert view["status"] == "pending_review"
    assert any("再短一点" in note for note in view["notes"])  # offline says plainly it could not rewrite
    missing_comment = _decide(client, demo, draft["draft_id"], decision="request_changes")
    assert missing_comment.status_code == 422 and missing_comment.json()["reason"] == "comment_required"


def test_reviewer_edit_is_rechecked_and_published_when_clean(client, demo):
    campaign = _start(client, demo)
    (draft,) = campaign["drafts"]
    text = "【示例银行】示例e贷额度已可使用，年化利率（单利）3.6%起，详询400-000-0000。拒收请回复R"
    response = _decide(client, demo, draft["draft_id"], decision="approve", text=text)
    assert response.status_code == 200, response.text
    assert response.json()["campaign"]["status"] == "published"
    pubs = client.get(
        f"/v1/campaigns/{campaign['campaign_id']}/publications", headers=auth(demo, "reviewer")
    ).json()
    assert pubs[0]["content"]["text"] == text and pubs[0]["draft_version"] == 2


def test_edit_that_breaks_a_rule_goes_back_to_review_and_needs_an_override(client, demo):
    campaign = _start(client, demo)
    (draft,) = campaign["drafts"]
    bad = "【示例银行】示例e贷保本保息，不看征信，日息万三。拒收请回复R"
    response = _decide(client, demo, draft["draft_id"], decision="approve", text=bad)
    assert response.status_code == 200, response.text
    assert response.json()["campaign"]["status"] == "in_review"
    view = client.get(f"/v1/drafts/{draft['draft_id']}", headers=auth(demo, "reviewer")).json()
    assert view["verdict"] == "block" and {f["rule_id"] for f in view["findings"]} >= {"LN-06", "LN-01"}
    # Each citation links to the knowledge-base clause behind it, for a one-click check.
    sources = {f["rule_id"]: f["source"] for f in view["findings"]}
    assert sources["LN-01"] and sources["LN-01"]["doc_id"] and sources["LN-01"]["section"]

    plain = _decide(client, demo, draft["draft_id"], decision="approve")
    assert plain.status_code == 403 and plain.json()["reason"] == "blocking_findings"
    no_reason = _decide(client, demo, draft["draft_id"], user="compliance", decision="approve")
    assert no_reason.status_code == 422 and no_reason.json()["reason"] == "override_reason_required"
    rejected = _decide(client, demo, draft["draft_id"], decision="reject")
    assert rejected.status_code == 200 and rejected.json()["campaign"]["status"] == "rejected"
    pubs = client.get(
        f"/v1/campaigns/{campaign['campaign_id']}/publications", headers=auth(demo, "reviewer")
    ).json()
    assert pubs == []


def test_decision_on_a_decided_draft_is_a_conflict(client, demo):
    campaign = _start(client, demo)
    (draft,) = campaign["drafts"]
    assert _decide(client, demo, draft["draft_id"], decision="reject").status_code == 200
    again = _decide(client, demo, draft["draft_id"], decision="approve")
    assert again.status_code == 409 and again.json()["reason"] == "not_pending_review"


def test_brief_without_a_product_asks_a_question_then_continues(client, demo):
    campaign = _start(client, demo, brief="下个月做一次客户活动，短信")
    assert campaign["status"] == "needs_clarification" and "产品" in campaign["question"]
    answered = client.post(
        f"/v1/campaigns/{campaign['campaign_id']}/clarification",
        json={"answer": "推广示例e贷"},
        headers=auth(demo, "marketer"),
    )
    assert answered.status_code == 200, answered.text
    assert answered.json()["status"] == "in_review"
