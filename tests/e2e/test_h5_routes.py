"""H5 routes: a reviewer previews a draft's page; customers see it only once the campaign's H5 is published."""

from __future__ import annotations

from tests.e2e.conftest import auth

BRIEF = "下月给授信未借款的年轻客户做消费贷促活，短信+H5落地页"


def _campaign_with_h5(client, demo) -> dict:
    response = client.post("/v1/campaigns", json={"brief": BRIEF}, headers=auth(demo, "marketer"))
    assert response.status_code == 201, response.text
    campaign = response.json()
    assert {d["channel"] for d in campaign["drafts"]} == {"sms", "h5"}
    return campaign


def _draft_id(campaign: dict, channel: str) -> str:
    return next(d["draft_id"] for d in campaign["drafts"] if d["channel"] == channel)


def test_preview_then_publish_then_public_page(client, demo):
    campaign = _campaign_with_h5(client, demo)
    cid, h5_id = campaign["campaign_id"], _draft_id(campaign, "h5")
    draft = client.get(f"/v1/drafts/{h5_id}", headers=auth(demo, "reviewer")).json()
    assert draft["verdict"] != "block", draft["findings"]

    preview = client.get(f"/v1/drafts/{h5_id}/h5", headers=auth(demo, "reviewer"))
    assert preview.status_code == 200 and preview.headers["content-type"].startswith("text/html")
    assert "PREVIEW" in preview.text and "示例e贷" in preview.text
    assert preview.headers["cache-control"] == "no-store"

    before = client.get(f"/h5/{cid}")
    assert before.status_code == 404 and before.json()["reason"] == "not_published"

    for summary in campaign["drafts"]:
        decided = client.post(
            f"/v1/drafts/{summary['draft_id']}/decision",
            json={"decision": "approve"},
            headers=auth(demo, "reviewer"),
        )
        assert decided.status_code == 200, decided.text
    assert decided.json()["campaign"]["status"] == "published"

    public = client.get(f"/h5/{cid}")
    assert public.status_code == 200, public.text
    assert "PREVIEW" not in public.text and "年化综合融资成本" in public.text
    assert "default-src 'none'" in public.headers["content-security-policy"]
    assert len(public.headers["etag"].strip('"')) == 64


def test_preview_errors_are_typed(client, demo):
    campaign = _campaign_with_h5(client, demo)
    sms_id, h5_id = _draft_id(campaign, "sms"), _draft_id(campaign, "h5")
    wrong = client.get(f"/v1/drafts/{sms_id}/h5", headers=auth(demo, "reviewer"))
    assert wrong.status_code == 409 and wrong.json()["reason"] == "not_h5"
    missing = client.get("/v1/drafts/drf_000000000000/h5", headers=auth(demo, "reviewer"))
    assert missing.status_code == 404 and missing.json()["reason"] == "unknown_draft"
    assert client.get(f"/v1/drafts/{h5_id}/h5").status_code == 401
    assert client.get(f"/v1/drafts/{h5_id}/h5", headers=auth(demo, "voicebot")).status_code == 403
    unknown = client.get("/h5/cmp_does_not_exist")
    assert unknown.status_code == 404 and unknown.json()["reason"] == "not_published"
