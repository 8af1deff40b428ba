"""Hybrid retrieval: Chroma's filtered nearest neighbours, optionally fused with BM25 from the sidecar.

Both signals nominate up to ``CANDIDATES`` chunks that pass the filters; every candidate then gets both scores
(a BM25-only candidate's cosine is computed from its stored vector), the two are z-scored over the candidates and
mixed. The candidate count is fixed rather than derived from ``k`` so that asking for more results extends the
ranking instead of reshuffling it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from chromadb.api.models.Collection import Collection

from tools.policy_kb.embedding import FloatMatrix
from tools.policy_kb.filters import SearchFilters, where_clause
from tools.policy_kb.fusion import fuse, ranking
from tools.policy_kb.lexical import ScoreArray
from tools.policy_kb.models import section_citation
from tools.policy_kb.records import IndexedChunk
from tools.policy_kb.sidecar import Sidecar
from tools.policy_kb.vector_store import ChromaStore

__all__ = ["CANDIDATES", "Query", "hybrid_search", "section_citation"]

CANDIDATES = 50
"""Chunks each signal nominates; far above any k the callers use, small enough to fuse in well under 1 ms."""


@dataclass(frozen=True)
class Query:
    """One search: the text, its embedding, the filters, how many results and how much BM25."""

    text: str
    vector: FloatMatrix
    filters: SearchFilters
    k: int
    lexical_weight: float


def hybrid_search(
    store: ChromaStore, collection: Collection, sidecar: Sidecar, query: Query
) -> list[tuple[IndexedChunk, float]]:
    """The best ``query.k`` chunks with their scores, best first (ties by chunk id)."""
    depth = max(CANDIDATES, query.k)
    similarity = dict(store.nearest(collection, query.vector, depth, where_clause(query.filters)))
    if query.lexical_weight == 0:
        ids = list(similarity)
        order = ranking(np.array([similarity[i] for i in ids]), ids)
        chunks = _resolve(store, collection, sidecar, [ids[i] for i in order[: query.k]])
        return [(chunk, similarity[chunk.id]) for chunk in chunks]
    lexical_all = sidecar.scores(query.text)
    lexical_ids = [
        sidecar.chunks[row].id for row in _top_lexical_rows(sidecar, lexical_all, query.filters, depth)
    ]
    missing = [chunk_id for chunk_id in lexical_ids if chunk_id not in similarity]
    for chunk_id, vector in store.vectors(collection, missing).items():
        similarity[chunk_id] = float(vector @ query.vector)
    # A BM25 candidate that another process deleted after the sidecar was built has no vector: it is dropped.
    ids = list(similarity)
    lexical = np.array([_lexical_score(sidecar, lexical_all, chunk_id) for chunk_id in ids])
    fused = fuse(np.array([similarity[i] for i in ids]), lexical, query.lexical_weight)
    best = {ids[i]: float(fused[i]) for i in ranking(fused, ids)[: query.k]}
    return [(chunk, best[chunk.id]) for chunk in _resolve(store, collection, sidecar, list(best))]


def _resolve(
    store: ChromaStore, collection: Collection, sidecar: Sidecar, ids: list[str]
) -> list[IndexedChunk]:
    """Chunks for ``ids`` in that order: from the sidecar, or from Chroma for one written after it was built."""
    known = {chunk_id: sidecar.get(chunk_id) for chunk_id in ids}
    fetched = {c.id: c for c in store.fetch(collection, [i for i, c in known.items() if c is None])}
    resolved = (known[i] or fetched.get(i) for i in ids)
    return [chunk for chunk in resolved if chunk is not None]


def _top_lexical_rows(
    sidecar: Sidecar, lexical_all: ScoreArray, filters: SearchFilters, depth: int
) -> list[int]:
    """Eligible rows with a positive BM25 score, best first, at most ``depth`` (ties by row = chunk id)."""
    rows = sidecar.eligible_rows(filters)
    rows = rows[lexical_all[rows] > 0]
    order = np.lexsort((rows, -lexical_all[rows]))[:depth]
    return [int(rows[i]) for i in order]


def _lexical_score(sidecar: Sidecar, lexical_all: ScoreArray, chunk_id: str) -> float:
    """BM25 of a candidate; 0 for a chunk written by another process after the sidecar was built."""
    row = sidecar.rows_by_id.get(chunk_id)
    return float(lexical_all[row]) if row is not None else 0.0
