"""Publications: approved draft versions frozen for customers."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.audit import append_event
from core.clock import now
from core.models import Publication, Review
from tools.campaign_api.drafts import get_draft_row, set_status
from tools.campaign_api.errors import Conflict


class PublicationView(BaseModel):
    publication_id: str
    campaign_id: str
    draft_id: str
    draft_version: int
    channel: str
    version: int
    content: dict[str, Any]
    content_hash: str
    published_at: datetime


def canonical_hash(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def publish(
    session: Session, *, draft_id: str, draft_version: int, content: dict[str, Any], content_hash: str,
    review_id: int, actor: str,
) -> PublicationView:  # fmt: skip
    """Publish an approved version; publishing the same version again returns the existing publication."""
    existing = session.scalars(
        select(Publication).where(
            Publication.draft_id == draft_id, Publication.draft_version == draft_version
        )
    ).first()
    if existing is not None:
        return _view(existing)
    review = session.get(Review, review_id)
    if review is None or review.decision not in ("approve", "edit") or review.draft_id != draft_id:
        # The last gate: nothing reaches a customer without an approving review of this very draft.
        raise Conflict("not_approved", f"draft {draft_id} v{draft_version} has no approving review")
    draft = get_draft_row(session, draft_id)
    previous = session.scalar(
        select(func.max(Publication.version)).where(
            Publication.campaign_id == draft.campaign_id, Publication.channel == draft.channel
        )
    )
    row = Publication(
        id="pub_" + uuid.uuid4().hex[:12], campaign_id=draft.campaign_id, draft_id=draft_id,
        draft_version=draft_version, channel=draft.channel, version=(previous or 0) + 1, content=content,
        content_hash=content_hash, review_id=review_id, published_at=now(),
    )  # fmt: skip
    session.add(row)
    set_status(session, draft_id, "published")
    session.flush()
    append_event(
        session, actor=actor, action="publication.created", subject=row.id,
        detail={"draft_id": draft_id, "draft_version": draft_version, "channel": draft.channel,
                "content_hash": content_hash, "review_id": review_id},
    )  # fmt: skip
    return _view(row)


def latest_publication(session: Session, campaign_id: str, channel: str) -> PublicationView | None:
    row = session.scalars(
        select(Publication)
        .where(Publication.campaign_id == campaign_id, Publication.channel == channel,
               Publication.withdrawn_at.is_(None))
        .order_by(Publication.version.desc())
        .limit(1)
    ).first()  # fmt: skip
    return _view(row) if row else None


def campaign_publications(session: Session, campaign_id: str) -> list[PublicationView]:
    rows = session.scalars(select(Publication).where(Publication.campaign_id == campaign_id))
    return [_view(r) for r in rows]


def _view(row: Publication) -> PublicationView:
    return PublicationView(
        publication_id=row.id, campaign_id=row.campaign_id, draft_id=row.draft_id, draft_version=row.draft_version,
        channel=row.channel, version=row.version, content=row.content, content_hash=row.content_hash,
        published_at=row.published_at,
    )  # fmt: skip
