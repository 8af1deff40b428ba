"""Policy knowledge base search with citations."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import StaffDep
from core.settings import get_settings
from tools.policy_kb.index import KnowledgeBase
from tools.policy_kb.models import Passage

router = APIRouter(prefix="/v1/kb", tags=["knowledge base"])


@router.get("/search")
def search(
    _user: StaffDep,
    q: Annotated[str, Query(min_length=1, max_length=500, description="The question, in Chinese.")],
    k: Annotated[int, Query(ge=1, le=20)] = 5,
    doc_type: str | None = None,
    product_type: str | None = None,
    channel: str | None = None,
    as_of: date | None = None,
) -> list[Passage]:
    """Passages in force on ``as_of`` (default today), best first, each with its citation."""
    kb = KnowledgeBase(get_settings().kb_dir)
    return kb.search(q, k, doc_type=doc_type, product_type=product_type, channel=channel, as_of=as_of)
