"""Drafts and their numbered versions; an A/B test keeps one draft per variant of a channel."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.audit import append_event
from core.clock import now
from core.models import Draft, DraftVersion
from tools.campaign_api.errors import InvalidInput, NotFound

DEFAULT_VARIANT = "A"
# Variant labels are capital letters (A, B, C…): short enough for the column, readable in the review queue.
_VARIANT = re.compile(r"[A-Z]")


class DraftSummary(BaseModel):
    draft_id: str
    campaign_id: str
    channel: str
    variant: str = DEFAULT_VARIANT
    angle: str | None = None
    status: str
    verdict: str
    version: int
    generation_mode: str


class DraftView(DraftSummary):
    content: dict[str, Any]
    findings: list[dict[str, Any]]
    notes: list[str]
    created_by: str
    created_at: datetime


def save_version(
    session: Session, *, campaign_id: str, channel: str, content: dict[str, Any], findings: list[dict[str, Any]],
    verdict: str, mode: str, notes: list[str], created_by: str, status: str = "pending_review",
    variant: str = DEFAULT_VARIANT,
) -> DraftView:  # fmt: skip
    """Store a new version of the campaign's draft for this channel and variant, unless it equals the current one.

    Idempotent on purpose: a graph node resumed after a crash may save the same version twice. Each A/B variant
    is its own draft, reviewed and published on its own.
    """
    if not _VARIANT.fullmatch(variant):
        raise InvalidInput(
            "invalid_variant", f"draft variant must be one capital letter (A, B, C…), got {variant!r}"
        )
    draft = session.scalars(
        select(Draft).where(
            Draft.campaign_id == campaign_id, Draft.channel == channel, Draft.variant == variant
        )
    ).first()
    stamp = now()
    if draft is None:
        draft = Draft(
            id="drf_" + uuid.uuid4().hex[:12], campaign_id=campaign_id, channel=channel, variant=variant,
            status=status, current_version=0, created_at=stamp, updated_at=stamp,
        )  # fmt: skip
        session.add(draft)
        session.flush()
    current = _version_row(session, draft.id, draft.current_version) if draft.current_version else None
    unchanged = current is not None and (current.content, current.findings, list(current.notes or [])) == (
        content,
        findings,
        notes,
    )
    if current is not None and unchanged:
        draft.status = status
        return _view(draft, current)
    version = DraftVersion(
        draft_id=draft.id, version=draft.current_version + 1, content=content, findings=findings,
        verdict=verdict, generation_mode=mode, notes=notes, created_by=created_by, created_at=stamp,
    )  # fmt: skip
    session.add(version)
    draft.current_version = version.version
    draft.status = status
    draft.updated_at = stamp
    session.flush()
    append_event(
        session, actor=created_by, action="draft.version", subject=draft.id,
        detail={"campaign_id": campaign_id, "channel": channel, "variant": variant, "version": version.version,
                "verdict": verdict},
    )  # fmt: skip
    return _view(draft, version)


def get_draft(session: Session, draft_id: str) -> DraftView:
    draft = get_draft_row(session, draft_id)
    return _view(draft, _version_row(session, draft.id, draft.current_version))


def get_draft_row(session: Session, draft_id: str) -> Draft:
    draft = session.get(Draft, draft_id)
    if draft is None:
        raise NotFound("unknown_draft", f"no draft {draft_id!r}")
    return draft


def set_status(session: Session, draft_id: str, status: str) -> None:
    draft = get_draft_row(session, draft_id)
    draft.status = status
    draft.updated_at = now()


def campaign_drafts(session: Session, campaign_id: str) -> list[DraftView]:
    drafts = session.scalars(
        select(Draft)
        .where(Draft.campaign_id == campaign_id)
        .order_by(Draft.created_at, Draft.channel, Draft.variant)
    )
    return [_view(d, _version_row(session, d.id, d.current_version)) for d in drafts]


def review_queue(session: Session) -> list[DraftSummary]:
    """Drafts waiting for a human decision, oldest first."""
    drafts = session.scalars(select(Draft).where(Draft.status == "pending_review").order_by(Draft.updated_at))
    return [DraftSummary.model_validate(_view(d, _version_row(session, d.id, d.current_version)).model_dump())
            for d in drafts]  # fmt: skip


def _version_row(session: Session, draft_id: str, version: int) -> DraftVersion:
    row = session.scalars(
        select(DraftVersion).where(DraftVersion.draft_id == draft_id, DraftVersion.version == version)
    ).first()
    if row is None:
        raise NotFound("unknown_version", f"draft {draft_id} has no version {version}")
    return row


def _view(draft: Draft, version: DraftVersion) -> DraftView:
    return DraftView(
        draft_id=draft.id, campaign_id=draft.campaign_id, channel=draft.channel, variant=draft.variant,
        angle=_angle(version.content), status=draft.status,
        verdict=version.verdict, version=version.version, generation_mode=version.generation_mode,
        content=version.content, findings=version.findings, notes=list(version.notes or []),
        created_by=version.created_by, created_at=version.created_at,
    )  # fmt: skip


def _angle(content: dict[str, Any]) -> str | None:
    """The A/B angle the writer gave this variant (content metadata), None for a single-variant draft."""
    meta = content.get("meta")
    angle = meta.get("angle") if isinstance(meta, dict) else None
    return angle if isinstance(angle, str) else None
