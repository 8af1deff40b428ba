"""Review decisions and the rules that guard them (four eyes, blocking findings, overrides)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.audit import append_event
from core.clock import now
from core.models import Draft, Review
from tools.campaign_api.campaigns import get_campaign_row
from tools.campaign_api.drafts import get_draft
from tools.campaign_api.errors import Conflict, Forbidden, InvalidInput
from tools.campaign_api.users import UserView

Decision = Literal["approve", "reject", "request_changes", "edit"]
REVIEWER_ROLES = frozenset({"reviewer", "compliance_officer"})


class ReviewView(BaseModel):
    review_id: int
    draft_id: str
    version: int
    reviewer: str
    decision: Decision
    comment: str | None
    edited_text: str | None
    override_reason: str | None


def record_decision(
    session: Session, *, draft_id: str, reviewer: UserView, decision: Decision, comment: str | None = None,
    edited_text: str | None = None, override_reason: str | None = None,
) -> ReviewView:  # fmt: skip
    """Record one reviewer decision on the draft's current version, after checking every review rule."""
    draft = get_draft(session, draft_id)
    campaign = get_campaign_row(session, draft.campaign_id)
    _check_allowed(draft.status, draft.verdict, campaign.author, reviewer, decision, comment, edited_text,
                   override_reason)  # fmt: skip
    row = Review(
        draft_id=draft_id, version=draft.version, reviewer=reviewer.username, decision=decision, comment=comment,
        edited_text=edited_text, override_reason=override_reason, consumed=False, created_at=now(),
    )  # fmt: skip
    session.add(row)
    row_draft = session.get(Draft, draft_id)
    assert row_draft is not None  # get_draft above proved it exists
    row_draft.status = "decided"
    session.flush()
    append_event(
        session, actor=reviewer.username, action=f"review.{decision}", subject=draft_id,
        detail={"version": draft.version, "comment": comment, "edited": edited_text is not None,
                "override_reason": override_reason},
    )  # fmt: skip
    return _view(row)


def _check_allowed(
    status: str, verdict: str, author: str, reviewer: UserView, decision: str, comment: str | None,
    edited_text: str | None, override_reason: str | None,
) -> None:  # fmt: skip
    # Four eyes first: whatever their role, an author is told exactly why they cannot approve.
    if decision in ("approve", "edit") and reviewer.username == author:
        raise Forbidden("four_eyes", "the author of a campaign cannot approve its drafts")
    if reviewer.role not in REVIEWER_ROLES:
        raise Forbidden("role_not_allowed", f"role {reviewer.role} cannot review drafts")
    if status != "pending_review":
        raise Conflict("not_pending_review", f"draft is {status}, not pending review")
    if decision == "request_changes" and not (comment and comment.strip()):
        raise InvalidInput("comment_required", "request_changes needs a comment saying what to change")
    if decision == "edit" and not (edited_text and edited_text.strip()):
        raise InvalidInput("text_required", "an edit needs the new text")
    if decision == "approve" and verdict == "block":
        if reviewer.role != "compliance_officer":
            raise Forbidden(
                "blocking_findings", "a draft with blocking findings needs a compliance officer override"
            )
        if not (override_reason and override_reason.strip()):
            raise InvalidInput(
                "override_reason_required", "overriding a blocking finding needs a written reason"
            )


def unconsumed_reviews(session: Session, draft_ids: list[str]) -> list[ReviewView]:
    rows = session.scalars(
        select(Review).where(Review.draft_id.in_(draft_ids), Review.consumed.is_(False)).order_by(Review.id)
    )
    return [_view(r) for r in rows]


def mark_consumed(session: Session, review_ids: list[int]) -> None:
    for review in session.scalars(select(Review).where(Review.id.in_(review_ids))):
        review.consumed = True


def _view(row: Review) -> ReviewView:
    return ReviewView(
        review_id=row.id, draft_id=row.draft_id, version=row.version, reviewer=row.reviewer,
        decision=row.decision, comment=row.comment, edited_text=row.edited_text,
        override_reason=row.override_reason,
    )  # fmt: skip
