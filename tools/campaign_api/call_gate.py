"""The voice bot's pull: the last gate before dialling.

A published script is handed out only if this lead may be called now: the campaign runs today, the lead is
in the campaign's audience after every policy exclusion, is not opted out or on a do-not-call list (the
store's and the operational one), it is inside calling hours, and today's attempts are below the cap.
A pull is not a contact attempt, so a bot may pull again after a dropped line.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from core.settings import get_settings
from tools.call_script.model import CallScript
from tools.call_script.render import render_for_lead
from tools.campaign_api.campaigns import get_campaign_row
from tools.campaign_api.contacts import attempts_since, on_do_not_call
from tools.campaign_api.errors import Conflict, Forbidden, NotFound
from tools.campaign_api.publications import latest_publication
from tools.tag_store.exclusions import ExtraExclusions
from tools.tag_store.expression import validate_expression
from tools.tag_store.store import TagStore


class PulledScript(BaseModel):
    campaign_id: str
    lead_id: int
    publication_id: str
    version: int
    content_hash: str
    call_policy: dict[str, Any]
    variables: dict[str, str]
    script: dict[str, Any]


def pull_script(
    session: Session, store: TagStore, *, campaign_id: str, lead_id: int, at: datetime
) -> PulledScript:
    campaign = get_campaign_row(session, campaign_id)
    publication = latest_publication(session, campaign_id, "call_script")
    if publication is None:
        raise Conflict("not_published", f"campaign {campaign_id} has no published call script")
    local = at.astimezone(get_settings().tz)
    if campaign.ends_on and local.date() > date.fromisoformat(campaign.ends_on):
        raise Conflict("campaign_ended", f"campaign {campaign_id} ended on {campaign.ends_on}")
    lead = store.lead(lead_id)
    if lead is None:
        raise NotFound("unknown_lead", f"no lead {lead_id}")
    if lead.opted_out or "call_script" in lead.opt_out_channels:
        raise Forbidden("opted_out", "the lead has opted out of marketing calls")
    if lead.on_dnc or on_do_not_call(session, lead_id, at):
        raise Forbidden("do_not_call", "the lead is on the do-not-call list")
    _check_audience(store, campaign.audience, lead_id)
    start, end = get_settings().calling_window
    if not start <= local.time() < end:
        raise Conflict("outside_calling_hours", f"calls may start only within {get_settings().calling_hours}")
    script = CallScript.model_validate(publication.content["script"])
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if attempts_since(session, lead_id, "call_script", midnight) >= script.call_policy.max_attempts_per_day:
        raise Conflict("frequency_cap", "today's call attempts for this lead are used up")
    honorific = {"男": "先生", "女": "女士"}.get(lead.gender or "", "")
    rendered = render_for_lead(
        script, {"customer_surname": lead.surname, "honorific": honorific or "先生/女士"}
    )
    return PulledScript(
        campaign_id=campaign_id, lead_id=lead_id, publication_id=publication.publication_id,
        version=publication.version, content_hash=publication.content_hash,
        call_policy=script.call_policy.model_dump(mode="json"), variables=rendered.masked_variables,
        script=rendered.script.model_dump(mode="json"),
    )  # fmt: skip


def _check_audience(store: TagStore, audience: dict[str, Any] | None, lead_id: int) -> None:
    if not audience:
        raise Conflict("not_published", "the campaign has no approved audience")
    expression = validate_expression(audience["expression"], store.catalog)
    excluded_by = store.lead_exclusion(
        lead_id, expression, product_type=audience["product_type"], channels=audience["channels"],
        product_risk_level=audience.get("product_risk_level"), extra_excluded=ExtraExclusions(),
    )  # fmt: skip
    if excluded_by is not None:
        raise Forbidden("not_in_audience", f"the lead is not in this campaign's audience ({excluded_by})")
