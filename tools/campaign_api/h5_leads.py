"""Leads from published H5 pages: stored with the consents as shown, the mobile only masked and hashed.

The hash is HMAC-SHA256 under a deployment key (``<data_dir>/h5_leads.key``, created on first use): a plain
SHA-256 of an 11-digit number is reversed by trying every number, a keyed one is not without the key. It serves
deduplication only. The same mobile on the same campaign within 24 hours is one lead, whatever it resends.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.audit import append_event
from core.clock import now
from core.models import H5Lead, Publication
from core.settings import get_settings
from tools.campaign_api.h5_lead_form import ValidatedLead
from tools.tag_store.snapshot import load_or_create_key

DEDUP_WINDOW = timedelta(hours=24)
PUBLIC_ACTOR = "public:h5"
KEY_FILE = "h5_leads.key"


class LeadReceipt(BaseModel):
    """What the submitter is told: the lead's id and whether it repeated an earlier one."""

    lead_id: str
    duplicate: bool


class LeadView(BaseModel):
    """A lead as staff see it: masked mobile, never the number or its hash."""

    lead_id: str
    campaign_id: str
    publication_id: str
    publication_version: int
    variant: str
    fields: dict[str, str]
    mobile_masked: str
    consents: list[dict[str, Any]]
    created_at: datetime


def mask_mobile(mobile: str) -> str:
    """``13800138000`` → ``138****8000``: enough for staff to tell leads apart, not to call."""
    if len(mobile) != 11 or not mobile.isascii() or not mobile.isdigit():
        raise ValueError("mask_mobile expects a normalised 11-digit mobile")
    return f"{mobile[:3]}****{mobile[-4:]}"


def mobile_hash(mobile: str, key: bytes) -> str:
    """Keyed SHA-256 (HMAC) of the normalised mobile, hex."""
    return hmac.new(key, mobile.encode("ascii"), hashlib.sha256).hexdigest()


def lead_hash_key() -> bytes:
    """The deployment's lead-hashing key, created on first use next to the database."""
    return load_or_create_key(get_settings().data_dir / KEY_FILE)


def record_lead(
    session: Session, *, publication: Publication, variant: str, lead: ValidatedLead, key: bytes
) -> LeadReceipt:
    """Store the lead unless the same mobile already left one on this campaign within 24 h (then return that)."""
    digest = mobile_hash(lead.mobile, key)
    at = now()
    earlier = session.scalars(
        select(H5Lead)
        .where(
            H5Lead.campaign_id == publication.campaign_id,
            H5Lead.mobile_hash == digest,
            H5Lead.created_at >= at - DEDUP_WINDOW,
        )
        .order_by(H5Lead.created_at)
        .limit(1)
    ).first()
    if earlier is not None:
        return LeadReceipt(lead_id=earlier.id, duplicate=True)
    row = H5Lead(
        id="h5l_" + uuid.uuid4().hex[:12], campaign_id=publication.campaign_id, publication_id=publication.id,
        publication_version=publication.version, variant=variant, fields=dict(lead.fields),
        mobile_masked=mask_mobile(lead.mobile), mobile_hash=digest,
        consents=[consent.model_dump() for consent in lead.consents], created_at=at,
    )  # fmt: skip
    session.add(row)
    session.flush()
    # The audit trail says a lead arrived and under which consents; who it was stays in the leads table.
    append_event(
        session, actor=PUBLIC_ACTOR, action="h5_lead.received", subject=row.id,
        detail={"campaign_id": row.campaign_id, "publication_id": row.publication_id,
                "publication_version": row.publication_version, "variant": variant,
                "consents_granted": [c.purpose for c in lead.consents if c.granted]},
    )  # fmt: skip
    return LeadReceipt(lead_id=row.id, duplicate=False)


def campaign_leads(session: Session, campaign_id: str) -> list[LeadView]:
    """The campaign's H5 leads, oldest first."""
    rows = session.scalars(
        select(H5Lead).where(H5Lead.campaign_id == campaign_id).order_by(H5Lead.created_at, H5Lead.id)
    )
    return [
        LeadView(
            lead_id=r.id,
            campaign_id=r.campaign_id,
            publication_id=r.publication_id,
            publication_version=r.publication_version,
            variant=r.variant,
            fields=r.fields,
            mobile_masked=r.mobile_masked,
            consents=r.consents,
            created_at=r.created_at,
        )  # fmt: skip
        for r in rows
    ]
