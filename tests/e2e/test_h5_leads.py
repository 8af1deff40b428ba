"""The public H5 lead form end to end: a published page posts to the intake, which stores the lead masked,
refuses what breaks a rule without storing anything, deduplicates, rate-limits, and keeps A/B visitors apart."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlencode

from sqlalchemy import select

from core.audit import verify_chain
from core.db import session_scope
from core.models import AuditEvent, H5Lead
from tests.e2e.conftest import auth

BRIEF = "下月给授信未借款的年轻客户做消费贷促活，短信+H5落地页"
AB_BRIEF = "下月给授信未借款的年轻客户做消费贷促活，H5落地页做A/B测试"
MOBILE = "13800138000"
FORM = "application/x-www-form-urlencoded"
GOOD = {
    "surname": "王先生",
    "phone": MOBILE,
    "consent_data_processing": "yes",
    "consent_callback_call": "yes",
}


def _campaign(client, demo, brief: str = BRIEF, *, publish: bool = True) -> dict:
    response = client.post("/v1/campaigns", json={"brief": brief}, headers=auth(demo, "marketer"))
    assert response.status_code == 201, response.text
    campaign = response.json()
    if publish:
        for draft in campaign["drafts"]:
            decided = client.post(
                f"/v1/drafts/{draft['draft_id']}/decision",
                json={"decision": "approve"},
                headers=auth(demo, "reviewer"),
            )
            assert decided.status_code == 200, decided.text
    return campaign


def _form_action(html: str) -> str:
    match = re.search(r'<form id="lead-form" method="post" action="([^"]+)"', html)
    assert match, "the public page's form has no action"
    return unescape(match.group(1))


def _post(client, url: str, fields: dict[str, str], *, json: bool = True):
    headers = {"Content-Type": FORM, "Accept": "application/json" if json else "text/html"}
    return client.post(url, content=urlencode(fields), headers=headers)


def _leads(client, demo, cid: str) -> list[dict]:
    response = client.get(f"/v1/campaigns/{cid}/h5-leads", headers=auth(demo, "reviewer"))
    assert response.status_code == 200, response.text
    return response.json()


def test_the_public_form_is_live_and_a_lead_is_stored_masked_and_audited(client, demo):
    cid = _campaign(client, demo)["campaign_id"]
    page = client.get(f"/h5/{cid}")
    assert page.status_code == 200
    assert '<button type="submit">' in page.text and " checked" not in page.text
    assert "mb_v" not in page.headers.get("set-cookie", "")  # one variant: nothing to pin
    action = _form_action(page.text)
    assert action.startswith(f"/h5/{cid}/leads?p=pub_")

    sent = _post(client, action, {**GOOD, "phone": "138 0013 8000"}, json=False)
    assert sent.status_code == 201 and sent.headers["content-type"].startswith("text/html")
    assert "提交成功" in sent.text

    [lead] = _leads(client, demo, cid)
    assert lead["mobile_masked"] == "138****8000" and lead["fields"] == {"surname": "王先生"}
    assert lead["variant"] == "A" and lead["publication_id"] == action.split("p=")[1]
    shown = {c["purpose"]: c for c in lead["consents"]}
    assert shown["data_processing"]["granted"] and shown["callback_call"]["granted"]
    assert not shown["marketing_call"]["granted"]
    for consent in lead["consents"]:
        assert consent["text"] in page.text  # the exact text the visitor was shown
    with session_scope() as session:
        row = session.get(H5Lead, lead["lead_id"])
        assert row is not None and len(row.mobile_hash) == 64 and MOBILE not in str(vars(row))
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "h5_lead.received")).all()
        assert [e.subject for e in events] == [lead["lead_id"]]
        assert MOBILE not in str(events[0].detail) and row.mobile_hash not in str(events[0].detail)
        assert events[0].detail["consents_granted"] == ["data_processing", "callback_call"]
        assert verify_chain(session).ok
    assert MOBILE not in str(_leads(client, demo, cid))


def test_a_resent_lead_is_one_row(client, demo):
    cid = _campaign(client, demo)["campaign_id"]
    action = _form_action(client.get(f"/h5/{cid}").text)
    first = _post(client, action, GOOD)
    again = _post(client, action, {**GOOD, "surname": "王女士"})
    assert first.status_code == 201 and first.json()["duplicate"] is False
    assert again.status_code == 200 and again.json() == {**first.json(), "duplicate": True}
    other = _post(client, action, {**GOOD, "phone": "13900139000"})
    assert other.status_code == 201
    assert [lead["fields"]["surname"] for lead in _leads(client, demo, cid)] == ["王先生", "王先生"]


def test_refused_submissions_store_nothing(client, demo):
    cid = _campaign(client, demo)["campaign_id"]
    action = _form_action(client.get(f"/h5/{cid}").text)
    cases = {
        "consent_required": {k: v for k, v in GOOD.items() if k != "consent_data_processing"},
        "invalid_mobile": {**GOOD, "phone": "12800138000"},
        "missing_field": {k: v for k, v in GOOD.items() if k != "surname"},
        "unknown_field": {**GOOD, "id_number": "1"},
        "invalid_consent_value": {**GOOD, "consent_marketing_sms": "no"},
        "field_too_long": {**GOOD, "surname": "王" * 40},
    }
    for reason, fields in cases.items():
        refused = _post(client, action, fields)
        assert refused.status_code == 422 and refused.json()["reason"] == reason, (reason, refused.text)
        assert MOBILE not in refused.text
    html = _post(client, action, cases["consent_required"], json=False)
    assert html.status_code == 422 and "必选" in html.text
    as_json = client.post(action, json=GOOD, headers={"Accept": "application/json"})
    assert as_json.status_code == 415
    huge = _post(client, action, {**GOOD, "surname": "x" * 5000})
    assert huge.status_code == 413
    assert _leads(client, demo, cid) == []


def test_no_published_page_takes_no_leads(client, demo):
    unpublished = _campaign(client, demo, publish=False)["campaign_id"]
    for cid in (unpublished, "cmp_does_not_exist"):
        refused = _post(client, f"/h5/{cid}/leads", GOOD)
        assert refused.status_code == 404 and refused.json()["reason"] == "not_published"
    assert _leads(client, demo, unpublished) == []
    assert (
        client.get("/v1/campaigns/cmp_does_not_exist/h5-leads", headers=auth(demo, "reviewer")).status_code
        == 404
    )
    assert (
        client.get(f"/v1/campaigns/{unpublished}/h5-leads", headers=auth(demo, "voicebot")).status_code == 403
    )
    assert client.get(f"/v1/campaigns/{unpublished}/h5-leads").status_code == 401


def test_one_address_gets_ten_posts_a_minute(client, demo):
    statuses = [_post(client, "/h5/cmp_does_not_exist/leads", GOOD).status_code for _ in range(11)]
    assert statuses == [404] * 10 + [429]
    limited = _post(client, "/h5/cmp_does_not_exist/leads", GOOD)
    assert limited.json()["reason"] == "rate_limited" and int(limited.headers["retry-after"]) >= 1


def test_ab_variants_each_visitor_keeps_one_and_leads_record_it(client, demo):
    campaign = _campaign(client, demo, AB_BRIEF)
    cid = campaign["campaign_id"]
    assert {d["variant"] for d in campaign["drafts"] if d["channel"] == "h5"} == {"A", "B"}
    pages = {v: client.get(f"/h5/{cid}", params={"v": v}) for v in ("A", "B")}
    assert pages["A"].headers["etag"] != pages["B"].headers["etag"]
    assert _form_action(pages["A"].text) != _form_action(pages["B"].text)
    assert pages["A"].headers["vary"] == "Cookie"

    client.cookies.clear()
    first = client.get(f"/h5/{cid}")
    visitor = first.cookies.get("mb_v")
    assert visitor and re.fullmatch(r"[0-9a-f]{16}", visitor)
    seen = {client.get(f"/h5/{cid}").headers["etag"] for _ in range(3)}  # the client resends the cookie
    assert seen == {first.headers["etag"]}
    assert "mb_v" not in client.get(f"/h5/{cid}").headers.get("set-cookie", "")

    assert _post(client, _form_action(pages["B"].text), GOOD).json()["variant"] == "B"
    assert (
        _post(client, f"/h5/{cid}/leads", {**GOOD, "phone": "13900139000"}).json()["reason"]
        == "page_required"
    )
    assert [lead["variant"] for lead in _leads(client, demo, cid)] == ["B"]
