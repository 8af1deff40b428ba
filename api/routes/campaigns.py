"""Campaigns: start from a brief, answer clarifications, read state and publications."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from agents.runner import RunOutcome, answer_clarification, outcome, resume_interrupted, start_campaign
from api.deps import AuthorDep, SessionDep, StaffDep
from tools.campaign_api.campaigns import CampaignView, get_campaign, list_campaigns
from tools.campaign_api.publications import PublicationView, campaign_publications

router = APIRouter(prefix="/v1/campaigns", tags=["campaigns"])


class CampaignCreate(BaseModel):
    brief: str = Field(min_length=1, max_length=2000, description="The marketer's brief, in Chinese.")


class ClarificationAnswer(BaseModel):
    answer: str = Field(min_length=1, max_length=1000)


@router.post("", status_code=201)
def create(body: CampaignCreate, user: AuthorDep) -> RunOutcome:
    """Plan and draft a campaign from a brief; the run stops at human review (or asks a question)."""
    return start_campaign(body.brief, author=user)


@router.get("")
def index(session: SessionDep, _user: StaffDep) -> list[CampaignView]:
    return list_campaigns(session)


@router.get("/{campaign_id}")
def show(campaign_id: str, session: SessionDep, _user: StaffDep) -> RunOutcome:
    get_campaign(session, campaign_id)  # 404 before building the outcome
    return outcome(campaign_id)


@router.post("/{campaign_id}/clarification")
def clarify(campaign_id: str, body: ClarificationAnswer, user: AuthorDep) -> RunOutcome:
    return answer_clarification(campaign_id, body.answer, user=user)


@router.post("/{campaign_id}/resume")
def resume(campaign_id: str, user: AuthorDep) -> RunOutcome:
    """Continue a run that stopped mid-way (a crash or an outage) from its last checkpoint."""
    return resume_interrupted(campaign_id, user=user)


@router.get("/{campaign_id}/publications")
def publications(campaign_id: str, session: SessionDep, _user: StaffDep) -> list[PublicationView]:
    get_campaign(session, campaign_id)
    return campaign_publications(session, campaign_id)
