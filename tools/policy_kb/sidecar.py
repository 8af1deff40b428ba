"""The sidecar: every stored chunk in memory, plus a BM25 index over them, kept per collection revision.

Chroma answers "which ids are nearest" in ~2 ms, but returning the chunks' texts and metadatas with them costs
several times that, so search resolves ids against this in-memory copy instead. The same copy feeds BM25. It is
derived data, rebuilt from the collection whenever the collection's revision changes, so it needs no file of its
own and works the same against an embedded store and a Chroma server. It is cached per process and shared by
every ``KnowledgeBase`` object pointing at the same collection (the API builds one per request).
"""

from __future__ import annotations

import threading

import numpy as np

from tools.policy_kb.filters import SearchFilters, admits
from tools.policy_kb.lexical import Bm25, RowArray, ScoreArray, tokens
from tools.policy_kb.records import IndexedChunk


class Sidecar:
    """Chunks in id order (row i = chunks[i]) and, built on first use, BM25 over their titled texts."""

    def __init__(self, chunks: list[IndexedChunk]) -> None:
        self.chunks = sorted(chunks, key=lambda c: c.id)
        self.rows_by_id = {c.id: row for row, c in enumerate(self.chunks)}
        self._bm25: Bm25 | None = None
        self._lock = threading.Lock()

    def get(self, chunk_id: str) -> IndexedChunk | None:
        row = self.rows_by_id.get(chunk_id)
        return self.chunks[row] if row is not None else None

    def eligible_rows(self, filters: SearchFilters) -> RowArray:
        return np.array([row for row, c in enumerate(self.chunks) if admits(filters, c)], dtype=np.int64)

    def scores(self, query: str) -> ScoreArray:
        """BM25 of ``query`` for every row (segmenting every chunk the first time: only if BM25 is used)."""
        with self._lock:
            if self._bm25 is None:
                self._bm25 = Bm25([tokens(c.embedding_text()) for c in self.chunks])
            bm25 = self._bm25
        return bm25.scores(tokens(query))


_cache: dict[str, tuple[str, Sidecar]] = {}
"""Collection key → (revision, sidecar)."""
_lock = threading.Lock()


def cached_sidecar(store_key: str, revision: str) -> Sidecar | None:
    """The sidecar built for this collection at this revision, if this process has one."""
    with _lock:
        entry = _cache.get(store_key)
    return entry[1] if entry is not None and entry[0] == revision else None


def remember_sidecar(store_key: str, revision: str, sidecar: Sidecar) -> None:
    """Keep one sidecar per collection (the newest revision seen)."""
    with _lock:
        _cache[store_key] = (revision, sidecar)


def forget_sidecar(store_key: str) -> None:
    """Drop the cached sidecar, e.g. right after this process changed the collection."""
    with _lock:
        _cache.pop(store_key, None)
