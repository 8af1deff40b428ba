"""Append-only, hash-chained audit log.

Each event's hash covers its own fields and the previous event's hash, so editing or deleting any row breaks
every hash after it; ``verify_chain`` walks the chain and names the first broken sequence number.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import AuditEvent

GENESIS_HASH = "0" * 64


class ChainReport(BaseModel):
    ok: bool
    events: int
    first_broken_seq: int | None = None
    problem: str | None = None


def _event_hash(prev_hash: str, seq: int, at: str, actor: str, action: str, subject: str, detail: Any) -> str:
    canonical = json.dumps(
        [prev_hash, seq, at, actor, action, subject, detail],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def append_event(
    session: Session, *, actor: str, action: str, subject: str, detail: dict[str, Any]
) -> AuditEvent:
    """Append one event inside the caller's transaction (so it commits or rolls back with the change it records)."""
    last = session.scalars(
        select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1).with_for_update()
    ).first()
    seq = 1 if last is None else last.seq + 1
    prev_hash = GENESIS_HASH if last is None else last.hash
    at = datetime.now(UTC).isoformat()
    # Round-trip the detail through JSON so the hashed form is exactly what the database returns later.
    detail_json = json.loads(json.dumps(detail, ensure_ascii=False, default=str))
    event = AuditEvent(
        seq=seq,
        at=at,
        actor=actor,
        action=action,
        subject=subject,
        detail=detail_json,
        prev_hash=prev_hash,
        hash=_event_hash(prev_hash, seq, at, actor, action, subject, detail_json),
    )
    session.add(event)
    session.flush()
    return event


def verify_chain(session: Session) -> ChainReport:
    """Recompute every hash in order; report the first event whose link or content does not match."""
    prev_hash = GENESIS_HASH
    expected_seq = 1
    count = 0
    for event in session.scalars(select(AuditEvent).order_by(AuditEvent.seq)):
        count += 1
        if event.seq != expected_seq:
            return ChainReport(ok=False, events=count, first_broken_seq=event.seq, problem="gap in sequence")
        if event.prev_hash != prev_hash:
            return ChainReport(
                ok=False, events=count, first_broken_seq=event.seq, problem="previous hash mismatch"
            )
        recomputed = _event_hash(
            prev_hash, event.seq, event.at, event.actor, event.action, event.subject, event.detail
        )
        if recomputed != event.hash:
            return ChainReport(
                ok=False, events=count, first_broken_seq=event.seq, problem="content hash mismatch"
            )
        prev_hash = event.hash
        expected_seq += 1
    return ChainReport(ok=True, events=count)
