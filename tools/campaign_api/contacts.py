"""Call outcomes, contact history and the operational do-not-call list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Literal

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.audit import append_event
from core.models import ContactEvent, DoNotCall
from tools.campaign_api.errors import Conflict

Outcome = Literal["connected", "refused", "no_answer", "callback", "transfer"]


class OutcomeReceipt(BaseModel):
    call_id: str
    outcome: Outcome
    duplicate: bool
    do_not_call_until: datetime | None


def record_call_outcome(
    session: Session, *, call_id: str, campaign_id: str, lead_id: int, outcome: Outcome, at: datetime,
    dnc_days: int, actor: str,
) -> OutcomeReceipt:  # fmt: skip
    """Record a call outcome once per call_id; a refusal puts the lead on the do-not-call list."""
    existing = session.scalars(select(ContactEvent).where(ContactEvent.call_id == call_id)).first()
    if existing is not None:
        return _duplicate(session, existing, campaign_id=campaign_id, lead_id=lead_id, outcome=outcome)
    try:
        # A bot may retry while its first post is still in flight: the unique call_id decides, and the loser
        # of that race gets the duplicate receipt instead of a 500.
        with session.begin_nested():
            session.add(ContactEvent(call_id=call_id, campaign_id=campaign_id, lead_id=lead_id,
                                     channel="call_script", outcome=outcome, occurred_at=at))  # fmt: skip
    except IntegrityError:
        winner = session.scalars(select(ContactEvent).where(ContactEvent.call_id == call_id)).one()
        return _duplicate(session, winner, campaign_id=campaign_id, lead_id=lead_id, outcome=outcome)
    until = None
    if outcome == "refused":
        until = at + timedelta(days=dnc_days)
        row = session.get(DoNotCall, lead_id)
        if row is None:
            session.add(DoNotCall(lead_id=lead_id, reason="refused_on_call", source_call_id=call_id, added_at=at,
                                  until=until))  # fmt: skip
        else:
            row.until, row.source_call_id, row.reason = (
                max(_aware(row.until), until),
                call_id,
                "refused_on_call",
            )
    session.flush()
    append_event(session, actor=actor, action="call.outcome", subject=call_id,
                 detail={"campaign_id": campaign_id, "lead_id": lead_id, "outcome": outcome})  # fmt: skip
    return OutcomeReceipt(call_id=call_id, outcome=outcome, duplicate=False, do_not_call_until=until)


def _duplicate(
    session: Session, existing: ContactEvent, *, campaign_id: str, lead_id: int, outcome: Outcome
) -> OutcomeReceipt:
    """The receipt for a call_id already recorded; different values under the same call_id are a conflict."""
    if (existing.campaign_id, existing.lead_id, existing.outcome) != (campaign_id, lead_id, outcome):
        raise Conflict(
            "call_id_reused", f"call {existing.call_id} was already recorded with different values"
        )
    return OutcomeReceipt(call_id=existing.call_id, outcome=outcome, duplicate=True,
                          do_not_call_until=_dnc_until(session, lead_id))  # fmt: skip


def do_not_call_ids(session: Session, at: datetime) -> set[int]:
    rows = session.scalars(select(DoNotCall))
    return {r.lead_id for r in rows if _aware(r.until) > at}


def _dnc_until(session: Session, lead_id: int) -> datetime | None:
    row = session.get(DoNotCall, lead_id)
    return _aware(row.until) if row else None


def _aware(value: datetime) -> datetime:
    # SQLite returns naive datetimes even for timezone-aware columns; everything we store is UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)
