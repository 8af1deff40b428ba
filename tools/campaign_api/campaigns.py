"""Campaign records."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.audit import append_event
from core.clock import now
from core.models import Campaign
from tools.campaign_api.errors import NotFound

CampaignStatus = str  # planning | needs_clarification | in_review | revising | published | rejected | failed


class CampaignView(BaseModel):
    campaign_id: str
    brief: str
    author: str
    status: str
    generation_mode: str
    plan: dict[str, Any] | None
    audience: dict[str, Any] | None
    usage: dict[str, Any]


def new_campaign_id() -> str:
    return "cmp_" + uuid.uuid4().hex[:12]


def create_campaign(
    session: Session, *, campaign_id: str, brief: str, author: str, mode: str
) -> CampaignView:
    stamp = now()
    row = Campaign(
        id=campaign_id, brief=brief, author=author, status="planning", generation_mode=mode, usage={},
        created_at=stamp, updated_at=stamp,
    )  # fmt: skip
    session.add(row)
    session.flush()
    append_event(
        session, actor=author, action="campaign.created", subject=campaign_id, detail={"brief": brief}
    )
    return view(row)


def get_campaign_row(session: Session, campaign_id: str) -> Campaign:
    row = session.get(Campaign, campaign_id)
    if row is None:
        raise NotFound("unknown_campaign", f"no campaign {campaign_id!r}")
    return row


def get_campaign(session: Session, campaign_id: str) -> CampaignView:
    return view(get_campaign_row(session, campaign_id))


def update_campaign(session: Session, campaign_id: str, *, actor: str, **fields: Any) -> CampaignView:
    """Set fields on a campaign; a status change is an audit event."""
    row = get_campaign_row(session, campaign_id)
    old_status = row.status
    for name, value in fields.items():
        setattr(row, name, value)
    row.updated_at = now()
    if "status" in fields and fields["status"] != old_status:
        append_event(
            session, actor=actor, action="campaign.status", subject=campaign_id,
            detail={"from": old_status, "to": fields["status"]},
        )  # fmt: skip
    session.flush()
    return view(row)


def list_campaigns(session: Session, *, limit: int = 50) -> list[CampaignView]:
    rows = session.scalars(select(Campaign).order_by(Campaign.created_at.desc()).limit(limit))
    return [view(r) for r in rows]


def view(row: Campaign) -> CampaignView:
    return CampaignView(
        campaign_id=row.id, brief=row.brief, author=row.author, status=row.status,
        generation_mode=row.generation_mode, plan=row.plan, audience=row.audience, usage=row.usage or {},
    )  # fmt: skip
