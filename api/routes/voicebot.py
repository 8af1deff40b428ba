"""Voice-bot endpoints: pull the published script for a lead, report the call outcome."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import SessionDep, VoicebotDep
from core.clock import now
from core.settings import get_settings
from tools.campaign_api.call_gate import PulledScript, pull_script
from tools.campaign_api.campaigns import get_campaign_row
from tools.campaign_api.contacts import OutcomeReceipt, record_call_outcome
from tools.campaign_api.errors import NotFound
from tools.tag_store.store import TagStore

router = APIRouter(prefix="/v1", tags=["voicebot"])


class CallOutcomeBody(BaseModel):
    call_id: str = Field(min_length=1, max_length=64)
    campaign_id: str = Field(min_length=1, max_length=40)
    lead_id: int = Field(ge=1)
    outcome: Literal["connected", "refused", "no_answer", "callback", "transfer"]


@router.get("/call-scripts/{campaign_id}/leads/{lead_id}")
def pull(campaign_id: str, lead_id: int, session: SessionDep, _bot: VoicebotDep) -> PulledScript:
    """The published first-contact script rendered for this lead, or 403/409 with the reason it may not be called."""
    store = TagStore(get_settings().tag_store_path)
    return pull_script(session, store, campaign_id=campaign_id, lead_id=lead_id, at=now())


@router.post("/call-outcomes")
def post_outcome(body: CallOutcomeBody, session: SessionDep, bot: VoicebotDep) -> OutcomeReceipt:
    """Record a call outcome (idempotent by call_id); ``refused`` puts the lead on the do-not-call list."""
    get_campaign_row(session, body.campaign_id)
    if TagStore(get_settings().tag_store_path).lead(body.lead_id) is None:
        raise NotFound("unknown_lead", f"no lead {body.lead_id}")
    return record_call_outcome(
        session, call_id=body.call_id, campaign_id=body.campaign_id, lead_id=body.lead_id, outcome=body.outcome,
        at=now(), dnc_days=get_settings().dnc_days, actor=bot.username,
    )  # fmt: skip
