"""Publications: approved draft versions frozen for customers, numbered per campaign and channel.

Each publish makes an immutable row with the next version number; the live version of a (campaign, channel) is
the highest-numbered one not withdrawn, so publishing a new version moves the pointer and withdrawing the live
one moves it back. ``live_pointer`` reads only (id, version, content hash): callers that cache a publication's
parsed content key the cache by id and hash, which never change for a row.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Connection, func, select, text
from sqlalchemy.orm import Session

from core.audit import append_event
from core.clock import now
from core.models import Publication, Review
from tools.campaign_api.drafts import get_draft_row, set_status
from tools.campaign_api.errors import Conflict, InvalidInput, NotFound


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
    withdrawn_at: datetime | None = None


class PublishedPointer(BaseModel):
    """Which version of a campaign's channel is live, and the hash of its content."""

    publication_id: str
    version: int
    content_hash: str


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
    version = (previous or 0) + 1
    row = Publication(
        id="pub_" + uuid.uuid4().hex[:12], campaign_id=draft.campaign_id, draft_id=draft_id,
        draft_version=draft_version, channel=draft.channel, version=version,
        content=_numbered(draft.channel, content, version), content_hash=content_hash, review_id=review_id,
        published_at=now(),
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


def _numbered(channel: str, content: dict[str, Any], version: int) -> dict[str, Any]:
    """A call script carries the publication's number as its version, so what the bot pulls says which it is.

    The script's content hash leaves ``version`` out (tools.call_script.hashing), so the hash stays valid.
    """
    if channel != "call_script" or not isinstance(content.get("script"), dict):
        return content
    return {**content, "script": {**content["script"], "version": version, "status": "published"}}


def latest_publication(session: Session, campaign_id: str, channel: str) -> PublicationView | None:
    """The live publication (highest version not withdrawn), or None."""
    pointer = live_pointer(session, campaign_id, channel)
    return get_publication(session, pointer.publication_id) if pointer else None


_LIVE_POINTER = text(
    "SELECT p.id, p.version, p.content_hash FROM publications AS p "
    "WHERE p.campaign_id = :campaign_id AND p.channel = :channel AND p.withdrawn_at IS NULL "
    "ORDER BY p.version DESC LIMIT 1"
)  # plain SQL built once: the voice bot's pull reads the pointer on every request


def live_pointer(db: Session | Connection, campaign_id: str, channel: str) -> PublishedPointer | None:
    """Id, version and content hash of the live publication, without loading its content."""
    row = db.execute(_LIVE_POINTER, {"campaign_id": campaign_id, "channel": channel}).first()
    if row is None:
        return None
    return PublishedPointer(publication_id=row[0], version=row[1], content_hash=row[2])


def get_publication(session: Session, publication_id: str) -> PublicationView:
    row = session.get(Publication, publication_id)
    if row is None:
        raise NotFound("unknown_publication", f"no publication {publication_id!r}")
    return _view(row)


def withdraw_publication(
    session: Session, publication_id: str, *, reason: str, actor: str
) -> PublicationView:
    """Take a version off the air; the live pointer falls back to the highest version still published."""
    if not reason.strip():
        raise InvalidInput("reason_required", "withdrawing a publication needs a written reason")
    row = session.get(Publication, publication_id)
    if row is None:
        raise NotFound("unknown_publication", f"no publication {publication_id!r}")
    if row.withdrawn_at is not None:
        raise Conflict("already_withdrawn", f"publication {publication_id} was withdrawn already")
    row.withdrawn_at = now()
    session.flush()
    append_event(session, actor=actor, action="publication.withdrawn", subject=publication_id,
                 detail={"campaign_id": row.campaign_id, "version": row.version, "reason": reason})  # fmt: skip
    return _view(row)


def campaign_publications(session: Session, campaign_id: str) -> list[PublicationView]:
    rows = session.scalars(select(Publication).where(Publication.campaign_id == campaign_id))
    return [_view(r) for r in rows]


def _view(row: Publication) -> PublicationView:
    return PublicationView(
        publication_id=row.id, campaign_id=row.campaign_id, draft_id=row.draft_id, draft_version=row.draft_version,
        channel=row.channel, version=row.version, content=row.content, content_hash=row.content_hash,
        published_at=row.published_at, withdrawn_at=row.withdrawn_at,
    )  # fmt: skip
