"""Graph state.

Kept JSON-native (dicts of plain values) so checkpoints read back in any process without registering custom
types with the serializer; Pydantic models validate at every node boundary.
"""

from __future__ import annotations

from typing import Annotated, Any, NotRequired, Required, TypedDict

FIRST_VARIANT = "A"
VARIANT_SEPARATOR = "#"


def draft_key(channel: str, variant: str | None = None) -> str:
    """The key of a draft in ``CampaignState.drafts``: its channel, plus ``#B``/``#C`` for later A/B variants.

    Variant A keeps the plain channel key, so a campaign without an A/B test keys its drafts exactly as before and
    parallel writers of the same channel never overwrite each other.
    """
    if VARIANT_SEPARATOR in channel:
        raise ValueError(f"channel {channel!r} must not contain {VARIANT_SEPARATOR!r}")
    return channel if variant in (None, FIRST_VARIANT) else f"{channel}{VARIANT_SEPARATOR}{variant}"


def merge_drafts(left: dict[str, Any] | None, right: dict[str, Any] | None) -> dict[str, Any]:
    """Parallel writers each return their own draft; merge by draft key, the newest value wins per key."""
    merged = dict(left or {})
    merged.update(right or {})
    return merged


class InputState(TypedDict):
    """What a caller provides to start a campaign run."""

    campaign_id: str
    brief: str
    author: str


class CampaignState(TypedDict, total=False):
    """Everything the campaign graph knows about one campaign (one thread per campaign)."""

    campaign_id: Required[str]
    brief: Required[str]
    author: Required[str]
    clarifications: list[str]
    plan: dict[str, Any]
    plan_notes: list[str]
    clarify: dict[str, Any]
    audience: dict[str, Any]
    drafts: Annotated[dict[str, Any], merge_drafts]
    review_round: int
    status: str


class WriterInput(TypedDict):
    """The payload a Send gives one writer: the plan and the deliverable it must produce."""

    campaign_id: str
    plan: dict[str, Any]
    plan_notes: list[str]
    clarify: dict[str, Any]
    channel: str
    variant: NotRequired[str]  # the A/B variant to write; absent when the plan asks for a single draft
