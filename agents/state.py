"""Graph state.

Kept JSON-native (dicts of plain values) so checkpoints read back in any process without registering custom
types with the serializer; Pydantic models validate at every node boundary.
"""

from __future__ import annotations

from typing import Annotated, Any, Required, TypedDict


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
