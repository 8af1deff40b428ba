"""Which published H5 page a visitor sees: one live page per A/B variant, picked stably per visitor.

``tools.campaign_api.publications`` numbers publications per (campaign, channel) and keeps one live pointer, so
with two variants published it sees only the newer. Here the variant comes from the draft each publication was
made from: per variant, the highest-numbered publication not withdrawn is live.
"""

from __future__ import annotations

import hashlib
import re
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import Draft, Publication

H5_CHANNEL = "h5"
# A visitor id is random and says nothing about the person; it only keeps them on the same variant.
_VISITOR_ID = re.compile(r"[0-9a-f]{16}")
_VARIANT = re.compile(r"[A-Z]")


def live_variants(session: Session, campaign_id: str) -> dict[str, Publication]:
    """Variant label → the live (highest version, not withdrawn) H5 publication of that variant; {} if none."""
    rows = session.execute(
        select(Publication, Draft.variant)
        .join(Draft, Draft.id == Publication.draft_id)
        .where(
            Publication.campaign_id == campaign_id,
            Publication.channel == H5_CHANNEL,
            Publication.withdrawn_at.is_(None),
        )
        .order_by(Publication.version)
    ).all()
    # Ordered by version, so a later (newer) publication of a variant replaces the earlier one.
    return {variant: publication for publication, variant in rows}


def submitted_page(session: Session, campaign_id: str, publication_id: str) -> tuple[str, Publication] | None:
    """(variant, publication) when ``publication_id`` is an H5 page of this campaign still on the air, else None.

    A page superseded by a newer version still counts: a visitor may have loaded it just before, and the lead
    must record the consent text that version showed. A withdrawn page takes no more leads.
    """
    row = session.execute(
        select(Publication, Draft.variant)
        .join(Draft, Draft.id == Publication.draft_id)
        .where(
            Publication.id == publication_id,
            Publication.campaign_id == campaign_id,
            Publication.channel == H5_CHANNEL,
            Publication.withdrawn_at.is_(None),
        )
    ).first()
    return None if row is None else (row[1], row[0])


def new_visitor_id() -> str:
    """A fresh random visitor id for the bucketing cookie."""
    return secrets.token_hex(8)


def valid_visitor_id(value: str | None) -> str | None:
    """The cookie's visitor id when it has the shape this module writes; anything else is ignored."""
    return value if value is not None and _VISITOR_ID.fullmatch(value) else None


def choose_variant(
    variants: list[str], *, campaign_id: str, visitor_id: str, override: str | None = None
) -> str:
    """The variant to show: the override if it names a live one, else a stable hash of visitor and campaign.

    Hashing the campaign in too means one visitor is not on variant A of every campaign.
    """
    if not variants:
        raise ValueError("choose_variant needs at least one live variant")
    ordered = sorted(variants)
    if override is not None and _VARIANT.fullmatch(override) and override in ordered:
        return override
    digest = hashlib.sha256(f"{campaign_id}:{visitor_id}".encode()).digest()
    return ordered[int.from_bytes(digest[:8], "big") % len(ordered)]
