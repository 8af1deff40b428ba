"""Drafts and the review queue: read a draft with its findings, decide on it."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field, model_validator

from agents.runner import DecisionOutcome, decide
from api.deps import ReviewerDep, SessionDep, StaffDep
from tools.campaign_api.drafts import DraftSummary, DraftView, get_draft, review_queue
from tools.claims import LedgerEntry, stored_ledger

router = APIRouter(prefix="/v1", tags=["reviews"])


class DecisionBody(BaseModel):
    decision: Literal["approve", "reject", "request_changes"]
    comment: str | None = Field(default=None, max_length=2000)
    text: str | None = Field(
        default=None, max_length=20000, description="Edited text; approve + text = edit."
    )
    override_reason: str | None = Field(default=None, max_length=2000)

    @model_validator(mode="after")
    def _text_only_with_approve(self) -> DecisionBody:
        if self.text is not None and self.decision != "approve":
            raise ValueError("edited text can only accompany an approve decision")
        return self


@router.get("/reviews/queue")
def queue(session: SessionDep, _user: StaffDep) -> list[DraftSummary]:
    return review_queue(session)


class DraftWithLedger(DraftView):
    """A draft as the reviewer sees it: content, findings and the claims ledger linking each fact to its source."""

    ledger: list[LedgerEntry]


@router.get("/drafts/{draft_id}")
def show(draft_id: str, session: SessionDep, _user: StaffDep) -> DraftWithLedger:
    view = get_draft(session, draft_id)
    return DraftWithLedger(**view.model_dump(), ledger=stored_ledger(view.content))


@router.post("/drafts/{draft_id}/decision")
def decide_draft(draft_id: str, body: DecisionBody, user: ReviewerDep) -> DecisionOutcome:
    """Record a decision; the last decision of a campaign resumes its run (publish or revise)."""
    decision = "edit" if body.text is not None else body.decision
    return decide(
        draft_id, reviewer=user, decision=decision, comment=body.comment, edited_text=body.text,
        override_reason=body.override_reason,
    )  # fmt: skip
