"""Scoring and filtering over a loaded index: which chunks may answer, how relevant each is, how to cite it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import numpy.typing as npt

from tools.policy_kb.embedding import FloatMatrix
from tools.policy_kb.lexical import Bm25
from tools.policy_kb.models import Passage
from tools.policy_kb.store import IndexState

RowArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class SearchFilters:
    """Restrictions on which documents may answer; ``None`` means no restriction."""

    as_of: date
    doc_type: str | None = None
    product_type: str | None = None
    channel: str | None = None


@dataclass
class LoadedIndex:
    """An index read from disk, with the lexical statistics built from its chunk texts."""

    state: IndexState
    vectors: FloatMatrix
    signature: tuple[int, int, int] | None
    bm25: Bm25 = field(init=False)

    def __post_init__(self) -> None:
        titled = [f"{self.state.documents[c.doc_id].title} {c.section}\n{c.text}" for c in self.state.chunks]
        self.bm25 = Bm25(titled)


def eligible_rows(state: IndexState, filters: SearchFilters) -> RowArray:
    """Rows of chunks whose document is in force on ``as_of`` and passes every filter, in index order."""
    allowed = {
        doc_id
        for doc_id, doc in state.documents.items()
        if doc.in_force_on(filters.as_of)
        and (filters.doc_type is None or doc.type == filters.doc_type)
        and (filters.product_type is None or filters.product_type in doc.products)
        and (filters.channel is None or filters.channel in doc.channels)
    }
    return np.array([i for i, c in enumerate(state.chunks) if c.doc_id in allowed], dtype=np.int64)


def fused_scores(
    index: LoadedIndex, rows: RowArray, query: str, query_vector: FloatMatrix, lexical_weight: float
) -> npt.NDArray[np.float64]:
    """Dense cosine and BM25, each divided by its maximum over ``rows``, mixed by ``lexical_weight``."""
    dense = (index.vectors[rows] @ query_vector).astype(np.float64)
    lexical = index.bm25.scores(query, rows)
    return (1.0 - lexical_weight) * _scaled(dense) + lexical_weight * _scaled(lexical)


def top_k(rows: RowArray, scores: npt.NDArray[np.float64], k: int) -> list[tuple[int, float]]:
    """(row, score) of the best ``k``: score descending, ties by index order (deterministic)."""
    order = np.lexsort((rows, -scores))[:k]  # np.lexsort sorts by its last key first
    return [(int(rows[i]), float(scores[i])) for i in order]


def to_passage(state: IndexState, row: int, score: float) -> Passage:
    chunk = state.chunks[row]
    doc = state.documents[chunk.doc_id]
    return Passage(
        doc_id=doc.id,
        title=doc.title,
        section=chunk.section,
        text=chunk.text,
        score=score,
        citation=section_citation(doc.citation, chunk.section),
        evidence=doc.evidence,
        issuer=doc.issuer,
        doc_type=doc.type,
        effective_from=doc.effective_from,
        effective_to=doc.effective_to,
    )


def section_citation(doc_citation: str, section: str) -> str:
    """Cite a section: 《广告法》 + 第九条 → 《广告法》第九条; a heading is appended after a middle dot."""
    if not section:
        return doc_citation
    if section.startswith("第") and section.endswith("条"):
        return f"{doc_citation}{section}"
    return f"{doc_citation}·{section}"


def _scaled(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    best = float(values.max()) if values.size else 0.0
    return values / best if best > 0 else np.zeros_like(values)
