"""Human review: the interrupt that waits for reviewers, and what their decisions do to the drafts.

Decisions are recorded one by one through the campaign API (four-eyes and override rules live there); when no
draft of the campaign is pending any more, the runner resumes the graph with all of them at once. A request for
changes rewrites only what the comment is about: the fields it names, or the body when it names none.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from agents.content import CHANNEL_SCHEMAS, fits_channel, offline_copies, write_content
from agents.drafts import DraftState
from agents.plan import CampaignPlan
from agents.revise import BODY_FIELD
from agents.variants import VARIANT_ANGLES, Angle, variant_of
from core.settings import get_settings
from tools.products import default_catalog

# Words by which a reviewer's comment names the part of a draft it is about.
FIELD_WORDS: dict[str, tuple[str, ...]] = {
    "title": ("标题", "题目"),
    "digest": ("摘要", "导语"),
    "text": ("正文", "内容", "文案", "短信"),
    "body": ("正文", "内容", "文案"),
}
SHORTER_WORDS = ("短", "精简", "简洁", "太长", "字数")


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
            {"draft_id": d.draft_id, "channel": d.channel, "variant": variant_of(d.content),
             "angle": (d.content.get("meta") or {}).get("angle"), "version": d.version, "verdict": d.verdict,
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


def requested_fields(channel: str, comment: str) -> list[str] | None:
    """The copy fields a reviewer's comment names (标题 → title…); None when it names none or has no fields."""
    if channel not in CHANNEL_SCHEMAS or channel == "h5":
        return None
    named = [
        f for f in CHANNEL_SCHEMAS[channel].model_fields if any(w in comment for w in FIELD_WORDS.get(f, ()))
    ]
    return named or None


def rewrite_for_comment(draft: DraftState, plan: CampaignPlan, *, run_id: str) -> DraftState:
    """Act on a request for changes, keeping every part of the draft the comment does not ask to change.

    With a model the writer gets the current draft and the comment and is asked to change only that; whatever it
    returns, fields the comment does not name are restored. Offline the named fields (else the body) are replaced
    by another grounded template phrasing; a page, a call script or a field without one goes back unchanged.
    """
    comment = draft.review_comment or ""
    targets = requested_fields(draft.channel, comment)
    if draft.channel in CHANNEL_SCHEMAS and not get_settings().offline:
        rewritten = write_content(plan, draft.channel, run_id=run_id, comment=comment,
                                  variant=variant_of(draft.content), current=draft.content)  # fmt: skip
        if rewritten.mode == "llm":
            content = keep_unrequested(draft.content, rewritten.content, targets)
            notes = [*draft.notes, f"已按审核意见改写：{comment}"]
            return _revised(draft, content, notes, mode="llm")
        draft = draft.model_copy(update={"notes": [*draft.notes, *rewritten.notes]})
    if draft.channel in BODY_FIELD:
        return _rewrite_offline(draft, plan, comment, targets or [BODY_FIELD[draft.channel]])
    notes = [*draft.notes, f"离线模式无法按意见自动改写（{comment}），原稿退回审核，请审核人直接编辑文本"]
    return draft.model_copy(update={"notes": notes, "phase": "revised"})


def keep_unrequested(
    current: dict[str, Any], rewritten: dict[str, Any], targets: list[str] | None
) -> dict[str, Any]:
    """The rewrite with every field the comment did not name put back as it was (all of it when none is named)."""
    if targets is None:
        return rewritten
    return {**current, **{field: rewritten[field] for field in targets if field in rewritten}}


def _rewrite_offline(draft: DraftState, plan: CampaignPlan, comment: str, fields: list[str]) -> DraftState:
    """Swap each named field for another template phrasing of the same angle (shorter when asked); keep the rest."""
    product = default_catalog().get(plan.product_ids[0])
    variant = variant_of(draft.content)
    # An A/B variant stays on its own angle so it keeps differing from its siblings; a single draft may use any.
    angles: list[Angle | None] = [VARIANT_ANGLES[variant]] if variant else [None, *VARIANT_ANGLES.values()]
    options = [copy for angle in angles for copy in offline_copies(plan, draft.channel, product, angle)]
    options = [copy for copy in options if fits_channel(draft.channel, copy, product)]
    shorter = any(word in comment for word in SHORTER_WORDS)
    content, changed = dict(draft.content), []
    for field in fields:
        choice = _alternative(str(content.get(field, "")), [str(o[field]) for o in options], shorter=shorter)
        if choice is not None:
            content[field] = choice
            changed.append(field)
    if not changed:
        note = f"离线模式没有符合审核意见（{comment}）的替代文案，原稿退回审核，请审核人直接编辑文本"
        return draft.model_copy(update={"notes": [*draft.notes, note], "phase": "revised"})
    note = f"已按审核意见离线改写 {'、'.join(changed)}，其余内容保持不变：{comment}"
    return _revised(draft, content, [*draft.notes, note], mode=draft.mode)


def _alternative(current: str, options: list[str], *, shorter: bool) -> str | None:
    """The first phrasing that differs from ``current`` (the shortest shorter one when asked); None if none."""
    different = [option for option in dict.fromkeys(options) if option != current]
    if shorter:
        different = sorted((option for option in different if len(option) < len(current)), key=len)
    return different[0] if different else None


def _revised(draft: DraftState, content: dict[str, Any], notes: list[str], *, mode: str) -> DraftState:
    return draft.model_copy(
        update={"content": content, "mode": mode, "notes": notes, "edited_by": None, "phase": "revised"}
    )
