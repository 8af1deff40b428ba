"""The draft value object that travels through the graph, and how each channel's content is checked as text."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from core.domain import Channel, Finding, GenerationMode
from tools.h5 import page_from_content, visible_text

DraftPhase = Literal[
    "generated", "checked", "revised", "edited", "in_review", "approved", "rejected", "changes_requested"
]
# Field order in which multi-part content is joined for checking; spans then index this joined text.
_TEXT_FIELDS = ("title", "digest", "text", "body")


class DraftState(BaseModel):
    """One deliverable on one channel, as the graph sees it between nodes."""

    channel: Channel
    content: dict[str, Any]
    mode: GenerationMode
    notes: list[str] = Field(
        default_factory=list, description="Labels for the reviewer, e.g. degraded to offline."
    )
    findings: list[Finding] = Field(default_factory=list)
    verdict: Literal["block", "warn", "pass", "unchecked"] = "unchecked"
    revisions: int = 0
    phase: DraftPhase = "generated"
    review_comment: str | None = None
    draft_id: str | None = None
    version: int = 0
    approved_review_id: int | None = None
    edited_by: str | None = Field(default=None, description="Reviewer whose edit is the current text.")


def checkable_text(channel: str, content: dict[str, Any]) -> str:
    """The text the compliance engine reads for a draft: its textual fields joined by newlines."""
    if channel == "call_script":
        raise ValueError("call scripts are checked through tools.call_script.flatten_text")
    if channel == "h5":
        # All visible text of the rendered page in reading order, so spans point at what a customer reads.
        return visible_text(page_from_content(content))
    parts = [str(content[field]) for field in _TEXT_FIELDS if content.get(field)]
    if not parts:
        raise ValueError(f"{channel} content has none of the text fields {_TEXT_FIELDS}")
    return "\n".join(parts)
