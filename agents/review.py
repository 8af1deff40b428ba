"""Human review: the interrupt that waits for reviewers, and what their decisions do to the drafts.

Decisions are recorded one by one through the campaign API (four-eyes and override rules live there); when no
draft of the campaign is pending any more, the runner resumes the graph with all of them at once.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from agents.content import CHANNEL_SCHEMAS, write_content
from agents.drafts import DraftState
from agents.plan import CampaignPlan
from agents.revise import BODY_FIELD
from core.settings import get_settings


class ReviewDecision(BaseModel):
    """One reviewer decision as the graph receives it on resume."""

    draft_id: str
    decision: Literal["approve", "reject", "request_changes", "edit"]
    review_id: int
    reviewer: str
    comment: str | None = None
    edited_text: str | None = None


def review_bundle(campaign_id: str, plan: dict[str, Any], audience: dict[str, Any] | None,
                  drafts: dict[str, DraftState]) -> dict[str, Any]:  # fmt: skip
    """What the review interrupt shows: plan, audience summary and every draft waiting with its findings."""
    return {
        "type": "review",
        "campaign_id": campaign_id,
        "plan": plan,
        "audience": {k: audience.get(k) for k in ("size", "matched", "exclusions")} if audience else None,
        "drafts": [
            {"draft_id": d.draft_id, "channel": d.channel, "version": d.version, "verdict": d.verdict,
             "findings": [f.model_dump() for f in d.findings]}
            for d in drafts.values() if d.phase == "in_review"
        ],
    }  # fmt: skip


def apply_decision(draft: DraftState, decision: ReviewDecision) -> DraftState:
    """Move a draft to the phase its decision implies; an edit replaces the body text and is re-checked."""
    if decision.decision == "approve":
        return draft.model_copy(update={"phase": "approved", "approved_review_id": decision.review_id})
    if decision.decision == "reject":
        return draft.model_copy(update={"phase": "rejected"})
    if decision.decision == "request_changes":
        return draft.model_copy(update={"phase": "changes_requested", "review_comment": decision.comment})
    if draft.channel not in BODY_FIELD:
        raise ValueError(f"{draft.channel} drafts cannot be edited as text")
    content = {**draft.content, BODY_FIELD[draft.channel]: decision.edited_text}
    notes = [*draft.notes, f"审核人 {decision.reviewer} 编辑了文本"]
    return draft.model_copy(
        update={"content": content, "phase": "edited", "notes": notes, "approved_review_id": decision.review_id,
                "edited_by": decision.reviewer}
    )  # fmt: skip


def rewrite_for_comment(draft: DraftState, plan: CampaignPlan, *, run_id: str) -> DraftState:
    """Act on a request for changes: the writer rewrites with the comment; offline it cannot, and says so."""
    comment = draft.review_comment or ""
    if draft.channel in CHANNEL_SCHEMAS and not get_settings().offline:
        rewritten = write_content(plan, draft.channel, run_id=run_id, comment=comment)
        notes = [*draft.notes, *rewritten.notes, f"已按审核意见改写：{comment}"]
        return draft.model_copy(update={"content": rewritten.content, "mode": rewritten.mode, "notes": notes,
                                        "edited_by": None,
                                        "phase": "revised"})  # fmt: skip
    notes = [*draft.notes, f"离线模式无法按意见自动改写（{comment}），原稿退回审核，请审核人直接编辑文本"]
    return draft.model_copy(update={"notes": notes, "phase": "revised"})
