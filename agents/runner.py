"""Runs the campaign graph: start a campaign, answer a clarification, resume after reviews.

One thread per campaign (thread_id = campaign id) with SQLite checkpoints under the data dir, so a run that
waits at review survives any restart and any process (CLI or API) can resume it.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Command
from pydantic import BaseModel

from agents.graph import build_graph
from core.db import session_scope
from core.settings import get_settings
from tools.campaign_api.campaigns import (
    CampaignView,
    create_campaign,
    get_campaign,
    new_campaign_id,
    update_campaign,
)
from tools.campaign_api.drafts import DraftSummary, campaign_drafts, get_draft
from tools.campaign_api.errors import Conflict, InvalidInput, RunFailed, WorkflowError
from tools.campaign_api.reviews import (
    Decision,
    ReviewView,
    mark_consumed,
    record_decision,
    unconsumed_reviews,
)
from tools.campaign_api.usage import usage_summary
from tools.campaign_api.users import UserView

log = logging.getLogger(__name__)
MAX_BRIEF_CHARS = 2000


class RunOutcome(BaseModel):
    """Where a campaign stands after the graph paused or finished."""

    campaign_id: str
    status: str
    question: str | None = None
    generation_mode: str
    plan: dict[str, Any] | None
    audience: dict[str, Any] | None
    drafts: list[DraftSummary]
    usage: dict[str, Any]


class DecisionOutcome(BaseModel):
    review: ReviewView
    resumed: bool
    campaign: RunOutcome


@contextmanager
def campaign_graph() -> Iterator[CompiledStateGraph]:  # type: ignore[type-arg]
    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    # check_same_thread=False: parallel branches run in worker threads; SqliteSaver serialises with its lock.
    conn = sqlite3.connect(settings.checkpoint_path, check_same_thread=False, timeout=30)
    try:
        yield build_graph(SqliteSaver(conn))
    finally:
        conn.close()


def start_campaign(brief: str, *, author: UserView) -> RunOutcome:
    """Create the campaign record and run the graph until it needs a human (clarification or review)."""
    brief = brief.strip()
    if not brief:
        raise InvalidInput("empty_brief", "the brief is empty")
    if len(brief) > MAX_BRIEF_CHARS:
        raise InvalidInput(
            "brief_too_long", f"the brief has {len(brief)} characters; at most {MAX_BRIEF_CHARS}"
        )
    if author.role not in ("marketer", "content_editor", "admin"):
        raise InvalidInput("role_not_allowed", f"role {author.role} cannot start campaigns")
    campaign_id = new_campaign_id()
    mode = "offline" if get_settings().offline else "llm"
    with session_scope() as session:
        create_campaign(session, campaign_id=campaign_id, brief=brief, author=author.username, mode=mode)
    return _run(campaign_id, {"campaign_id": campaign_id, "brief": brief, "author": author.username})


def answer_clarification(campaign_id: str, answer: str, *, user: UserView) -> RunOutcome:
    with session_scope() as session:
        campaign = get_campaign(session, campaign_id)
    if campaign.status != "needs_clarification":
        raise Conflict("not_waiting_for_clarification", f"campaign {campaign_id} is {campaign.status}")
    if campaign.author != user.username:
        raise Conflict("not_author", "only the campaign's author can answer its clarification")
    if not answer.strip():
        raise InvalidInput("empty_answer", "the answer is empty")
    return _run(campaign_id, Command(resume=answer.strip()))


def resume_interrupted(campaign_id: str, *, user: UserView) -> RunOutcome:
    """Continue a run that died mid-way (crash, kill, endpoint outage) from its last checkpoint.

    A run waiting for a human is not resumed here: it continues when the human answers.
    """
    with session_scope() as session:
        campaign = get_campaign(session, campaign_id)
    if user.role != "admin" and user.username != campaign.author:
        raise Conflict("not_author", "only the campaign's author or an admin can resume its run")
    with campaign_graph() as graph:
        snapshot = graph.get_state({"configurable": {"thread_id": campaign_id}})
    if not snapshot.next:
        raise Conflict("nothing_to_resume", f"campaign {campaign_id} has no unfinished step")
    if any(task.interrupts for task in snapshot.tasks):
        raise Conflict("waiting_for_human", f"campaign {campaign_id} is waiting for a person, not stalled")
    return _run(campaign_id, None)


def decide(
    draft_id: str, *, reviewer: UserView, decision: Decision, comment: str | None = None,
    edited_text: str | None = None, override_reason: str | None = None,
) -> DecisionOutcome:  # fmt: skip
    """Record a decision; when it was the campaign's last pending draft, resume the graph with all decisions."""
    with session_scope() as session:
        review = record_decision(session, draft_id=draft_id, reviewer=reviewer, decision=decision, comment=comment,
                                 edited_text=edited_text, override_reason=override_reason)  # fmt: skip
        campaign_id = get_draft(session, draft_id).campaign_id
    decisions = _claim_decisions(campaign_id)
    if decisions is None:
        return DecisionOutcome(review=review, resumed=False, campaign=outcome(campaign_id))
    result = _run(campaign_id, Command(resume={"decisions": decisions}))
    return DecisionOutcome(review=review, resumed=True, campaign=result)


def _claim_decisions(campaign_id: str) -> list[dict[str, Any]] | None:
    """Take every unconsumed decision if no draft is still pending; None while some are.

    Claiming happens in one write transaction, so two reviewers finishing at once cannot both resume.
    """
    with session_scope() as session:
        drafts = campaign_drafts(session, campaign_id)
        if any(d.status == "pending_review" for d in drafts):
            return None
        reviews = unconsumed_reviews(session, [d.draft_id for d in drafts])
        if not reviews:
            return None
        mark_consumed(session, [r.review_id for r in reviews])
    return [
        {"draft_id": r.draft_id, "decision": r.decision, "review_id": r.review_id, "reviewer": r.reviewer,
         "comment": r.comment, "edited_text": r.edited_text}
        for r in reviews
    ]  # fmt: skip


def _run(campaign_id: str, payload: Any) -> RunOutcome:
    config: RunnableConfig = {"configurable": {"thread_id": campaign_id}}
    try:
        with campaign_graph() as graph:
            result = graph.invoke(payload, config)
    except WorkflowError:
        raise
    except Exception as exc:
        log.exception("campaign %s: run stopped", campaign_id)
        with session_scope() as session:
            update_campaign(session, campaign_id, actor="marketing-brain", status="failed")
        raise RunFailed(
            "run_failed",
            f"campaign {campaign_id} stopped: {type(exc).__name__}: {exc}; "
            f"resume it with POST /v1/campaigns/{campaign_id}/resume",
        ) from exc
    question = None
    for pending in result.get("__interrupt__", []) or []:
        value = getattr(pending, "value", {})
        if isinstance(value, dict) and value.get("type") == "clarify":
            question = value.get("question")
            with session_scope() as session:
                update_campaign(session, campaign_id, actor="planner", status="needs_clarification")
    return outcome(campaign_id, question=question)


def outcome(campaign_id: str, *, question: str | None = None) -> RunOutcome:
    with session_scope() as session:
        campaign: CampaignView = get_campaign(session, campaign_id)
        drafts = [DraftSummary.model_validate(d.model_dump()) for d in campaign_drafts(session, campaign_id)]
        usage = usage_summary(session, campaign_id)
    return RunOutcome(
        campaign_id=campaign_id, status=campaign.status, question=question, generation_mode=campaign.generation_mode,
        plan=campaign.plan, audience=campaign.audience, drafts=drafts, usage=usage,
    )  # fmt: skip
