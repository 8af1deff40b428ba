"""Graph nodes: thin adapters between the state dict and the agents' typed functions."""

from __future__ import annotations

from typing import Any, Literal

from langgraph.types import Send, interrupt
from sqlalchemy.orm import Session

from agents.audience import select_audience
from agents.audience_snapshot import freeze_campaign_audience
from agents.call_script import write_call_script
from agents.compliance_check import NEEDS_CHECK, check_draft
from agents.content import write_content
from agents.drafts import DraftState
from agents.plan import CampaignPlan, ClarificationNeeded, plan_campaign
from agents.publish import publish_draft
from agents.review import ReviewDecision, apply_decision, review_bundle, rewrite_for_comment
from agents.revise import revise_draft
from agents.state import CampaignState, WriterInput, draft_key
from agents.variants import variant_letters, variant_of
from core.db import session_scope
from core.settings import get_settings
from tools.campaign_api.campaigns import update_campaign
from tools.campaign_api.drafts import DEFAULT_VARIANT, save_version, set_status


def _drafts(state: CampaignState) -> dict[str, DraftState]:
    return {key: DraftState.model_validate(value) for key, value in (state.get("drafts") or {}).items()}


def _dump(drafts: dict[str, DraftState]) -> dict[str, Any]:
    return {key: draft.model_dump(mode="json") for key, draft in drafts.items()}


def _plan(state: CampaignState | WriterInput) -> CampaignPlan:
    return CampaignPlan.model_validate(state["plan"])


def plan_node(state: CampaignState) -> dict[str, Any]:
    brief = "\n".join([state["brief"], *state.get("clarifications", [])])
    result, mode, notes = plan_campaign(brief, run_id=state["campaign_id"])
    if isinstance(result, ClarificationNeeded):
        return {"status": "needs_clarification", "plan": {}, "clarify": result.model_dump()}
    with session_scope() as session:
        update_campaign(
            session, state["campaign_id"], actor="planner", plan=result.model_dump(mode="json"), status="drafting",
            generation_mode=mode, starts_on=min(w.starts_on for w in result.waves).isoformat(),
            ends_on=max(w.ends_on for w in result.waves).isoformat(),
        )  # fmt: skip
    return {"plan": result.model_dump(mode="json"), "status": "drafting", "plan_notes": notes}


def route_after_plan(state: CampaignState) -> list[Send] | Literal["clarify"]:
    """Fan out: the audience, one writer per channel deliverable (per A/B variant), the call script if planned."""
    if state.get("status") == "needs_clarification":
        return "clarify"
    if state.get("status") != "drafting":
        raise ValueError(f"unexpected status after planning: {state.get('status')!r}")
    plan = _plan(state)
    payload = {"campaign_id": state["campaign_id"], "plan": state["plan"]}
    sends = [Send("select_audience", {**payload, "channel": "audience"})]
    for channel in plan.channels:
        if channel == "call_script":
            sends.append(Send("write_call_script", {**payload, "channel": channel}))
        elif plan.variant_count > 1:
            sends += [Send("write_content", {**payload, "channel": channel, "variant": v})
                      for v in variant_letters(plan.variant_count)]  # fmt: skip
        else:
            sends.append(Send("write_content", {**payload, "channel": channel}))
    return sends


def clarify_node(state: CampaignState) -> dict[str, Any]:
    question = state.get("clarify", {}).get("question", "请补充活动信息")
    answer = interrupt({"type": "clarify", "campaign_id": state["campaign_id"], "question": question})
    if not isinstance(answer, str) or not answer.strip():
        raise ValueError("a clarification answer must be non-empty text")
    return {"clarifications": [*state.get("clarifications", []), answer.strip()], "status": "planning"}


def audience_node(state: WriterInput) -> dict[str, Any]:
    selection = select_audience(_plan(state), campaign_id=state["campaign_id"], run_id=state["campaign_id"])
    return {"audience": selection.model_dump(mode="json")}


def content_node(state: WriterInput) -> dict[str, Any]:
    variant = state.get("variant")
    draft = write_content(_plan(state), state["channel"], run_id=state["campaign_id"], variant=variant)
    return {"drafts": {draft_key(state["channel"], variant): draft.model_dump(mode="json")}}


def call_script_node(state: WriterInput) -> dict[str, Any]:
    draft = write_call_script(_plan(state), campaign_id=state["campaign_id"], run_id=state["campaign_id"])
    return {"drafts": {"call_script": draft.model_dump(mode="json")}}


def compliance_node(state: CampaignState) -> dict[str, Any]:
    plan, drafts = _plan(state), _drafts(state)
    checked: dict[str, DraftState] = {}
    for key, draft in drafts.items():
        if draft.phase not in NEEDS_CHECK:
            continue
        result = check_draft(draft, plan, run_id=state["campaign_id"])
        if draft.phase == "edited":
            # A reviewer's edit that passes the checks is that reviewer's approval. One that fails goes back to
            # review as written: no automatic rewrite of a human's text, so its revise budget counts as spent.
            approved = result.verdict != "block"
            result = result.model_copy(
                update={
                    "phase": "approved" if approved else "checked",
                    "approved_review_id": draft.approved_review_id if approved else None,
                    "revisions": result.revisions if approved else get_settings().max_revisions,
                }
            )
        checked[key] = result
    return {"drafts": _dump(checked)}


def route_after_check(state: CampaignState) -> Literal["revise", "submit_for_review"]:
    limit = get_settings().max_revisions
    for draft in _drafts(state).values():
        if draft.phase == "checked" and draft.verdict == "block" and draft.revisions < limit:
            return "revise"
    return "submit_for_review"


def revise_node(state: CampaignState) -> dict[str, Any]:
    plan, limit = _plan(state), get_settings().max_revisions
    revised = {
        key: revise_draft(draft, plan, run_id=state["campaign_id"])
        for key, draft in _drafts(state).items()
        if draft.phase == "checked" and draft.verdict == "block" and draft.revisions < limit
    }
    return {"drafts": _dump(revised)}


def submit_node(state: CampaignState) -> dict[str, Any]:
    """Persist every newly checked draft as a version awaiting review (idempotent on re-run)."""
    drafts, submitted = _drafts(state), {}
    with session_scope() as session:
        for key, draft in drafts.items():
            if draft.phase == "rejected" and draft.draft_id:
                set_status(session, draft.draft_id, "rejected")
            if draft.phase in ("checked", "approved"):
                submitted[key] = _persist(session, state["campaign_id"], draft)
        waiting = any(d.phase == "in_review" for d in {**drafts, **submitted}.values())
        update_campaign(session, state["campaign_id"], actor="marketing-brain", audience=state.get("audience"),
                        status="in_review" if waiting else "publishing")  # fmt: skip
    return {"drafts": _dump(submitted), "review_round": state.get("review_round", 0) + 1}


def _persist(session: Session, campaign_id: str, draft: DraftState) -> DraftState:
    # Saving an unchanged version is a no-op in save_version, so approved drafts can pass through safely.
    failed = (
        draft.phase == "checked"
        and draft.verdict == "block"
        and draft.revisions >= get_settings().max_revisions
    )
    failure_note = (
        f"审核人 {draft.edited_by} 编辑后的文本仍有阻断项，未自动改写，退回审核"
        if draft.edited_by
        else f"已自动修订{draft.revisions}轮仍有阻断项"
    )
    notes = [*draft.notes, *([failure_note] if failed and failure_note not in draft.notes else [])]
    approved = draft.phase == "approved"
    view = save_version(
        session, campaign_id=campaign_id, channel=draft.channel, content=draft.content,
        findings=[f.model_dump(mode="json") for f in draft.findings], verdict=draft.verdict, mode=draft.mode,
        notes=notes, created_by=draft.edited_by or "marketing-brain",
        status="approved" if approved else "pending_review", variant=variant_of(draft.content) or DEFAULT_VARIANT,
    )  # fmt: skip
    return draft.model_copy(update={"draft_id": view.draft_id, "version": view.version, "notes": notes,
                                    "phase": "approved" if approved else "in_review"})  # fmt: skip


def review_node(state: CampaignState) -> dict[str, Any]:
    drafts = _drafts(state)
    if not any(d.phase == "in_review" for d in drafts.values()):
        return {}
    bundle = review_bundle(state["campaign_id"], state["plan"], state.get("audience"), drafts)
    resume = interrupt(bundle)
    decisions = [ReviewDecision.model_validate(d) for d in resume["decisions"]]
    by_id = {d.draft_id: key for key, d in drafts.items()}
    updated: dict[str, DraftState] = {}
    for decision in decisions:
        key = by_id.get(decision.draft_id)
        if key is None:
            raise ValueError(f"decision for unknown draft {decision.draft_id}")
        updated[key] = apply_decision(drafts[key], decision)
    return {"drafts": _dump(updated)}


def route_after_review(state: CampaignState) -> Literal["apply_feedback", "check_compliance", "publish"]:
    phases = {d.phase for d in _drafts(state).values()}
    if "in_review" in phases:
        raise ValueError("review resumed while drafts are still pending")
    if "changes_requested" in phases:
        return "apply_feedback"
    if "edited" in phases:
        return "check_compliance"
    return "publish"


def feedback_node(state: CampaignState) -> dict[str, Any]:
    plan = _plan(state)
    rewritten = {
        key: rewrite_for_comment(draft, plan, run_id=state["campaign_id"])
        for key, draft in _drafts(state).items()
        if draft.phase == "changes_requested"
    }
    return {"drafts": _dump(rewritten)}


def publish_node(state: CampaignState) -> dict[str, Any]:
    drafts = _drafts(state)
    published = [publish_draft(d, actor="marketing-brain") for d in drafts.values() if d.phase == "approved"]
    status = "published" if published else "rejected"
    if published and state.get("audience"):
        # The approved campaign's audience is frozen now, so later tag refreshes cannot change who it targets.
        freeze_campaign_audience(state["campaign_id"], state["audience"], actor="marketing-brain")
    with session_scope() as session:
        update_campaign(session, state["campaign_id"], actor="marketing-brain", status=status)
    return {"status": status}
