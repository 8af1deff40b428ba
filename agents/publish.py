"""Publish node logic: approved drafts become immutable publications (idempotent)."""

from __future__ import annotations

from agents.drafts import DraftState
from core.db import session_scope
from tools.call_script.hashing import content_hash as script_hash
from tools.call_script.model import CallScript
from tools.campaign_api.publications import PublicationView, canonical_hash, publish


def publish_draft(draft: DraftState, *, actor: str) -> PublicationView:
    if draft.phase != "approved" or draft.approved_review_id is None or draft.draft_id is None:
        raise ValueError(f"draft {draft.draft_id} ({draft.channel}) is not approved; refusing to publish")
    content = dict(draft.content)
    if draft.channel == "call_script":
        script = CallScript.model_validate(content["script"]).model_copy(update={"status": "published"})
        digest = script_hash(script)
        content["script"] = script.model_copy(update={"content_hash": digest}).model_dump(mode="json")
    else:
        digest = canonical_hash(content)
    with session_scope() as session:
        return publish(
            session, draft_id=draft.draft_id, draft_version=draft.version, content=content, content_hash=digest,
            review_id=draft.approved_review_id, actor=actor,
        )  # fmt: skip
