"""Search filters, expressed twice: as a Chroma ``where=`` clause and as a predicate over stored chunks.

Dense candidates are filtered by Chroma; lexical candidates come from the in-memory BM25 sidecar and are
filtered by ``admits``. The two must agree exactly (a unit test checks that they do on the real corpus).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from core.domain import CHANNELS, PRODUCT_TYPES
from tools.policy_kb.documents import DOC_TYPES
from tools.policy_kb.records import IndexedChunk, day_number


@dataclass(frozen=True)
class SearchFilters:
    """Restrictions on which documents may answer; ``None`` means no restriction."""

    as_of: date
    doc_type: str | None = None
    product_type: str | None = None
    channel: str | None = None

    def __post_init__(self) -> None:
        _check("doc_type", self.doc_type, DOC_TYPES)
        _check("product_type", self.product_type, PRODUCT_TYPES)
        _check("channel", self.channel, CHANNELS)


def where_clause(filters: SearchFilters) -> dict[str, Any]:
    """Chroma ``where=``: in force on ``as_of`` (both bounds inclusive) and matching every given filter."""
    day = day_number(filters.as_of)
    clauses: list[dict[str, Any]] = [
        {"effective_from": {"$lte": day}},
        {"effective_to": {"$gte": day}},
    ]
    if filters.doc_type is not None:
        clauses.append({"doc_type": {"$eq": filters.doc_type}})
    if filters.product_type is not None:
        clauses.append({"products": {"$contains": filters.product_type}})
    if filters.channel is not None:
        clauses.append({"channels": {"$contains": filters.channel}})
    return {"$and": clauses}


def admits(filters: SearchFilters, chunk: IndexedChunk) -> bool:
    """The same test as ``where_clause``, for a chunk already in memory."""
    day = day_number(filters.as_of)
    return (
        chunk.effective_from <= day <= chunk.effective_to
        and (filters.doc_type is None or chunk.doc_type == filters.doc_type)
        and (filters.product_type is None or filters.product_type in chunk.products)
        and (filters.channel is None or filters.channel in chunk.channels)
    )


def _check(name: str, value: str | None, allowed: tuple[str, ...]) -> None:
    if value is not None and value not in allowed:
        raise ValueError(f"unknown {name} {value!r}; expected one of {allowed}")
