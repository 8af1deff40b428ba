"""Published call scripts are immutable numbered versions; the pull serves the live one, rendered for the lead."""

from __future__ import annotations

import pytest

from core.db import session_scope
from tests.e2e.conftest import auth
from tests.e2e.test_call_gate import approve_all, start_campaign
from tools.call_script.hashing import content_hash, hash_matches
from tools.call_script.model import CallScript
from tools.call_script.render import render_for_lead
from tools.campaign_api.drafts import get_draft, save_version
from tools.campaign_api.errors import Conflict, InvalidInput
from tools.campaign_api.publications import (
    campaign_publications,
    latest_publication,
    publish,
    withdraw_publication,
)
from tools.campaign_api.reviews import record_decision
from tools.campaign_api.users import UserView

REVIEWER = UserView(username="reviewer", display_name="张审核", role="reviewer")
NEW_CLOSING = "好的，感谢您的接听，祝您生活愉快。如有需要，欢迎致电我行客服热线。再见！"


@pytest.fixture()
def published(client, demo) -> dict:
    return approve_all(client, demo, start_campaign(client, demo))


def _pull(client, demo, campaign_id: str, lead: int):
    return client.get(f"/v1/call-scripts/{campaign_id}/leads/{lead}", headers=auth(demo, "voicebot"))


def _script_draft_id(campaign: dict) -> str:
    return next(d["draft_id"] for d in campaign["drafts"] if d["channel"] == "call_script")


def _publish_new_version(draft_id: str) -> str:
    """Edit the closing line, have it approved and publish it, as the graph's revise → review → publish does."""
    with session_scope() as session:
        draft = get_draft(session, draft_id)
        script = CallScript.model_validate(draft.content["script"])
        nodes = [
            n.model_copy(update={"prompt": n.prompt.model_copy(update={"text": NEW_CLOSING})})
            if n.id == "closing" and n.prompt is not None
            else n
            for n in script.nodes
        ]
        edited = script.model_copy(update={"nodes": nodes, "status": "published"})
        edited = edited.model_copy(update={"content_hash": content_hash(edited)})
        version = save_version(
            session, campaign_id=draft.campaign_id, channel="call_script",
            content={"script": edited.model_dump(mode="json")}, findings=[], verdict="pass", mode="offline",
            notes=[], created_by="marketer",
        )  # fmt: skip
        review = record_decision(session, draft_id=draft_id, reviewer=REVIEWER, decision="approve")
        publication = publish(
            session, draft_id=draft_id, draft_version=version.version, content=version.content,
            content_hash=edited.content_hash or "", review_id=review.review_id, actor="reviewer",
        )  # fmt: skip
        return publication.publication_id


def test_pull_is_the_live_version_rendered_for_the_lead(client, demo, published):
    lead = published["audience"]["sample_ids"][0]
    body = _pull(client, demo, published["campaign_id"], lead).json()
    with session_scope() as session:
        live = latest_publication(session, published["campaign_id"], "call_script")
    assert live is not None and (body["publication_id"], body["version"]) == (live.publication_id, 1)
    script = CallScript.model_validate(live.content["script"])
    assert (script.version, script.status) == (1, "published") and hash_matches(script)
    assert body["content_hash"] == live.content_hash == script.content_hash
    surname = body["script"]["nodes"][0]["prompt"]["text"][: len(body["variables"]["customer_surname"])]
    reference = render_for_lead(
        script, {"customer_surname": surname, "honorific": body["variables"]["honorific"]}
    )
    assert body["script"] == reference.script.model_dump(mode="json")
    assert body["variables"] == reference.masked_variables and "*" in body["variables"]["customer_surname"]
    assert body["call_policy"] == script.call_policy.model_dump(mode="json")
    assert "${" not in str(body["script"])


def test_new_version_moves_the_pointer_and_withdrawal_moves_it_back(client, demo, published):
    campaign_id, lead = published["campaign_id"], published["audience"]["sample_ids"][1]
    first = _pull(client, demo, campaign_id, lead).json()
    second_id = _publish_new_version(_script_draft_id(published))
    second = _pull(client, demo, campaign_id, lead).json()
    assert (second["publication_id"], second["version"]) == (second_id, 2)
    assert second["content_hash"] != first["content_hash"]
    closing = next(n for n in second["script"]["nodes"] if n["id"] == "closing")
    assert closing["prompt"]["text"] == NEW_CLOSING and second["script"]["version"] == 2
    with session_scope() as session:
        versions = {
            p.version: p for p in campaign_publications(session, campaign_id) if p.channel == "call_script"
        }
        assert versions[1].content_hash == first["content_hash"]  # version 1 is untouched
        assert versions[1].content["script"]["version"] == 1
        withdrawn = withdraw_publication(
            session, second_id, reason="wording to be reviewed again", actor="compliance"
        )
        assert withdrawn.withdrawn_at is not None
        with pytest.raises(Conflict, match="already"):
            withdraw_publication(session, second_id, reason="again", actor="compliance")
        with pytest.raises(InvalidInput):
            withdraw_publication(session, first["publication_id"], reason=" ", actor="compliance")
    back = _pull(client, demo, campaign_id, lead).json()
    assert (back["publication_id"], back["version"], back["content_hash"]) == (
        first["publication_id"],
        1,
        first["content_hash"],
    )
    assert back == first


def test_withdrawing_the_only_version_unpublishes(client, demo, published):
    lead = published["audience"]["sample_ids"][0]
    first = _pull(client, demo, published["campaign_id"], lead).json()
    with session_scope() as session:
        withdraw_publication(session, first["publication_id"], reason="campaign paused", actor="compliance")
    response = _pull(client, demo, published["campaign_id"], lead)
    assert response.status_code == 409 and response.json()["reason"] == "not_published"
